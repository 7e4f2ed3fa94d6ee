//! Endpoint API keys: 256 random bits shown once, stored only as their SHA-256.
//!
//! A plain hash is enough (no salt, no slow KDF): the key is random and as long as the digest,
//! so nothing can be guessed from the hash that could not be guessed from nothing.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// What marks a string as a truc API key (so a leaked key is recognisable in logs and scanners).
const PREFIX: &str = "truc_";

/// Credentials issued to an endpoint; shown once, then only their hash is kept.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The API key the endpoint sends; `truc_` and 43 base64url characters.
    pub api_key: String,
}

impl fmt::Debug for Credentials {
    // Debug output ends up in logs; the key must not.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("api_key", &"truc_… (hidden)")
            .finish()
    }
}

impl Credentials {
    /// Fresh credentials from the operating system's CSPRNG (through `rand`'s thread RNG).
    pub(super) fn generate() -> Credentials {
        let bytes: [u8; 32] = rand::random();
        Credentials {
            api_key: format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)),
        }
    }

    /// The hash stored in `endpoints.api_key_hash`.
    pub(super) fn hash(&self) -> String {
        key_hash(&self.api_key)
    }
}

/// Lower-case hex SHA-256 of a presented key.
pub(super) fn key_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Whether `key` looks like a truc API key at all (a cheap refusal before any database work).
pub(super) fn well_formed(key: &str) -> bool {
    key.len() == PREFIX.len() + 43
        && key.starts_with(PREFIX)
        && key[PREFIX.len()..]
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

/// Compares two digests in time independent of where they differ.
pub(super) fn same_digest(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_prefixed_and_well_formed() {
        let a = Credentials::generate();
        let b = Credentials::generate();
        assert_ne!(a.api_key, b.api_key);
        assert!(well_formed(&a.api_key), "{}", a.api_key);
        assert!(!well_formed("truc_short"));
        assert!(!well_formed(&a.api_key.replace("truc_", "abcd_")));
    }

    #[test]
    fn the_hash_is_sha256_hex_and_debug_hides_the_key() {
        let c = Credentials {
            api_key: "abc".into(),
        };
        assert_eq!(
            c.hash(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(!format!("{c:?}").contains("abc"));
    }

    #[test]
    fn digests_compare_equal_only_when_identical() {
        assert!(same_digest("00ff", "00ff"));
        assert!(!same_digest("00ff", "00fe"));
        assert!(!same_digest("00ff", "00ff00"));
    }
}
