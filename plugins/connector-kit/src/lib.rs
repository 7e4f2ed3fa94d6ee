//! What the example connectors for the Government's other systems (E-Cabinet, the national
//! reporting system, the public-service portal, the e-Gazette) share: JSON over HTTP to their
//! peer with the operator's settings, HTTP statuses mapped to the error kinds the hub acts on,
//! files as base64 text (encoded and decoded by the hub), and small canonical-message builders.
//!
//! Not an adapter itself (it has no `manifest.toml`, so the hub's build script skips it).

use serde::Serialize;
use serde::de::DeserializeOwned;
use truc_guest::http::{self, Response};
use truc_guest::{
    AdapterError, Attachment, Blob, BlobWriter, Date, DateTime, Document, Organ, malformed,
    rejected, transient,
};

/// Bytes per `read-base64` call: a multiple of 3, so the pieces concatenate.
const BASE64_CHUNK: u32 = 3 * 256 * 1024;

/// One peer system, as the operator configured it for this endpoint.
pub struct Peer {
    /// The system's name in error messages, e.g. `E-Cabinet`.
    pub system: &'static str,
    /// `User-Agent`, e.g. `truc-ecabinet/1.0.0`.
    pub agent: &'static str,
    base: String,
}

impl Peer {
    /// The peer at the endpoint's `base-url` setting; `rejected` when the operator set none.
    pub fn configured(system: &'static str, agent: &'static str) -> Result<Self, AdapterError> {
        let base = required_config("base-url")?;
        Ok(Self {
            system,
            agent,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    /// The absolute URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends `method path` with a JSON body (or none), the secret `api-token` as a bearer token
    /// when set, and `Idempotency-Key` when given; returns the response whatever its status.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        idempotency_key: Option<&str>,
        body: Option<&[u8]>,
    ) -> Result<Response, AdapterError> {
        let mut headers: Vec<(&str, String)> = vec![
            ("user-agent", self.agent.to_owned()),
            ("accept", "application/json".to_owned()),
        ];
        if body.is_some() {
            headers.push(("content-type", "application/json".to_owned()));
        }
        if let Some(token) = truc_guest::secret("api-token") {
            headers.push(("authorization", format!("Bearer {token}")));
        }
        if let Some(key) = idempotency_key {
            headers.push(("idempotency-key", key.to_owned()));
        }
        let refs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        http::request(method, &self.url(path), &refs, body.unwrap_or_default())
    }

    /// Sends a JSON value and checks the answer is a success (`409 Conflict` counts as one
    /// when an idempotency key was sent: the peer already has it).
    pub fn post_json<T: Serialize>(
        &self,
        path: &str,
        idempotency_key: Option<&str>,
        value: &T,
        what: &str,
    ) -> Result<Response, AdapterError> {
        let body = serde_json::to_vec(value)
            .map_err(|e| malformed(format!("{what}: cannot write JSON: {e}"), None))?;
        let resp = self.send("POST", path, idempotency_key, Some(&body))?;
        if resp.status == 409 && idempotency_key.is_some() {
            truc_guest::log::info(&format!("{what}: {} already had it (409)", self.system));
            return Ok(resp);
        }
        self.check(&resp, what)?;
        Ok(resp)
    }

    /// `GET path` and read the JSON answer as `T`.
    pub fn get_json<T: DeserializeOwned>(&self, path: &str, what: &str) -> Result<T, AdapterError> {
        let resp = self.send("GET", path, None, None)?;
        self.check(&resp, what)?;
        parse_json(
            &resp.body,
            &format!("{what}: the answer of {}", self.system),
        )
    }

    /// Maps an HTTP status to the error kind the hub acts on: 2xx is success; 408, 429 and 5xx
    /// are worth retrying; any other answer is the peer refusing the message (its body, cut
    /// short, says why).
    pub fn check(&self, resp: &Response, what: &str) -> Result<(), AdapterError> {
        let body = String::from_utf8_lossy(&resp.body);
        let snippet: String = body.chars().take(400).collect();
        let message = format!(
            "{what}: {} answered {}: {snippet}",
            self.system, resp.status
        );
        match resp.status {
            200..=299 => Ok(()),
            408 | 429 | 500..=599 => Err(transient(message, None)),
            _ => Err(rejected(message, None)),
        }
    }
}

/// The peer's own id for what it accepted, when its answer is a JSON object with a string `id`.
pub fn remote_id(resp: &Response) -> Option<String> {
    serde_json::from_slice::<serde_json::Value>(&resp.body)
        .ok()
        .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_owned))
}

/// An operator setting this connector cannot work without.
pub fn required_config(key: &str) -> Result<String, AdapterError> {
    truc_guest::config(key)
        .filter(|v| !v.trim().is_empty())
        .map(|v| v.trim().to_owned())
        .ok_or_else(|| {
            rejected(
                format!("the operator has not set `{key}` for this endpoint"),
                None,
            )
        })
}

/// Reads JSON as `T`; a `malformed` error names `what` and the line and column.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, AdapterError> {
    serde_json::from_slice(bytes).map_err(|e| {
        malformed(
            format!("{what} is not the expected JSON: {e}"),
            Some(format!("line {} column {}", e.line(), e.column())),
        )
    })
}

/// A blob as base64 text, encoded by the hub.
pub fn to_base64(blob: &Blob) -> String {
    let size = blob.size();
    let mut out = String::with_capacity((size as usize).div_ceil(3) * 4);
    let mut offset = 0;
    while offset < size {
        let piece = blob.read_base64(offset, BASE64_CHUNK);
        if piece.is_empty() {
            break;
        }
        out.push_str(&piece);
        offset += u64::from(BASE64_CHUNK);
    }
    out
}

/// Base64 text decoded by the hub straight into a blob; `at` names the field in the error.
pub fn from_base64(text: &str, at: &str) -> Result<Blob, AdapterError> {
    let writer = BlobWriter::new();
    writer
        .write_base64(text)
        .map_err(|e| malformed(e, Some(at.to_owned())))?;
    Ok(BlobWriter::finish(writer))
}

/// An ISO or standard date; `malformed`, naming `at`, when it is not one.
pub fn date(text: &str, at: &str) -> Result<Date, AdapterError> {
    truc_guest::dates::parse_date(text)
        .ok_or_else(|| malformed(format!("`{text}` is not a date"), Some(at.to_owned())))
}

/// An ISO or standard date and time; `malformed`, naming `at`, when it is not one.
pub fn date_time(text: &str, at: &str) -> Result<DateTime, AdapterError> {
    truc_guest::dates::parse_date_time(text).ok_or_else(|| {
        malformed(
            format!("`{text}` is not a date and time"),
            Some(at.to_owned()),
        )
    })
}

/// An organ with a code and a name.
pub fn named_organ(id: &str, name: &str) -> Organ {
    Organ {
        name: name.to_owned(),
        ..truc_guest::organ(id)
    }
}

/// The document id of §4.5: `{sender},{yyyy/MM/dd},{number}/{notation}`.
pub fn document_id(sender: &str, date: &Date, number: &str, notation: &str) -> String {
    format!(
        "{sender},{},{number}/{notation}",
        truc_guest::dates::format_date(date)
    )
}

/// A file of a peer, as an attachment: content id `f{index+1}`.
pub fn attachment(index: usize, name: &str, content_type: &str, body: Blob) -> Attachment {
    Attachment {
        content_id: format!("f{}", index + 1),
        name: name.to_owned(),
        description: String::new(),
        content_type: content_type.to_owned(),
        body,
    }
}

/// The document's full number and notation, `7816/VPCP-TTĐT`.
pub fn full_code(doc: &Document) -> String {
    if doc.code.notation.is_empty() {
        doc.code.number.clone()
    } else {
        format!("{}/{}", doc.code.number, doc.code.notation)
    }
}

/// Tokens of a polled item that became several messages: `{id}#{part}/{parts}`.
pub fn part_token(id: &str, part: usize, parts: usize) -> String {
    format!("{id}#{part}/{parts}")
}

/// The item ids whose every part is among `tokens` (tokens without parts count whole): the
/// items the peer may forget. Stateless, so an item half stored is polled again.
pub fn complete_items(tokens: &[String]) -> Vec<String> {
    let mut seen: Vec<(String, usize, usize)> = Vec::new();
    for t in tokens {
        let (id, part, parts) = match t.rsplit_once('#').and_then(|(id, p)| {
            let (a, b) = p.split_once('/')?;
            Some((id, a.parse().ok()?, b.parse().ok()?))
        }) {
            Some(x) => x,
            None => (t.as_str(), 1, 1),
        };
        seen.push((id.to_owned(), part, parts));
    }
    let mut done: Vec<String> = Vec::new();
    for (id, _, parts) in &seen {
        if done.contains(id) {
            continue;
        }
        let have = (1..=*parts)
            .filter(|p| seen.iter().any(|(i, q, _)| i == id && q == p))
            .count();
        if have == *parts {
            done.push(id.clone());
        }
    }
    done
}
