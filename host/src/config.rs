//! Hub configuration: `truc.toml`, overridden by environment variables (`TRUC_*`,
//! `DATABASE_URL`), overridden by command-line flags. With no file at all the defaults give a
//! working hub: data in `./truc-data`, embedded SQLite, listening on `127.0.0.1:8080`, the
//! bundled example adapters available.
//!
//! ```toml
//! data-dir = "./truc-data"
//! database-url = "postgres://truc@db/truc"   # default: SQLite in the data directory
//!
//! [server]
//! listen = "127.0.0.1:8080"
//! tls-cert = "/etc/truc/cert.pem"            # both set: HTTPS
//! tls-key = "/etc/truc/key.pem"
//! max-body = "512 MiB"
//!
//! [exchange]
//! unknown-receivers = "refuse"               # or "accept-known"
//! max-attempts = 8
//! retry-base = "2s"
//! retry-max = "1h"
//! hub-organ-id = "000.00.00.G22"            # written into each package's trace
//! upstream = "national"                      # endpoint of the upstream axis (federation)
//! claim-lease = "60s"                        # how long a node holds a push delivery it claimed
//! node-name = "hub-1"                        # default: host name and process id
//! holidays = ["2026-09-02"]
//!
//! [adapters]
//! allow-unsigned = false                     # development only
//! max-concurrent-calls = 64
//! poll-interval = "30s"
//! ```

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::exchange::{ExchangeSettings, UnknownReceivers, default_node_name};
use crate::runtime::units::{ByteSize, Span};

/// The whole configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Where the hub keeps its data.
    #[serde(default = "Config::default_data_dir")]
    pub data_dir: PathBuf,
    /// `sqlite:PATH` or `postgres://…`; default: SQLite in the data directory.
    #[serde(default)]
    pub database_url: Option<String>,
    /// The HTTP server.
    #[serde(default)]
    pub server: ServerConfig,
    /// The exchange engine.
    #[serde(default)]
    pub exchange: ExchangeConfig,
    /// The adapter runtime.
    #[serde(default)]
    pub adapters: AdaptersConfig,
}

/// `[server]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ServerConfig {
    /// Address and port to listen on.
    #[serde(default = "ServerConfig::default_listen")]
    pub listen: String,
    /// Certificate chain (PEM) for HTTPS.
    #[serde(default)]
    pub tls_cert: Option<PathBuf>,
    /// Private key (PEM) for HTTPS.
    #[serde(default)]
    pub tls_key: Option<PathBuf>,
    /// Largest request body accepted.
    #[serde(default = "ServerConfig::default_max_body")]
    pub max_body: ByteSize,
}

/// `[exchange]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExchangeConfig {
    /// Refuse packages with unknown receivers, or accept them for the known ones.
    #[serde(default = "ExchangeConfig::default_unknown")]
    pub unknown_receivers: UnknownReceivers,
    /// Push attempts before a dead letter.
    #[serde(default = "ExchangeConfig::default_attempts")]
    pub max_attempts: u32,
    /// First retry delay.
    #[serde(default = "ExchangeConfig::default_retry_base")]
    pub retry_base: Span,
    /// Longest retry delay.
    #[serde(default = "ExchangeConfig::default_retry_max")]
    pub retry_max: Span,
    /// The hub's agency code for trace headers.
    #[serde(default)]
    pub hub_organ_id: Option<String>,
    /// The endpoint of the upstream axis (federation): agencies hosted nowhere here are routed
    /// to it, and it may send in their name.
    #[serde(default)]
    pub upstream: Option<String>,
    /// Public holidays (not working days for overdue tracking).
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
    /// How long a node holds a push delivery it claimed before another node may take it over.
    #[serde(default = "ExchangeConfig::default_claim_lease")]
    pub claim_lease: Span,
    /// This node's name in delivery claims; default host name and process id.
    #[serde(default)]
    pub node_name: Option<String>,
}

/// `[adapters]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AdaptersConfig {
    /// Accept unsigned adapter packages (development only).
    #[serde(default)]
    pub allow_unsigned: bool,
    /// Adapter calls that may run at once.
    #[serde(default = "AdaptersConfig::default_concurrency")]
    pub max_concurrent_calls: u32,
    /// How often poll-mode endpoints are polled.
    #[serde(default = "AdaptersConfig::default_poll_interval")]
    pub poll_interval: Span,
}

impl Config {
    fn default_data_dir() -> PathBuf {
        PathBuf::from("./truc-data")
    }

    /// The configuration with every default.
    pub fn defaults() -> Self {
        toml::from_str("").unwrap_or_else(|_| unreachable!("an empty configuration is valid"))
    }

    /// Reads `path` (or the defaults when `None`), then applies environment overrides.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let mut config = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| ConfigError::Read(p.display().to_string(), e))?;
                toml::from_str(&text)
                    .map_err(|e| ConfigError::Parse(p.display().to_string(), e.to_string()))?
            }
            None => Self::defaults(),
        };
        config.apply_env(|k| std::env::var(k).ok())?;
        Ok(config)
    }

    /// Applies `TRUC_DATA_DIR`, `DATABASE_URL`, `TRUC_LISTEN`, `TRUC_TLS_CERT`, `TRUC_TLS_KEY`,
    /// `TRUC_HUB_ORGAN_ID`, `TRUC_UPSTREAM`, `TRUC_NODE_NAME`, `TRUC_CLAIM_LEASE`,
    /// `TRUC_ALLOW_UNSIGNED_ADAPTERS`.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        if let Some(v) = var("TRUC_DATA_DIR") {
            self.data_dir = v.into();
        }
        if let Some(v) = var("DATABASE_URL") {
            self.database_url = Some(v);
        }
        if let Some(v) = var("TRUC_LISTEN") {
            self.server.listen = v;
        }
        if let Some(v) = var("TRUC_TLS_CERT") {
            self.server.tls_cert = Some(v.into());
        }
        if let Some(v) = var("TRUC_TLS_KEY") {
            self.server.tls_key = Some(v.into());
        }
        if let Some(v) = var("TRUC_HUB_ORGAN_ID") {
            self.exchange.hub_organ_id = Some(v);
        }
        if let Some(v) = var("TRUC_UPSTREAM") {
            self.exchange.upstream = Some(v).filter(|v| !v.trim().is_empty());
        }
        if let Some(v) = var("TRUC_NODE_NAME").filter(|v| !v.trim().is_empty()) {
            self.exchange.node_name = Some(v);
        }
        if let Some(v) = var("TRUC_CLAIM_LEASE") {
            self.exchange.claim_lease = v
                .parse()
                .map_err(|e| ConfigError::Env("TRUC_CLAIM_LEASE".into(), format!("`{v}`: {e}")))?;
        }
        if self.exchange.claim_lease.0 < std::time::Duration::from_millis(100) {
            return Err(ConfigError::Invalid(format!(
                "exchange.claim-lease {} is too short: a node must be able to finish one adapter call within it (at least 100ms)",
                self.exchange.claim_lease
            )));
        }
        if let Some(v) = var("TRUC_ALLOW_UNSIGNED_ADAPTERS") {
            self.adapters.allow_unsigned = match v.as_str() {
                "1" | "true" | "yes" => true,
                "0" | "false" | "no" | "" => false,
                other => {
                    return Err(ConfigError::Env(
                        "TRUC_ALLOW_UNSIGNED_ADAPTERS".into(),
                        format!("`{other}` is not true or false"),
                    ));
                }
            };
        }
        if self.server.tls_cert.is_some() != self.server.tls_key.is_some() {
            return Err(ConfigError::Invalid(
                "HTTPS needs both server.tls-cert and server.tls-key (or TRUC_TLS_CERT and TRUC_TLS_KEY)".into(),
            ));
        }
        Ok(())
    }

    /// The database URL in force: the configured one, or SQLite in the data directory.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite:{}", self.data_dir.join("truc.db").display()))
    }

    /// Where compiled adapters are cached.
    pub fn artifact_dir(&self) -> PathBuf {
        self.data_dir.join("artifacts")
    }

    /// Where trusted adapter signing keys (`*.pub`) live.
    pub fn trusted_keys_dir(&self) -> PathBuf {
        self.data_dir.join("trusted-keys")
    }

    /// Where the admin credential's hash lives.
    pub fn admin_token_path(&self) -> PathBuf {
        self.data_dir.join("admin-token.sha256")
    }

    /// The exchange settings this configuration describes.
    pub fn exchange_settings(&self) -> ExchangeSettings {
        ExchangeSettings {
            unknown_receivers: self.exchange.unknown_receivers,
            max_attempts: self.exchange.max_attempts,
            retry_base: self.exchange.retry_base.0,
            retry_max: self.exchange.retry_max.0,
            hub_organ_id: self.exchange.hub_organ_id.clone(),
            upstream: self.exchange.upstream.clone(),
            claim_lease: self.exchange.claim_lease.0,
            node_name: self
                .exchange
                .node_name
                .clone()
                .unwrap_or_else(default_node_name),
            ..ExchangeSettings::default()
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: Self::default_listen(),
            tls_cert: None,
            tls_key: None,
            max_body: Self::default_max_body(),
        }
    }
}

impl ServerConfig {
    fn default_listen() -> String {
        "127.0.0.1:8080".into()
    }

    fn default_max_body() -> ByteSize {
        ByteSize::mib(512)
    }
}

impl Default for ExchangeConfig {
    fn default() -> Self {
        Self {
            unknown_receivers: Self::default_unknown(),
            max_attempts: Self::default_attempts(),
            retry_base: Self::default_retry_base(),
            retry_max: Self::default_retry_max(),
            hub_organ_id: None,
            upstream: None,
            holidays: Vec::new(),
            claim_lease: Self::default_claim_lease(),
            node_name: None,
        }
    }
}

impl ExchangeConfig {
    fn default_unknown() -> UnknownReceivers {
        UnknownReceivers::Refuse
    }

    fn default_attempts() -> u32 {
        8
    }

    fn default_retry_base() -> Span {
        Span::secs(2)
    }

    fn default_retry_max() -> Span {
        Span::secs(3600)
    }

    fn default_claim_lease() -> Span {
        Span::secs(60)
    }
}

impl Default for AdaptersConfig {
    fn default() -> Self {
        Self {
            allow_unsigned: false,
            max_concurrent_calls: Self::default_concurrency(),
            poll_interval: Self::default_poll_interval(),
        }
    }
}

impl AdaptersConfig {
    fn default_concurrency() -> u32 {
        64
    }

    fn default_poll_interval() -> Span {
        Span::secs(30)
    }
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read {0}: {1}")]
    Read(String, std::io::Error),
    /// The file is not valid.
    #[error("{0}: {1}")]
    Parse(String, String),
    /// An environment variable is not valid.
    #[error("environment variable {0}: {1}")]
    Env(String, String),
    /// Settings disagree.
    #[error("{0}")]
    Invalid(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_file_gives_a_working_embedded_hub() {
        let c = Config::defaults();
        assert_eq!(c.server.listen, "127.0.0.1:8080");
        assert_eq!(c.database_url(), "sqlite:./truc-data/truc.db");
        assert!(!c.adapters.allow_unsigned);
    }

    #[test]
    fn environment_overrides_the_file() {
        let mut c: Config = toml::from_str("[server]\nlisten = \"0.0.0.0:9000\"\n").unwrap();
        c.apply_env(|k| match k {
            "DATABASE_URL" => Some("postgres://x@db/truc".into()),
            "TRUC_LISTEN" => Some("127.0.0.1:9999".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.server.listen, "127.0.0.1:9999");
        assert_eq!(c.database_url(), "postgres://x@db/truc");
    }

    #[test]
    fn claim_lease_and_node_name_come_from_the_file_or_the_environment() {
        let mut c: Config =
            toml::from_str("[exchange]\nclaim-lease = \"5s\"\nnode-name = \"hub-a\"\n").unwrap();
        c.apply_env(|_| None).unwrap();
        let s = c.exchange_settings();
        assert_eq!(s.claim_lease, std::time::Duration::from_secs(5));
        assert_eq!(s.node_name, "hub-a");
        c.apply_env(|k| match k {
            "TRUC_NODE_NAME" => Some("hub-b".into()),
            "TRUC_CLAIM_LEASE" => Some("750ms".into()),
            _ => None,
        })
        .unwrap();
        let s = c.exchange_settings();
        assert_eq!(s.claim_lease, std::time::Duration::from_millis(750));
        assert_eq!(s.node_name, "hub-b");
        let d = Config::defaults().exchange_settings();
        assert!(
            d.node_name.ends_with(&format!("-{}", std::process::id())),
            "{}",
            d.node_name
        );
        let mut c = Config::defaults();
        let e = c
            .apply_env(|k| (k == "TRUC_CLAIM_LEASE").then(|| "soon".into()))
            .unwrap_err();
        assert!(e.to_string().contains("TRUC_CLAIM_LEASE"), "{e}");
        let mut c = Config::defaults();
        let e = c
            .apply_env(|k| (k == "TRUC_CLAIM_LEASE").then(|| "10ms".into()))
            .unwrap_err();
        assert!(e.to_string().contains("too short"), "{e}");
    }

    #[test]
    fn half_a_tls_setup_and_unknown_settings_are_refused() {
        let mut c: Config = toml::from_str("[server]\ntls-cert = \"c.pem\"\n").unwrap();
        assert!(
            c.apply_env(|_| None)
                .unwrap_err()
                .to_string()
                .contains("both")
        );
        assert!(toml::from_str::<Config>("[server]\nport = 1\n").is_err());
        let mut c = Config::defaults();
        assert!(
            c.apply_env(|k| (k == "TRUC_ALLOW_UNSIGNED_ADAPTERS").then(|| "maybe".into()))
                .is_err()
        );
    }
}
