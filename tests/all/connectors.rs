//! The example connectors for the Government's other systems (E-Cabinet, the national reporting
//! system, the public-service portal, the e-Gazette), each against a simulated peer on loopback
//! that speaks the format documented in the connector's README and refuses, loudly, anything
//! of another shape. Every test goes through the real runtime and, where the connector carries
//! documents, through the exchange: a document routed to the agency code an endpoint bound to
//! the connector hosts.

mod e_gazette;
mod ecabinet;
mod national_reporting;
mod public_service_portal;

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use base64::Engine as _;
use parking_lot::Mutex;
use serde_json::Value;
use truc::bundled::Artifact;
use truc::exchange::adapters::Adapters;
use truc::exchange::mailbox::MailboxFilter;
use truc::exchange::{Caller, Exchange, ExchangeSettings};
use truc::runtime::{
    AdapterConfig, AdapterErrorKind, BindingSettings, CallError, CanonicalMessage, Generation,
    OriginPattern, Runtime, RuntimeSettings,
};
use truc::store::Store;

use crate::world::{self, World};

/// The bearer token every simulated peer requires.
const TOKEN: &str = "peer-t0ken";

/// What a simulated peer saw and will answer.
#[derive(Default)]
pub struct Peer {
    /// (path, `Idempotency-Key`, body) of every request it accepted.
    pub received: Mutex<Vec<(String, String, Value)>>,
    /// Every request of the wrong shape, with why: a test fails when this is not empty.
    pub violations: Mutex<Vec<String>>,
    /// Items waiting to be polled.
    pub outbox: Mutex<Vec<Value>>,
    /// Ids the hub acknowledged.
    pub acked: Mutex<Vec<String>>,
    /// When set, the answer to every write instead of success (status, error text).
    pub refuse: Mutex<Option<(u16, String)>>,
}

impl Peer {
    /// Fails the test if the peer saw a request of the wrong shape.
    pub fn assert_no_violations(&self) {
        let v = self.violations.lock();
        assert!(v.is_empty(), "the simulated peer saw wrong shapes: {v:#?}");
    }

    /// The bodies received on `path`.
    pub fn bodies(&self, path: &str) -> Vec<Value> {
        self.received
            .lock()
            .iter()
            .filter(|(p, _, _)| p == path)
            .map(|(_, _, b)| b.clone())
            .collect()
    }

    /// Checks a write's headers and body with `validate`, records it, and answers: 400 naming
    /// the violation, the configured refusal, or 201 with `{"id": …}`.
    pub fn accept(
        &self,
        path: &str,
        headers: &HeaderMap,
        body: &[u8],
        validate: impl FnOnce(&Value) -> Result<(), String>,
    ) -> (StatusCode, axum::Json<Value>) {
        let result = check_headers(headers, true).and_then(|()| {
            let v: Value = serde_json::from_slice(body)
                .map_err(|e| format!("{path}: body is not JSON: {e}"))?;
            validate(&v).map_err(|e| format!("{path}: {e}"))?;
            Ok(v)
        });
        let value = match result {
            Ok(v) => v,
            Err(e) => {
                self.violations.lock().push(e.clone());
                return (
                    StatusCode::BAD_REQUEST,
                    axum::Json(serde_json::json!({ "error": e })),
                );
            }
        };
        if let Some((status, text)) = self.refuse.lock().clone() {
            return (
                StatusCode::from_u16(status).unwrap(),
                axum::Json(serde_json::json!({ "error": text })),
            );
        }
        let key = header(headers, "idempotency-key");
        let mut received = self.received.lock();
        received.push((path.to_owned(), key, value));
        (
            StatusCode::CREATED,
            axum::Json(serde_json::json!({ "id": format!("peer-{}", received.len()) })),
        )
    }

    /// The items of the outbox not yet acknowledged, at most `limit`.
    pub fn pending(&self, headers: &HeaderMap, limit: usize) -> Result<Vec<Value>, String> {
        check_headers(headers, false)?;
        let acked = self.acked.lock().clone();
        Ok(self
            .outbox
            .lock()
            .iter()
            .filter(|i| !acked.iter().any(|a| i["id"] == a.as_str()))
            .take(limit)
            .cloned()
            .collect())
    }

    /// Records an acknowledgement `{"ids": [strings]}`.
    pub fn ack(&self, headers: &HeaderMap, body: &[u8]) -> StatusCode {
        let result = check_headers(headers, true).and_then(|()| {
            let v: Value =
                serde_json::from_slice(body).map_err(|e| format!("ack: not JSON: {e}"))?;
            only_keys(&v, &["ids"])?;
            let ids = array(&v, "ids")?;
            let known: Vec<Value> = self.outbox.lock().iter().map(|i| i["id"].clone()).collect();
            ids.iter()
                .map(|id| {
                    if !known.contains(id) {
                        return Err(format!("ack: unknown id {id}"));
                    }
                    id.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| format!("ack: id {id} is not a string"))
                })
                .collect::<Result<Vec<_>, _>>()
        });
        match result {
            Ok(ids) => {
                self.acked.lock().extend(ids);
                StatusCode::NO_CONTENT
            }
            Err(e) => {
                self.violations.lock().push(e);
                StatusCode::BAD_REQUEST
            }
        }
    }
}

fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Every request carries the token and a connector's `User-Agent`; writes are JSON.
fn check_headers(headers: &HeaderMap, write: bool) -> Result<(), String> {
    if header(headers, "authorization") != format!("Bearer {TOKEN}") {
        return Err("missing or wrong bearer token".into());
    }
    if !header(headers, "user-agent").starts_with("truc-") {
        return Err("no truc User-Agent".into());
    }
    if write && header(headers, "content-type") != "application/json" {
        return Err("a write must be application/json".into());
    }
    Ok(())
}

// Shape checks for the peers: each names the field it found wrong.

/// Fails when `v` has a key not in `allowed`.
pub fn only_keys(v: &Value, allowed: &[&str]) -> Result<(), String> {
    let obj = v.as_object().ok_or("expected an object")?;
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!("unexpected field `{k}`")),
        None => Ok(()),
    }
}

/// A required non-empty string.
pub fn text<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    match v.get(key).and_then(Value::as_str) {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(format!(
            "`{key}` must be a non-empty string, got {}",
            v.get(key).unwrap_or(&Value::Null)
        )),
    }
}

/// A required string, possibly empty.
pub fn string<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("`{key}` must be a string"))
}

/// A required array.
pub fn array<'a>(v: &'a Value, key: &str) -> Result<&'a Vec<Value>, String> {
    v.get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| format!("`{key}` must be an array"))
}

/// A required ISO date `yyyy-mm-dd` (null allowed when `optional`).
pub fn iso_date(v: &Value, key: &str, optional: bool) -> Result<(), String> {
    match v.get(key) {
        Some(Value::Null) | None if optional => Ok(()),
        Some(Value::String(s)) if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() => {
            Ok(())
        }
        other => Err(format!("`{key}` must be an ISO date, got {other:?}")),
    }
}

/// A required ISO date-time with the Vietnam offset.
pub fn iso_date_time(v: &Value, key: &str) -> Result<(), String> {
    let s = text(v, key)?;
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|_| ())
        .map_err(|e| format!("`{key}` must be an RFC 3339 time: {e}"))
}

/// A QCVN 102 agency code (`LLL.KK.JJ.XNN`, §3.1).
pub fn organ_code(v: &Value, key: &str) -> Result<(), String> {
    let s = text(v, key)?;
    let ok = s.len() == 13
        && s.as_bytes().iter().enumerate().all(|(i, b)| match i {
            3 | 6 | 9 => *b == b'.',
            10 => b.is_ascii_uppercase(),
            _ => b.is_ascii_digit(),
        });
    if ok {
        Ok(())
    } else {
        Err(format!("`{key}` is not an agency code: {s}"))
    }
}

/// A required standard base64 string; returns the bytes.
pub fn base64(v: &Value, key: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::STANDARD
        .decode(text(v, key)?)
        .map_err(|e| format!("`{key}` is not base64: {e}"))
}

/// Serves `app` on a free loopback port; returns the base URL.
pub async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

/// The world plus one endpoint, `name`, hosting `agency` and bound to `artifact` in poll mode
/// (delivered to by push, polled for what its system sends), with `base-url` = `url`, the
/// peer's token and `extra` settings.
pub async fn world_with_connector(
    store: Store,
    name: &str,
    agency: &str,
    artifact: Artifact,
    url: &str,
    extra: &[(&str, &str)],
) -> (World, Caller, Adapters) {
    let settings = ExchangeSettings {
        retry_base: Duration::from_millis(5),
        retry_max: Duration::from_millis(20),
        max_attempts: 3,
        ..ExchangeSettings::default()
    };
    let w = world::world_with(store.clone(), settings).await;
    let caller = world::endpoint(&store, name, "poll", &[agency]).await;
    let mut values = serde_json::Map::new();
    values.insert("base-url".into(), url.into());
    values.insert("organ-id".into(), agency.into());
    for (k, v) in extra {
        values.insert((*k).into(), (*v).into());
    }
    let pkg = artifact.package().unwrap();
    sqlx::query("UPDATE endpoints SET adapter = $1, adapter_config = $2, granted_origins = $3 WHERE id = $4")
        .bind(format!("{}@{}", pkg.manifest.adapter.name, pkg.manifest.adapter.version))
        .bind(serde_json::json!({ "values": values, "secrets": { "api-token": TOKEN } }).to_string())
        .bind(serde_json::json!([url]).to_string())
        .bind(caller.endpoint_id)
        .execute(store.pool())
        .await
        .unwrap();
    let runtime = Arc::new(Runtime::new(RuntimeSettings::default()).unwrap());
    let adapters = Adapters::new(runtime, store, vec![pkg]);
    (w, caller, adapters)
}

/// The connector alone on a runtime (keep the runtime as long as the generation), granted
/// `url`, with `base-url` = `url` and `extra`.
pub async fn generation(
    artifact: Artifact,
    url: &str,
    extra: &[(&str, &str)],
) -> (Runtime, Arc<Generation>) {
    let mut config = AdapterConfig::new()
        .with_value("base-url", url)
        .with_secret("api-token", TOKEN);
    for (k, v) in extra {
        config = config.with_value(*k, *v);
    }
    let binding = BindingSettings {
        granted_origins: vec![url.parse::<OriginPattern>().unwrap()],
        config,
    };
    let rt = crate::common::runtime();
    let g = crate::common::load(&rt, artifact, binding).await;
    (rt, g)
}

/// Runs the push worker until nothing is pending (waiting out retry delays).
pub async fn drain(ex: &Exchange, adapters: &Adapters) {
    for _ in 0..200 {
        ex.push_once(adapters, 16).await.unwrap();
        let pending: i64 =
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM deliveries WHERE state = 'pending' AND endpoint_id IN (SELECT id FROM endpoints WHERE mode IN ('push', 'poll'))")
                .fetch_one(ex.store().pool())
                .await
                .unwrap();
        if pending == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("deliveries still pending after the worker drained");
}

/// The state, last error and attempts of the delivery of document `document_id` to `receiver`.
pub async fn delivery_state(
    ex: &Exchange,
    document_id: &str,
    receiver: &str,
) -> (String, Option<String>, i64) {
    sqlx::query_as(
        "SELECT d.state, d.last_error, d.attempts FROM deliveries d JOIN packages p ON p.id = d.package_id \
         WHERE p.document_id = $1 AND d.receiver = $2 AND p.kind = 'document'",
    )
    .bind(document_id)
    .bind(receiver)
    .fetch_one(ex.store().pool())
    .await
    .unwrap()
}

/// The mailbox of `caller`, every item.
pub async fn mailbox(ex: &Exchange, caller: &Caller) -> Vec<truc::exchange::mailbox::MailboxItem> {
    ex.mailbox(
        caller,
        &MailboxFilter {
            include_delivered: true,
            ..MailboxFilter::default()
        },
    )
    .await
    .unwrap()
}

/// The kind of adapter error a call failed with; panics on any other failure.
pub fn kind(err: &CallError) -> AdapterErrorKind {
    match err {
        CallError::Adapter { failure, .. } => failure.kind,
        other => panic!("expected an adapter error, got {other:?}"),
    }
}

/// A canonical message from a document model and its attachment bytes.
pub fn message(package: truc::edxml::Package, bodies: Vec<Vec<u8>>) -> CanonicalMessage {
    CanonicalMessage {
        package,
        bodies: bodies
            .into_iter()
            .map(truc::runtime::Blob::from_bytes)
            .collect(),
    }
}

/// Now in Vietnam time, RFC 3339 with `+07:00`.
pub fn now_vn() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(7))
        .format("%Y-%m-%dT%H:%M:%S+07:00")
        .to_string()
}

/// Today in Vietnam, ISO.
pub fn today_iso() -> String {
    world::today().replace('/', "-")
}
