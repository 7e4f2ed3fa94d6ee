//! Adapters built from `plugins/` (and the templates in `examples/`) by the build script and
//! embedded in the binary, so a hub installed anywhere has its example adapters.

use crate::runtime::AdapterPackage;
use crate::runtime::package::PackageError;

/// One adapter component built from the repository.
#[derive(Clone, Copy, Debug)]
pub struct Artifact {
    /// Package name.
    pub name: &'static str,
    /// Where the build wrote the component.
    pub wasm_path: &'static str,
    /// Where its `manifest.toml` is in the repository.
    pub manifest_path: &'static str,
    /// The component.
    pub wasm: &'static [u8],
    /// The manifest.
    pub manifest: &'static [u8],
}

impl Artifact {
    /// The component and manifest as an (unsigned) package.
    pub fn package(&self) -> Result<AdapterPackage, PackageError> {
        AdapterPackage::new(self.manifest.to_vec(), self.wasm.to_vec())
    }
}

/// The example adapters a hub offers out of the box.
pub const EXAMPLES: &[Artifact] = &[
    EDXML_NATIVE,
    JSON_OFFICE,
    LEGACY_TCVN3,
    STATUS_LINE,
    VXP_UPSTREAM,
];

include!(concat!(env!("OUT_DIR"), "/plugins.rs"));
