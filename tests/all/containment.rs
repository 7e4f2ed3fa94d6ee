//! Containment: each misbehaving adapter yields its typed error within its budget, the hub
//! keeps serving, and the next call to a healthy adapter succeeds.

use std::time::{Duration, Instant};

use truc::bundled;
use truc::runtime::{AdapterConfig, BindingSettings, CallError, OriginPattern, Payload, TrapKind};

use crate::common;

fn input(s: &'static str) -> Payload {
    Payload::from_bytes("text/plain", s.as_bytes())
}

#[tokio::test]
async fn an_infinite_loop_is_stopped_at_its_deadline() {
    let rt = common::runtime();
    let g = common::load(&rt, bundled::SPIN_FOREVER, BindingSettings::default()).await;
    let started = Instant::now();
    let err = g.decode(&input("x")).await.unwrap_err();
    assert!(matches!(err, CallError::Timeout { .. }), "{err:?}");
    assert!(err.to_string().contains("300ms"), "{err}");
    // The budget is 300 ms; allow for a loaded machine but not for an unbounded wait.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "stopped after {:?}",
        started.elapsed()
    );
    common::healthy_adapter_still_answers(&rt).await;
}

#[tokio::test]
async fn a_memory_bomb_is_stopped_at_its_memory_cap() {
    let rt = common::runtime();
    let g = common::load(&rt, bundled::MEMORY_BOMB, BindingSettings::default()).await;
    let (res, report) = g.decode_measured(&input("x")).await;
    let err = res.unwrap_err();
    assert!(matches!(err, CallError::MemoryLimit { .. }), "{err:?}");
    assert!(err.to_string().contains("16 MiB"), "{err}");
    assert!(
        report.peak_memory <= 16 << 20,
        "peak {} within the cap",
        report.peak_memory
    );
    common::healthy_adapter_still_answers(&rt).await;
}

#[tokio::test]
async fn runaway_recursion_is_a_contained_trap() {
    let rt = common::runtime();
    let g = common::load(&rt, bundled::DEEP_RECURSION, BindingSettings::default()).await;
    let err = g.decode(&input("x")).await.unwrap_err();
    assert!(
        matches!(
            err,
            CallError::Trap {
                kind: TrapKind::StackOverflow | TrapKind::OutOfBounds,
                ..
            }
        ),
        "{err:?}"
    );
    common::healthy_adapter_still_answers(&rt).await;
}

#[tokio::test]
async fn oversized_output_voids_the_result_even_if_the_adapter_claims_success() {
    let rt = common::runtime();
    let g = common::load(&rt, bundled::FLOOD_OUTPUT, BindingSettings::default()).await;
    let msg = common::status_message();
    let err = g.encode(&msg).await.unwrap_err();
    assert!(matches!(err, CallError::OutputLimit { .. }), "{err:?}");
    assert!(err.to_string().contains("1 MiB"), "{err}");
    common::healthy_adapter_still_answers(&rt).await;
}

#[tokio::test]
async fn bytes_written_from_a_range_count_against_the_output_budget() {
    // The `ranges` adapter may write 64 KiB; each range here is 75,000 bytes decoded or
    // copied, and the adapter returns the hub's refusal as its own error: the call still
    // fails as over its output limit.
    use base64::Engine as _;
    let rt = common::runtime();
    let g = common::load(&rt, bundled::RANGES, BindingSettings::default()).await;
    let file = vec![0x5au8; 75_000];
    let text = base64::engine::general_purpose::STANDARD.encode(&file);
    for (op, tail) in [("base64", text.as_bytes()), ("copy", &file[..])] {
        let head = format!("{op} {:>8} {:>8}\n", 0, 0).len() as u64;
        let mut input = format!("{op} {head:>8} {:>8}\n", tail.len()).into_bytes();
        input.extend_from_slice(tail);
        let err = g
            .decode(&Payload::from_bytes("text/plain", input))
            .await
            .unwrap_err();
        assert!(
            matches!(err, CallError::OutputLimit { .. }),
            "{op}: {err:?}"
        );
        assert!(err.to_string().contains("64 KiB"), "{err}");
    }
    common::healthy_adapter_still_answers(&rt).await;
}

#[tokio::test]
async fn a_panic_is_a_typed_trap() {
    let rt = common::runtime();
    let g = common::load(&rt, bundled::PANICS, BindingSettings::default()).await;
    let err = g.decode(&input("x")).await.unwrap_err();
    assert!(
        matches!(
            err,
            CallError::Trap {
                kind: TrapKind::Panic,
                ..
            }
        ),
        "{err:?}"
    );
    common::healthy_adapter_still_answers(&rt).await;
}

#[tokio::test]
async fn repeated_failures_open_the_circuit_breaker() {
    let rt = common::runtime();
    let g = common::load(&rt, bundled::PANICS, BindingSettings::default()).await;
    for _ in 0..5 {
        let err = g.decode(&input("x")).await.unwrap_err();
        assert!(matches!(err, CallError::Trap { .. }), "{err:?}");
    }
    let err = g.decode(&input("x")).await.unwrap_err();
    assert!(
        matches!(err, CallError::CircuitOpen { failures: 5, .. }),
        "{err:?}"
    );
    assert_eq!(
        g.metrics().snapshot().failures.get("circuit-open"),
        Some(&1)
    );
    common::healthy_adapter_still_answers(&rt).await;
}

#[tokio::test]
async fn a_request_to_an_origin_not_granted_is_refused_and_named() {
    let rt = common::runtime();
    let granted = common::serve_text("granted").await;
    let other = common::serve_text("secret").await;
    let binding = BindingSettings {
        granted_origins: vec![granted.parse::<OriginPattern>().unwrap()],
        config: AdapterConfig::new().with_value("target", format!("{other}/steal")),
    };
    let g = common::load(&rt, bundled::REACH_OUT, binding).await;
    let err = g.decode(&input("x")).await.unwrap_err();
    let CallError::CapabilityDenied { what, .. } = &err else {
        panic!("expected a capability denial, got {err:?}")
    };
    assert!(what.contains(other.trim_start_matches("http://")), "{what}");
    common::healthy_adapter_still_answers(&rt).await;
}

#[tokio::test]
async fn a_request_to_a_granted_origin_goes_through() {
    let rt = common::runtime();
    let granted = common::serve_text("hello").await;
    let binding = BindingSettings {
        granted_origins: vec![granted.parse::<OriginPattern>().unwrap()],
        config: AdapterConfig::new().with_value("target", format!("{granted}/x")),
    };
    let g = common::load(&rt, bundled::REACH_OUT, binding).await;
    // The adapter reports what it fetched as a `rejected` error so the test can see it.
    let err = g.decode(&input("x")).await.unwrap_err();
    assert!(
        err.to_string().contains("fetched 5 bytes with status 200"),
        "{err}"
    );
}

#[tokio::test]
async fn an_adapter_cannot_open_files() {
    let rt = common::runtime();
    let g = common::load(&rt, bundled::SNOOP, BindingSettings::default()).await;
    let err = g.decode(&input("file")).await.unwrap_err();
    assert!(!err.to_string().contains("LEAKED"), "{err}");
    let CallError::CapabilityDenied { what, .. } = &err else {
        panic!("expected a capability denial, got {err:?}")
    };
    assert_eq!(what, "filesystem access");
    common::healthy_adapter_still_answers(&rt).await;
}

#[tokio::test]
async fn an_adapter_cannot_read_the_environment() {
    let rt = common::runtime();
    let g = common::load(&rt, bundled::SNOOP, BindingSettings::default()).await;
    let err = g.decode(&input("env")).await.unwrap_err();
    assert!(!err.to_string().contains("LEAKED"), "{err}");
    // It finds the environment empty and answers with its own typed error, which stands: a
    // language runtime reading the environment on its error path is harmless (decision 0019).
    let CallError::Adapter { failure, .. } = &err else {
        panic!("expected the adapter's own answer, got {err:?}")
    };
    assert_eq!(failure.message, "no environment");
}
