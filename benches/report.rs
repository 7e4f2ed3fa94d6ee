//! Reports (issue 7) over a million documents: seeds 1,000,000 documents sent over one year
//! between 500 agencies (1.5 receivers each, statuses distributed as one real QLVB's, §7.2) into
//! a fresh SQLite store — and PostgreSQL unless `TRUC_BENCH_SKIP_POSTGRES` is set — then times
//! the report for a month, a quarter and the whole year, for all agencies and for one.
//!
//! `cargo bench --bench report` prints figures; nothing is asserted about time. The seed writes
//! the rows ingest would write (packages, document_facts, receipts) in bulk, not through
//! ingest: it measures the report, not ingest. The rollups are filled on the way by their
//! triggers (migration 0004), as for any write. Each report is also computed once straight from
//! the rows (`compute_direct`, the computation before the rollups), timed, and checked equal.

use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection};
use truc::policy::report::{self, ReportQuery};
use truc::store::Store;

const DOCUMENTS: i64 = 1_000_000;
const AGENCIES: i64 = 500;
const BATCH: i64 = 2_000;
/// 2026-01-01 00:00 in Hà Nội, Unix ms.
const YEAR_START: i64 = 1_767_200_400_000;
const DAY: i64 = 86_400_000;

fn agency(i: i64) -> String {
    format!("000.00.{:02}.H{:02}", i % 100, i / 100 + 1)
}

/// A deterministic pseudo-random number (SplitMix64), so every run seeds the same data.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

async fn seed(store: &Store) -> Result<u64, String> {
    let e = |e: sqlx::Error| e.to_string();
    let mut receipts = 0u64;
    let mut id = 0i64;
    while id < DOCUMENTS {
        let mut tx = store.begin().await.map_err(|e| e.to_string())?;
        let (mut p, mut f, mut r) = (String::new(), String::new(), String::new());
        for _ in 0..BATCH.min(DOCUMENTS - id) {
            id += 1;
            let h = mix(id as u64);
            let sender = agency((h % AGENCIES as u64) as i64);
            let sent = YEAR_START + (h >> 8) as i64 % (365 * DAY);
            let signed = (h >> 20) % 10 < 7;
            let paper = (h >> 24).is_multiple_of(10);
            if !p.is_empty() {
                p.push(',');
                f.push(',');
            }
            let doc = format!("{sender},2026/01/01,{id}/VP");
            p.push_str(&format!(
                "({id}, 'document', '{sender}', '{doc}', '{sender}|{doc}', 'doc{id}', 't{id}', '{{}}', {sent})"
            ));
            f.push_str(&format!(
                "({id}, '{sender}', 'CV', {}, 1, {s}, {s}, NULL, {sent})",
                i64::from(paper),
                s = i64::from(signed)
            ));
            for k in 0..(1 + (h >> 28) % 2) {
                let receiver = agency(((h >> 32) + k * 7) as i64 % AGENCIES);
                // Statuses as in one QLVB's database (§7.2): 01 31%, 03 25%, 05 21%, 02 2%,
                // 06 2%, none 19%; the first answer within minutes to days.
                let roll = (mix(h ^ k) % 100) as i64;
                let status = match roll {
                    0..31 => Some("01"),
                    31..56 => Some("03"),
                    56..77 => Some("05"),
                    77..79 => Some("02"),
                    79..81 => Some("06"),
                    _ => None,
                };
                let delay = (mix(h.rotate_left(17) ^ k) % (3 * DAY as u64)) as i64;
                let (st, first, reason) = match status {
                    Some(s) => (
                        format!("'{s}'"),
                        (sent + delay).to_string(),
                        if s == "02" {
                            "'Sai nơi nhận'"
                        } else {
                            "NULL"
                        },
                    ),
                    None => ("NULL".into(), "NULL".into(), "NULL"),
                };
                if !r.is_empty() {
                    r.push(',');
                }
                r.push_str(&format!(
                    "({id}, '{receiver}', {st}, {first}, {first}, {reason}, {sent})"
                ));
                receipts += 1;
            }
        }
        for sql in [
            format!(
                "INSERT INTO packages (id, kind, sender, document_id, doc_key, dedupe_key, transport_id, model, received_at) VALUES {p}"
            ),
            format!(
                "INSERT INTO document_facts (package_id, sender, doc_type, paper, pdfs, signed_pdfs, signed, flag, sent_at) VALUES {f}"
            ),
            format!(
                "INSERT INTO receipts (package_id, receiver, status, status_at, first_status_at, reason, sent_at) VALUES {r}"
            ),
        ] {
            tx.execute(AssertSqlSafe(sql)).await.map_err(e)?;
        }
        tx.commit().await.map_err(e)?;
    }
    Ok(receipts)
}

async fn run(backend: &str, store: &Store) -> Result<(), String> {
    let started = Instant::now();
    let receipts = seed(store).await?;
    println!(
        "{backend}: seeded {DOCUMENTS} documents, {receipts} receipts in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // Fresh statistics, as an operator's nightly maintenance would keep them.
    store
        .pool()
        .execute("ANALYZE")
        .await
        .map_err(|e| e.to_string())?;
    let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(2026, m, day).unwrap_or_default();
    for (label, from, to, agency) in [
        ("one month, all agencies", d(3, 1), d(3, 31), None),
        ("one quarter, all agencies", d(4, 1), d(6, 30), None),
        ("whole year, all agencies", d(1, 1), d(12, 31), None),
        (
            "whole year, one agency",
            d(1, 1),
            d(12, 31),
            Some(agency(42)),
        ),
    ] {
        let q = ReportQuery {
            from,
            to,
            agency,
            holidays: Vec::new(),
            now: Some(YEAR_START + 400 * DAY),
        };
        // One warm-up, then the best of three.
        let mut best = f64::MAX;
        let mut rows = 0;
        let mut total = 0;
        for _ in 0..4 {
            let t = Instant::now();
            let r = report::compute(store, &q)
                .await
                .map_err(|e| e.to_string())?;
            best = best.min(t.elapsed().as_secs_f64());
            rows = r.agencies.len();
            total = r.total.sent;
        }
        let t = Instant::now();
        let direct = report::compute_direct(store, &q)
            .await
            .map_err(|e| e.to_string())?;
        let direct_secs = t.elapsed().as_secs_f64();
        let rolled = report::compute(store, &q)
            .await
            .map_err(|e| e.to_string())?;
        if rolled.agencies != direct.agencies || rolled.total != direct.total {
            return Err(format!("{label}: the rollups disagree with the rows"));
        }
        println!(
            "{backend}: report {label}: {:.3} s ({rows} agencies, {total} documents sent); \
             from the rows: {direct_secs:.3} s, same figures",
            best
        );
    }
    Ok(())
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("report bench: {msg}");
    ExitCode::FAILURE
}

#[tokio::main]
async fn main() -> ExitCode {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return fail(&format!("no temporary directory: {e}")),
    };
    let url = format!("sqlite:{}", dir.path().join("truc.db").display());
    match Store::open(&url).await {
        Ok(store) => {
            if let Err(e) = run("sqlite", &store).await {
                return fail(&e);
            }
        }
        Err(e) => return fail(&format!("SQLite store: {e}")),
    }
    if std::env::var_os("TRUC_BENCH_SKIP_POSTGRES").is_some() {
        return ExitCode::SUCCESS;
    }
    let server = std::env::var("TRUC_BENCH_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("truc_bench_{:016x}", rand::random::<u64>());
    let mut admin = match PgConnection::connect(&server).await {
        Ok(c) => c,
        Err(e) => return fail(&format!("PostgreSQL is not reachable at {server}: {e}")),
    };
    if let Err(e) = admin
        .execute(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .await
    {
        return fail(&format!("cannot create schema {schema}: {e}"));
    }
    let pg_url = format!("{server}?options=-c%20search_path%3D{schema}");
    let outcome = match Store::open(&pg_url).await {
        Ok(store) => {
            let o = run("postgres", &store).await;
            store.close().await;
            o
        }
        Err(e) => Err(format!("PostgreSQL store: {e}")),
    };
    let _ = admin
        .execute(AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .await;
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}
