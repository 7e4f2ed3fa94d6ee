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

/// Adapters written in Python and JavaScript, built by the build script when their toolchains
/// are installed (`tools/install`). They carry an interpreter (12-18 MB each), so they are read
/// from the build's cache, not embedded in the binary.
pub mod polyglot {
    use crate::runtime::AdapterPackage;

    /// One Python or JavaScript adapter of the repository.
    #[derive(Clone, Copy, Debug)]
    pub struct Polyglot {
        /// Package name.
        pub name: &'static str,
        /// `Python` or `JavaScript`.
        pub language: &'static str,
        /// Its source directory (with `samples/`).
        pub source_dir: &'static str,
        /// Its `manifest.toml`.
        pub manifest_path: &'static str,
        /// Where the build wrote the component, or why it could not build it.
        pub component: Result<&'static str, &'static str>,
    }

    impl Polyglot {
        /// The component and manifest as an (unsigned) package, or why it is not available.
        pub fn package(&self) -> Result<AdapterPackage, String> {
            let wasm_path = self.component.map_err(|why| {
                format!(
                    "{} adapter `{}` was not built: {why}",
                    self.language, self.name
                )
            })?;
            let read = |path: &str| {
                std::fs::read(path)
                    .map_err(|e| format!("cannot read {path}: {e} (rebuild with `cargo build`)"))
            };
            AdapterPackage::new(read(self.manifest_path)?, read(wasm_path)?)
                .map_err(|e| format!("{}: {e}", self.name))
        }
    }

    include!(concat!(env!("OUT_DIR"), "/polyglot.rs"));
}
