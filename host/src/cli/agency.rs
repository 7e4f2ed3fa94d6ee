//! `truc agency …`: the directory of agencies.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};

use super::context::{Global, print_json};
use crate::directory::{AgencyFilter, NewAgency, Records};

/// Verbs on agencies.
#[derive(Debug, Subcommand)]
pub enum AgencyCommand {
    /// Add an agency, or update it if its code exists.
    Add {
        /// Its QCVN 102 code, e.g. 000.00.24.H44.
        code: String,
        /// Its official name.
        #[arg(long)]
        name: String,
        /// The code of the unit above it.
        #[arg(long)]
        parent: Option<String>,
        /// Its QĐ 20/2020 code.
        #[arg(long)]
        qd20: Option<String>,
        /// Its former code, if it was renumbered.
        #[arg(long)]
        old_code: Option<String>,
        /// E-mail of its clerical office.
        #[arg(long, default_value = "")]
        email: String,
    },
    /// Import agencies from CSV (header: code,name,parent_code,qd20_code,old_code,email) or JSON
    /// (a list, or a VXP getAgenciesList / QĐ 20 answer). Bad rows are reported, not fatal.
    Import {
        /// The file.
        file: PathBuf,
        /// Machine-readable report.
        #[arg(long)]
        json: bool,
    },
    /// List agencies, ordered by code.
    List {
        /// Only codes starting with this.
        #[arg(long)]
        prefix: Option<String>,
        /// Only direct children of this code.
        #[arg(long)]
        parent: Option<String>,
        /// Only agencies hosted by this endpoint.
        #[arg(long)]
        endpoint: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

/// Runs an agency verb.
pub async fn run(cmd: AgencyCommand, g: &Global) -> Result<ExitCode> {
    match cmd {
        AgencyCommand::Add {
            code,
            name,
            parent,
            qd20,
            old_code,
            email,
        } => {
            let a = NewAgency {
                code: code.clone(),
                name,
                parent_code: parent,
                qd20_code: qd20,
                old_code,
                email,
            };
            if let Some(remote) = g.remote()? {
                remote
                    .json("POST", "/agencies", &serde_json::to_value(&a)?)
                    .await?;
            } else {
                g.directory().await?.upsert_agency(&a).await?;
            }
            println!("agency {code} saved");
        }
        AgencyCommand::Import { file, json } => {
            if let Some(remote) = g.remote()? {
                let bytes = std::fs::read(&file)?;
                let report = remote
                    .call(
                        "POST",
                        "/agencies/import",
                        Some(bytes.into()),
                        "application/octet-stream",
                    )
                    .await?;
                print_json(&report)?;
                return Ok(ExitCode::SUCCESS);
            }
            let records = Records::from_path(&file)?;
            let total = records.len() as u64;
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} importing {pos}/{len} agencies [{bar:40}] {per_sec} {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            if json {
                bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
            }
            let directory = g.directory().await?;
            let report = directory.import(records, &|n| bar.set_position(n)).await?;
            bar.finish_and_clear();
            if json {
                print_json(&serde_json::json!({
                    "inserted": report.inserted, "updated": report.updated, "renumbered": report.renumbered,
                    "skipped": report.skipped, "errors": report.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
                }))?;
            } else {
                println!(
                    "{} added, {} updated ({} renumbered), {} skipped",
                    report.inserted, report.updated, report.renumbered, report.skipped
                );
                for e in &report.errors {
                    println!("  {e}");
                }
            }
            if report.skipped > 0 {
                return Ok(ExitCode::from(1));
            }
        }
        AgencyCommand::List {
            prefix,
            parent,
            endpoint,
            limit,
            json,
        } => {
            let agencies = if let Some(remote) = g.remote()? {
                let mut q = format!("/agencies?limit={limit}");
                if let Some(p) = &prefix {
                    q.push_str(&format!("&prefix={p}"));
                }
                if let Some(p) = &parent {
                    q.push_str(&format!("&parent={p}"));
                }
                serde_json::from_value(remote.call("GET", &q, None, "application/json").await?)?
            } else {
                g.directory()
                    .await?
                    .list(&AgencyFilter {
                        prefix,
                        parent,
                        endpoint,
                        limit: Some(limit),
                        after: None,
                    })
                    .await?
            };
            if json {
                print_json(&agencies)?;
            } else {
                for a in &agencies {
                    let host = a
                        .endpoint
                        .as_deref()
                        .map(|e| format!("  [{e}]"))
                        .unwrap_or_default();
                    println!("{}  {}{host}", a.code, a.name);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
