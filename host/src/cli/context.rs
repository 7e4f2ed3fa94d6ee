//! What every verb shares: the configuration, the store, and — with `--server` — a client of
//! a running hub's admin API.

use std::path::PathBuf;

use anyhow::{Context as _, Result, anyhow, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::config::Config;
use crate::directory::Directory;
use crate::exchange::Exchange;
use crate::store::Store;

/// Global options.
#[derive(Clone, Debug, clap::Args)]
pub struct Global {
    /// The configuration file (default: none; defaults and environment apply).
    #[arg(long, global = true, env = "TRUC_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where the hub keeps its data (overrides the configuration).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Act through the admin API of the hub running at this URL instead of on the store.
    #[arg(long, global = true, value_name = "URL")]
    pub server: Option<String>,
    /// The admin token for `--server`.
    #[arg(
        long,
        global = true,
        env = "TRUC_ADMIN_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub admin_token: Option<String>,
}

impl Global {
    /// The configuration in force: file, environment, then `--data-dir`.
    pub fn config(&self) -> Result<Config> {
        let mut config = Config::load(self.config.as_deref())?;
        if let Some(d) = &self.data_dir {
            config.data_dir = d.clone();
        }
        Ok(config)
    }

    /// The store the configuration names.
    pub async fn store(&self) -> Result<Store> {
        let config = self.config()?;
        let url = config.database_url();
        Store::open(&url).await.with_context(|| {
            format!(
                "opening the store ({}); is the data directory right?",
                crate::store::redact(&url)
            )
        })
    }

    /// The directory over the configured store.
    pub async fn directory(&self) -> Result<Directory> {
        Ok(Directory::new(self.store().await?))
    }

    /// The exchange over the configured store.
    pub async fn exchange(&self) -> Result<Exchange> {
        let config = self.config()?;
        Ok(Exchange::new(
            self.store().await?,
            config.exchange_settings(),
        ))
    }

    /// A client of the running hub's admin API, when `--server` is given.
    pub fn remote(&self) -> Result<Option<Remote>> {
        let Some(base) = &self.server else {
            return Ok(None);
        };
        let token = self.admin_token.clone().ok_or_else(|| {
            anyhow!("--server needs the admin token: pass --admin-token or set TRUC_ADMIN_TOKEN")
        })?;
        Ok(Some(Remote {
            base: base.trim_end_matches('/').to_owned(),
            token,
        }))
    }
}

/// A client of `/admin/v1` on a running hub.
#[derive(Clone, Debug)]
pub struct Remote {
    base: String,
    token: String,
}

impl Remote {
    /// Sends a request to `/admin/v1{path}`; returns the JSON answer, or an error with the
    /// hub's message.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Bytes>,
        content_type: &str,
    ) -> Result<serde_json::Value> {
        let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
        let uri = format!("{}/admin/v1{path}", self.base);
        let req = http::Request::builder()
            .method(method)
            .uri(&uri)
            .header(
                http::header::AUTHORIZATION,
                format!("Bearer {}", self.token),
            )
            .header(http::header::CONTENT_TYPE, content_type)
            .body(Full::new(body.unwrap_or_default()))
            .with_context(|| format!("building the request to {uri}"))?;
        let resp = client
            .request(req)
            .await
            .with_context(|| format!("cannot reach the hub at {}", self.base))?;
        let status = resp.status();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .context("reading the hub's answer")?
            .to_bytes();
        let value: serde_json::Value = if bytes.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(&bytes).into_owned())
            })
        };
        if !status.is_success() {
            let message = value["error"]["message"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| value.to_string());
            bail!("the hub answered {status}: {message}");
        }
        Ok(value)
    }

    /// A JSON request.
    pub async fn json(
        &self,
        method: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value> {
        self.call(
            method,
            path,
            Some(Bytes::from(body.to_string())),
            "application/json",
        )
        .await
    }
}

/// Prints `value` as pretty JSON.
pub fn print_json(value: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}
