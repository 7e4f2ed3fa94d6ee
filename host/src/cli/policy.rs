//! The programme's policy and statistics: `truc catalogue`, `truc signature-policy`,
//! `truc report`. Each works on the store, or through a running hub with `--server`.

use std::process::ExitCode;

use anyhow::{Result, bail};
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

use super::context::{Global, print_json};
use crate::policy::catalogue::{self, DocType, DocTypeChange};
use crate::policy::report::{self, Report, ReportQuery};
use crate::policy::rules::{self, Mode, Rule, Scope};

/// `truc catalogue`.
#[derive(Debug, Subcommand)]
pub enum CatalogueCommand {
    /// List the document types and whether each may travel without paper.
    List {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Add a type or change one: `truc catalogue set TT --paperless true`.
    ///
    /// A package whose type is not paperless is refused unless it carries Paper=1
    /// (TraceHeaderList/Bussiness/Paper) and so announces a paper copy.
    Set {
        /// The type's code (NĐ 30 abbreviation, e.g. QĐ, TTr; CV for công văn).
        code: String,
        /// May it travel without paper?
        #[arg(long, value_name = "true|false", action = clap::ArgAction::Set)]
        paperless: Option<bool>,
        /// The TypeName packages carry (required for a new type).
        #[arg(long)]
        name: Option<String>,
        /// administrative, legal-normative or other.
        #[arg(long)]
        category: Option<String>,
    },
}

/// Runs `truc catalogue`.
pub async fn catalogue_cmd(cmd: CatalogueCommand, g: &Global) -> Result<ExitCode> {
    match cmd {
        CatalogueCommand::List { json } => {
            let types: Vec<DocType> = match g.remote()? {
                Some(r) => {
                    serde_json::from_value(r.json("GET", "/catalogue", &json!(null)).await?)?
                }
                None => catalogue::list(&g.store().await?).await?,
            };
            if json {
                print_json(&types)?;
            } else {
                println!("{:<10} {:<16} {:<9} NAME", "CODE", "CATEGORY", "PAPER");
                for t in types {
                    let paper = if t.paperless { "no" } else { "required" };
                    println!("{:<10} {:<16} {:<9} {}", t.code, t.category, paper, t.name);
                }
            }
        }
        CatalogueCommand::Set {
            code,
            paperless,
            name,
            category,
        } => {
            if paperless.is_none() && name.is_none() && category.is_none() {
                bail!("nothing to change: give --paperless true|false, --name or --category");
            }
            let change = DocTypeChange {
                paperless,
                name,
                category,
            };
            let stored: DocType = match g.remote()? {
                Some(r) => serde_json::from_value(
                    r.json(
                        "PUT",
                        &format!("/catalogue/{}", encode_path(&code)),
                        &json!({"paperless": change.paperless, "name": change.name, "category": change.category}),
                    )
                    .await?,
                )?,
                None => catalogue::set(&g.store().await?, &code, &change).await?,
            };
            println!(
                "{} ({}): {}",
                stored.code,
                stored.name,
                if stored.paperless {
                    "may travel without paper"
                } else {
                    "requires Paper=1 and a paper copy"
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `truc signature-policy`.
#[derive(Debug, Subcommand)]
pub enum SignaturePolicyCommand {
    /// List the rules (agency rules win over type rules, which win over the default).
    List {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// What to do with documents whose PDF attachments are not digitally signed.
    Set {
        /// For documents sent by this agency.
        #[arg(long, value_name = "CODE", conflicts_with_all = ["doc_type", "default"])]
        agency: Option<String>,
        /// For documents of this catalogue type.
        #[arg(long = "type", value_name = "TYPE", conflicts_with = "default")]
        doc_type: Option<String>,
        /// For every other document.
        #[arg(long)]
        default: bool,
        /// refuse the package, flag it (accepted with a warning), or only count it.
        #[arg(long, value_enum)]
        mode: ModeArg,
    },
}

/// A signature mode on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ModeArg {
    /// Refuse the package.
    Refuse,
    /// Accept it with a warning; reports count it as flagged.
    Flag,
    /// Accept it and only count it.
    Count,
}

/// Runs `truc signature-policy`.
pub async fn signature_cmd(cmd: SignaturePolicyCommand, g: &Global) -> Result<ExitCode> {
    match cmd {
        SignaturePolicyCommand::List { json } => {
            let list: Vec<Rule> = match g.remote()? {
                Some(r) => {
                    serde_json::from_value(r.json("GET", "/signature-policy", &json!(null)).await?)?
                }
                None => rules::list(&g.store().await?).await?,
            };
            if json {
                print_json(&list)?;
            } else {
                for r in list {
                    println!(
                        "{:<8} {:<16} {}",
                        format!("{:?}", r.scope).to_lowercase(),
                        r.key,
                        r.mode.as_str()
                    );
                }
            }
        }
        SignaturePolicyCommand::Set {
            agency,
            doc_type,
            default,
            mode,
        } => {
            let (scope, key) = match (agency, doc_type, default) {
                (Some(a), _, _) => (Scope::Agency, a),
                (None, Some(t), _) => (Scope::Type, t),
                (None, None, true) => (Scope::Default, "*".to_owned()),
                (None, None, false) => {
                    bail!("say what the rule is for: --agency CODE, --type TYPE or --default")
                }
            };
            let mode = match mode {
                ModeArg::Refuse => Mode::Refuse,
                ModeArg::Flag => Mode::Flag,
                ModeArg::Count => Mode::Count,
            };
            let rule = Rule { scope, key, mode };
            match g.remote()? {
                Some(r) => {
                    r.json("PUT", "/signature-policy", &serde_json::to_value(&rule)?)
                        .await?;
                }
                None => rules::set(&g.store().await?, &rule).await?,
            }
            println!(
                "unsigned PDFs ({:?} {}): {}",
                rule.scope,
                rule.key,
                rule.mode.as_str()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Output formats of `truc report`.
#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub enum ReportFormat {
    /// An aligned table, rejection reasons below.
    #[default]
    Table,
    /// CSV with a header row, one row per agency and a total row (`*`).
    Csv,
    /// The report as JSON.
    Json,
}

/// `truc report`: per agency and period, documents sent and received, how receivers answered
/// (acknowledged, accepted, completed, rejected with reasons), the median time to the first
/// status, overdue acknowledgements, and the shares of signed and paperless documents.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// First day (YYYY-MM-DD, Vietnam time), included.
    #[arg(long)]
    pub from: NaiveDate,
    /// Last day, included.
    #[arg(long)]
    pub to: NaiveDate,
    /// Only this agency.
    #[arg(long, value_name = "CODE")]
    pub agency: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Same as --format json.
    #[arg(long)]
    pub json: bool,
}

/// Runs `truc report`.
pub async fn report_cmd(a: ReportArgs, g: &Global) -> Result<ExitCode> {
    let report: Report = match g.remote()? {
        Some(r) => {
            let mut path = format!("/reports?from={}&to={}", a.from, a.to);
            if let Some(agency) = &a.agency {
                path.push_str(&format!("&agency={}", encode_path(agency)));
            }
            serde_json::from_value(r.json("GET", &path, &json!(null)).await?)?
        }
        None => {
            let config = g.config()?;
            report::compute(
                &g.store().await?,
                &ReportQuery {
                    from: a.from,
                    to: a.to,
                    agency: a.agency.clone(),
                    holidays: config.exchange.holidays.clone(),
                    now: None,
                },
            )
            .await?
        }
    };
    match if a.json { ReportFormat::Json } else { a.format } {
        ReportFormat::Table => print!("{}", report.to_table()),
        ReportFormat::Csv => print!("{}", report.to_csv()),
        ReportFormat::Json => print_json(&report)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn encode_path(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
