//! `truc adapter keygen|pack|sign|verify|inspect` through the real binary.

use std::path::Path;
use std::process::{Command, Output};

use truc::bundled;

fn truc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_truc"))
        .current_dir(dir)
        .args(args)
        .env_remove("TRUC_DATA_DIR")
        .output()
        .expect("the truc binary runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn a_vendor_signs_and_an_operator_verifies_and_inspects() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = truc(d, &["adapter", "keygen", "--out", "keys/acme"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = truc(
        d,
        &[
            "adapter",
            "pack",
            "--manifest",
            bundled::TRIVIAL.manifest_path,
            "--component",
            bundled::TRIVIAL.wasm_path,
            "--key",
            "keys/acme.key",
            "-o",
            "trivial.tap",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));

    let o = truc(d, &["adapter", "verify", "trivial.tap"]);
    assert_eq!(o.status.code(), Some(2), "no trust store yet: {}", text(&o));
    assert!(text(&o).contains("no trusted keys"), "{}", text(&o));

    std::fs::create_dir_all(d.join("truc-data/trusted-keys")).unwrap();
    std::fs::copy(
        d.join("keys/acme.pub"),
        d.join("truc-data/trusted-keys/acme.pub"),
    )
    .unwrap();
    let o = truc(d, &["adapter", "verify", "trivial.tap"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("trusted, signed by key"), "{}", text(&o));

    let o = truc(d, &["adapter", "inspect", "--json", "trivial.tap"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["adapter"], "trivial@0.1.0");
    assert_eq!(v["contract"], "truc:adapter@0.1.0");
    assert!(
        v["exports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e == "truc:adapter/codec@0.1.0")
    );

    // Another key re-signs it: the operator does not trust that key.
    truc(d, &["adapter", "keygen", "--out", "keys/mallory"]);
    let o = truc(
        d,
        &[
            "adapter",
            "sign",
            "trivial.tap",
            "--key",
            "keys/mallory.key",
            "-o",
            "evil.tap",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = truc(d, &["adapter", "verify", "evil.tap"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("which this hub does not trust"),
        "{}",
        text(&o)
    );
}
