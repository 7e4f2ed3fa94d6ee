//! `truc serve`: open the store, start the runtime and the workers, listen (HTTP or HTTPS),
//! and on shutdown stop accepting, finish the requests in flight, then stop.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};

use super::{AppState, router};
use crate::config::Config;
use crate::directory::Directory;
use crate::exchange::adapters::Adapters;
use crate::exchange::{Caller, Exchange};
use crate::runtime::{EngineSettings, Runtime, RuntimeSettings, TrustStore};
use crate::store::Store;

/// Why the hub could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The store.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The adapter runtime or a trusted key.
    #[error("adapter runtime: {0}")]
    Runtime(String),
    /// Listening.
    #[error("cannot listen on {addr}: {source}; is another hub already running there?")]
    Listen {
        /// The address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// TLS material.
    #[error("TLS: {0}")]
    Tls(String),
    /// The admin credential.
    #[error("admin token: {0}")]
    AdminToken(String),
}

/// A hub built from a configuration, not yet listening.
pub struct Hub {
    /// Shared handler state.
    pub state: AppState,
    config: Config,
}

/// Builds the runtime settings a configuration asks for.
pub fn runtime_settings(config: &Config) -> Result<RuntimeSettings, StartError> {
    let mut trust = TrustStore::load_dir(&config.trusted_keys_dir())
        .map_err(|e| StartError::Runtime(e.to_string()))?;
    trust.allow_unsigned = config.adapters.allow_unsigned;
    Ok(RuntimeSettings {
        engine: EngineSettings {
            max_concurrent_calls: config.adapters.max_concurrent_calls,
            ..EngineSettings::default()
        },
        cache_dir: Some(config.artifact_dir()),
        trust,
        ..RuntimeSettings::default()
    })
}

/// The adapters of a hub with this configuration over `store` (bundled examples included).
pub fn adapters_for(config: &Config, store: Store) -> Result<Adapters, StartError> {
    let runtime = Arc::new(
        Runtime::new(runtime_settings(config)?).map_err(|e| StartError::Runtime(e.to_string()))?,
    );
    let bundled = crate::bundled::EXAMPLES
        .iter()
        .map(|a| a.package())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| StartError::Runtime(e.to_string()))?;
    Ok(Adapters::new(runtime, store, bundled))
}

/// Reads the admin token's hash, creating a token on first start. `explicit` (from
/// `TRUC_ADMIN_TOKEN`) replaces the stored one. Returns the hash and, when a token was just
/// created, the token itself, to be shown once.
pub fn admin_token(
    config: &Config,
    explicit: Option<&str>,
) -> Result<(Vec<u8>, Option<String>), StartError> {
    let path = config.admin_token_path();
    let bad = |e: std::io::Error| StartError::AdminToken(format!("{}: {e}", path.display()));
    if let Some(t) = explicit {
        if t.len() < 16 {
            return Err(StartError::AdminToken(
                "TRUC_ADMIN_TOKEN must be at least 16 characters".into(),
            ));
        }
        return Ok((Sha256::digest(t.as_bytes()).to_vec(), None));
    }
    if let Ok(hex_hash) = std::fs::read_to_string(&path) {
        let hash = hex::decode(hex_hash.trim()).map_err(|_| {
            StartError::AdminToken(format!("{} is not a SHA-256 in hex", path.display()))
        })?;
        return Ok((hash, None));
    }
    let token = format!("truc-admin-{}", hex::encode(rand::random::<[u8; 24]>()));
    let hash = Sha256::digest(token.as_bytes()).to_vec();
    std::fs::create_dir_all(&config.data_dir).map_err(bad)?;
    std::fs::write(&path, hex::encode(&hash)).map_err(bad)?;
    Ok((hash, Some(token)))
}

impl Hub {
    /// Opens everything the configuration names.
    pub async fn build(config: Config, admin_token_sha256: Vec<u8>) -> Result<Hub, StartError> {
        let store = Store::open(&config.database_url()).await?;
        let adapters = Arc::new(adapters_for(&config, store.clone())?);
        adapters
            .mark_all_seen()
            .await
            .map_err(|e| StartError::Runtime(e.to_string()))?;
        let exchange = Exchange::new(store.clone(), config.exchange_settings());
        let released = exchange.release_own_claims().await?;
        if released > 0 {
            tracing::info!(
                node = exchange.node_name(),
                released,
                "released the claims of this node's previous run"
            );
        }
        let state = AppState {
            exchange,
            directory: Directory::new(store),
            adapters,
            metrics: Arc::new(super::metrics::Metrics::default()),
            admin_token_sha256: admin_token_sha256.into(),
            max_body: config.server.max_body.bytes() as usize,
            holidays: config.exchange.holidays.clone().into(),
            push_now: Arc::new(Notify::new()),
            vxp_verifier: Arc::new(super::vxp::auth::Verifier::new(Default::default())),
        };
        Ok(Hub { state, config })
    }

    /// Listens until `shutdown` resolves, then drains: no new connections, requests in flight
    /// finish (up to 30 s), workers stop. `bound` receives the address actually bound.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
        bound: Option<tokio::sync::oneshot::Sender<SocketAddr>>,
    ) -> Result<(), StartError> {
        let addr = self.config.server.listen.clone();
        let listener = TcpListener::bind(&addr)
            .await
            .map_err(|source| StartError::Listen {
                addr: addr.clone(),
                source,
            })?;
        let local = listener.local_addr().map_err(|source| StartError::Listen {
            addr: addr.clone(),
            source,
        })?;
        let tls = match (&self.config.server.tls_cert, &self.config.server.tls_key) {
            (Some(c), Some(k)) => Some(tls_acceptor(c, k)?),
            _ => None,
        };
        let (stop_tx, stop_rx) = watch::channel(false);
        let workers = spawn_workers(&self.state, &self.config, stop_rx.clone());
        let app = router(self.state.clone());
        tracing::info!(address = %local, tls = tls.is_some(), database = %crate::store::redact(&self.config.database_url()), "truc is serving");
        if let Some(tx) = bound {
            let _ = tx.send(local);
        }

        let graceful = GracefulShutdown::new();
        let builder = ConnBuilder::new(TokioExecutor::new());
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, peer)) = accepted else { continue };
                    let service = TowerToHyperService::new(app.clone());
                    let builder = builder.clone();
                    match &tls {
                        Some(acceptor) => {
                            let acceptor = acceptor.clone();
                            let watcher = graceful.watcher();
                            tokio::spawn(async move {
                                match acceptor.accept(stream).await {
                                    Ok(s) => {
                                        let conn = builder.serve_connection_with_upgrades(TokioIo::new(s), service).into_owned();
                                        let _ = watcher.watch(conn).await;
                                    }
                                    Err(e) => tracing::debug!(%peer, "TLS handshake failed: {e}"),
                                }
                            });
                        }
                        None => {
                            let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
                            let fut = graceful.watch(conn);
                            tokio::spawn(async move {
                                let _ = fut.await;
                            });
                        }
                    }
                }
                () = &mut shutdown => break,
            }
        }
        tracing::info!("shutting down: finishing requests in flight");
        drop(listener);
        if tokio::time::timeout(Duration::from_secs(30), graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("requests still running after 30 s were cut off");
        }
        let _ = stop_tx.send(true);
        for w in workers {
            let _ = w.await;
        }
        self.state.exchange.store().close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

fn tls_acceptor(cert: &Path, key: &Path) -> Result<tokio_rustls::TlsAcceptor, StartError> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(cert)
        .map_err(|e| StartError::Tls(format!("{}: {e}", cert.display())))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| StartError::Tls(format!("{}: {e}", cert.display())))?;
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| StartError::Tls(format!("{}: {e}", key.display())))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StartError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| {
            StartError::Tls(format!(
                "the certificate and key do not form a usable pair: {e}"
            ))
        })?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// How often a node looks for adapter activations made through other nodes.
pub const ADAPTER_SYNC_INTERVAL: Duration = Duration::from_millis(200);

/// The background work of a node: pushing due deliveries, polling poll-mode endpoints,
/// following adapter activations made by other nodes.
fn spawn_workers(
    state: &AppState,
    config: &Config,
    stop: watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut handles = Vec::new();
    {
        let (s, mut stop) = (state.clone(), stop.clone());
        handles.push(tokio::spawn(async move {
            loop {
                match s.exchange.push_once(&s.adapters, 32).await {
                    Ok(n) if n > 0 => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!("push worker: {e}"),
                }
                tokio::select! {
                    _ = stop.changed() => break,
                    () = s.push_now.notified() => {}
                    () = tokio::time::sleep(Duration::from_millis(250)) => {}
                }
            }
        }));
    }
    {
        let (s, mut stop) = (state.clone(), stop.clone());
        let interval = config.adapters.poll_interval.0;
        handles.push(tokio::spawn(async move {
            loop {
                if let Ok(endpoints) = s.directory.endpoints().await {
                    for e in endpoints
                        .iter()
                        .filter(|e| e.mode == crate::directory::Mode::Poll)
                    {
                        let caller = Caller {
                            endpoint_id: e.id,
                            name: e.name.clone(),
                        };
                        match s.exchange.poll_endpoint(&s.adapters, &caller, 100).await {
                            Ok(o) if o.accepted > 0 => {
                                tracing::info!(endpoint = %e.name, accepted = o.accepted, "polled")
                            }
                            Ok(_) => {}
                            Err(err) => tracing::warn!(endpoint = %e.name, "polling failed: {err}"),
                        }
                    }
                }
                tokio::select! {
                    _ = stop.changed() => break,
                    () = tokio::time::sleep(interval) => {}
                }
            }
        }));
    }
    {
        let (s, mut stop) = (state.clone(), stop);
        handles.push(tokio::spawn(async move {
            loop {
                if let Err(e) = s.adapters.sync().await {
                    tracing::warn!("following adapter activations: {e}");
                }
                // One indexed query per tick: activations reach every node well within a second.
                tokio::select! {
                    _ = stop.changed() => break,
                    () = tokio::time::sleep(ADAPTER_SYNC_INTERVAL) => {}
                }
            }
        }));
    }
    handles
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
