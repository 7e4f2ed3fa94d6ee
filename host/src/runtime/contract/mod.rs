//! The contract versions this hub links adapters against. Each released version of
//! `truc:adapter` keeps its WIT under `wit/truc-adapter@<version>/` and its host side in a
//! module named for the release that introduced it (`since_v0_1_0`, as Zed names its
//! extension APIs). This file is the one dispatch point: it holds the supported range.

pub mod since_v0_1_0;

use semver::Version;
use wasmtime::Engine;
use wasmtime::component::Linker;

use super::state::CallState;

/// A contract version this hub supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Contract {
    /// `truc:adapter@0.1.0`.
    V0_1_0,
}

impl Contract {
    /// Every supported version, oldest first.
    pub const ALL: [Contract; 1] = [Contract::V0_1_0];

    /// The version a manifest names, if supported. Versions are exact: a 0.x contract may
    /// change incompatibly between minors, so each is linked by its own module.
    pub fn for_version(v: &Version) -> Option<Contract> {
        Self::ALL.into_iter().find(|c| &c.version() == v)
    }

    /// The version number.
    pub fn version(self) -> Version {
        match self {
            Contract::V0_1_0 => Version::new(0, 1, 0),
        }
    }

    /// `truc:adapter@0.1.0, …` for messages.
    pub fn supported_list() -> String {
        Self::ALL
            .iter()
            .map(|c| format!("truc:adapter@{}", c.version()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A linker with everything this version offers adapters.
    pub fn linker(self, engine: &Engine) -> wasmtime::Result<Linker<CallState>> {
        match self {
            Contract::V0_1_0 => since_v0_1_0::linker(engine),
        }
    }
}
