//! The JSON answers of the VXP surface, shaped exactly as the Government Office SDK parses them
//! (§9.3 and the notes of `shared/domain/vxp-wire-trace.md`).
//!
//! How the SDK reads an answer, and what follows for us:
//! - it always reads `status`, `ErrorCode` and `ErrorDesc` with `getAsString()`: all three are
//!   always present, and never `null` (Gson's `JsonNull.getAsString()` throws);
//! - success is `ErrorCode == "0"` for lists and `status != "FAIL"` for `getEdoc` and counts, so
//!   failures carry `status: "FAIL"` and a non-zero code;
//! - `sendEdoc` reads `DocId` even on failure (a missing one makes the SDK return `null` to the
//!   integrator): failures of every call therefore carry the call's fields, empty
//!   ([`failure`]);
//! - optional item fields are omitted rather than `null`, and `to`/`from` in items are strings
//!   (`getAsString()` on an array of two throws);
//! - the `sendEdoc` path decodes a 200/201 answer as US-ASCII and other statuses in the client's
//!   platform charset, so [`to_body`] escapes every non-ASCII character as `\uXXXX`; Vietnamese
//!   text then survives any charset. Non-2xx statuses are safe: every SDK path reads the body.
//!
//! # Error codes
//!
//! `ErrorCode` is a string. Codes follow the Lạng Sơn LGSP's where the meaning is the same
//! (§9.8), so integrators who know that table read ours without a manual.
//!
//! | Code  | [`ErrorCode`]         | Meaning                                                           | HTTP | Retry? |
//! |-------|-----------------------|-------------------------------------------------------------------|------|--------|
//! | `0`   | `Ok`                  | success                                                           | 200  | —      |
//! | `10`  | `InvalidPackage`      | the body is not a readable edXML package (empty, bad multipart)   | 400  | no     |
//! | `11`  | `HashFileMismatch`    | the body does not match the signed `XroadVnpt-hash-file`          | 400  | no     |
//! | `12`  | `BadRequest`          | a required `XroadVnpt-*` header or body field is missing/invalid  | 400  | no     |
//! | `15`  | `Unauthenticated`     | unknown system id, bad HMAC, header not covered by the signature  | 401  | no     |
//! | `16`  | `Replayed`            | an identical signed request was already accepted                  | 409  | no     |
//! | `17`  | `Forbidden`           | the document or mailbox is not the caller's                       | 403  | no     |
//! | `18`  | `UnknownRecipient`    | a `to` agency does not exist                                      | 422  | no     |
//! | `19`  | `SenderNotHosted`     | `from` is not an agency this system id may send as                | 403  | no     |
//! | `20`  | `Internal`            | the hub failed; nothing was accepted                              | 500  | yes    |
//! | `22`  | `InvalidEdxml`        | the package fails QCVN 102 / QĐ 28 validation                     | 422  | no     |
//! | `23`  | `RecipientInactive`   | a `to` agency exists but is locked or deleted                     | 422  | no     |
//! | `24`  | `NotFound`            | no such `docId` (or agency) for this caller                       | 404  | no     |
//! | `100` | —                     | never sent: the SDK's own code for "no usable answer"             | —    | —      |
//!
//! # Dates
//!
//! `created_time`, `updated_time`, `sentTime` and `receivedTime` are `dd/MM/yyyy HH:mm:ss` in
//! Vietnam time ([`vxp_time`]): the SDK only passes them on as strings, and this is the format
//! the same API takes in `fromDate`/`toDate` (§9.3), so a client can feed `updated_time` back
//! as its next `fromDate`.

use std::fmt;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use super::auth::AuthError;
use super::operation::Operation;
use super::wire::WireError;

/// The outcome codes truc sends in `ErrorCode` (table in the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `0`: success.
    Ok,
    /// `10`: the body is not a readable package.
    InvalidPackage,
    /// `11`: the body does not match the signed hash.
    HashFileMismatch,
    /// `12`: a header or field is missing or invalid.
    BadRequest,
    /// `15`: authentication failed.
    Unauthenticated,
    /// `16`: replayed request.
    Replayed,
    /// `17`: not the caller's document or mailbox.
    Forbidden,
    /// `18`: unknown recipient.
    UnknownRecipient,
    /// `19`: the sender is not hosted by the caller.
    SenderNotHosted,
    /// `20`: internal failure.
    Internal,
    /// `22`: the edXML fails validation.
    InvalidEdxml,
    /// `23`: the recipient is locked or deleted.
    RecipientInactive,
    /// `24`: not found.
    NotFound,
}

impl ErrorCode {
    /// Every code, for tables and tests.
    pub const ALL: [ErrorCode; 13] = [
        ErrorCode::Ok,
        ErrorCode::InvalidPackage,
        ErrorCode::HashFileMismatch,
        ErrorCode::BadRequest,
        ErrorCode::Unauthenticated,
        ErrorCode::Replayed,
        ErrorCode::Forbidden,
        ErrorCode::UnknownRecipient,
        ErrorCode::SenderNotHosted,
        ErrorCode::Internal,
        ErrorCode::InvalidEdxml,
        ErrorCode::RecipientInactive,
        ErrorCode::NotFound,
    ];

    /// The string sent in `ErrorCode`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Ok => "0",
            ErrorCode::InvalidPackage => "10",
            ErrorCode::HashFileMismatch => "11",
            ErrorCode::BadRequest => "12",
            ErrorCode::Unauthenticated => "15",
            ErrorCode::Replayed => "16",
            ErrorCode::Forbidden => "17",
            ErrorCode::UnknownRecipient => "18",
            ErrorCode::SenderNotHosted => "19",
            ErrorCode::Internal => "20",
            ErrorCode::InvalidEdxml => "22",
            ErrorCode::RecipientInactive => "23",
            ErrorCode::NotFound => "24",
        }
    }

    /// The code a received `ErrorCode` string names, if it is one of ours.
    pub fn from_wire(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL
            .into_iter()
            .find(|c| c.as_str() == code.trim())
    }

    /// The HTTP status to send with it (the SDK reads the JSON body whatever the status).
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::Ok => 200,
            ErrorCode::InvalidPackage | ErrorCode::HashFileMismatch | ErrorCode::BadRequest => 400,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden | ErrorCode::SenderNotHosted => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::Replayed => 409,
            ErrorCode::UnknownRecipient
            | ErrorCode::InvalidEdxml
            | ErrorCode::RecipientInactive => 422,
            ErrorCode::Internal => 500,
        }
    }

    /// Whether sending the same request again cannot succeed (only `Internal` is transient).
    pub fn is_permanent(self) -> bool {
        !matches!(self, ErrorCode::Internal | ErrorCode::Ok)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&AuthError> for ErrorCode {
    fn from(e: &AuthError) -> ErrorCode {
        match e {
            AuthError::Replayed { .. } => ErrorCode::Replayed,
            _ => ErrorCode::Unauthenticated,
        }
    }
}

impl From<&WireError> for ErrorCode {
    fn from(e: &WireError) -> ErrorCode {
        match e {
            WireError::HashFileMismatch { .. } => ErrorCode::HashFileMismatch,
            WireError::EmptyPackage | WireError::BadMultipart { .. } => ErrorCode::InvalidPackage,
            WireError::MissingHeader { .. }
            | WireError::InvalidHeader { .. }
            | WireError::InvalidAgency { .. } => ErrorCode::BadRequest,
        }
    }
}

/// `status` for success.
pub const STATUS_OK: &str = "OK";
/// `status` for failure.
pub const STATUS_FAIL: &str = "FAIL";

/// One answer: the three fields every call has, then the call's own fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer<P> {
    /// `"OK"` or `"FAIL"` (`"SUCCESS"` also occurs in SDK code).
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: String,
    /// `"0"` on success; a code of the table otherwise.
    #[serde(rename = "ErrorCode", default, deserialize_with = "lenient::string")]
    pub error_code: String,
    /// Human-readable outcome.
    #[serde(rename = "ErrorDesc", default, deserialize_with = "lenient::string")]
    pub error_desc: String,
    /// The call's own fields.
    #[serde(flatten)]
    pub payload: P,
}

impl<P> Answer<P> {
    /// A successful answer.
    pub fn ok(payload: P) -> Answer<P> {
        Answer {
            status: STATUS_OK.to_owned(),
            error_code: ErrorCode::Ok.as_str().to_owned(),
            error_desc: "Success".to_owned(),
            payload,
        }
    }

    /// Whether the SDK would treat it as a success (`ErrorCode == "0"`, status not `FAIL`).
    pub fn is_success(&self) -> bool {
        self.error_code.trim() == "0" && !self.status.eq_ignore_ascii_case(STATUS_FAIL)
    }
}

impl<P: Default> Answer<P> {
    /// A failure, with the call's fields present but empty.
    pub fn failure(code: ErrorCode, description: impl fmt::Display) -> Answer<P> {
        Answer {
            status: STATUS_FAIL.to_owned(),
            error_code: code.as_str().to_owned(),
            error_desc: description.to_string(),
            payload: P::default(),
        }
    }
}

/// No fields beyond the three (updateStatus, registerAgency, deleteAgency).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoPayload {}

/// `sendEdoc`'s `DocId`: the hub's id of the accepted package.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocIdPayload {
    /// The id, empty on failure.
    #[serde(rename = "DocId", default, deserialize_with = "lenient::string")]
    pub doc_id: String,
}

/// A `data` field: a list, or the base64 package of `getEdoc`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de> + Default"))]
pub struct Data<T> {
    /// The content; `[]` or `""` on failure.
    #[serde(default = "Default::default", deserialize_with = "lenient::or_default")]
    pub data: T,
}

/// `countReceiveEdoc`'s `count` (a JSON number: the SDK calls `getAsInt()`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountPayload {
    /// Number of pending items.
    #[serde(default, deserialize_with = "lenient::count")]
    pub count: u64,
}

/// Answer of `updateStatus`, `registerAgency`, `deleteAgency`, and of any failure without shape.
pub type BasicAnswer = Answer<NoPayload>;
/// Answer of `sendEdoc`.
pub type SendEdocAnswer = Answer<DocIdPayload>;
/// Answer of `getReceivedEdocList`.
pub type ReceivedListAnswer = Answer<Data<Vec<ReceivedItem>>>;
/// Answer of `getSentEdocList`.
pub type SentListAnswer = Answer<Data<Vec<SentItem>>>;
/// Answer of `getEdoc`: base64 of the whole package.
pub type EdocAnswer = Answer<Data<String>>;
/// Answer of `getAgenciesList`.
pub type AgenciesAnswer = Answer<Data<Vec<AgencyItem>>>;
/// Answer of `getAgenciesListQD20`.
pub type AgenciesQd20Answer = Answer<Data<Vec<AgencyQd20Item>>>;
/// Answer of `countReceiveEdoc` and `countReceiveStatus`.
pub type CountAnswer = Answer<CountPayload>;

/// A successful `sendEdoc` answer.
pub fn send_edoc_ok(doc_id: impl Into<String>) -> SendEdocAnswer {
    Answer::ok(DocIdPayload {
        doc_id: doc_id.into(),
    })
}

/// A successful `getEdoc` answer carrying the whole package, base64-encoded.
pub fn edoc_ok(package: &[u8]) -> EdocAnswer {
    Answer::ok(Data {
        data: base64::engine::general_purpose::STANDARD.encode(package),
    })
}

/// A successful list answer.
pub fn list_ok<T>(items: Vec<T>) -> Answer<Data<Vec<T>>> {
    Answer::ok(Data { data: items })
}

/// A successful count answer.
pub fn count_ok(count: u64) -> CountAnswer {
    Answer::ok(CountPayload { count })
}

/// A failure shaped for `operation` (its own fields present and empty), as a JSON value.
pub fn failure(
    operation: Operation,
    code: ErrorCode,
    description: impl fmt::Display,
) -> serde_json::Value {
    fn json<P: Default + Serialize>(code: ErrorCode, d: String) -> serde_json::Value {
        serde_json::to_value(Answer::<P>::failure(code, d)).unwrap_or(serde_json::Value::Null)
    }
    let d = description.to_string();
    match operation {
        Operation::SendEdoc => json::<DocIdPayload>(code, d),
        Operation::GetEdoc => json::<Data<String>>(code, d),
        Operation::GetReceivedEdocList
        | Operation::GetSentEdocList
        | Operation::GetAgenciesList
        | Operation::GetAgenciesListQd20 => json::<Data<Vec<()>>>(code, d),
        Operation::CountReceiveEdoc | Operation::CountReceiveStatus => {
            json::<CountPayload>(code, d)
        }
        Operation::UpdateStatus | Operation::RegisterAgency | Operation::DeleteAgency => {
            json::<NoPayload>(code, d)
        }
    }
}

/// Serializes an answer as compact JSON in pure ASCII (non-ASCII escaped as `\uXXXX`).
pub fn to_body<T: Serialize>(answer: &T) -> Vec<u8> {
    let text = serde_json::to_string(answer).unwrap_or_else(|e| {
        format!(
            r#"{{"status":"FAIL","ErrorCode":"20","ErrorDesc":"answer not serializable: {e}"}}"#
        )
    });
    let mut out = String::with_capacity(text.len());
    // Outside strings JSON is ASCII, so every non-ASCII character sits inside a string.
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out.into_bytes()
}

/// One mailbox entry of `getReceivedEdocList`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedItem {
    /// The delivery's id, for `getEdoc` and `updateStatus`.
    #[serde(rename = "docId", default, deserialize_with = "lenient::string")]
    pub doc_id: String,
    /// `eDoc`.
    #[serde(rename = "serviceType", default, deserialize_with = "lenient::string")]
    pub service_type: String,
    /// `edoc` or `status`.
    #[serde(rename = "messageType", default, deserialize_with = "lenient::string")]
    pub message_type: String,
    /// When the hub accepted the package ([`vxp_time`]).
    #[serde(default, deserialize_with = "lenient::string")]
    pub created_time: String,
    /// When the delivery last changed ([`vxp_time`]).
    #[serde(default, deserialize_with = "lenient::string")]
    pub updated_time: String,
    /// The sending agency's code.
    #[serde(default, deserialize_with = "lenient::string")]
    pub from: String,
    /// The receiving agency's code for this delivery (one code: the SDK reads a string).
    #[serde(default, deserialize_with = "lenient::string")]
    pub to: String,
    /// Delivery state keyword (`initial` until acknowledged, then the `updateStatus` keyword).
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: String,
    /// Its description.
    #[serde(default, deserialize_with = "lenient::string")]
    pub status_desc: String,
}

/// One per-recipient tracking entry of `getSentEdocList`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SentItem {
    /// `eDoc`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub service_type: String,
    /// `edoc` or `status`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub message_type: String,
    /// The id `sendEdoc` answered.
    #[serde(default, deserialize_with = "lenient::string")]
    pub sender_doc_id: String,
    /// The recipient's delivery id.
    #[serde(default, deserialize_with = "lenient::string")]
    pub receiver_doc_id: String,
    /// Sender code.
    #[serde(default, deserialize_with = "lenient::string")]
    pub from_code: String,
    /// Recipient code.
    #[serde(default, deserialize_with = "lenient::string")]
    pub to_code: String,
    /// Subject (trích yếu).
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: String,
    /// Number and notation (số, ký hiệu).
    #[serde(default, deserialize_with = "lenient::string")]
    pub notation: String,
    /// When it was sent ([`vxp_time`]).
    #[serde(default, deserialize_with = "lenient::string")]
    pub sent_time: String,
    /// When the recipient fetched it, empty until then.
    #[serde(default, deserialize_with = "lenient::string")]
    pub received_time: String,
    /// Sending state keyword.
    #[serde(default, deserialize_with = "lenient::string")]
    pub send_status: String,
    /// Its description.
    #[serde(default, deserialize_with = "lenient::string")]
    pub send_status_desc: String,
    /// Receiving state keyword (the recipient's `updateStatus`).
    #[serde(default, deserialize_with = "lenient::string")]
    pub receive_status: String,
    /// Its description.
    #[serde(default, deserialize_with = "lenient::string")]
    pub receive_status_desc: String,
}

/// One directory entry of `getAgenciesList`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgencyItem {
    /// Directory id.
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: String,
    /// Parent's id; omitted for roots.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_string"
    )]
    pub pid: Option<String>,
    /// Agency code.
    #[serde(default, deserialize_with = "lenient::string")]
    pub code: String,
    /// Name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// Contact e-mail; omitted when unknown.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_string"
    )]
    pub mail: Option<String>,
    /// Previous code after a renumbering; omitted when none.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_string"
    )]
    pub old_code: Option<String>,
}

/// One directory entry of `getAgenciesListQD20`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyQd20Item {
    /// Directory id.
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: String,
    /// QĐ 20 code.
    #[serde(default, deserialize_with = "lenient::string")]
    pub code: String,
    /// Name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// Contact e-mail; omitted when unknown.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_string"
    )]
    pub mail: Option<String>,
    /// The QCVN 102 code of the same agency; omitted when none.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_string"
    )]
    pub code102: Option<String>,
}

/// Formats an instant for list answers: `dd/MM/yyyy HH:mm:ss`, Vietnam time.
pub fn vxp_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&crate::edxml::VIETNAM)
        .format("%d/%m/%Y %H:%M:%S")
        .to_string()
}

/// Tolerant readers for answers from other axes: numbers where strings are expected, `null`.
mod lenient {
    use super::*;

    /// A string, a number or a boolean as text; `null` as empty.
    pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Ok(opt_string(d)?.unwrap_or_default())
    }

    /// Like [`string`], keeping `null` as `None`.
    pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(match serde_json::Value::deserialize(d)? {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            other => Some(other.to_string()),
        })
    }

    /// A count sent as a number or a numeric string.
    pub fn count<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Null => Ok(0),
            serde_json::Value::Number(n) => n
                .as_u64()
                .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
                .ok_or_else(|| serde::de::Error::custom(format!("count {n} is not a count"))),
            serde_json::Value::String(s) => s
                .trim()
                .parse()
                .map_err(|_| serde::de::Error::custom(format!("count {s:?} is not a number"))),
            other => Err(serde::de::Error::custom(format!(
                "count {other} is not a number"
            ))),
        }
    }

    /// The value, or its default when `null`.
    pub fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de> + Default,
    {
        Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests;
