//! The national axis (VXP) compatible surface: the protocol layer the axum handlers call.
//!
//! A request's path through it reads as a sentence: [`operation`] (which call) → [`auth`] (who
//! signed which headers, per the scheme in [`sign`]; [`replay`]) → [`wire`] (typed request from
//! the signed headers and the body) → the exchange engine → [`answer`] (the JSON the SDK
//! parses). Section numbers (§9.x) refer to `shared/domain/reference.md`.

pub mod answer;
pub mod auth;
pub mod handlers;
pub mod operation;
pub mod replay;
pub mod sign;
pub mod wire;

#[cfg(test)]
pub(crate) mod sdk_trace;
