//! The e-Gazette: signed legal-normative documents are sent for publication; anything else is
//! refused with a typed error before a request is made; publication notices come back as 06.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde_json::{Value, json};
use truc::edxml::{Package, Sha256};
use truc::runtime::{AdapterErrorKind, Delivery};
use truc::store::Store;

use super::{
    Peer, array, base64, delivery_state, drain, generation, iso_date, kind, mailbox, message,
    now_vn, only_keys, organ_code, serve, text, today_iso, world_with_connector,
};
use crate::on_both_backends;
use crate::world::{self, G22};

/// The agency code the hub gives the e-Gazette in these tests.
const GAZETTE: &str = "000.00.99.G04";

/// A PDF with a signature dictionary, as a PAdES signer writes it.
const SIGNED_PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 120 220 80] /Contents <3082> >> endobj\n%%EOF\n";

/// A strict e-Gazette, as `plugins/e-gazette/README.md` documents it.
async fn gazette_peer(peer: Arc<Peer>) -> String {
    async fn publications(
        State(p): State<Arc<Peer>>,
        headers: HeaderMap,
        body: Bytes,
    ) -> (StatusCode, axum::Json<Value>) {
        p.accept("/api/publications", &headers, &body, |v| {
            only_keys(
                v,
                &[
                    "submissionId",
                    "documentId",
                    "issuer",
                    "documentType",
                    "number",
                    "issuedOn",
                    "title",
                    "signer",
                    "files",
                ],
            )?;
            if text(v, "submissionId")? != headers["idempotency-key"] {
                return Err("submissionId differs from Idempotency-Key".into());
            }
            text(v, "documentId")?;
            only_keys(&v["issuer"], &["code", "name"])?;
            organ_code(&v["issuer"], "code")?;
            text(v, "documentType")?;
            let number = text(v, "number")?;
            if number.split('/').nth(1).is_none_or(|y| y.len() != 4) {
                return Err(format!("number {number} carries no year"));
            }
            iso_date(v, "issuedOn", false)?;
            text(v, "title")?;
            only_keys(&v["signer"], &["competence", "position", "name"])?;
            text(&v["signer"], "name")?;
            let mut signed = false;
            for f in array(v, "files")? {
                only_keys(f, &["fileName", "mimeType", "content"])?;
                text(f, "fileName")?;
                text(f, "mimeType")?;
                let bytes = base64(f, "content")?;
                signed |= bytes.windows(10).any(|w| w == b"/ByteRange");
            }
            if signed {
                Ok(())
            } else {
                Err("no signed PDF".into())
            }
        })
    }
    async fn notices(
        State(p): State<Arc<Peer>>,
        headers: HeaderMap,
        Query(q): Query<std::collections::HashMap<String, String>>,
    ) -> (StatusCode, axum::Json<Value>) {
        let limit = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(0);
        match p.pending(&headers, limit) {
            Ok(items) if limit > 0 => (StatusCode::OK, axum::Json(json!({ "notices": items }))),
            Ok(_) => {
                p.violations.lock().push("notices: no numeric limit".into());
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
            .route("/api/publications", post(publications))
            .route("/api/notices", get(notices))
            .route("/api/notices/ack", post(ack))
            .with_state(peer),
    )
    .await
}

/// A document from VPCP to the Gazette: `type_name`, number `number/notation`, one PDF `pdf`.
fn decision(number: u32, notation: &str, type_name: &str, pdf: &[u8]) -> (Package, Vec<Vec<u8>>) {
    let (mut p, _) = world::document_model(G22, &[GAZETTE], number);
    if let Package::Document(d) = &mut p {
        d.document_type.type_name = type_name.into();
        d.code.notation = notation.into();
        d.document_id = Some(
            format!("{G22},{},{number}/{notation}", world::today())
                .parse()
                .unwrap(),
        );
        d.signer.full_name = "Nguyễn Văn A".into();
        d.signer.position = "Thủ tướng".into();
        d.attachments[0].size = pdf.len() as u64;
        d.attachments[0].sha256 = Sha256::of(pdf);
    }
    (p, vec![pdf.to_vec()])
}

fn decision_bytes(number: u32, notation: &str, type_name: &str, pdf: &[u8]) -> Vec<u8> {
    let (p, b) = decision(number, notation, type_name, pdf);
    world::edxml_bytes(&p, Some(&b[0]))
}

async fn a_signed_legal_normative_document_is_published_and_the_notice_comes_back(store: Store) {
    let peer = Arc::new(Peer::default());
    let url = gazette_peer(peer.clone()).await;
    let (w, gazette, adapters) = world_with_connector(
        store,
        "congbao",
        GAZETTE,
        truc::bundled::E_GAZETTE,
        &url,
        &[],
    )
    .await;
    let qd = decision_bytes(28, "2026/QĐ-TTg", "Quyết định", SIGNED_PDF);
    world::send(&w.ex, &w.vpcp, qd).await.unwrap();
    // A Công văn, and an unsigned (scanned) Quyết định, are refused for good.
    let cv = decision_bytes(29, "VPCP-TTĐT", "Công văn", SIGNED_PDF);
    world::send(&w.ex, &w.vpcp, cv).await.unwrap();
    let scan = decision_bytes(30, "2026/QĐ-TTg", "Quyết định", b"%PDF-1.4 scanned image");
    world::send(&w.ex, &w.vpcp, scan).await.unwrap();
    drain(&w.ex, &adapters).await;
    peer.assert_no_violations();

    let id = |n: u32, notation: &str| format!("{G22},{},{n}/{notation}", world::today());
    let qd_id = id(28, "2026/QĐ-TTg");
    assert_eq!(delivery_state(&w.ex, &qd_id, GAZETTE).await.0, "delivered");
    let published = peer.bodies("/api/publications");
    assert_eq!(published.len(), 1);
    assert_eq!(published[0]["documentId"], qd_id);
    assert_eq!(published[0]["number"], "28/2026/QĐ-TTg");
    assert_eq!(published[0]["issuedOn"], today_iso());
    assert_eq!(
        base64(&published[0]["files"][0], "content").unwrap(),
        SIGNED_PDF
    );
    let (state, error, attempts) = delivery_state(&w.ex, &id(29, "VPCP-TTĐT"), GAZETTE).await;
    assert_eq!((state.as_str(), attempts), ("dead", 1));
    assert!(error.unwrap_or_default().contains("legal-normative"));
    let (state, error, attempts) = delivery_state(&w.ex, &id(30, "2026/QĐ-TTg"), GAZETTE).await;
    assert_eq!((state.as_str(), attempts), ("dead", 1));
    assert!(error.unwrap_or_default().contains("after signature"));

    peer.outbox.lock().push(
        json!({ "id": "cb-1", "documentId": qd_id, "gazetteIssue": "1021+1022",
        "publishedOn": today_iso(), "at": now_vn() }),
    );
    let outcome = w.ex.poll_endpoint(&adapters, &gazette, 10).await.unwrap();
    assert_eq!(outcome.accepted, 1, "{outcome:?}");
    assert_eq!(peer.acked.lock().as_slice(), ["cb-1"]);
    let statuses: Vec<_> = mailbox(&w.ex, &w.vpcp)
        .await
        .into_iter()
        .filter(|i| i.kind == "status")
        .map(|i| (i.document_id, i.status_code, i.subject))
        .collect();
    assert_eq!(statuses.len(), 1, "{statuses:?}");
    assert_eq!(statuses[0].0, qd_id);
    assert_eq!(statuses[0].1.as_deref(), Some("06"));
    assert!(
        statuses[0].2.contains("Công báo số 1021+1022"),
        "{statuses:?}"
    );
}
on_both_backends!(
    gazette_round_trip,
    a_signed_legal_normative_document_is_published_and_the_notice_comes_back
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gazette_refuses_unsigned_or_non_normative_documents_with_typed_errors() {
    let peer = Arc::new(Peer::default());
    let url = gazette_peer(peer.clone()).await;
    let (_rt, g) = generation(truc::bundled::E_GAZETTE, &url, &[("organ-id", GAZETTE)]).await;
    let deliver = |(p, b): (Package, Vec<Vec<u8>>)| Delivery {
        id: "d-1".into(),
        receivers: vec![GAZETTE.into()],
        message: message(p, b),
    };
    // An administrative Quyết định (no year in its number) is not legal-normative.
    let err = g
        .deliver(&deliver(decision(31, "QĐ-TTg", "Quyết định", SIGNED_PDF)))
        .await
        .unwrap_err();
    assert_eq!(kind(&err), AdapterErrorKind::Unsupported, "{err}");
    let err = g
        .deliver(&deliver(decision(
            32,
            "2026/TB-VPCP",
            "Thông báo",
            SIGNED_PDF,
        )))
        .await
        .unwrap_err();
    assert_eq!(kind(&err), AdapterErrorKind::Unsupported, "{err}");
    // Unsigned: a scan, or no signer named.
    let err = g
        .deliver(&deliver(decision(
            33,
            "2026/TT-BTTTT",
            "Thông tư",
            b"%PDF-1.4 scan",
        )))
        .await
        .unwrap_err();
    assert_eq!(kind(&err), AdapterErrorKind::Rejected, "{err}");
    let (mut p, b) = decision(34, "2026/TT-BTTTT", "Thông tư", SIGNED_PDF);
    if let Package::Document(d) = &mut p {
        d.signer.full_name.clear();
    }
    let err = g.deliver(&deliver((p, b))).await.unwrap_err();
    assert_eq!(kind(&err), AdapterErrorKind::Rejected, "{err}");
    // A status is not publishable.
    let err = g
        .deliver(&Delivery {
            id: "d-2".into(),
            receivers: vec![GAZETTE.into()],
            message: crate::common::status_message(),
        })
        .await
        .unwrap_err();
    assert_eq!(kind(&err), AdapterErrorKind::Unsupported, "{err}");
    assert!(
        peer.received.lock().is_empty(),
        "nothing reached the e-Gazette"
    );
    // The signed Thông tư goes through.
    g.deliver(&deliver(decision(
        35,
        "2026/TT-BTTTT",
        "Thông tư",
        SIGNED_PDF,
    )))
    .await
    .unwrap();
    peer.assert_no_violations();
}
