//! Compiled adapters on disk, so a restart does not recompile.
//!
//! An artifact is native code: loading one is `unsafe`. We load only files this hub wrote, from
//! its own cache directory, named by the SHA-256 of the component and a digest of the engine's
//! compatibility hash (wasmtime version and every codegen setting), and each load first checks
//! the artifact's own SHA-256, recorded when it was written, so a truncated or altered file is
//! recompiled instead of run.

use std::fs;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Where a component came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Loaded from a cached artifact.
    Cache,
    /// Compiled now (and written to the cache, if there is one).
    Compiled,
}

/// The on-disk artifact cache of one engine.
#[derive(Debug, Clone)]
pub struct ArtifactCache {
    dir: Option<PathBuf>,
    engine_key: String,
}

/// Feeds `Hash` output into SHA-256: a digest stable across processes, unlike `DefaultHasher`.
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn finish(&self) -> u64 {
        0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

impl ArtifactCache {
    /// A cache in `dir` (created on first write), or none (always compile) if `dir` is `None`.
    pub fn new(engine: &Engine, dir: Option<PathBuf>) -> Self {
        let mut h = ShaHasher(Sha256::new());
        engine.precompile_compatibility_hash().hash(&mut h);
        let engine_key = hex::encode(&h.0.finalize()[..12]);
        Self { dir, engine_key }
    }

    fn paths(&self, component_sha256: &[u8; 32]) -> Option<(PathBuf, PathBuf)> {
        let dir = self.dir.as_ref()?;
        let stem = format!("{}-{}", hex::encode(component_sha256), self.engine_key);
        Some((
            dir.join(format!("{stem}.cwasm")),
            dir.join(format!("{stem}.sha256")),
        ))
    }

    /// The compiled component for `wasm`, from the cache or compiled now.
    pub fn load_or_compile(
        &self,
        engine: &Engine,
        wasm: &[u8],
        component_sha256: &[u8; 32],
    ) -> wasmtime::Result<(Component, Origin)> {
        if let Some((artifact, digest)) = self.paths(component_sha256)
            && let Some(c) = load_checked(engine, &artifact, &digest)
        {
            return Ok((c, Origin::Cache));
        }
        let bytes = engine.precompile_component(wasm)?;
        // SAFETY: the bytes were produced just now by this engine's `precompile_component`.
        let component = unsafe { Component::deserialize(engine, &bytes)? };
        if let Some((artifact, digest)) = self.paths(component_sha256)
            && let Err(e) = store(&artifact, &digest, &bytes)
        {
            tracing::warn!(path = %artifact.display(), error = %e, "could not write the compiled adapter to the cache; it will be compiled again next start");
        }
        Ok((component, Origin::Compiled))
    }
}

fn load_checked(engine: &Engine, artifact: &Path, digest: &Path) -> Option<Component> {
    let expected = fs::read_to_string(digest).ok()?;
    let bytes = fs::read(artifact).ok()?;
    if hex::encode(Sha256::digest(&bytes)) != expected.trim() {
        tracing::warn!(path = %artifact.display(), "cached artifact does not match its recorded digest; recompiling");
        return None;
    }
    // SAFETY: the file is in the hub's own cache directory, was written by `store` below from
    // `precompile_component` output of an engine with the same compatibility hash (the file
    // name), and its SHA-256 matches the digest recorded at that time. An incompatible engine
    // is reported as an error by `deserialize`, not undefined behaviour.
    match unsafe { Component::deserialize(engine, &bytes) } {
        Ok(c) => Some(c),
        Err(e) => {
            tracing::warn!(path = %artifact.display(), error = %e, "cached artifact rejected; recompiling");
            None
        }
    }
}

fn store(artifact: &Path, digest: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = artifact.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    // Write then rename, so a crash never leaves a half-written artifact under the final name.
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(artifact).map_err(|e| e.error)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(hex::encode(Sha256::digest(bytes)).as_bytes())?;
    tmp.persist(digest).map_err(|e| e.error)?;
    Ok(())
}
