//! A small HTTP client for the demo's systems and operator: real requests to the hub.

use anyhow::{Context, Result, anyhow};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// A client of one hub.
#[derive(Clone)]
pub struct Http {
    base: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

/// An answer.
#[derive(Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Body.
    pub body: Bytes,
}

impl Reply {
    /// The body as JSON.
    pub fn json(&self) -> Result<serde_json::Value> {
        serde_json::from_slice(&self.body).with_context(|| {
            format!(
                "the hub's answer is not JSON: {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The hub's error message (`{"error": {"message": …}}`), or the body.
    pub fn message(&self) -> String {
        serde_json::from_slice::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| String::from_utf8_lossy(&self.body).into_owned())
    }

    /// Fails unless the status is 2xx, naming `what`.
    pub fn ok(self, what: &str) -> Result<Reply> {
        if (200..300).contains(&self.status) {
            Ok(self)
        } else {
            Err(anyhow!(
                "{what}: the hub answered {}: {}",
                self.status,
                self.message()
            ))
        }
    }
}

/// One request.
pub struct Request<'a> {
    /// Method.
    pub method: &'a str,
    /// Path under the hub's address.
    pub path: &'a str,
    /// Bearer token.
    pub token: Option<&'a str>,
    /// Content type of the body.
    pub content_type: &'a str,
    /// Extra headers.
    pub headers: &'a [(&'a str, &'a str)],
    /// Body.
    pub body: Bytes,
}

impl<'a> Request<'a> {
    /// A request without a body.
    pub fn new(method: &'a str, path: &'a str, token: &'a str) -> Self {
        Request {
            method,
            path,
            token: Some(token),
            content_type: "application/json",
            headers: &[],
            body: Bytes::new(),
        }
    }

    /// With a body.
    pub fn body(mut self, content_type: &'a str, body: impl Into<Bytes>) -> Self {
        self.content_type = content_type;
        self.body = body.into();
        self
    }

    /// With a JSON body.
    pub fn json(self, value: &serde_json::Value) -> Self {
        self.body("application/json", value.to_string())
    }
}

impl Http {
    /// A client of the hub at `base` (`http://127.0.0.1:PORT`).
    pub fn new(base: &str) -> Http {
        Http {
            base: base.trim_end_matches('/').to_owned(),
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// The hub's address.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sends a request; any HTTP status is an answer, only a failure to talk is an error.
    pub async fn send(&self, r: Request<'_>) -> Result<Reply> {
        let uri = format!("{}{}", self.base, r.path);
        let mut req = http::Request::builder()
            .method(r.method)
            .uri(&uri)
            .header(http::header::CONTENT_TYPE, r.content_type);
        if let Some(t) = r.token {
            req = req.header(http::header::AUTHORIZATION, format!("Bearer {t}"));
        }
        for (k, v) in r.headers {
            req = req.header(*k, *v);
        }
        let req = req
            .body(Full::new(r.body))
            .with_context(|| format!("building {} {uri}", r.method))?;
        let resp = self
            .client
            .request(req)
            .await
            .with_context(|| format!("{} {uri}", r.method))?;
        let status = resp.status().as_u16();
        let body = resp
            .into_body()
            .collect()
            .await
            .with_context(|| format!("reading the answer to {} {uri}", r.method))?
            .to_bytes();
        Ok(Reply { status, body })
    }
}
