//! Helpers shared by the edXML test files.

use std::path::PathBuf;

use chrono::NaiveDate;
use truc::edxml::{Limits, MemorySink, Package, ValidationContext, read_bytes};

/// The repository root; `TRUC_REPO_ROOT` lets a crate outside the repository run these tests.
pub fn repo_root() -> PathBuf {
    PathBuf::from(option_env!("TRUC_REPO_ROOT").unwrap_or(env!("CARGO_MANIFEST_DIR")))
}

/// A file under `tests/data/`.
pub fn data(rel: &str) -> PathBuf {
    repo_root().join("tests/data").join(rel)
}

/// The bytes of a VPCP SDK sample.
pub fn sample(name: &str) -> Vec<u8> {
    let path = data(&format!("vpcp-sdk/{name}"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A fixed "today" so date rules are deterministic.
pub fn ctx() -> ValidationContext {
    ValidationContext::on(NaiveDate::from_ymd_opt(2026, 6, 1).expect("valid date"))
}

/// Reads a package into memory, panicking with the reader's message on failure.
pub fn read_ok(bytes: &[u8]) -> (Package, MemorySink) {
    let mut sink = MemorySink::new();
    match read_bytes(bytes, &mut sink, &Limits::default()) {
        Ok(pkg) => (pkg, sink),
        Err(e) => panic!("read failed: {e}"),
    }
}

/// A small valid document package (no attachments) to vary in tests.
pub fn minimal_document() -> truc::edxml::Document {
    use truc::edxml::*;
    let organ = |id: &str, name: &str| Organ {
        organ_id: Some(id.parse().expect("organ id")),
        organ_name: name.into(),
        ..Organ::default()
    };
    Document {
        from: organ("000.00.00.G22", "Văn phòng Chính phủ"),
        to: vec![organ("000.00.00.H41", "UBND Tỉnh Nghệ An")],
        code: Code {
            number: "7816".into(),
            notation: "VPCP-TTĐT".into(),
        },
        promulgation: PromulgationInfo {
            place: "Hà Nội".into(),
            date: Some(EdDate::parse("2018/09/28")),
        },
        subject: "V/v kết nối, liên thông phần mềm quản lý văn bản".into(),
        document_id: Some(
            "000.00.00.G22,2018/09/28,7816/VPCP-TTĐT"
                .parse()
                .expect("id"),
        ),
        ..Document::default()
    }
}
