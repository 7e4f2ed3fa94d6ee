//! Who may ship adapters: ed25519 keys, package signatures, and the operator's trust store.
//!
//! A signature covers the SHA-256 of the manifest and of the component, so `verify` can say
//! exactly which part changed after signing.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::package::AdapterPackage;

/// A short, stable fingerprint of a public key: the first 8 bytes of its SHA-256, in hex.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct KeyId(String);

impl KeyId {
    /// The fingerprint of `key`.
    pub fn of(key: &VerifyingKey) -> KeyId {
        KeyId(hex::encode(&Sha256::digest(key.as_bytes())[..8]))
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The contents of `signature.toml`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PackageSignature {
    /// Always `ed25519`.
    pub algorithm: String,
    /// Fingerprint of the signing key.
    pub key_id: KeyId,
    /// SHA-256 (hex) of `manifest.toml` as signed.
    pub manifest_sha256: String,
    /// SHA-256 (hex) of `adapter.wasm` as signed.
    pub component_sha256: String,
    /// The ed25519 signature (base64) over [`signed_message`].
    pub signature: String,
}

impl PackageSignature {
    /// Parses `signature.toml`.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?;
        let sig: PackageSignature = toml::from_str(text).map_err(|e| e.to_string())?;
        if sig.algorithm != "ed25519" {
            return Err(format!(
                "algorithm `{}` is not supported; only ed25519",
                sig.algorithm
            ));
        }
        Ok(sig)
    }

    /// Renders `signature.toml`.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }
}

/// The bytes an ed25519 signature covers: a domain tag and the two digests.
fn signed_message(manifest_sha256: &str, component_sha256: &str) -> Vec<u8> {
    format!(
        "truc-adapter-package/v1\nmanifest-sha256={manifest_sha256}\ncomponent-sha256={component_sha256}\n"
    )
    .into_bytes()
}

/// Signs `pkg` with `key`, replacing any previous signature.
pub fn sign(pkg: &mut AdapterPackage, key: &SigningKey) {
    let manifest_sha256 = hex::encode(pkg.manifest_sha256());
    let component_sha256 = hex::encode(pkg.component_sha256());
    let signature = key.sign(&signed_message(&manifest_sha256, &component_sha256));
    pkg.signature = Some(PackageSignature {
        algorithm: "ed25519".into(),
        key_id: KeyId::of(&key.verifying_key()),
        manifest_sha256,
        component_sha256,
        signature: B64.encode(signature.to_bytes()),
    });
}

/// Why a package is not trusted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TrustError {
    /// No signature and the operator did not allow unsigned packages.
    #[error(
        "{package} is not signed; sign it with `truc adapter sign`, or set `allow-unsigned-adapters = true` (development only)"
    )]
    Unsigned {
        /// `name@version`.
        package: String,
    },
    /// Signed by a key the operator has not trusted.
    #[error(
        "{package} is signed by key {key_id}, which this hub does not trust; after checking the fingerprint with the vendor, add their public key to the trusted keys"
    )]
    UnknownKey {
        /// `name@version`.
        package: String,
        /// The fingerprint in the signature.
        key_id: KeyId,
    },
    /// The signature does not verify with the named key.
    #[error(
        "{package}: the signature does not verify with key {key_id}; signature.toml was altered or damaged"
    )]
    BadSignature {
        /// `name@version`.
        package: String,
        /// The key tried.
        key_id: KeyId,
    },
    /// The manifest differs from what was signed.
    #[error(
        "{package}: manifest.toml was changed after signing (SHA-256 {actual}, signed {signed}); refuse it or ask the vendor for a new package"
    )]
    ManifestTampered {
        /// `name@version`.
        package: String,
        /// Digest of the manifest found.
        actual: String,
        /// Digest that was signed.
        signed: String,
    },
    /// The component differs from what was signed.
    #[error(
        "{package}: adapter.wasm was changed after signing (SHA-256 {actual}, signed {signed}); refuse it or ask the vendor for a new package"
    )]
    ComponentTampered {
        /// `name@version`.
        package: String,
        /// Digest of the component found.
        actual: String,
        /// Digest that was signed.
        signed: String,
    },
}

/// How a package came to be accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trusted {
    /// Signed by this trusted key.
    SignedBy {
        /// The key's fingerprint.
        key_id: KeyId,
        /// The operator's label for it (its file name).
        label: String,
    },
    /// Unsigned, accepted because the operator allowed unsigned packages.
    UnsignedAllowed,
    /// Built into the hub binary from the project's own sources.
    Bundled,
}

/// The public keys an operator trusts, and whether unsigned packages are allowed.
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    keys: BTreeMap<KeyId, (String, VerifyingKey)>,
    /// Accept unsigned packages (development only).
    pub allow_unsigned: bool,
}

impl TrustStore {
    /// Trusts `key`, naming it `label`.
    pub fn add(&mut self, label: impl Into<String>, key: VerifyingKey) -> KeyId {
        let id = KeyId::of(&key);
        self.keys.insert(id.clone(), (label.into(), key));
        id
    }

    /// Loads every `*.pub` file (SPKI PEM) in `dir`. A missing directory is an empty store.
    pub fn load_dir(dir: &Path) -> Result<Self, KeyFileError> {
        let mut store = TrustStore::default();
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(store),
            Err(e) => return Err(KeyFileError::io(dir, e)),
        };
        let mut paths: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pub"))
            .collect();
        paths.sort();
        for path in paths {
            let key = read_public_key(&path)?;
            let label = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            store.add(label, key);
        }
        Ok(store)
    }

    /// The trusted keys, by fingerprint.
    pub fn keys(&self) -> impl Iterator<Item = (&KeyId, &str)> {
        self.keys
            .iter()
            .map(|(id, (label, _))| (id, label.as_str()))
    }

    /// Checks that `pkg` is signed by a trusted key and unchanged since.
    pub fn verify(&self, pkg: &AdapterPackage) -> Result<Trusted, TrustError> {
        let package = pkg.manifest.id();
        let Some(sig) = &pkg.signature else {
            return if self.allow_unsigned {
                Ok(Trusted::UnsignedAllowed)
            } else {
                Err(TrustError::Unsigned { package })
            };
        };
        let Some((label, key)) = self.keys.get(&sig.key_id) else {
            return Err(TrustError::UnknownKey {
                package,
                key_id: sig.key_id.clone(),
            });
        };
        let bad = || TrustError::BadSignature {
            package: package.clone(),
            key_id: sig.key_id.clone(),
        };
        let raw = B64.decode(&sig.signature).map_err(|_| bad())?;
        let raw: [u8; 64] = raw.try_into().map_err(|_| bad())?;
        key.verify(
            &signed_message(&sig.manifest_sha256, &sig.component_sha256),
            &Signature::from_bytes(&raw),
        )
        .map_err(|_| bad())?;
        let actual = hex::encode(pkg.manifest_sha256());
        if actual != sig.manifest_sha256 {
            return Err(TrustError::ManifestTampered {
                package,
                actual,
                signed: sig.manifest_sha256.clone(),
            });
        }
        let actual = hex::encode(pkg.component_sha256());
        if actual != sig.component_sha256 {
            return Err(TrustError::ComponentTampered {
                package,
                actual,
                signed: sig.component_sha256.clone(),
            });
        }
        Ok(Trusted::SignedBy {
            key_id: sig.key_id.clone(),
            label: label.clone(),
        })
    }
}

/// A key file could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct KeyFileError {
    path: String,
    message: String,
}

impl KeyFileError {
    fn io(path: &Path, e: std::io::Error) -> Self {
        Self {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }

    fn bad(path: &Path, what: &str) -> Self {
        Self {
            path: path.display().to_string(),
            message: what.to_owned(),
        }
    }
}

/// A fresh signing key from the operating system's random source.
pub fn generate_key() -> SigningKey {
    let seed: [u8; 32] = rand::random();
    SigningKey::from_bytes(&seed)
}

/// Writes `key` as `<stem>.key` (PKCS#8 PEM, readable by the owner only) and `<stem>.pub`
/// (SPKI PEM). Refuses to overwrite an existing key.
pub fn write_key_pair(
    key: &SigningKey,
    stem: &Path,
) -> Result<(std::path::PathBuf, std::path::PathBuf), KeyFileError> {
    let secret_path = stem.with_extension("key");
    let public_path = stem.with_extension("pub");
    for p in [&secret_path, &public_path] {
        if p.exists() {
            return Err(KeyFileError::bad(
                p,
                "already exists; choose another name or remove it first",
            ));
        }
    }
    let secret = key
        .to_pkcs8_pem(Default::default())
        .map_err(|e| KeyFileError::bad(&secret_path, &e.to_string()))?;
    let public = key
        .verifying_key()
        .to_public_key_pem(Default::default())
        .map_err(|e| KeyFileError::bad(&public_path, &e.to_string()))?;
    write_private(&secret_path, secret.as_bytes())?;
    std::fs::write(&public_path, public).map_err(|e| KeyFileError::io(&public_path, e))?;
    Ok((secret_path, public_path))
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), KeyFileError> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| KeyFileError::io(path, e))?;
    f.write_all(bytes).map_err(|e| KeyFileError::io(path, e))
}

/// Reads a PKCS#8 PEM signing key written by `truc adapter keygen`.
pub fn read_signing_key(path: &Path) -> Result<SigningKey, KeyFileError> {
    let text = std::fs::read_to_string(path).map_err(|e| KeyFileError::io(path, e))?;
    SigningKey::from_pkcs8_pem(&text).map_err(|_| {
        KeyFileError::bad(
            path,
            "not an ed25519 private key in PKCS#8 PEM (make one with `truc adapter keygen`)",
        )
    })
}

/// Reads an SPKI PEM public key written by `truc adapter keygen`.
pub fn read_public_key(path: &Path) -> Result<VerifyingKey, KeyFileError> {
    let text = std::fs::read_to_string(path).map_err(|e| KeyFileError::io(path, e))?;
    VerifyingKey::from_public_key_pem(&text).map_err(|_| {
        KeyFileError::bad(
            path,
            "not an ed25519 public key in PEM (the `.pub` file from `truc adapter keygen`)",
        )
    })
}
