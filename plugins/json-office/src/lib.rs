//! json-office: the adapter for a modern JSON-over-HTTP document-management system.
//!
//! [`format`] is the system's JSON and compiles anywhere; the adapter itself (codec and
//! connector) exists only in the wasm build.

pub mod format;

#[cfg(target_arch = "wasm32")]
mod adapter;
#[cfg(target_arch = "wasm32")]
mod convert;
