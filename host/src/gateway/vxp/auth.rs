//! Verification of an incoming VXP request's `XroadVnpt-*` headers (§9.2), independent of axum.
//!
//! The Government Office SDK signs a JSON object of headers: `XroadVnpt-sign-header` is that
//! exact string, `XroadVnpt-hash-header` its lowercase hex HMAC-SHA256 keyed with the UTF-8
//! bytes of the system's secret. Key order is Java `HashMap` order, so the server verifies the
//! transmitted string and never rebuilds it. Verification, in order:
//!
//! 1. [`Claim::from_headers`]: collect the `XroadVnpt-*` headers (names case-insensitive, each at
//!    most once); `systemid`, `sign-header` and `hash-header` are required.
//! 2. The caller looks up the secret of the claimed [`SystemId`] (possibly asynchronously).
//! 3. [`Verifier::verify`]: HMAC in constant time; then the signed object must cover what the
//!    request carries: every `XroadVnpt-*` header that was signed must be sent with the signed
//!    value, and `systemid`, `timestamp` and the headers the operation acts on
//!    ([`Operation::covered_headers`]) must be signed when sent. `sign-header-key`, when sent,
//!    must list exactly the signed keys. Handlers read values only from the resulting
//!    [`SignedHeaders`], so an unsigned header can never steer them.
//! 4. Replay: see [`super::replay`] for why exact repeats are refused instead of stale timestamps.
//!
//! What the SDK's scheme cannot protect, and callers must know: the request path and the body
//! are not signed. `sendEdoc` binds its body through the signed `hash-file` (checked in
//! [`super::wire`]); `registerAgency`'s JSON body is bound to nothing, and read calls can be
//! replayed for as long as the client keeps its timestamp. Run the VXP surface over TLS.

use std::fmt;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use hmac::Mac;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use sha2::{Digest, Sha256};

use super::operation::Operation;
use super::replay::{ReplayCache, ReplayGuard, ReplayKey, Seen};
use super::sign::{PREFIX, SystemId, VxpSecret, mac, parse_sdk_timestamp};

/// Largest `XroadVnpt-sign-header` accepted; the SDK's are a few hundred bytes.
pub const MAX_SIGN_HEADER_BYTES: usize = 16 * 1024;

/// Most `XroadVnpt-*` headers accepted on one request; the SDK sends about a dozen.
pub const MAX_XROAD_HEADERS: usize = 64;

/// Headers that carry the signature itself, so they cannot be part of it.
const META_HEADERS: [&str; 3] = ["sign-header", "sign-header-key", "hash-header"];

/// Headers every request must have signed when it sends them.
const ALWAYS_COVERED: [&str; 2] = ["systemid", "timestamp"];

/// Why a VXP request is not authenticated; each message says what to fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// A header the scheme needs is absent.
    #[error("the request has no {header} header; the VXP SDK always sends it")]
    MissingHeader {
        /// Full header name.
        header: String,
    },
    /// A protocol header occurs twice, so it is unclear which value was meant.
    #[error("header {header} is sent more than once")]
    DuplicateHeader {
        /// Full header name.
        header: String,
    },
    /// More `XroadVnpt-*` headers than any client sends.
    #[error("the request carries more than {max} XroadVnpt-* headers")]
    TooManyHeaders {
        /// The limit.
        max: usize,
    },
    /// A header value that must be text is not.
    #[error("header {header} is not valid UTF-8 text")]
    NotText {
        /// Full header name.
        header: String,
    },
    /// `XroadVnpt-systemid` is empty or malformed.
    #[error("XroadVnpt-systemid {value:?} is not a valid system id")]
    BadSystemId {
        /// The value sent (truncated).
        value: String,
    },
    /// The sign-header is larger than any real one.
    #[error("XroadVnpt-sign-header is {len} bytes; at most {max} are accepted")]
    SignHeaderTooLong {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// No secret is registered for this system id.
    #[error(
        "unknown system id {system_id}: register it with `truc endpoint add --vxp-system-id`, \
         or check the systemid in the client's configuration"
    )]
    UnknownSystem {
        /// The claimed id.
        system_id: String,
    },
    /// `XroadVnpt-hash-header` is not 64 hex digits.
    #[error("XroadVnpt-hash-header is not a hex HMAC-SHA256 (64 hex digits)")]
    MalformedHashHeader,
    /// The HMAC does not verify.
    #[error(
        "XroadVnpt-hash-header does not match the signed headers; check the secret configured \
         for system id {system_id}"
    )]
    SignatureMismatch {
        /// The claimed id.
        system_id: String,
    },
    /// The signed string is not a JSON object of strings keyed `XroadVnpt-<name>`.
    #[error("XroadVnpt-sign-header is not a JSON object of XroadVnpt-* strings: {reason}")]
    BadSignHeader {
        /// What is wrong.
        reason: String,
    },
    /// `XroadVnpt-sign-header-key` names other keys than the signed object has.
    #[error(
        "XroadVnpt-sign-header-key lists [{listed}] but XroadVnpt-sign-header signs [{signed}]"
    )]
    SignHeaderKeyMismatch {
        /// Names listed, `;`-joined.
        listed: String,
        /// Names signed, `;`-joined.
        signed: String,
    },
    /// A header the operation acts on is sent but not signed.
    #[error("header {header} is not covered by the signature")]
    NotCovered {
        /// Full header name.
        header: String,
    },
    /// A signed header is sent with another value than the signed one.
    #[error("header {header} differs from its signed value")]
    Altered {
        /// Full header name.
        header: String,
    },
    /// A signed header is not sent at all.
    #[error("signed header {header} is missing from the request")]
    SignedHeaderMissing {
        /// Full header name.
        header: String,
    },
    /// The timestamp is not in the SDK's format (checked only when freshness is enforced).
    #[error("XroadVnpt-timestamp {value:?} is not in the SDK format ddMMyyyy'T'HHmmss+SSSS")]
    BadTimestamp {
        /// The value sent.
        value: String,
    },
    /// The timestamp is outside the configured freshness bounds.
    #[error(
        "XroadVnpt-timestamp {value} is {age_secs} s away from the hub's clock (limit {limit_secs} s); \
         create a new service object or fix the client's clock"
    )]
    StaleTimestamp {
        /// The value sent.
        value: String,
        /// Distance from now, in seconds.
        age_secs: i64,
        /// The configured limit, in seconds.
        limit_secs: u64,
    },
    /// The exact same signed request was already accepted (or is being processed).
    #[error(
        "replayed request: an identical signed {operation} was {when}; if you did not get its \
         answer, check getSentEdocList before sending again with a new service object"
    )]
    Replayed {
        /// The operation.
        operation: Operation,
        /// "accepted N s ago" or "still being processed".
        when: String,
    },
}

/// One `(name, value)` header as a handler holds it: a tuple, or a reference to one.
///
/// Implemented for `(&HeaderName, &HeaderValue)` (what iterating an axum `&HeaderMap` yields),
/// `(String, String)`, `&(String, Vec<u8>)` and the like.
pub trait HeaderPair {
    /// The header's name, in any case.
    fn name(&self) -> &str;
    /// The header's raw value.
    fn value(&self) -> &[u8];
}

impl<N: AsRef<str>, V: AsRef<[u8]>> HeaderPair for (N, V) {
    fn name(&self) -> &str {
        self.0.as_ref()
    }
    fn value(&self) -> &[u8] {
        self.1.as_ref()
    }
}

impl<N: AsRef<str>, V: AsRef<[u8]>> HeaderPair for &(N, V) {
    fn name(&self) -> &str {
        self.0.as_ref()
    }
    fn value(&self) -> &[u8] {
        self.1.as_ref()
    }
}

/// The authentication-relevant headers of one request, before the secret is known.
#[derive(Debug, Clone)]
pub struct Claim {
    operation: Operation,
    system_id: SystemId,
    sign_header: Vec<u8>,
    hash_header: [u8; 32],
    sign_header_key: Option<String>,
    /// Every non-meta `XroadVnpt-*` header: lower-case name without prefix, name as sent, value.
    sent: Vec<(String, String, Vec<u8>)>,
}

impl Claim {
    /// Collects the protocol headers of a request for `operation`.
    ///
    /// `headers` are `(name, value)` pairs in any case, e.g. an axum `&HeaderMap`.
    pub fn from_headers<I>(operation: Operation, headers: I) -> Result<Claim, AuthError>
    where
        I: IntoIterator,
        I::Item: HeaderPair,
    {
        let mut xroad: Vec<(String, String, Vec<u8>)> = Vec::new();
        for header in headers {
            let (name, value) = (header.name(), header.value());
            let Some(rest) = strip_prefix_ignore_case(name) else {
                continue;
            };
            let key = rest.to_ascii_lowercase();
            if xroad.iter().any(|(k, _, _)| *k == key) {
                return Err(AuthError::DuplicateHeader {
                    header: full_name(rest),
                });
            }
            if xroad.len() == MAX_XROAD_HEADERS {
                return Err(AuthError::TooManyHeaders {
                    max: MAX_XROAD_HEADERS,
                });
            }
            xroad.push((key, rest.to_owned(), value.to_vec()));
        }
        let take = |xroad: &mut Vec<(String, String, Vec<u8>)>, key: &str| {
            xroad
                .iter()
                .position(|(k, _, _)| k == key)
                .map(|i| xroad.remove(i).2)
        };
        let missing = |key: &str| AuthError::MissingHeader {
            header: full_name(key),
        };

        let system_id_raw = xroad
            .iter()
            .find(|(k, _, _)| k == "systemid")
            .map(|(_, _, v)| v.clone())
            .ok_or_else(|| missing("systemid"))?;
        let system_id_text = text(&system_id_raw, "systemid")?;
        let system_id = SystemId::parse(system_id_text).ok_or_else(|| AuthError::BadSystemId {
            value: truncate(system_id_text, 64),
        })?;

        let sign_header = take(&mut xroad, "sign-header").ok_or_else(|| missing("sign-header"))?;
        if sign_header.len() > MAX_SIGN_HEADER_BYTES {
            return Err(AuthError::SignHeaderTooLong {
                len: sign_header.len(),
                max: MAX_SIGN_HEADER_BYTES,
            });
        }
        let hash_raw = take(&mut xroad, "hash-header").ok_or_else(|| missing("hash-header"))?;
        let hash_text = text(&hash_raw, "hash-header")?.trim_matches([' ', '\t']);
        let mut hash_header = [0u8; 32];
        hex::decode_to_slice(hash_text, &mut hash_header)
            .map_err(|_| AuthError::MalformedHashHeader)?;
        let sign_header_key = match take(&mut xroad, "sign-header-key") {
            Some(v) => Some(text(&v, "sign-header-key")?.to_owned()),
            None => None,
        };

        Ok(Claim {
            operation,
            system_id,
            sign_header,
            hash_header,
            sign_header_key,
            sent: xroad,
        })
    }

    /// The system id the request claims to come from; look its secret up with this.
    pub fn system_id(&self) -> &SystemId {
        &self.system_id
    }

    /// The operation the request was sent to.
    pub fn operation(&self) -> Operation {
        self.operation
    }
}

/// The authenticated headers of a request: the only values a handler should act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    system_id: SystemId,
    /// Lower-case name without prefix, key as signed (e.g. `XroadVnpt-docId`), value.
    entries: Vec<(String, String, String)>,
}

impl SignedHeaders {
    /// The authenticated caller.
    pub fn system_id(&self) -> &SystemId {
        &self.system_id
    }

    /// The signed value of `XroadVnpt-<name>`; `name` without the prefix, any case.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, _, v)| v.as_str())
    }

    /// Every signed `(key as signed, value)` pair, in signed order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .map(|(_, k, v)| (k.as_str(), v.as_str()))
    }

    /// Headers as if verified, for unit tests of code that consumes them.
    #[cfg(test)]
    pub(crate) fn for_tests(system_id: &str, pairs: &[(&str, &str)]) -> SignedHeaders {
        SignedHeaders {
            system_id: SystemId::parse(system_id).unwrap_or_else(|| panic!("bad id {system_id}")),
            entries: pairs
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), full_name(k), (*v).to_owned()))
                .collect(),
        }
    }
}

/// How strictly [`Verifier`] checks freshness and how much it remembers against replays.
#[derive(Clone, Debug)]
pub struct VerifierConfig {
    /// How long an accepted state-changing request is remembered.
    pub replay_window: Duration,
    /// How many are remembered at most (oldest forgotten first).
    pub replay_capacity: usize,
    /// Refuse timestamps older than this. `None` (the default) because the SDK reuses one
    /// timestamp for the life of a service object; enable only for clients known to refresh it.
    pub max_timestamp_age: Option<Duration>,
    /// Refuse timestamps further in the future than this (clock skew); `None` disables.
    pub max_timestamp_ahead: Option<Duration>,
}

impl Default for VerifierConfig {
    fn default() -> VerifierConfig {
        VerifierConfig {
            replay_window: Duration::from_secs(24 * 3600),
            replay_capacity: 262_144,
            max_timestamp_age: None,
            max_timestamp_ahead: None,
        }
    }
}

/// Verifies requests; use one per hub (it holds the replay memory, which clones share).
#[derive(Clone, Debug)]
pub struct Verifier {
    config: VerifierConfig,
    replay: ReplayCache,
}

/// A request whose headers verified; hold it while acting, then [`Verified::commit`].
#[derive(Debug)]
pub struct Verified {
    headers: SignedHeaders,
    replay: Option<ReplayGuard>,
}

impl Verified {
    /// The authenticated headers.
    pub fn headers(&self) -> &SignedHeaders {
        &self.headers
    }

    /// The authenticated caller.
    pub fn system_id(&self) -> &SystemId {
        &self.headers.system_id
    }

    /// Records that the request was carried out, so an identical one is refused as a replay.
    ///
    /// Dropping a `Verified` without committing lets the client retry the same request.
    pub fn commit(self) -> SignedHeaders {
        if let Some(guard) = self.replay {
            guard.commit();
        }
        self.headers
    }
}

impl Verifier {
    /// A verifier with the given policy.
    pub fn new(config: VerifierConfig) -> Verifier {
        let replay = ReplayCache::new(config.replay_window, config.replay_capacity);
        Verifier { config, replay }
    }

    /// One-step verification for callers whose secret lookup is synchronous.
    pub fn verify_request<I>(
        &self,
        operation: Operation,
        headers: I,
        body: &[u8],
        secret_of: impl FnOnce(&SystemId) -> Option<VxpSecret>,
    ) -> Result<Verified, AuthError>
    where
        I: IntoIterator,
        I::Item: HeaderPair,
    {
        let claim = Claim::from_headers(operation, headers)?;
        let secret = secret_of(claim.system_id());
        self.verify(claim, secret.as_ref(), body)
    }

    /// Verifies a claim with the secret found for its system id (`None` when unknown).
    pub fn verify(
        &self,
        claim: Claim,
        secret: Option<&VxpSecret>,
        body: &[u8],
    ) -> Result<Verified, AuthError> {
        self.verify_at(claim, secret, body, Instant::now(), Utc::now())
    }

    /// [`Verifier::verify`] at a given time (monotonic for the replay memory, wall for the
    /// timestamp), for tests.
    pub fn verify_at(
        &self,
        claim: Claim,
        secret: Option<&VxpSecret>,
        body: &[u8],
        now: Instant,
        wall: DateTime<Utc>,
    ) -> Result<Verified, AuthError> {
        let Some(secret) = secret else {
            return Err(AuthError::UnknownSystem {
                system_id: claim.system_id.as_str().to_owned(),
            });
        };
        if mac(secret, &claim.sign_header)
            .verify_slice(&claim.hash_header)
            .is_err()
        {
            return Err(AuthError::SignatureMismatch {
                system_id: claim.system_id.as_str().to_owned(),
            });
        }
        let signed = parse_signed_object(&claim.sign_header)?;
        check_sign_header_key(claim.sign_header_key.as_deref(), &signed)?;
        check_coverage(&claim, &signed)?;
        let headers = SignedHeaders {
            system_id: claim.system_id.clone(),
            entries: signed,
        };
        self.check_timestamp(&headers, wall)?;

        let replay = if claim.operation.changes_state() {
            let key = replay_key(&claim, body);
            match self.replay.reserve(key, now) {
                Ok(guard) => Some(guard),
                Err(seen) => {
                    return Err(AuthError::Replayed {
                        operation: claim.operation,
                        when: match seen {
                            Seen::InFlight => "still being processed".to_owned(),
                            Seen::Accepted { ago } => format!("accepted {} s ago", ago.as_secs()),
                        },
                    });
                }
            }
        } else {
            None
        };
        Ok(Verified { headers, replay })
    }

    fn check_timestamp(
        &self,
        headers: &SignedHeaders,
        wall: DateTime<Utc>,
    ) -> Result<(), AuthError> {
        let value = headers
            .get("timestamp")
            .ok_or_else(|| AuthError::MissingHeader {
                header: full_name("timestamp"),
            })?;
        if self.config.max_timestamp_age.is_none() && self.config.max_timestamp_ahead.is_none() {
            return Ok(());
        }
        let at = parse_sdk_timestamp(value).ok_or_else(|| AuthError::BadTimestamp {
            value: truncate(value, 64),
        })?;
        let age = wall.signed_duration_since(at.with_timezone(&Utc));
        let stale = |limit: Duration| AuthError::StaleTimestamp {
            value: value.to_owned(),
            age_secs: age.num_seconds(),
            limit_secs: limit.as_secs(),
        };
        if let Some(limit) = self.config.max_timestamp_age
            && age > chrono::Duration::from_std(limit).unwrap_or(chrono::Duration::MAX)
        {
            return Err(stale(limit));
        }
        if let Some(limit) = self.config.max_timestamp_ahead
            && -age > chrono::Duration::from_std(limit).unwrap_or(chrono::Duration::MAX)
        {
            return Err(stale(limit));
        }
        Ok(())
    }
}

/// What makes a state-changing request unique.
///
/// The HMAC covers every signed header, including `hash-file` for `sendEdoc`, so the body adds
/// nothing there; `updateStatus` and `deleteAgency` ignore their `{}` body, so including it would
/// let an attacker defeat the cache with a space. Only `registerAgency` acts on an unsigned body:
/// its canonical JSON is part of the key, so one service object may register several agencies.
fn replay_key(claim: &Claim, body: &[u8]) -> ReplayKey {
    let mut h = Sha256::new();
    h.update(b"truc-vxp-replay\0");
    h.update(claim.system_id.as_str().as_bytes());
    h.update([0]);
    h.update(claim.operation.path().as_bytes());
    h.update([0]);
    h.update(claim.hash_header);
    if claim.operation == Operation::RegisterAgency {
        match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(v) => h.update(canonical_json(&v).as_bytes()),
            Err(_) => h.update(body),
        }
    }
    ReplayKey(h.finalize().into())
}

/// JSON with object keys sorted at every level, independent of serde_json's map features.
fn canonical_json(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| {
                    format!(
                        "{}:{}",
                        serde_json::Value::String(k.clone()),
                        canonical_json(&map[k])
                    )
                })
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        serde_json::Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(canonical_json).collect();
            format!("[{}]", parts.join(","))
        }
        other => other.to_string(),
    }
}

/// Parses the signed JSON into `(lower-case name, key as signed, value)`, refusing duplicates.
fn parse_signed_object(raw: &[u8]) -> Result<Vec<(String, String, String)>, AuthError> {
    let object: SignedObject =
        serde_json::from_slice(raw).map_err(|e| AuthError::BadSignHeader {
            reason: e.to_string(),
        })?;
    let mut out: Vec<(String, String, String)> = Vec::with_capacity(object.0.len());
    for (key, value) in object.0 {
        let Some(rest) = strip_prefix_ignore_case(&key) else {
            return Err(AuthError::BadSignHeader {
                reason: format!("key {key:?} does not start with {PREFIX}"),
            });
        };
        let lower = rest.to_ascii_lowercase();
        if out.iter().any(|(k, _, _)| *k == lower) {
            return Err(AuthError::BadSignHeader {
                reason: format!("key {key:?} is signed twice"),
            });
        }
        out.push((lower, key, value));
    }
    Ok(out)
}

fn check_sign_header_key(
    listed: Option<&str>,
    signed: &[(String, String, String)],
) -> Result<(), AuthError> {
    let Some(listed) = listed else {
        return Ok(());
    };
    let mut names: Vec<String> = listed
        .split(';')
        .map(|s| s.trim_matches([' ', '\t']))
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let mut signed_names: Vec<String> = signed.iter().map(|(k, _, _)| k.clone()).collect();
    names.sort();
    signed_names.sort();
    if names != signed_names {
        return Err(AuthError::SignHeaderKeyMismatch {
            listed: truncate(listed, 256),
            signed: signed
                .iter()
                .map(|(_, k, _)| k.get(PREFIX.len()..).unwrap_or(k))
                .collect::<Vec<_>>()
                .join(";"),
        });
    }
    Ok(())
}

fn check_coverage(claim: &Claim, signed: &[(String, String, String)]) -> Result<(), AuthError> {
    for (key, name, value) in &claim.sent {
        match signed.iter().find(|(k, _, _)| k == key) {
            Some((_, _, signed_value)) => {
                if trim_ows(value) != signed_value.trim_matches([' ', '\t']).as_bytes() {
                    return Err(AuthError::Altered {
                        header: full_name(name),
                    });
                }
            }
            None => {
                let depends = ALWAYS_COVERED.contains(&key.as_str())
                    || claim.operation.covered_headers().contains(&key.as_str());
                if depends {
                    return Err(AuthError::NotCovered {
                        header: full_name(name),
                    });
                }
                // Unsigned and irrelevant to this call: ignored, and never shown to handlers.
            }
        }
    }
    for (key, signed_name, _) in signed {
        if META_HEADERS.contains(&key.as_str()) {
            return Err(AuthError::BadSignHeader {
                reason: format!("{signed_name} cannot sign itself"),
            });
        }
        if !claim.sent.iter().any(|(k, _, _)| k == key) {
            return Err(AuthError::SignedHeaderMissing {
                header: signed_name.clone(),
            });
        }
    }
    Ok(())
}

/// The signed JSON object, kept in order and with duplicates visible.
struct SignedObject(Vec<(String, String)>);

impl<'de> Deserialize<'de> for SignedObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SignedObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object whose values are strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SignedObject, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, String>()? {
                    if out.len() == MAX_XROAD_HEADERS {
                        return Err(de::Error::custom("too many keys"));
                    }
                    out.push((k, v));
                }
                Ok(SignedObject(out))
            }
        }
        d.deserialize_map(V)
    }
}

fn strip_prefix_ignore_case(name: &str) -> Option<&str> {
    let head = name.get(..PREFIX.len())?;
    let rest = name.get(PREFIX.len()..)?;
    (head.eq_ignore_ascii_case(PREFIX) && !rest.is_empty()).then_some(rest)
}

fn full_name(key: &str) -> String {
    format!("{PREFIX}{key}")
}

fn text<'a>(value: &'a [u8], key: &str) -> Result<&'a str, AuthError> {
    std::str::from_utf8(value).map_err(|_| AuthError::NotText {
        header: full_name(key),
    })
}

/// Strips the optional whitespace HTTP allows around a field value.
fn trim_ows(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(start, |i| i + 1);
    &v[start..end.max(start)]
}

fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}

#[cfg(test)]
mod tests;
