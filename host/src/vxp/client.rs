//! An asynchronous client of the national axis API that behaves like the Government Office's
//! Java SDK on the wire (§9.2–§9.4, `shared/domain/vxp-wire-trace.md`).
//!
//! Reproduced quirks: the header map in Java `HashMap` order with the signed JSON in the same
//! order ([`sdk`]); one timestamp per service object; optionally the sticky map of a reused
//! service object; the unpadded `hash-file` over the file; `sendEdoc` as the raw file + CRLF
//! under `application/octet-stream` with `Content-Type` first; `{}` bodies for `getEdoc`,
//! `updateStatus`, `deleteAgency` and the counts; empty bodies for list calls; the leaked
//! `filePath`; `to` as a JSON array or as a string holding one.
//!
//! One difference is imposed by hyper: header *names* go out in lower case (HTTP names are
//! case-insensitive; every value, including the case-sensitive keys inside `sign-header`, is
//! byte-identical). Answers are decoded leniently ([`crate::gateway::vxp::answer`]): extra
//! fields ignored, `ErrorCode` as a string or a number. Plain HTTP only.

pub mod sdk;

use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use chrono::Utc;
use http::header::{HOST, HeaderName, HeaderValue};
use http::{Method, Request, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use parking_lot::Mutex;
use serde::de::DeserializeOwned;
use tokio::net::TcpStream;

use crate::gateway::vxp::answer::{
    AgenciesAnswer, AgenciesQd20Answer, AgencyItem, AgencyQd20Item, Answer, BasicAnswer,
    CountAnswer, EdocAnswer, ErrorCode, ReceivedItem, ReceivedListAnswer, SendEdocAnswer, SentItem,
    SentListAnswer,
};
use crate::gateway::vxp::operation::Operation;
use crate::gateway::vxp::sign::{VxpSecret, format_sdk_timestamp};
use crate::gateway::vxp::wire::{MessageType, sdk_hash_file};
use sdk::SdkHeaderMap;

/// When the client sets `XroadVnpt-timestamp`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimestampMode {
    /// Once, when the client is created: the SDK's behaviour for one service object.
    PerClient,
    /// Anew for every call: an integrator creating a service object per call.
    PerCall,
    /// This exact value (tests reproducing a trace).
    Fixed(String),
}

/// How recipients are written into `XroadVnpt-to` (both forms occur in the field, §9.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToForm {
    /// The caller passed a JSON array: `["000.00.00.H41"]`.
    JsonArray,
    /// The caller passed a string holding the array: `"[\"000.00.00.H41\"]"` (as traced).
    JsonString,
}

/// Everything the client needs; [`ClientConfig::new`] gives the SDK's defaults.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// `service.endpoint`: `http://host[:port][/base]`; operations are appended as `/<op>`.
    pub endpoint: String,
    /// `systemid`.
    pub system_id: String,
    /// `secret`.
    pub secret: VxpSecret,
    /// Timestamp policy (default: once per client, like one SDK service object).
    pub timestamp: TimestampMode,
    /// Keep the header map across calls like a reused SDK service object, so a call resends
    /// the keys of earlier ones (default: false, a fresh map per call).
    pub reuse_service_object: bool,
    /// Form of `XroadVnpt-to` (default: JSON array).
    pub to_form: ToForm,
    /// Limit for one whole exchange.
    pub timeout: Duration,
    /// Largest answer read (a `getEdoc` answer holds a base64 package).
    pub max_answer_bytes: usize,
}

impl ClientConfig {
    /// A configuration with the SDK's behaviour and generous limits.
    pub fn new(
        endpoint: impl Into<String>,
        system_id: impl Into<String>,
        secret: VxpSecret,
    ) -> Self {
        ClientConfig {
            endpoint: endpoint.into(),
            system_id: system_id.into(),
            secret,
            timestamp: TimestampMode::PerClient,
            reuse_service_object: false,
            to_form: ToForm::JsonArray,
            timeout: Duration::from_secs(60),
            max_answer_bytes: 256 * 1024 * 1024,
        }
    }
}

/// One call and the values of its "JSON header" argument, in the order integrators pass them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call<'a> {
    /// `sendEdoc` of an edXML file.
    SendEdoc {
        /// Sending agency.
        from: &'a str,
        /// Recipients; empty sends no `to` (as the C# client does for status packages).
        to: &'a [&'a str],
        /// `servicetype`, normally `eDoc`.
        service_type: &'a str,
        /// `messagetype`.
        message_type: MessageType,
        /// The file's bytes.
        file: &'a [u8],
    },
    /// `getReceivedEdocList`.
    GetReceivedEdocList {
        /// `servicetype`.
        service_type: &'a str,
        /// `messagetype`.
        message_type: MessageType,
        /// `fromDate` (`dd/MM/yyyy HH:mm:ss`).
        from_date: Option<&'a str>,
        /// `toDate`.
        to_date: Option<&'a str>,
    },
    /// `getEdoc`.
    GetEdoc {
        /// The delivery.
        doc_id: &'a str,
        /// The SDK's local store directory, which it leaks as a header.
        file_path: Option<&'a str>,
    },
    /// `updateStatus`.
    UpdateStatus {
        /// The delivery.
        doc_id: &'a str,
        /// Keyword, `done` or `fail` for VPCP (§9.6).
        status: &'a str,
        /// Optional text.
        description: Option<&'a str>,
    },
    /// `getSentEdocList`.
    GetSentEdocList {
        /// `servicetype`.
        service_type: &'a str,
        /// `messagetype`.
        message_type: MessageType,
    },
    /// `getAgenciesList`.
    GetAgenciesList,
    /// `getAgenciesListQD20`.
    GetAgenciesListQd20,
    /// `registerAgency` with its JSON body.
    RegisterAgency {
        /// `{id?, pid, code, name, mail}` as JSON text.
        body: &'a str,
    },
    /// `deleteAgency`.
    DeleteAgency {
        /// `AgencyCode`.
        code: &'a str,
    },
    /// `countReceiveEdoc`.
    CountReceiveEdoc {
        /// `servicetype`.
        service_type: &'a str,
        /// `messagetype`.
        message_type: MessageType,
    },
}

impl Call<'_> {
    /// The operation this call goes to.
    pub fn operation(&self) -> Operation {
        match self {
            Call::SendEdoc { .. } => Operation::SendEdoc,
            Call::GetReceivedEdocList { .. } => Operation::GetReceivedEdocList,
            Call::GetEdoc { .. } => Operation::GetEdoc,
            Call::UpdateStatus { .. } => Operation::UpdateStatus,
            Call::GetSentEdocList { .. } => Operation::GetSentEdocList,
            Call::GetAgenciesList => Operation::GetAgenciesList,
            Call::GetAgenciesListQd20 => Operation::GetAgenciesListQd20,
            Call::RegisterAgency { .. } => Operation::RegisterAgency,
            Call::DeleteAgency { .. } => Operation::DeleteAgency,
            Call::CountReceiveEdoc { .. } => Operation::CountReceiveEdoc,
        }
    }
}

/// A request exactly as it will be sent, minus the `Host` header the transport adds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreparedRequest {
    /// The operation (path segment).
    pub operation: Operation,
    /// Headers in wire order, names as the SDK spells them, `Content-Length` last.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl PreparedRequest {
    /// The value of a header (exact name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An answer as received: HTTP status and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawAnswer {
    /// HTTP status code.
    pub http_status: u16,
    /// The body bytes.
    pub body: Bytes,
}

/// Why a call did not succeed; [`ClientError::is_permanent`] tells whether to retry.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The endpoint cannot be used.
    #[error("invalid VXP endpoint {endpoint:?}: {reason}")]
    InvalidEndpoint {
        /// As configured.
        endpoint: String,
        /// What is wrong.
        reason: String,
    },
    /// A value cannot be carried in an HTTP header.
    #[error("{what} cannot be sent in an HTTP header: it contains a control character")]
    InvalidArgument {
        /// Which value.
        what: String,
    },
    /// No TCP connection.
    #[error("cannot connect to the VXP endpoint {address}: {source}")]
    Connect {
        /// `host:port`.
        address: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The HTTP exchange broke off.
    #[error("HTTP exchange with {address} failed: {reason}")]
    Http {
        /// `host:port`.
        address: String,
        /// The cause.
        reason: String,
    },
    /// No complete answer in time.
    #[error("no answer from {address} within {seconds} s")]
    Timeout {
        /// `host:port`.
        address: String,
        /// The limit.
        seconds: u64,
    },
    /// The answer is larger than configured.
    #[error("the answer exceeds {limit} bytes")]
    AnswerTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The answer is not the SDK's JSON.
    #[error(
        "the answer to {operation} (HTTP {http_status}) is not VXP JSON: {reason}; it starts with {snippet:?}"
    )]
    BadAnswer {
        /// The call.
        operation: Operation,
        /// HTTP status.
        http_status: u16,
        /// Parser message.
        reason: String,
        /// Start of the body.
        snippet: String,
    },
    /// The axis answered with a non-zero `ErrorCode`.
    #[error("{operation} refused with ErrorCode {code} (HTTP {http_status}): {description}")]
    Refused {
        /// The call.
        operation: Operation,
        /// `ErrorCode` as sent.
        code: String,
        /// `ErrorDesc`.
        description: String,
        /// HTTP status.
        http_status: u16,
    },
    /// `getEdoc`'s `data` is not base64.
    #[error("the package in the getEdoc answer is not valid base64: {reason}")]
    BadPackage {
        /// Decoder message.
        reason: String,
    },
}

impl ClientError {
    /// The axis's code, when it refused the call with one truc knows.
    pub fn error_code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Refused { code, .. } => ErrorCode::from_wire(code),
            _ => None,
        }
    }

    /// Whether the same call cannot succeed later (format, auth, unknown recipient…).
    pub fn is_permanent(&self) -> bool {
        match self {
            ClientError::InvalidEndpoint { .. } | ClientError::InvalidArgument { .. } => true,
            ClientError::Refused { .. } => self.error_code().is_none_or(ErrorCode::is_permanent),
            ClientError::BadAnswer { http_status, .. } => (400..500).contains(http_status),
            _ => false,
        }
    }
}

/// A VXP client for one system id; cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct VxpClient {
    config: ClientConfig,
    address: String,
    authority: String,
    base_path: String,
    client_timestamp: String,
    shared_map: Mutex<Option<SdkHeaderMap>>,
}

impl VxpClient {
    /// Validates the endpoint; no connection is made yet.
    pub fn new(config: ClientConfig) -> Result<VxpClient, ClientError> {
        let bad = |reason: &str| ClientError::InvalidEndpoint {
            endpoint: config.endpoint.clone(),
            reason: reason.to_owned(),
        };
        let uri: Uri = config
            .endpoint
            .parse()
            .map_err(|e: http::uri::InvalidUri| bad(&e.to_string()))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some("https") => {
                return Err(bad("https is not supported by this client; use plain http"));
            }
            _ => return Err(bad("the endpoint must start with http://")),
        }
        let authority = uri
            .authority()
            .ok_or_else(|| bad("the endpoint has no host"))?
            .clone();
        if authority.as_str().contains('@') {
            return Err(bad("credentials in the endpoint are not supported"));
        }
        let address = format!(
            "{}:{}",
            authority.host(),
            authority.port_u16().unwrap_or(80)
        );
        if uri.query().is_some() {
            return Err(bad("the endpoint cannot have a query"));
        }
        let base_path = uri.path().trim_end_matches('/').to_owned();
        Ok(VxpClient {
            address,
            authority: authority.as_str().to_owned(),
            base_path,
            client_timestamp: format_sdk_timestamp(Utc::now()),
            shared_map: Mutex::new(None),
            config,
        })
    }

    /// Builds the exact request for a call, as the SDK would (headers in order, body).
    pub fn prepare(&self, call: &Call<'_>) -> Result<PreparedRequest, ClientError> {
        let timestamp = match &self.config.timestamp {
            TimestampMode::PerClient => self.client_timestamp.clone(),
            TimestampMode::PerCall => format_sdk_timestamp(Utc::now()),
            TimestampMode::Fixed(t) => t.clone(),
        };
        let mut shared = self.shared_map.lock();
        let mut map = match (self.config.reuse_service_object, shared.take()) {
            (true, Some(mut existing)) => {
                existing.put("timestamp", &timestamp);
                existing
            }
            _ => SdkHeaderMap::new(&timestamp, &self.config.system_id),
        };
        let (body, octet_stream) = fill(&mut map, call, self.config.to_form);
        if self.config.reuse_service_object {
            *shared = Some(map.clone());
        }
        drop(shared);

        let headers = sdk::headers(&map, &self.config.secret, octet_stream, body.len());
        for (name, value) in &headers {
            if value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
                return Err(ClientError::InvalidArgument { what: name.clone() });
            }
        }
        Ok(PreparedRequest {
            operation: call.operation(),
            headers,
            body,
        })
    }

    /// Sends a call and returns the raw answer, whatever its content.
    pub async fn call(&self, call: &Call<'_>) -> Result<RawAnswer, ClientError> {
        let prepared = self.prepare(call)?;
        self.send(&prepared).await
    }

    /// Sends a prepared request over a fresh connection, as the SDK does for every call.
    pub async fn send(&self, prepared: &PreparedRequest) -> Result<RawAnswer, ClientError> {
        let seconds = self.config.timeout.as_secs();
        match tokio::time::timeout(self.config.timeout, self.exchange(prepared)).await {
            Ok(result) => result,
            Err(_) => Err(ClientError::Timeout {
                address: self.address.clone(),
                seconds,
            }),
        }
    }

    async fn exchange(&self, prepared: &PreparedRequest) -> Result<RawAnswer, ClientError> {
        let http_err = |reason: String| ClientError::Http {
            address: self.address.clone(),
            reason,
        };
        let stream =
            TcpStream::connect(&self.address)
                .await
                .map_err(|source| ClientError::Connect {
                    address: self.address.clone(),
                    source,
                })?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake::<_, Full<Bytes>>(TokioIo::new(stream))
                .await
                .map_err(|e| http_err(e.to_string()))?;
        let driver = AbortOnDrop(tokio::spawn(async move {
            let _ = connection.await;
        }));

        let path = format!("{}/{}", self.base_path, prepared.operation.path());
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .body(Full::new(Bytes::from(prepared.body.clone())))
            .map_err(|e| http_err(e.to_string()))?;
        let headers = request.headers_mut();
        for (name, value) in &prepared.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| ClientError::InvalidArgument { what: name.clone() })?;
            let value = HeaderValue::from_bytes(value.as_bytes()).map_err(|_| {
                ClientError::InvalidArgument {
                    what: name.to_string(),
                }
            })?;
            headers.append(name, value);
        }
        let host =
            HeaderValue::from_str(&self.authority).map_err(|_| ClientError::InvalidArgument {
                what: "Host".into(),
            })?;
        headers.append(HOST, host);

        let response = sender
            .send_request(request)
            .await
            .map_err(|e| http_err(e.to_string()))?;
        let http_status = response.status().as_u16();
        let limit = self.config.max_answer_bytes;
        let body = Limited::new(response.into_body(), limit)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    ClientError::AnswerTooLarge { limit }
                } else {
                    http_err(e.to_string())
                }
            })?
            .to_bytes();
        drop(driver);
        Ok(RawAnswer { http_status, body })
    }

    async fn answer<P: DeserializeOwned>(&self, call: &Call<'_>) -> Result<Answer<P>, ClientError> {
        let operation = call.operation();
        let raw = self.call(call).await?;
        let answer: Answer<P> =
            serde_json::from_slice(&raw.body).map_err(|e| ClientError::BadAnswer {
                operation,
                http_status: raw.http_status,
                reason: e.to_string(),
                snippet: String::from_utf8_lossy(&raw.body[..raw.body.len().min(200)]).into_owned(),
            })?;
        if answer.is_success() {
            Ok(answer)
        } else {
            Err(ClientError::Refused {
                operation,
                code: answer.error_code,
                description: answer.error_desc,
                http_status: raw.http_status,
            })
        }
    }

    /// Sends an edXML file; returns the axis's `DocId` for it.
    pub async fn send_edoc(
        &self,
        from: &str,
        to: &[&str],
        message_type: MessageType,
        file: &[u8],
    ) -> Result<String, ClientError> {
        let call = Call::SendEdoc {
            from,
            to,
            service_type: "eDoc",
            message_type,
            file,
        };
        let answer: SendEdocAnswer = self.answer(&call).await?;
        Ok(answer.payload.doc_id)
    }

    /// Lists the caller's mailbox of `message_type`, optionally between two dates.
    pub async fn get_received_edoc_list(
        &self,
        message_type: MessageType,
        from_date: Option<&str>,
        to_date: Option<&str>,
    ) -> Result<Vec<ReceivedItem>, ClientError> {
        let call = Call::GetReceivedEdocList {
            service_type: "eDoc",
            message_type,
            from_date,
            to_date,
        };
        let answer: ReceivedListAnswer = self.answer(&call).await?;
        Ok(answer.payload.data)
    }

    /// Fetches one package; `file_path` is leaked as a header as the SDK does.
    pub async fn get_edoc(
        &self,
        doc_id: &str,
        file_path: Option<&str>,
    ) -> Result<Vec<u8>, ClientError> {
        let answer: EdocAnswer = self.answer(&Call::GetEdoc { doc_id, file_path }).await?;
        // Commons-codec, which the SDK decodes with, skips line breaks and tolerates no padding.
        let compact: Vec<u8> = answer
            .payload
            .data
            .bytes()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT
            .decode(compact)
            .map_err(|e| ClientError::BadPackage {
                reason: e.to_string(),
            })
    }

    /// Acknowledges a delivery (`done`, `fail`, …).
    pub async fn update_status(
        &self,
        doc_id: &str,
        status: &str,
        description: Option<&str>,
    ) -> Result<(), ClientError> {
        let call = Call::UpdateStatus {
            doc_id,
            status,
            description,
        };
        self.answer::<crate::gateway::vxp::answer::NoPayload>(&call)
            .await
            .map(|_: BasicAnswer| ())
    }

    /// Per-recipient tracking of what the caller sent.
    pub async fn get_sent_edoc_list(
        &self,
        message_type: MessageType,
    ) -> Result<Vec<SentItem>, ClientError> {
        let call = Call::GetSentEdocList {
            service_type: "eDoc",
            message_type,
        };
        let answer: SentListAnswer = self.answer(&call).await?;
        Ok(answer.payload.data)
    }

    /// The directory.
    pub async fn get_agencies_list(&self) -> Result<Vec<AgencyItem>, ClientError> {
        let answer: AgenciesAnswer = self.answer(&Call::GetAgenciesList).await?;
        Ok(answer.payload.data)
    }

    /// The directory with QĐ 20 codes.
    pub async fn get_agencies_list_qd20(&self) -> Result<Vec<AgencyQd20Item>, ClientError> {
        let answer: AgenciesQd20Answer = self.answer(&Call::GetAgenciesListQd20).await?;
        Ok(answer.payload.data)
    }

    /// Registers an agency; `body` is `{id?, pid, code, name, mail}` as JSON.
    pub async fn register_agency(&self, body: &serde_json::Value) -> Result<(), ClientError> {
        let text = body.to_string();
        let answer: BasicAnswer = self.answer(&Call::RegisterAgency { body: &text }).await?;
        drop(answer);
        Ok(())
    }

    /// Deletes an agency by code.
    pub async fn delete_agency(&self, code: &str) -> Result<(), ClientError> {
        let answer: BasicAnswer = self.answer(&Call::DeleteAgency { code }).await?;
        drop(answer);
        Ok(())
    }

    /// Counts pending packages of `message_type`.
    pub async fn count_receive_edoc(&self, message_type: MessageType) -> Result<u64, ClientError> {
        let call = Call::CountReceiveEdoc {
            service_type: "eDoc",
            message_type,
        };
        let answer: CountAnswer = self.answer(&call).await?;
        Ok(answer.payload.count)
    }
}

/// Puts a call's keys into the map in the SDK's order; returns the body and whether the
/// request is `sendEdoc`'s octet stream.
fn fill(map: &mut SdkHeaderMap, call: &Call<'_>, to_form: ToForm) -> (Vec<u8>, bool) {
    const JSON: &str = "application/json";
    match call {
        Call::SendEdoc {
            from,
            to,
            service_type,
            message_type,
            file,
        } => {
            map.put("Content-Type", "application/octet-stream");
            map.put("from", from);
            map.put("servicetype", service_type);
            map.put("messagetype", message_type.as_str());
            if !to.is_empty() {
                let array = sdk::gson_string_array(to);
                let value = match to_form {
                    ToForm::JsonArray => array,
                    // JsonPrimitive.toString() of the caller's string: quoted and escaped.
                    ToForm::JsonString => sdk::gson_string(&array),
                };
                map.put("to", &value);
            }
            map.put("hash-file", &sdk_hash_file(file));
            ([*file, b"\r\n"].concat(), true)
        }
        Call::GetReceivedEdocList {
            service_type,
            message_type,
            from_date,
            to_date,
        } => {
            map.put("Content-Type", JSON);
            map.put("servicetype", service_type);
            map.put("messagetype", message_type.as_str());
            if let Some(d) = from_date {
                map.put("fromDate", d);
            }
            if let Some(d) = to_date {
                map.put("toDate", d);
            }
            (Vec::new(), false)
        }
        Call::GetEdoc { doc_id, file_path } => {
            map.put("Content-Type", JSON);
            map.put("docId", doc_id);
            if let Some(p) = file_path {
                map.put("filePath", p);
            }
            (b"{}".to_vec(), false)
        }
        Call::UpdateStatus {
            doc_id,
            status,
            description,
        } => {
            map.put("Content-Type", JSON);
            map.put("docId", doc_id);
            map.put("status", status);
            if let Some(d) = description {
                map.put("description", d);
            }
            (b"{}".to_vec(), false)
        }
        Call::GetSentEdocList {
            service_type,
            message_type,
        } => {
            map.put("Content-Type", JSON);
            map.put("servicetype", service_type);
            map.put("messagetype", message_type.as_str());
            (Vec::new(), false)
        }
        Call::GetAgenciesList | Call::GetAgenciesListQd20 => {
            map.put("Content-Type", JSON);
            (Vec::new(), false)
        }
        Call::RegisterAgency { body } => {
            map.put("Content-Type", JSON);
            (body.as_bytes().to_vec(), false)
        }
        Call::DeleteAgency { code } => {
            map.put("Content-Type", JSON);
            map.put("AgencyCode", code);
            (b"{}".to_vec(), false)
        }
        Call::CountReceiveEdoc {
            service_type,
            message_type,
        } => {
            map.put("Content-Type", JSON);
            map.put("servicetype", service_type);
            map.put("messagetype", message_type.as_str());
            (b"{}".to_vec(), false)
        }
    }
}

/// Stops the connection task when the exchange ends or is abandoned (timeout, error).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests;
