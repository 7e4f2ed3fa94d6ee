//! The SDK's signing scheme (§9.2): who a caller is, its secret, the HMAC over the signed
//! header string and the timestamp format. Shared by verification ([`super::auth`]) and the
//! outbound client (`crate::vxp::client`).

use std::fmt;

use crate::edxml::VIETNAM;
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The prefix of every protocol header, spelled as the SDK spells it.
pub const PREFIX: &str = "XroadVnpt-";

/// The connecting system's identifier as issued with its secret (e.g. `000.00.99.H44`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SystemId(String);

impl SystemId {
    /// Parses a system id: non-empty, at most 128 characters, no control characters.
    pub fn parse(s: &str) -> Option<SystemId> {
        let s = s.trim_matches([' ', '\t']);
        (!s.is_empty() && s.chars().count() <= 128 && !s.chars().any(char::is_control))
            .then(|| SystemId(s.to_owned()))
    }

    /// The id as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SystemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A system's shared HMAC secret; its `Debug` output never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct VxpSecret(String);

impl VxpSecret {
    /// Wraps a secret as configured (used as its UTF-8 bytes, not base64-decoded).
    pub fn new(secret: impl Into<String>) -> VxpSecret {
        VxpSecret(secret.into())
    }

    /// The secret's bytes, as the SDK keys its HMAC with them.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for VxpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VxpSecret(<redacted>)")
    }
}

/// Computes `XroadVnpt-hash-header` for a sign-header string: lowercase hex HMAC-SHA256.
pub fn hash_header(secret: &VxpSecret, sign_header: &[u8]) -> String {
    hex::encode(mac(secret, sign_header).finalize().into_bytes())
}

pub(super) fn mac(secret: &VxpSecret, message: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail; an empty key is still a key.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(message);
    mac
}

/// Formats an instant as the SDK's `ddMMyyyy'T'HHmmss+SSSS` (the last four are milliseconds).
pub fn format_sdk_timestamp(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&VIETNAM);
    format!(
        "{}+{:04}",
        local.format("%d%m%YT%H%M%S"),
        local.timestamp_subsec_millis()
    )
}

/// Parses the SDK's timestamp, read as Vietnam time (UTC+07:00).
pub fn parse_sdk_timestamp(s: &str) -> Option<DateTime<FixedOffset>> {
    let (main, millis) = s.trim().split_once('+')?;
    if millis.len() != 4 || !millis.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let millis: i64 = millis.parse().ok()?;
    let naive = NaiveDateTime::parse_from_str(main, "%d%m%YT%H%M%S").ok()?;
    let at = VIETNAM.from_local_datetime(&naive).single()?;
    Some(at + chrono::Duration::milliseconds(millis))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::vxp::sdk_trace::{self, SECRET};

    fn secret() -> VxpSecret {
        VxpSecret::new(SECRET)
    }

    #[test]
    fn every_traced_hash_header_is_reproduced_from_its_sign_header() {
        let requests = sdk_trace::requests();
        assert_eq!(requests.len(), 5);
        for r in requests {
            let expected = r.header("XroadVnpt-hash-header");
            let computed = hash_header(&secret(), r.header("XroadVnpt-sign-header").as_bytes());
            assert_eq!(computed, expected, "{}", r.op);
        }
    }

    #[test]
    fn sdk_timestamp_parses_as_vietnam_time_with_milliseconds_and_formats_back() {
        let at = parse_sdk_timestamp("23112026T114833+0907").expect("parses");
        assert_eq!(at.to_rfc3339(), "2026-11-23T11:48:33.907+07:00");
        assert_eq!(
            format_sdk_timestamp(at.with_timezone(&Utc)),
            "23112026T114833+0907"
        );
        assert_eq!(parse_sdk_timestamp("23112026T114833"), None);
        assert_eq!(parse_sdk_timestamp("23112026T114833+907"), None);
        assert_eq!(parse_sdk_timestamp("32132026T114833+0907"), None);
    }

    #[test]
    fn secrets_never_appear_in_debug_output() {
        assert_eq!(format!("{:?}", secret()), "VxpSecret(<redacted>)");
    }
}
