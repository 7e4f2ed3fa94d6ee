//! Adapter manifest errors as data (as Spin's `tests/ui/invalid`): each invalid `NAME.toml` in
//! `tests/ui/manifest/invalid/` sits beside `NAME.err`, the exact message an operator or vendor
//! sees. Run with `TRUC_BLESS=1` to rewrite the `.err` files after changing a message.

use truc::runtime::Manifest;

#[test]
fn every_invalid_manifest_fails_with_its_recorded_message() {
    let dir = crate::common::repo().join("tests/ui/manifest/invalid");
    let bless = std::env::var_os("TRUC_BLESS").is_some();
    let mut cases = 0;
    let mut failures = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
    {
        cases += 1;
        let bytes = std::fs::read(path).unwrap();
        let message = match Manifest::parse(&bytes) {
            Ok(m) => format!("UNEXPECTEDLY VALID: {}", m.id()),
            Err(e) => e.to_string(),
        };
        let err_path = path.with_extension("err");
        if bless {
            std::fs::write(&err_path, format!("{message}\n")).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&err_path).unwrap_or_else(|_| {
            panic!(
                "{} has no .err beside it (run with TRUC_BLESS=1)",
                path.display()
            )
        });
        if expected.trim_end() != message.trim_end() {
            failures.push(format!(
                "{}:\n  expected: {}\n  actual:   {}",
                path.display(),
                expected.trim_end(),
                message
            ));
        }
    }
    assert!(cases >= 15, "the suite lost its cases ({cases})");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
