//! The same decode in adapters written in Rust, Python and JavaScript, in one run: component
//! sizes, compile and cached-load times, the cost of a fresh instance, and per-call latency.
//!
//! Two comparisons. `status`: the three status-line templates (identical adapters, identical
//! input bytes). `document`: one document (json-office's sample, a 30-byte PDF attached) in each
//! adapter's own format — JSON for json-office (Rust) and json-rest-js (JavaScript), a MIME CSV
//! bundle for csv-export-py (Python) — produced by each adapter's own `encode`.
//!
//! Run: `cargo bench --bench polyglot` (needs `tools/install`). Prints figures; asserts nothing
//! about time.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use truc::bundled::{self, polyglot};
use truc::runtime::cache::ArtifactCache;
use truc::runtime::{
    AdapterPackage, BindingSettings, Generation, Payload, Provenance, Runtime, RuntimeSettings,
};

/// Runs `f` until `budget` is spent (at least 20 times) and returns the median.
fn median(budget: Duration, mut f: impl FnMut() -> Duration) -> Duration {
    let mut samples = Vec::new();
    let started = Instant::now();
    while started.elapsed() < budget || samples.len() < 20 {
        samples.push(f());
    }
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

struct Subject {
    label: &'static str,
    language: &'static str,
    pkg: AdapterPackage,
}

fn rust(label: &'static str, artifact: bundled::Artifact) -> Subject {
    Subject {
        label,
        language: "Rust",
        pkg: artifact.package().expect("bundled package"),
    }
}

fn other(label: &'static str, adapter: polyglot::Polyglot) -> Subject {
    let pkg = adapter
        .package()
        .unwrap_or_else(|why| panic!("{why}\n(this benchmark needs tools/install)"));
    Subject {
        label,
        language: adapter.language,
        pkg,
    }
}

fn main() {
    let only: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let run = |section: &str| only.as_deref().is_none_or(|o| o == section);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio");
    let cache_dir = tempfile::tempdir().expect("tempdir");
    let runtime = Runtime::new(RuntimeSettings {
        cache_dir: Some(cache_dir.path().to_path_buf()),
        ..RuntimeSettings::default()
    })
    .expect("runtime");
    let load = |s: &Subject| -> Arc<Generation> {
        rt.block_on(runtime.load(&s.pkg, Provenance::Bundled, BindingSettings::default()))
            .unwrap_or_else(|e| panic!("{}: {e}", s.label))
    };
    let status = [
        rust("status-line", bundled::STATUS_LINE),
        other("status-line-py", polyglot::STATUS_LINE_PY),
        other("status-line-js", polyglot::STATUS_LINE_JS),
    ];
    let document = [
        rust("json-office", bundled::JSON_OFFICE),
        other("csv-export-py", polyglot::CSV_EXPORT_PY),
        other("json-rest-js", polyglot::JSON_REST_JS),
    ];

    if run("load") {
        println!(
            "== component size, compile (wasmtime 48, Cranelift) and load from the artifact cache"
        );
        let engine = truc::runtime::engine::build(&Default::default()).expect("engine");
        for s in status.iter().chain(&document) {
            let dir = tempfile::tempdir().expect("tempdir");
            let cache = ArtifactCache::new(&engine, Some(dir.path().to_path_buf()));
            let sha = s.pkg.component_sha256();
            let t = Instant::now();
            cache
                .load_or_compile(&engine, s.pkg.component(), &sha)
                .expect("compile");
            let compile = t.elapsed();
            let hit = median(Duration::from_secs(2), || {
                let t = Instant::now();
                black_box(
                    cache
                        .load_or_compile(&engine, s.pkg.component(), &sha)
                        .expect("cache hit"),
                );
                t.elapsed()
            });
            println!(
                "{:<15} {:<10} {:>9.1} MB  compile {:>8.0} ms  from cache {:>7.2} ms",
                s.label,
                s.language,
                s.pkg.component().len() as f64 / 1e6,
                ms(compile),
                ms(hit)
            );
        }
    }

    let calls = |title: &str, subjects: &[Subject], inputs: &[Payload]| {
        println!("\n== {title} (median; every call is a fresh instance)");
        println!(
            "{:<15} {:<10} {:>14} {:>14} {:>12} {:>12}",
            "adapter", "language", "instantiate*", "decode", "peak memory", "input"
        );
        for (s, input) in subjects.iter().zip(inputs) {
            let g = load(s);
            // Warm up: first calls fault in the pool's pages.
            for _ in 0..5 {
                rt.block_on(g.decode(input)).expect("decode");
            }
            let instantiate = median(Duration::from_secs(3), || {
                let t = Instant::now();
                black_box(rt.block_on(g.describe()).expect("describe"));
                t.elapsed()
            });
            let mut peak = 0;
            let decode = median(Duration::from_secs(3), || {
                let (r, report) = rt.block_on(g.decode_measured(input));
                black_box(r.expect("decode"));
                peak = peak.max(report.peak_memory);
                report.elapsed
            });
            println!(
                "{:<15} {:<10} {:>11.3} ms {:>11.3} ms {:>9.1} MiB {:>10} B",
                s.label,
                s.language,
                ms(instantiate),
                ms(decode),
                peak as f64 / (1 << 20) as f64,
                input.body.size()
            );
        }
        println!(
            "* instantiate = a fresh instance + `describe` + drop: the fixed cost of any call"
        );
    };

    if run("status") {
        let line = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/adapter-template-rust/samples/accepted.txt"
        ))
        .expect("sample");
        let input = Payload::from_bytes("text/plain", line);
        calls(
            "status-line templates, the same 80-byte line",
            &status,
            &[input.clone(), input.clone(), input],
        );
    }

    if run("document") {
        let json = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/plugins/json-office/samples/document.json"
        ))
        .expect("sample");
        let office = load(&document[0]);
        let message = rt
            .block_on(office.decode(&Payload::from_bytes("application/json", json.clone())))
            .expect("json-office decodes its sample")
            .remove(0);
        let mut inputs = vec![Payload::from_bytes("application/json", json)];
        for s in &document[1..] {
            let g = load(s);
            inputs.push(rt.block_on(g.encode(&message)).expect("encode"));
        }
        calls(
            "one document with a file, each in its adapter's format",
            &document,
            &inputs,
        );
    }
}
