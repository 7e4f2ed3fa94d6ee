//! Signed packages: what is trusted, what is refused, and why.

use truc::bundled;
use truc::runtime::trust::{self, TrustError};
use truc::runtime::{
    AdapterPackage, BindingSettings, LoadError, Provenance, Runtime, RuntimeSettings, TrustStore,
};

fn signed(key: &ed25519_dalek::SigningKey) -> AdapterPackage {
    let mut pkg = bundled::TRIVIAL.package().unwrap();
    trust::sign(&mut pkg, key);
    // Through the file format, as an operator would receive it.
    AdapterPackage::from_bytes(&pkg.to_bytes()).unwrap()
}

fn store_trusting(key: &ed25519_dalek::SigningKey) -> TrustStore {
    let mut store = TrustStore::default();
    store.add("vendor", key.verifying_key());
    store
}

#[test]
fn a_package_signed_by_a_trusted_key_verifies() {
    let key = trust::generate_key();
    let verdict = store_trusting(&key).verify(&signed(&key)).unwrap();
    assert!(matches!(verdict, trust::Trusted::SignedBy { ref label, .. } if label == "vendor"));
}

#[test]
fn a_tampered_component_is_refused_naming_the_component() {
    let key = trust::generate_key();
    let pkg = signed(&key);
    let mut wasm = pkg.component().to_vec();
    let last = wasm.len() - 1;
    wasm[last] ^= 0x01;
    let mut tampered = AdapterPackage::new(pkg.manifest_bytes().to_vec(), wasm).unwrap();
    tampered.signature = pkg.signature.clone();
    let err = store_trusting(&key).verify(&tampered).unwrap_err();
    assert!(
        matches!(err, TrustError::ComponentTampered { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("adapter.wasm was changed after signing"),
        "{err}"
    );
}

#[test]
fn a_tampered_manifest_is_refused_naming_the_manifest() {
    let key = trust::generate_key();
    let pkg = signed(&key);
    let manifest = String::from_utf8(pkg.manifest_bytes().to_vec())
        .unwrap()
        .replace("memory = \"8 MiB\"", "memory = \"512 MiB\"");
    let mut tampered =
        AdapterPackage::new(manifest.into_bytes(), pkg.component().to_vec()).unwrap();
    tampered.signature = pkg.signature.clone();
    let err = store_trusting(&key).verify(&tampered).unwrap_err();
    assert!(
        matches!(err, TrustError::ManifestTampered { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("manifest.toml was changed after signing"),
        "{err}"
    );
}

#[test]
fn a_package_signed_by_an_unknown_key_is_refused_naming_the_key() {
    let vendor = trust::generate_key();
    let stranger = trust::generate_key();
    let err = store_trusting(&vendor)
        .verify(&signed(&stranger))
        .unwrap_err();
    let TrustError::UnknownKey { key_id, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*key_id, trust::KeyId::of(&stranger.verifying_key()));
    assert!(
        err.to_string().contains("which this hub does not trust"),
        "{err}"
    );
}

#[test]
fn an_altered_signature_is_refused() {
    let key = trust::generate_key();
    let mut pkg = signed(&key);
    let sig = pkg.signature.as_mut().unwrap();
    sig.component_sha256 = "00".repeat(32);
    let err = store_trusting(&key).verify(&pkg).unwrap_err();
    assert!(matches!(err, TrustError::BadSignature { .. }), "{err:?}");
}

#[tokio::test]
async fn unsigned_packages_load_only_when_the_operator_allows_them() {
    let pkg = bundled::TRIVIAL.package().unwrap();
    let strict = Runtime::new(RuntimeSettings::default()).unwrap();
    let err = strict
        .load(&pkg, Provenance::Verify, BindingSettings::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, LoadError::Trust(TrustError::Unsigned { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("allow-unsigned-adapters"), "{err}");
    let mut trust = TrustStore::default();
    trust.allow_unsigned = true;
    let lax = Runtime::new(RuntimeSettings {
        trust,
        ..RuntimeSettings::default()
    })
    .unwrap();
    let g = lax
        .load(&pkg, Provenance::Verify, BindingSettings::default())
        .await
        .unwrap();
    assert_eq!(g.trusted, trust::Trusted::UnsignedAllowed);
}

#[test]
fn key_files_round_trip_and_load_into_a_trust_store() {
    let dir = tempfile::tempdir().unwrap();
    let key = trust::generate_key();
    let (secret, public) = trust::write_key_pair(&key, &dir.path().join("vendor")).unwrap();
    assert_eq!(
        trust::read_signing_key(&secret).unwrap().to_bytes(),
        key.to_bytes()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    assert!(
        trust::write_key_pair(&key, &dir.path().join("vendor")).is_err(),
        "never overwrites a key"
    );
    let store = TrustStore::load_dir(dir.path()).unwrap();
    assert!(store.verify(&signed(&key)).is_ok());
    assert_eq!(
        trust::read_public_key(&public).unwrap(),
        key.verifying_key()
    );
}

#[test]
fn a_package_file_with_foreign_entries_or_no_component_is_refused() {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("manifest.toml", opts).unwrap();
    zip.write_all(bundled::TRIVIAL.package().unwrap().manifest_bytes())
        .unwrap();
    zip.start_file("../../etc/passwd", opts).unwrap();
    zip.write_all(b"x").unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let err = AdapterPackage::from_bytes(&bytes).unwrap_err();
    assert!(err.to_string().contains("not part of the format"), "{err}");
    assert!(
        AdapterPackage::from_bytes(b"not a zip")
            .unwrap_err()
            .to_string()
            .contains("not an adapter package")
    );
}
