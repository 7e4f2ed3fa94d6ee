//! The adapter: codec over [`crate::format`], connector over json-office's REST API.
//!
//! - deliver: `POST {base-url}/api/documents` with the record as JSON, the hub's delivery id in
//!   `Idempotency-Key` and the hosted receivers in `X-Truc-Receivers`; `409` means it already
//!   has it (success).
//! - poll: `GET {base-url}/api/outbox?limit=N` → `{"items":[{"id":…,"message":{…}}]}`.
//! - acknowledge: `POST {base-url}/api/outbox/ack` with `{"ids":[…]}`.
//!
//! Every request carries `User-Agent: truc-json-office/VERSION`.
//!
//! Settings: `base-url` (required for the connector), secret `api-token` (sent as a bearer
//! token when set).

use truc_guest::http::{self, Response};
use truc_guest::{
    AdapterError, AdapterInfo, Codec, Connector, Delivery, Message, Payload, Polled, Receipt,
    malformed, read_all, rejected, transient, write_blob,
};

use crate::convert::{Input, from_message, to_message};
use crate::format::{self, Outbox};

/// Largest JSON input read into memory.
const MAX_INPUT: u64 = 256 * 1024 * 1024;

struct JsonOffice;

fn base_url() -> Result<String, AdapterError> {
    truc_guest::config("base-url")
        .map(|u| u.trim_end_matches('/').to_owned())
        .ok_or_else(|| {
            rejected(
                "the operator has not set `base-url` for this endpoint",
                None,
            )
        })
}

fn headers(extra: &[(&'static str, String)]) -> Vec<(String, String)> {
    let mut h = vec![
        ("content-type".to_string(), "application/json".to_string()),
        // Which adapter release made the request: the system's logs can tell versions apart.
        (
            "user-agent".to_string(),
            concat!("truc-json-office/", env!("CARGO_PKG_VERSION")).to_string(),
        ),
    ];
    if let Some(token) = truc_guest::secret("api-token") {
        h.push(("authorization".into(), format!("Bearer {token}")));
    }
    for (k, v) in extra {
        h.push(((*k).into(), v.clone()));
    }
    h
}

fn send(
    method: &str,
    url: &str,
    extra: &[(&'static str, String)],
    body: &[u8],
) -> Result<Response, AdapterError> {
    let owned = headers(extra);
    let refs: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    http::request(method, url, &refs, body)
}

/// Maps an HTTP status to the error kind the hub acts on.
fn check(resp: &Response, what: &str) -> Result<(), AdapterError> {
    let body = String::from_utf8_lossy(&resp.body);
    let snippet: String = body.chars().take(300).collect();
    match resp.status {
        200..=299 => Ok(()),
        401 | 403 => Err(rejected(
            format!(
                "{what}: json-office refused our credentials ({}): {snippet}",
                resp.status
            ),
            None,
        )),
        408 | 429 | 500..=599 => Err(transient(
            format!("{what}: json-office answered {}: {snippet}", resp.status),
            None,
        )),
        _ => Err(rejected(
            format!("{what}: json-office answered {}: {snippet}", resp.status),
            None,
        )),
    }
}

impl Codec for JsonOffice {
    fn describe() -> AdapterInfo {
        AdapterInfo {
            name: "json-office".into(),
            // The package version: `json-office-next` builds this source as 1.1.0.
            version: env!("CARGO_PKG_VERSION").into(),
            vendor: "truc project (example adapter)".into(),
            formats: vec!["application/json".into()],
            description: "JSON-over-HTTP QLVB: its JSON records, POST delivery, outbox polling."
                .into(),
        }
    }

    fn decode(input: Payload) -> Result<Vec<Message>, AdapterError> {
        let bytes = read_all(&input.body, MAX_INPUT)?;
        let records = format::decode(&bytes).map_err(|e| malformed(e.message, e.location))?;
        let input = Input {
            blob: &input.body,
            bytes: &bytes,
        };
        records
            .into_iter()
            .enumerate()
            .map(|(i, r)| to_message(r, i, Some(input)))
            .collect()
    }

    fn encode(message: Message) -> Result<Payload, AdapterError> {
        let record = from_message(message)?;
        Ok(Payload {
            content_type: "application/json".into(),
            body: write_blob(&format::encode(&record))?,
        })
    }
}

impl Connector for JsonOffice {
    fn deliver(delivery: Delivery) -> Result<Receipt, AdapterError> {
        let url = format!("{}/api/documents", base_url()?);
        let body = format::encode(&from_message(delivery.message)?);
        let resp = send(
            "POST",
            &url,
            &[
                ("idempotency-key", delivery.id.clone()),
                ("x-truc-receivers", delivery.receivers.join(",")),
            ],
            &body,
        )?;
        if resp.status == 409 {
            truc_guest::log::info(&format!(
                "delivery {} was already received by json-office",
                delivery.id
            ));
        } else {
            check(&resp, "delivery")?;
        }
        let remote_id = serde_json::from_slice::<serde_json::Value>(&resp.body)
            .ok()
            .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_owned));
        Ok(Receipt { remote_id })
    }

    fn poll(max: u32) -> Result<Vec<Polled>, AdapterError> {
        let url = format!("{}/api/outbox?limit={max}", base_url()?);
        let resp = send("GET", &url, &[], &[])?;
        check(&resp, "polling the outbox")?;
        let outbox: Outbox = serde_json::from_slice(&resp.body)
            .map_err(|e| malformed(format!("the outbox list is not valid JSON: {e}"), None))?;
        outbox
            .items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                // The list is in guest memory, not in a hub blob: file texts are handed over.
                Ok(Polled {
                    token: item.id,
                    message: to_message(item.message, i, None)?,
                })
            })
            .collect()
    }

    fn acknowledge(tokens: Vec<String>) -> Result<(), AdapterError> {
        let url = format!("{}/api/outbox/ack", base_url()?);
        let body = serde_json::json!({ "ids": tokens }).to_string();
        let resp = send("POST", &url, &[], body.as_bytes())?;
        check(&resp, "acknowledging the outbox")
    }
}

truc_guest::export_adapter!(JsonOffice);
