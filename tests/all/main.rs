//! End-to-end tests: one binary, one file per feature (as wasmtime's `tests/all`).

mod common;
mod runtime_calls;
