//! truc: the national electronic-document interchange hub (Trục liên thông văn bản).
//!
//! State agencies exchange official documents and processing statuses through it as edXML
//! packages of QCVN 102:2016. Each agency keeps its own document-management system; a
//! sandboxed WebAssembly adapter translates between that system and the standard.

pub mod bundled;
pub mod cli;
pub mod config;
pub mod conformance;
pub mod demo;
pub mod directory;
pub mod edxml;
pub mod exchange;
pub mod gateway;
pub mod policy;
pub mod runtime;
pub mod store;
pub mod vxp;
