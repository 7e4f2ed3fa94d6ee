//! `truc edxml …`: check, canonicalize, sign and verify edXML packages from the command line.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use serde::Serialize;

use crate::edxml::{
    self, Attachment, AttachmentMeta, AttachmentSink, AttachmentSource, AttachmentWriter,
    Certificate, Limits, NullSink, Problem, Severity, SigningKey, ValidationContext,
};

/// The `edxml` verbs.
#[derive(clap::Subcommand, Debug)]
pub enum EdxmlCommand {
    /// Read and validate packages; exit 1 if any cannot be read or has an error.
    ///
    /// Each problem is printed as `FILE: PATH: severity[rule]: message`. Warnings are printed
    /// but do not fail the check.
    Check {
        /// Packages to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print one JSON document instead of lines.
        #[arg(long)]
        json: bool,
        /// Check dates against this day (yyyy-mm-dd) instead of today in Vietnam.
        #[arg(long, value_name = "DATE")]
        today: Option<NaiveDate>,
    },
    /// Print the canonical form of a package.
    Canon {
        /// The package.
        file: PathBuf,
        /// Write here instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Add an enveloped XMLDSig signature (exclusive C14N, RSA-SHA256) to a package.
    Sign {
        /// The package.
        file: PathBuf,
        /// The RSA private key, PEM (PKCS#8 or PKCS#1).
        #[arg(long)]
        key: PathBuf,
        /// The signer's X.509 certificate, PEM.
        #[arg(long)]
        cert: PathBuf,
        /// Write here instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Verify a package's XMLDSig signature; exit 1 if it does not verify.
    Verify {
        /// The package.
        file: PathBuf,
        /// Require the signer to be this certificate (PEM); without it only integrity is checked.
        #[arg(long)]
        cert: Option<PathBuf>,
    },
}

/// Runs one verb, printing to standard output.
pub fn run(cmd: EdxmlCommand) -> anyhow::Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    run_with(cmd, &mut out)
}

/// Runs one verb, printing to `out` (tests capture it).
pub fn run_with(cmd: EdxmlCommand, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    match cmd {
        EdxmlCommand::Check { files, json, today } => {
            let ctx = today
                .map(ValidationContext::on)
                .unwrap_or_else(ValidationContext::now);
            check(&files, json, &ctx, out)
        }
        EdxmlCommand::Canon { file, output } => canon(&file, output.as_deref(), out),
        EdxmlCommand::Sign {
            file,
            key,
            cert,
            output,
        } => sign(&file, &key, &cert, output.as_deref(), out),
        EdxmlCommand::Verify { file, cert } => verify(&file, cert.as_deref(), out),
    }
}

#[derive(Serialize)]
struct FileReport {
    file: String,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    read_error: Option<ReadErrorReport>,
    problems: Vec<Problem>,
}

#[derive(Serialize)]
struct ReadErrorReport {
    offset: u64,
    path: String,
    message: String,
}

fn check(
    files: &[PathBuf],
    json: bool,
    ctx: &ValidationContext,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let mut reports = Vec::new();
    for file in files {
        let name = file.display().to_string();
        let input = open(file)?;
        let report = match edxml::read(input, &mut NullSink, &Limits::default()) {
            Ok(pkg) => {
                let problems = edxml::validate(&pkg, ctx);
                let ok = !problems.iter().any(|p| p.severity == Severity::Error);
                FileReport {
                    file: name,
                    ok,
                    read_error: None,
                    problems,
                }
            }
            Err(e) => {
                let message = e.kind.to_string();
                let read_error = Some(ReadErrorReport {
                    offset: e.offset,
                    path: e.path,
                    message,
                });
                FileReport {
                    file: name,
                    ok: false,
                    read_error,
                    problems: Vec::new(),
                }
            }
        };
        if !json {
            print_report(&report, out)?;
        }
        reports.push(report);
    }
    if json {
        serde_json::to_writer_pretty(&mut *out, &reports)?;
        writeln!(out)?;
    }
    let all_ok = reports.iter().all(|r| r.ok);
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_report(r: &FileReport, out: &mut dyn Write) -> io::Result<()> {
    if let Some(e) = &r.read_error {
        let path = if e.path.is_empty() {
            "(document)"
        } else {
            e.path.as_str()
        };
        writeln!(
            out,
            "{}: {path}: error: {} (at byte {})",
            r.file, e.message, e.offset
        )?;
    }
    for p in &r.problems {
        writeln!(out, "{}: {p}", r.file)?;
    }
    Ok(())
}

fn canon(file: &Path, output: Option<&Path>, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let mut store = TempStore::new()?;
    let pkg = edxml::read(open(file)?, &mut store, &Limits::default())
        .with_context(|| format!("cannot read {}", file.display()))?;
    match output {
        Some(path) => {
            let f =
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            edxml::write(&pkg, &store, BufWriter::new(f))?;
        }
        None => edxml::write(&pkg, &store, &mut *out)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn sign(
    file: &Path,
    key: &Path,
    cert: &Path,
    output: Option<&Path>,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let key =
        SigningKey::from_pem(&read_file(key)?).with_context(|| format!("key {}", key.display()))?;
    let cert = Certificate::from_pem(&read_file(cert)?)
        .with_context(|| format!("certificate {}", cert.display()))?;
    let input = open(file)?;
    match output {
        Some(path) => {
            let f =
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            edxml::sign(input, BufWriter::new(f), &key, &cert, &Limits::default())?;
        }
        None => edxml::sign(input, &mut *out, &key, &cert, &Limits::default())?,
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(file: &Path, cert: Option<&Path>, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let trusted = match cert {
        Some(c) => Some(
            Certificate::from_pem(&read_file(c)?)
                .with_context(|| format!("certificate {}", c.display()))?,
        ),
        None => None,
    };
    let name = file.display();
    match edxml::verify(open(file)?, trusted.as_ref(), &Limits::default()) {
        Ok(v) => {
            let trust = if v.pinned {
                "the trusted certificate"
            } else {
                "a certificate carried by the package (not checked against a trusted one; pass --cert)"
            };
            writeln!(
                out,
                "{name}: signature valid, signed by {} with {trust}",
                v.subject
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            writeln!(out, "{name}: signature not verified: {e}")?;
            Ok(ExitCode::FAILURE)
        }
    }
}

fn open(path: &Path) -> anyhow::Result<BufReader<File>> {
    let f = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(BufReader::with_capacity(64 * 1024, f))
}

fn read_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Attachments of one package in a temporary directory, removed on drop, so `canon` handles
/// packages of any size.
struct TempStore {
    dir: PathBuf,
}

impl TempStore {
    fn new() -> io::Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("truc-edxml-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(TempStore { dir })
    }

    fn path(&self, content_id: &str) -> PathBuf {
        // Content ids come from the package: hex-encode them so they never form a path.
        self.dir.join(hex::encode(content_id.as_bytes()))
    }
}

impl Drop for TempStore {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

struct TempWriter(BufWriter<File>);

impl Write for TempWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl AttachmentWriter for TempWriter {
    fn finish(mut self: Box<Self>, _: &edxml::Sha256, _: u64) -> io::Result<()> {
        self.0.flush()
    }
}

impl AttachmentSink for TempStore {
    fn begin(&mut self, meta: &AttachmentMeta) -> io::Result<Box<dyn AttachmentWriter + '_>> {
        let f = File::create(self.path(&meta.content_id))?;
        Ok(Box::new(TempWriter(BufWriter::new(f))))
    }
}

impl AttachmentSource for TempStore {
    fn open(&self, att: &Attachment) -> io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(BufReader::new(File::open(
            self.path(&att.content_id),
        )?)))
    }
}
