//! The contract versions this hub links adapters against. Each released version of
//! `truc:adapter` keeps its WIT under `wit/truc-adapter@<version>/` and its host side in a
//! module named for the release that introduced it (`since_v0_1_0`, as Zed names its
//! extension APIs). This file is the one dispatch point: it holds the supported range and
//! routes every call to the module of the adapter's version.

pub mod since_v0_1_0;
pub mod since_v0_2_0;

use semver::Version;
use wasmtime::component::{Instance, InstancePre, Linker};
use wasmtime::{Engine, Store};

use super::error::AdapterFailure;
use super::manifest::World;
use super::message::{AdapterInfo, CanonicalMessage, Delivery, Payload, Polled};
use super::state::CallState;

/// A contract version this hub supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Contract {
    /// `truc:adapter@0.1.0`.
    V0_1_0,
    /// `truc:adapter@0.2.0`: adds byte ranges of blobs (`blob-writer.write-base64-range`,
    /// `blob-writer.copy-range`).
    V0_2_0,
}

impl Contract {
    /// Every supported version, oldest first.
    pub const ALL: [Contract; 2] = [Contract::V0_1_0, Contract::V0_2_0];

    /// The version a manifest names, if supported. Versions are exact: a 0.x contract may
    /// change incompatibly between minors, so each is linked by its own module.
    pub fn for_version(v: &Version) -> Option<Contract> {
        Self::ALL.into_iter().find(|c| &c.version() == v)
    }

    /// The version number.
    pub fn version(self) -> Version {
        match self {
            Contract::V0_1_0 => Version::new(0, 1, 0),
            Contract::V0_2_0 => Version::new(0, 2, 0),
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
            Contract::V0_2_0 => since_v0_2_0::linker(engine),
        }
    }
}

/// What a guest call produced besides a trap, whatever the version.
#[derive(Debug)]
pub enum GuestError {
    /// The adapter returned an error.
    Adapter(AdapterFailure),
    /// The adapter returned something that is not a valid canonical message.
    Invalid(String),
    /// The adapter lacks the interface (should have been caught at load).
    Missing(World),
}

/// A guest call's answer: a trap, or what the guest returned.
pub type Answer<T> = wasmtime::Result<Result<T, GuestError>>;

/// The export lookups of one compiled adapter, in the version it was linked against.
#[derive(Clone)]
pub enum Exports {
    /// `truc:adapter@0.1.0`.
    V0_1_0(since_v0_1_0::Exports),
    /// `truc:adapter@0.2.0`.
    V0_2_0(since_v0_2_0::Exports),
}

impl Exports {
    /// Looks up the exports the manifest's world promises.
    pub fn new(
        contract: Contract,
        pre: &InstancePre<CallState>,
        world: World,
    ) -> Result<Self, String> {
        Ok(match contract {
            Contract::V0_1_0 => Exports::V0_1_0(since_v0_1_0::Exports::new(pre, world)?),
            Contract::V0_2_0 => Exports::V0_2_0(since_v0_2_0::Exports::new(pre, world)?),
        })
    }

    /// Calls `describe`.
    pub async fn describe(
        &self,
        store: &mut Store<CallState>,
        instance: &Instance,
    ) -> Answer<AdapterInfo> {
        match self {
            Exports::V0_1_0(x) => since_v0_1_0::describe(store, instance, x).await,
            Exports::V0_2_0(x) => since_v0_2_0::describe(store, instance, x).await,
        }
    }

    /// Calls `decode`.
    pub async fn decode(
        &self,
        store: &mut Store<CallState>,
        instance: &Instance,
        input: &Payload,
    ) -> Answer<Vec<CanonicalMessage>> {
        match self {
            Exports::V0_1_0(x) => since_v0_1_0::decode(store, instance, x, input).await,
            Exports::V0_2_0(x) => since_v0_2_0::decode(store, instance, x, input).await,
        }
    }

    /// Calls `encode`.
    pub async fn encode(
        &self,
        store: &mut Store<CallState>,
        instance: &Instance,
        message: &CanonicalMessage,
    ) -> Answer<Payload> {
        match self {
            Exports::V0_1_0(x) => since_v0_1_0::encode(store, instance, x, message).await,
            Exports::V0_2_0(x) => since_v0_2_0::encode(store, instance, x, message).await,
        }
    }

    /// Calls `deliver`; the result is the legacy system's id for the message, if it gave one.
    pub async fn deliver(
        &self,
        store: &mut Store<CallState>,
        instance: &Instance,
        delivery: &Delivery,
    ) -> Answer<Option<String>> {
        match self {
            Exports::V0_1_0(x) => since_v0_1_0::deliver(store, instance, x, delivery).await,
            Exports::V0_2_0(x) => since_v0_2_0::deliver(store, instance, x, delivery).await,
        }
    }

    /// Calls `poll`.
    pub async fn poll(
        &self,
        store: &mut Store<CallState>,
        instance: &Instance,
        max: u32,
    ) -> Answer<Vec<Polled>> {
        match self {
            Exports::V0_1_0(x) => since_v0_1_0::poll(store, instance, x, max).await,
            Exports::V0_2_0(x) => since_v0_2_0::poll(store, instance, x, max).await,
        }
    }

    /// Calls `acknowledge`.
    pub async fn acknowledge(
        &self,
        store: &mut Store<CallState>,
        instance: &Instance,
        tokens: &[String],
    ) -> Answer<()> {
        match self {
            Exports::V0_1_0(x) => since_v0_1_0::acknowledge(store, instance, x, tokens).await,
            Exports::V0_2_0(x) => since_v0_2_0::acknowledge(store, instance, x, tokens).await,
        }
    }
}
