//! Fuzzes the edXML reader: no input may panic, allocate without bound or recurse deeply.
//! Whatever reads must also validate, write canonically, and read back to the same package.
//!
//! Run with `cargo fuzz run edxml_read` from the repository root (nightly, for the sanitizer
//! flags). On stable, `cargo build --manifest-path fuzz/Cargo.toml` checks that it builds, and the
//! binary replays a corpus: `target/debug/edxml_read DIR -runs=N`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use truc::edxml::{Limits, MemorySink, ValidationContext, read_bytes, validate, write_to_vec};

fuzz_target!(|data: &[u8]| {
    // Small limits keep each run fast; the limits themselves are what is being exercised.
    let limits = Limits {
        max_input_bytes: 1 << 20,
        max_text_bytes: 16 << 10,
        max_markup_bytes: 16 << 10,
        max_attachment_bytes: 1 << 20,
        ..Limits::default()
    };
    let mut store = MemorySink::new();
    let Ok(pkg) = read_bytes(data, &mut store, &limits) else {
        return;
    };
    let _ = validate(&pkg, &ValidationContext::now());
    let written = write_to_vec(&pkg, &store).expect("a package that was read can be written");
    let mut again = MemorySink::new();
    let back =
        read_bytes(&written, &mut again, &Limits::default()).expect("canonical output reads");
    assert_eq!(
        back, pkg,
        "the canonical form reads back to the same package"
    );
});
