//! What the hub offers adapters, one capability per file, each with the same lifecycle as a
//! Spin factor: linked once per contract version (`contract::*::link`), configured per adapter
//! generation (grants, config, log limits), prepared per call (the fields of `CallState`).

pub mod base64;
pub mod blobs;
pub mod config;
pub mod denials;
pub mod http;
pub mod log;
