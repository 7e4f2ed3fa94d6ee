//! The programme's rules on top of the exchange (issue 7): the paperless [`catalogue`], the
//! signed-not-scanned check ([`pdf_signature`], [`rules`]) and the statistics of [`report`].
//!
//! At ingest, [`scan_pdfs`] looks into each PDF attachment before the accepting transaction;
//! inside it, [`decide`] classifies the document, applies the paper rule and the signature
//! rule, and [`record`] keeps the figures the reports count.

pub mod catalogue;
pub mod pdf_signature;
pub mod report;
pub mod rules;

use std::io::{Read, Seek, SeekFrom};

use serde::Serialize;
use sqlx::AnyConnection;

use crate::edxml::{BusinessAction, Document};
use crate::store::StoreError;
use crate::store::script::Script;
use catalogue::DocType;
use pdf_signature::PdfScan;
use rules::Mode;

/// Why a policy operation failed.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The operator's request is not valid.
    #[error("{0}")]
    Invalid(String),
    /// A package breaks a rule.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for PolicyError {
    fn from(e: sqlx::Error) -> Self {
        PolicyError::Store(StoreError::Sql(e))
    }
}

/// A package refused by a policy rule; nothing of it is stored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Its type still requires paper and it does not say a paper copy follows.
    #[error(
        "document type {name} ({code}) still requires a paper copy: set TraceHeaderList/Bussiness/Paper to 1 and send the paper copy, or ask the operator to list the type as paperless (`truc catalogue set {code} --paperless true`)"
    )]
    PaperRequired {
        /// The catalogue code.
        code: String,
        /// The type's name.
        name: String,
    },
    /// A PDF attachment carries no digital signature and the rule refuses that.
    #[error(
        "signed, not scanned: {} carries no valid embedded digital signature ({}); sign the PDF (PAdES, /SubFilter ETSI.CAdES.detached or adbe.pkcs7.detached) before sending; the operator's rule for {rule} refuses unsigned PDFs",
        .attachments.join(", "), .reasons.join("; ")
    )]
    Unsigned {
        /// The unsigned attachments' names.
        attachments: Vec<String>,
        /// What the scan found in each.
        reasons: Vec<String>,
        /// Which rule refused it (`agency 000.00.00.G22`, `type QĐ`, `default`).
        rule: String,
    },
}

impl Refusal {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::PaperRequired { .. } => "paper-required",
            Refusal::Unsigned { .. } => "unsigned-attachment",
        }
    }
}

/// One PDF attachment to scan.
#[derive(Debug)]
pub struct PdfInput {
    /// Its position in the package.
    pub position: usize,
    /// Its name.
    pub name: String,
    /// Its SHA-256 (hex).
    pub sha256: String,
    /// Its bytes.
    pub file: crate::exchange::spool::SpoolReader,
}

/// What the scan of one attachment found.
#[derive(Clone, Debug, Serialize)]
pub struct AttachmentScan {
    /// Its position in the package.
    pub position: usize,
    /// Its name.
    pub name: String,
    /// Its SHA-256 (hex).
    pub sha256: String,
    /// The signatures found.
    pub scan: PdfScan,
}

/// Whether an attachment should be scanned (a PDF by type, name or magic bytes); reads the
/// first bytes of `file`.
pub fn is_pdf<F: Read + Seek>(content_type: &str, name: &str, file: &mut F) -> bool {
    let mut head = [0u8; 5];
    let n = file.read(&mut head).unwrap_or(0);
    let _ = file.seek(SeekFrom::Start(0));
    pdf_signature::looks_like_pdf(content_type, name, &head[..n])
}

/// Scans each PDF (blocking I/O: call it off the async runtime).
pub fn scan_pdfs(inputs: Vec<PdfInput>) -> std::io::Result<Vec<AttachmentScan>> {
    inputs
        .into_iter()
        .map(|mut i| {
            Ok(AttachmentScan {
                scan: pdf_signature::scan(&mut i.file)?,
                position: i.position,
                name: i.name,
                sha256: i.sha256,
            })
        })
        .collect()
}

/// What the rules made of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Its catalogue type.
    pub doc_type: Option<DocType>,
    /// It says a paper copy follows.
    pub paper: bool,
    /// PDF attachments.
    pub pdfs: usize,
    /// Of which signed.
    pub signed_pdfs: usize,
    /// The flag a `flag` rule raised, for the receipt and the reports.
    pub flag: Option<String>,
}

/// Applies the paper rule and the signature rule to a document from `sender`, given the
/// catalogue `types` and the signature `rules`; a refusal is `Err(PolicyError::Refused)`.
/// Revocations carry no new content and are only classified.
pub fn decide(
    types: &[DocType],
    rules: &[rules::Rule],
    sender: &str,
    doc: &Document,
    scans: &[AttachmentScan],
) -> Result<Decision, PolicyError> {
    let doc_type = catalogue::classify_in(types, doc);
    let paper = doc.business.as_ref().is_some_and(|b| b.paper.trim() == "1");
    let revocation = doc
        .business
        .as_ref()
        .is_some_and(|b| b.action == Some(BusinessAction::Revoke));
    let unsigned: Vec<&AttachmentScan> = scans.iter().filter(|s| !s.scan.is_signed()).collect();
    let mut decision = Decision {
        doc_type: doc_type.clone(),
        paper,
        pdfs: scans.len(),
        signed_pdfs: scans.len() - unsigned.len(),
        flag: None,
    };
    if revocation {
        return Ok(decision);
    }
    if let Some(t) = &doc_type
        && !t.paperless
        && !paper
    {
        return Err(Refusal::PaperRequired {
            code: t.code.clone(),
            name: t.name.clone(),
        }
        .into());
    }
    if unsigned.is_empty() {
        return Ok(decision);
    }
    let type_code = doc_type.as_ref().map(|t| t.code.as_str());
    let (mode, rule) = rules::mode_in(rules, sender, type_code);
    let names: Vec<String> = unsigned.iter().map(|s| s.name.clone()).collect();
    let reasons: Vec<String> = unsigned.iter().map(|s| why_unsigned(s)).collect();
    match mode {
        Mode::Count => {}
        Mode::Flag => {
            decision.flag = Some(format!(
                "not digitally signed: {} ({})",
                names.join(", "),
                reasons.join("; ")
            ))
        }
        Mode::Refuse => {
            return Err(Refusal::Unsigned {
                attachments: names,
                reasons,
                rule,
            }
            .into());
        }
    }
    Ok(decision)
}

fn why_unsigned(s: &AttachmentScan) -> String {
    if s.scan.signatures.iter().any(|x| x.intact == Some(false)) {
        format!("{}: altered after signing", s.name)
    } else if let Some(why) = s.scan.skipped.first() {
        format!("{}: {why}", s.name)
    } else {
        format!("{}: no signature dictionary", s.name)
    }
}

/// Keeps the figures of an accepted document (inside its transaction) and what the scan found
/// in each PDF (once per digest).
pub async fn record(
    conn: &mut AnyConnection,
    package_id: i64,
    sender: &str,
    decision: &Decision,
    scans: &[AttachmentScan],
) -> Result<(), PolicyError> {
    let mut script = Script::new();
    record_into(&mut script, package_id, sender, decision, scans);
    script.execute(conn).await?;
    Ok(())
}

/// Adds the statements of [`record`] to `script`.
pub fn record_into(
    script: &mut Script,
    package_id: i64,
    sender: &str,
    decision: &Decision,
    scans: &[AttachmentScan],
) {
    let signed = decision.pdfs > 0 && decision.signed_pdfs == decision.pdfs;
    script.push(
        "INSERT INTO document_facts (package_id, sender, doc_type, paper, pdfs, signed_pdfs, signed, flag, sent_at) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, received_at FROM packages WHERE id = $1",
        vec![
            package_id.into(),
            sender.into(),
            decision.doc_type.as_ref().map(|t| t.code.as_str()).into(),
            i64::from(decision.paper).into(),
            (decision.pdfs as i64).into(),
            (decision.signed_pdfs as i64).into(),
            i64::from(signed).into(),
            decision.flag.as_deref().into(),
        ],
    );
    for s in scans {
        let first = s.scan.signatures.first();
        script.push(
            "INSERT INTO pdf_signatures (sha256, signatures, sub_filter, signer, signing_time, checked_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING",
            vec![
                s.sha256.as_str().into(),
                (s.scan.signatures.len() as i64).into(),
                first.map(|f| f.sub_filter.as_str()).into(),
                first.and_then(|f| f.signer.as_deref()).into(),
                first.and_then(|f| f.signing_time.as_deref()).into(),
                crate::store::now_ms().into(),
            ],
        );
    }
}
