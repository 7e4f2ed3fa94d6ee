//! The `truc` command line: one module per group of verbs. Every verb takes the same global
//! `--data-dir` (and, later, `--config`), so operators' commands and the server see one store.

pub mod adapter;
pub mod edxml;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// truc — the national electronic-document interchange hub (Trục liên thông văn bản).
///
/// Agencies exchange QCVN 102:2016 edXML documents and processing statuses through it; each
/// agency's own document-management system is connected by a sandboxed WebAssembly adapter.
#[derive(Debug, Parser)]
#[command(name = "truc", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Where the hub keeps its data (database, attachments, compiled adapters, trusted keys).
    #[arg(
        long,
        global = true,
        env = "TRUC_DATA_DIR",
        default_value = "./truc-data",
        value_name = "DIR"
    )]
    pub data_dir: PathBuf,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Adapter packages: keys, packing, signing, verification, inspection.
    #[command(subcommand)]
    Adapter(adapter::AdapterCommand),
    /// edXML packages: check, canonicalize, sign, verify.
    #[command(subcommand)]
    Edxml(edxml::EdxmlCommand),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    match cli.command {
        Command::Adapter(cmd) => adapter::run(cmd, &cli.data_dir, &mut stdout),
        Command::Edxml(cmd) => edxml::run_with(cmd, &mut stdout),
    }
}
