//! The VXP API on the wire, as the Government Office's SDK speaks it (reference §9.2–§9.4,
//! `shared/domain/vxp-wire-trace.md`): the signed `XroadVnpt-*` headers, the SDK's timestamp
//! and unpadded `hash-file`, and the JSON answers. Plain Rust, so it is unit-tested natively.
//!
//! The adapter signs its own requests: the HMAC key is the endpoint's secret `vxp-secret`,
//! read through the hub's `host.secret` import, and the time comes from `wasi:clocks`
//! (decision 0027).

use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// `User-Agent` of every request: the SDK's, so an axis that filters on it lets us in.
pub const USER_AGENT: &str = "JAVASDKAgent/1.0.0 XRoad/VPCP";
/// `XroadVnpt-version` of every request, as the SDK sends it.
pub const VERSION: &str = "3.0.201608";

/// One request's signed headers, in the order the SDK puts them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    /// `(name without prefix, value)` pairs that are signed.
    pub entries: Vec<(String, String)>,
}

impl Signed {
    /// Headers in the SDK's order for an operation: `systemid`, then the operation's own
    /// `keys` (split at `timestamp`: those the SDK puts before it, then after it).
    pub fn new(
        system_id: &str,
        before_timestamp: &[(&str, &str)],
        timestamp: &str,
        content_type: &str,
        after: &[(&str, &str)],
    ) -> Signed {
        let mut entries = vec![("systemid".to_owned(), system_id.to_owned())];
        entries.extend(
            before_timestamp
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        entries.push(("timestamp".into(), timestamp.into()));
        entries.push(("Content-Type".into(), content_type.into()));
        entries.extend(
            after
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        Signed { entries }
    }

    /// `XroadVnpt-sign-header`: the compact JSON object `{"XroadVnpt-<k>":"<v>",…}` (§9.2 step 4).
    pub fn sign_header(&self) -> String {
        let fields: Vec<String> = self
            .entries
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}:{}",
                    json_string(&format!("XroadVnpt-{k}")),
                    json_string(v)
                )
            })
            .collect();
        format!("{{{}}}", fields.join(","))
    }

    /// `XroadVnpt-sign-header-key`: the key names joined with `;` (§9.2 step 3).
    pub fn sign_header_key(&self) -> String {
        self.entries
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(";")
    }

    /// Every HTTP header of the request: the signed ones prefixed, the signature, the plain
    /// `Content-Type`, `User-Agent` and `XroadVnpt-version` (§9.2 steps 2–6).
    pub fn headers(&self, secret: &[u8]) -> Vec<(String, String)> {
        let sign_header = self.sign_header();
        let mut h: Vec<(String, String)> = Vec::with_capacity(self.entries.len() + 6);
        if let Some((_, ct)) = self.entries.iter().find(|(k, _)| k == "Content-Type") {
            h.push(("Content-Type".into(), ct.clone()));
        }
        for (k, v) in &self.entries {
            h.push((format!("XroadVnpt-{k}"), v.clone()));
        }
        h.push(("XroadVnpt-sign-header-key".into(), self.sign_header_key()));
        h.push((
            "XroadVnpt-hash-header".into(),
            hash_header(secret, sign_header.as_bytes()),
        ));
        h.push(("XroadVnpt-sign-header".into(), sign_header));
        h.push(("User-Agent".into(), USER_AGENT.into()));
        h.push(("XroadVnpt-version".into(), VERSION.into()));
        h
    }
}

/// A JSON string literal (quotes, escapes) for one value of the signed object.
fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

/// `XroadVnpt-hash-header`: lowercase hex HMAC-SHA256 keyed with the secret's UTF-8 bytes.
pub fn hash_header(secret: &[u8], sign_header: &[u8]) -> String {
    // HMAC takes keys of any length; the error branch cannot happen.
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(sign_header);
    hex(&mac.finalize().into_bytes(), true)
}

/// The SDK's `hash-file`: SHA-256 of the file with each byte in hex *without* zero padding
/// (`0x0a` → `a`), reproduced to be bit-compatible with the reference client (§9.4).
pub fn sdk_hash_file(file: &[u8]) -> String {
    hex(&Sha256::digest(file), false)
}

fn hex(bytes: &[u8], padded: bool) -> String {
    bytes
        .iter()
        .map(|b| {
            if padded {
                format!("{b:02x}")
            } else {
                format!("{b:x}")
            }
        })
        .collect()
}

/// The SDK's timestamp `ddMMyyyy'T'HHmmss+SSSS` in Vietnam time (UTC+07:00); the last four
/// digits are milliseconds, not a zone (§9.2).
pub fn sdk_timestamp(unix_millis: u64) -> String {
    let local = unix_millis + 7 * 3600 * 1000;
    let millis = local % 1000;
    let secs = local / 1000;
    let (h, m, s) = ((secs / 3600) % 24, (secs / 60) % 60, secs % 60);
    let (y, mo, d) = civil_from_days((secs / 86_400) as i64);
    format!("{d:02}{mo:02}{y:04}T{h:02}{m:02}{s:02}+{millis:04}")
}

/// The Gregorian date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// What the hub should make of a failed call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// Worth retrying later: the axis is down, busy, or refused a replay of our own retry.
    Transient,
    /// The axis refused the message for good (unknown receiver, sender not hosted, bad edXML).
    Rejected,
    /// The axis refused our credentials: the operator must fix the configuration.
    Credentials,
    /// The item does not exist (any more) on the axis.
    NotFound,
}

/// A failed call, with the words to log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// What to do about it.
    pub kind: FailureKind,
    /// What happened, naming the operation.
    pub message: String,
}

/// The fields every VXP answer has, plus those of the calls this adapter makes.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Answer {
    /// `OK`, `SUCCESS` or `FAIL`.
    #[serde(default)]
    pub status: Option<serde_json::Value>,
    /// `"0"` on success (a string or a number in the field).
    #[serde(rename = "ErrorCode", default)]
    pub error_code: Option<serde_json::Value>,
    /// Human-readable outcome.
    #[serde(rename = "ErrorDesc", default)]
    pub error_desc: Option<serde_json::Value>,
    /// `sendEdoc`: the axis's id for the package.
    #[serde(rename = "DocId", default)]
    pub doc_id: Option<serde_json::Value>,
    /// `getReceivedEdocList`: the items; `getEdoc`: the base64 package.
    #[serde(default)]
    pub data: Option<serde_json::Value>,
}

fn text(v: &Option<serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

impl Answer {
    /// `DocId` as text.
    pub fn doc_id(&self) -> Option<String> {
        Some(text(&self.doc_id)).filter(|s| !s.is_empty())
    }
}

/// Reads an answer to `operation` given its HTTP status and body: the parsed answer when
/// `ErrorCode` is `0`, otherwise a [`Failure`] classified by the axis's error table.
pub fn read_answer(operation: &str, http_status: u16, body: &[u8]) -> Result<Answer, Failure> {
    let snippet = || {
        String::from_utf8_lossy(body)
            .chars()
            .take(300)
            .collect::<String>()
    };
    let answer: Answer = match serde_json::from_slice(body) {
        Ok(a) => a,
        Err(_) => {
            let kind = match http_status {
                401 | 403 => FailureKind::Credentials,
                404 => FailureKind::Rejected,
                _ => FailureKind::Transient,
            };
            return Err(Failure {
                kind,
                message: format!(
                    "{operation}: the upstream axis answered HTTP {http_status} without a VXP answer: {}",
                    snippet()
                ),
            });
        }
    };
    let code = text(&answer.error_code);
    let status = text(&answer.status);
    let ok = code.trim() == "0" || (code.is_empty() && (status == "OK" || status == "SUCCESS"));
    if ok && (200..300).contains(&http_status) {
        return Ok(answer);
    }
    // The table of `host/src/gateway/vxp/answer.rs`, which follows the LGSP codes (§9.8).
    let kind = match code.trim() {
        "15" => FailureKind::Credentials,
        "24" => FailureKind::NotFound,
        "10" | "11" | "12" | "17" | "18" | "19" | "21" | "22" | "23" => FailureKind::Rejected,
        // 16 replayed (our retry will carry a new timestamp), 20 internal, anything unknown.
        _ => FailureKind::Transient,
    };
    Err(Failure {
        kind,
        message: format!(
            "{operation}: the upstream axis refused (HTTP {http_status}, ErrorCode {code}): {}",
            text(&answer.error_desc)
        ),
    })
}

/// One item of `getReceivedEdocList`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedItem {
    /// The axis's id for this delivery to us.
    pub doc_id: String,
}

/// The items of a `getReceivedEdocList` answer; items without a `docId` are skipped.
pub fn listed_items(answer: &Answer) -> Vec<ListedItem> {
    let Some(serde_json::Value::Array(items)) = &answer.data else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|i| {
            let id = match i.get("docId")? {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                _ => return None,
            };
            (!id.is_empty()).then_some(ListedItem { doc_id: id })
        })
        .collect()
}

/// `to` as a JSON array of agency codes, the form the SDK's callers pass (§9.3).
pub fn to_header(receivers: &[String]) -> String {
    serde_json::Value::from(receivers.to_vec()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"c2VjcmV0c2VjcmV0";

    #[test]
    fn the_traced_list_request_is_reproduced_byte_for_byte() {
        // vxp-wire-trace.md, getReceivedEdocList.
        let s = Signed::new(
            "000.00.99.H44",
            &[("servicetype", "eDoc"), ("messagetype", "edoc")],
            "23112026T114834+0109",
            "application/json",
            &[],
        );
        assert_eq!(
            s.sign_header(),
            r#"{"XroadVnpt-systemid":"000.00.99.H44","XroadVnpt-servicetype":"eDoc","XroadVnpt-messagetype":"edoc","XroadVnpt-timestamp":"23112026T114834+0109","XroadVnpt-Content-Type":"application/json"}"#
        );
        assert_eq!(
            s.sign_header_key(),
            "systemid;servicetype;messagetype;timestamp;Content-Type"
        );
        let h = s.headers(SECRET);
        let hash = h
            .iter()
            .find(|(k, _)| k == "XroadVnpt-hash-header")
            .unwrap();
        assert_eq!(
            hash.1,
            "2872390c6c76474788f70de3e0a2a6abac63f3bcafd9507bcb36a5e5e200c951"
        );
    }

    #[test]
    fn the_traced_update_status_is_reproduced_with_status_after_content_type() {
        let s = Signed::new(
            "000.00.99.H44",
            &[("docId", "abc-123")],
            "23112026T114837+0984",
            "application/json",
            &[("status", "done")],
        );
        assert_eq!(
            hash_header(SECRET, s.sign_header().as_bytes()),
            "2f72965ca3e59a68f45f59c82934729db67eec19e78eacbf93ce4d2dbb22e40c"
        );
    }

    #[test]
    fn a_quoted_to_is_escaped_inside_the_signed_json() {
        let to = to_header(&["000.00.00.H41".into()]);
        assert_eq!(to, r#"["000.00.00.H41"]"#);
        let s = Signed::new("x", &[("to", &to)], "t", "application/octet-stream", &[]);
        assert!(
            s.sign_header()
                .contains(r#""XroadVnpt-to":"[\"000.00.00.H41\"]""#)
        );
    }

    #[test]
    fn hash_file_drops_leading_zeros_of_each_byte() {
        // SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad
        assert_eq!(
            sdk_hash_file(b"abc"),
            "ba7816bf8f1cfea414140de5dae2223b0361a396177a9cb410ff61f2015ad"
        );
    }

    #[test]
    fn timestamps_are_vietnam_time_with_milliseconds() {
        // 2026-11-23T04:48:33.907Z = 11:48:33.907 in Vietnam.
        assert_eq!(sdk_timestamp(1_795_409_313_907), "23112026T114833+0907");
        assert_eq!(sdk_timestamp(0), "01011970T070000+0000");
        // Across midnight and a leap day: 2024-02-28T17:00:00Z = 29/02/2024 00:00 in Vietnam.
        assert_eq!(sdk_timestamp(1_709_139_600_000), "29022024T000000+0000");
    }

    #[test]
    fn answers_are_classified_by_the_axis_error_table() {
        let ok = read_answer(
            "sendEdoc",
            200,
            br#"{"status":"OK","ErrorCode":"0","ErrorDesc":"","DocId":"t1"}"#,
        )
        .unwrap();
        assert_eq!(ok.doc_id().as_deref(), Some("t1"));
        let numeric = read_answer("x", 200, br#"{"status":"OK","ErrorCode":0}"#);
        assert!(numeric.is_ok());
        let kind =
            |status, body: &str| read_answer("op", status, body.as_bytes()).unwrap_err().kind;
        assert_eq!(
            kind(400, r#"{"ErrorCode":"18","ErrorDesc":"unknown"}"#),
            FailureKind::Rejected
        );
        assert_eq!(kind(401, r#"{"ErrorCode":"15"}"#), FailureKind::Credentials);
        assert_eq!(kind(500, r#"{"ErrorCode":"20"}"#), FailureKind::Transient);
        assert_eq!(kind(409, r#"{"ErrorCode":"16"}"#), FailureKind::Transient);
        assert_eq!(kind(404, r#"{"ErrorCode":"24"}"#), FailureKind::NotFound);
        assert_eq!(
            kind(502, "<html>bad gateway</html>"),
            FailureKind::Transient
        );
        let e = read_answer(
            "getEdoc",
            400,
            br#"{"ErrorCode":"12","ErrorDesc":"no docId"}"#,
        )
        .unwrap_err();
        assert!(
            e.message.contains("getEdoc") && e.message.contains("no docId"),
            "{}",
            e.message
        );
    }

    #[test]
    fn list_items_need_a_doc_id() {
        let a = read_answer(
            "getReceivedEdocList",
            200,
            br#"{"ErrorCode":"0","data":[{"docId":"d1"},{"docId":""},{"from":"x"},{"docId":7}]}"#,
        )
        .unwrap();
        let ids: Vec<String> = listed_items(&a).into_iter().map(|i| i.doc_id).collect();
        assert_eq!(ids, ["d1", "7"]);
    }
}
