//! The exchange engine: what happens to a package between the gateway and the receivers.
//!
//! A package travels: [`ingest`] (read → validate → authorize → dedupe → one transaction:
//! package, attachments, one delivery per receiver, audit) → [`route`] (receivers to the
//! endpoints that host them) → delivery, either kept in the receiver's pull [`mailbox`] until it
//! acknowledges or pushed through its adapter by the [`delivery`] workers, with retries and dead
//! letters. Statuses follow the per-receiver state machine of [`status`] and go back to the
//! sender; revoke, update and replace are handled in [`business`]. Every state change is in the
//! [`audit`] hash chain.

pub mod adapters;
pub mod audit;
pub mod business;
mod commit;
pub mod delivery;
pub mod error;
pub mod ingest;
mod lookups;
pub mod mailbox;
pub mod overdue;
pub mod render;
pub mod route;
pub mod spool;
pub mod status;

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

pub use error::IngestError;

use crate::edxml::{Limits, Problem};
use crate::store::Store;

/// What an operator can tune.
#[derive(Clone, Debug)]
pub struct ExchangeSettings {
    /// What to do with a document addressed partly to agencies this hub cannot reach.
    pub unknown_receivers: UnknownReceivers,
    /// Push attempts before a delivery becomes a dead letter.
    pub max_attempts: u32,
    /// First retry delay; each further retry doubles it (with ±20 % jitter).
    pub retry_base: Duration,
    /// Longest retry delay.
    pub retry_max: Duration,
    /// How long a node may hold a claimed delivery before another node takes it over. A node
    /// renews its claim before each delivery, so the lease only needs to outlast one adapter call.
    pub claim_lease: Duration,
    /// This node's name in delivery claims (default: host name and process id, unique per run).
    pub node_name: String,
    /// The hub's own agency code, written into each accepted package's trace (§4.4).
    pub hub_organ_id: Option<String>,
    /// The endpoint (by name) of the upstream axis: the default route for agencies hosted
    /// nowhere here, and a sender allowed to speak for them (federation, decision 0028).
    pub upstream: Option<String>,
    /// Limits of the edXML reader.
    pub limits: Limits,
}

impl Default for ExchangeSettings {
    fn default() -> Self {
        Self {
            unknown_receivers: UnknownReceivers::Refuse,
            max_attempts: 8,
            retry_base: Duration::from_secs(2),
            retry_max: Duration::from_secs(3600),
            claim_lease: Duration::from_secs(60),
            node_name: default_node_name(),
            hub_organ_id: None,
            upstream: None,
            limits: Limits::default(),
        }
    }
}

/// `HOST-PID`: unique among the processes sharing a store, and different after a restart, so a
/// restarted node never mistakes the claims of its previous life for live ones.
pub fn default_node_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "node".into());
    format!("{host}-{}", std::process::id())
}

/// Policy for receivers the hub cannot reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnknownReceivers {
    /// Refuse the whole package, listing the unknown codes (the default).
    Refuse,
    /// Accept it for the known receivers and report the others.
    AcceptKnown,
}

/// The endpoint a request comes from, once authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// Its id.
    pub endpoint_id: i64,
    /// Its name.
    pub name: String,
}

/// The exchange engine of one hub node.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub(crate) store: Store,
    pub(crate) settings: Arc<ExchangeSettings>,
    /// This node's name in delivery claims.
    pub(crate) node: Arc<str>,
    /// The group-commit writer of ingests.
    pub(crate) committer: Arc<commit::Committer>,
    /// Directory, catalogue and rules as ingest last read them (decision 0018).
    pub(crate) lookups: Arc<lookups::Lookups>,
}

impl Exchange {
    /// An engine over `store`.
    pub fn new(store: Store, settings: ExchangeSettings) -> Self {
        let node = settings.node_name.clone();
        Self {
            store,
            settings: Arc::new(settings),
            node: node.into(),
            committer: Arc::default(),
            lookups: Arc::default(),
        }
    }

    /// This node's name in delivery claims.
    pub fn node_name(&self) -> &str {
        &self.node
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The settings.
    pub fn settings(&self) -> &ExchangeSettings {
        &self.settings
    }
}

/// What the hub answers when it accepts (or recognises again) a package.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Receipt {
    /// The stored package.
    pub package_id: i64,
    /// The transport id (the sender's idempotency key, or one the hub made).
    pub transport_id: String,
    /// `document` or `status`.
    pub kind: String,
    /// The sending agency.
    pub sender: String,
    /// The document's id (for a status, the id of the document it is about).
    pub document_id: String,
    /// True when this package had been accepted before; nothing was stored twice.
    pub duplicate: bool,
    /// One delivery per receiver.
    pub deliveries: Vec<DeliveryRef>,
    /// Receivers that could not be reached (only when the operator accepts partial routing).
    pub unknown_receivers: Vec<String>,
    /// For a status that was stored but not passed on, why (a regression, say).
    pub ignored: Option<String>,
    /// Validation warnings (the package was accepted).
    #[schema(value_type = Vec<Object>)]
    pub warnings: Vec<Problem>,
}

/// A delivery created for a package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DeliveryRef {
    /// The stable delivery id.
    pub id: String,
    /// The receiving agency.
    pub receiver: String,
    /// The endpoint hosting it.
    pub endpoint: String,
}

/// The timeline key of a document: its sender and its DocumentId.
pub fn doc_key(sender: &str, document_id: &str) -> String {
    format!("{sender}|{document_id}")
}

/// A new delivery id: time-ordered and unguessable.
pub(crate) fn new_delivery_id() -> String {
    format!(
        "d{:012x}{:016x}",
        crate::store::now_ms(),
        rand::random::<u64>()
    )
}

/// A new transport id, for packages whose sender gave none.
pub(crate) fn new_transport_id() -> String {
    format!(
        "t{:012x}{:016x}",
        crate::store::now_ms(),
        rand::random::<u64>()
    )
}
