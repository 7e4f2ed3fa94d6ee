//! Helpers shared by the end-to-end tests.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use truc::bundled::Artifact;
use truc::runtime::{BindingSettings, Generation, Provenance, Runtime, RuntimeSettings};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A runtime with default settings and no artifact cache.
pub fn runtime() -> Runtime {
    Runtime::new(RuntimeSettings::default()).expect("runtime starts")
}

/// Loads a bundled adapter with the given grants and configuration.
pub async fn load(rt: &Runtime, artifact: Artifact, binding: BindingSettings) -> Arc<Generation> {
    let pkg = artifact.package().expect("bundled package reads");
    rt.load(&pkg, Provenance::Bundled, binding)
        .await
        .unwrap_or_else(|e| panic!("{} loads: {e}", artifact.name))
}

/// Serves `body` with status 200 on every path, on a free loopback port; returns the base URL.
pub async fn serve_text(body: &'static str) -> String {
    let app = axum::Router::new().fallback(move || async move { body });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

/// Asserts that a healthy adapter on the same runtime still answers.
pub async fn healthy_adapter_still_answers(rt: &Runtime) {
    let g = load(rt, truc::bundled::TRIVIAL, BindingSettings::default()).await;
    let msgs = g
        .decode(&truc::runtime::Payload::from_bytes(
            "text/plain",
            &b"01"[..],
        ))
        .await
        .expect("the healthy adapter answers after the misbehaving one");
    assert_eq!(msgs.len(), 1);
}

/// A small status message (05 for a G22 document).
pub fn status_message() -> truc::runtime::CanonicalMessage {
    use truc::edxml::{EdDateTime, Organ, Package, ResponseFor, Status, StatusCode};
    let status = Status {
        from: Organ {
            organ_id: Some("000.00.00.H41".parse().unwrap()),
            organ_name: "UBND Tỉnh Nghệ An".into(),
            ..Default::default()
        },
        response_for: Some(ResponseFor {
            organ_id: Some("000.00.00.G22".parse().unwrap()),
            code: "7816/VPCP-TTĐT".into(),
            promulgation_date: Some("2018/09/28".parse().unwrap()),
            document_id: Some("000.00.00.G22,2018/09/28,7816/VPCP-TTĐT".parse().unwrap()),
        }),
        staff: None,
        status_code: Some(StatusCode::Processing),
        description: "Đang xử lý".into(),
        timestamp: Some(EdDateTime::parse("2018/09/29 08:00:00")),
        traces: Vec::new(),
    };
    truc::runtime::CanonicalMessage::new(Package::Status(Box::new(status)))
}

/// Reads a file of the repository.
pub fn read(path: &str) -> Vec<u8> {
    std::fs::read(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The bytes of every attachment body of a message.
pub fn bodies(m: &truc::runtime::CanonicalMessage) -> Vec<Vec<u8>> {
    m.bodies
        .iter()
        .map(|b| b.to_bytes().unwrap().to_vec())
        .collect()
}

/// Asserts two canonical messages carry the same package and attachment bytes.
pub fn assert_same_message(
    a: &truc::runtime::CanonicalMessage,
    b: &truc::runtime::CanonicalMessage,
) {
    assert_eq!(a.package, b.package, "packages differ");
    assert_eq!(bodies(a), bodies(b), "attachment bodies differ");
}
