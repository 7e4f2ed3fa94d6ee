//! The REST API of endpoints (`/api/v1`): send packages, read and acknowledge the mailbox,
//! follow documents, look up the directory, push legacy payloads through the endpoint's adapter.
//! Handlers only extract, call one domain function and map its error.

use axum::body::Body;
use axum::extract::State;

use super::extract::{Json, Path, Query};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sqlx::Row;

use super::AppState;
use super::auth::EndpointAuth;
use super::error::ApiError;
use super::spool::{Received, spool_body};
use crate::directory::{Agency, AgencyFilter};
use crate::exchange::audit::Entry;
use crate::exchange::mailbox::{Ack, MailboxFilter, MailboxItem};
use crate::exchange::{Receipt, doc_key};
use crate::runtime::{CallError, Payload};

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => {
            let v = v
                .to_str()
                .map_err(|_| ApiError::bad_request("Idempotency-Key must be ASCII"))?
                .trim();
            if v.is_empty() || v.len() > 200 {
                return Err(ApiError::bad_request(
                    "Idempotency-Key must be 1-200 characters",
                ));
            }
            Ok(Some(format!("key:{v}")))
        }
    }
}

/// Send an edXML package (document or status).
#[utoipa::path(post, path = "/api/v1/packages", tag = "packages",
    request_body(content = String, content_type = "application/xml", description = "An edXML package of QCVN 102:2016, any dialect."),
    params(("Idempotency-Key" = Option<String>, Header, description = "Resending with the same key returns the first receipt. A key another system's package already holds is refused (409).")),
    responses(
        (status = 201, description = "Accepted and stored; one delivery per receiver.", body = Receipt),
        (status = 200, description = "Already accepted earlier; nothing stored twice.", body = Receipt),
        (status = 400, body = super::error::ErrorBody), (status = 401, body = super::error::ErrorBody),
        (status = 403, body = super::error::ErrorBody),
        (status = 409, description = "The Idempotency-Key is another system's; nothing stored.", body = super::error::ErrorBody),
        (status = 422, body = super::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn send_package(
    State(s): State<AppState>,
    auth: EndpointAuth,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    let key = idempotency_key(&headers)?;
    let receipt = match spool_body(body, s.max_body).await? {
        Received::Memory(bytes) => s.exchange.submit_bytes(&auth.caller, bytes, key).await?,
        Received::File(file) => s.exchange.submit(&auth.caller, file, key).await?,
    };
    s.metrics.packages_accepted(&receipt);
    let status = if receipt.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(receipt)))
}

/// Mailbox query parameters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct MailboxQuery {
    /// `document` or `status`.
    pub kind: Option<String>,
    /// Only deliveries after this delivery id.
    pub after: Option<String>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<u32>,
    /// Include acknowledged deliveries.
    #[serde(default)]
    pub include_delivered: bool,
}

/// List what waits in the caller's mailbox, oldest first.
#[utoipa::path(get, path = "/api/v1/mailbox", tag = "mailbox", params(MailboxQuery),
    responses((status = 200, body = Vec<MailboxItem>), (status = 401, body = super::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn mailbox(
    State(s): State<AppState>,
    auth: EndpointAuth,
    Query(q): Query<MailboxQuery>,
) -> Result<Json<Vec<MailboxItem>>, ApiError> {
    if let Some(k) = &q.kind
        && k != "document"
        && k != "status"
    {
        return Err(ApiError::bad_request("kind must be `document` or `status`"));
    }
    let filter = MailboxFilter {
        kind: q.kind,
        include_delivered: q.include_delivered,
        after: q.after,
        limit: q.limit,
        ..MailboxFilter::default()
    };
    Ok(Json(s.exchange.mailbox(&auth.caller, &filter).await?))
}

/// Fetch a delivery's package as canonical edXML (it stays in the mailbox until acknowledged).
#[utoipa::path(get, path = "/api/v1/mailbox/{delivery_id}", tag = "mailbox",
    params(("delivery_id" = String, Path, description = "The delivery id from the mailbox list")),
    responses((status = 200, content_type = "application/xml", body = String), (status = 404, body = super::error::ErrorBody), (status = 410, body = super::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn fetch(
    State(s): State<AppState>,
    auth: EndpointAuth,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (item, loaded) = s.exchange.fetch(&auth.caller, &id).await?;
    let bytes = tokio::task::spawn_blocking(move || loaded.to_edxml())
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/xml; charset=utf-8".to_owned(),
            ),
            (
                header::HeaderName::from_static("x-truc-delivery-id"),
                item.delivery_id,
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Fetch a delivery's package in the caller's legacy format, encoded by its adapter.
#[utoipa::path(get, path = "/api/v1/mailbox/{delivery_id}/native", tag = "mailbox",
    params(("delivery_id" = String, Path, description = "The delivery id")),
    responses((status = 200, description = "The legacy format"), (status = 404, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn fetch_native(
    State(s): State<AppState>,
    auth: EndpointAuth,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (item, loaded) = s.exchange.fetch(&auth.caller, &id).await?;
    let generation = s
        .adapters
        .for_endpoint(auth.caller.endpoint_id)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "no-adapter",
                "this endpoint has no adapter; fetch the edXML form instead",
            )
        })?;
    let message = loaded.to_message().map_err(ApiError::internal)?;
    let payload = generation.encode(&message).await.map_err(adapter_error)?;
    let bytes = payload.body.to_bytes().map_err(ApiError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, payload.content_type),
            (
                header::HeaderName::from_static("x-truc-delivery-id"),
                item.delivery_id,
            ),
        ],
        bytes,
    )
        .into_response())
}

/// How a receiver acknowledges.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AckBody {
    /// `done` (the system took it) or `failed` (keep it in the mailbox).
    #[serde(default = "AckBody::done")]
    pub outcome: String,
    /// Why, when failed.
    #[serde(default)]
    pub reason: String,
}

impl AckBody {
    fn done() -> String {
        "done".into()
    }
}

/// Acknowledge a delivery; acknowledging again changes nothing.
#[utoipa::path(post, path = "/api/v1/mailbox/{delivery_id}/ack", tag = "mailbox",
    params(("delivery_id" = String, Path, description = "The delivery id")),
    request_body(content = Option<AckBody>, content_type = "application/json"),
    responses((status = 200, body = MailboxItem), (status = 404, body = super::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn acknowledge(
    State(s): State<AppState>,
    auth: EndpointAuth,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<MailboxItem>, ApiError> {
    let body: Option<AckBody> = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        Some(
            serde_json::from_slice(&body)
                .map_err(|e| ApiError::bad_request(format!("the JSON body is not valid: {e}")))?,
        )
    };
    let ack = match body {
        None => Ack::Done,
        Some(b) if b.outcome == "done" => Ack::Done,
        Some(b) if b.outcome == "failed" => Ack::Failed(b.reason),
        Some(b) => {
            return Err(ApiError::bad_request(format!(
                "outcome `{}` is neither `done` nor `failed`",
                b.outcome
            )));
        }
    };
    Ok(Json(s.exchange.acknowledge(&auth.caller, &id, ack).await?))
}

/// Which document's timeline.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct TimelineQuery {
    /// The DocumentId, e.g. `000.00.00.G22,2026/11/20,7816/VPCP-TTĐT`.
    pub document_id: String,
    /// Its sender; by default the DocumentId's first part.
    pub sender: Option<String>,
}

/// One document's history across all receivers (for endpoints that sent or received it).
#[utoipa::path(get, path = "/api/v1/documents/timeline", tag = "documents", params(TimelineQuery),
    responses((status = 200, body = Vec<Entry>), (status = 404, body = super::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn timeline(
    State(s): State<AppState>,
    auth: EndpointAuth,
    Query(q): Query<TimelineQuery>,
) -> Result<Json<Vec<Entry>>, ApiError> {
    let sender = q
        .sender
        .clone()
        .or_else(|| q.document_id.split(',').next().map(str::to_owned))
        .unwrap_or_default();
    let key = doc_key(&sender, &q.document_id);
    // Only endpoints that sent the document or received any package about it may read it.
    let involved = sqlx::query(
        "SELECT 1 AS yes FROM packages p WHERE p.doc_key = $1 AND (p.endpoint_id = $2 OR EXISTS \
         (SELECT 1 FROM deliveries d WHERE d.package_id = p.id AND d.endpoint_id = $2)) LIMIT 1",
    )
    .bind(&key)
    .bind(auth.caller.endpoint_id)
    .fetch_optional(s.exchange.store().pool())
    .await
    .map_err(ApiError::internal)?;
    if involved.is_none() {
        return Err(ApiError::not_found(format!(
            "no document {} from {sender} that this endpoint sent or received",
            q.document_id
        )));
    }
    Ok(Json(
        crate::exchange::audit::timeline(s.exchange.store(), &key).await?,
    ))
}

/// Directory query.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct AgencyQuery {
    /// Only codes starting with this.
    pub prefix: Option<String>,
    /// Only direct children of this code.
    pub parent: Option<String>,
    /// Only codes after this one.
    pub after: Option<String>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<u32>,
}

/// Look up agencies.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "directory", params(AgencyQuery),
    responses((status = 200, body = Vec<Object>)), security(("api_key" = [])))]
pub async fn agencies(
    State(s): State<AppState>,
    _auth: EndpointAuth,
    Query(q): Query<AgencyQuery>,
) -> Result<Json<Vec<Agency>>, ApiError> {
    let filter = AgencyFilter {
        prefix: q.prefix,
        parent: q.parent,
        after: q.after,
        limit: Some(q.limit.unwrap_or(100).clamp(1, 1000)),
        endpoint: None,
    };
    Ok(Json(s.directory.list(&filter).await?))
}

/// Look up one agency (also by a former code).
#[utoipa::path(get, path = "/api/v1/agencies/{code}", tag = "directory",
    params(("code" = String, Path, description = "QCVN 102 code")),
    responses((status = 200, body = Object), (status = 404, body = super::error::ErrorBody)), security(("api_key" = [])))]
pub async fn agency(
    State(s): State<AppState>,
    _auth: EndpointAuth,
    Path(code): Path<String>,
) -> Result<Json<Agency>, ApiError> {
    s.directory
        .agency(&code)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no agency has the code {code}")))
}

/// Maps an adapter call failure to HTTP: the input's fault is 422, the adapter's or the hub's
/// 502/503.
pub fn adapter_error(e: CallError) -> ApiError {
    let message = e.to_string();
    match &e {
        CallError::Adapter { failure, .. } => match failure.kind {
            crate::runtime::AdapterErrorKind::Transient => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "adapter-transient",
                message,
            ),
            _ => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "adapter-refused", message),
        },
        CallError::Busy | CallError::CircuitOpen { .. } | CallError::Host { .. } => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "adapter-unavailable",
            message,
        ),
        _ => ApiError::new(StatusCode::BAD_GATEWAY, "adapter-failed", message),
    }
}

/// Push a payload in the legacy format of endpoint `name`; its adapter decodes it and each
/// message is accepted as if sent in edXML.
#[utoipa::path(post, path = "/api/v1/endpoints/{name}/inbound", tag = "packages",
    params(("name" = String, Path, description = "The calling endpoint's own name")),
    request_body(content = String, description = "The legacy system's own format"),
    responses((status = 201, body = Vec<Receipt>), (status = 403, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn inbound(
    State(s): State<AppState>,
    auth: EndpointAuth,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Vec<Receipt>>), ApiError> {
    if name != auth.endpoint.name {
        return Err(ApiError::forbidden(format!(
            "endpoint `{}` may push only to its own inbound path",
            auth.endpoint.name
        )));
    }
    let generation = s
        .adapters
        .for_endpoint(auth.caller.endpoint_id)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "no-adapter",
                "this endpoint has no adapter; send edXML to /api/v1/packages instead",
            )
        })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    let key = idempotency_key(&headers)?;
    let bytes = axum::body::to_bytes(body, s.max_body)
        .await
        .map_err(|e| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", e.to_string()))?;
    let messages = generation
        .decode(&Payload::from_bytes(content_type, bytes))
        .await
        .map_err(adapter_error)?;
    let mut receipts = Vec::with_capacity(messages.len());
    for (i, m) in messages.into_iter().enumerate() {
        let transport = key.as_ref().map(|k| format!("{k}#{i}"));
        let r = s
            .exchange
            .submit_message(&auth.caller, m, transport)
            .await?;
        s.metrics.packages_accepted(&r);
        receipts.push(r);
    }
    Ok((StatusCode::CREATED, Json(receipts)))
}

/// Counts by state, for `/metrics` and the console.
pub async fn counts(s: &AppState) -> Result<Vec<(String, String, i64)>, ApiError> {
    let pool = s.exchange.store().pool();
    let mut out = Vec::new();
    for r in sqlx::query("SELECT kind, COUNT(*) AS n FROM packages GROUP BY kind")
        .fetch_all(pool)
        .await
        .map_err(ApiError::internal)?
    {
        out.push((
            "packages".into(),
            r.try_get::<String, _>("kind").map_err(ApiError::internal)?,
            r.try_get("n").map_err(ApiError::internal)?,
        ));
    }
    for r in sqlx::query("SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state")
        .fetch_all(pool)
        .await
        .map_err(ApiError::internal)?
    {
        out.push((
            "deliveries".into(),
            r.try_get::<String, _>("state")
                .map_err(ApiError::internal)?,
            r.try_get("n").map_err(ApiError::internal)?,
        ));
    }
    Ok(out)
}
