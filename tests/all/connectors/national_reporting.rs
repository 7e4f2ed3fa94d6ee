//! The national reporting system: a report document whose JSON attachment carries indicator
//! values is delivered as structured data, with the signed report as the original; the
//! system's receipts come back as statuses.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde_json::{Value, json};
use truc::edxml::{Package, Sha256};
use truc::runtime::{AdapterErrorKind, CanonicalMessage, Delivery};
use truc::store::Store;

use super::{
    Peer, array, base64, delivery_state, drain, generation, iso_date, kind, mailbox, message,
    now_vn, only_keys, organ_code, serve, string, text, world_with_connector,
};
use crate::on_both_backends;
use crate::world::{self, H41};

/// The agency code the hub gives the national reporting system in these tests.
const REPORTING: &str = "000.00.99.G02";

/// Indicator codes the simulated system's catalogue knows.
const CATALOGUE: &[&str] = &["GRDP_TANG_TRUONG", "THU_NSNN", "VON_DAU_TU"];

/// A strict reporting system, as `plugins/national-reporting/README.md` documents it.
async fn reporting_peer(peer: Arc<Peer>) -> String {
    async fn reports(
        State(p): State<Arc<Peer>>,
        headers: HeaderMap,
        body: Bytes,
    ) -> (StatusCode, axum::Json<Value>) {
        // A code outside the national catalogue is a business refusal (422), not a wrong shape.
        if let Ok(v) = serde_json::from_slice::<Value>(&body) {
            let unknown = v["indicators"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| i["code"].as_str())
                .find(|c| !CATALOGUE.contains(c))
                .map(str::to_owned);
            if let Some(code) = unknown {
                return (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    axum::Json(json!({ "error": format!("unknown indicator {code}") })),
                );
            }
        }
        p.accept("/api/reports", &headers, &body, |v| {
            only_keys(
                v,
                &[
                    "submissionId",
                    "reportCode",
                    "period",
                    "reportingUnit",
                    "document",
                    "indicators",
                    "originals",
                ],
            )?;
            if text(v, "submissionId")? != headers["idempotency-key"] {
                return Err("submissionId differs from Idempotency-Key".into());
            }
            text(v, "reportCode")?;
            let period = text(v, "period")?;
            if !(period.len() == 4 || period.len() == 7) {
                return Err(format!("period {period}"));
            }
            let unit = &v["reportingUnit"];
            only_keys(unit, &["code", "name"])?;
            organ_code(unit, "code")?;
            let doc = &v["document"];
            only_keys(doc, &["id", "number", "issuedOn", "subject", "signer"])?;
            text(doc, "id")?;
            text(doc, "number")?;
            iso_date(doc, "issuedOn", false)?;
            text(doc, "subject")?;
            only_keys(&doc["signer"], &["position", "name"])?;
            let indicators = array(v, "indicators")?;
            if indicators.is_empty() {
                return Err("no indicator".into());
            }
            for i in indicators {
                only_keys(i, &["code", "value", "unit"])?;
                text(i, "code")?;
                if !i["value"].is_number() {
                    return Err(format!("value of {} is not a number", i["code"]));
                }
                string(i, "unit")?;
            }
            for o in array(v, "originals")? {
                only_keys(o, &["fileName", "mimeType", "content"])?;
                text(o, "fileName")?;
                text(o, "mimeType")?;
                base64(o, "content")?;
            }
            Ok(())
        })
    }
    async fn receipts(
        State(p): State<Arc<Peer>>,
        headers: HeaderMap,
        Query(q): Query<std::collections::HashMap<String, String>>,
    ) -> (StatusCode, axum::Json<Value>) {
        let limit = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(0);
        match p.pending(&headers, limit) {
            Ok(items) if limit > 0 => (StatusCode::OK, axum::Json(json!({ "receipts": items }))),
            Ok(_) => {
                p.violations
                    .lock()
                    .push("receipts: no numeric limit".into());
                (StatusCode::BAD_REQUEST, axum::Json(json!({})))
            }
            Err(e) => {
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
            .route("/api/reports", post(reports))
            .route("/api/receipts", get(receipts))
            .route("/api/receipts/ack", post(ack))
            .with_state(peer),
    )
    .await
}

/// A Báo cáo from Nghệ An with its signed PDF and an indicator file holding `indicators`.
fn report(number: u32, indicators: &[u8]) -> (Package, Vec<Vec<u8>>) {
    let (mut p, pdf) = world::document_model(H41, &[REPORTING], number);
    if let Package::Document(d) = &mut p {
        d.document_type.type_name = "Báo cáo".into();
        d.subject = "Báo cáo tình hình kinh tế - xã hội quý III năm 2026".into();
        let mut a = d.attachments[0].clone();
        a.content_id = "chi-tieu".into();
        a.name = "chi-tieu.json".into();
        a.content_type = "application/json".into();
        a.size = indicators.len() as u64;
        a.sha256 = Sha256::of(indicators);
        d.attachments.push(a);
    }
    (p, vec![pdf, indicators.to_vec()])
}

fn report_bytes(number: u32, indicators: &[u8]) -> Vec<u8> {
    let (p, bodies) = report(number, indicators);
    let mut sink = truc::edxml::MemorySink::new();
    if let Package::Document(d) = &p {
        for (a, b) in d.attachments.iter().zip(&bodies) {
            sink.insert(a.content_id.clone(), b.clone());
        }
    }
    truc::edxml::write_to_vec(&p, &sink).unwrap()
}

const Q3: &str = r#"{ "reportCode": "BC-KTXH-TINH", "period": "2026-Q3",
  "indicators": [ { "code": "GRDP_TANG_TRUONG", "value": 7.25, "unit": "%" },
                  { "code": "THU_NSNN", "value": 18540, "unit": "tỷ đồng" } ] }"#;

async fn a_report_document_reaches_the_reporting_system_as_indicator_data(store: Store) {
    let peer = Arc::new(Peer::default());
    let url = reporting_peer(peer.clone()).await;
    let (w, reporting, adapters) = world_with_connector(
        store,
        "bcqg",
        REPORTING,
        truc::bundled::NATIONAL_REPORTING,
        &url,
        &[],
    )
    .await;

    let r = world::send(&w.ex, &w.nghean, report_bytes(80, Q3.as_bytes()))
        .await
        .unwrap();
    // A second report with an indicator outside the national catalogue.
    let stray = br#"{ "reportCode": "BC-KTXH-TINH", "period": "2026-Q3",
        "indicators": [ { "code": "SO_CON_MEO", "value": 3 } ] }"#;
    world::send(&w.ex, &w.nghean, report_bytes(81, stray))
        .await
        .unwrap();
    drain(&w.ex, &adapters).await;
    peer.assert_no_violations();

    let doc = world::doc_id(H41, 80);
    assert_eq!(delivery_state(&w.ex, &doc, REPORTING).await.0, "delivered");
    let received = peer.received.lock().clone();
    assert_eq!(received.len(), 1);
    let (_, key, s) = &received[0];
    assert_eq!(key, &r.deliveries[0].id);
    assert_eq!(s["reportCode"], "BC-KTXH-TINH");
    assert_eq!(s["period"], "2026-Q3");
    assert_eq!(s["reportingUnit"]["code"], H41);
    assert_eq!(s["document"]["id"], doc);
    assert_eq!(
        s["indicators"],
        json!([ { "code": "GRDP_TANG_TRUONG", "value": 7.25, "unit": "%" },
                { "code": "THU_NSNN", "value": 18540, "unit": "tỷ đồng" } ]),
        "values pass exactly as written"
    );
    let originals = s["originals"].as_array().unwrap();
    assert_eq!(
        originals.len(),
        1,
        "the indicator file travels as data, not as a file"
    );
    assert_eq!(originals[0]["fileName"], "80.pdf");
    assert_eq!(
        base64(&originals[0], "content").unwrap(),
        world::document_model(H41, &[REPORTING], 80).1
    );

    // The system's refusal is final: a dead letter after one attempt, with its reason.
    let (state, error, attempts) = delivery_state(&w.ex, &world::doc_id(H41, 81), REPORTING).await;
    assert_eq!((state.as_str(), attempts), ("dead", 1));
    assert!(
        error
            .unwrap_or_default()
            .contains("unknown indicator SO_CON_MEO")
    );

    // Its receipt comes back as 03 to Nghệ An.
    peer.outbox
        .lock()
        .push(json!({ "id": "rc-1", "documentId": doc, "result": "accepted", "at": now_vn() }));
    let outcome = w.ex.poll_endpoint(&adapters, &reporting, 10).await.unwrap();
    assert_eq!(outcome.accepted, 1, "{outcome:?}");
    assert_eq!(peer.acked.lock().as_slice(), ["rc-1"]);
    peer.assert_no_violations();
    let statuses: Vec<_> = mailbox(&w.ex, &w.nghean)
        .await
        .into_iter()
        .filter(|i| i.kind == "status")
        .map(|i| (i.document_id, i.status_code, i.sender))
        .collect();
    assert_eq!(
        statuses,
        [(doc, Some("03".to_owned()), REPORTING.to_owned())]
    );
}
on_both_backends!(
    reporting_round_trip,
    a_report_document_reaches_the_reporting_system_as_indicator_data
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reporting_connector_refuses_what_is_not_a_data_report_with_typed_errors() {
    let peer = Arc::new(Peer::default());
    let url = reporting_peer(peer.clone()).await;
    let (_rt, g) = generation(
        truc::bundled::NATIONAL_REPORTING,
        &url,
        &[("organ-id", REPORTING)],
    )
    .await;
    let deliver = |m: CanonicalMessage| Delivery {
        id: "d-1".into(),
        receivers: vec![REPORTING.into()],
        message: m,
    };
    let refused = async |m: CanonicalMessage| g.deliver(&deliver(m)).await.unwrap_err();

    // Not a Báo cáo.
    let (mut p, b) = report(90, Q3.as_bytes());
    if let Package::Document(d) = &mut p {
        d.document_type.type_name = "Công văn".into();
    }
    let err = refused(message(p, b)).await;
    assert_eq!(kind(&err), AdapterErrorKind::Unsupported, "{err}");
    // A report with no indicator file.
    let (p, b) = world::document_model(H41, &[REPORTING], 91);
    let mut p = p;
    if let Package::Document(d) = &mut p {
        d.document_type.type_name = "Báo cáo".into();
    }
    let err = refused(message(p, vec![b])).await;
    assert_eq!(kind(&err), AdapterErrorKind::Unsupported, "{err}");
    assert!(err.to_string().contains("JSON attachment"), "{err}");
    // An indicator file that is not JSON, or not of the documented shape.
    let (p, b) = report(92, b"{ \"reportCode\": \"BC\", ");
    let err = refused(message(p, b)).await;
    assert_eq!(kind(&err), AdapterErrorKind::Malformed, "{err}");
    assert!(
        err.to_string().contains("attachments[1] (chi-tieu.json)"),
        "{err}"
    );
    let (p, b) = report(
        93,
        br#"{"reportCode":"BC","period":"2026-Q5","indicators":[{"code":"THU_NSNN","value":1}]}"#,
    );
    let err = refused(message(p, b)).await;
    assert_eq!(kind(&err), AdapterErrorKind::Malformed, "{err}");
    assert!(err.to_string().contains("period"), "{err}");
    let (p, b) = report(
        94,
        r#"{"reportCode":"BC","period":"2026","indicators":[{"code":"THU_NSNN","value":"nhiều"}]}"#
            .as_bytes(),
    );
    let err = refused(message(p, b)).await;
    assert_eq!(kind(&err), AdapterErrorKind::Malformed, "{err}");
    // A status has no place in the reporting system.
    let err = refused(crate::common::status_message()).await;
    assert_eq!(kind(&err), AdapterErrorKind::Unsupported, "{err}");
    assert!(
        peer.received.lock().is_empty(),
        "nothing reached the system"
    );

    // A rejection must say why.
    peer.outbox
        .lock()
        .push(json!({ "id": "rc-9", "documentId": world::doc_id(H41, 80),
        "result": "rejected", "at": now_vn() }));
    let err = g.poll(10).await.unwrap_err();
    assert_eq!(kind(&err), AdapterErrorKind::Malformed, "{err}");
    assert!(err.to_string().contains("receipts[0].reasons"), "{err}");
    peer.outbox.lock()[0]["reasons"] = json!(["Thiếu chỉ tiêu VON_DAU_TU"]);
    let polled = g.poll(10).await.unwrap();
    let Package::Status(s) = &polled[0].message.package else {
        panic!("a status")
    };
    assert_eq!(s.status_code.as_ref().unwrap().to_string(), "02");
    assert_eq!(s.description, "Thiếu chỉ tiêu VON_DAU_TU");
    peer.assert_no_violations();
}
