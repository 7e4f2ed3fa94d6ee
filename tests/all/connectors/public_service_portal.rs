//! The national public-service portal: one-stop dossiers come in as edXML documents with
//! `ApplicationType` `MCDT_DT` for the agency handling the procedure; that agency's statuses go
//! back to the portal's dossier; documents that are not one-stop are refused.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde_json::{Value, json};
use truc::edxml::Package;
use truc::store::Store;

use super::ecabinet::world_status;
use super::{
    Peer, delivery_state, drain, iso_date_time, mailbox, now_vn, only_keys, organ_code, serve,
    string, text, today_iso, world_with_connector,
};
use crate::on_both_backends;
use crate::world::{self, H41};

/// The agency code the hub gives the portal in these tests.
const PORTAL: &str = "000.00.99.G03";

/// A strict portal, as `plugins/public-service-portal/README.md` documents it.
async fn portal_peer(peer: Arc<Peer>) -> String {
    async fn status(
        State(p): State<Arc<Peer>>,
        Path(code): Path<String>,
        headers: HeaderMap,
        body: Bytes,
    ) -> (StatusCode, axum::Json<Value>) {
        let known = p
            .outbox
            .lock()
            .iter()
            .any(|d| d["dossierCode"] == code.as_str());
        p.accept(
            &format!("/api/dossiers/{code}/status"),
            &headers,
            &body,
            |v| {
                if !known {
                    return Err(format!("unknown dossier {code}"));
                }
                only_keys(v, &["agency", "status", "note", "at"])?;
                organ_code(v, "agency")?;
                let s = text(v, "status")?;
                if s.len() != 2 {
                    return Err(format!("status {s}"));
                }
                string(v, "note")?;
                iso_date_time(v, "at")
            },
        )
    }
    async fn dossiers(
        State(p): State<Arc<Peer>>,
        headers: HeaderMap,
        Query(q): Query<std::collections::HashMap<String, String>>,
    ) -> (StatusCode, axum::Json<Value>) {
        let limit = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(0);
        match p.pending(&headers, limit) {
            Ok(items) if limit > 0 => (StatusCode::OK, axum::Json(json!({ "dossiers": items }))),
            Ok(_) => {
                p.violations
                    .lock()
                    .push("dossiers: no numeric limit".into());
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
            .route("/api/dossiers", get(dossiers))
            .route("/api/dossiers/ack", post(ack))
            .route("/api/dossiers/{code}/status", post(status))
            .with_state(peer),
    )
    .await
}

async fn a_one_stop_dossier_comes_in_as_mcdt_and_its_statuses_go_back(store: Store) {
    let peer = Arc::new(Peer::default());
    let url = portal_peer(peer.clone()).await;
    let (w, portal, adapters) = world_with_connector(
        store,
        "dvcqg",
        PORTAL,
        truc::bundled::PUBLIC_SERVICE_PORTAL,
        &url,
        &[],
    )
    .await;
    let form = b"%PDF-1.7 don de nghi".to_vec();
    peer.outbox.lock().push(json!({
        "id": "ds-1", "dossierCode": "DVC-261123-0001", "seq": 1, "agency": H41,
        "procedure": { "code": "1.001612", "name": "Cấp giấy phép xây dựng" },
        "applicant": { "name": "Trần Thị B" },
        "submittedAt": now_vn(), "dueDate": today_iso(),
        "files": [ { "fileName": "don.pdf", "mimeType": "application/pdf",
                     "content": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &form) } ] }));
    let outcome = w.ex.poll_endpoint(&adapters, &portal, 10).await.unwrap();
    assert_eq!(outcome.accepted, 1, "{outcome:?}");
    assert_eq!(peer.acked.lock().as_slice(), ["ds-1"]);

    let inbox = mailbox(&w.ex, &w.nghean).await;
    let item = inbox
        .iter()
        .find(|i| i.kind == "document")
        .expect("the dossier arrived");
    let dossier_id = format!("{PORTAL},{},1/DVC-261123-0001", world::today());
    assert_eq!(item.document_id, dossier_id);
    let (_, loaded) = w.ex.fetch(&w.nghean, &item.delivery_id).await.unwrap();
    let Package::Document(d) = &loaded.package else {
        panic!("a document")
    };
    assert_eq!(
        d.application_type.as_deref(),
        Some("MCDT_DT"),
        "ApplicationType is carried"
    );
    assert_eq!(crate::common::bodies(&loaded.to_message().unwrap()), [form]);

    // Nghệ An registers the dossier: the portal's dossier shows it.
    world::send(
        &w.ex,
        &w.nghean,
        world_status(H41, PORTAL, &dossier_id, "03"),
    )
    .await
    .unwrap();
    // A Công văn is not a one-stop document: refused for good.
    world::send(&w.ex, &w.nghean, world::document(H41, &[PORTAL], 60))
        .await
        .unwrap();
    drain(&w.ex, &adapters).await;
    peer.assert_no_violations();
    let updates = peer.bodies("/api/dossiers/DVC-261123-0001/status");
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0]["agency"], H41);
    assert_eq!(updates[0]["status"], "03");
    let (state, error, attempts) = delivery_state(&w.ex, &world::doc_id(H41, 60), PORTAL).await;
    assert_eq!((state.as_str(), attempts), ("dead", 1));
    let error = error.unwrap_or_default();
    assert!(
        error.contains("unsupported") && error.contains("MCDT"),
        "{error}"
    );
}
on_both_backends!(
    portal_round_trip,
    a_one_stop_dossier_comes_in_as_mcdt_and_its_statuses_go_back
);
