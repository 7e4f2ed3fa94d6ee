//! What the sandbox costs: the fixed price of a fresh instance per call, json-office's decode in
//! the sandbox against the same decoding code compiled natively, and loading a compiled
//! adapter from the artifact cache against compiling it.
//!
//! Run: `cargo bench --bench adapter_calls`. Prints figures; asserts nothing about time.

use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::Engine as _;
use truc::bundled;
use truc::runtime::cache::ArtifactCache;
use truc::runtime::{
    BindingSettings, Blob, Generation, Payload, Provenance, Runtime, RuntimeSettings,
};

/// Runs `f` in batches until `budget` is spent and returns the median time per call.
fn median_per_call(budget: Duration, mut f: impl FnMut() -> usize) -> Duration {
    let mut per_call = Vec::new();
    let started = Instant::now();
    while started.elapsed() < budget || per_call.len() < 5 {
        let t = Instant::now();
        let n = f();
        per_call.push(t.elapsed() / n as u32);
    }
    per_call.sort();
    per_call[per_call.len() / 2]
}

/// A json-office document whose attachment makes the JSON about `size` bytes.
fn json_document(size: usize) -> Vec<u8> {
    let sample = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/plugins/json-office/samples/document.json"
    ))
    .expect("json-office sample");
    let mut v: serde_json::Value = serde_json::from_slice(&sample).expect("sample JSON");
    let base = serde_json::to_vec(&v).expect("serialize").len();
    let file_bytes = size.saturating_sub(base) * 3 / 4;
    let payload: Vec<u8> = (0..file_bytes).map(|i| (i * 31 % 251) as u8).collect();
    if file_bytes == 0 {
        v["document"]["files"] = serde_json::json!([]);
    } else {
        v["document"]["files"][0]["data"] =
            serde_json::Value::String(base64::engine::general_purpose::STANDARD.encode(&payload));
    }
    serde_json::to_vec(&v).expect("serialize")
}

/// The same job natively: json-office's decoding code (which lends each file's base64 text
/// from the input instead of copying it), then for each file what the hub does for
/// `write-base64-range` on that range of the input blob (`runtime::host::base64::decode_range`:
/// base64 decoded into a blob writer, which hashes with SHA-256 as it writes) and the SHA-256
/// the hub records for every attachment.
fn native_decode(json: &[u8], blob: &Blob) -> usize {
    let records = json_office::format::decode(json).expect("native decode");
    let mut n = 0;
    for r in &records {
        if let json_office::format::Record::Document(d) = r {
            for f in &d.files {
                let at = f.data.range_in(json).expect("the text lies in the input");
                let written = truc::runtime::host::base64::decode_range(
                    blob,
                    at.start as u64,
                    at.len() as u64,
                    u64::MAX,
                )
                .expect("base64");
                let body = written.finish().expect("finish");
                n += body.sha256().expect("sha256")[0] as usize;
            }
        }
    }
    black_box(n);
    records.len()
}

fn main() {
    // `cargo bench --bench adapter_calls -- fixed` runs one section (fixed, json, cache).
    let only: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let run = |section: &str| only.as_deref().is_none_or(|o| o == section);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio");
    let runtime = Runtime::new(RuntimeSettings::default()).expect("runtime");
    let load = |artifact: bundled::Artifact| -> std::sync::Arc<Generation> {
        let pkg = artifact.package().expect("package");
        rt.block_on(runtime.load(&pkg, Provenance::Bundled, BindingSettings::default()))
            .expect("load")
    };

    if run("fixed") {
        println!(
            "== fixed cost of a fresh instance per call (trivial decode: instantiate + call + drop)"
        );
        let trivial = load(bundled::TRIVIAL);
        let input = Payload::from_bytes("text/plain", &b"05"[..]);
        let fixed = median_per_call(Duration::from_secs(3), || {
            rt.block_on(async {
                for _ in 0..1000 {
                    black_box(trivial.decode(&input).await.expect("decode"));
                }
            });
            1000
        });
        println!(
            "trivial decode: {:.1} µs per call (target ≤ 15 µs)",
            fixed.as_secs_f64() * 1e6
        );
    }

    if run("json") {
        println!(
            "\n== json-office decode: sandbox vs the same code compiled natively (median per call)"
        );
        let json_office = load(bundled::JSON_OFFICE);
        println!(
            "{:>10} {:>14} {:>14} {:>8}",
            "input", "wasm", "native", "ratio"
        );
        // TRUC_BENCH_SIZE="100 KiB" runs one size (for profiling).
        let only_size = std::env::var("TRUC_BENCH_SIZE").ok();
        for (label, size) in [
            ("1 KiB", 1 << 10),
            ("100 KiB", 100 << 10),
            ("10 MiB", 10 << 20),
        ] {
            if only_size.as_deref().is_some_and(|s| s != label) {
                continue;
            }
            let json = json_document(size);
            let payload = Payload::from_bytes("application/json", json.clone());
            let blob = Blob::from_bytes(json.clone());
            let budget = Duration::from_secs(if size > 1 << 20 { 6 } else { 3 });
            let wasm = median_per_call(budget, || {
                rt.block_on(async {
                    black_box(json_office.decode(&payload).await.expect("decode"))
                });
                1
            });
            // TRUC_BENCH_WASM_ONLY=1 skips the native side (for profiling the sandboxed path).
            let native = if std::env::var_os("TRUC_BENCH_WASM_ONLY").is_some() {
                Duration::from_nanos(1)
            } else {
                median_per_call(budget, || native_decode(black_box(&json), &blob).min(1))
            };
            println!(
                "{:>10} {:>11.1} µs {:>11.1} µs {:>8.2}",
                format!("{label} ({})", json.len()),
                wasm.as_secs_f64() * 1e6,
                native.as_secs_f64() * 1e6,
                wasm.as_secs_f64() / native.as_secs_f64()
            );
        }
    }
    if run("cache") {
        println!("\n== loading a compiled adapter: artifact cache vs compiling");
        let engine = truc::runtime::engine::build(&Default::default()).expect("engine");
        for artifact in [
            bundled::TRIVIAL,
            bundled::JSON_OFFICE,
            bundled::LEGACY_TCVN3,
        ] {
            let pkg = artifact.package().expect("package");
            let dir = tempfile::tempdir().expect("tempdir");
            let cache = ArtifactCache::new(&engine, Some(dir.path().to_path_buf()));
            let sha = pkg.component_sha256();
            let t = Instant::now();
            cache
                .load_or_compile(&engine, pkg.component(), &sha)
                .expect("compile");
            let compile = t.elapsed();
            let hit = median_per_call(Duration::from_secs(2), || {
                black_box(
                    cache
                        .load_or_compile(&engine, pkg.component(), &sha)
                        .expect("cache hit"),
                );
                1
            });
            println!(
                "{:<14} {:>8} bytes: compile {:>8.1} ms, from cache {:>6.2} ms ({:.0}× faster)",
                artifact.name,
                pkg.component().len(),
                compile.as_secs_f64() * 1e3,
                hit.as_secs_f64() * 1e3,
                compile.as_secs_f64() / hit.as_secs_f64()
            );
        }
    }
}
