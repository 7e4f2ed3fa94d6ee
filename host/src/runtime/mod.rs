//! The adapter runtime: loads signed adapter packages into a sandbox and calls them.
//!
//! One wasmtime engine with a pooling allocator; per adapter a compiled component and an
//! `InstancePre` (cached on disk across restarts); per call a fresh instance under one budget
//! (deadline, memory cap, output cap). Adapters get no ambient authority: no files, no
//! environment, no sockets; HTTP only to origins both requested and granted. A misbehaving
//! adapter fails the message it was working on, never the hub, and repeated failures open its
//! circuit breaker. Generations are swapped atomically per endpoint ([`AdapterSlot`]).

pub mod breaker;
pub mod cache;
pub mod call;
pub mod contract;
pub mod engine;
pub mod error;
pub mod generation;
pub mod grants;
pub mod host;
pub mod limits;
pub mod manifest;
pub mod message;
pub mod metrics;
pub mod package;
pub mod slot;
pub mod state;
pub mod trust;
pub mod units;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use parking_lot::Mutex;
use wasmtime::Engine;
use wasmtime::component::Linker;

pub use breaker::{BreakerSettings, BreakerState};
pub use call::CallReport;
pub use contract::Contract;
pub use engine::EngineSettings;
pub use error::{AdapterErrorKind, AdapterFailure, CallError, LoadError, TrapKind};
pub use generation::Generation;
pub use grants::{OriginPattern, OutboundGrants};
pub use host::blobs::Blob;
pub use host::config::AdapterConfig;
pub use limits::{CallBudget, Ceilings};
pub use manifest::{Manifest, World};
pub use message::{AdapterInfo, CanonicalMessage, Delivery, Payload, Polled};
pub use package::AdapterPackage;
pub use slot::{AdapterSlot, RollbackError};
pub use trust::{TrustStore, Trusted};

use contract::Exports;
use generation::Compiled;
use host::log::AdapterLog;
use state::{Binding, CallState};

/// How the runtime is set up.
#[derive(Clone, Debug)]
pub struct RuntimeSettings {
    /// Pool size and tick.
    pub engine: EngineSettings,
    /// Where compiled artifacts are cached; `None` compiles on every start.
    pub cache_dir: Option<PathBuf>,
    /// Keys whose packages are trusted, and whether unsigned ones are allowed.
    pub trust: TrustStore,
    /// The most any adapter may use per call.
    pub ceilings: Ceilings,
    /// Circuit breaker settings for every generation.
    pub breaker: BreakerSettings,
    /// Adapter log lines allowed in a burst, and per second on average.
    pub log_burst: u32,
    /// See `log_burst`.
    pub log_per_second: u32,
}

impl Default for RuntimeSettings {
    fn default() -> Self {
        Self {
            engine: EngineSettings::default(),
            cache_dir: None,
            trust: TrustStore::default(),
            ceilings: Ceilings::default(),
            breaker: BreakerSettings::default(),
            log_burst: 200,
            log_per_second: 50,
        }
    }
}

/// What the operator grants one adapter on one endpoint.
#[derive(Clone, Debug, Default)]
pub struct BindingSettings {
    /// Origins the operator allows (intersected with the manifest's requests).
    pub granted_origins: Vec<OriginPattern>,
    /// Configuration values and secrets.
    pub config: AdapterConfig,
}

/// A component compiled once per runtime, or being compiled.
type CompiledCell = Arc<tokio::sync::OnceCell<Arc<Compiled>>>;

/// The adapter runtime.
pub struct Runtime {
    engine: Engine,
    linkers: HashMap<Contract, Linker<CallState>>,
    cache: cache::ArtifactCache,
    settings: RuntimeSettings,
    /// Compiled components by SHA-256; a cell being filled is a compilation in flight, which a
    /// second load of the same component waits for instead of compiling again.
    compiled: Mutex<HashMap<[u8; 32], CompiledCell>>,
    _ticker: engine::EpochTicker,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime").finish_non_exhaustive()
    }
}

/// Whether a package was verified against the trust store or came with the hub binary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provenance {
    /// Check the signature against the trust store.
    Verify,
    /// Built into this binary from the project's own sources: trusted as the binary is.
    Bundled,
}

impl Runtime {
    /// Starts the runtime: engine, linkers, epoch ticker, cache.
    pub fn new(settings: RuntimeSettings) -> Result<Self, LoadError> {
        let engine = engine::build(&settings.engine)
            .map_err(|e| LoadError::Cache(format!("cannot configure the engine: {e}")))?;
        let mut linkers = HashMap::new();
        for c in Contract::ALL {
            let l = c.linker(&engine).map_err(|e| {
                LoadError::Cache(format!("cannot link contract {}: {e}", c.version()))
            })?;
            linkers.insert(c, l);
        }
        let cache = cache::ArtifactCache::new(&engine, settings.cache_dir.clone());
        let ticker = engine::EpochTicker::start(&engine, settings.engine.epoch_tick);
        Ok(Self {
            engine,
            linkers,
            cache,
            settings,
            compiled: Mutex::new(HashMap::new()),
            _ticker: ticker,
        })
    }

    /// The trust store in force.
    pub fn trust(&self) -> &TrustStore {
        &self.settings.trust
    }

    /// Verifies, compiles (or loads from cache), links and self-tests `pkg` for one endpoint.
    /// Heavy work runs off the async executor. The result is ready to be activated.
    pub async fn load(
        &self,
        pkg: &AdapterPackage,
        provenance: Provenance,
        binding: BindingSettings,
    ) -> Result<Arc<Generation>, LoadError> {
        let adapter = pkg.manifest.id();
        let (trusted, compiled) = self.verify_and_compile(pkg, provenance).await?;
        let budget = CallBudget::from_manifest(&pkg.manifest.limits, &self.settings.ceilings);
        let grants = OutboundGrants::intersect(
            &pkg.manifest.capabilities.outbound,
            &binding.granted_origins,
        );
        let adapter_tag: Arc<str> = adapter.clone().into();
        let binding = Binding {
            adapter: adapter_tag.clone(),
            budget,
            grants: Arc::new(grants),
            config: Arc::new(binding.config),
            log: Arc::new(AdapterLog::new(
                adapter_tag,
                self.settings.log_burst,
                self.settings.log_per_second,
            )),
        };
        let generation = Arc::new(Generation::new(
            self.engine.clone(),
            compiled,
            pkg.manifest.clone(),
            trusted,
            binding,
            breaker::Breaker::new(self.settings.breaker),
        ));
        self_test(&generation).await?;
        Ok(generation)
    }

    /// Verifies and compiles `pkg` (or loads its cached artifact) without binding it to an
    /// endpoint, so that a later activation finds it ready: nodes call this for every package
    /// uploaded while they run, before any activation names it.
    pub async fn prepare(
        &self,
        pkg: &AdapterPackage,
        provenance: Provenance,
    ) -> Result<(), LoadError> {
        self.verify_and_compile(pkg, provenance).await.map(|_| ())
    }

    async fn verify_and_compile(
        &self,
        pkg: &AdapterPackage,
        provenance: Provenance,
    ) -> Result<(Trusted, Arc<Compiled>), LoadError> {
        let adapter = pkg.manifest.id();
        let trusted = match provenance {
            Provenance::Verify => self.settings.trust.verify(pkg)?,
            Provenance::Bundled => Trusted::Bundled,
        };
        let contract =
            Contract::for_version(&pkg.manifest.adapter.contract.0).ok_or_else(|| {
                LoadError::UnsupportedContract {
                    adapter: adapter.clone(),
                    contract: pkg.manifest.adapter.contract.to_string(),
                    supported: Contract::supported_list(),
                }
            })?;
        let sha = pkg.component_sha256();
        let cell = self.compiled.lock().entry(sha).or_default().clone();
        let compiled = cell
            .get_or_try_init(|| self.compile(pkg, contract))
            .await?
            .clone();
        Ok((trusted, compiled))
    }

    async fn compile(
        &self,
        pkg: &AdapterPackage,
        contract: Contract,
    ) -> Result<Arc<Compiled>, LoadError> {
        let sha = pkg.component_sha256();
        let adapter = pkg.manifest.id();
        let world = pkg.manifest.adapter.world;
        let engine = self.engine.clone();
        let cache = self.cache.clone();
        let wasm = pkg.component().clone();
        let linker = self.linkers[&contract].clone();
        let invalid = |detail: String| LoadError::Invalid {
            adapter: adapter.clone(),
            detail,
        };
        let built = tokio::task::spawn_blocking(move || -> Result<Compiled, (bool, String)> {
            let (component, origin) = cache
                .load_or_compile(&engine, &wasm, &sha)
                .map_err(|e| (false, format!("{e:#}")))?;
            let pre = linker
                .instantiate_pre(&component)
                .map_err(|e| (false, format!("{e:#}")))?;
            let exports = Exports::new(contract, &pre, world).map_err(|e| (true, e))?;
            tracing::info!(sha256 = %hex::encode(sha), ?origin, "adapter component ready");
            Ok(Compiled {
                sha256: sha,
                contract,
                world,
                origin,
                component,
                pre,
                exports,
            })
        })
        .await
        .map_err(|e| invalid(format!("compilation was interrupted: {e}")))?;
        match built {
            Ok(c) => Ok(Arc::new(c)),
            Err((true, detail)) => Err(LoadError::WorldMismatch {
                adapter,
                world,
                detail,
            }),
            Err((false, detail)) => Err(invalid(detail)),
        }
    }
}

/// The activation self-test: the adapter must answer `describe` within its budget and name
/// itself as its manifest does.
async fn self_test(generation: &Generation) -> Result<(), LoadError> {
    let fail = |detail: String| LoadError::SelfTest {
        adapter: generation.id().to_owned(),
        detail,
    };
    let info = generation
        .describe()
        .await
        .map_err(|e| fail(e.to_string()))?;
    let m = &generation.manifest.adapter;
    if info.name != m.name.as_str() || info.version != m.version.to_string() {
        return Err(fail(format!(
            "it describes itself as {}@{} but its manifest says {}@{}",
            info.name, info.version, m.name, m.version
        )));
    }
    Ok(())
}
