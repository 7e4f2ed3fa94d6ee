//! `truc adapter …`: keys, packaging, signing, verification, inspection and conformance tests
//! of adapter packages.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Subcommand;

use crate::runtime::package::AdapterPackage;
use crate::runtime::trust::{self, TrustStore, Trusted};

/// Verbs on adapter packages.
#[derive(Debug, Subcommand)]
pub enum AdapterCommand {
    /// Create an ed25519 signing key: NAME.key (secret, mode 0600) and NAME.pub (give this to
    /// operators).
    Keygen {
        /// Path and stem of the key files, e.g. `keys/acme` for keys/acme.key and keys/acme.pub.
        #[arg(long, short, value_name = "STEM")]
        out: PathBuf,
    },
    /// Build a package from a manifest and a component, signing it if a key is given.
    Pack {
        /// The adapter's manifest.toml.
        #[arg(long, value_name = "FILE")]
        manifest: PathBuf,
        /// The component (built for wasm32-wasip2, or by componentize-py/-js).
        #[arg(long, value_name = "FILE")]
        component: PathBuf,
        /// Sign with this key (from `truc adapter keygen`).
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
        /// Where to write the package.
        #[arg(long, short, value_name = "FILE")]
        out: PathBuf,
    },
    /// Sign (or re-sign) a package.
    Sign {
        /// The package.
        package: PathBuf,
        /// The signing key (from `truc adapter keygen`).
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// Write the signed package here instead of replacing the input.
        #[arg(long, short, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Check that a package is signed by a trusted key and unchanged since signing.
    /// Exit status 0 when trusted, 1 when not.
    Verify {
        /// The package.
        package: PathBuf,
        /// Trust this public key (repeatable); by default the keys in DATA_DIR/trusted-keys.
        #[arg(long = "trust", value_name = "FILE.pub")]
        trusted: Vec<PathBuf>,
    },
    /// Install a signed package in the hub (verified against the trusted keys).
    Install {
        /// The package.
        package: PathBuf,
    },
    /// List the adapters the hub can activate (bundled and installed).
    List {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Make an installed adapter serve an endpoint, after a self-test; with --canary, send only
    /// that share of calls to it. Every running hub node follows within a second.
    Activate {
        /// `name@version`.
        adapter: String,
        /// The endpoint.
        #[arg(long)]
        endpoint: String,
        /// Percentage of calls for a canary (1-99).
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=99))]
        canary: Option<u8>,
    },
    /// Return an endpoint to the adapter it had before (or end a canary).
    Rollback {
        /// The endpoint.
        #[arg(long)]
        endpoint: String,
    },
    /// Test a package offline the way the hub would run it: manifest and signature, contract,
    /// describe, every sample decoded and round-tripped field by field, garbage/empty/oversized
    /// input refused with a typed error, time and memory per call against the production
    /// budget, determinism, a connector's deliver/poll against a local mock of its legacy
    /// system, and with --previous, backward compatibility. Exit status 0 when every check
    /// passes, 1 when one fails, 2 when the harness cannot run. See docs/vendor-guide.md.
    Test {
        /// The package (.tap).
        package: PathBuf,
        /// Directory of legacy inputs, one file each, plus connector.toml for a connector;
        /// default: `samples/` beside the package.
        #[arg(long, value_name = "DIR")]
        samples: Option<PathBuf>,
        /// The previous release of the same adapter: check it decodes the samples identically.
        #[arg(long, value_name = "PACKAGE")]
        previous: Option<PathBuf>,
        /// Machine-readable output (for CI).
        #[arg(long)]
        json: bool,
        /// Trust this public key (repeatable); by default the keys in DATA_DIR/trusted-keys.
        #[arg(long = "trust", value_name = "FILE.pub")]
        trusted: Vec<PathBuf>,
        /// Accept an unsigned package (reported as a warning: production refuses it).
        #[arg(long)]
        allow_unsigned: bool,
    },
    /// Show a package: manifest, contract, world, exports, imports, requested capabilities,
    /// limits and signature.
    Inspect {
        /// The package.
        package: PathBuf,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

/// Runs an adapter verb that needs the hub (install, list, activate, rollback).
pub async fn run_hub(cmd: AdapterCommand, g: &super::context::Global) -> Result<ExitCode> {
    let remote = g.remote()?;
    let local = || async {
        let config = g.config()?;
        let store = crate::store::Store::open(&config.database_url()).await?;
        anyhow::Ok(crate::gateway::server::adapters_for(&config, store)?)
    };
    match cmd {
        AdapterCommand::Install { package } => {
            let bytes = std::fs::read(&package)
                .with_context(|| format!("reading {}", package.display()))?;
            let installed = match remote {
                Some(r) => serde_json::from_value(
                    r.call(
                        "POST",
                        "/adapters",
                        Some(bytes.into()),
                        "application/octet-stream",
                    )
                    .await?,
                )?,
                None => {
                    local()
                        .await?
                        .install(&AdapterPackage::from_bytes(&bytes)?)
                        .await?
                }
            };
            println!(
                "installed {} (sha256 {})",
                installed.adapter, installed.sha256
            );
        }
        AdapterCommand::List { json } => {
            let list: Vec<crate::exchange::adapters::Installed> = match remote {
                Some(r) => serde_json::from_value(
                    r.call("GET", "/adapters", None, "application/json").await?,
                )?,
                None => local().await?.installed().await?,
            };
            if json {
                super::context::print_json(&list)?;
            } else {
                for i in &list {
                    println!("{:<28} {:<9} {}", i.adapter, i.source, i.sha256);
                }
            }
        }
        AdapterCommand::Activate {
            adapter,
            endpoint,
            canary,
        } => {
            match remote {
                Some(r) => {
                    r.json(
                        "POST",
                        &format!("/endpoints/{endpoint}/adapter/activate"),
                        &serde_json::json!({ "adapter": adapter, "canary_percent": canary }),
                    )
                    .await?;
                }
                None => {
                    local().await?.activate(&endpoint, &adapter, canary).await?;
                }
            }
            match canary {
                Some(p) => println!(
                    "{adapter} passed its self-test and now gets {p}% of {endpoint}'s calls"
                ),
                None => println!("{adapter} passed its self-test and now serves {endpoint}"),
            }
        }
        AdapterCommand::Rollback { endpoint } => {
            let adapter = match remote {
                Some(r) => r
                    .json(
                        "POST",
                        &format!("/endpoints/{endpoint}/adapter/rollback"),
                        &serde_json::json!({}),
                    )
                    .await?["adapter"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                None => local().await?.rollback(&endpoint).await?,
            };
            println!("{endpoint} is served by {adapter} again");
        }
        AdapterCommand::Test {
            package,
            samples,
            previous,
            json,
            trusted,
            allow_unsigned,
        } => {
            let mut trust = if trusted.is_empty() {
                TrustStore::load_dir(&g.config()?.data_dir.join("trusted-keys"))?
            } else {
                trust_store(Path::new(""), &trusted)?
            };
            trust.allow_unsigned = allow_unsigned;
            let samples = samples.or_else(|| {
                let beside = package.parent()?.join("samples");
                beside.is_dir().then_some(beside)
            });
            let opts = crate::conformance::Options {
                package,
                samples,
                previous,
                trust,
            };
            let report = crate::conformance::run(&opts).await;
            if json {
                super::context::print_json(&report)?;
            } else {
                print!("{}", report.render());
            }
            return Ok(if report.passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            });
        }
        other => return run(other, &g.config()?.data_dir, &mut std::io::stdout().lock()),
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs an adapter verb that works on files, writing to `out`.
pub fn run(cmd: AdapterCommand, data_dir: &Path, out: &mut dyn Write) -> Result<ExitCode> {
    match cmd {
        AdapterCommand::Keygen { out: stem } => {
            if let Some(dir) = stem.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            let key = trust::generate_key();
            let (secret, public) = trust::write_key_pair(&key, &stem)?;
            writeln!(out, "key id {}", trust::KeyId::of(&key.verifying_key()))?;
            writeln!(out, "secret key: {} (keep it private)", secret.display())?;
            writeln!(
                out,
                "public key: {} (give it to hub operators)",
                public.display()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        AdapterCommand::Pack {
            manifest,
            component,
            key,
            out: path,
        } => {
            let m = std::fs::read(&manifest)
                .with_context(|| format!("reading {}", manifest.display()))?;
            let c = std::fs::read(&component)
                .with_context(|| format!("reading {}", component.display()))?;
            let mut pkg = AdapterPackage::new(m, c)?;
            if let Some(key) = key {
                trust::sign(&mut pkg, &trust::read_signing_key(&key)?);
            }
            pkg.save(&path)?;
            let signed = pkg.signature.as_ref().map_or("unsigned".to_owned(), |s| {
                format!("signed by key {}", s.key_id)
            });
            writeln!(
                out,
                "wrote {} ({}, {signed})",
                path.display(),
                pkg.manifest.id()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        AdapterCommand::Sign {
            package,
            key,
            out: dest,
        } => {
            let mut pkg = AdapterPackage::open(&package)?;
            trust::sign(&mut pkg, &trust::read_signing_key(&key)?);
            let dest = dest.unwrap_or(package);
            pkg.save(&dest)?;
            let id = pkg
                .signature
                .as_ref()
                .map(|s| s.key_id.to_string())
                .unwrap_or_default();
            writeln!(
                out,
                "signed {} with key {id}: {}",
                pkg.manifest.id(),
                dest.display()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        AdapterCommand::Verify { package, trusted } => {
            let pkg = AdapterPackage::open(&package)?;
            let store = trust_store(data_dir, &trusted)?;
            match store.verify(&pkg) {
                Ok(Trusted::SignedBy { key_id, label }) => {
                    writeln!(
                        out,
                        "{}: trusted, signed by key {key_id} ({label})",
                        pkg.manifest.id()
                    )?;
                    Ok(ExitCode::SUCCESS)
                }
                Ok(other) => bail!("unexpected verdict {other:?}"),
                Err(e) => {
                    writeln!(out, "{}: NOT trusted: {e}", package.display())?;
                    Ok(ExitCode::from(1))
                }
            }
        }
        AdapterCommand::Inspect { package, json } => inspect(&package, json, out),
        AdapterCommand::Install { .. }
        | AdapterCommand::List { .. }
        | AdapterCommand::Activate { .. }
        | AdapterCommand::Rollback { .. }
        | AdapterCommand::Test { .. } => {
            bail!("this verb needs the hub; it is run by `run_hub`")
        }
    }
}

fn trust_store(data_dir: &Path, explicit: &[PathBuf]) -> Result<TrustStore> {
    if explicit.is_empty() {
        let dir = data_dir.join("trusted-keys");
        let store = TrustStore::load_dir(&dir)?;
        if store.keys().next().is_none() {
            bail!(
                "no trusted keys: put vendors' .pub files in {} or pass --trust FILE.pub",
                dir.display()
            );
        }
        return Ok(store);
    }
    let mut store = TrustStore::default();
    for path in explicit {
        let label = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        store.add(label, trust::read_public_key(path)?);
    }
    Ok(store)
}

/// What `inspect` reports.
#[derive(serde::Serialize)]
struct Inspection {
    adapter: String,
    vendor: String,
    description: String,
    contract: String,
    world: String,
    component_sha256: String,
    component_bytes: usize,
    requested_outbound: Vec<String>,
    limits: crate::runtime::manifest::Limits,
    signed_by_key: Option<String>,
    exports: Vec<String>,
    imports: Vec<String>,
}

fn inspect(path: &Path, json: bool, out: &mut dyn Write) -> Result<ExitCode> {
    let pkg = AdapterPackage::open(path)?;
    let engine = wasmtime::Engine::default();
    let component = wasmtime::component::Component::new(&engine, &pkg.component()[..])
        .map_err(|e| anyhow::anyhow!("adapter.wasm does not compile: {e}"))?;
    let ty = component.component_type();
    let m = &pkg.manifest;
    let report = Inspection {
        adapter: m.id(),
        vendor: m.adapter.vendor.clone(),
        description: m.adapter.description.clone(),
        contract: m.adapter.contract.to_string(),
        world: m.adapter.world.to_string(),
        component_sha256: hex::encode(pkg.component_sha256()),
        component_bytes: pkg.component().len(),
        requested_outbound: m
            .capabilities
            .outbound
            .iter()
            .map(ToString::to_string)
            .collect(),
        limits: m.limits,
        signed_by_key: pkg.signature.as_ref().map(|s| s.key_id.to_string()),
        exports: ty.exports(&engine).map(|(n, _)| n.to_owned()).collect(),
        imports: ty.imports(&engine).map(|(n, _)| n.to_owned()).collect(),
    };
    if json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "adapter      {}", report.adapter)?;
    writeln!(out, "vendor       {}", report.vendor)?;
    if !report.description.is_empty() {
        writeln!(out, "description  {}", report.description)?;
    }
    writeln!(
        out,
        "contract     {} (world: {})",
        report.contract, report.world
    )?;
    writeln!(
        out,
        "component    {} bytes, sha256 {}",
        report.component_bytes, report.component_sha256
    )?;
    writeln!(
        out,
        "limits       memory {}, timeout {}, output {}",
        report.limits.memory, report.limits.timeout, report.limits.output
    )?;
    let outbound = if report.requested_outbound.is_empty() {
        "none".to_owned()
    } else {
        report.requested_outbound.join(", ")
    };
    writeln!(out, "requests     outbound HTTP to: {outbound}")?;
    writeln!(
        out,
        "signature    {}",
        report
            .signed_by_key
            .as_deref()
            .map_or("none (unsigned)".to_owned(), |k| format!(
                "ed25519, key {k}"
            ))
    )?;
    writeln!(out, "exports")?;
    for e in &report.exports {
        writeln!(out, "  {e}")?;
    }
    writeln!(out, "imports")?;
    for i in &report.imports {
        writeln!(out, "  {i}")?;
    }
    Ok(ExitCode::SUCCESS)
}
