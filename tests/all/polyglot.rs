//! Adapters written in Python (componentize-py) and JavaScript (ComponentizeJS), signed, loaded
//! and called through the real runtime exactly as the Rust ones: samples decode, encoding what
//! was decoded and decoding it again preserves every canonical field and attachment byte, and
//! bad input is a typed error with its place.
//!
//! Their toolchains come from `tools/install`. Without them each test here prints one line saying
//! it is skipped and why, and passes; under `CI=true` it fails instead.

use std::io::Write as _;
use std::sync::Arc;

use truc::bundled::polyglot::{self, Polyglot};
use truc::bundled::{self as bundled_adapters};
use truc::conformance::{self, Options, Outcome};
use truc::edxml::{BusinessAction, Package, ReceiverChange, StatusCode};
use truc::runtime::{
    AdapterErrorKind, AdapterFailure, AdapterPackage, BindingSettings, CallError, CanonicalMessage,
    Generation, Payload, Provenance, Runtime, RuntimeSettings, TrustStore, trust,
};

use crate::common;

/// A runtime trusting one fresh vendor key, with an artifact cache so the 12-18 MB components
/// are compiled once per machine, not once per test; and `adapter` signed with that key, loaded
/// through signature verification. `None` (after one line on stderr) when the adapter's
/// toolchain is not installed; a panic instead under `CI=true`.
async fn load(adapter: Polyglot) -> Option<(Runtime, Arc<Generation>)> {
    let (pkg, trust) = signed(adapter)?;
    let rt = Runtime::new(RuntimeSettings {
        trust,
        cache_dir: Some(std::env::temp_dir().join("truc-test-artifacts")),
        ..RuntimeSettings::default()
    })
    .expect("runtime starts");
    let g = rt
        .load(&pkg, Provenance::Verify, BindingSettings::default())
        .await
        .unwrap_or_else(|e| panic!("{} loads: {e}", adapter.name));
    Some((rt, g))
}

/// `adapter` signed by a fresh vendor key, and a trust store holding that key; `None` (after one
/// line on stderr) when its toolchain is not installed, a panic instead under `CI=true`.
fn signed(adapter: Polyglot) -> Option<(AdapterPackage, TrustStore)> {
    let mut pkg = match adapter.package() {
        Ok(pkg) => pkg,
        Err(why) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{why} — CI must exercise the {} adapters: .ci/run runs tools/install",
                adapter.language
            );
            let test = std::thread::current().name().unwrap_or("?").to_owned();
            // Straight to stderr: the test harness hides what `eprintln!` prints in passing tests.
            let _ = writeln!(std::io::stderr(), "test {test} skipped: {why}");
            return None;
        }
    };
    let key = trust::generate_key();
    trust::sign(&mut pkg, &key);
    let pkg = AdapterPackage::from_bytes(&pkg.to_bytes()).expect("package reads");
    let mut trust = TrustStore::default();
    trust.add("vendor", key.verifying_key());
    Some((pkg, trust))
}

/// Loads a polyglot adapter or returns from the test (see `load`).
macro_rules! load_or_skip {
    ($adapter:expr) => {
        match load($adapter).await {
            Some(loaded) => loaded,
            None => return,
        }
    };
}

fn sample(adapter: Polyglot, name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/samples/{name}", adapter.source_dir))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Decodes `input`, then checks that each message encodes and decodes back to itself.
async fn round_trip(g: &Generation, content_type: &str, input: &[u8]) -> Vec<CanonicalMessage> {
    let decoded = g
        .decode(&Payload::from_bytes(
            content_type.to_owned(),
            input.to_vec(),
        ))
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", g.id()));
    assert!(!decoded.is_empty());
    for m in &decoded {
        let encoded = g
            .encode(m)
            .await
            .unwrap_or_else(|e| panic!("{}: encode: {e}", g.id()));
        let again = g
            .decode(&encoded)
            .await
            .unwrap_or_else(|e| panic!("{}: decode again: {e}", g.id()));
        assert_eq!(again.len(), 1);
        common::assert_same_message(m, &again[0]);
    }
    decoded
}

async fn failure(g: &Generation, content_type: &str, input: &[u8]) -> AdapterFailure {
    let err = g
        .decode(&Payload::from_bytes(
            content_type.to_owned(),
            input.to_vec(),
        ))
        .await
        .expect_err("bad input is refused");
    match err {
        CallError::Adapter { failure, .. } => failure,
        other => panic!("expected a typed adapter error, not {other:?}"),
    }
}

const MIME: &str = "multipart/mixed";

#[tokio::test]
async fn csv_export_py_samples_round_trip() {
    let (_rt, g) = load_or_skip!(polyglot::CSV_EXPORT_PY);
    for name in ["vanban.mime", "trangthai.mime", "thuhoi.mime"] {
        round_trip(&g, MIME, &sample(polyglot::CSV_EXPORT_PY, name)).await;
    }
}

#[tokio::test]
async fn csv_export_py_reads_vietnamese_columns_dates_and_attached_files() {
    let (_rt, g) = load_or_skip!(polyglot::CSV_EXPORT_PY);
    let msgs = round_trip(&g, MIME, &sample(polyglot::CSV_EXPORT_PY, "vanban.mime")).await;
    let Package::Document(d) = &msgs[0].package else {
        panic!("a document")
    };
    assert_eq!(
        d.document_id.as_ref().unwrap().as_str(),
        "000.00.11.H53,2026/11/20,1234/STTTT-VP"
    );
    assert_eq!(
        d.from.organ_name,
        "Sở Thông tin và Truyền thông tỉnh Nghệ An"
    );
    assert_eq!(d.to.len(), 2);
    assert_eq!(d.to[1].organ_name, "Sở Tài chính tỉnh Nghệ An");
    assert_eq!(
        d.subject,
        "Về việc góp ý dự thảo kế hoạch chuyển đổi số năm 2027, giai đoạn 1"
    );
    assert_eq!(
        d.content,
        "Đề nghị các đơn vị góp ý \"dự thảo\" trước ngày 30/12/2026."
    );
    assert_eq!(
        d.promulgation.date.as_ref().unwrap().to_string(),
        "2026/11/20"
    );
    assert_eq!(d.due_date.as_ref().unwrap().to_string(), "2026/12/30");
    assert_eq!(d.other_info.page_amount, "3");
    assert_eq!(d.to_places, ["Như trên", "Lưu: VT"]);
    assert_eq!(d.attachments.len(), 2);
    assert_eq!(d.attachments[0].content_id, "vb-1234-1");
    assert_eq!(d.attachments[0].description, "Văn bản ký số");
    assert_eq!(d.attachments[1].name, "du-thao-ke-hoach.txt");
    assert_eq!(d.attachments[1].content_type, "text/plain");
    let bodies = common::bodies(&msgs[0]);
    assert_eq!(bodies[0], b"%PDF-1.7\n%truc sample file 01\n");
    assert_eq!(
        String::from_utf8(bodies[1].clone()).unwrap(),
        "Dự thảo kế hoạch chuyển đổi số năm 2027\n"
    );

    let msgs = round_trip(&g, MIME, &sample(polyglot::CSV_EXPORT_PY, "thuhoi.mime")).await;
    let Package::Document(d) = &msgs[0].package else {
        panic!("a document")
    };
    let b = d.business.as_ref().unwrap();
    assert_eq!(b.action, Some(BusinessAction::Revoke));
    assert_eq!(
        b.document_id.as_ref().unwrap().as_str(),
        "000.00.11.H53,2026/11/20,1234/STTTT-VP"
    );
}

#[tokio::test]
async fn csv_export_py_reads_status_rows_with_vietnamese_dates() {
    let (_rt, g) = load_or_skip!(polyglot::CSV_EXPORT_PY);
    let msgs = round_trip(&g, MIME, &sample(polyglot::CSV_EXPORT_PY, "trangthai.mime")).await;
    assert_eq!(msgs.len(), 2);
    let Package::Status(s) = &msgs[1].package else {
        panic!("a status")
    };
    // "4" is read as 04, as some systems drop the zero.
    assert_eq!(s.status_code, Some(StatusCode::Assigned));
    assert_eq!(
        s.timestamp.as_ref().unwrap().to_string(),
        "2026/11/19 10:30:00"
    );
    assert_eq!(s.staff.as_ref().unwrap().staff, "Trần Thị Bình");
}

#[tokio::test]
async fn csv_export_py_reports_bad_bundles_as_typed_errors_with_their_place() {
    let (_rt, g) = load_or_skip!(polyglot::CSV_EXPORT_PY);
    let f = failure(&g, MIME, b"").await;
    assert_eq!(f.kind, AdapterErrorKind::Malformed);
    let f = failure(&g, MIME, b"\x00\xff garbage \x89PNG").await;
    assert_eq!(f.kind, AdapterErrorKind::Malformed, "{f:?}");

    let good = String::from_utf8(sample(polyglot::CSV_EXPORT_PY, "vanban.mime")).unwrap();
    let truncated = &good[..good.len() / 2];
    let f = failure(&g, MIME, truncated.as_bytes()).await;
    assert!(f.message.contains("truncated"), "{f:?}");

    let bad_date = good.replace("20/11/2026,1,Công văn", "2026-11-20,1,Công văn");
    let f = failure(&g, MIME, bad_date.as_bytes()).await;
    assert_eq!(f.kind, AdapterErrorKind::Malformed);
    assert_eq!(
        f.location.as_deref(),
        Some("vanban.csv, row 2, column `Ngày ban hành`")
    );

    let no_subject = good.replace("Trích yếu,", "Tóm tắt,");
    let f = failure(&g, MIME, no_subject.as_bytes()).await;
    assert!(f.message.contains("`Trích yếu`"), "{f:?}");
    assert_eq!(f.location.as_deref(), Some("vanban.csv, row 1"));

    let missing_file = good.replace(";du-thao-ke-hoach.txt", ";phu-luc.docx");
    let f = failure(&g, MIME, missing_file.as_bytes()).await;
    assert!(f.message.contains("phu-luc.docx"), "{f:?}");

    let bad_base64 = good.replace("JVBERi0xLjcK", "JVBE!!0xLjcK");
    let f = failure(&g, MIME, bad_base64.as_bytes()).await;
    assert!(f.message.contains("base64"), "{f:?}");
    assert!(
        f.location.as_deref().unwrap().starts_with("part 2"),
        "{f:?}"
    );
}

#[tokio::test]
async fn csv_export_py_refuses_what_its_system_cannot_record_as_unsupported() {
    let (rt, csv) = load_or_skip!(polyglot::CSV_EXPORT_PY);
    let json = common::load(
        &rt,
        bundled_adapters::JSON_OFFICE,
        BindingSettings::default(),
    )
    .await;
    let update = json
        .decode(&Payload::from_bytes(
            "application/json",
            common::read("plugins/json-office/samples/update.json"),
        ))
        .await
        .unwrap();
    let err = csv.encode(&update[0]).await.unwrap_err();
    let CallError::Adapter { failure, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.kind, AdapterErrorKind::Unsupported);
    assert_eq!(
        failure.location.as_deref(),
        Some("document/business/action")
    );

    // A plain new document from another system goes through, attachments and all.
    let document = json
        .decode(&Payload::from_bytes(
            "application/json",
            common::read("plugins/json-office/samples/document.json"),
        ))
        .await
        .unwrap();
    let bundle = csv.encode(&document[0]).await.unwrap();
    let back = csv.decode(&bundle).await.unwrap();
    assert_eq!(common::bodies(&back[0]), common::bodies(&document[0]));
}

const JSON: &str = "application/json";

#[tokio::test]
async fn json_rest_js_samples_round_trip() {
    let (_rt, g) = load_or_skip!(polyglot::JSON_REST_JS);
    for name in ["document.json", "status.json", "update.json"] {
        round_trip(&g, JSON, &sample(polyglot::JSON_REST_JS, name)).await;
    }
}

#[tokio::test]
async fn json_rest_js_reads_its_field_names_and_iso_dates_in_any_zone_as_vietnam_time() {
    let (_rt, g) = load_or_skip!(polyglot::JSON_REST_JS);
    let msgs = round_trip(&g, JSON, &sample(polyglot::JSON_REST_JS, "document.json")).await;
    let Package::Document(d) = &msgs[0].package else {
        panic!("a document")
    };
    assert_eq!(d.from.organ_name, "Bộ Tài chính");
    assert_eq!(d.to[1].email, "vanthu@hanoi.gov.vn");
    assert_eq!(d.code.notation, "BTC-VP");
    assert_eq!(d.signer.full_name, "Phạm Thị Thu Hà");
    assert_eq!(d.due_date.as_ref().unwrap().to_string(), "2027/01/15");
    assert_eq!(d.other_info.promulgation_amount, "65");
    assert_eq!(d.other_info.direction, "true");
    assert_eq!(d.response_for[0].code, "88/UBND-TH");
    assert_eq!(d.business.as_ref().unwrap().paper, "1");
    // 02:15 UTC is 09:15 in Vietnam; a time with its own offset is kept.
    assert_eq!(
        d.traces[0].timestamp.as_ref().unwrap().to_string(),
        "2026/11/19 09:15:00"
    );
    assert_eq!(
        d.traces[1].timestamp.as_ref().unwrap().to_string(),
        "2026/11/19 09:16:30"
    );
    assert_eq!(
        common::bodies(&msgs[0])[1],
        "Số tiền,Ghi chú\n1000000,Kinh phí\n".as_bytes()
    );

    let msgs = round_trip(&g, JSON, &sample(polyglot::JSON_REST_JS, "status.json")).await;
    let Package::Status(s) = &msgs[0].package else {
        panic!("a status")
    };
    // 18:05 UTC on the 19th is already the 20th in Vietnam.
    assert_eq!(
        s.timestamp.as_ref().unwrap().to_string(),
        "2026/11/20 01:05:00"
    );
    let Package::Status(s) = &msgs[1].package else {
        panic!("a status")
    };
    assert_eq!(s.status_code, Some(StatusCode::Rejected));

    let msgs = round_trip(&g, JSON, &sample(polyglot::JSON_REST_JS, "update.json")).await;
    let Package::Document(d) = &msgs[0].package else {
        panic!("a document")
    };
    // 01:00 UTC on the 21st, a date-time where a date was expected: its Vietnam date.
    assert_eq!(
        d.promulgation.date.as_ref().unwrap().to_string(),
        "2026/11/21"
    );
    let info = d.business.as_ref().unwrap().document_info.as_ref().unwrap();
    assert_eq!(info.receivers[0].change, Some(ReceiverChange::Removed));
    let Package::Document(d) = &msgs[1].package else {
        panic!("a document")
    };
    assert_eq!(
        d.business.as_ref().unwrap().action,
        Some(BusinessAction::Replace)
    );
}

#[tokio::test]
async fn json_rest_js_reports_bad_input_as_typed_errors_with_their_place() {
    let (_rt, g) = load_or_skip!(polyglot::JSON_REST_JS);
    let f = failure(&g, JSON, b"").await;
    assert_eq!(f.kind, AdapterErrorKind::Malformed);
    let f = failure(&g, JSON, b"{\n  \"items\": [nope").await;
    assert_eq!(f.kind, AdapterErrorKind::Malformed);
    assert!(
        f.location.as_deref().unwrap().starts_with("line 2"),
        "{f:?}"
    );
    let f = failure(&g, JSON, b"\xff\xfe").await;
    assert!(f.message.contains("UTF-8"), "{f:?}");

    let good = String::from_utf8(sample(polyglot::JSON_REST_JS, "document.json")).unwrap();
    let f = failure(
        &g,
        JSON,
        good.replace("\"organ_code\": \"000.00.00.G09\",", "\"organ_code\": 9,")
            .as_bytes(),
    )
    .await;
    assert_eq!(
        f.location.as_deref(),
        Some("$.items[0].issuer.organ_code"),
        "{f:?}"
    );
    let f = failure(
        &g,
        JSON,
        good.replace("2027-01-15", "15/01/2027").as_bytes(),
    )
    .await;
    assert_eq!(f.location.as_deref(), Some("$.items[0].due_at"), "{f:?}");
    let f = failure(&g, JSON, good.replace("JVBERi0x", "JV@@Ri0x").as_bytes()).await;
    assert_eq!(
        f.location.as_deref(),
        Some("$.items[0].attachments[0].content_base64"),
        "{f:?}"
    );
}

#[tokio::test]
async fn a_document_from_the_rust_adapter_survives_the_javascript_one_field_for_field() {
    let (rt, js) = load_or_skip!(polyglot::JSON_REST_JS);
    let rust = common::load(
        &rt,
        bundled_adapters::JSON_OFFICE,
        BindingSettings::default(),
    )
    .await;
    for name in ["document", "status", "update", "revoke", "replace"] {
        let original = rust
            .decode(&Payload::from_bytes(
                JSON,
                common::read(&format!("plugins/json-office/samples/{name}.json")),
            ))
            .await
            .unwrap();
        let theirs = js.encode(&original[0]).await.unwrap();
        let back = js.decode(&theirs).await.unwrap();
        common::assert_same_message(&original[0], &back[0]);
    }
}

#[tokio::test]
async fn the_three_status_line_templates_agree_on_the_same_input() {
    let (rt, py) = load_or_skip!(polyglot::STATUS_LINE_PY);
    let Some((_rt2, js)) = load(polyglot::STATUS_LINE_JS).await else {
        return;
    };
    let rust = common::load(
        &rt,
        bundled_adapters::STATUS_LINE,
        BindingSettings::default(),
    )
    .await;
    let input = common::read("examples/adapter-template-rust/samples/accepted.txt");
    let from_rust = rust
        .decode(&Payload::from_bytes("text/plain", input.clone()))
        .await
        .unwrap();
    for g in [&py, &js] {
        let decoded = round_trip(g, "text/plain", &input).await;
        assert_eq!(decoded.len(), from_rust.len());
        for (a, b) in decoded.iter().zip(&from_rust) {
            common::assert_same_message(a, b);
        }
        let encoded = g.encode(&decoded[0]).await.unwrap();
        assert_eq!(
            encoded.body.to_bytes().unwrap().to_vec(),
            rust.encode(&from_rust[0])
                .await
                .unwrap()
                .body
                .to_bytes()
                .unwrap()
                .to_vec(),
            "{}: the same line as the Rust template",
            g.id()
        );
    }
    let f = failure(&py, "text/plain", b"only;three;fields").await;
    assert_eq!(f.location.as_deref(), Some("line 1"));
    let f = failure(&js, "text/plain", b"only;three;fields").await;
    assert_eq!(f.location.as_deref(), Some("line 1"));
}

/// Both adapters pass the conformance harness vendors run (`truc adapter test`) on their own
/// samples, under production limits: round trips, determinism, hostile input, limits.
#[tokio::test]
async fn csv_export_py_and_json_rest_js_pass_the_conformance_harness() {
    for adapter in [polyglot::CSV_EXPORT_PY, polyglot::JSON_REST_JS] {
        let Some((pkg, trust)) = signed(adapter) else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let package = dir.path().join(format!("{}.tap", adapter.name));
        pkg.save(&package).unwrap();
        let report = conformance::run(&Options {
            package,
            samples: Some(std::path::Path::new(adapter.source_dir).join("samples")),
            previous: None,
            trust,
        })
        .await;
        assert!(report.passed, "{}:\n{}", adapter.name, report.render());
        for check in [
            "signature",
            "decode-samples",
            "round-trip",
            "determinism",
            "hostile-input",
        ] {
            assert_eq!(
                report.outcome(check),
                Some(Outcome::Pass),
                "{} {check}:\n{}",
                adapter.name,
                report.render()
            );
        }
    }
}
