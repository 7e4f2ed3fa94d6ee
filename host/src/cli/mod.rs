//! The `truc` command line: one module per group of verbs. Every verb takes the same global
//! `--config` and `--data-dir`, so operators' commands and the server see one store; admin
//! verbs also work through a running hub's admin API with `--server URL`.

pub mod adapter;
pub mod agency;
pub mod context;
pub mod edxml;
pub mod endpoint;
pub mod operate;
pub mod policy;
pub mod serve;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use context::Global;

/// truc — the national electronic-document interchange hub (Trục liên thông văn bản).
///
/// Agencies exchange QCVN 102:2016 edXML documents and processing statuses through it; each
/// agency's own document-management system is connected by a sandboxed WebAssembly adapter.
/// Start with `truc demo`, or `truc serve`.
#[derive(Debug, Parser)]
#[command(name = "truc", version, long_about, propagate_version = true)]
pub struct Cli {
    /// Options of every verb.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the hub: REST, national-axis (VXP) and admin APIs, delivery workers.
    Serve(serve::ServeArgs),
    /// Tell the whole story on this machine: a hub, four agencies' systems in four formats,
    /// documents and statuses both ways, a revocation, an adapter upgraded and rolled back, a
    /// misbehaving adapter stopped, and every document's state at the end.
    Demo(serve::DemoArgs),
    /// Agencies: add, import, list.
    #[command(subcommand)]
    Agency(agency::AgencyCommand),
    /// Endpoints (the QLVB systems): add, list, rotate keys.
    #[command(subcommand)]
    Endpoint(endpoint::EndpointCommand),
    /// Adapter packages: keys, packing, signing, verification, inspection, install, activate,
    /// rollback.
    #[command(subcommand)]
    Adapter(adapter::AdapterCommand),
    /// Send an edXML package as an endpoint.
    Send(operate::SendArgs),
    /// Show (and with --save, fetch and acknowledge) an endpoint's mailbox.
    Inbox(operate::InboxArgs),
    /// Documents: timeline.
    #[command(subcommand)]
    Document(operate::DocumentCommand),
    /// The audit log: verify.
    #[command(subcommand)]
    Audit(operate::AuditCommand),
    /// Dead letters: list, retry.
    #[command(subcommand, name = "dead-letters")]
    DeadLetters(operate::DeadLetterCommand),
    /// edXML packages: check, canonicalize, sign, verify.
    #[command(subcommand)]
    Edxml(edxml::EdxmlCommand),
    /// The paperless catalogue: which document types may travel without a paper copy.
    #[command(subcommand)]
    Catalogue(policy::CatalogueCommand),
    /// Signed, not scanned: refuse, flag or count documents whose PDFs carry no digital
    /// signature, per agency, per document type or by default.
    #[command(subcommand, name = "signature-policy")]
    SignaturePolicy(policy::SignaturePolicyCommand),
    /// Statistics per agency and period: sent, received, answered, overdue, signed, paperless.
    Report(policy::ReportArgs),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let g = cli.global;
    match cli.command {
        Command::Edxml(cmd) => edxml::run_with(cmd, &mut std::io::stdout().lock()),
        Command::Serve(args) => serve::serve(args, &g),
        Command::Demo(args) => serve::demo(args, &g),
        other => {
            if g.server.is_some()
                && matches!(
                    other,
                    Command::Send(_) | Command::Inbox(_) | Command::Document(_)
                )
            {
                anyhow::bail!(
                    "`send`, `inbox` and `document` act as an endpoint on this machine's store; through a running hub, systems use its REST API (/api/v1) with their own API key. Drop --server"
                );
            }
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            rt.block_on(async move {
                match other {
                    Command::Agency(cmd) => agency::run(cmd, &g).await,
                    Command::Endpoint(cmd) => endpoint::run(cmd, &g).await,
                    Command::Adapter(cmd) => adapter::run_hub(cmd, &g).await,
                    Command::Send(a) => operate::send(a, &g).await,
                    Command::Inbox(a) => operate::inbox(a, &g).await,
                    Command::Document(cmd) => operate::document(cmd, &g).await,
                    Command::Audit(cmd) => operate::audit_cmd(cmd, &g).await,
                    Command::DeadLetters(cmd) => operate::dead_letters(cmd, &g).await,
                    Command::Catalogue(cmd) => policy::catalogue_cmd(cmd, &g).await,
                    Command::SignaturePolicy(cmd) => policy::signature_cmd(cmd, &g).await,
                    Command::Report(a) => policy::report_cmd(a, &g).await,
                    Command::Serve(_) | Command::Demo(_) | Command::Edxml(_) => {
                        unreachable!("handled above")
                    }
                }
            })
        }
    }
}
