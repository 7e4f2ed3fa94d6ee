//! Outbound HTTP for connectors (`wasi:http`): every request is checked against the
//! adapter's grants (manifest request ∩ operator grant); refused ones are logged and recorded
//! so the call fails with a typed "capability denied" error.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::BodyExt;
use wasmtime_wasi_http::{
    Error as HttpError, RequestOptions, WasiBody, WasiHttpHooks, default_send_request,
};

use super::super::grants::{Origin, OutboundGrants, Scheme};
use super::denials::{Denials, Denied};

type IoFuture = Box<dyn Future<Output = Result<(), HttpError>> + Send>;

/// The per-call hook that enforces outbound grants.
pub struct OutboundHooks {
    adapter: Arc<str>,
    grants: Arc<OutboundGrants>,
    /// Longest any one phase of a request may take (connect, first byte, between bytes).
    max_wait: Duration,
    denials: Denials,
}

impl OutboundHooks {
    /// Hooks for one call.
    pub fn new(
        adapter: Arc<str>,
        grants: Arc<OutboundGrants>,
        max_wait: Duration,
        denials: Denials,
    ) -> Self {
        Self {
            adapter,
            grants,
            max_wait,
            denials,
        }
    }
}

impl WasiHttpHooks for OutboundHooks {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _io: IoFuture,
    ) -> Box<dyn Future<Output = Result<(http::Response<WasiBody>, IoFuture), HttpError>> + Send>
    {
        let uri = request.uri();
        let scheme = match uri.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("http") => Scheme::Http,
            Some(s) if s.eq_ignore_ascii_case("https") => Scheme::Https,
            _ => return Box::new(async { Err(HttpError::HttpProtocolError) }),
        };
        let Some(origin) = uri
            .authority()
            .and_then(|a| Origin::new(scheme, a.as_str()))
        else {
            return Box::new(async { Err(HttpError::HttpRequestUriInvalid) });
        };
        if !self.grants.allows(&origin) {
            tracing::warn!(
                target: "truc::adapter",
                adapter = %self.adapter,
                %origin,
                method = %request.method(),
                "outbound request refused: origin not granted to this adapter"
            );
            self.denials.record(Denied::Origin(origin.to_string()));
            return Box::new(async { Err(HttpError::HttpRequestDenied) });
        }
        tracing::info!(
            target: "truc::adapter",
            adapter = %self.adapter,
            %origin,
            method = %request.method(),
            path = %uri.path(),
            "outbound request"
        );
        let cap = self.max_wait;
        let mut o = options.unwrap_or_default();
        o.connect_timeout = Some(o.connect_timeout.map_or(cap, |t| t.min(cap)));
        o.first_byte_timeout = Some(o.first_byte_timeout.map_or(cap, |t| t.min(cap)));
        o.between_bytes_timeout = Some(o.between_bytes_timeout.map_or(cap, |t| t.min(cap)));
        Box::new(async move {
            let (response, io) = default_send_request(request, Some(o)).await?;
            Ok((
                response.map(BodyExt::boxed_unsync),
                Box::new(io) as IoFuture,
            ))
        })
    }
}
