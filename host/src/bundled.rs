//! Adapters built from `plugins/` by the build script and shipped inside the binary.

use std::path::Path;

/// One adapter component built from `plugins/`.
#[derive(Clone, Copy, Debug)]
pub struct Artifact {
    /// Package name.
    pub name: &'static str,
    /// Path of the built component.
    pub wasm: &'static str,
    /// Path of its `manifest.toml`.
    pub manifest: &'static str,
}

impl Artifact {
    /// Reads the component and manifest into an (unsigned) package.
    pub fn package(
        &self,
    ) -> Result<crate::runtime::AdapterPackage, crate::runtime::package::PackageError> {
        let io = |path: &str, source| crate::runtime::package::PackageError::Io {
            path: path.to_owned(),
            source,
        };
        let manifest = std::fs::read(Path::new(self.manifest)).map_err(|e| io(self.manifest, e))?;
        let wasm = std::fs::read(Path::new(self.wasm)).map_err(|e| io(self.wasm, e))?;
        crate::runtime::AdapterPackage::new(manifest, wasm)
    }
}

include!(concat!(env!("OUT_DIR"), "/plugins.rs"));
