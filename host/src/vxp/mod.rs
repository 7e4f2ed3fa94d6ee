//! Outbound side of the national axis (VXP) protocol.

pub mod client;
