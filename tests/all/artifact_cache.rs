//! The artifact cache: a restart loads compiled adapters instead of compiling them again.

use truc::bundled;
use truc::runtime::cache::Origin;
use truc::runtime::{BindingSettings, Provenance, Runtime, RuntimeSettings};

fn runtime_with_cache(dir: &std::path::Path) -> Runtime {
    Runtime::new(RuntimeSettings {
        cache_dir: Some(dir.to_path_buf()),
        ..RuntimeSettings::default()
    })
    .unwrap()
}

#[tokio::test]
async fn a_restarted_runtime_loads_from_the_cache_and_recompiles_a_damaged_artifact() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = bundled::JSON_OFFICE.package().unwrap();
    let first = runtime_with_cache(dir.path());
    let g = first
        .load(&pkg, Provenance::Bundled, BindingSettings::default())
        .await
        .unwrap();
    assert_eq!(g.loaded_from(), Origin::Compiled);
    drop((g, first));

    let second = runtime_with_cache(dir.path());
    let g = second
        .load(&pkg, Provenance::Bundled, BindingSettings::default())
        .await
        .unwrap();
    assert_eq!(g.loaded_from(), Origin::Cache);
    assert_eq!(g.describe().await.unwrap().name, "json-office");
    drop((g, second));

    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "cwasm") {
            let bytes = std::fs::read(&path).unwrap();
            std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        }
    }
    let third = runtime_with_cache(dir.path());
    let g = third
        .load(&pkg, Provenance::Bundled, BindingSettings::default())
        .await
        .unwrap();
    assert_eq!(
        g.loaded_from(),
        Origin::Compiled,
        "a truncated artifact is never run"
    );
    assert_eq!(g.describe().await.unwrap().name, "json-office");
}
