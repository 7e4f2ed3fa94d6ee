//! The adapter: a connector whose "legacy system" is an upstream axis speaking the VXP API.
//!
//! - deliver: `sendEdoc` of the canonical edXML (rendered by the hub), `messagetype` `edoc` or
//!   `status`, `from` the sender, `to` the receivers this delivery is for (documents only, as
//!   the SDK's callers do). The axis deduplicates on the package's DocumentId, so a redelivery
//!   after a lost answer is harmless.
//! - poll: `getReceivedEdocList` for documents, then for statuses; `getEdoc` of each item,
//!   parsed by the hub's edXML reader (the base64 is decoded by the hub, not here).
//! - acknowledge: `updateStatus done` of each item once the hub has stored it (§9.5).
//!
//! Settings: `base-url` (the axis's VXP endpoint, operations are appended as `/<op>`),
//! `system-id` (the id the axis issued to this hub); secret `vxp-secret` (the HMAC key).
//! Codec: edXML in and out, like `edxml-native`.

use std::time::{SystemTime, UNIX_EPOCH};

use truc_guest::http::{self, Response};
use truc_guest::{
    AdapterError, AdapterInfo, BlobWriter, Codec, Connector, Delivery, Message, Payload, Polled,
    Receipt, edxml, malformed, read_all, rejected, transient,
};

use crate::wire::{self, Failure, FailureKind, Signed};

/// Largest rendered package sent in one `sendEdoc`.
const MAX_PACKAGE: u64 = 384 * 1024 * 1024;
/// Base64 characters handed to the hub per call (a multiple of 4).
const BASE64_CHUNK: usize = 64 * 1024;

struct VxpUpstream;

/// What one request needs: where, who, and the key.
struct Axis {
    base: String,
    system_id: String,
    secret: String,
}

impl Axis {
    fn from_settings() -> Result<Axis, AdapterError> {
        let need = |what: &str, v: Option<String>| {
            v.filter(|v| !v.trim().is_empty()).ok_or_else(|| {
                rejected(
                    format!("the operator has not set `{what}` for this upstream endpoint"),
                    None,
                )
            })
        };
        Ok(Axis {
            base: need("base-url", truc_guest::config("base-url"))?
                .trim_end_matches('/')
                .to_owned(),
            system_id: need("system-id", truc_guest::config("system-id"))?,
            secret: need("vxp-secret (a secret)", truc_guest::secret("vxp-secret"))?,
        })
    }

    /// Signs and sends one operation; returns the answer or an error the hub can act on.
    fn call(
        &self,
        operation: &str,
        before_timestamp: &[(&str, &str)],
        content_type: &str,
        after: &[(&str, &str)],
        body: &[u8],
    ) -> Result<wire::Answer, AdapterError> {
        let signed = Signed::new(
            &self.system_id,
            before_timestamp,
            &wire::sdk_timestamp(now_millis()),
            content_type,
            after,
        );
        let headers = signed.headers(self.secret.as_bytes());
        let refs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let url = format!("{}/{operation}", self.base);
        let resp: Response = http::request("POST", &url, &refs, body)?;
        wire::read_answer(operation, resp.status, &resp.body).map_err(to_error)
    }
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn to_error(f: Failure) -> AdapterError {
    match f.kind {
        FailureKind::Transient => transient(f.message, None),
        FailureKind::Rejected | FailureKind::NotFound => rejected(f.message, None),
        FailureKind::Credentials => rejected(
            format!(
                "{}; check `system-id` and the secret `vxp-secret` of this endpoint",
                f.message
            ),
            None,
        ),
    }
}

fn is_not_found(e: &AdapterError) -> bool {
    matches!(e, AdapterError::Rejected(d) if d.message.contains("ErrorCode 24"))
}

impl VxpUpstream {
    /// Fetches one received item and reads it with the hub's edXML reader.
    fn fetch(axis: &Axis, doc_id: &str) -> Result<Message, AdapterError> {
        let answer = axis.call(
            "getEdoc",
            &[("docId", doc_id)],
            "application/json",
            &[],
            b"{}",
        )?;
        let Some(serde_json::Value::String(data)) = answer.data else {
            return Err(malformed(
                format!("getEdoc {doc_id}: the answer has no base64 `data`"),
                None,
            ));
        };
        let writer = BlobWriter::new();
        let data = data.as_bytes();
        for chunk in data.chunks(BASE64_CHUNK) {
            // Chunks split at multiples of 4 characters, as `write-base64` requires.
            let text = std::str::from_utf8(chunk)
                .map_err(|_| malformed(format!("getEdoc {doc_id}: `data` is not base64"), None))?;
            writer
                .write_base64(text)
                .map_err(|e| malformed(format!("getEdoc {doc_id}: {e}"), None))?;
        }
        let blob = BlobWriter::finish(writer);
        edxml::parse(&blob)
    }
}

impl Codec for VxpUpstream {
    fn describe() -> AdapterInfo {
        truc_guest::adapter_info(
            "vxp-upstream",
            env!("CARGO_PKG_VERSION"),
            "truc project",
            &["application/xml", "application/edxml+xml"],
            "Federation with an upstream axis over the VXP API: sendEdoc, getReceivedEdocList, getEdoc, updateStatus.",
        )
    }

    fn decode(input: Payload) -> Result<Vec<Message>, AdapterError> {
        Ok(vec![edxml::parse(&input.body)?])
    }

    fn encode(message: Message) -> Result<Payload, AdapterError> {
        Ok(Payload {
            content_type: "application/xml".into(),
            body: edxml::render(message)?,
        })
    }
}

impl Connector for VxpUpstream {
    fn deliver(delivery: Delivery) -> Result<Receipt, AdapterError> {
        let axis = Axis::from_settings()?;
        let (message_type, from, to) = match &delivery.message {
            Message::Document(d) => ("edoc", d.sender.id.clone(), Some(&delivery.receivers)),
            Message::Status(s) => ("status", s.sender.id.clone(), None),
        };
        let to = to.map(|r| wire::to_header(r));
        let package = read_all(&edxml::render(delivery.message)?, MAX_PACKAGE)?;
        let hash_file = wire::sdk_hash_file(&package);
        let mut keys: Vec<(&str, &str)> = vec![
            ("servicetype", "eDoc"),
            ("messagetype", message_type),
            ("hash-file", &hash_file),
            ("from", &from),
        ];
        if let Some(to) = &to {
            keys.push(("to", to));
        }
        // The SDK's body: the file, then CRLF, no multipart framing (§9.4).
        let mut body = package;
        body.extend_from_slice(b"\r\n");
        let answer = axis.call("sendEdoc", &keys, "application/octet-stream", &[], &body)?;
        truc_guest::log::info(&format!(
            "delivery {} forwarded upstream as {}",
            delivery.id,
            answer.doc_id().unwrap_or_default()
        ));
        Ok(Receipt {
            remote_id: answer.doc_id(),
        })
    }

    fn poll(max: u32) -> Result<Vec<Polled>, AdapterError> {
        let axis = Axis::from_settings()?;
        let mut out = Vec::new();
        // Documents first: a status is about a document, never the other way round.
        for message_type in ["edoc", "status"] {
            let list = axis.call(
                "getReceivedEdocList",
                &[("servicetype", "eDoc"), ("messagetype", message_type)],
                "application/json",
                &[],
                &[],
            )?;
            for item in wire::listed_items(&list) {
                if out.len() >= max as usize {
                    return Ok(out);
                }
                match Self::fetch(&axis, &item.doc_id) {
                    Ok(message) => out.push(Polled {
                        token: item.doc_id,
                        message,
                    }),
                    // Acknowledged meanwhile (another node of this hub): nothing to do.
                    Err(e) if is_not_found(&e) => {}
                    Err(AdapterError::Transient(d)) => {
                        return Err(AdapterError::Transient(d));
                    }
                    // Unreadable here: left upstream for the operator, the rest goes on.
                    Err(e) => truc_guest::log::warn(&format!(
                        "upstream item {} cannot be read and stays on the axis: {e:?}",
                        item.doc_id
                    )),
                }
            }
        }
        Ok(out)
    }

    fn acknowledge(tokens: Vec<String>) -> Result<(), AdapterError> {
        let axis = Axis::from_settings()?;
        for doc_id in &tokens {
            match axis.call(
                "updateStatus",
                &[("docId", doc_id)],
                "application/json",
                &[("status", "done")],
                b"{}",
            ) {
                Ok(_) => {}
                // Already acknowledged: the axis no longer has it for us.
                Err(e) if is_not_found(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

truc_guest::export_adapter!(VxpUpstream);
