//! `truc serve` and `truc demo`.

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use super::context::Global;
use crate::gateway::server::{Hub, admin_token, shutdown_signal};

/// `truc serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (overrides the configuration; default 127.0.0.1:8080).
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Option<String>,
    /// Log as JSON lines (for log collectors) instead of text.
    #[arg(long)]
    pub log_json: bool,
}

/// Installs the log subscriber: `RUST_LOG` filters (default `info`, quiet WASI internals).
pub fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(
            "info,wasmtime_wasi=warn,wasmtime_wasi_http=warn,sqlx=warn",
        )
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Runs the hub until Ctrl-C or SIGTERM.
pub fn serve(args: ServeArgs, g: &Global) -> Result<ExitCode> {
    init_logging(args.log_json);
    let mut config = g.config()?;
    if let Some(listen) = args.listen {
        config.server.listen = listen;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let explicit = std::env::var("TRUC_ADMIN_TOKEN").ok();
        let (hash, created) = admin_token(&config, explicit.as_deref())?;
        if let Some(token) = created {
            eprintln!(
                "admin token (shown once; its hash is in {}): {token}",
                config.admin_token_path().display()
            );
        }
        let hub = Hub::build(config, hash).await.context("starting the hub")?;
        hub.serve(shutdown_signal(), None).await?;
        anyhow::Ok(ExitCode::SUCCESS)
    })
}

/// `truc demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Leave the hub running after the story (until Ctrl-C).
    #[arg(long)]
    pub keep_running: bool,
    /// Address for the demo hub (default: a free port on 127.0.0.1).
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Option<String>,
}

/// Runs the demonstration.
pub fn demo(args: DemoArgs, g: &Global) -> Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(crate::demo::run(
        args.keep_running,
        args.listen,
        g.data_dir.clone(),
    ))
}
