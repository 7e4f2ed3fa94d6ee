//! Day-to-day verbs: send a package, read a mailbox, follow a document, verify the audit log,
//! handle dead letters.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};

use super::context::{Global, print_json};
use crate::edxml::{self, Package};
use crate::exchange::mailbox::{Ack, MailboxFilter};
use crate::exchange::{Caller, audit, doc_key};

/// Which endpoint a local verb acts as.
#[derive(Clone, Debug, Args)]
pub struct AsEndpoint {
    /// Act as this endpoint (its agencies are the senders it may use).
    #[arg(long = "as", value_name = "ENDPOINT")]
    pub endpoint: String,
}

async fn caller(g: &Global, e: &AsEndpoint) -> Result<Caller> {
    let endpoint = g
        .directory()
        .await?
        .endpoint(&e.endpoint)
        .await?
        .ok_or_else(|| {
            anyhow!(
                "endpoint `{}` does not exist; see `truc endpoint list`",
                e.endpoint
            )
        })?;
    Ok(Caller {
        endpoint_id: endpoint.id,
        name: endpoint.name,
    })
}

/// `truc send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// The edXML package.
    pub file: PathBuf,
    /// Replace the package's receivers (To) with these agency codes.
    #[arg(long = "to", value_name = "CODE")]
    pub to: Vec<String>,
    #[command(flatten)]
    pub endpoint: AsEndpoint,
    /// Machine-readable receipt.
    #[arg(long)]
    pub json: bool,
}

/// Sends a package as an endpoint.
pub async fn send(a: SendArgs, g: &Global) -> Result<ExitCode> {
    let caller = caller(g, &a.endpoint).await?;
    let exchange = g.exchange().await?;
    let bytes = std::fs::read(&a.file).with_context(|| format!("reading {}", a.file.display()))?;
    let bytes = if a.to.is_empty() {
        bytes
    } else {
        readdress(&bytes, &a.to)?
    };
    let receipt = exchange
        .submit(&caller, std::io::Cursor::new(bytes), None)
        .await?;
    if a.json {
        print_json(&receipt)?;
    } else {
        let what = if receipt.duplicate {
            "already accepted"
        } else {
            "accepted"
        };
        println!(
            "{what}: package {} ({} {})",
            receipt.package_id, receipt.kind, receipt.document_id
        );
        for d in &receipt.deliveries {
            println!("  delivery {} → {} ({})", d.id, d.receiver, d.endpoint);
        }
        for w in &receipt.warnings {
            println!("  warning: {w}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Rewrites the receivers of a document package.
fn readdress(bytes: &[u8], to: &[String]) -> Result<Vec<u8>> {
    let mut sink = edxml::MemorySink::new();
    let mut package = edxml::read_bytes(bytes, &mut sink, &edxml::Limits::default())?;
    let Package::Document(d) = &mut package else {
        bail!("--to applies to document packages, not statuses")
    };
    let template = d.to.first().cloned().unwrap_or_default();
    d.to = to
        .iter()
        .map(|c| {
            Ok(edxml::Organ {
                organ_id: Some(c.parse().map_err(|e| anyhow!("--to {c}: {e}"))?),
                organ_name: String::new(),
                ..template.clone()
            })
        })
        .collect::<Result<_>>()?;
    Ok(edxml::write_to_vec(&package, &sink)?)
}

/// `truc inbox`.
#[derive(Debug, Args)]
pub struct InboxArgs {
    #[command(flatten)]
    pub endpoint: AsEndpoint,
    /// Only `document` or `status` packages.
    #[arg(long)]
    pub kind: Option<String>,
    /// Write each package to this directory as DELIVERY-ID.edxml and acknowledge it.
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

/// Lists (and optionally saves and acknowledges) an endpoint's mailbox.
pub async fn inbox(a: InboxArgs, g: &Global) -> Result<ExitCode> {
    let caller = caller(g, &a.endpoint).await?;
    let exchange = g.exchange().await?;
    let items = exchange
        .mailbox(
            &caller,
            &MailboxFilter {
                kind: a.kind.clone(),
                limit: Some(1000),
                ..MailboxFilter::default()
            },
        )
        .await?;
    if let Some(dir) = &a.save {
        std::fs::create_dir_all(dir)?;
        for i in &items {
            let (_, loaded) = exchange.fetch(&caller, &i.delivery_id).await?;
            let path = dir.join(format!("{}.edxml", i.delivery_id));
            std::fs::write(&path, loaded.to_edxml()?)
                .with_context(|| format!("writing {}", path.display()))?;
            exchange
                .acknowledge(&caller, &i.delivery_id, Ack::Done)
                .await?;
        }
    }
    if a.json {
        print_json(&items)?;
    } else {
        if items.is_empty() {
            println!("the mailbox of {} is empty", caller.name);
        }
        for i in &items {
            let what = i
                .status_code
                .as_deref()
                .map(|c| format!("status {c}"))
                .unwrap_or_else(|| "document".into());
            println!(
                "{}  {what}  from {}  {}  {}",
                i.delivery_id, i.sender, i.document_id, i.subject
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `truc document …`.
#[derive(Debug, Subcommand)]
pub enum DocumentCommand {
    /// One document's history across all receivers.
    Timeline {
        /// The DocumentId, e.g. `000.00.00.G22,2026/11/20,7816/VPCP-TTĐT`.
        id: String,
        /// Its sender, if not the DocumentId's first part.
        #[arg(long)]
        sender: Option<String>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

/// Prints a document's timeline.
pub async fn document(cmd: DocumentCommand, g: &Global) -> Result<ExitCode> {
    let DocumentCommand::Timeline { id, sender, json } = cmd;
    let sender = sender
        .or_else(|| id.split(',').next().map(str::to_owned))
        .unwrap_or_default();
    let store = g.store().await?;
    let entries = audit::timeline(&store, &doc_key(&sender, &id)).await?;
    if entries.is_empty() {
        bail!("no document {id} from {sender} in this hub's audit log");
    }
    if json {
        print_json(&entries)?;
    } else {
        for e in &entries {
            let at =
                chrono::DateTime::from_timestamp_millis(e.at + crate::edxml::VIETNAM_OFFSET_MS)
                    .map(|t| t.format("%Y/%m/%d %H:%M:%S").to_string())
                    .unwrap_or_default();
            let receiver = e
                .receiver
                .as_deref()
                .map(|r| format!(" [{r}]"))
                .unwrap_or_default();
            println!("{at}  #{:<6} {}{receiver}  {}", e.seq, e.event, e.detail);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `truc audit …`.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain and name the first broken link. Exit status 1 if broken.
    Verify {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

/// Verifies the audit chain.
pub async fn audit_cmd(cmd: AuditCommand, g: &Global) -> Result<ExitCode> {
    let AuditCommand::Verify { json } = cmd;
    let v: audit::Verification = if let Some(remote) = g.remote()? {
        let value = remote
            .call("GET", "/audit/verify", None, "application/json")
            .await?;
        audit::Verification {
            entries: value["entries"].as_i64().unwrap_or_default(),
            first_break: value["first_break"].as_object().map(|b| audit::Break {
                seq: b.get("seq").and_then(|s| s.as_i64()).unwrap_or_default(),
                reason: b
                    .get("reason")
                    .and_then(|s| s.as_str())
                    .unwrap_or_default()
                    .to_owned(),
            }),
        }
    } else {
        audit::verify(&g.store().await?).await?
    };
    if json {
        print_json(&v)?;
    } else {
        match &v.first_break {
            None => println!("audit chain intact: {} entries verified", v.entries),
            Some(b) => println!(
                "audit chain BROKEN at entry {}: {} ({} entries before it verified)",
                b.seq, b.reason, v.entries
            ),
        }
    }
    Ok(if v.first_break.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `truc dead-letters …`.
#[derive(Debug, Subcommand)]
pub enum DeadLetterCommand {
    /// Deliveries that will not be retried automatically.
    List {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Put dead letters back in the queue.
    Retry {
        /// One delivery id; omit with --all.
        delivery_id: Option<String>,
        /// All dead letters.
        #[arg(long, conflicts_with = "delivery_id")]
        all: bool,
    },
}

/// Lists or retries dead letters.
pub async fn dead_letters(cmd: DeadLetterCommand, g: &Global) -> Result<ExitCode> {
    match cmd {
        DeadLetterCommand::List { json } => {
            let list: serde_json::Value = if let Some(remote) = g.remote()? {
                remote
                    .call("GET", "/dead-letters", None, "application/json")
                    .await?
            } else {
                serde_json::to_value(g.exchange().await?.dead_letters(1000).await?)?
            };
            if json {
                print_json(&list)?;
            } else {
                let items = list.as_array().cloned().unwrap_or_default();
                if items.is_empty() {
                    println!("no dead letters");
                }
                for d in items {
                    println!(
                        "{}  → {} ({})  after {} attempts: {}",
                        d["delivery_id"].as_str().unwrap_or_default(),
                        d["receiver"].as_str().unwrap_or_default(),
                        d["endpoint"].as_str().unwrap_or_default(),
                        d["attempts"],
                        d["last_error"].as_str().unwrap_or_default()
                    );
                }
            }
        }
        DeadLetterCommand::Retry { delivery_id, all } => {
            if delivery_id.is_none() && !all {
                bail!("name a delivery id, or pass --all");
            }
            let n = if let Some(remote) = g.remote()? {
                remote
                    .json(
                        "POST",
                        "/dead-letters/retry",
                        &serde_json::json!({ "delivery_id": delivery_id }),
                    )
                    .await?["retried"]
                    .as_u64()
                    .unwrap_or_default()
            } else {
                g.exchange()
                    .await?
                    .retry_dead(delivery_id.as_deref())
                    .await?
            };
            println!("{n} dead letter(s) queued again");
        }
    }
    Ok(ExitCode::SUCCESS)
}
