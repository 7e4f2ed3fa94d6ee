//! The adapter package: one zip file holding `manifest.toml`, `adapter.wasm` and, once signed,
//! `signature.toml`. Reading is defensive: the file comes from a vendor and may be hostile.

use std::io::{Cursor, Read, Write};
use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;

use super::manifest::{Manifest, ManifestError};
use super::trust::PackageSignature;

/// Name of the manifest inside a package.
pub const MANIFEST_ENTRY: &str = "manifest.toml";
/// Name of the component inside a package.
pub const COMPONENT_ENTRY: &str = "adapter.wasm";
/// Name of the signature inside a package.
pub const SIGNATURE_ENTRY: &str = "signature.toml";

const MAX_MANIFEST: u64 = 64 * 1024;
const MAX_SIGNATURE: u64 = 16 * 1024;
/// Largest component accepted (the Python and JavaScript toolchains produce ~20 MB).
pub const MAX_COMPONENT: u64 = 256 * 1024 * 1024;

/// An adapter package in memory.
#[derive(Clone, Debug)]
pub struct AdapterPackage {
    /// The parsed manifest.
    pub manifest: Manifest,
    manifest_bytes: Arc<[u8]>,
    component: Arc<[u8]>,
    component_sha256: [u8; 32],
    /// The signature, if the package is signed.
    pub signature: Option<PackageSignature>,
}

/// Why a package could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// Reading or writing the file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Not a zip archive, or a damaged one.
    #[error("not an adapter package (a zip with manifest.toml and adapter.wasm): {0}")]
    NotAPackage(String),
    /// A required entry is missing.
    #[error("the package has no `{0}`")]
    Missing(&'static str),
    /// An entry the format does not define.
    #[error(
        "the package holds `{0}`, which is not part of the format (manifest.toml, adapter.wasm, signature.toml)"
    )]
    UnexpectedEntry(String),
    /// An entry is larger than allowed.
    #[error("`{entry}` is larger than {limit} bytes")]
    TooLarge {
        /// The entry.
        entry: &'static str,
        /// Its limit.
        limit: u64,
    },
    /// The manifest is invalid.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// The component is not a WebAssembly component.
    #[error(
        "adapter.wasm is not a WebAssembly component (it does not start with the component header); build it for wasm32-wasip2"
    )]
    NotAComponent,
    /// `signature.toml` is malformed.
    #[error("signature.toml: {0}")]
    Signature(String),
}

impl AdapterPackage {
    /// Builds an unsigned package from a manifest and a component.
    pub fn new(manifest_bytes: Vec<u8>, component: Vec<u8>) -> Result<Self, PackageError> {
        let manifest = Manifest::parse(&manifest_bytes)?;
        if !is_component(&component) {
            return Err(PackageError::NotAComponent);
        }
        if component.len() as u64 > MAX_COMPONENT {
            return Err(PackageError::TooLarge {
                entry: COMPONENT_ENTRY,
                limit: MAX_COMPONENT,
            });
        }
        let component_sha256 = Sha256::digest(&component).into();
        Ok(Self {
            manifest,
            manifest_bytes: manifest_bytes.into(),
            component: component.into(),
            component_sha256,
            signature: None,
        })
    }

    /// Reads a package file.
    pub fn open(path: &Path) -> Result<Self, PackageError> {
        let bytes = std::fs::read(path).map_err(|source| PackageError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_bytes(&bytes)
    }

    /// Reads a package from bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, PackageError> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| PackageError::NotAPackage(e.to_string()))?;
        let mut manifest = None;
        let mut component = None;
        let mut signature = None;
        for i in 0..zip.len() {
            let mut entry = zip
                .by_index(i)
                .map_err(|e| PackageError::NotAPackage(e.to_string()))?;
            let name = entry
                .name()
                .map_err(|e| PackageError::NotAPackage(e.to_string()))?
                .into_owned();
            let (slot, entry_name, limit) = match name.as_str() {
                MANIFEST_ENTRY => (&mut manifest, MANIFEST_ENTRY, MAX_MANIFEST),
                COMPONENT_ENTRY => (&mut component, COMPONENT_ENTRY, MAX_COMPONENT),
                SIGNATURE_ENTRY => (&mut signature, SIGNATURE_ENTRY, MAX_SIGNATURE),
                _ => return Err(PackageError::UnexpectedEntry(name)),
            };
            // The declared size is a hint from the file; the `take` is what enforces the limit.
            let mut buf = Vec::with_capacity(entry.size().min(limit) as usize);
            (&mut entry)
                .take(limit + 1)
                .read_to_end(&mut buf)
                .map_err(|e| PackageError::NotAPackage(format!("{entry_name}: {e}")))?;
            if buf.len() as u64 > limit {
                return Err(PackageError::TooLarge {
                    entry: entry_name,
                    limit,
                });
            }
            *slot = Some(buf);
        }
        let manifest = manifest.ok_or(PackageError::Missing(MANIFEST_ENTRY))?;
        let component = component.ok_or(PackageError::Missing(COMPONENT_ENTRY))?;
        let mut pkg = Self::new(manifest, component)?;
        if let Some(sig) = signature {
            pkg.signature = Some(PackageSignature::parse(&sig).map_err(PackageError::Signature)?);
        }
        Ok(pkg)
    }

    /// Writes the package as a zip file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default());
        let mut entries: Vec<(&str, &[u8])> = vec![
            (MANIFEST_ENTRY, &self.manifest_bytes),
            (COMPONENT_ENTRY, &self.component),
        ];
        let sig = self.signature.as_ref().map(PackageSignature::to_toml);
        if let Some(sig) = &sig {
            entries.push((SIGNATURE_ENTRY, sig.as_bytes()));
        }
        for (name, data) in entries {
            // Writing into a Vec cannot fail except on allocation failure.
            let _ = zip
                .start_file(name, opts)
                .and_then(|()| Ok(zip.write_all(data)?));
        }
        zip.finish().map(Cursor::into_inner).unwrap_or_default()
    }

    /// Writes the package to `path`.
    pub fn save(&self, path: &Path) -> Result<(), PackageError> {
        std::fs::write(path, self.to_bytes()).map_err(|source| PackageError::Io {
            path: path.display().to_string(),
            source,
        })
    }

    /// The manifest exactly as packaged (what the signature covers).
    pub fn manifest_bytes(&self) -> &[u8] {
        &self.manifest_bytes
    }

    /// The component bytes.
    pub fn component(&self) -> &Arc<[u8]> {
        &self.component
    }

    /// SHA-256 of the manifest bytes.
    pub fn manifest_sha256(&self) -> [u8; 32] {
        Sha256::digest(&self.manifest_bytes).into()
    }

    /// SHA-256 of the component: its identity in the artifact cache.
    pub fn component_sha256(&self) -> [u8; 32] {
        self.component_sha256
    }
}

/// Whether `bytes` start with the component-model preamble (`\0asm`, version 0x0d, layer 1).
pub fn is_component(bytes: &[u8]) -> bool {
    bytes.len() >= 8 && bytes[..4] == *b"\0asm" && bytes[6..8] == [0x01, 0x00]
}
