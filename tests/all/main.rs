//! End-to-end tests: one binary, one file per feature (as wasmtime's `tests/all`).

mod adapter_cli;
mod adapters;
mod artifact_cache;
mod backends;
mod common;
mod containment;
mod directory;
mod edxml;
mod edxml_cli;
mod edxml_props;
mod edxml_support;
mod edxml_ui;
mod edxml_xmldsig;
mod exchange;
mod gateway;
mod guest_kit;
mod hot_swap;
mod hub;
mod manifest_ui;
mod packages;
mod plugin_formats;
mod push_poll;
mod runtime_calls;
mod tcvn3;
mod vxp_client;
mod world;
