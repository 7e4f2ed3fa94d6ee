//! `truc endpoint …`: the connections of QLVB systems.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use super::context::{Global, print_json};
use crate::directory::{Mode, NewEndpoint};

/// Verbs on endpoints.
#[derive(Debug, Subcommand)]
pub enum EndpointCommand {
    /// Add an endpoint hosting agencies; prints its API key once.
    Add {
        /// Its name, e.g. so-tai-chinh-h53.
        name: String,
        /// The agencies it hosts (repeatable).
        #[arg(long = "agency", value_name = "CODE", required = true)]
        agencies: Vec<String>,
        /// Adapter `name@version` (required for push and poll).
        #[arg(long)]
        adapter: Option<String>,
        /// How it receives: `pull` (its mailbox), `push` or `poll` (through its adapter).
        #[arg(long, default_value = "pull")]
        mode: String,
        /// Its national-axis SDK system id (for QLVB built on the Government Office's SDK).
        #[arg(long, requires = "vxp_secret")]
        vxp_system_id: Option<String>,
        /// Its national-axis SDK secret.
        #[arg(long, requires = "vxp_system_id")]
        vxp_secret: Option<String>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// List endpoints.
    List {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Issue a new API key; the old one stops working at once.
    RotateKey {
        /// The endpoint.
        name: String,
    },
}

/// Runs an endpoint verb.
pub async fn run(cmd: EndpointCommand, g: &Global) -> Result<ExitCode> {
    match cmd {
        EndpointCommand::Add {
            name,
            agencies,
            adapter,
            mode,
            vxp_system_id,
            vxp_secret,
            json,
        } => {
            let parsed: Mode = mode.parse().map_err(anyhow::Error::msg)?;
            let (endpoint, api_key) = if let Some(remote) = g.remote()? {
                let v = remote
                    .json(
                        "POST",
                        "/endpoints",
                        &serde_json::json!({ "name": name, "mode": mode, "agencies": agencies, "adapter": adapter,
                                             "vxp_system_id": vxp_system_id, "vxp_secret": vxp_secret }),
                    )
                    .await?;
                (
                    v["endpoint"].clone(),
                    v["api_key"].as_str().unwrap_or_default().to_owned(),
                )
            } else {
                let (e, c) = g
                    .directory()
                    .await?
                    .add_endpoint(&NewEndpoint {
                        name: name.clone(),
                        mode: parsed,
                        agencies,
                        vxp: vxp_system_id.zip(vxp_secret),
                        adapter,
                    })
                    .await?;
                (serde_json::to_value(e)?, c.api_key)
            };
            if json {
                print_json(&serde_json::json!({ "endpoint": endpoint, "api_key": api_key }))?;
            } else {
                println!("endpoint {name} added");
                println!("API key (shown once, store it now): {api_key}");
            }
        }
        EndpointCommand::List { json } => {
            let endpoints: serde_json::Value = if let Some(remote) = g.remote()? {
                remote
                    .call("GET", "/endpoints", None, "application/json")
                    .await?
            } else {
                serde_json::to_value(g.directory().await?.endpoints().await?)?
            };
            if json {
                print_json(&endpoints)?;
            } else {
                for e in endpoints.as_array().into_iter().flatten() {
                    println!(
                        "{}  mode={}  adapter={}",
                        e["name"].as_str().unwrap_or_default(),
                        e["mode"].as_str().unwrap_or_default(),
                        e["adapter"].as_str().unwrap_or("-")
                    );
                }
            }
        }
        EndpointCommand::RotateKey { name } => {
            let key = if let Some(remote) = g.remote()? {
                remote
                    .json(
                        "POST",
                        &format!("/endpoints/{name}/rotate-key"),
                        &serde_json::json!({}),
                    )
                    .await?["api_key"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            } else {
                g.directory().await?.rotate_key(&name).await?.api_key
            };
            println!("new API key for {name} (shown once): {key}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
