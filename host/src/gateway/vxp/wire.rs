//! The request side of each VXP operation: typed values parsed from the *signed* headers and the
//! body, with the SDK's quirks accepted (§9.3, §9.4, and `shared/domain/vxp-wire-trace.md`).
//!
//! Every parser takes [`SignedHeaders`], never raw headers, so only authenticated values reach
//! the exchange engine. Quirks handled here:
//! - `XroadVnpt-to` is a JSON array (`["a"]`) or a JSON string holding one (`"[\"a\"]"`);
//! - `XroadVnpt-hash-file` is SHA-256 of the edXML file in the SDK's unpadded hex
//!   (`Integer.toHexString(0xFF & b)` per byte), or in padded hex; both are accepted;
//! - the `sendEdoc` body is the raw file followed by `\r\n` under `application/octet-stream`
//!   (the SDK overwrites its multipart Content-Type and writes no boundary); a body without the
//!   CRLF, or a real `multipart/form-data` body with a `file_doc` part, is accepted too. The
//!   signed hash decides which reading is the file, so a file that itself ends in CRLF is safe.

use std::fmt;
use std::str::FromStr;

use crate::edxml::VIETNAM;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use sha2::{Digest, Sha256};

use super::auth::SignedHeaders;
use super::sign::PREFIX;
use crate::edxml::OrganId;

/// Most recipients accepted in one `XroadVnpt-to`.
pub const MAX_RECIPIENTS: usize = 1000;

/// Largest `registerAgency` body accepted.
pub const MAX_AGENCY_BODY_BYTES: usize = 64 * 1024;

/// Why a verified request cannot be understood; each message names the header or field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// A header the operation needs was not sent (and signed).
    #[error("the request has no {header} header")]
    MissingHeader {
        /// Full header name.
        header: String,
    },
    /// A header's value cannot be used.
    #[error("header {header} {value:?} is invalid: {reason}")]
    InvalidHeader {
        /// Full header name.
        header: String,
        /// The value (truncated).
        value: String,
        /// What is wrong and what is expected.
        reason: String,
    },
    /// The body is not the file the signed `hash-file` describes.
    #[error(
        "XroadVnpt-hash-file {declared} does not match the body (its SHA-256 is {computed}); \
         the file was altered or the body was framed differently"
    )]
    HashFileMismatch {
        /// The signed value.
        declared: String,
        /// SHA-256 of the body as read (padded hex).
        computed: String,
    },
    /// `sendEdoc` carried no package.
    #[error("the sendEdoc body is empty; send the edXML file followed by CRLF")]
    EmptyPackage,
    /// A multipart body that cannot be read.
    #[error("the multipart/form-data body cannot be read: {reason}")]
    BadMultipart {
        /// What is wrong.
        reason: String,
    },
    /// The `registerAgency` body is not acceptable; every problem is listed.
    #[error("the registerAgency body is invalid: {}", problems.join("; "))]
    InvalidAgency {
        /// One line per problem.
        problems: Vec<String>,
    },
}

fn full(name: &str) -> String {
    format!("{PREFIX}{name}")
}

fn invalid(header: &str, value: &str, reason: impl Into<String>) -> WireError {
    WireError::InvalidHeader {
        header: full(header),
        value: value.chars().take(120).collect(),
        reason: reason.into(),
    }
}

fn required<'a>(signed: &'a SignedHeaders, name: &str) -> Result<&'a str, WireError> {
    match signed.get(name).map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(WireError::MissingHeader { header: full(name) }),
    }
}

fn optional<'a>(signed: &'a SignedHeaders, name: &str) -> Option<&'a str> {
    signed.get(name).map(str::trim).filter(|v| !v.is_empty())
}

fn organ(header: &str, value: &str) -> Result<OrganId, WireError> {
    OrganId::from_str(value).map_err(|e| invalid(header, value, e.to_string()))
}

/// `XroadVnpt-messagetype`: what kind of package a call is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// A document package (`edoc`).
    Edoc,
    /// A status (processing feedback) package (`status`).
    Status,
}

impl MessageType {
    /// The keyword as the SDK sends it.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::Edoc => "edoc",
            MessageType::Status => "status",
        }
    }

    fn parse(value: &str) -> Result<MessageType, WireError> {
        if value.eq_ignore_ascii_case("edoc") {
            Ok(MessageType::Edoc)
        } else if value.eq_ignore_ascii_case("status") {
            Ok(MessageType::Status)
        } else {
            Err(invalid("messagetype", value, "expected edoc or status"))
        }
    }

    fn from_signed(signed: &SignedHeaders) -> Result<Option<MessageType>, WireError> {
        optional(signed, "messagetype").map(Self::parse).transpose()
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The axis's identifier of one delivery (`docId`), opaque to clients.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VxpDocId(String);

impl VxpDocId {
    /// Parses a docId: non-empty, at most 200 characters, no control characters.
    pub fn parse(s: &str) -> Option<VxpDocId> {
        let s = s.trim();
        (!s.is_empty() && s.chars().count() <= 200 && !s.chars().any(char::is_control))
            .then(|| VxpDocId(s.to_owned()))
    }

    /// The id as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VxpDocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn doc_id(signed: &SignedHeaders) -> Result<VxpDocId, WireError> {
    // The SDK's key is `docId`; the .NET samples send `docid`. `get` is case-insensitive.
    let v = required(signed, "docId")?;
    VxpDocId::parse(v).ok_or_else(|| invalid("docId", v, "at most 200 printable characters"))
}

/// Which hex rendering of SHA-256 a client used in `XroadVnpt-hash-file`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashForm {
    /// The SDK's `Integer.toHexString(0xFF & b)` per byte: no zero padding.
    Unpadded,
    /// Two hex digits per byte (64 characters).
    Padded,
}

/// The SDK's `hash-file`: SHA-256 rendered without zero padding (byte `0x0a` → `a`).
pub fn sdk_hash_file(file: &[u8]) -> String {
    let digest = Sha256::digest(file);
    digest.iter().map(|b| format!("{b:x}")).collect()
}

/// SHA-256 in ordinary padded lowercase hex.
pub fn padded_hash_file(file: &[u8]) -> String {
    hex::encode(Sha256::digest(file))
}

/// Which form of `declared` (any case, surrounding spaces ignored) is the hash of `file`.
pub fn hash_file_form(declared: &str, file: &[u8]) -> Option<HashForm> {
    let declared = declared.trim().to_ascii_lowercase();
    let padded = padded_hash_file(file);
    if declared == padded {
        Some(HashForm::Padded)
    } else if declared == sdk_hash_file(file) {
        Some(HashForm::Unpadded)
    } else {
        None
    }
}

/// How the package was framed in the `sendEdoc` body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// The SDK's form: the file, then one CRLF.
    RawWithCrlf,
    /// The file alone.
    Raw,
    /// A `multipart/form-data` part named `file_doc`.
    Multipart,
}

/// A `sendEdoc` call: who sends, to whom, and the package bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendEdoc<'b> {
    /// `XroadVnpt-from`: the sending agency.
    pub from: OrganId,
    /// `XroadVnpt-to`: recipients in order, without duplicates; empty for status packages.
    pub to: Vec<OrganId>,
    /// `XroadVnpt-messagetype`, when sent; otherwise tell edoc and status apart by the package.
    pub message_type: Option<MessageType>,
    /// `XroadVnpt-servicetype` as sent (`eDoc`, or `edoc` from .NET samples).
    pub service_type: Option<String>,
    /// The edXML file, exactly the bytes `hash-file` covers.
    pub package: &'b [u8],
    /// How the body framed it.
    pub framing: Framing,
    /// Which hash rendering the client used.
    pub hash_form: HashForm,
}

impl<'b> SendEdoc<'b> {
    /// Parses a verified `sendEdoc`; `content_type` is the plain `Content-Type` header, if any.
    pub fn parse(
        signed: &SignedHeaders,
        content_type: Option<&str>,
        body: &'b [u8],
    ) -> Result<SendEdoc<'b>, WireError> {
        let from = organ("from", required(signed, "from")?)?;
        let to = match optional(signed, "to") {
            Some(v) => parse_to(v)?,
            None => Vec::new(),
        };
        let message_type = MessageType::from_signed(signed)?;
        let service_type = optional(signed, "servicetype").map(str::to_owned);
        let declared = required(signed, "hash-file")?;

        let mut candidates: Vec<(&'b [u8], Framing)> = Vec::with_capacity(3);
        let mut multipart_error = None;
        if let Some(ct) = content_type.filter(|ct| is_multipart(ct)) {
            match multipart_part(ct, body, "file_doc") {
                Ok(part) => candidates.push((part, Framing::Multipart)),
                Err(e) => multipart_error = Some(e),
            }
        }
        if let Some(file) = body.strip_suffix(b"\r\n") {
            candidates.push((file, Framing::RawWithCrlf));
        }
        candidates.push((body, Framing::Raw));

        for (package, framing) in &candidates {
            if let Some(hash_form) = hash_file_form(declared, package) {
                if package.is_empty() {
                    return Err(WireError::EmptyPackage);
                }
                return Ok(SendEdoc {
                    from,
                    to,
                    message_type,
                    service_type,
                    package,
                    framing: *framing,
                    hash_form,
                });
            }
        }
        if let Some(e) = multipart_error {
            return Err(e);
        }
        if candidates.iter().all(|(p, _)| p.is_empty()) {
            return Err(WireError::EmptyPackage);
        }
        Err(WireError::HashFileMismatch {
            declared: declared.chars().take(80).collect(),
            computed: padded_hash_file(candidates[0].0),
        })
    }
}

/// Parses `XroadVnpt-to` in every form seen: a JSON array of codes, a JSON string holding such
/// an array (the SDK's output when the caller passed a string), or — tolerated — bare codes
/// separated by `,` or `;`. Duplicates are dropped, first occurrence kept.
pub fn parse_to(value: &str) -> Result<Vec<OrganId>, WireError> {
    let v = value.trim();
    let codes: Vec<String> = if v.starts_with('"') {
        let inner: String = serde_json::from_str(v)
            .map_err(|e| invalid("to", value, format!("not a JSON string: {e}")))?;
        let inner = inner.trim();
        if inner.starts_with('"') {
            return Err(invalid("to", value, "quoted more than once"));
        }
        codes_of(inner).map_err(|reason| invalid("to", value, reason))?
    } else {
        codes_of(v).map_err(|reason| invalid("to", value, reason))?
    };
    let mut out: Vec<OrganId> = Vec::with_capacity(codes.len());
    for code in codes {
        let id = organ("to", &code)?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    if out.len() > MAX_RECIPIENTS {
        return Err(invalid(
            "to",
            value,
            format!("more than {MAX_RECIPIENTS} recipients"),
        ));
    }
    Ok(out)
}

fn codes_of(v: &str) -> Result<Vec<String>, String> {
    if v.is_empty() {
        return Ok(Vec::new());
    }
    if v.starts_with('[') {
        let codes: Vec<String> = serde_json::from_str(v)
            .map_err(|e| format!("expected a JSON array of agency codes: {e}"))?;
        if codes.iter().any(|c| c.trim().is_empty()) {
            return Err("an agency code in the array is empty".into());
        }
        return Ok(codes);
    }
    Ok(v.split([',', ';'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect())
}

fn is_multipart(content_type: &str) -> bool {
    content_type
        .trim_start()
        .get(..19)
        .is_some_and(|p| p.eq_ignore_ascii_case("multipart/form-data"))
}

/// The content of the part named `name` in a `multipart/form-data` body.
fn multipart_part<'b>(
    content_type: &str,
    body: &'b [u8],
    name: &str,
) -> Result<&'b [u8], WireError> {
    let bad = |reason: &str| WireError::BadMultipart {
        reason: reason.to_owned(),
    };
    let boundary = content_type
        .split(';')
        .skip(1)
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"'))
        .ok_or_else(|| bad("the Content-Type has no boundary"))?;
    if boundary.is_empty() || boundary.len() > 200 {
        return Err(bad("the boundary is empty or too long"));
    }
    let delimiter = format!("--{boundary}");
    let next_delimiter = format!("\r\n--{boundary}");
    let finder = memchr::memmem::Finder::new(next_delimiter.as_bytes());

    let mut pos = if body.starts_with(delimiter.as_bytes()) {
        delimiter.len()
    } else {
        finder
            .find(body)
            .map(|i| i + next_delimiter.len())
            .ok_or_else(|| bad("no boundary delimiter in the body"))?
    };
    for _ in 0..64 {
        let rest = &body[pos..];
        if rest.starts_with(b"--") {
            break;
        }
        let rest = rest
            .strip_prefix(b"\r\n")
            .ok_or_else(|| bad("a boundary is not followed by CRLF"))?;
        let head_end = memchr::memmem::find(rest, b"\r\n\r\n")
            .ok_or_else(|| bad("a part has no end of headers"))?;
        let head = std::str::from_utf8(&rest[..head_end])
            .map_err(|_| bad("part headers are not UTF-8"))?;
        let content_start = head_end + 4;
        let content_len = finder
            .find(&rest[content_start..])
            .ok_or_else(|| bad("a part is not closed by a boundary"))?;
        let content = &rest[content_start..content_start + content_len];
        if part_name(head).is_some_and(|n| n == name) {
            return Ok(content);
        }
        pos = body.len() - rest.len() + content_start + content_len + next_delimiter.len();
    }
    Err(bad(&format!("there is no part named {name}")))
}

fn part_name(head: &str) -> Option<&str> {
    head.split("\r\n")
        .filter_map(|line| line.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-disposition"))
        .and_then(|(_, v)| {
            v.split(';')
                .filter_map(|p| p.split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("name"))
                .map(|(_, v)| v.trim().trim_matches('"'))
        })
}

/// A list or count call's filter (`getReceivedEdocList`, `getSentEdocList`, `countReceive*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListQuery {
    /// `messagetype`; `edoc` when absent, as the SDK's own example sends `{}`.
    pub message_type: MessageType,
    /// `servicetype` as sent.
    pub service_type: Option<String>,
    /// `fromDate`, Vietnam time.
    pub from_date: Option<DateTime<FixedOffset>>,
    /// `toDate`, Vietnam time; a date without time means the end of that day.
    pub to_date: Option<DateTime<FixedOffset>>,
}

impl ListQuery {
    /// Parses the filter of a verified list or count call.
    pub fn parse(signed: &SignedHeaders) -> Result<ListQuery, WireError> {
        let from_date = optional(signed, "fromDate")
            .map(|v| parse_vxp_date("fromDate", v, false))
            .transpose()?;
        let to_date = optional(signed, "toDate")
            .map(|v| parse_vxp_date("toDate", v, true))
            .transpose()?;
        if let (Some(from), Some(to)) = (from_date, to_date)
            && to < from
        {
            return Err(invalid(
                "toDate",
                optional(signed, "toDate").unwrap_or_default(),
                "it is before fromDate",
            ));
        }
        Ok(ListQuery {
            message_type: MessageType::from_signed(signed)?.unwrap_or(MessageType::Edoc),
            service_type: optional(signed, "servicetype").map(str::to_owned),
            from_date,
            to_date,
        })
    }
}

/// Parses a list filter date: `dd/MM/yyyy HH:mm:ss` (the SDK samples' format), also `dd/MM/yyyy`,
/// `yyyy/MM/dd[ HH:mm:ss]` and ISO `yyyy-MM-dd[THH:mm:ss]`, read as Vietnam time.
fn parse_vxp_date(
    header: &str,
    value: &str,
    end_of_day: bool,
) -> Result<DateTime<FixedOffset>, WireError> {
    const WITH_TIME: [&str; 4] = [
        "%d/%m/%Y %H:%M:%S",
        "%Y/%m/%d %H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ];
    const DATE_ONLY: [&str; 3] = ["%d/%m/%Y", "%Y/%m/%d", "%Y-%m-%d"];
    let naive = WITH_TIME
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(value, f).ok())
        .or_else(|| {
            DATE_ONLY
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(value, f).ok())
                .and_then(|d| {
                    let t = if end_of_day {
                        NaiveTime::from_hms_opt(23, 59, 59)
                    } else {
                        NaiveTime::from_hms_opt(0, 0, 0)
                    };
                    t.map(|t| d.and_time(t))
                })
        })
        .ok_or_else(|| invalid(header, value, "expected dd/MM/yyyy HH:mm:ss"))?;
    VIETNAM
        .from_local_datetime(&naive)
        .single()
        .ok_or_else(|| invalid(header, value, "not a valid local time"))
}

/// A `getEdoc` call. The SDK also signs its local `filePath`; it is deliberately not kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetEdoc {
    /// The delivery to fetch.
    pub doc_id: VxpDocId,
}

impl GetEdoc {
    /// Parses a verified `getEdoc`.
    pub fn parse(signed: &SignedHeaders) -> Result<GetEdoc, WireError> {
        Ok(GetEdoc {
            doc_id: doc_id(signed)?,
        })
    }
}

/// The `updateStatus` keyword: package-delivery acknowledgement, not a business status (§9.6).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AckStatus {
    /// `inbox`.
    Inbox,
    /// `rejection`.
    Rejection,
    /// `acceptance`.
    Acceptance,
    /// `assignment`.
    Assignment,
    /// `processing`.
    Processing,
    /// `done`: the receiving system took the package (what VPCP clients send).
    Done,
    /// `fail`: it could not parse or persist it.
    Fail,
    /// `cancellation`.
    Cancellation,
    /// Anything else, kept as sent (e.g. QĐ 28 codes `"02"`… from provincial clients).
    Other(String),
}

impl AckStatus {
    /// Maps a keyword, case-insensitively; unknown values are kept.
    pub fn parse(value: &str) -> AckStatus {
        match value.trim().to_ascii_lowercase().as_str() {
            "inbox" => AckStatus::Inbox,
            "rejection" => AckStatus::Rejection,
            "acceptance" => AckStatus::Acceptance,
            "assignment" => AckStatus::Assignment,
            "processing" => AckStatus::Processing,
            "done" => AckStatus::Done,
            "fail" => AckStatus::Fail,
            "cancellation" => AckStatus::Cancellation,
            _ => AckStatus::Other(value.trim().to_owned()),
        }
    }

    /// The keyword.
    pub fn as_str(&self) -> &str {
        match self {
            AckStatus::Inbox => "inbox",
            AckStatus::Rejection => "rejection",
            AckStatus::Acceptance => "acceptance",
            AckStatus::Assignment => "assignment",
            AckStatus::Processing => "processing",
            AckStatus::Done => "done",
            AckStatus::Fail => "fail",
            AckStatus::Cancellation => "cancellation",
            AckStatus::Other(s) => s,
        }
    }
}

impl fmt::Display for AckStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An `updateStatus` call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateStatus {
    /// The delivery acknowledged.
    pub doc_id: VxpDocId,
    /// The keyword.
    pub status: AckStatus,
    /// Optional free text (sent by some .NET clients).
    pub description: Option<String>,
}

impl UpdateStatus {
    /// Parses a verified `updateStatus`.
    pub fn parse(signed: &SignedHeaders) -> Result<UpdateStatus, WireError> {
        let doc_id = doc_id(signed)?;
        let status = AckStatus::parse(required(signed, "status")?);
        if status.as_str().chars().count() > 64 {
            return Err(invalid("status", status.as_str(), "at most 64 characters"));
        }
        Ok(UpdateStatus {
            doc_id,
            status,
            description: optional(signed, "description").map(str::to_owned),
        })
    }
}

/// A `deleteAgency` call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteAgency {
    /// `XroadVnpt-AgencyCode`.
    pub code: OrganId,
}

impl DeleteAgency {
    /// Parses a verified `deleteAgency`.
    pub fn parse(signed: &SignedHeaders) -> Result<DeleteAgency, WireError> {
        Ok(DeleteAgency {
            code: organ("AgencyCode", required(signed, "AgencyCode")?)?,
        })
    }
}

/// A `registerAgency` body `{id?, pid, code, name, mail}`.
///
/// The SDK does not sign this body: see the note in [`super::auth`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgencyRegistration {
    /// The client's own id for it, if given.
    pub id: Option<String>,
    /// The parent's id, if given.
    pub pid: Option<String>,
    /// The agency's code.
    pub code: OrganId,
    /// Its name.
    pub name: String,
    /// Its contact e-mail.
    pub mail: String,
}

impl AgencyRegistration {
    /// Parses and validates the body: `code`, `name` and `mail` required, `mail` an address.
    pub fn parse(body: &[u8]) -> Result<AgencyRegistration, WireError> {
        let fail = |p: String| WireError::InvalidAgency { problems: vec![p] };
        if body.len() > MAX_AGENCY_BODY_BYTES {
            return Err(fail(format!(
                "the body exceeds {MAX_AGENCY_BODY_BYTES} bytes"
            )));
        }
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| fail(format!("the body is not JSON: {e}")))?;
        let object = value
            .as_object()
            .ok_or_else(|| fail("the body is not a JSON object".into()))?;
        let mut problems = Vec::new();
        let mut field = |key: &str, needed: bool| -> Option<String> {
            match object.get(key) {
                None | Some(serde_json::Value::Null) => {
                    if needed {
                        problems.push(format!("{key} is required"));
                    }
                    None
                }
                Some(serde_json::Value::String(s)) if s.trim().is_empty() => {
                    if needed {
                        problems.push(format!("{key} is required and cannot be empty"));
                    }
                    None
                }
                Some(serde_json::Value::String(s)) => Some(s.trim().to_owned()),
                Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                Some(_) => {
                    problems.push(format!("{key} must be a string"));
                    None
                }
            }
        };
        let id = field("id", false);
        let pid = field("pid", false);
        let code = field("code", true);
        let name = field("name", true);
        let mail = field("mail", true);
        if let Some(m) = &mail
            && !is_valid_email(m)
        {
            problems.push(format!("mail {m:?} is not a valid e-mail address"));
        }
        match (code, name, mail) {
            (Some(code), Some(name), Some(mail)) if problems.is_empty() => {
                let code = OrganId::from_str(&code).map_err(|e| fail(e.to_string()))?;
                Ok(AgencyRegistration {
                    id,
                    pid,
                    code,
                    name,
                    mail,
                })
            }
            _ => Err(WireError::InvalidAgency { problems }),
        }
    }
}

/// Whether `s` is a plausible e-mail address (ASCII `local@domain.tld`, RFC 5321 lengths).
pub fn is_valid_email(s: &str) -> bool {
    if s.len() > 254 || !s.is_ascii() {
        return false;
    }
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
    local_ok && domain_ok
}

#[cfg(test)]
mod tests;
