//! The exchange engine end to end (issue 4): 10 KiB edXML documents from one sender to three
//! pull receivers, each through the whole ingest path (read → validate → authorize → dedupe →
//! one transaction: package, attachment, three deliveries, receipts, audit), on SQLite and on
//! PostgreSQL:
//! - accepted documents per second at the maximum rate (concurrent senders, no pause);
//! - p50/p99 ingest latency at a fixed offered load of 1,000 documents/s, measured from each
//!   document's scheduled send time (so a stall is not hidden by the senders waiting);
//! - the ceiling of raw inserts of the same rows (one transaction per document, the same
//!   statements without the engine), and the ratio engine/raw.
//!
//! `cargo bench --bench exchange` prints figures; nothing is asserted about time. Targets (issue
//! 4, this 2-core machine): ≥ 2,000 documents/s on SQLite, p99 < 20 ms at 1,000/s, ratio ≥ 0.5.
//! PostgreSQL is the server of the tests (`postgres://postgres@127.0.0.1:5432/test`, or
//! `TRUC_BENCH_POSTGRES`), in a schema of its own, dropped afterwards. `TRUC_BENCH_SECONDS`
//! changes the length of each measurement (default 4); `TRUC_BENCH_NO_ROLLUPS` drops the report
//! rollups' triggers first, to measure their cost.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection, Row};
use truc::edxml::{
    self, Attachment, Business, BusinessAction, Code, Document, DocumentType, EdDate, MemorySink,
    Organ, Package, PromulgationInfo, Sha256, StaffInfo,
};
use truc::exchange::{Caller, Exchange, ExchangeSettings};
use truc::store::{Store, now_ms};

const SENDER: &str = "000.00.00.G22";
const RECEIVERS: [&str; 3] = ["000.00.00.H41", "000.00.00.H14", "000.00.00.H29"];
/// Concurrent submissions at the maximum rate (`TRUC_BENCH_CONCURRENCY` changes it): a
/// QLVB's gateway client sends in parallel, and a hub serves many such clients at once.
const CONCURRENCY: usize = 8;
/// The fixed offered loads: the target's, and one a single SQLite writer can carry today.
const OFFERED_PER_SEC: [u64; 2] = [1_000, 100];
/// Attachment bytes per document: with base64 and the envelope, about 10 KiB of edXML.
const ATTACHMENT: usize = 4_500;

#[tokio::main]
async fn main() -> ExitCode {
    let seconds = std::env::var("TRUC_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4u64);
    let span = Duration::from_secs(seconds);
    let concurrency = std::env::var("TRUC_BENCH_CONCURRENCY")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(CONCURRENCY);
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return fail(&format!("no temporary directory: {e}")),
    };
    let sqlite = |name: &str| format!("sqlite:{}", dir.path().join(name).display());
    let mut ok = true;
    if let Err(e) = bench(
        "sqlite",
        &sqlite("engine.db"),
        &sqlite("raw.db"),
        span,
        concurrency,
    )
    .await
    {
        eprintln!("exchange bench (sqlite): {e}");
        ok = false;
    }

    let server = std::env::var("TRUC_BENCH_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let mut admin = match PgConnection::connect(&server).await {
        Ok(c) => c,
        Err(e) => return fail(&format!("PostgreSQL is not reachable at {server}: {e}")),
    };
    let schemas = [
        format!("truc_bench_{:016x}", rand::random::<u64>()),
        format!("truc_bench_{:016x}", rand::random::<u64>()),
    ];
    for s in &schemas {
        if let Err(e) = admin
            .execute(AssertSqlSafe(format!("CREATE SCHEMA {s}")))
            .await
        {
            return fail(&format!("cannot create schema {s}: {e}"));
        }
    }
    let url = |s: &str| format!("{server}?options=-c%20search_path%3D{s}");
    if let Err(e) = bench(
        "postgres",
        &url(&schemas[0]),
        &url(&schemas[1]),
        span,
        concurrency,
    )
    .await
    {
        eprintln!("exchange bench (postgres): {e}");
        ok = false;
    }
    for s in &schemas {
        let _ = admin
            .execute(AssertSqlSafe(format!("DROP SCHEMA {s} CASCADE")))
            .await;
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// With `TRUC_BENCH_NO_ROLLUPS` set, drops the report rollups' triggers (migration 0004), to
/// measure what they cost ingest.
async fn without_rollups(store: &Store) -> Result<(), BoxError> {
    if std::env::var_os("TRUC_BENCH_NO_ROLLUPS").is_none() {
        return Ok(());
    }
    let statements: Vec<String> = match store.kind() {
        truc::store::BackendKind::Sqlite => [
            "document_facts_report_insert",
            "document_facts_report_update",
            "document_facts_report_move_out",
            "document_facts_report_move_in",
            "document_facts_report_delete",
            "receipts_report_fresh",
            "receipts_report_insert",
            "receipts_report_status",
            "receipts_report_update",
            "receipts_report_move_out",
            "receipts_report_move_in",
            "receipts_report_delete",
        ]
        .iter()
        .map(|t| format!("DROP TRIGGER {t}"))
        .collect(),
        truc::store::BackendKind::Postgres => vec![
            "DROP TRIGGER document_facts_report ON document_facts".into(),
            "DROP TRIGGER receipts_report ON receipts".into(),
        ],
    };
    for sql in statements {
        store.pool().execute(AssertSqlSafe(sql)).await?;
    }
    Ok(())
}

fn fail(message: &str) -> ExitCode {
    eprintln!("exchange bench: {message}");
    ExitCode::FAILURE
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The world of the bench: the sender's endpoint and three pull receivers.
async fn world(store: &Store) -> Result<Caller, BoxError> {
    let mut sender = None;
    for (i, code) in std::iter::once(SENDER).chain(RECEIVERS).enumerate() {
        let id: i64 = sqlx::query(
            "INSERT INTO endpoints (name, mode, created_at) VALUES ($1, 'pull', $2) RETURNING id",
        )
        .bind(format!("e{i}"))
        .bind(now_ms())
        .fetch_one(store.pool())
        .await?
        .try_get("id")?;
        sqlx::query("INSERT INTO agencies (code, name, endpoint_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)")
            .bind(code)
            .bind(format!("Cơ quan {code}"))
            .bind(id)
            .bind(now_ms())
            .execute(store.pool())
            .await?;
        if code == SENDER {
            sender = Some(Caller {
                endpoint_id: id,
                name: format!("e{i}"),
            });
        }
    }
    sender.ok_or_else(|| "no sender".into())
}

fn organ(code: &str) -> Organ {
    Organ {
        organ_id: code.parse().ok(),
        organ_name: format!("Cơ quan {code}"),
        ..Organ::default()
    }
}

/// Document `n`'s edXML: about 10 KiB, distinct DocumentId and attachment.
fn document(n: u64) -> Vec<u8> {
    let today = (chrono::Utc::now() + chrono::Duration::hours(7))
        .format("%Y/%m/%d")
        .to_string();
    let mut bytes = format!("%PDF-1.7 document {n}\n").into_bytes();
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while bytes.len() < ATTACHMENT {
        // Incompressible filler, as a real PDF's streams are.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    let doc = Document {
        from: organ(SENDER),
        to: RECEIVERS.iter().map(|c| organ(c)).collect(),
        code: Code {
            number: n.to_string(),
            notation: "VP-TTĐT".into(),
        },
        promulgation: PromulgationInfo {
            place: "Hà Nội".into(),
            date: Some(EdDate::parse(&today)),
        },
        document_type: DocumentType {
            type_code: "1".into(),
            type_name: "Công văn".into(),
            type_detail: "0".into(),
        },
        subject: format!("V/v kết nối liên thông, văn bản số {n}"),
        content: "Nội dung tóm tắt".into(),
        document_id: format!("{SENDER},{today},{n}/VP-TTĐT").parse().ok(),
        business: Some(Business {
            action: Some(BusinessAction::New),
            reason: "Văn bản điện tử mới".into(),
            paper: "0".into(),
            staff: Some(StaffInfo {
                department: "Văn thư".into(),
                staff: "Nguyễn Thị Ngọc Trâm".into(),
                ..StaffInfo::default()
            }),
            ..Business::default()
        }),
        attachments: vec![Attachment {
            content_id: format!("f{n}"),
            name: format!("{n}.pdf"),
            description: "Văn bản".into(),
            content_type: "application/pdf".into(),
            format: None,
            size: bytes.len() as u64,
            sha256: Sha256::of(&bytes),
            zipped: false,
        }],
        ..Document::default()
    };
    let mut sink = MemorySink::new();
    sink.insert(format!("f{n}"), bytes);
    edxml::write_to_vec(&Package::Document(Box::new(doc)), &sink).unwrap_or_default()
}

/// Documents `first..first+count`, made before any clock starts.
fn documents(first: u64, count: u64) -> Vec<Vec<u8>> {
    (first..first + count).map(document).collect()
}

async fn bench(
    backend: &str,
    engine_url: &str,
    raw_url: &str,
    span: Duration,
    concurrency: usize,
) -> Result<(), BoxError> {
    let store = Store::open(engine_url).await?;
    without_rollups(&store).await?;
    let sender = world(&store).await?;
    let ex = Exchange::new(store.clone(), ExchangeSettings::default());
    let size = document(0).len();
    println!("== {backend}: documents of {size} bytes, one sender, three pull receivers");

    // Warm-up (connections, statement caches).
    for doc in documents(1, 50) {
        ex.submit_bytes(&sender, doc, None).await?;
    }

    // Maximum rate: `concurrency` tasks submit back to back for `span`.
    let budget = 3_500 * span.as_secs() as usize;
    let docs = Arc::new(documents(1_000, budget as u64));
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (ex, sender, docs, next) = (ex.clone(), sender.clone(), docs.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut done = 0usize;
            while started.elapsed() < span {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(doc) = docs.get(i) else { break };
                ex.submit_bytes(&sender, doc.clone(), None)
                    .await
                    .map_err(|e| e.to_string())?;
                done += 1;
            }
            Ok::<_, String>(done)
        }));
    }
    let mut accepted = 0;
    for t in tasks {
        accepted += t.await??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let engine_rate = accepted as f64 / elapsed;
    println!(
        "max rate: {accepted} documents accepted in {elapsed:.2} s = {engine_rate:.0} documents/s ({concurrency} concurrent submissions)"
    );

    for (k, rate) in OFFERED_PER_SEC.into_iter().enumerate() {
        fixed_load(&ex, &sender, rate, span, 10_000_000 * (k as u64 + 1)).await?;
    }

    // The same rows, inserted raw into a fresh store: one transaction per document.
    let rows = Arc::new(RawRows::read(&store).await?);
    store.close().await;
    let raw = Store::open(raw_url).await?;
    without_rollups(&raw).await?;
    world(&raw).await?;
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (raw, rows, next) = (raw.clone(), rows.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut done = 0usize;
            while started.elapsed() < span {
                let i = next.fetch_add(1, Ordering::Relaxed);
                rows.insert(&raw, i).await.map_err(|e| e.to_string())?;
                done += 1;
            }
            Ok::<_, String>(done)
        }));
    }
    let mut inserted = 0;
    for t in tasks {
        inserted += t.await??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let raw_rate = inserted as f64 / elapsed;
    raw.close().await;
    println!(
        "raw inserts of the same rows: {inserted} documents in {elapsed:.2} s = {raw_rate:.0} documents/s; engine/raw = {:.2}",
        engine_rate / raw_rate
    );
    Ok(())
}

/// One document every 1/`rate` s, each on its own task; latency from its scheduled slot.
async fn fixed_load(
    ex: &Exchange,
    sender: &Caller,
    rate: u64,
    span: Duration,
    first: u64,
) -> Result<(), BoxError> {
    // Fixed load: one document every 1/OFFERED s, each on its own task, latency from its slot.
    let count = rate * span.as_secs();
    let docs = documents(first, count);
    let interval = Duration::from_nanos(1_000_000_000 / rate);
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let origin = Instant::now();
    let mut tasks = Vec::with_capacity(docs.len());
    for (i, doc) in docs.into_iter().enumerate() {
        ticker.tick().await;
        let slot = origin + interval * i as u32;
        let (ex, sender) = (ex.clone(), sender.clone());
        tasks.push(tokio::spawn(async move {
            ex.submit_bytes(&sender, doc, None)
                .await
                .map_err(|e| e.to_string())?;
            Ok::<_, String>(slot.elapsed())
        }));
    }
    // Above capacity, a submission may be refused once it has waited too long for the store
    // (the hub answers "retry later"): those are counted, not fatal.
    let mut latencies = Vec::with_capacity(tasks.len());
    let mut refused = 0usize;
    for t in tasks {
        match t.await? {
            Ok(latency) => latencies.push(latency),
            Err(_) => refused += 1,
        }
    }
    if latencies.is_empty() {
        return Err(format!("fixed load {rate}/s: every submission was refused").into());
    }
    let took = origin.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "fixed load {rate}/s: {} documents in {took:.2} s ({refused} refused), latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        latencies.len(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1e3)
    );

    Ok(())
}

/// One stored document's rows, as the engine wrote them, to be inserted again without it.
struct RawRows {
    model: String,
    subject: String,
    attachment: Vec<u8>,
    detail: String,
    endpoints: Vec<i64>,
}

impl RawRows {
    async fn read(store: &Store) -> Result<RawRows, BoxError> {
        let p = sqlx::query("SELECT id, model, subject FROM packages ORDER BY id DESC LIMIT 1")
            .fetch_one(store.pool())
            .await?;
        let id: i64 = p.try_get("id")?;
        let chunk = sqlx::query("SELECT c.bytes FROM attachment_chunks c JOIN package_attachments a ON a.sha256 = c.sha256 WHERE a.package_id = $1 ORDER BY c.seq")
            .bind(id)
            .fetch_all(store.pool())
            .await?
            .iter()
            .map(|r| r.try_get::<Vec<u8>, _>("bytes"))
            .collect::<Result<Vec<_>, _>>()?
            .concat();
        let detail: String =
            sqlx::query("SELECT detail FROM audit WHERE package_id = $1 AND event = 'accepted'")
                .bind(id)
                .fetch_one(store.pool())
                .await?
                .try_get("detail")?;
        let endpoints = sqlx::query("SELECT endpoint_id FROM deliveries WHERE package_id = $1")
            .bind(id)
            .fetch_all(store.pool())
            .await?
            .iter()
            .map(|r| r.try_get("endpoint_id"))
            .collect::<Result<Vec<i64>, _>>()?;
        Ok(RawRows {
            model: p.try_get("model")?,
            subject: p.try_get("subject")?,
            attachment: chunk,
            detail,
            endpoints,
        })
    }

    /// Inserts document `i`: package, attachment (bytes and link), three deliveries, three
    /// receipts, one audit entry and the audit head, in one transaction.
    async fn insert(&self, store: &Store, i: usize) -> Result<(), BoxError> {
        let now = now_ms();
        let key = format!("{SENDER}|raw-{i}");
        let sha = format!("{:064x}", i);
        let mut tx = store.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO packages (kind, sender, document_id, doc_key, dedupe_key, transport_id, subject, model, received_at) \
             VALUES ('document', $1, $2, $3, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(SENDER)
        .bind(format!("raw-{i}"))
        .bind(&key)
        .bind(format!("t-raw-{i}"))
        .bind(&self.subject)
        .bind(&self.model)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        sqlx::query("INSERT INTO attachments (sha256, size, created_at) VALUES ($1, $2, $3)")
            .bind(&sha)
            .bind(self.attachment.len() as i64)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO attachment_chunks (sha256, seq, bytes) VALUES ($1, 0, $2)")
            .bind(&sha)
            .bind(&self.attachment)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO package_attachments (package_id, position, sha256) VALUES ($1, 0, $2)",
        )
        .bind(id)
        .bind(&sha)
        .execute(&mut *tx)
        .await?;
        for (r, endpoint) in RECEIVERS.iter().zip(&self.endpoints) {
            sqlx::query(
                "INSERT INTO deliveries (id, package_id, receiver, endpoint_id, state, attempts, next_attempt_at, created_at) \
                 VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
            )
            .bind(format!("d-raw-{i}-{r}"))
            .bind(id)
            .bind(*r)
            .bind(endpoint)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO receipts (package_id, receiver) VALUES ($1, $2)")
                .bind(id)
                .bind(*r)
                .execute(&mut *tx)
                .await?;
        }
        let seq: i64 = sqlx::query(AssertSqlSafe(format!(
            "SELECT seq FROM audit_head WHERE id = 1 {}",
            store.for_update()
        )))
        .fetch_one(&mut *tx)
        .await?
        .try_get("seq")?;
        sqlx::query(
            "INSERT INTO audit (seq, at, event, package_id, document, detail, prev_hash, hash) VALUES ($1, $2, 'accepted', $3, $4, $5, '', '')",
        )
        .bind(seq + 1)
        .bind(now)
        .bind(id)
        .bind(&key)
        .bind(&self.detail)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE audit_head SET seq = $1 WHERE id = 1")
            .bind(seq + 1)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
