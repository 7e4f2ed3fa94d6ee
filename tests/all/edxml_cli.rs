//! `truc edxml check|canon|sign|verify` through the CLI entry point.

use std::process::ExitCode;

use truc::cli::edxml::{EdxmlCommand, run_with};

use crate::edxml_support::{data, read_ok, sample};

fn run(cmd: EdxmlCommand) -> (ExitCode, String) {
    let mut out = Vec::new();
    let code = run_with(cmd, &mut out).unwrap_or_else(|e| panic!("command failed: {e:#}"));
    (code, String::from_utf8(out).expect("UTF-8 output"))
}

fn today() -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::from_ymd_opt(2026, 6, 1)
}

#[test]
fn check_passes_a_package_with_only_warnings_and_prints_them() {
    let file = data("vpcp-sdk/status_processing_05.edxml");
    let (code, out) = run(EdxmlCommand::Check {
        files: vec![file.clone()],
        json: false,
        today: today(),
    });
    assert_eq!(code, ExitCode::SUCCESS);
    assert_eq!(
        out,
        format!(
            "{}: MessageHeader/Timestamp: warning[time-order]: the status is dated before the document it answers was issued (2015/09/30) (value: \"2015/09/20 11:08:36\")\n",
            file.display()
        )
    );
}

#[test]
fn check_fails_when_any_file_has_an_error_and_names_file_and_path() {
    let good = data("vpcp-sdk/edoc_new.edxml");
    let bad = data("vpcp-sdk/edoc_update.edxml");
    let broken = crate::edxml_support::repo_root().join("tests/ui/edxml/invalid/truncated.edxml");
    let (code, out) = run(EdxmlCommand::Check {
        files: vec![good, bad.clone(), broken.clone()],
        json: false,
        today: today(),
    });
    assert_eq!(code, ExitCode::FAILURE);
    let bad_line = format!(
        "{}: TraceHeaderList/Bussiness/DocumentId: error[document-id-format]:",
        bad.display()
    );
    assert!(out.lines().any(|l| l.starts_with(&bad_line)), "{out}");
    let broken_line = format!(
        "{}: edXML/edXMLEnvelope/edXMLHeader/MessageHeader/Subject: error: the input ends before",
        broken.display()
    );
    assert!(out.lines().any(|l| l.starts_with(&broken_line)), "{out}");
}

#[test]
fn check_json_is_machine_readable() {
    let files = vec![
        data("vpcp-sdk/edoc_update.edxml"),
        data("vpcp-sdk/status_processing_05.edxml"),
    ];
    let (code, out) = run(EdxmlCommand::Check {
        files,
        json: true,
        today: today(),
    });
    assert_eq!(code, ExitCode::FAILURE);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v[0]["ok"], false);
    assert_eq!(v[1]["ok"], true);
    let p = &v[0]["problems"][1];
    assert_eq!(
        (p["rule"].as_str(), p["severity"].as_str()),
        (Some("document-id-format"), Some("error"))
    );
    assert_eq!(p["path"], "TraceHeaderList/Bussiness/DocumentId");
}

#[test]
fn canon_prints_the_canonical_form() {
    let (code, out) = run(EdxmlCommand::Canon {
        file: data("vpcp-sdk/edoc_new.edxml"),
        output: None,
    });
    assert_eq!(code, ExitCode::SUCCESS);
    assert!(out.contains("<edXML:PromulgationDate>2020/10/30</edXML:PromulgationDate>"));
    assert_eq!(
        read_ok(out.as_bytes()).0,
        read_ok(&sample("edoc_new.edxml")).0
    );
}

#[test]
fn sign_then_verify_round_trips_and_placeholders_fail_verification() {
    let dir = tempfile::tempdir().expect("tempdir");
    let signed = dir.path().join("signed.edxml");
    let (code, _) = run(EdxmlCommand::Sign {
        file: data("vpcp-sdk/edoc_new.edxml"),
        key: data("xmldsig/signer.key.pem"),
        cert: data("xmldsig/signer.cert.pem"),
        output: Some(signed.clone()),
    });
    assert_eq!(code, ExitCode::SUCCESS);
    let (code, out) = run(EdxmlCommand::Verify {
        file: signed.clone(),
        cert: Some(data("xmldsig/signer.cert.pem")),
    });
    assert_eq!(code, ExitCode::SUCCESS, "{out}");
    assert!(
        out.contains("signature valid, signed by CN=Van thu thu nghiem"),
        "{out}"
    );
    let (code, out) = run(EdxmlCommand::Verify {
        file: signed,
        cert: Some(data("xmldsig/other.cert.pem")),
    });
    assert_eq!(code, ExitCode::FAILURE, "{out}");
    let (code, out) = run(EdxmlCommand::Verify {
        file: data("vpcp-sdk/edoc_new.edxml"),
        cert: None,
    });
    assert_eq!(code, ExitCode::FAILURE);
    assert!(
        out.contains("placeholder signature, not in the XMLDSig namespace"),
        "{out}"
    );
}
