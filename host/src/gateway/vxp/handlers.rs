//! The national axis's operations under `/vxp/{operation}`, for QLVB systems built on the
//! Government Office's SDK: verify (HMAC over the signed headers, replay), parse, call the
//! exchange, answer in the exact JSON the SDK parses.
//!
//! The SDK's `docId` is, on the receiving side, the hub's delivery id (one per receiver); on
//! the sending side `sendEdoc` answers with the package's transport id.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use super::answer::{self, AgencyItem, BasicAnswer, ErrorCode, NoPayload, ReceivedItem, SentItem};
use super::auth::{Claim, Verified};
use super::operation::Operation;
use super::sign::VxpSecret;
use super::wire::{
    AckStatus, AgencyRegistration, DeleteAgency, GetEdoc, ListQuery, MessageType, SendEdoc,
    UpdateStatus,
};
use crate::directory::{AgencyFilter, NewAgency};
use crate::exchange::mailbox::{Ack, MailboxError, MailboxFilter};
use crate::exchange::{Caller, IngestError};
use crate::gateway::AppState;

/// The VXP routes (mounted under `/vxp`).
pub fn router() -> Router<AppState> {
    Router::new().route("/{operation}", post(handle).get(handle))
}

/// A VXP answer: the SDK's JSON, every non-ASCII character escaped (the SDK reads some
/// answers as US-ASCII).
fn reply<T: Serialize>(status: StatusCode, answer: &T) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        answer::to_body(answer),
    )
        .into_response()
}

fn fail(op: Operation, code: ErrorCode, description: impl std::fmt::Display) -> Response {
    let status = StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    reply(status, &answer::failure(op, code, description))
}

fn millis(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(answer::vxp_time)
        .unwrap_or_default()
}

async fn handle(
    State(s): State<AppState>,
    Path(operation): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(op) = Operation::from_path(&operation) else {
        let known = "sendEdoc, getReceivedEdocList, getEdoc, updateStatus, getSentEdocList, getAgenciesList, getAgenciesListQD20, registerAgency, deleteAgency, countReceiveEdoc, countReceiveStatus";
        return reply(
            StatusCode::NOT_FOUND,
            &BasicAnswer::failure(
                ErrorCode::NotFound,
                format!("unknown operation `{operation}`; the axis offers {known}"),
            ),
        );
    };
    let claim = match Claim::from_headers(op, &headers) {
        Ok(c) => c,
        Err(e) => return fail(op, ErrorCode::from(&e), e),
    };
    let found = match s
        .directory
        .endpoint_by_vxp_system(claim.system_id().as_str())
        .await
    {
        Ok(f) => f,
        Err(e) => {
            return fail(
                op,
                ErrorCode::Internal,
                format!("directory unavailable: {e}"),
            );
        }
    };
    let secret = found
        .as_ref()
        .map(|(_, secret)| VxpSecret::new(secret.clone()));
    let verified = match s.vxp_verifier.verify(claim, secret.as_ref(), &body) {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(operation = op.path(), "VXP request refused: {e}");
            return fail(op, ErrorCode::from(&e), e);
        }
    };
    let Some((endpoint, _)) = found else {
        return fail(op, ErrorCode::Unauthenticated, "unknown system id");
    };
    let caller = Caller {
        endpoint_id: endpoint.id,
        name: endpoint.name.clone(),
    };
    match op {
        Operation::SendEdoc => send_edoc(&s, &caller, verified, &headers, &body).await,
        Operation::GetReceivedEdocList => received_list(&s, &caller, verified).await,
        Operation::GetEdoc => get_edoc(&s, &caller, verified).await,
        Operation::UpdateStatus => update_status(&s, &caller, verified).await,
        Operation::GetSentEdocList => sent_list(&s, &caller, verified).await,
        Operation::GetAgenciesList => agencies(&s, verified, false).await,
        Operation::GetAgenciesListQd20 => agencies(&s, verified, true).await,
        Operation::RegisterAgency => register_agency(&s, &caller, verified, &body).await,
        Operation::DeleteAgency => delete_agency(&s, &caller, verified).await,
        Operation::CountReceiveEdoc => count(&s, &caller, verified, MessageType::Edoc).await,
        Operation::CountReceiveStatus => count(&s, &caller, verified, MessageType::Status).await,
    }
}

fn ingest_failure(op: Operation, e: &IngestError) -> Response {
    let code = match e {
        IngestError::Unreadable(_) => ErrorCode::InvalidPackage,
        IngestError::Invalid(_) => ErrorCode::InvalidEdxml,
        // A policy refusal is a package the axis does not take as it is (§9: error 22).
        IngestError::Refused(_) => ErrorCode::InvalidEdxml,
        IngestError::Forbidden { .. } => ErrorCode::SenderNotHosted,
        IngestError::UnknownReceivers(_) => ErrorCode::UnknownRecipient,
        IngestError::UnknownDocument { .. } => ErrorCode::NotFound,
        IngestError::NotAllowed { .. } => ErrorCode::Forbidden,
        // The SDK never names a transport id (the hub gives one); for any other caller it is
        // a field it set wrongly.
        IngestError::TransportIdTaken(_) => ErrorCode::BadRequest,
        IngestError::Store(_) | IngestError::Internal(_) => ErrorCode::Internal,
    };
    fail(op, code, e)
}

async fn send_edoc(
    s: &AppState,
    caller: &Caller,
    verified: Verified,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    let op = Operation::SendEdoc;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let send = match SendEdoc::parse(verified.headers(), content_type, body) {
        Ok(p) => p,
        Err(e) => return fail(op, ErrorCode::from(&e), e),
    };
    // The signed `from` must be an agency this system hosts; the package's own From is checked
    // again by the exchange.
    match crate::exchange::route::host_of(
        &mut *match s.exchange.store().pool().acquire().await {
            Ok(c) => c,
            Err(e) => return fail(op, ErrorCode::Internal, e),
        },
        send.from.as_str(),
    )
    .await
    {
        Ok(Some(id)) if id == caller.endpoint_id => {}
        Ok(_) => {
            return fail(
                op,
                ErrorCode::SenderNotHosted,
                format!("system {} does not host agency {}", caller.name, send.from),
            );
        }
        Err(e) => return fail(op, ErrorCode::Internal, e),
    }
    let package = send.package.to_vec();
    match s.exchange.submit_bytes(caller, package, None).await {
        Ok(receipt) => {
            s.metrics.packages_accepted(&receipt);
            s.push_now.notify_one();
            verified.commit();
            reply(StatusCode::OK, &answer::send_edoc_ok(receipt.transport_id))
        }
        Err(e) => ingest_failure(op, &e),
    }
}

async fn received_list(s: &AppState, caller: &Caller, verified: Verified) -> Response {
    let op = Operation::GetReceivedEdocList;
    let q = match ListQuery::parse(verified.headers()) {
        Ok(q) => q,
        Err(e) => return fail(op, ErrorCode::from(&e), e),
    };
    let filter = MailboxFilter {
        kind: Some(
            if q.message_type == MessageType::Edoc {
                "document"
            } else {
                "status"
            }
            .into(),
        ),
        limit: Some(1000),
        since: q.from_date.map(|d| d.timestamp_millis()),
        until: q.to_date.map(|d| d.timestamp_millis()),
        ..MailboxFilter::default()
    };
    match s.exchange.mailbox(caller, &filter).await {
        Ok(items) => {
            let items: Vec<ReceivedItem> = items
                .into_iter()
                .map(|i| ReceivedItem {
                    doc_id: i.delivery_id,
                    service_type: "eDoc".into(),
                    message_type: q.message_type.as_str().into(),
                    created_time: millis(i.created_at),
                    updated_time: millis(i.delivered_at.unwrap_or(i.created_at)),
                    from: i.sender,
                    to: i.receiver,
                    status: "initial".into(),
                    status_desc: "Chờ nhận".into(),
                })
                .collect();
            verified.commit();
            reply(StatusCode::OK, &answer::list_ok(items))
        }
        Err(e) => fail(op, ErrorCode::Internal, e),
    }
}

fn mailbox_failure(op: Operation, e: &MailboxError) -> Response {
    match e {
        // Another system's docId is answered as absent: its existence is not revealed.
        MailboxError::NotFound(_) | MailboxError::Cancelled(_) => fail(op, ErrorCode::NotFound, e),
        _ => fail(op, ErrorCode::Internal, e),
    }
}

async fn get_edoc(s: &AppState, caller: &Caller, verified: Verified) -> Response {
    let op = Operation::GetEdoc;
    let get = match GetEdoc::parse(verified.headers()) {
        Ok(g) => g,
        Err(e) => return fail(op, ErrorCode::from(&e), e),
    };
    let (_, loaded) = match s.exchange.fetch(caller, get.doc_id.as_str()).await {
        Ok(f) => f,
        Err(e) => return mailbox_failure(op, &e),
    };
    match tokio::task::spawn_blocking(move || loaded.to_edxml()).await {
        Ok(Ok(bytes)) => {
            verified.commit();
            reply(StatusCode::OK, &answer::edoc_ok(&bytes))
        }
        Ok(Err(e)) => fail(op, ErrorCode::Internal, e),
        Err(e) => fail(op, ErrorCode::Internal, e),
    }
}

async fn update_status(s: &AppState, caller: &Caller, verified: Verified) -> Response {
    let op = Operation::UpdateStatus;
    let u = match UpdateStatus::parse(verified.headers()) {
        Ok(u) => u,
        Err(e) => return fail(op, ErrorCode::from(&e), e),
    };
    // `fail` keeps the package in the mailbox; every other keyword (§9.6) means the system has it.
    let ack = match u.status {
        AckStatus::Fail => Ack::Failed(
            u.description
                .unwrap_or_else(|| "the receiving system reported `fail`".into()),
        ),
        _ => Ack::Done,
    };
    match s.exchange.acknowledge(caller, u.doc_id.as_str(), ack).await {
        Ok(_) => {
            verified.commit();
            reply(StatusCode::OK, &BasicAnswer::ok(NoPayload {}))
        }
        Err(e) => mailbox_failure(op, &e),
    }
}

async fn sent_list(s: &AppState, caller: &Caller, verified: Verified) -> Response {
    let op = Operation::GetSentEdocList;
    let q = match ListQuery::parse(verified.headers()) {
        Ok(q) => q,
        Err(e) => return fail(op, ErrorCode::from(&e), e),
    };
    let kind = if q.message_type == MessageType::Edoc {
        "document"
    } else {
        "status"
    };
    let rows = sqlx::query(
        "SELECT p.transport_id, p.sender, p.subject, p.document_id, p.received_at, d.id AS delivery_id, d.receiver, \
         d.state, d.delivered_at, r.status AS business_status \
         FROM packages p JOIN deliveries d ON d.package_id = p.id \
         LEFT JOIN receipts r ON r.package_id = p.id AND r.receiver = d.receiver \
         WHERE p.endpoint_id = $1 AND p.kind = $2 AND p.received_at >= $3 AND p.received_at < $4 \
         ORDER BY p.id DESC, d.receiver LIMIT 5000",
    )
    .bind(caller.endpoint_id)
    .bind(kind)
    .bind(q.from_date.map_or(0, |d| d.timestamp_millis()))
    .bind(q.to_date.map_or(i64::MAX, |d| d.timestamp_millis()))
    .fetch_all(s.exchange.store().pool())
    .await;
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return fail(op, ErrorCode::Internal, e),
    };
    let items: Vec<SentItem> = rows
        .iter()
        .map(|r| {
            let get = |c: &str| r.try_get::<String, _>(c).unwrap_or_default();
            let state = get("state");
            let status: Option<String> = r.try_get("business_status").ok().flatten();
            let notation = get("document_id")
                .splitn(3, ',')
                .nth(2)
                .unwrap_or_default()
                .to_owned();
            SentItem {
                service_type: "eDoc".into(),
                message_type: q.message_type.as_str().into(),
                sender_doc_id: get("transport_id"),
                receiver_doc_id: get("delivery_id"),
                from_code: get("sender"),
                to_code: get("receiver"),
                title: get("subject"),
                notation,
                sent_time: millis(r.try_get("received_at").unwrap_or_default()),
                received_time: r
                    .try_get::<Option<i64>, _>("delivered_at")
                    .ok()
                    .flatten()
                    .map(millis)
                    .unwrap_or_default(),
                send_status: "sent".into(),
                send_status_desc: "Đã gửi".into(),
                receive_status: status.clone().unwrap_or_else(|| state.clone()),
                receive_status_desc: match (status.as_deref(), state.as_str()) {
                    (Some(c), _) => format!("Trạng thái {c}"),
                    (None, "delivered") => "Đã nhận".into(),
                    (None, "cancelled") => "Đã thu hồi".into(),
                    (None, "dead") => "Không chuyển được".into(),
                    _ => "Chờ nhận".into(),
                },
            }
        })
        .collect();
    verified.commit();
    reply(StatusCode::OK, &answer::list_ok(items))
}

async fn agencies(s: &AppState, verified: Verified, qd20: bool) -> Response {
    let op = if qd20 {
        Operation::GetAgenciesListQd20
    } else {
        Operation::GetAgenciesList
    };
    let list = match s.directory.list(&AgencyFilter::default()).await {
        Ok(l) => l,
        Err(e) => return fail(op, ErrorCode::Internal, e),
    };
    verified.commit();
    if qd20 {
        let items: Vec<answer::AgencyQd20Item> = list
            .into_iter()
            .filter(|a| a.qd20_code.is_some())
            .map(|a| answer::AgencyQd20Item {
                id: a.code.clone(),
                code: a.qd20_code.unwrap_or_default(),
                name: a.name,
                mail: (!a.email.is_empty()).then_some(a.email),
                code102: Some(a.code),
            })
            .collect();
        reply(StatusCode::OK, &answer::list_ok(items))
    } else {
        let items: Vec<AgencyItem> = list
            .into_iter()
            .map(|a| AgencyItem {
                id: a.code.clone(),
                pid: a.parent_code,
                code: a.code,
                name: a.name,
                mail: (!a.email.is_empty()).then_some(a.email),
                old_code: a.old_code,
            })
            .collect();
        reply(StatusCode::OK, &answer::list_ok(items))
    }
}

async fn register_agency(
    s: &AppState,
    caller: &Caller,
    verified: Verified,
    body: &Bytes,
) -> Response {
    let op = Operation::RegisterAgency;
    let reg = match AgencyRegistration::parse(body) {
        Ok(r) => r,
        Err(e) => return fail(op, ErrorCode::from(&e), e),
    };
    // The SDK signs neither the body nor the path, so a captured request could carry any body:
    // a system may register only units under an agency it hosts, which it then hosts too.
    let Some(parent) = reg.pid.clone() else {
        return fail(
            op,
            ErrorCode::BadRequest,
            "registerAgency needs `pid`: the code of the unit above, hosted by this system",
        );
    };
    let hosted = match s.directory.hosted_agencies(caller.endpoint_id).await {
        Ok(h) => h,
        Err(e) => return fail(op, ErrorCode::Internal, e),
    };
    if !hosted.contains(&parent) {
        return fail(
            op,
            ErrorCode::Forbidden,
            format!(
                "system {} does not host {parent}, so it cannot register units under it",
                caller.name
            ),
        );
    }
    let new = NewAgency {
        code: reg.code.to_string(),
        name: reg.name,
        parent_code: Some(parent),
        qd20_code: None,
        old_code: None,
        email: reg.mail,
    };
    if let Err(e) = s.directory.upsert_agency(&new).await {
        return fail(op, ErrorCode::BadRequest, e);
    }
    if let Err(e) = s
        .directory
        .host(&caller.name, std::slice::from_ref(&new.code))
        .await
    {
        return fail(op, ErrorCode::Forbidden, e);
    }
    verified.commit();
    reply(StatusCode::OK, &BasicAnswer::ok(NoPayload {}))
}

async fn delete_agency(s: &AppState, caller: &Caller, verified: Verified) -> Response {
    let op = Operation::DeleteAgency;
    let d = match DeleteAgency::parse(verified.headers()) {
        Ok(d) => d,
        Err(e) => return fail(op, ErrorCode::from(&e), e),
    };
    let hosted = match s.directory.hosted_agencies(caller.endpoint_id).await {
        Ok(h) => h,
        Err(e) => return fail(op, ErrorCode::Internal, e),
    };
    if !hosted.contains(&d.code.to_string()) {
        return fail(
            op,
            ErrorCode::Forbidden,
            format!("system {} does not host {}", caller.name, d.code),
        );
    }
    if let Err(e) = s.directory.delete_agency(d.code.as_str()).await {
        return fail(op, ErrorCode::Internal, e);
    }
    verified.commit();
    reply(StatusCode::OK, &BasicAnswer::ok(NoPayload {}))
}

async fn count(s: &AppState, caller: &Caller, verified: Verified, kind: MessageType) -> Response {
    let op = if kind == MessageType::Edoc {
        Operation::CountReceiveEdoc
    } else {
        Operation::CountReceiveStatus
    };
    let k = if kind == MessageType::Edoc {
        "document"
    } else {
        "status"
    };
    match s.exchange.pending_count(caller, Some(k)).await {
        Ok(n) => {
            verified.commit();
            reply(StatusCode::OK, &answer::count_ok(n.max(0) as u64))
        }
        Err(e) => fail(op, ErrorCode::Internal, e),
    }
}
