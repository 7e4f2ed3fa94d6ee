//! Data-driven error suite: each `tests/ui/edxml/invalid/NAME.edxml` beside `NAME.err`, the exact
//! messages it must produce (as Spin does for manifests). To rewrite the `.err` files after a
//! deliberate change: `TRUC_BLESS=1 cargo test --test all edxml_ui -- --test-threads=1`.
//!
//! The suite reads with small limits so each hostile file stays a few KiB; the limits themselves
//! are the defaults' shape, scaled down.

use std::fmt::Write as _;
use std::path::Path;

use truc::edxml::{Limits, NullSink, read_bytes, validate};

use crate::edxml_support::{ctx, repo_root};

fn ui_limits() -> Limits {
    Limits {
        max_input_bytes: 16 << 10,
        max_depth: 16,
        max_elements: 500,
        max_text_bytes: 2048,
        max_markup_bytes: 4096,
        max_attributes: 8,
        max_attachments: 2,
        max_attachment_bytes: 4096,
    }
}

/// What a clerk would be shown for one file: the read error, or every validation problem.
fn render(bytes: &[u8]) -> String {
    match read_bytes(bytes, &mut NullSink, &ui_limits()) {
        Err(e) => format!("error: {e}\n"),
        Ok(pkg) => validate(&pkg, &ctx())
            .iter()
            .fold(String::new(), |mut s, p| {
                let _ = writeln!(s, "{p}");
                s
            }),
    }
}

fn cases(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "edxml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_invalid_package_reports_exactly_its_expected_messages() {
    let dir = repo_root().join("tests/ui/edxml/invalid");
    let bless = std::env::var_os("TRUC_BLESS").is_some();
    let files = cases(&dir);
    assert!(
        files.len() >= 60,
        "expected the whole suite, found {} files",
        files.len()
    );
    let mut failures = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let actual = render(&bytes);
        let err_path = path.with_extension("err");
        if bless {
            std::fs::write(&err_path, &actual)
                .unwrap_or_else(|e| panic!("{}: {e}", err_path.display()));
            continue;
        }
        let expected = std::fs::read_to_string(&err_path).unwrap_or_else(|e| {
            panic!(
                "{name}: no {} ({e}); run with TRUC_BLESS=1",
                err_path.display()
            )
        });
        if actual != expected {
            failures.push(format!(
                "--- {name}\nexpected:\n{expected}actual:\n{actual}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} file(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_invalid_package_is_refused_or_warned_about() {
    let dir = repo_root().join("tests/ui/edxml/invalid");
    for path in cases(&dir) {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if let Ok(pkg) = read_bytes(&bytes, &mut NullSink, &ui_limits()) {
            let problems = validate(&pkg, &ctx());
            assert!(
                !problems.is_empty(),
                "{} produced no problem",
                path.display()
            );
        }
    }
}

#[test]
fn rule_suite_covers_every_validation_rule() {
    let dir = repo_root().join("tests/ui/edxml/invalid");
    let mut all = String::new();
    for path in cases(&dir) {
        all.push_str(&std::fs::read_to_string(path.with_extension("err")).unwrap_or_default());
    }
    let rules = [
        "required",
        "organ-id-shape",
        "irregular-organ-id",
        "duplicate-receiver",
        "future-date",
        "invalid-date",
        "field-length",
        "priority-range",
        "not-a-number",
        "document-id-format",
        "document-id-mismatch",
        "business-target",
        "receiver-changes",
        "replacement-info",
        "unknown-business-action",
        "unknown-status-code",
        "rejection-reason",
        "time-order",
        "unknown-value",
    ];
    for rule in rules {
        assert!(
            all.contains(&format!("[{rule}]")),
            "no .err file exercises rule {rule}"
        );
    }
    // Errors and warnings are both represented.
    assert!(all.contains(": error[") && all.contains(": warning["));
}
