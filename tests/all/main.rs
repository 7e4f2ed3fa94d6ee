//! End-to-end tests: one binary, one file per feature (as wasmtime's `tests/all`).

mod adapters;
mod common;
mod containment;
mod runtime_calls;
