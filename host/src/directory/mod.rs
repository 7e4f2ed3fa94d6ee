//! The directory: agencies with their QCVN 102 codes (§3), and the endpoints — one per
//! connected QLVB system — that host them, with their credentials and adapter binding.
//!
//! Read as a sentence: a file → [`Records`] (CSV or JSON, parsed leniently, every bad row kept
//! with its line) → [`Directory::import`] (validated, written in large batched transactions) →
//! the `agencies` table, which [`Directory::resolve`] reads when a package is routed. Codes are
//! checked with [`crate::edxml::OrganId`]; the level and parent rules of §3.1/§3.4 are in
//! [`code`].
//!
//! Section numbers (§3, §9.7) refer to the engineering reference `shared/domain/reference.md`.

mod agency;
mod binding;
pub mod code;
mod credentials;
mod endpoint;
mod error;
mod hosting;
mod import;
mod records;
mod resolve;
mod sample;
mod upsert;

use crate::store::Store;

pub use agency::{Agency, AgencyFilter, NewAgency, Upserted};
pub use code::level;
pub use credentials::Credentials;
pub use endpoint::{Endpoint, Mode, NewEndpoint};
pub use error::{DirectoryError, InputError};
pub use import::{ImportProblem, ImportReport};
pub use records::{Format, Records, Unit, write_csv};
pub use resolve::{Hosting, Resolution, resolve_with};
pub use sample::sample_directory;

/// The agencies and endpoints of a hub, over its store.
#[derive(Clone, Debug)]
pub struct Directory {
    store: Store,
}

impl Directory {
    /// A directory over `store` (already migrated by [`Store::open`]).
    pub fn new(store: Store) -> Directory {
        Directory { store }
    }

    /// The store underneath.
    pub fn store(&self) -> &Store {
        &self.store
    }
}

/// `$from, $from+1, …` for `n` values: the placeholders of an `IN (…)` list or a VALUES row.
fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",")
}
