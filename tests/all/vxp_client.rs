//! The VXP client against real HTTP servers: a raw socket that records the bytes on the wire,
//! and a tiny axum hub built from the protocol layer (verification, request parsing, answers).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header::CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use truc::gateway::vxp::answer::{
    self, AgencyItem, AgencyQd20Item, BasicAnswer, ErrorCode, NoPayload, ReceivedItem, SentItem,
};
use truc::gateway::vxp::auth::{Verifier, VerifierConfig};
use truc::gateway::vxp::operation::Operation;
use truc::gateway::vxp::sign::VxpSecret;
use truc::gateway::vxp::wire::{
    AgencyRegistration, DeleteAgency, GetEdoc, ListQuery, MessageType, SendEdoc, UpdateStatus,
    WireError,
};
use truc::vxp::client::{Call, ClientConfig, ClientError, TimestampMode, ToForm, VxpClient};

const SYSTEM_ID: &str = "000.00.99.H44";
const SECRET: &str = "c2VjcmV0c2VjcmV0";
const FILE: &[u8] = include_bytes!("../data/vpcp-sdk/status_processing_05.edxml");

/// Accepts one connection, records the request bytes, answers with `answer`.
async fn record_one(answer: &'static str) -> (String, tokio::task::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("accept");
        let mut raw = Vec::new();
        let mut buf = [0u8; 8192];
        let head_end = loop {
            let n = socket.read(&mut buf).await.expect("read");
            assert!(n > 0, "client closed before the end of headers");
            raw.extend_from_slice(&buf[..n]);
            if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
        };
        let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .and_then(|v| v.trim().parse().ok())
            .expect("content-length");
        while raw.len() < head_end + length {
            let n = socket.read(&mut buf).await.expect("read body");
            assert!(n > 0, "client closed before the end of the body");
            raw.extend_from_slice(&buf[..n]);
        }
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
            answer.len()
        );
        socket.write_all(reply.as_bytes()).await.expect("write");
        raw
    });
    (format!("http://127.0.0.1:{port}/vxp"), task)
}

fn config(endpoint: &str, secret: &str) -> ClientConfig {
    ClientConfig::new(endpoint, SYSTEM_ID, VxpSecret::new(secret))
}

#[tokio::test]
async fn send_edoc_puts_the_sdks_exact_bytes_on_the_wire() {
    let (endpoint, recorded) =
        record_one(r#"{"status":"OK","ErrorCode":"0","ErrorDesc":"Success","DocId":"D-1"}"#).await;
    let mut cfg = config(&endpoint, SECRET);
    cfg.timestamp = TimestampMode::Fixed("23112026T114833+0907".into());
    cfg.to_form = ToForm::JsonString;
    let client = VxpClient::new(cfg).expect("client");
    let doc_id = client
        .send_edoc("000.00.00.G22", &["000.00.00.H41"], MessageType::Edoc, FILE)
        .await
        .expect("sent");
    assert_eq!(doc_id, "D-1");

    let raw = recorded.await.expect("server");
    let host = endpoint
        .trim_start_matches("http://")
        .trim_end_matches("/vxp");
    let mut expected = b"POST /vxp/sendEdoc HTTP/1.1\r\n".to_vec();
    for (name, value) in [
        ("content-type", "application/octet-stream"),
        ("xroadvnpt-systemid", SYSTEM_ID),
        ("xroadvnpt-servicetype", "eDoc"),
        ("xroadvnpt-messagetype", "edoc"),
        (
            "xroadvnpt-hash-file",
            "d9f356427bf19c4cfc633bed1359c7281ddc37f29666477b5481519c0a51fd7",
        ),
        ("xroadvnpt-from", "000.00.00.G22"),
        ("xroadvnpt-to", r#""[\"000.00.00.H41\"]""#),
        ("xroadvnpt-timestamp", "23112026T114833+0907"),
        ("xroadvnpt-content-type", "application/octet-stream"),
        (
            "xroadvnpt-sign-header-key",
            "systemid;servicetype;messagetype;hash-file;from;to;timestamp;Content-Type",
        ),
        (
            "xroadvnpt-sign-header",
            r#"{"XroadVnpt-systemid":"000.00.99.H44","XroadVnpt-servicetype":"eDoc","XroadVnpt-messagetype":"edoc","XroadVnpt-hash-file":"d9f356427bf19c4cfc633bed1359c7281ddc37f29666477b5481519c0a51fd7","XroadVnpt-from":"000.00.00.G22","XroadVnpt-to":"\"[\\\"000.00.00.H41\\\"]\"","XroadVnpt-timestamp":"23112026T114833+0907","XroadVnpt-Content-Type":"application/octet-stream"}"#,
        ),
        (
            "xroadvnpt-hash-header",
            "a8e2be1bb93add4108e0a69e35e17afac8a8aad06659d2206bffff46a0a934e0",
        ),
        ("user-agent", "JAVASDKAgent/1.0.0 XRoad/VPCP"),
        ("xroadvnpt-version", "3.0.201608"),
        ("content-length", "1585"),
        ("host", host),
    ] {
        expected.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    expected.extend_from_slice(b"\r\n");
    expected.extend_from_slice(FILE);
    expected.extend_from_slice(b"\r\n");
    assert_eq!(
        String::from_utf8_lossy(&raw[..raw.len() - FILE.len() - 2]),
        String::from_utf8_lossy(&expected[..expected.len() - FILE.len() - 2])
    );
    assert_eq!(raw, expected);
}

#[tokio::test]
async fn list_calls_send_an_empty_body_and_get_edoc_sends_braces_with_the_leaked_file_path() {
    let (endpoint, recorded) =
        record_one(r#"{"status":"OK","ErrorCode":0,"ErrorDesc":"Success","data":[],"more":1}"#)
            .await;
    let client = VxpClient::new(config(&endpoint, SECRET)).expect("client");
    let items = client
        .get_received_edoc_list(MessageType::Status, None, None)
        .await
        .expect("numeric ErrorCode and extra fields are tolerated");
    assert!(items.is_empty());
    let raw = String::from_utf8(recorded.await.expect("server")).expect("ascii");
    assert!(
        raw.starts_with("POST /vxp/getReceivedEdocList HTTP/1.1\r\n"),
        "{raw}"
    );
    assert!(
        raw.contains("\r\nxroadvnpt-messagetype: status\r\n"),
        "{raw}"
    );
    assert!(
        raw.contains("\r\ncontent-length: 0\r\nhost: 127.0.0.1:"),
        "{raw}"
    );
    assert!(raw.ends_with("\r\n\r\n"), "empty body");

    let (endpoint, recorded) = record_one(
        r#"{"status":"OK","ErrorCode":"0","ErrorDesc":"Success","data":"PGVkWE1MLz4="}"#,
    )
    .await;
    let client = VxpClient::new(config(&endpoint, SECRET)).expect("client");
    let package = client
        .get_edoc("abc-123", Some("/data/qlvb/inbox"))
        .await
        .expect("package");
    assert_eq!(package, b"<edXML/>");
    let raw = String::from_utf8(recorded.await.expect("server")).expect("ascii");
    assert!(
        raw.contains("\r\nxroadvnpt-filepath: /data/qlvb/inbox\r\n"),
        "{raw}"
    );
    assert!(raw.ends_with("\r\n\r\n{}"), "{raw}");
}

/// One delivery in the mini hub.
struct Delivery {
    id: String,
    from: String,
    to: String,
    message_type: MessageType,
    package: Vec<u8>,
    status: String,
}

/// A hub reduced to the protocol layer and an in-memory mailbox.
struct MiniHub {
    verifier: Verifier,
    secrets: HashMap<String, VxpSecret>,
    deliveries: Mutex<Vec<Delivery>>,
    agencies: Mutex<Vec<AgencyItem>>,
}

type Failure = (ErrorCode, String);

fn wire(e: WireError) -> Failure {
    ((&e).into(), e.to_string())
}

async fn handle(
    State(hub): State<Arc<MiniHub>>,
    Path(op): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(op) = Operation::from_path(&op) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (status, json) = match process(&hub, op, &headers, &body) {
        Ok(json) => (StatusCode::OK, json),
        Err((code, desc)) => (
            StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::BAD_REQUEST),
            answer::to_body(&answer::failure(op, code, desc)),
        ),
    };
    (status, [(CONTENT_TYPE, "application/json")], json).into_response()
}

fn process(
    hub: &MiniHub,
    op: Operation,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Vec<u8>, Failure> {
    let verified = hub
        .verifier
        .verify_request(op, headers, body, |id| {
            hub.secrets.get(id.as_str()).cloned()
        })
        .map_err(|e| ((&e).into(), e.to_string()))?;
    let signed = verified.headers();
    let ok = BasicAnswer::ok(NoPayload {});
    let mut deliveries = hub.deliveries.lock();
    let out = match op {
        Operation::SendEdoc => {
            let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
            let send = SendEdoc::parse(signed, content_type, body).map_err(wire)?;
            let id = format!("D-{}", deliveries.len() + 1);
            for to in &send.to {
                deliveries.push(Delivery {
                    id: format!("{id}-{to}"),
                    from: send.from.to_string(),
                    to: to.to_string(),
                    message_type: send.message_type.unwrap_or(MessageType::Edoc),
                    package: send.package.to_vec(),
                    status: "initial".into(),
                });
            }
            answer::to_body(&answer::send_edoc_ok(id))
        }
        Operation::GetReceivedEdocList | Operation::CountReceiveEdoc => {
            let q = ListQuery::parse(signed).map_err(wire)?;
            let pending: Vec<ReceivedItem> = deliveries
                .iter()
                .filter(|d| d.message_type == q.message_type && d.status == "initial")
                .map(|d| ReceivedItem {
                    doc_id: d.id.clone(),
                    service_type: "eDoc".into(),
                    message_type: d.message_type.as_str().into(),
                    created_time: answer::vxp_time(chrono::Utc::now()),
                    updated_time: answer::vxp_time(chrono::Utc::now()),
                    from: d.from.clone(),
                    to: d.to.clone(),
                    status: d.status.clone(),
                    status_desc: "Chưa nhận".into(),
                })
                .collect();
            if op == Operation::CountReceiveEdoc {
                answer::to_body(&answer::count_ok(pending.len() as u64))
            } else {
                answer::to_body(&answer::list_ok(pending))
            }
        }
        Operation::GetEdoc => {
            let get = GetEdoc::parse(signed).map_err(wire)?;
            let d = deliveries
                .iter()
                .find(|d| d.id == get.doc_id.as_str())
                .ok_or((ErrorCode::NotFound, format!("no document {}", get.doc_id)))?;
            answer::to_body(&answer::edoc_ok(&d.package))
        }
        Operation::UpdateStatus => {
            let update = UpdateStatus::parse(signed).map_err(wire)?;
            let d = deliveries
                .iter_mut()
                .find(|d| d.id == update.doc_id.as_str())
                .ok_or((
                    ErrorCode::NotFound,
                    format!("no document {}", update.doc_id),
                ))?;
            d.status = update.status.as_str().to_owned();
            answer::to_body(&ok)
        }
        Operation::GetSentEdocList => {
            let items: Vec<SentItem> = deliveries
                .iter()
                .map(|d| SentItem {
                    sender_doc_id: d.id.clone(),
                    from_code: d.from.clone(),
                    to_code: d.to.clone(),
                    receive_status: d.status.clone(),
                    ..SentItem::default()
                })
                .collect();
            answer::to_body(&answer::list_ok(items))
        }
        Operation::GetAgenciesList => {
            answer::to_body(&answer::list_ok(hub.agencies.lock().clone()))
        }
        Operation::GetAgenciesListQd20 => {
            let items: Vec<AgencyQd20Item> = hub
                .agencies
                .lock()
                .iter()
                .map(|a| AgencyQd20Item {
                    id: a.id.clone(),
                    code: a.code.clone(),
                    name: a.name.clone(),
                    mail: a.mail.clone(),
                    code102: Some(a.code.clone()),
                })
                .collect();
            answer::to_body(&answer::list_ok(items))
        }
        Operation::RegisterAgency => {
            let a = AgencyRegistration::parse(body).map_err(wire)?;
            let mut agencies = hub.agencies.lock();
            let id = (agencies.len() + 1).to_string();
            agencies.push(AgencyItem {
                id,
                pid: a.pid,
                code: a.code.to_string(),
                name: a.name,
                mail: Some(a.mail),
                old_code: None,
            });
            answer::to_body(&ok)
        }
        Operation::DeleteAgency => {
            let d = DeleteAgency::parse(signed).map_err(wire)?;
            hub.agencies.lock().retain(|a| a.code != d.code.as_str());
            answer::to_body(&ok)
        }
        Operation::CountReceiveStatus => answer::to_body(&answer::count_ok(0)),
    };
    drop(deliveries);
    verified.commit();
    Ok(out)
}

async fn start_hub() -> String {
    let hub = Arc::new(MiniHub {
        verifier: Verifier::new(VerifierConfig::default()),
        secrets: HashMap::from([(SYSTEM_ID.to_owned(), VxpSecret::new(SECRET))]),
        deliveries: Mutex::new(Vec::new()),
        agencies: Mutex::new(Vec::new()),
    });
    let app = Router::new()
        .route("/vxp/{op}", post(handle))
        .with_state(hub);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://127.0.0.1:{port}/vxp")
}

#[tokio::test]
async fn the_sdk_client_flow_runs_end_to_end_against_a_hub_built_on_the_protocol_layer() {
    let endpoint = start_hub().await;
    let client = VxpClient::new(config(&endpoint, SECRET)).expect("client");

    let doc = client
        .send_edoc("000.00.00.G22", &["000.00.00.H41"], MessageType::Edoc, FILE)
        .await
        .expect("sendEdoc");
    assert_eq!(doc, "D-1");
    assert_eq!(
        client
            .count_receive_edoc(MessageType::Edoc)
            .await
            .expect("count"),
        1
    );

    let inbox = client
        .get_received_edoc_list(MessageType::Edoc, None, None)
        .await
        .expect("list");
    assert_eq!(inbox.len(), 1);
    let item = &inbox[0];
    assert_eq!(
        (item.from.as_str(), item.to.as_str()),
        ("000.00.00.G22", "000.00.00.H41")
    );
    assert_eq!(
        item.status_desc, "Chưa nhận",
        "non-ASCII survives the escaped body"
    );
    assert_eq!(item.created_time.len(), "dd/MM/yyyy HH:mm:ss".len());

    let package = client
        .get_edoc(&item.doc_id, Some("/data/qlvb/inbox"))
        .await
        .expect("getEdoc");
    assert_eq!(package, FILE);

    client
        .update_status(&item.doc_id, "done", None)
        .await
        .expect("updateStatus");
    assert_eq!(
        client
            .count_receive_edoc(MessageType::Edoc)
            .await
            .expect("count"),
        0
    );
    let sent = client
        .get_sent_edoc_list(MessageType::Edoc)
        .await
        .expect("sent list");
    assert_eq!(sent[0].receive_status, "done");

    // One service object, same arguments: the SDK signs identically, so the hub sees a replay.
    let replay = client
        .update_status(&item.doc_id, "done", None)
        .await
        .expect_err("replayed");
    assert_eq!(replay.error_code(), Some(ErrorCode::Replayed), "{replay}");
    assert!(matches!(
        replay,
        ClientError::Refused {
            http_status: 409,
            ..
        }
    ));

    let missing = client
        .get_edoc("D-404", None)
        .await
        .expect_err("unknown docId");
    assert_eq!(missing.error_code(), Some(ErrorCode::NotFound), "{missing}");
}

#[tokio::test]
async fn directory_calls_run_end_to_end() {
    let endpoint = start_hub().await;
    let client = VxpClient::new(config(&endpoint, SECRET)).expect("client");
    client
        .register_agency(&serde_json::json!({
            "pid": "0", "code": "000.01.01.H41", "name": "Sở Nội vụ", "mail": "snv@x.gov.vn"
        }))
        .await
        .expect("register");
    let invalid = client
        .register_agency(&serde_json::json!({"code": "000.01.02.H41", "name": "X", "mail": "no"}))
        .await
        .expect_err("bad mail");
    assert_eq!(
        invalid.error_code(),
        Some(ErrorCode::BadRequest),
        "{invalid}"
    );

    let agencies = client.get_agencies_list().await.expect("list");
    assert_eq!(agencies.len(), 1);
    assert_eq!(agencies[0].name, "Sở Nội vụ");
    let qd20 = client.get_agencies_list_qd20().await.expect("qd20");
    assert_eq!(qd20[0].code102.as_deref(), Some("000.01.01.H41"));

    client.delete_agency("000.01.01.H41").await.expect("delete");
    assert!(client.get_agencies_list().await.expect("list").is_empty());
}

#[tokio::test]
async fn a_wrong_secret_and_a_tampered_body_are_refused_with_their_codes() {
    let endpoint = start_hub().await;
    let intruder = VxpClient::new(config(&endpoint, "not-the-secret")).expect("client");
    let err = intruder
        .get_received_edoc_list(MessageType::Edoc, None, None)
        .await
        .expect_err("wrong secret");
    assert_eq!(err.error_code(), Some(ErrorCode::Unauthenticated), "{err}");
    assert!(matches!(
        err,
        ClientError::Refused {
            http_status: 401,
            ..
        }
    ));
    assert!(
        err.to_string()
            .contains("XroadVnpt-hash-header does not match"),
        "{err}"
    );

    let client = VxpClient::new(config(&endpoint, SECRET)).expect("client");
    let mut prepared = client
        .prepare(&Call::SendEdoc {
            from: "000.00.00.G22",
            to: &["000.00.00.H41"],
            service_type: "eDoc",
            message_type: MessageType::Edoc,
            file: FILE,
        })
        .expect("prepared");
    if let Some(b) = prepared.body.first_mut() {
        *b = b'#';
    }
    let raw = client.send(&prepared).await.expect("answered");
    assert_eq!(raw.http_status, 400);
    let answer: answer::SendEdocAnswer = serde_json::from_slice(&raw.body).expect("json");
    assert_eq!(answer.error_code, ErrorCode::HashFileMismatch.as_str());
    assert_eq!(answer.status, "FAIL");
    assert_eq!(answer.payload.doc_id, "", "DocId present even on failure");
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_transient_connect_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let client =
        VxpClient::new(config(&format!("http://127.0.0.1:{port}/vxp"), SECRET)).expect("client");
    let err = client
        .get_agencies_list()
        .await
        .expect_err("nobody listens");
    assert!(matches!(err, ClientError::Connect { .. }), "{err}");
    assert!(!err.is_permanent());
}
