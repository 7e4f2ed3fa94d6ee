//! legacy-tcvn3: the adapter for an older document-management system that exchanges its own
//! XML ("GOITIN") with Vietnamese text in TCVN3 (ABC, TCVN 5712:1993 VN3).
//!
//! [`tcvn3`] converts text exactly (every TCVN3 byte string decodes to NFC Unicode and encodes
//! back to the same bytes); [`xml`] reads and writes the GOITIN format over Unicode text. The
//! adapter (wasm build only) maps GOITIN to canonical messages.

pub mod tcvn3;
pub mod xml;

#[cfg(target_arch = "wasm32")]
mod adapter;
