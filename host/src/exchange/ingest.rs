//! Ingest: read → validate → authorize → dedupe → one transaction (package, attachments, one
//! delivery per receiver, audit) → only then a receipt. A package that fails any step leaves
//! nothing behind.

use std::collections::HashMap;
use std::io::{BufReader, Read};

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::commit::{self, Batch};
use super::error::IngestError;
use super::lookups;
use super::route::Route;
use super::spool::{SpoolReader, SpoolSink, Spooled};
use super::{Caller, DeliveryRef, Exchange, Receipt, doc_key, new_delivery_id, new_transport_id};
use crate::edxml::{self, EdDateTime, Package, Problem, Severity, TraceHeader, ValidationContext};
use crate::policy::{self, AttachmentScan, PdfInput};
use crate::runtime::CanonicalMessage;
use crate::store::script::{self, Script, Value};
use crate::store::{StoreError, attachments, now_ms};

/// What identifies a package, derived once from its model.
#[derive(Clone, Debug)]
pub(crate) struct Facts {
    pub kind: &'static str,
    pub sender: String,
    /// For a document its own id; for a status the id of the document it answers.
    pub document_id: String,
    /// For a status, the sender of the answered document.
    pub origin_sender: String,
    pub dedupe_key: String,
    pub doc_key: String,
    pub subject: String,
    pub status_code: Option<String>,
    pub action: Option<String>,
    pub target_id: Option<String>,
}

impl Facts {
    /// The identity of a validated package (validation guarantees the fields used here).
    pub fn of(pkg: &Package) -> Result<Facts, IngestError> {
        let missing =
            |what: &str| IngestError::Internal(format!("validated package has no {what}"));
        match pkg {
            Package::Document(d) => {
                let sender = d
                    .from
                    .organ_id
                    .as_ref()
                    .ok_or_else(|| missing("sender"))?
                    .to_string();
                let document_id = d
                    .document_id
                    .as_ref()
                    .ok_or_else(|| missing("DocumentId"))?
                    .to_string();
                let b = d.business.as_ref();
                Ok(Facts {
                    kind: "document",
                    dedupe_key: format!("doc\u{1f}{sender}\u{1f}{document_id}"),
                    doc_key: doc_key(&sender, &document_id),
                    origin_sender: sender.clone(),
                    subject: d.subject.clone(),
                    status_code: None,
                    action: b
                        .and_then(|b| b.action.as_ref())
                        .map(|a| a.code().to_owned()),
                    target_id: b
                        .and_then(|b| b.document_id.as_ref())
                        .map(|t| t.to_string()),
                    sender,
                    document_id,
                })
            }
            Package::Status(s) => {
                let sender = s
                    .from
                    .organ_id
                    .as_ref()
                    .ok_or_else(|| missing("sender"))?
                    .to_string();
                let rf = s
                    .response_for
                    .as_ref()
                    .ok_or_else(|| missing("ResponseFor"))?;
                let document_id = rf
                    .document_id
                    .as_ref()
                    .ok_or_else(|| missing("ResponseFor/DocumentId"))?
                    .to_string();
                // The answered document's sender: ResponseFor/OrganId, else the DocumentId's first part.
                let origin_sender = rf
                    .organ_id
                    .as_ref()
                    .map(|o| o.to_string())
                    .or_else(|| {
                        rf.document_id
                            .as_ref()
                            .and_then(|d| d.parts())
                            .map(|p| p.organ.to_owned())
                    })
                    .ok_or_else(|| missing("ResponseFor/OrganId"))?;
                let code = s
                    .status_code
                    .as_ref()
                    .ok_or_else(|| missing("StatusCode"))?
                    .to_string();
                let stamp = s
                    .timestamp
                    .as_ref()
                    .map(|t| t.to_string())
                    .unwrap_or_default();
                Ok(Facts {
                    kind: "status",
                    dedupe_key: format!(
                        "st\u{1f}{sender}\u{1f}{origin_sender}\u{1f}{document_id}\u{1f}{code}\u{1f}{stamp}"
                    ),
                    doc_key: doc_key(&origin_sender, &document_id),
                    subject: s.description.chars().take(200).collect(),
                    status_code: Some(code),
                    action: None,
                    target_id: None,
                    origin_sender,
                    sender,
                    document_id,
                })
            }
        }
    }
}

/// Packages up to this size are read, and their PDFs scanned, on the calling task.
const INLINE_READ: usize = 256 << 10;

impl Exchange {
    /// Accepts an edXML package (bytes in any dialect the reader accepts) from `caller`.
    /// `transport_id` is the sender's idempotency key, if it gave one.
    pub async fn submit(
        &self,
        caller: &Caller,
        input: impl Read + Send + 'static,
        transport_id: Option<String>,
    ) -> Result<Receipt, IngestError> {
        let limits = self.settings.limits.clone();
        let (package, sink) = tokio::task::spawn_blocking(move || {
            let mut sink = SpoolSink::default();
            let package = edxml::read(BufReader::new(input), &mut sink, &limits)?;
            Ok::<_, IngestError>((package, sink))
        })
        .await
        .map_err(|e| IngestError::Internal(format!("reading was interrupted: {e}")))??;
        self.accept(Some(caller), package, sink.files, transport_id)
            .await
    }

    /// Accepts an edXML package held in memory, like [`Exchange::submit`]. A small package
    /// (most are) is read on the calling task: handing it to a blocking thread would cost
    /// more than reading it.
    pub async fn submit_bytes(
        &self,
        caller: &Caller,
        bytes: Vec<u8>,
        transport_id: Option<String>,
    ) -> Result<Receipt, IngestError> {
        if bytes.len() > INLINE_READ {
            return self
                .submit(caller, std::io::Cursor::new(bytes), transport_id)
                .await;
        }
        let mut sink = SpoolSink::default();
        let package = edxml::read(bytes.as_slice(), &mut sink, &self.settings.limits)?;
        self.accept(Some(caller), package, sink.files, transport_id)
            .await
    }

    /// Accepts a canonical message an adapter decoded for `caller`.
    pub async fn submit_message(
        &self,
        caller: &Caller,
        message: CanonicalMessage,
        transport_id: Option<String>,
    ) -> Result<Receipt, IngestError> {
        let files = tokio::task::spawn_blocking(move || {
            let mut sink = SpoolSink::default();
            for (att, body) in message.attachments() {
                sink.add_blob(&att.content_id, body)?;
            }
            Ok::<_, std::io::Error>((message.package, sink.files))
        })
        .await
        .map_err(|e| IngestError::Internal(format!("spooling was interrupted: {e}")))?
        .map_err(|e| IngestError::Internal(format!("cannot spool attachments: {e}")))?;
        self.accept(Some(caller), files.0, files.1, transport_id)
            .await
    }

    /// Validates, authorizes, deduplicates and stores a package, then routes it.
    pub(crate) async fn accept(
        &self,
        caller: Option<&Caller>,
        package: Package,
        files: HashMap<String, Spooled>,
        transport_id: Option<String>,
    ) -> Result<Receipt, IngestError> {
        let problems = edxml::validate(&package, &ValidationContext::now());
        if problems.iter().any(|p| p.severity == Severity::Error) {
            return Err(IngestError::Invalid(problems));
        }
        let warnings: Vec<Problem> = problems;
        let facts = Facts::of(&package)?;
        // Authorization first (so that a caller learns nothing of packages it may not send),
        // and later the programme's rules, before the package queues for the store's writer:
        // they only read the directory, the catalogue and the rules, so they run concurrently
        // with other ingests, against the settings as they are now (decision 0013).
        // One read of the lookups generation, then the directory, catalogue and rules from
        // memory where they are as of it (decision 0018).
        let mut conn = self
            .store
            .pool()
            .acquire()
            .await
            .map_err(StoreError::from)?;
        let generation = lookups::generation(&mut conn).await?;
        if let Some(caller) = caller {
            let host = self
                .lookups
                .host_of(&mut conn, generation, &facts.sender)
                .await?;
            // The upstream axis speaks for every agency hosted nowhere here (decision 0028),
            // never for one of ours.
            let upstream_speaks =
                host.is_none() && self.is_upstream(&mut conn, Some(caller)).await?;
            if host != Some(caller.endpoint_id) && !upstream_speaks {
                return Err(IngestError::Forbidden {
                    endpoint: caller.name.clone(),
                    sender: facts.sender.clone(),
                });
            }
        }
        // The duplicate check is the store's: the package's row is unique by its identity and
        // by its transport id, so a package sent again is refused by the writer, and any
        // refusal from here on is answered as a duplicate if the package is already stored
        // (decision 0018). A first submission, the common case, pays no read for it.
        let given_transport = transport_id.clone();
        let transport_id = transport_id.unwrap_or_else(new_transport_id);
        let outcome = self
            .store_new(
                caller,
                package,
                files,
                &facts,
                conn,
                generation,
                &transport_id,
            )
            .await;
        let mut receipt = match outcome {
            Ok(r) => r,
            Err(e) => {
                return match self
                    .existing(
                        &facts.dedupe_key,
                        given_transport.as_deref(),
                        caller.map(|c| c.endpoint_id),
                    )
                    .await
                {
                    Ok(Some(stored)) => Ok(stored),
                    Err(taken @ IngestError::TransportIdTaken(_)) => Err(taken),
                    _ => Err(e),
                };
            }
        };
        // Validation warnings first, then the policy's.
        let policy_warnings = std::mem::replace(&mut receipt.warnings, warnings);
        receipt.warnings.extend(policy_warnings);
        Ok(receipt)
    }

    /// Applies the programme's rules to a package not known to be stored yet, then stores it
    /// in the node's next group transaction (decision 0012); returns once that transaction is
    /// committed.
    #[allow(clippy::too_many_arguments)]
    async fn store_new(
        &self,
        caller: Option<&Caller>,
        mut package: Package,
        files: HashMap<String, Spooled>,
        facts: &Facts,
        mut conn: sqlx::pool::PoolConnection<sqlx::Any>,
        generation: i64,
        transport_id: &str,
    ) -> Result<Receipt, IngestError> {
        self.stamp_trace(&mut package);
        let scans = scan_pdfs(&package, &files).await?;
        // The programme's rules (paper, signed-not-scanned).
        let decision = match &package {
            Package::Document(d) => {
                let (types, rules) = self.lookups.policy(&mut conn, generation).await?;
                Some(policy::decide(&types, &rules, &facts.sender, d, &scans)?)
            }
            Package::Status(_) => None,
        };
        // Not held while the package waits for the writer.
        drop(conn);

        // The package's writes run in the node's next group transaction (decision 0012); the
        // receipt comes back only once that transaction is committed.
        let ex = self.clone();
        let caller_owned = caller.cloned();
        let job_facts = facts.clone();
        let job_transport = transport_id.to_owned();
        let job: commit::Job = Box::new(move |tx, batch| {
            Box::pin(async move {
                let caller = caller_owned.as_ref();
                match (&package, &decision) {
                    (Package::Document(_), Some(decision)) => {
                        ex.accept_document(
                            tx,
                            batch,
                            caller,
                            &package,
                            &files,
                            &scans,
                            decision,
                            &job_facts,
                            &job_transport,
                        )
                        .await
                    }
                    (Package::Document(_), None) => Err(IngestError::Internal(
                        "a document reached the store without a policy decision".into(),
                    )),
                    (Package::Status(_), _) => {
                        ex.accept_status(tx, batch, caller, &package, &job_facts, &job_transport)
                            .await
                    }
                }
            })
        });
        self.committer.run(&self.store, job).await
    }

    /// Appends the hub's own hop to the package's trace (§4.4), if the hub has an agency code.
    fn stamp_trace(&self, package: &mut Package) {
        let Some(hub) = self
            .settings
            .hub_organ_id
            .as_ref()
            .and_then(|h| h.parse().ok())
        else {
            return;
        };
        let now = chrono::Utc::now() + chrono::Duration::hours(7);
        let hop = TraceHeader {
            organ_id: Some(hub),
            timestamp: Some(EdDateTime::Valid(now.naive_utc())),
        };
        match package {
            Package::Document(d) => d.traces.push(hop),
            Package::Status(s) => s.traces.push(hop),
        }
    }

    /// The receipt of an already accepted package with this identity, or with this transport
    /// id from the same endpoint (`endpoint_id`, the caller's). A transport id that another
    /// endpoint's package holds is an error, never that package's receipt: one system must
    /// not learn of another's packages, nor take their receipt for its own unstored package.
    pub(crate) async fn existing(
        &self,
        dedupe_key: &str,
        transport_id: Option<&str>,
        endpoint_id: Option<i64>,
    ) -> Result<Option<Receipt>, IngestError> {
        let mut conn = self
            .store
            .pool()
            .acquire()
            .await
            .map_err(StoreError::from)?;
        let rows = sqlx::query(
            "SELECT id, transport_id, kind, sender, document_id, dedupe_key, endpoint_id FROM packages WHERE dedupe_key = $1 OR transport_id = $2",
        )
        .bind(dedupe_key)
        .bind(transport_id)
        .fetch_all(&mut *conn)
        .await?;
        let mut same_identity = None;
        let mut same_transport = None;
        for row in rows {
            if row.try_get::<String, _>("dedupe_key")? == dedupe_key {
                same_identity = Some(row);
            } else {
                same_transport = Some(row);
            }
        }
        let row = match (same_identity, same_transport) {
            (Some(row), _) => row,
            (None, Some(row)) => {
                if row.try_get::<Option<i64>, _>("endpoint_id")? != endpoint_id {
                    return Err(IngestError::TransportIdTaken(
                        transport_id.unwrap_or_default().to_owned(),
                    ));
                }
                row
            }
            (None, None) => return Ok(None),
        };
        let package_id: i64 = row.try_get("id")?;
        let deliveries = sqlx::query(
            "SELECT d.id, d.receiver, e.name FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id WHERE d.package_id = $1 ORDER BY d.id",
        )
        .bind(package_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(DeliveryRef {
                id: r.try_get("id")?,
                receiver: r.try_get("receiver")?,
                endpoint: r.try_get("name")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(Some(Receipt {
            package_id,
            transport_id: row.try_get("transport_id")?,
            kind: row.try_get("kind")?,
            sender: row.try_get("sender")?,
            document_id: row.try_get("document_id")?,
            duplicate: true,
            deliveries,
            unknown_receivers: Vec::new(),
            ignored: None,
            warnings: Vec::new(),
        }))
    }
}

/// Scans the PDF attachments of a document for embedded signatures (policy, issue 7), off
/// the async runtime, before the accepting transaction.
async fn scan_pdfs(
    package: &Package,
    files: &HashMap<String, Spooled>,
) -> Result<Vec<AttachmentScan>, IngestError> {
    let Package::Document(d) = package else {
        return Ok(Vec::new());
    };
    let mut inputs = Vec::new();
    for (position, att) in d.attachments.iter().enumerate() {
        let Some(spooled) = files.get(&att.content_id) else {
            continue;
        };
        let mut file = spooled.reopen().map_err(|e| {
            IngestError::Internal(format!("spooled attachment {}: {e}", att.content_id))
        })?;
        if policy::is_pdf(&att.content_type, &att.name, &mut file) {
            inputs.push(PdfInput {
                position,
                name: att.name.clone(),
                sha256: att.sha256.to_string(),
                file,
            });
        }
    }
    if inputs.is_empty() {
        return Ok(Vec::new());
    }
    // Small PDFs held in memory are scanned here: a blocking thread would cost more.
    if inputs
        .iter()
        .all(|i| matches!(i.file, SpoolReader::Memory(_)))
        && d.attachments.iter().map(|a| a.size).sum::<u64>() <= INLINE_READ as u64
    {
        return policy::scan_pdfs(inputs)
            .map_err(|e| IngestError::Internal(format!("cannot read a PDF attachment: {e}")));
    }
    tokio::task::spawn_blocking(move || policy::scan_pdfs(inputs))
        .await
        .map_err(|e| IngestError::Internal(format!("the PDF scan was interrupted: {e}")))?
        .map_err(|e| IngestError::Internal(format!("cannot read a PDF attachment: {e}")))
}

/// Stores the package row; returns its id. When the transaction owns the package sequence
/// (`batch`), the row joins `script`, to reach the store with the rest of the package's rows;
/// otherwise it is inserted at once, for the id the store gives it.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_package(
    conn: &mut AnyConnection,
    batch: &mut Batch,
    script: &mut Script,
    facts: &Facts,
    package: &Package,
    transport_id: &str,
    endpoint_id: Option<i64>,
    origin_package_id: Option<i64>,
) -> Result<i64, IngestError> {
    let model = serde_json::to_string(package)
        .map_err(|e| IngestError::Internal(format!("cannot encode the package: {e}")))?;
    let values: Vec<Value> = vec![
        facts.kind.into(),
        (&facts.sender).into(),
        (&facts.document_id).into(),
        (&facts.doc_key).into(),
        (&facts.dedupe_key).into(),
        transport_id.into(),
        facts.action.as_deref().into(),
        facts.target_id.as_deref().into(),
        facts.status_code.as_deref().into(),
        origin_package_id.into(),
        endpoint_id.into(),
        (&facts.subject).into(),
        model.into(),
        now_ms().into(),
    ];
    const COLUMNS: &str = "kind, sender, document_id, doc_key, dedupe_key, transport_id, action, target_id, \
         status_code, origin_package_id, endpoint_id, subject, model, received_at";
    const VALUES: &str = "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14";
    if let Some(id) = batch.next_package_id {
        let mut values = values;
        values.push(id.into());
        script.push(
            format!("INSERT INTO packages ({COLUMNS}, id) VALUES ({VALUES}, $15)"),
            values,
        );
        batch.next_package_id = Some(id + 1);
        return Ok(id);
    }
    let mut args = sqlx::any::AnyArguments::default();
    for v in values {
        script::add(&mut args, v)?;
    }
    let row = sqlx::query_with(
        AssertSqlSafe(format!(
            "INSERT INTO packages ({COLUMNS}) VALUES ({VALUES}) RETURNING id"
        )),
        args,
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("id")?)
}

/// Adds the statements storing each attachment (once per digest) and its link to the
/// package to `script`. An attachment of one chunk goes into the script whole; a larger one
/// is streamed into the store at once, chunk by chunk, so it never sits in memory.
pub(crate) async fn attachments_into(
    conn: &mut AnyConnection,
    script: &mut Script,
    package_id: i64,
    package: &Package,
    files: &HashMap<String, Spooled>,
) -> Result<(), IngestError> {
    let Package::Document(d) = package else {
        return Ok(());
    };
    for (position, att) in d.attachments.iter().enumerate() {
        let sha = att.sha256.to_string();
        let spooled = |e: std::io::Error| {
            IngestError::Internal(format!("spooled attachment {}: {e}", att.content_id))
        };
        let reader = match files.get(&att.content_id) {
            Some(s) => s.reopen().map_err(spooled)?,
            // An attachment listed without content (as in one SDK sample) is stored empty.
            None => SpoolReader::Memory(std::io::Cursor::new(std::sync::Arc::from([]))),
        };
        if att.size > attachments::CHUNK as u64 {
            attachments::put(conn, &sha, att.size, reader).await?;
        } else {
            let mut bytes = Vec::with_capacity(att.size as usize);
            reader
                .take(attachments::CHUNK as u64 + 1)
                .read_to_end(&mut bytes)
                .map_err(spooled)?;
            if bytes.len() > attachments::CHUNK {
                return Err(IngestError::Internal(format!(
                    "attachment {} is larger than its manifest says",
                    att.content_id
                )));
            }
            attachments::put_into(script, &sha, bytes);
        }
        script.push(
            "INSERT INTO package_attachments (package_id, position, sha256) VALUES ($1, $2, $3)",
            vec![package_id.into(), (position as i64).into(), sha.into()],
        );
    }
    Ok(())
}

/// Rows per multi-row `INSERT`: few statements for a document to hundreds of receivers,
/// far below either backend's limit on bound parameters.
const ROWS_PER_INSERT: usize = 100;

/// `($1, $2, …), ($n, …)`: placeholders for `rows` rows of `columns` values, numbered after
/// the statement's first `offset` parameters. Only numbers the hub made go into the text.
fn values_list(rows: usize, columns: usize, offset: usize) -> String {
    let mut out = String::with_capacity(rows * columns * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..columns {
            if c > 0 {
                out.push_str(", ");
            }
            out.push_str(&format!("${}", offset + r * columns + c + 1));
        }
        out.push(')');
    }
    out
}

/// Adds the statements creating one pending delivery per route to `script`, a hundred rows
/// per statement; push and poll deliveries are due at once. Returns the deliveries, which the
/// caller records in its audit event.
pub(crate) fn deliveries_into(
    script: &mut Script,
    package_id: i64,
    routes: &[Route],
) -> Vec<DeliveryRef> {
    let now = now_ms();
    let mut out = Vec::with_capacity(routes.len());
    for chunk in routes.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO deliveries (package_id, next_attempt_at, id, receiver, endpoint_id, state, attempts, created_at) \
             SELECT $1, $2, v.column1, v.column2, v.column3, 'pending', 0, $2 FROM (VALUES {}) AS v",
            values_list(chunk.len(), 3, 2)
        );
        let mut values: Vec<Value> = vec![package_id.into(), now.into()];
        for r in chunk {
            let id = new_delivery_id();
            values.extend([
                Value::from(&id),
                Value::from(&r.receiver),
                Value::from(r.endpoint_id),
            ]);
            out.push(DeliveryRef {
                id,
                receiver: r.receiver.clone(),
                endpoint: r.endpoint.clone(),
            });
        }
        script.push(sql, values);
    }
    out
}

/// Opens a receipt (the per-receiver status record, §7.3) for each route, stamped with the
/// package's arrival time, a hundred rows per statement, in receiver order (so that
/// concurrent transactions lock report rollup rows in one order: see `mark_change`).
pub(crate) fn receipts_into(script: &mut Script, package_id: i64, routes: &[Route]) {
    let mut routes: Vec<&Route> = routes.iter().collect();
    routes.sort_unstable_by(|a, b| a.receiver.cmp(&b.receiver));
    for chunk in routes.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO receipts (package_id, receiver, sent_at) \
             SELECT p.id, v.column1, p.received_at FROM packages p, (VALUES {}) AS v WHERE p.id = $1",
            values_list(chunk.len(), 1, 1)
        );
        let mut values: Vec<Value> = vec![package_id.into()];
        values.extend(chunk.iter().map(|r| Value::from(&r.receiver)));
        script.push(sql, values);
    }
}
