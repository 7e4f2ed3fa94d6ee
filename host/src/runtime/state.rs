//! The data of one call's store: everything an instance can reach, and nothing else.

use std::sync::Arc;

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use super::grants::OutboundGrants;
use super::host::config::AdapterConfig;
use super::host::denials::Denials;
use super::host::http::OutboundHooks;
use super::host::log::{AdapterLog, GuestOutput};
use super::limits::{CallBudget, CallLimiter, OutputMeter};

/// Most handles (blobs, streams, requests) one call may hold at once.
const MAX_HANDLES: usize = 100_000;

/// What one adapter generation gets on one endpoint: identity, grants, configuration, log.
#[derive(Clone, Debug)]
pub struct Binding {
    /// `name@version`, the tag on every log line and error.
    pub adapter: Arc<str>,
    /// The budget of each call.
    pub budget: CallBudget,
    /// Origins it may reach.
    pub grants: Arc<OutboundGrants>,
    /// Operator configuration and secrets.
    pub config: Arc<AdapterConfig>,
    /// Its rate-limited log.
    pub log: Arc<AdapterLog>,
}

/// Store data of one call.
pub struct CallState {
    pub(crate) adapter: Arc<str>,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    hooks: OutboundHooks,
    pub(crate) table: ResourceTable,
    pub(crate) limiter: CallLimiter,
    pub(crate) output: OutputMeter,
    pub(crate) config: Arc<AdapterConfig>,
    pub(crate) log: Arc<AdapterLog>,
    pub(crate) denials: Denials,
}

impl CallState {
    /// Fresh state for one call: no preopened directories, no environment, no arguments, no
    /// sockets; stdout and stderr go to the adapter's log.
    pub fn new(binding: &Binding) -> Self {
        let wasi = WasiCtxBuilder::new()
            .stdout(GuestOutput::stdout(binding.log.clone()))
            .stderr(GuestOutput::stderr(binding.log.clone()))
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        let denials = Denials::default();
        let mut table = ResourceTable::new();
        table.set_max_capacity(MAX_HANDLES);
        let max_wait = binding.budget.timeout.0;
        Self {
            adapter: binding.adapter.clone(),
            wasi,
            http: WasiHttpCtx::new(),
            hooks: OutboundHooks::new(
                binding.adapter.clone(),
                binding.grants.clone(),
                max_wait,
                denials.clone(),
            ),
            table,
            limiter: CallLimiter::new(&binding.budget),
            output: OutputMeter::new(&binding.budget),
            config: binding.config.clone(),
            log: binding.log.clone(),
            denials,
        }
    }
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for CallState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}
