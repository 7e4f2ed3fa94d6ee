//! What a truc adapter written in Rust starts from.
//!
//! The crate carries the bindings to the newest contract, `truc:adapter@0.2.0` (the
//! `codec-adapter` world, or `connector-adapter` with the `connector` feature; with the
//! `contract-0-1-0` feature, `truc:adapter@0.1.0` for adapters not yet moved) and small helpers
//! for the jobs every adapter has: reading and writing blobs in chunks, building error values,
//! parsing the date formats legacy systems use, logging, and (connectors) plain blocking HTTP.
//! The manifest's `contract` must name the version the adapter was built against.
//!
//! A codec adapter is one type implementing [`Codec`], exported with [`export_adapter!`]:
//!
//! ```ignore
//! struct MyAdapter;
//! impl truc_guest::Codec for MyAdapter {
//!     fn describe() -> truc_guest::AdapterInfo { /* … */ }
//!     fn decode(input: truc_guest::Payload) -> Result<Vec<truc_guest::Message>, truc_guest::AdapterError> { /* … */ }
//!     fn encode(message: truc_guest::Message) -> Result<truc_guest::Payload, truc_guest::AdapterError> { /* … */ }
//! }
//! truc_guest::export_adapter!(MyAdapter);
//! ```

/// Bindings generated from the WIT contract. The version is chosen by the `contract-0-1-0`
/// feature, the world by the `connector` feature.
#[allow(missing_docs, clippy::all)]
pub mod bindings {
    #[cfg(all(not(feature = "contract-0-1-0"), not(feature = "connector")))]
    wit_bindgen::generate!({
        path: "../../wit/truc-adapter@0.2.0",
        world: "codec-adapter",
        pub_export_macro: true,
        export_macro_name: "export_adapter",
        default_bindings_module: "truc_guest::bindings",
    });

    #[cfg(all(not(feature = "contract-0-1-0"), feature = "connector"))]
    wit_bindgen::generate!({
        path: "../../wit/truc-adapter@0.2.0",
        world: "connector-adapter",
        pub_export_macro: true,
        export_macro_name: "export_adapter",
        default_bindings_module: "truc_guest::bindings",
        generate_all,
    });

    #[cfg(all(feature = "contract-0-1-0", not(feature = "connector")))]
    wit_bindgen::generate!({
        path: "../../wit/truc-adapter@0.1.0",
        world: "codec-adapter",
        pub_export_macro: true,
        export_macro_name: "export_adapter",
        default_bindings_module: "truc_guest::bindings",
    });

    #[cfg(all(feature = "contract-0-1-0", feature = "connector"))]
    wit_bindgen::generate!({
        path: "../../wit/truc-adapter@0.1.0",
        world: "connector-adapter",
        pub_export_macro: true,
        export_macro_name: "export_adapter",
        default_bindings_module: "truc_guest::bindings",
        generate_all,
    });
}

pub mod blob;
pub mod dates;
pub mod errors;
#[cfg(feature = "connector")]
pub mod http;
pub mod log;
pub mod status;

pub use bindings::export_adapter;
pub use bindings::exports::truc::adapter::codec::Guest as Codec;
#[cfg(feature = "connector")]
pub use bindings::exports::truc::adapter::connector::{
    Delivery, Guest as Connector, Polled, Receipt,
};
pub use bindings::truc::adapter::blobs::{Blob, BlobWriter};
pub use bindings::truc::adapter::types::*;
pub use blob::{BlobReader, BlobSink, read_all, write_blob};
pub use errors::{malformed, rejected, transient, unsupported};

/// Reads an operator-set configuration value for this endpoint (e.g. `base-url`).
pub fn config(key: &str) -> Option<String> {
    bindings::truc::adapter::host::config(key)
}

/// Reads an operator-set secret for this endpoint (e.g. an API token). Never log it.
pub fn secret(key: &str) -> Option<String> {
    bindings::truc::adapter::host::secret(key)
}

/// The hub's own edXML reader and writer (QCVN 102:2016), so adapters need no XML parser.
pub mod edxml {
    pub use super::bindings::truc::adapter::edxml::{parse, render};
}

/// What `describe` returns, in one call.
pub fn adapter_info(
    name: &str,
    version: &str,
    vendor: &str,
    formats: &[&str],
    description: &str,
) -> AdapterInfo {
    AdapterInfo {
        name: name.into(),
        version: version.into(),
        vendor: vendor.into(),
        formats: formats.iter().map(|f| (*f).to_owned()).collect(),
        description: description.into(),
    }
}

/// An organ with only its code set; fill the other fields as the legacy format allows.
pub fn organ(id: impl Into<String>) -> Organ {
    Organ {
        id: id.into(),
        organization_in_charge: String::new(),
        name: String::new(),
        address: String::new(),
        email: String::new(),
        telephone: String::new(),
        fax: String::new(),
        website: String::new(),
    }
}

/// A staff record with every field empty.
pub fn no_staff() -> Staff {
    Staff {
        department: String::new(),
        name: String::new(),
        mobile: String::new(),
        email: String::new(),
    }
}
