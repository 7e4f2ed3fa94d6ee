//! Helpers shared by the end-to-end tests.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use truc::bundled::Artifact;
use truc::runtime::{BindingSettings, Generation, Provenance, Runtime, RuntimeSettings};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A runtime with default settings and no artifact cache.
pub fn runtime() -> Runtime {
    Runtime::new(RuntimeSettings::default()).expect("runtime starts")
}

/// Loads a bundled adapter with the given grants and configuration.
pub async fn load(rt: &Runtime, artifact: Artifact, binding: BindingSettings) -> Arc<Generation> {
    let pkg = artifact.package().expect("bundled package reads");
    rt.load(&pkg, Provenance::Bundled, binding)
        .await
        .unwrap_or_else(|e| panic!("{} loads: {e}", artifact.name))
}
