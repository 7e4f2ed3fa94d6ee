//! vxp-upstream: federation. A hub forwards to and polls from an upstream axis — another
//! truc, or the national axis — over the VXP API, like any system built on the Government
//! Office's SDK would (reference §2: provinces connect through their platform to the axis).
//!
//! [`wire`] is the protocol and compiles anywhere; the adapter itself exists only in the wasm
//! build.

pub mod wire;

#[cfg(target_arch = "wasm32")]
mod adapter;
