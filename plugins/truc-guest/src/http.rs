//! Plain blocking HTTP for connectors, over `wasi:http`. The hub lets a request out only to
//! origins both requested in the manifest and granted by the operator; anything else fails
//! with a `rejected` error naming the origin, and the hub logs the attempt.

use crate::bindings::wasi::http::outgoing_handler;
use crate::bindings::wasi::http::types::{
    ErrorCode, Fields, Method, OutgoingBody, OutgoingRequest, Scheme,
};
use crate::bindings::wasi::io::streams::StreamError;
use crate::{AdapterError, errors};

/// A response: status, headers (lower-case names) and the whole body.
#[derive(Debug)]
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// Header name/value pairs; names are lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `GET url`.
pub fn get(url: &str, headers: &[(&str, &str)]) -> Result<Response, AdapterError> {
    request("GET", url, headers, &[])
}

/// Sends `POST url` with `body`.
pub fn post(url: &str, headers: &[(&str, &str)], body: &[u8]) -> Result<Response, AdapterError> {
    request("POST", url, headers, body)
}

/// Largest response body a connector reads into memory.
pub const MAX_RESPONSE: usize = 64 * 1024 * 1024;

/// Sends one request and reads the whole response. Network failures are `transient`; a
/// denied origin or an invalid URL is `rejected` (retrying cannot help).
pub fn request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Response, AdapterError> {
    let (scheme, authority, path) = split_url(url)?;
    let fields = Fields::new();
    for (name, value) in headers {
        fields.append(name, value.as_bytes()).map_err(|e| {
            errors::rejected(format!("header `{name}` is not allowed: {e:?}"), None)
        })?;
    }
    let req = OutgoingRequest::new(fields);
    let method = match method {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "DELETE" => Method::Delete,
        other => Method::Other(other.to_owned()),
    };
    let invalid = |what: &str| errors::rejected(format!("{what} of `{url}` is not valid"), None);
    req.set_method(&method)
        .map_err(|()| invalid("the method"))?;
    req.set_scheme(Some(&scheme))
        .map_err(|()| invalid("the scheme"))?;
    req.set_authority(Some(authority))
        .map_err(|()| invalid("the host"))?;
    req.set_path_with_query(Some(path))
        .map_err(|()| invalid("the path"))?;

    let outgoing_body = req
        .body()
        .map_err(|()| errors::transient("request body unavailable", None))?;
    // Hand the request over before writing the body, so a large body streams instead of
    // filling a buffer nobody reads yet.
    let future = outgoing_handler::handle(req, None).map_err(|e| http_error(url, e))?;
    {
        let stream = outgoing_body
            .write()
            .map_err(|()| errors::transient("request body stream unavailable", None))?;
        for chunk in body.chunks(4096) {
            stream
                .blocking_write_and_flush(chunk)
                .map_err(|e| errors::transient(format!("sending to {url} failed: {e:?}"), None))?;
        }
    }
    OutgoingBody::finish(outgoing_body, None).map_err(|e| http_error(url, e))?;

    future.subscribe().block();
    let response = match future.get() {
        Some(Ok(Ok(r))) => r,
        Some(Ok(Err(e))) => return Err(http_error(url, e)),
        Some(Err(())) | None => {
            return Err(errors::transient(format!("no response from {url}"), None));
        }
    };
    let status = response.status();
    let headers = response
        .headers()
        .entries()
        .into_iter()
        .map(|(n, v)| {
            (
                n.to_ascii_lowercase(),
                String::from_utf8_lossy(&v).into_owned(),
            )
        })
        .collect();
    let incoming = response
        .consume()
        .map_err(|()| errors::transient("response body unavailable", None))?;
    let mut out = Vec::new();
    {
        let stream = incoming
            .stream()
            .map_err(|()| errors::transient("response body stream unavailable", None))?;
        loop {
            match stream.blocking_read(64 * 1024) {
                Ok(chunk) => {
                    if out.len() + chunk.len() > MAX_RESPONSE {
                        return Err(errors::rejected(
                            format!("the response from {url} is larger than {MAX_RESPONSE} bytes"),
                            None,
                        ));
                    }
                    out.extend_from_slice(&chunk);
                }
                Err(StreamError::Closed) => break,
                Err(e) => {
                    return Err(errors::transient(
                        format!("reading the response from {url} failed: {e:?}"),
                        None,
                    ));
                }
            }
        }
    }
    Ok(Response {
        status,
        headers,
        body: out,
    })
}

fn http_error(url: &str, e: ErrorCode) -> AdapterError {
    match e {
        ErrorCode::HttpRequestDenied => errors::rejected(
            format!(
                "the hub refused the request to {url}: its origin is not granted to this adapter"
            ),
            None,
        ),
        ErrorCode::HttpRequestUriInvalid => {
            errors::rejected(format!("`{url}` is not a valid URL"), None)
        }
        other => errors::transient(format!("request to {url} failed: {other:?}"), None),
    }
}

/// Splits `http(s)://authority/path?query`.
fn split_url(url: &str) -> Result<(Scheme, &str, &str), AdapterError> {
    let bad = || errors::rejected(format!("`{url}` is not an absolute http(s) URL"), None);
    let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
    let scheme = match scheme {
        "http" => Scheme::Http,
        "https" => Scheme::Https,
        _ => return Err(bad()),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    };
    if authority.is_empty() {
        return Err(bad());
    }
    Ok((scheme, authority, path))
}
