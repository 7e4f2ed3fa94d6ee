//! E-Cabinet: a meeting document sent to the Government's meeting system becomes an agenda item
//! with its files; the meeting's outcomes come back as statuses on it and its decision as an
//! edXML document answering it; agencies' receipts of the decision go back to E-Cabinet.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde_json::{Value, json};
use truc::edxml::{BusinessAction, Package};
use truc::runtime::{AdapterErrorKind, Delivery};
use truc::store::Store;

use super::{
    Peer, array, base64, delivery_state, drain, generation, iso_date, iso_date_time, kind, mailbox,
    message, now_vn, only_keys, organ_code, serve, string, text, today_iso, world_with_connector,
};
use crate::on_both_backends;
use crate::world::{self, H41};

/// The agency code the hub gives E-Cabinet in these tests.
const ECABINET: &str = "000.00.99.G01";

/// A strict E-Cabinet: agenda items, decision receipts, outcomes and their acknowledgement,
/// exactly as `plugins/ecabinet/README.md` documents them.
async fn ecabinet_peer(peer: Arc<Peer>) -> String {
    async fn agenda(
        State(p): State<Arc<Peer>>,
        headers: HeaderMap,
        body: Bytes,
    ) -> (StatusCode, axum::Json<Value>) {
        p.accept("/api/v1/agenda-items", &headers, &body, |v| {
            only_keys(
                v,
                &[
                    "deliveryId",
                    "reference",
                    "submitter",
                    "documentType",
                    "number",
                    "issuedOn",
                    "title",
                    "summary",
                    "signer",
                    "urgency",
                    "dueDate",
                    "attachments",
                ],
            )?;
            if text(v, "deliveryId")? != headers["idempotency-key"] {
                return Err("deliveryId differs from Idempotency-Key".into());
            }
            text(v, "reference")?;
            let submitter = &v["submitter"];
            only_keys(submitter, &["code", "name"])?;
            organ_code(submitter, "code")?;
            text(v, "documentType")?;
            text(v, "number")?;
            iso_date(v, "issuedOn", false)?;
            text(v, "title")?;
            string(v, "summary")?;
            only_keys(&v["signer"], &["competence", "position", "name"])?;
            if ![
                "normal",
                "urgent",
                "very-urgent",
                "express",
                "express-timed",
            ]
            .contains(&text(v, "urgency")?)
            {
                return Err(format!("unknown urgency {}", v["urgency"]));
            }
            iso_date(v, "dueDate", true)?;
            let files = array(v, "attachments")?;
            if files.is_empty() {
                return Err("an agenda item needs at least one file".into());
            }
            for (i, f) in files.iter().enumerate() {
                only_keys(f, &["fileName", "mimeType", "role", "content"])?;
                text(f, "fileName")?;
                text(f, "mimeType")?;
                let role = text(f, "role")?;
                if role != if i == 0 { "main" } else { "annex" } {
                    return Err(format!("attachments[{i}].role is {role}"));
                }
                base64(f, "content")?;
            }
            Ok(())
        })
    }
    async fn receipts(
        State(p): State<Arc<Peer>>,
        headers: HeaderMap,
        body: Bytes,
    ) -> (StatusCode, axum::Json<Value>) {
        p.accept("/api/v1/decision-receipts", &headers, &body, |v| {
            only_keys(v, &["decision", "agency", "status", "note", "at"])?;
            text(v, "decision")?;
            organ_code(v, "agency")?;
            let status = text(v, "status")?;
            if status.len() != 2 || !status.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("status {status} is not a two-digit code"));
            }
            string(v, "note")?;
            iso_date_time(v, "at")
        })
    }
    async fn outcomes(
        State(p): State<Arc<Peer>>,
        headers: HeaderMap,
        Query(q): Query<std::collections::HashMap<String, String>>,
    ) -> (StatusCode, axum::Json<Value>) {
        let limit = q.get("limit").and_then(|l| l.parse().ok());
        match (limit, p.pending(&headers, limit.unwrap_or(0))) {
            (Some(_), Ok(items)) => (StatusCode::OK, axum::Json(json!({ "outcomes": items }))),
            (None, _) => {
                p.violations
                    .lock()
                    .push("outcomes: no numeric limit".into());
                (StatusCode::BAD_REQUEST, axum::Json(json!({})))
            }
            (_, Err(e)) => {
                p.violations.lock().push(e);
                (StatusCode::UNAUTHORIZED, axum::Json(json!({})))
            }
        }
    }
    async fn ack(State(p): State<Arc<Peer>>, headers: HeaderMap, body: Bytes) -> StatusCode {
        p.ack(&headers, &body)
    }
    serve(
        axum::Router::new()
            .route("/api/v1/agenda-items", post(agenda))
            .route("/api/v1/decision-receipts", post(receipts))
            .route("/api/v1/outcomes", get(outcomes))
            .route("/api/v1/outcomes/ack", post(ack))
            .with_state(peer),
    )
    .await
}

/// A Tờ trình from Nghệ An to E-Cabinet with its file and an annex.
fn submission(number: u32) -> (Package, Vec<Vec<u8>>) {
    let (mut p, main) = world::document_model(H41, &[ECABINET], number);
    let annex = b"%PDF-1.7 phu luc".to_vec();
    if let Package::Document(d) = &mut p {
        d.document_type.type_name = "Tờ trình".into();
        d.subject = "Tờ trình về việc điều chỉnh quy hoạch tỉnh Nghệ An".into();
        d.other_info.priority = Some(truc::edxml::Priority::Urgent);
        let mut a = d.attachments[0].clone();
        a.content_id = "annex".into();
        a.name = "phu-luc.pdf".into();
        a.size = annex.len() as u64;
        a.sha256 = truc::edxml::Sha256::of(&annex);
        d.attachments.push(a);
    }
    (p, vec![main, annex])
}

fn submission_bytes(number: u32) -> Vec<u8> {
    let (p, bodies) = submission(number);
    let mut sink = truc::edxml::MemorySink::new();
    if let Package::Document(d) = &p {
        for (a, b) in d.attachments.iter().zip(&bodies) {
            sink.insert(a.content_id.clone(), b.clone());
        }
    }
    truc::edxml::write_to_vec(&p, &sink).unwrap()
}

async fn a_meeting_document_goes_out_as_an_agenda_item_and_the_decision_comes_back(store: Store) {
    let peer = Arc::new(Peer::default());
    let url = ecabinet_peer(peer.clone()).await;
    let (w, ecabinet, adapters) = world_with_connector(
        store,
        "ecabinet",
        ECABINET,
        truc::bundled::ECABINET,
        &url,
        &[],
    )
    .await;

    // Nghệ An submits a Tờ trình for the Government's meeting.
    let r = world::send(&w.ex, &w.nghean, submission_bytes(70))
        .await
        .unwrap();
    drain(&w.ex, &adapters).await;
    peer.assert_no_violations();
    let doc = world::doc_id(H41, 70);
    assert_eq!(delivery_state(&w.ex, &doc, ECABINET).await.0, "delivered");
    let items = peer.received.lock().clone();
    assert_eq!(items.len(), 1);
    let (path, key, item) = &items[0];
    assert_eq!(path, "/api/v1/agenda-items");
    assert_eq!(
        key, &r.deliveries[0].id,
        "the hub's delivery id is the idempotency key"
    );
    assert_eq!(item["reference"], doc);
    assert_eq!(item["submitter"]["code"], H41);
    assert_eq!(item["documentType"], "Tờ trình");
    assert_eq!(item["number"], "70/VP-TTĐT");
    assert_eq!(item["urgency"], "urgent");
    assert_eq!(item["issuedOn"], today_iso());
    let files = item["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(
        base64(&files[1], "content").unwrap(),
        b"%PDF-1.7 phu luc",
        "files travel whole"
    );

    // The meeting schedules it, then concludes with a resolution.
    let resolution = b"%PDF-1.7 Nghi quyet phien hop".to_vec();
    peer.outbox.lock().extend([
        json!({ "id": "oc-1", "reference": doc, "submitter": H41, "stage": "scheduled",
                "at": now_vn(),
                "meeting": { "id": "ph-11", "title": "Phiên họp Chính phủ thường kỳ tháng 11", "date": today_iso() } }),
        json!({ "id": "oc-2", "reference": doc, "submitter": H41, "stage": "concluded",
                "at": now_vn(), "note": "Thống nhất thông qua",
                "meeting": { "id": "ph-11", "title": "Phiên họp Chính phủ thường kỳ tháng 11", "date": today_iso() },
                "decision": { "number": "125", "notation": "NQ-CP", "documentType": "Nghị quyết",
                              "title": "Nghị quyết phiên họp Chính phủ thường kỳ tháng 11",
                              "issuedOn": today_iso(),
                              "signer": { "competence": "TM. CHÍNH PHỦ", "position": "Thủ tướng", "name": "Nguyễn Văn A" },
                              "files": [ { "fileName": "125-NQ-CP.pdf", "mimeType": "application/pdf",
                                           "content": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &resolution) } ] } }),
    ]);
    let outcome = w.ex.poll_endpoint(&adapters, &ecabinet, 10).await.unwrap();
    assert_eq!(
        outcome.accepted, 3,
        "two statuses and one decision: {outcome:?}"
    );
    assert!(outcome.refused.is_empty(), "{outcome:?}");
    assert_eq!(peer.acked.lock().as_slice(), ["oc-1", "oc-2"]);
    peer.assert_no_violations();

    let inbox = mailbox(&w.ex, &w.nghean).await;
    let codes: Vec<_> = inbox.iter().filter_map(|i| i.status_code.clone()).collect();
    assert_eq!(codes, ["03", "06"]);
    let decision = inbox
        .iter()
        .find(|i| i.kind == "document")
        .expect("the decision arrived");
    let decision_id = format!("{ECABINET},{},125/NQ-CP", world::today());
    assert_eq!(decision.document_id, decision_id);
    assert_eq!(decision.sender, ECABINET);
    let (_, loaded) = w.ex.fetch(&w.nghean, &decision.delivery_id).await.unwrap();
    let Package::Document(d) = &loaded.package else {
        panic!("a document")
    };
    assert_eq!(d.document_type.type_name, "Nghị quyết");
    assert_eq!(
        d.response_for[0].document_id.as_ref().unwrap().to_string(),
        doc
    );
    assert!(matches!(
        d.business.as_ref().and_then(|b| b.action.clone()),
        None | Some(BusinessAction::New)
    ));
    assert_eq!(
        crate::common::bodies(&loaded.to_message().unwrap()),
        [resolution]
    );

    // Polling again brings nothing: E-Cabinet forgot what was acknowledged.
    let again = w.ex.poll_endpoint(&adapters, &ecabinet, 10).await.unwrap();
    assert_eq!(again.accepted, 0);

    // Nghệ An's clerk registers the resolution: E-Cabinet records the receipt.
    let status = world_status(H41, ECABINET, &decision_id, "03");
    world::send(&w.ex, &w.nghean, status).await.unwrap();
    drain(&w.ex, &adapters).await;
    peer.assert_no_violations();
    let receipts = peer.bodies("/api/v1/decision-receipts");
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0]["decision"], decision_id);
    assert_eq!(receipts[0]["agency"], H41);
    assert_eq!(receipts[0]["status"], "03");
}
on_both_backends!(
    ecabinet_round_trip,
    a_meeting_document_goes_out_as_an_agenda_item_and_the_decision_comes_back
);

/// A status from `sender` about `document_id` (sent by `origin`, issued today).
pub(super) fn world_status(sender: &str, origin: &str, document_id: &str, code: &str) -> Vec<u8> {
    use truc::edxml::{EdDate, EdDateTime, Organ, ResponseFor, Status};
    let now = chrono::Utc::now() + chrono::Duration::hours(7);
    let notation = document_id.splitn(3, ',').nth(2).unwrap().to_owned();
    let s = Status {
        from: Organ {
            organ_id: Some(sender.parse().unwrap()),
            organ_name: "UBND Tỉnh Nghệ An".into(),
            ..Organ::default()
        },
        response_for: Some(ResponseFor {
            organ_id: Some(origin.parse().unwrap()),
            code: notation,
            promulgation_date: Some(EdDate::parse(&world::today())),
            document_id: Some(document_id.parse().unwrap()),
        }),
        staff: None,
        status_code: Some(code.parse().unwrap()),
        description: "Đã vào sổ".into(),
        timestamp: Some(EdDateTime::parse(
            &now.format("%Y/%m/%d %H:%M:%S").to_string(),
        )),
        traces: Vec::new(),
    };
    world::edxml_bytes(&Package::Status(Box::new(s)), None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ecabinet_refuses_what_it_cannot_take_with_typed_errors() {
    let peer = Arc::new(Peer::default());
    let url = ecabinet_peer(peer.clone()).await;
    let (_rt, g) = generation(truc::bundled::ECABINET, &url, &[("organ-id", ECABINET)]).await;
    let deliver = |p: Package, bodies: Vec<Vec<u8>>| Delivery {
        id: "d-1".into(),
        receivers: vec![ECABINET.into()],
        message: message(p, bodies),
    };

    // A revocation is done on E-Cabinet itself.
    let (mut p, bodies) = submission(71);
    if let Package::Document(d) = &mut p {
        let b = d.business.as_mut().unwrap();
        b.action = Some(BusinessAction::Revoke);
        b.document_id = Some(world::doc_id(H41, 70).parse().unwrap());
    }
    let err = g.deliver(&deliver(p, bodies)).await.unwrap_err();
    assert_eq!(kind(&err), AdapterErrorKind::Unsupported, "{err}");

    // An agenda item without its file.
    let (mut p, _) = submission(72);
    if let Package::Document(d) = &mut p {
        d.attachments.clear();
    }
    let err = g.deliver(&deliver(p, Vec::new())).await.unwrap_err();
    assert_eq!(kind(&err), AdapterErrorKind::Unsupported, "{err}");
    assert!(err.to_string().contains("no attachment"), "{err}");
    assert!(peer.received.lock().is_empty(), "nothing reached E-Cabinet");

    // E-Cabinet refusing (422) is final; E-Cabinet busy (503) is worth retrying.
    *peer.refuse.lock() = Some((422, "unknown submitter".into()));
    let (p, bodies) = submission(73);
    let err = g.deliver(&deliver(p, bodies)).await.unwrap_err();
    assert_eq!(kind(&err), AdapterErrorKind::Rejected, "{err}");
    assert!(err.to_string().contains("unknown submitter"), "{err}");
    *peer.refuse.lock() = Some((503, "maintenance".into()));
    let (p, bodies) = submission(73);
    let err = g.deliver(&deliver(p, bodies)).await.unwrap_err();
    assert_eq!(kind(&err), AdapterErrorKind::Transient, "{err}");
    peer.assert_no_violations();

    // An outcome of an unknown stage, or a return without its reason, is malformed.
    peer.outbox
        .lock()
        .push(json!({ "id": "oc-9", "reference": world::doc_id(H41, 70),
        "submitter": H41, "stage": "postponed", "at": now_vn() }));
    let err = g.poll(10).await.unwrap_err();
    assert_eq!(kind(&err), AdapterErrorKind::Malformed, "{err}");
    assert!(err.to_string().contains("outcomes[0].stage"), "{err}");
    peer.outbox.lock()[0]["stage"] = "returned".into();
    let err = g.poll(10).await.unwrap_err();
    assert_eq!(kind(&err), AdapterErrorKind::Malformed, "{err}");
    assert!(err.to_string().contains("outcomes[0].note"), "{err}");
    peer.outbox.lock()[0]["note"] = "Hồ sơ chưa đủ ý kiến thẩm định".into();
    let polled = g.poll(10).await.unwrap();
    assert_eq!(polled.len(), 1);
    let Package::Status(s) = &polled[0].message.package else {
        panic!("a status")
    };
    assert_eq!(s.status_code.as_ref().unwrap().to_string(), "02");
    assert_eq!(s.description, "Hồ sơ chưa đủ ý kiến thẩm định");

    // Without its settings the connector says which one is missing.
    let (_rt2, bare) = generation(truc::bundled::ECABINET, &url, &[]).await;
    let err = bare.poll(10).await.unwrap_err();
    assert_eq!(kind(&err), AdapterErrorKind::Rejected, "{err}");
    assert!(err.to_string().contains("organ-id"), "{err}");
}
