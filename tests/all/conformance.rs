//! `truc adapter test`, the conformance harness: the bundled adapters pass it (json-office
//! including delivery and polling against the harness's mock legacy system), misbehaving or
//! untrusted packages fail it with the right check named, `--previous` compares releases, and
//! the real binary's exit status and `--json` suit CI.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use truc::bundled::{self, Artifact};
use truc::conformance::{self, Options, Outcome, Report};
use truc::runtime::AdapterPackage;
use truc::runtime::TrustStore;
use truc::runtime::trust;

use crate::common;

/// Writes `artifact` as a package signed by a fresh key; returns its path and the trust store
/// holding that key (the key files are `DIR/vendor.key|pub`).
fn signed(dir: &Path, artifact: Artifact) -> (PathBuf, TrustStore) {
    let key = trust::generate_key();
    trust::write_key_pair(&key, &dir.join("vendor")).unwrap();
    let mut pkg = artifact.package().unwrap();
    trust::sign(&mut pkg, &key);
    let path = dir.join(format!("{}.tap", artifact.name));
    pkg.save(&path).unwrap();
    let mut store = TrustStore::default();
    store.add("vendor", key.verifying_key());
    (path, store)
}

/// Writes `artifact` unsigned.
fn unsigned(dir: &Path, artifact: Artifact) -> PathBuf {
    let path = dir.join(format!("{}.tap", artifact.name));
    artifact.package().unwrap().save(&path).unwrap();
    path
}

fn allow_unsigned() -> TrustStore {
    let mut store = TrustStore::default();
    store.allow_unsigned = true;
    store
}

async fn test(package: PathBuf, samples: Option<&str>, trust: TrustStore) -> Report {
    conformance::run(&Options {
        package,
        samples: samples.map(|s| common::repo().join(s)),
        previous: None,
        trust,
    })
    .await
}

fn assert_outcome(r: &Report, check: &str, expected: Outcome) {
    assert_eq!(r.outcome(check), Some(expected), "{check}:\n{}", r.render());
}

fn reason<'a>(r: &'a Report, check: &str) -> &'a str {
    &r.checks.iter().find(|c| c.check == check).unwrap().reason
}

/// Every check a codec adapter must pass; the connector checks do not apply.
fn assert_codec_passes(r: &Report) {
    assert!(r.passed, "{}", r.render());
    for check in [
        "manifest",
        "signature",
        "contract",
        "describe",
        "decode-samples",
        "round-trip",
        "determinism",
        "hostile-input",
        "limits",
    ] {
        assert_outcome(r, check, Outcome::Pass);
    }
    assert_outcome(r, "connector-deliver", Outcome::Skip);
    assert_outcome(r, "connector-poll", Outcome::Skip);
    assert_eq!(r.checks.len(), conformance::CHECKS.len());
}

#[tokio::test]
async fn edxml_native_passes_every_check_on_the_government_office_samples() {
    let dir = tempfile::tempdir().unwrap();
    let (pkg, trust) = signed(dir.path(), bundled::EDXML_NATIVE);
    let r = test(pkg, Some("plugins/edxml-native/samples"), trust).await;
    assert_codec_passes(&r);
    assert!(reason(&r, "decode-samples").starts_with("3 sample(s)"));
}

#[tokio::test]
async fn legacy_tcvn3_passes_every_check() {
    let dir = tempfile::tempdir().unwrap();
    let (pkg, trust) = signed(dir.path(), bundled::LEGACY_TCVN3);
    let r = test(pkg, Some("plugins/legacy-tcvn3/samples"), trust).await;
    assert_codec_passes(&r);
}

#[tokio::test]
async fn the_rust_template_passes_every_check() {
    let dir = tempfile::tempdir().unwrap();
    let (pkg, trust) = signed(dir.path(), bundled::STATUS_LINE);
    let r = test(pkg, Some("examples/adapter-template-rust/samples"), trust).await;
    assert_codec_passes(&r);
}

#[tokio::test]
async fn json_office_passes_and_delivers_to_and_polls_from_the_mock() {
    let dir = tempfile::tempdir().unwrap();
    let (pkg, trust) = signed(dir.path(), bundled::JSON_OFFICE);
    let r = test(pkg, Some("plugins/json-office/samples"), trust).await;
    assert!(r.passed, "{}", r.render());
    assert_outcome(&r, "connector-deliver", Outcome::Pass);
    assert_outcome(&r, "connector-poll", Outcome::Pass);
    assert!(
        reason(&r, "connector-deliver").contains("POST /api/documents"),
        "{}",
        r.render()
    );
    assert!(reason(&r, "connector-poll").contains("polled 1 message"));
    // Every call is measured against the production budget.
    assert!(
        r.measurements
            .iter()
            .all(|m| m.peak_memory > 0 && !m.would_exceed_in_production)
    );
}

#[tokio::test]
async fn a_connector_sent_beyond_the_mock_is_stopped_by_the_grant_and_fails_connector_deliver() {
    let dir = tempfile::tempdir().unwrap();
    let samples = dir.path().join("samples");
    std::fs::create_dir(&samples).unwrap();
    std::fs::copy(
        common::repo().join("plugins/json-office/samples/status.json"),
        samples.join("status.json"),
    )
    .unwrap();
    // A real server the manifest's `http://127.0.0.1:*` request covers, but the harness
    // grants only the mock's origin, as an operator grants only the legacy system's.
    let elsewhere = common::serve_text("{}").await;
    std::fs::write(
        samples.join("connector.toml"),
        format!("[values]\nbase-url = \"{elsewhere}\"\n"),
    )
    .unwrap();
    let r = conformance::run(&Options {
        package: unsigned(dir.path(), bundled::JSON_OFFICE),
        samples: Some(samples),
        previous: None,
        trust: allow_unsigned(),
    })
    .await;
    assert!(!r.passed);
    assert_outcome(&r, "connector-deliver", Outcome::Fail);
    assert!(
        reason(&r, "connector-deliver").contains("capability-denied"),
        "{}",
        r.render()
    );
    assert_outcome(&r, "signature", Outcome::Warn);
    assert_outcome(&r, "round-trip", Outcome::Pass);
}

#[tokio::test]
async fn a_panicking_adapter_fails_decoding_and_hostile_input_with_the_panic_named() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = unsigned(dir.path(), bundled::PANICS);
    let r = test(
        pkg,
        Some("examples/adapter-template-rust/samples"),
        allow_unsigned(),
    )
    .await;
    assert!(!r.passed);
    assert_outcome(&r, "describe", Outcome::Pass);
    assert_outcome(&r, "decode-samples", Outcome::Fail);
    assert_outcome(&r, "hostile-input", Outcome::Fail);
    assert!(reason(&r, "decode-samples").contains("[trap-panic]"));
    assert!(reason(&r, "hostile-input").contains("(garbage)"));
    assert!(reason(&r, "hostile-input").contains("(empty)"));
    assert!(reason(&r, "hostile-input").contains("(oversized"));
}

#[tokio::test]
async fn an_endless_loop_fails_the_limits_check_as_a_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = unsigned(dir.path(), bundled::SPIN_FOREVER);
    let r = test(
        pkg,
        Some("examples/adapter-template-rust/samples"),
        allow_unsigned(),
    )
    .await;
    assert_outcome(&r, "limits", Outcome::Fail);
    assert!(reason(&r, "limits").contains("(timeout)"), "{}", r.render());
    assert!(
        r.measurements
            .iter()
            .any(|m| m.error == Some("timeout") && m.would_exceed_in_production)
    );
}

#[tokio::test]
async fn a_memory_bomb_fails_the_limits_check_at_its_memory_cap() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = unsigned(dir.path(), bundled::MEMORY_BOMB);
    let r = test(
        pkg,
        Some("examples/adapter-template-rust/samples"),
        allow_unsigned(),
    )
    .await;
    assert_outcome(&r, "limits", Outcome::Fail);
    assert!(
        reason(&r, "limits").contains("(memory-limit)"),
        "{}",
        r.render()
    );
    assert!(reason(&r, "limits").contains("16 MiB"));
}

#[tokio::test]
async fn an_unsigned_package_fails_the_signature_check_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = unsigned(dir.path(), bundled::STATUS_LINE);
    let r = test(
        pkg,
        Some("examples/adapter-template-rust/samples"),
        TrustStore::default(),
    )
    .await;
    assert!(!r.passed);
    assert_eq!(r.failed(), ["signature"], "{}", r.render());
    assert!(reason(&r, "signature").contains("not signed"));
}

#[tokio::test]
async fn a_package_changed_after_signing_fails_the_signature_check() {
    let dir = tempfile::tempdir().unwrap();
    let (path, trust) = signed(dir.path(), bundled::STATUS_LINE);
    let original = AdapterPackage::open(&path).unwrap();
    let manifest = String::from_utf8(original.manifest_bytes().to_vec())
        .unwrap()
        .replace("memory = \"16 MiB\"", "memory = \"32 MiB\"");
    let mut tampered =
        AdapterPackage::new(manifest.into_bytes(), original.component().to_vec()).unwrap();
    tampered.signature = original.signature.clone();
    tampered.save(&path).unwrap();
    let r = test(path, Some("examples/adapter-template-rust/samples"), trust).await;
    assert_eq!(r.failed(), ["signature"], "{}", r.render());
    assert!(reason(&r, "signature").contains("manifest.toml was changed after signing"));
}

#[tokio::test]
async fn without_samples_the_decode_checks_fail_and_say_what_to_give() {
    let dir = tempfile::tempdir().unwrap();
    let (pkg, trust) = signed(dir.path(), bundled::STATUS_LINE);
    let r = test(pkg, None, trust).await;
    assert_outcome(&r, "decode-samples", Outcome::Fail);
    assert!(reason(&r, "decode-samples").contains("--samples DIR"));
}

#[tokio::test]
async fn an_unreadable_package_fails_the_manifest_check_and_skips_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.tap");
    std::fs::write(&path, b"not a zip").unwrap();
    let r = test(path, None, TrustStore::default()).await;
    assert_eq!(r.failed(), ["manifest"]);
    assert!(reason(&r, "manifest").contains("not an adapter package"));
    assert_eq!(r.checks.len(), conformance::CHECKS.len());
}

#[tokio::test]
async fn json_office_next_decodes_the_samples_as_json_office_did() {
    let dir = tempfile::tempdir().unwrap();
    let (new, trust) = signed(dir.path(), bundled::JSON_OFFICE_NEXT);
    let old = dir.path().join("previous.tap");
    bundled::JSON_OFFICE.package().unwrap().save(&old).unwrap();
    let r = conformance::run(&Options {
        package: new,
        samples: Some(common::repo().join("plugins/json-office/samples")),
        previous: Some(old),
        trust,
    })
    .await;
    assert!(r.passed, "{}", r.render());
    assert_outcome(&r, "backward-compatibility", Outcome::Pass);
    assert!(reason(&r, "backward-compatibility").contains("json-office@1.0.0"));
}

#[tokio::test]
async fn another_adapter_given_as_previous_fails_backward_compatibility() {
    let dir = tempfile::tempdir().unwrap();
    let (new, trust) = signed(dir.path(), bundled::JSON_OFFICE);
    let old = unsigned(dir.path(), bundled::LEGACY_TCVN3);
    let r = conformance::run(&Options {
        package: new,
        samples: Some(common::repo().join("plugins/json-office/samples")),
        previous: Some(old),
        trust,
    })
    .await;
    assert_eq!(r.failed(), ["backward-compatibility"], "{}", r.render());
    assert!(reason(&r, "backward-compatibility").contains("is not a release of json-office"));
}

fn truc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_truc"))
        .current_dir(dir)
        .args(args)
        .env_remove("TRUC_DATA_DIR")
        .output()
        .expect("the truc binary runs")
}

#[test]
fn the_binary_exits_0_with_a_json_report_ci_can_read() {
    let dir = tempfile::tempdir().unwrap();
    let (pkg, _) = signed(dir.path(), bundled::LEGACY_TCVN3);
    let samples = common::repo().join("plugins/legacy-tcvn3/samples");
    let o = truc(
        dir.path(),
        &[
            "adapter",
            "test",
            pkg.to_str().unwrap(),
            "--samples",
            samples.to_str().unwrap(),
            "--trust",
            "vendor.pub",
            "--json",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is JSON");
    assert_eq!(v["passed"], true);
    assert_eq!(v["adapter"], "legacy-tcvn3@1.0.0");
    assert_eq!(v["world"], "codec");
    assert_eq!(v["budget"]["memory"], 128 * 1024 * 1024);
    assert_eq!(v["budget"]["timeout_ms"], 5000);
    let checks = v["checks"].as_array().unwrap();
    let names: Vec<&str> = checks
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(names, conformance::CHECKS);
    assert!(
        checks
            .iter()
            .all(|c| c["reason"].as_str().is_some_and(|r| !r.is_empty()))
    );
    let m = &v["measurements"][1];
    assert_eq!(m["input"], "document.xml");
    assert_eq!(m["call"], "decode");
    assert!(m["elapsed_ms"].as_f64().unwrap() > 0.0);
    assert!(m["peak_memory"].as_u64().unwrap() > 0);
    assert_eq!(m["would_exceed_in_production"], false);
}

#[test]
fn the_binary_exits_1_and_names_the_failed_checks_in_its_table() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = unsigned(dir.path(), bundled::PANICS);
    std::fs::create_dir(dir.path().join("samples")).unwrap();
    std::fs::write(dir.path().join("samples/one.txt"), "01").unwrap();
    // No --samples: the `samples/` directory beside the package is used.
    let o = truc(
        dir.path(),
        &["adapter", "test", pkg.to_str().unwrap(), "--allow-unsigned"],
    );
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("decode-samples           FAIL"), "{out}");
    assert!(out.contains("one.txt: panics@0.1.0 panicked"), "{out}");
    assert!(
        out.contains(
            "FAIL: 4 of 12 checks failed: decode-samples, round-trip, determinism, hostile-input"
        ),
        "{out}"
    );
}

#[test]
fn the_binary_exits_2_when_the_harness_cannot_run() {
    let dir = tempfile::tempdir().unwrap();
    let o = truc(
        dir.path(),
        &["adapter", "test", "x.tap", "--trust", "missing.pub"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.pub"));
    let o = truc(dir.path(), &["adapter", "test", "--help"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("--previous"));
}

#[test]
fn the_vendor_guide_quotes_the_rust_template_exactly() {
    let guide = String::from_utf8(common::read("docs/vendor-guide.md")).unwrap();
    let source =
        String::from_utf8(common::read("examples/adapter-template-rust/src/lib.rs")).unwrap();
    let begin = "<!-- begin examples/adapter-template-rust/src/lib.rs -->\n```rust\n";
    let end = "```\n<!-- end examples/adapter-template-rust/src/lib.rs -->";
    let start = guide
        .find(begin)
        .expect("the guide marks the quoted template")
        + begin.len();
    let stop = guide[start..].find(end).expect("the quote ends") + start;
    assert_eq!(
        &guide[start..stop],
        source,
        "docs/vendor-guide.md must quote examples/adapter-template-rust/src/lib.rs as it is"
    );
}
