//! The Government Office SDK's requests as captured in `shared/domain/vxp-wire-trace.md`, as test
//! data: system id `000.00.99.H44`, secret `c2VjcmV0c2VjcmV0`, with the HMAC values verified there.

/// The system id the trace was made with.
pub const SYSTEM_ID: &str = "000.00.99.H44";

/// The secret the trace was made with (used as UTF-8 bytes).
pub const SECRET: &str = "c2VjcmV0c2VjcmV0";

/// The file the traced `sendEdoc` sent (1583 bytes; the body is this plus CRLF).
pub const SEND_EDOC_FILE: &[u8] =
    include_bytes!("../../../../tests/data/vpcp-sdk/status_processing_05.edxml");

/// The header section of the trace, verbatim (bodies described separately).
const TRACE: &str = r#"=== POST /sendEdoc
Content-Type: application/octet-stream
XroadVnpt-systemid: 000.00.99.H44
XroadVnpt-servicetype: eDoc
XroadVnpt-messagetype: edoc
XroadVnpt-hash-file: d9f356427bf19c4cfc633bed1359c7281ddc37f29666477b5481519c0a51fd7
XroadVnpt-from: 000.00.00.G22
XroadVnpt-to: "[\"000.00.00.H41\"]"
XroadVnpt-timestamp: 23112026T114833+0907
XroadVnpt-Content-Type: application/octet-stream
XroadVnpt-sign-header-key: systemid;servicetype;messagetype;hash-file;from;to;timestamp;Content-Type
XroadVnpt-sign-header: {"XroadVnpt-systemid":"000.00.99.H44","XroadVnpt-servicetype":"eDoc","XroadVnpt-messagetype":"edoc","XroadVnpt-hash-file":"d9f356427bf19c4cfc633bed1359c7281ddc37f29666477b5481519c0a51fd7","XroadVnpt-from":"000.00.00.G22","XroadVnpt-to":"\"[\\\"000.00.00.H41\\\"]\"","XroadVnpt-timestamp":"23112026T114833+0907","XroadVnpt-Content-Type":"application/octet-stream"}
XroadVnpt-hash-header: a8e2be1bb93add4108e0a69e35e17afac8a8aad06659d2206bffff46a0a934e0
User-Agent: JAVASDKAgent/1.0.0 XRoad/VPCP
XroadVnpt-version: 3.0.201608
Content-Length: 1585

=== POST /getReceivedEdocList
XroadVnpt-systemid: 000.00.99.H44
XroadVnpt-servicetype: eDoc
XroadVnpt-messagetype: edoc
XroadVnpt-timestamp: 23112026T114834+0109
Content-Type: application/json
XroadVnpt-Content-Type: application/json
XroadVnpt-sign-header-key: systemid;servicetype;messagetype;timestamp;Content-Type
XroadVnpt-sign-header: {"XroadVnpt-systemid":"000.00.99.H44","XroadVnpt-servicetype":"eDoc","XroadVnpt-messagetype":"edoc","XroadVnpt-timestamp":"23112026T114834+0109","XroadVnpt-Content-Type":"application/json"}
XroadVnpt-hash-header: 2872390c6c76474788f70de3e0a2a6abac63f3bcafd9507bcb36a5e5e200c951
User-Agent: JAVASDKAgent/1.0.0 XRoad/VPCP
XroadVnpt-version: 3.0.201608
Content-Length: 0

=== POST /getEdoc
XroadVnpt-systemid: 000.00.99.H44
XroadVnpt-docId: abc-123
XroadVnpt-filePath: /data/qlvb/inbox
XroadVnpt-timestamp: 23112026T114834+0538
Content-Type: application/json
XroadVnpt-Content-Type: application/json
XroadVnpt-sign-header-key: systemid;docId;filePath;timestamp;Content-Type
XroadVnpt-sign-header: {"XroadVnpt-systemid":"000.00.99.H44","XroadVnpt-docId":"abc-123","XroadVnpt-filePath":"/data/qlvb/inbox","XroadVnpt-timestamp":"23112026T114834+0538","XroadVnpt-Content-Type":"application/json"}
XroadVnpt-hash-header: 1f098df8389d2fa4c536d54675a61be3b5625bf0f8235dd7b3a5998a3d3fd8cd
User-Agent: JAVASDKAgent/1.0.0 XRoad/VPCP
XroadVnpt-version: 3.0.201608
Content-Length: 2

=== POST /updateStatus
XroadVnpt-systemid: 000.00.99.H44
XroadVnpt-docId: abc-123
XroadVnpt-timestamp: 23112026T114837+0984
Content-Type: application/json
XroadVnpt-Content-Type: application/json
XroadVnpt-status: done
XroadVnpt-sign-header-key: systemid;docId;timestamp;Content-Type;status
XroadVnpt-sign-header: {"XroadVnpt-systemid":"000.00.99.H44","XroadVnpt-docId":"abc-123","XroadVnpt-timestamp":"23112026T114837+0984","XroadVnpt-Content-Type":"application/json","XroadVnpt-status":"done"}
XroadVnpt-hash-header: 2f72965ca3e59a68f45f59c82934729db67eec19e78eacbf93ce4d2dbb22e40c
User-Agent: JAVASDKAgent/1.0.0 XRoad/VPCP
XroadVnpt-version: 3.0.201608
Content-Length: 2

=== POST /getAgenciesList
XroadVnpt-systemid: 000.00.99.H44
XroadVnpt-timestamp: 23112026T114841+0483
Content-Type: application/json
XroadVnpt-Content-Type: application/json
XroadVnpt-sign-header-key: systemid;timestamp;Content-Type
XroadVnpt-sign-header: {"XroadVnpt-systemid":"000.00.99.H44","XroadVnpt-timestamp":"23112026T114841+0483","XroadVnpt-Content-Type":"application/json"}
XroadVnpt-hash-header: 3f4864980c89b56bd458f07815055d39fe2c0212b6fd6b76f2c7eed4db776b9e
User-Agent: JAVASDKAgent/1.0.0 XRoad/VPCP
XroadVnpt-version: 3.0.201608
Content-Length: 0
"#;

/// One captured request.
#[derive(Debug, Clone)]
pub struct TracedRequest {
    /// Operation path segment, e.g. `sendEdoc`.
    pub op: String,
    /// Headers in wire order, as captured.
    pub headers: Vec<(String, String)>,
}

impl TracedRequest {
    /// The value of a header (exact name).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("trace of {} has no {name}", self.op))
    }

    /// The body the SDK sent with this request.
    pub fn body(&self) -> Vec<u8> {
        match self.op.as_str() {
            "sendEdoc" => [SEND_EDOC_FILE, b"\r\n"].concat(),
            "getEdoc" | "updateStatus" => b"{}".to_vec(),
            _ => Vec::new(),
        }
    }
}

/// Every captured request, in trace order.
pub fn requests() -> Vec<TracedRequest> {
    let mut out: Vec<TracedRequest> = Vec::new();
    for line in TRACE.lines() {
        if let Some(op) = line.strip_prefix("=== POST /") {
            out.push(TracedRequest {
                op: op.trim().to_owned(),
                headers: Vec::new(),
            });
        } else if let Some((name, value)) = line.split_once(": ")
            && let Some(current) = out.last_mut()
        {
            current.headers.push((name.to_owned(), value.to_owned()));
        }
    }
    out
}

/// The captured request of one operation.
pub fn request(op: &str) -> TracedRequest {
    requests()
        .into_iter()
        .find(|r| r.op == op)
        .unwrap_or_else(|| panic!("no {op} in the trace"))
}
