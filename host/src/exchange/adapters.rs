//! The adapters serving endpoints: which generation each endpoint uses, installed packages,
//! activation, canary and rollback — recorded in the store, so every node follows.
//!
//! Activation compiles (or loads the cached artifact) and self-tests the new generation off the
//! hot path, records it, then flips the endpoint's slot; calls in flight finish on the old
//! generation. Nodes learn of activations made elsewhere by [`Adapters::sync`], which the server
//! runs every few hundred milliseconds.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use parking_lot::RwLock;
use sqlx::Row;

use crate::runtime::{
    AdapterConfig, AdapterPackage, AdapterSlot, BindingSettings, Generation, LoadError,
    OriginPattern, Provenance, Runtime,
};
use crate::store::{Store, StoreError, now_ms};

/// Why an adapter operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AdapterAdminError {
    /// No package with that name and version is installed or bundled.
    #[error("adapter {0} is not installed; install its package first (`truc adapter install`)")]
    NotInstalled(String),
    /// No such endpoint.
    #[error("endpoint `{0}` does not exist")]
    NoEndpoint(String),
    /// Loading or the self-test failed; nothing changed.
    #[error("{0}; the endpoint keeps its current adapter")]
    Load(#[from] LoadError),
    /// Nothing to roll back to.
    #[error("endpoint `{0}` has no earlier adapter activation to roll back to")]
    NoHistory(String),
    /// `name@version` is malformed.
    #[error("`{0}` is not an adapter reference; write NAME@VERSION, e.g. json-office@1.0.0")]
    BadReference(String),
    /// The package is unreadable.
    #[error(transparent)]
    Package(#[from] crate::runtime::package::PackageError),
    /// A setting stored for the endpoint is invalid.
    #[error("endpoint `{endpoint}`: {message}")]
    BadBinding {
        /// The endpoint.
        endpoint: String,
        /// What is wrong.
        message: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for AdapterAdminError {
    fn from(e: sqlx::Error) -> Self {
        AdapterAdminError::Store(StoreError::Sql(e))
    }
}

/// Adapters installed in this hub, as listed by the admin API.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Installed {
    /// `name@version`.
    pub adapter: String,
    /// SHA-256 of the component.
    pub sha256: String,
    /// `bundled` or `uploaded`.
    pub source: String,
}

/// The adapters of one hub node.
pub struct Adapters {
    runtime: Arc<Runtime>,
    store: Store,
    bundled: HashMap<String, AdapterPackage>,
    slots: RwLock<HashMap<i64, Arc<AdapterSlot>>>,
    /// The last activation this node applied.
    seen: AtomicI64,
    /// Uploaded packages (by component SHA-256, hex) this node has compiled or is compiling
    /// ahead of any activation, so that following one elsewhere only flips a slot.
    prepared: parking_lot::Mutex<std::collections::HashSet<String>>,
    /// One ahead-of-time compilation at a time: it must not starve the node's traffic.
    preparing: Arc<tokio::sync::Semaphore>,
}

impl std::fmt::Debug for Adapters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Adapters")
            .field("bundled", &self.bundled.keys().collect::<Vec<_>>())
            .finish()
    }
}

fn split_ref(adapter: &str) -> Result<(&str, &str), AdapterAdminError> {
    adapter
        .split_once('@')
        .filter(|(n, v)| !n.is_empty() && !v.is_empty())
        .ok_or_else(|| AdapterAdminError::BadReference(adapter.to_owned()))
}

/// What the store says about an endpoint's adapter binding.
struct BindingRow {
    adapter: Option<String>,
    config: AdapterConfig,
    granted: Vec<OriginPattern>,
}

impl Adapters {
    /// Adapters over `runtime`; `bundled` are the packages shipped inside the binary.
    pub fn new(runtime: Arc<Runtime>, store: Store, bundled: Vec<AdapterPackage>) -> Self {
        Self {
            runtime,
            store,
            bundled: bundled.into_iter().map(|p| (p.manifest.id(), p)).collect(),
            slots: RwLock::new(HashMap::new()),
            seen: AtomicI64::new(0),
            prepared: parking_lot::Mutex::new(std::collections::HashSet::new()),
            preparing: Arc::new(tokio::sync::Semaphore::new(1)),
        }
    }

    /// The runtime.
    pub fn runtime(&self) -> &Arc<Runtime> {
        &self.runtime
    }

    /// The generation serving `endpoint_id` now, loading it on first use.
    pub async fn for_endpoint(
        &self,
        endpoint_id: i64,
    ) -> Result<Option<Arc<Generation>>, AdapterAdminError> {
        if let Some(slot) = self.slots.read().get(&endpoint_id) {
            return Ok(Some(slot.current()));
        }
        let binding = self.binding(endpoint_id).await?;
        let Some(adapter) = binding.adapter.clone() else {
            return Ok(None);
        };
        let generation = self.load(&adapter, &binding).await?;
        let slot = Arc::new(AdapterSlot::new(generation));
        let slot = self
            .slots
            .write()
            .entry(endpoint_id)
            .or_insert(slot)
            .clone();
        Ok(Some(slot.current()))
    }

    /// Every generation serving now (active and canary), labelled by endpoint id, for metrics.
    pub fn generations(&self) -> Vec<(String, Arc<Generation>)> {
        let slots = self.slots.read();
        let mut out = Vec::new();
        for (id, slot) in slots.iter() {
            let state = slot.state();
            out.push((id.to_string(), state.active.clone()));
            if let Some((canary, _)) = &state.canary {
                out.push((id.to_string(), canary.clone()));
            }
        }
        out
    }

    /// The slot of an endpoint, if its adapter is loaded.
    pub fn slot(&self, endpoint_id: i64) -> Option<Arc<AdapterSlot>> {
        self.slots.read().get(&endpoint_id).cloned()
    }

    async fn binding(&self, endpoint_id: i64) -> Result<BindingRow, AdapterAdminError> {
        let row = sqlx::query(
            "SELECT name, adapter, adapter_config, granted_origins FROM endpoints WHERE id = $1",
        )
        .bind(endpoint_id)
        .fetch_optional(self.store.pool())
        .await?
        .ok_or_else(|| AdapterAdminError::NoEndpoint(endpoint_id.to_string()))?;
        let name: String = row.try_get("name")?;
        let bad = |message: String| AdapterAdminError::BadBinding {
            endpoint: name.clone(),
            message,
        };
        let config: serde_json::Value =
            serde_json::from_str(&row.try_get::<String, _>("adapter_config")?)
                .map_err(|e| bad(format!("adapter configuration is not JSON: {e}")))?;
        let granted: Vec<String> =
            serde_json::from_str(&row.try_get::<String, _>("granted_origins")?)
                .map_err(|e| bad(format!("granted origins are not a JSON list: {e}")))?;
        let granted = granted
            .iter()
            .map(|g| g.parse::<OriginPattern>().map_err(&bad))
            .collect::<Result<Vec<_>, _>>()?;
        let mut cfg = AdapterConfig::new();
        if let Some(values) = config.get("values").and_then(|v| v.as_object()) {
            for (k, v) in values {
                cfg = cfg.with_value(k, v.as_str().unwrap_or_default());
            }
        }
        if let Some(secrets) = config.get("secrets").and_then(|v| v.as_object()) {
            for (k, v) in secrets {
                cfg = cfg.with_secret(k, v.as_str().unwrap_or_default());
            }
        }
        Ok(BindingRow {
            adapter: row.try_get("adapter")?,
            config: cfg,
            granted,
        })
    }

    async fn package(
        &self,
        adapter: &str,
    ) -> Result<(AdapterPackage, Provenance), AdapterAdminError> {
        if let Some(p) = self.bundled.get(adapter) {
            return Ok((p.clone(), Provenance::Bundled));
        }
        let (name, version) = split_ref(adapter)?;
        let row =
            sqlx::query("SELECT package FROM adapter_packages WHERE name = $1 AND version = $2")
                .bind(name)
                .bind(version)
                .fetch_optional(self.store.pool())
                .await?
                .ok_or_else(|| AdapterAdminError::NotInstalled(adapter.to_owned()))?;
        let bytes: Vec<u8> = row.try_get("package")?;
        Ok((AdapterPackage::from_bytes(&bytes)?, Provenance::Verify))
    }

    async fn load(
        &self,
        adapter: &str,
        binding: &BindingRow,
    ) -> Result<Arc<Generation>, AdapterAdminError> {
        let (pkg, provenance) = self.package(adapter).await?;
        let settings = BindingSettings {
            granted_origins: binding.granted.clone(),
            config: binding.config.clone(),
        };
        Ok(self.runtime.load(&pkg, provenance, settings).await?)
    }

    /// Verifies a package against the trust store and installs it (replacing an identical
    /// name and version only if the bytes are the same).
    pub async fn install(&self, pkg: &AdapterPackage) -> Result<Installed, AdapterAdminError> {
        self.runtime.trust().verify(pkg).map_err(LoadError::from)?;
        let m = &pkg.manifest.adapter;
        let sha = hex::encode(pkg.component_sha256());
        sqlx::query(
            "INSERT INTO adapter_packages (name, version, sha256, package, uploaded_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (name, version) DO NOTHING",
        )
        .bind(m.name.as_str())
        .bind(m.version.to_string())
        .bind(&sha)
        .bind(pkg.to_bytes())
        .bind(now_ms())
        .execute(self.store.pool())
        .await?;
        self.prepare_in_background(sha.clone(), pkg.clone());
        Ok(Installed {
            adapter: pkg.manifest.id(),
            sha256: sha,
            source: "uploaded".into(),
        })
    }

    /// Every adapter this hub can activate.
    pub async fn installed(&self) -> Result<Vec<Installed>, AdapterAdminError> {
        let mut out: Vec<Installed> = self
            .bundled
            .values()
            .map(|p| Installed {
                adapter: p.manifest.id(),
                sha256: hex::encode(p.component_sha256()),
                source: "bundled".into(),
            })
            .collect();
        let rows = sqlx::query(
            "SELECT name, version, sha256 FROM adapter_packages ORDER BY name, version",
        )
        .fetch_all(self.store.pool())
        .await?;
        for r in rows {
            out.push(Installed {
                adapter: format!(
                    "{}@{}",
                    r.try_get::<String, _>("name")?,
                    r.try_get::<String, _>("version")?
                ),
                sha256: r.try_get("sha256")?,
                source: "uploaded".into(),
            });
        }
        out.sort_by(|a, b| a.adapter.cmp(&b.adapter));
        Ok(out)
    }

    /// Makes `adapter` serve `endpoint` (or a canary share of its calls): loads and self-tests
    /// it first, then records the activation and flips the slot. On any failure the endpoint
    /// keeps its current generation.
    pub async fn activate(
        &self,
        endpoint: &str,
        adapter: &str,
        canary: Option<u8>,
    ) -> Result<Arc<Generation>, AdapterAdminError> {
        let endpoint_id = self.endpoint_id(endpoint).await?;
        let binding = self.binding(endpoint_id).await?;
        let generation = self.load(adapter, &binding).await?;
        let action = if canary.is_some() {
            "canary"
        } else {
            "activate"
        };
        let mut tx = self.store.begin().await?;
        if canary.is_none() {
            sqlx::query("UPDATE endpoints SET adapter = $1 WHERE id = $2")
                .bind(adapter)
                .bind(endpoint_id)
                .execute(&mut *tx)
                .await?;
        }
        let id: i64 = sqlx::query(
            "INSERT INTO adapter_activations (endpoint_id, adapter, canary_percent, action, at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(endpoint_id)
        .bind(adapter)
        .bind(canary.map(i64::from))
        .bind(action)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        tx.commit().await?;
        self.apply(endpoint_id, generation.clone(), canary);
        self.seen.fetch_max(id, Ordering::SeqCst);
        tracing::info!(endpoint, adapter, ?canary, "adapter activated");
        Ok(generation)
    }

    /// Returns `endpoint` to the adapter that served it before the current one (or ends a
    /// canary), recorded like an activation.
    pub async fn rollback(&self, endpoint: &str) -> Result<String, AdapterAdminError> {
        let endpoint_id = self.endpoint_id(endpoint).await?;
        let rows = sqlx::query("SELECT adapter, action FROM adapter_activations WHERE endpoint_id = $1 ORDER BY id DESC")
            .bind(endpoint_id)
            .fetch_all(self.store.pool())
            .await?;
        let history: Vec<(String, String)> = rows
            .iter()
            .map(|r| Ok((r.try_get("adapter")?, r.try_get("action")?)))
            .collect::<Result<_, sqlx::Error>>()?;
        let current = sqlx::query("SELECT adapter FROM endpoints WHERE id = $1")
            .bind(endpoint_id)
            .fetch_one(self.store.pool())
            .await?
            .try_get::<Option<String>, _>("adapter")?;
        let canary_running = history.first().is_some_and(|(_, a)| a == "canary");
        let target = if canary_running {
            current.clone()
        } else {
            // The last full activation of an adapter other than the current one.
            history
                .iter()
                .filter(|(a, act)| act != "canary" && Some(a) != current.as_ref())
                .map(|(a, _)| a.clone())
                .next()
        };
        let target = target.ok_or_else(|| AdapterAdminError::NoHistory(endpoint.to_owned()))?;
        let binding = self.binding(endpoint_id).await?;
        let generation = self.load(&target, &binding).await?;
        let mut tx = self.store.begin().await?;
        sqlx::query("UPDATE endpoints SET adapter = $1 WHERE id = $2")
            .bind(&target)
            .bind(endpoint_id)
            .execute(&mut *tx)
            .await?;
        let id: i64 = sqlx::query(
            "INSERT INTO adapter_activations (endpoint_id, adapter, canary_percent, action, at) VALUES ($1, $2, NULL, 'rollback', $3) RETURNING id",
        )
        .bind(endpoint_id)
        .bind(&target)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        tx.commit().await?;
        self.apply(endpoint_id, generation, None);
        self.seen.fetch_max(id, Ordering::SeqCst);
        tracing::info!(endpoint, adapter = %target, "adapter rolled back");
        Ok(target)
    }

    fn apply(&self, endpoint_id: i64, generation: Arc<Generation>, canary: Option<u8>) {
        let mut slots = self.slots.write();
        match (slots.get(&endpoint_id), canary) {
            (Some(slot), Some(pct)) => slot.start_canary(generation, pct),
            (Some(slot), None) => slot.activate(generation),
            (None, _) => {
                slots.insert(endpoint_id, Arc::new(AdapterSlot::new(generation)));
            }
        }
    }

    /// Compiles an uploaded package in the background (once per component on this node), so
    /// an activation of it, here or followed from another node, finds it compiled. A failure
    /// is only logged: the activation itself reports it.
    fn prepare_in_background(&self, sha256: String, pkg: AdapterPackage) {
        if !self.prepared.lock().insert(sha256) {
            return;
        }
        let (runtime, preparing) = (self.runtime.clone(), self.preparing.clone());
        tokio::spawn(async move {
            let Ok(_turn) = preparing.acquire().await else {
                return;
            };
            let adapter = pkg.manifest.id();
            match runtime.prepare(&pkg, Provenance::Verify).await {
                Ok(()) => tracing::info!(adapter, "uploaded adapter compiled ahead of activation"),
                Err(e) => {
                    tracing::warn!(adapter, error = %e, "uploaded adapter cannot be prepared")
                }
            }
        });
    }

    /// Starts compiling packages uploaded through other nodes since the last look.
    async fn prepare_uploads(&self) -> Result<(), AdapterAdminError> {
        let rows = sqlx::query("SELECT name, version, sha256 FROM adapter_packages")
            .fetch_all(self.store.pool())
            .await?;
        for r in rows {
            let sha: String = r.try_get("sha256")?;
            if self.prepared.lock().contains(&sha) {
                continue;
            }
            let name: String = r.try_get("name")?;
            let version: String = r.try_get("version")?;
            match self.package(&format!("{name}@{version}")).await {
                Ok((pkg, _)) => self.prepare_in_background(sha, pkg),
                Err(e) => {
                    self.prepared.lock().insert(sha);
                    tracing::warn!(adapter = %format!("{name}@{version}"), error = %e, "uploaded adapter package is unreadable");
                }
            }
        }
        Ok(())
    }

    /// Applies activations recorded by other nodes since the last sync, and starts compiling
    /// packages uploaded elsewhere; returns how many activations were applied.
    pub async fn sync(&self) -> Result<usize, AdapterAdminError> {
        self.prepare_uploads().await?;
        let seen = self.seen.load(Ordering::SeqCst);
        let rows = sqlx::query("SELECT id, endpoint_id, adapter, canary_percent FROM adapter_activations WHERE id > $1 ORDER BY id")
            .bind(seen)
            .fetch_all(self.store.pool())
            .await?;
        let mut applied = 0;
        for r in rows {
            let id: i64 = r.try_get("id")?;
            let endpoint_id: i64 = r.try_get("endpoint_id")?;
            let adapter: String = r.try_get("adapter")?;
            let canary: Option<i64> = r.try_get("canary_percent")?;
            if self.slots.read().contains_key(&endpoint_id) {
                let binding = self.binding(endpoint_id).await?;
                match self.load(&adapter, &binding).await {
                    Ok(generation) => {
                        self.apply(
                            endpoint_id,
                            generation,
                            canary.map(|c| c.clamp(1, 99) as u8),
                        );
                        applied += 1;
                    }
                    Err(e) => {
                        tracing::error!(endpoint_id, adapter, error = %e, "cannot follow an adapter activation; keeping the current generation")
                    }
                }
            }
            self.seen.fetch_max(id, Ordering::SeqCst);
        }
        Ok(applied)
    }

    async fn endpoint_id(&self, name: &str) -> Result<i64, AdapterAdminError> {
        Ok(sqlx::query("SELECT id FROM endpoints WHERE name = $1")
            .bind(name)
            .fetch_optional(self.store.pool())
            .await?
            .ok_or_else(|| AdapterAdminError::NoEndpoint(name.to_owned()))?
            .try_get("id")?)
    }

    /// Marks every activation so far as seen (a node starting fresh loads current bindings
    /// lazily and needs no replay). Packages already installed are likewise compiled when
    /// first used, not ahead of time.
    pub async fn mark_all_seen(&self) -> Result<(), AdapterAdminError> {
        let row = sqlx::query("SELECT COALESCE(MAX(id), 0) AS id FROM adapter_activations")
            .fetch_one(self.store.pool())
            .await?;
        self.seen.store(row.try_get("id")?, Ordering::SeqCst);
        let installed = sqlx::query("SELECT sha256 FROM adapter_packages")
            .fetch_all(self.store.pool())
            .await?;
        let mut prepared = self.prepared.lock();
        for r in installed {
            prepared.insert(r.try_get("sha256")?);
        }
        Ok(())
    }
}
