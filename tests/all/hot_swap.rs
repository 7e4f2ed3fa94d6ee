//! Hot swap: an endpoint's adapter generation is replaced while calls run, with no failed call.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use truc::bundled;
use truc::runtime::{AdapterSlot, BindingSettings, LoadError, Provenance, RollbackError};

use crate::common;

#[test]
fn swapping_fifty_times_under_load_fails_no_call_and_new_calls_see_the_new_version() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let runtime = common::runtime();
        let v1 = common::load(&runtime, bundled::TRIVIAL, BindingSettings::default()).await;
        let v2 = common::load(&runtime, bundled::TRIVIAL_V2, BindingSettings::default()).await;
        let slot = Arc::new(AdapterSlot::new(v1.clone()));
        let stop = Arc::new(AtomicBool::new(false));
        let calls = Arc::new(AtomicU64::new(0));
        let mut workers = Vec::new();
        for _ in 0..4 {
            let (slot, stop, calls) = (slot.clone(), stop.clone(), calls.clone());
            workers.push(tokio::spawn(async move {
                let mut failures = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let g = slot.current();
                    match g.describe().await {
                        Ok(info) if info.version == g.manifest.adapter.version.to_string() => {}
                        Ok(info) => {
                            failures.push(format!("{} answered as {}", g.id(), info.version))
                        }
                        Err(e) => failures.push(e.to_string()),
                    }
                    calls.fetch_add(1, Ordering::Relaxed);
                }
                failures
            }));
        }
        for flip in 0..50 {
            let next = if flip % 2 == 0 { &v2 } else { &v1 };
            slot.activate(next.clone());
            let seen = slot.current().describe().await.unwrap();
            assert_eq!(
                seen.version,
                next.manifest.adapter.version.to_string(),
                "flip {flip}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        stop.store(true, Ordering::Relaxed);
        let mut failures = Vec::new();
        for w in workers {
            failures.extend(w.await.unwrap());
        }
        assert!(failures.is_empty(), "failed calls: {failures:?}");
        let n = calls.load(Ordering::Relaxed);
        assert!(
            n >= 200,
            "the workers kept calling during the swaps ({n} calls)"
        );
    });
}

#[tokio::test]
async fn rollback_returns_to_the_previous_generation() {
    let runtime = common::runtime();
    let v1 = common::load(&runtime, bundled::TRIVIAL, BindingSettings::default()).await;
    let v2 = common::load(&runtime, bundled::TRIVIAL_V2, BindingSettings::default()).await;
    let slot = AdapterSlot::new(v1);
    assert_eq!(slot.rollback().unwrap_err(), RollbackError::NoHistory);
    slot.activate(v2);
    assert_eq!(slot.current().describe().await.unwrap().version, "0.2.0");
    slot.rollback().unwrap();
    assert_eq!(slot.current().describe().await.unwrap().version, "0.1.0");
}

#[tokio::test]
async fn a_canary_gets_its_share_of_calls_and_rollback_ends_it() {
    let runtime = common::runtime();
    let v1 = common::load(&runtime, bundled::TRIVIAL, BindingSettings::default()).await;
    let v2 = common::load(&runtime, bundled::TRIVIAL_V2, BindingSettings::default()).await;
    let slot = AdapterSlot::new(v1);
    slot.start_canary(v2, 30);
    let on_canary = (0..1000)
        .filter(|_| slot.current().manifest.adapter.version.minor == 2)
        .count();
    assert!(
        (200..400).contains(&on_canary),
        "about 30% on the canary, got {on_canary}/1000"
    );
    slot.rollback().unwrap();
    assert!((0..100).all(|_| slot.current().manifest.adapter.version.minor == 1));
}

#[tokio::test]
async fn activating_a_broken_package_leaves_the_old_generation_serving() {
    let runtime = common::runtime();
    let v1 = common::load(&runtime, bundled::TRIVIAL, BindingSettings::default()).await;
    let slot = AdapterSlot::new(v1);
    // A manifest that names a version the component does not claim: the self-test catches it.
    let pkg = bundled::TRIVIAL.package().unwrap();
    let manifest = String::from_utf8(pkg.manifest_bytes().to_vec())
        .unwrap()
        .replace("0.1.0\"\nvendor", "9.9.9\"\nvendor");
    let lying = truc::runtime::AdapterPackage::new(manifest.into_bytes(), pkg.component().to_vec())
        .unwrap();
    let err = runtime
        .load(&lying, Provenance::Bundled, BindingSettings::default())
        .await
        .unwrap_err();
    assert!(matches!(err, LoadError::SelfTest { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("trivial@0.1.0 but its manifest says trivial@9.9.9"),
        "{err}"
    );
    // A component that traps during its self-test.
    let panics = bundled::PANICS.package().unwrap();
    let pkg = truc::runtime::AdapterPackage::new(
        bundled::TRIVIAL
            .package()
            .unwrap()
            .manifest_bytes()
            .to_vec(),
        panics.component().to_vec(),
    )
    .unwrap();
    assert!(
        runtime
            .load(&pkg, Provenance::Bundled, BindingSettings::default())
            .await
            .is_err()
    );
    assert_eq!(slot.current().describe().await.unwrap().version, "0.1.0");
}
