//! An adapter generation: one verified, compiled package bound to one endpoint's grants and
//! configuration, ready to serve calls. Immutable; hot swap replaces the whole generation.

use std::sync::Arc;

use wasmtime::Engine;
use wasmtime::component::{Component, InstancePre};

use super::breaker::{Breaker, BreakerState};
use super::call::{self, CallReport};
use super::contract::{Contract, Exports, GuestError};
use super::error::CallError;
use super::manifest::{Manifest, World};
use super::message::{AdapterInfo, CanonicalMessage, Delivery, Payload, Polled};
use super::metrics::AdapterMetrics;
use super::state::{Binding, CallState};
use super::trust::Trusted;

/// A compiled, linked component, shared by every generation that uses the same bytes.
pub struct Compiled {
    /// SHA-256 of the component.
    pub sha256: [u8; 32],
    /// The contract it links against.
    pub contract: Contract,
    /// Its world.
    pub world: World,
    /// Whether it was compiled now or loaded from the artifact cache.
    pub origin: super::cache::Origin,
    pub(crate) component: Component,
    pub(crate) pre: InstancePre<CallState>,
    pub(crate) exports: Exports,
}

/// One adapter generation serving one endpoint.
pub struct Generation {
    pub(crate) engine: Engine,
    pub(crate) compiled: Arc<Compiled>,
    /// The package's manifest.
    pub manifest: Manifest,
    /// Why it was trusted.
    pub trusted: Trusted,
    pub(crate) binding: Binding,
    breaker: Breaker,
    metrics: AdapterMetrics,
}

impl std::fmt::Debug for Generation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generation")
            .field("adapter", &self.binding.adapter)
            .field("sha256", &hex::encode(self.compiled.sha256))
            .finish()
    }
}

impl Generation {
    pub(crate) fn new(
        engine: Engine,
        compiled: Arc<Compiled>,
        manifest: Manifest,
        trusted: Trusted,
        binding: Binding,
        breaker: Breaker,
    ) -> Self {
        Self {
            engine,
            compiled,
            manifest,
            trusted,
            binding,
            breaker,
            metrics: AdapterMetrics::default(),
        }
    }

    /// `name@version`.
    pub fn id(&self) -> &str {
        &self.binding.adapter
    }

    /// SHA-256 of the component (hex).
    pub fn component_sha256(&self) -> String {
        hex::encode(self.compiled.sha256)
    }

    /// The per-call budget in force.
    pub fn budget(&self) -> &super::limits::CallBudget {
        &self.binding.budget
    }

    /// The origins this generation may reach.
    pub fn grants(&self) -> &super::grants::OutboundGrants {
        &self.binding.grants
    }

    /// Its counters.
    pub fn metrics(&self) -> &AdapterMetrics {
        &self.metrics
    }

    /// Its circuit breaker's state.
    pub fn breaker_state(&self) -> BreakerState {
        self.breaker.state()
    }

    /// Whether the component was compiled for this load or came from the artifact cache.
    pub fn loaded_from(&self) -> super::cache::Origin {
        self.compiled.origin
    }

    /// Whether this is a connector.
    pub fn world(&self) -> World {
        self.compiled.world
    }

    async fn measured<R>(
        &self,
        body: impl AsyncFnOnce(
            &mut wasmtime::Store<CallState>,
            &wasmtime::component::Instance,
            &Exports,
        ) -> wasmtime::Result<Result<R, GuestError>>,
    ) -> (Result<R, CallError>, CallReport) {
        let admitted = match self.breaker.admit() {
            Ok(a) => a,
            Err(refused) => {
                self.metrics
                    .record(std::time::Duration::ZERO, 0, Some("circuit-open"));
                return (
                    Err(CallError::CircuitOpen {
                        adapter: self.id().to_owned(),
                        failures: refused.failures,
                        retry_in_secs: refused.retry_in.as_secs().max(1),
                    }),
                    CallReport::default(),
                );
            }
        };
        let exports = &self.compiled.exports;
        let (result, report) = call::run(
            &self.engine,
            &self.compiled.pre,
            &self.binding,
            async |store, instance| body(store, instance, exports).await,
        )
        .await;
        let misbehaved = result
            .as_ref()
            .err()
            .is_some_and(CallError::is_misbehaviour);
        admitted.record(misbehaved);
        self.metrics.record(
            report.elapsed,
            report.peak_memory,
            result.as_ref().err().map(CallError::kind),
        );
        if let Err(e) = &result
            && misbehaved
        {
            tracing::warn!(target: "truc::adapter", adapter = self.id(), kind = e.kind(), "{e}");
        }
        (result, report)
    }

    /// `describe`, with what the call used.
    pub async fn describe_measured(&self) -> (Result<AdapterInfo, CallError>, CallReport) {
        self.measured(async |store, instance, exports| exports.describe(store, instance).await)
            .await
    }

    /// Asks the adapter to describe itself.
    pub async fn describe(&self) -> Result<AdapterInfo, CallError> {
        self.describe_measured().await.0
    }

    /// `decode`, with what the call used.
    pub async fn decode_measured(
        &self,
        input: &Payload,
    ) -> (Result<Vec<CanonicalMessage>, CallError>, CallReport) {
        self.measured(async |store, instance, exports| exports.decode(store, instance, input).await)
            .await
    }

    /// Decodes a legacy payload into canonical messages.
    pub async fn decode(&self, input: &Payload) -> Result<Vec<CanonicalMessage>, CallError> {
        self.decode_measured(input).await.0
    }

    /// `encode`, with what the call used.
    pub async fn encode_measured(
        &self,
        message: &CanonicalMessage,
    ) -> (Result<Payload, CallError>, CallReport) {
        self.measured(async |store, instance, exports| {
            exports.encode(store, instance, message).await
        })
        .await
    }

    /// Encodes a canonical message into the legacy format.
    pub async fn encode(&self, message: &CanonicalMessage) -> Result<Payload, CallError> {
        self.encode_measured(message).await.0
    }

    fn needs_connector(&self) -> Result<(), CallError> {
        if self.compiled.world == World::Connector {
            Ok(())
        } else {
            Err(CallError::WrongWorld {
                adapter: self.id().to_owned(),
                actual: self.compiled.world,
                needed: World::Connector,
            })
        }
    }

    /// Delivers a message to the legacy system (connectors only).
    pub async fn deliver(&self, delivery: &Delivery) -> Result<Option<String>, CallError> {
        self.needs_connector()?;
        self.measured(async |store, instance, exports| {
            exports.deliver(store, instance, delivery).await
        })
        .await
        .0
    }

    /// Fetches up to `max` new messages from the legacy system (connectors only).
    pub async fn poll(&self, max: u32) -> Result<Vec<Polled>, CallError> {
        self.needs_connector()?;
        self.measured(async |store, instance, exports| exports.poll(store, instance, max).await)
            .await
            .0
    }

    /// Confirms polled messages are stored (connectors only).
    pub async fn acknowledge(&self, tokens: &[String]) -> Result<(), CallError> {
        self.needs_connector()?;
        self.measured(async |store, instance, exports| {
            exports.acknowledge(store, instance, tokens).await
        })
        .await
        .0
    }

    /// The component's import names, for `inspect`.
    pub fn imports(&self) -> Vec<String> {
        self.compiled
            .component
            .component_type()
            .imports(&self.engine)
            .map(|(name, _)| name.to_owned())
            .collect()
    }

    /// The component's export names, for `inspect`.
    pub fn exports(&self) -> Vec<String> {
        self.compiled
            .component
            .component_type()
            .exports(&self.engine)
            .map(|(name, _)| name.to_owned())
            .collect()
    }
}
