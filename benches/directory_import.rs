//! Bulk import of a directory the size of the real one (§9.7: 123,265 agencies in one QLVB) from
//! CSV, into a fresh SQLite store and into a fresh PostgreSQL schema; then the same file again,
//! as a periodic re-sync does (every row an update).
//!
//! `cargo bench --bench directory_import` prints figures; nothing is asserted about time. Target
//! (issue 4): 123,000 agencies in under 30 s on SQLite. PostgreSQL is the server of the tests
//! (`postgres://postgres@127.0.0.1:5432/test`, or `TRUC_BENCH_POSTGRES`); a schema of its own is
//! created and dropped.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection};
use truc::directory::{Directory, ImportReport, Records, sample_directory, write_csv};
use truc::store::Store;

const AGENCIES: usize = 123_000;
/// Look-ups timed per size.
const ROUNDS: usize = 300;

#[tokio::main]
async fn main() -> ExitCode {
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(e) => return fail(&format!("no temporary directory: {e}")),
    };
    let csv_path = dir.path().join("directory.csv");
    let started = Instant::now();
    let sample = sample_directory(AGENCIES);
    let written = std::fs::File::create(&csv_path)
        .map(std::io::BufWriter::new)
        .and_then(|file| write_csv(&sample, file));
    if let Err(e) = written {
        return fail(&format!("cannot write {}: {e}", csv_path.display()));
    }
    let size = std::fs::metadata(&csv_path).map_or(0, |m| m.len());
    println!(
        "generated {AGENCIES} agencies, {:.1} MiB of CSV, in {:.2} s",
        size as f64 / (1 << 20) as f64,
        started.elapsed().as_secs_f64()
    );

    let sqlite_url = format!("sqlite:{}", dir.path().join("truc.db").display());
    match Store::open(&sqlite_url).await {
        Ok(store) => {
            if let Err(e) = run("sqlite", &Directory::new(store), &csv_path).await {
                return fail(&e);
            }
        }
        Err(e) => return fail(&format!("SQLite store: {e}")),
    }

    let server = std::env::var("TRUC_BENCH_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("truc_bench_{:016x}", rand::random::<u64>());
    let mut admin = match PgConnection::connect(&server).await {
        Ok(conn) => conn,
        Err(e) => {
            return fail(&format!(
                "PostgreSQL is not reachable at {server} ({e}); start it with \
                 `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`"
            ));
        }
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
            let outcome = run("postgres", &Directory::new(store.clone()), &csv_path).await;
            store.close().await;
            outcome
        }
        Err(e) => Err(format!("PostgreSQL store: {e}")),
    };
    if let Err(e) = admin
        .execute(AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .await
    {
        eprintln!("could not drop schema {schema}: {e}");
    }
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// Imports the file twice (fresh, then re-sync) and prints both runs.
async fn run(backend: &str, directory: &Directory, csv: &std::path::Path) -> Result<(), String> {
    for pass in ["fresh", "re-sync"] {
        let started = Instant::now();
        let records = Records::from_path(csv).map_err(|e| e.to_string())?;
        let parsed = started.elapsed();
        let report = directory
            .import(records, &|_| {})
            .await
            .map_err(|e| format!("{backend} import: {e}"))?;
        let total = started.elapsed();
        check(&report, pass)?;
        print(backend, pass, &report, parsed, total);
    }
    let stored = directory.count().await.map_err(|e| e.to_string())?;
    if stored != AGENCIES as u64 {
        return Err(format!(
            "{backend}: {stored} agencies stored, expected {AGENCIES}"
        ));
    }
    resolve_latency(backend, directory).await
}

/// Routing look-ups on the full directory: 1, 10 and 100 codes (current, former and unknown
/// ones mixed), one query each.
async fn resolve_latency(backend: &str, directory: &Directory) -> Result<(), String> {
    let sample = sample_directory(AGENCIES);
    let mut pool: Vec<String> = Vec::new();
    for (i, agency) in sample.iter().enumerate().step_by(97) {
        pool.push(match (&agency.old_code, i % 10) {
            (Some(old), _) => old.clone(),
            (None, 0) => format!("000.00.99.Z{:02}", i % 100),
            (None, _) => agency.code.clone(),
        });
    }
    for n in [1usize, 10, 100] {
        let mut times: Vec<Duration> = Vec::with_capacity(ROUNDS);
        for round in 0..ROUNDS {
            let codes: Vec<String> = (0..n)
                .map(|k| pool[(round * 31 + k * 7) % pool.len()].clone())
                .collect();
            let started = Instant::now();
            let resolved = directory
                .resolve(&codes)
                .await
                .map_err(|e| format!("{backend} resolve: {e}"))?;
            times.push(started.elapsed());
            if resolved.len() != n {
                return Err(format!(
                    "{backend} resolve answered {} of {n}",
                    resolved.len()
                ));
            }
        }
        times.sort();
        println!(
            "{backend:>8} resolve {n:>3} codes: p50 {:.2} ms, p99 {:.2} ms",
            times[ROUNDS / 2].as_secs_f64() * 1e3,
            times[ROUNDS * 99 / 100].as_secs_f64() * 1e3
        );
    }
    Ok(())
}

/// The figures are only worth printing if the import did what it should.
fn check(report: &ImportReport, pass: &str) -> Result<(), String> {
    let expected = match pass {
        "fresh" => (AGENCIES as u64, 0),
        _ => (0, AGENCIES as u64),
    };
    if (report.inserted, report.updated) != expected || report.skipped != 0 {
        return Err(format!(
            "{pass} import: inserted {}, updated {}, skipped {} (first problem: {:?})",
            report.inserted,
            report.updated,
            report.skipped,
            report.errors.first()
        ));
    }
    Ok(())
}

fn print(backend: &str, pass: &str, report: &ImportReport, parsed: Duration, total: Duration) {
    let rows = report.inserted + report.updated;
    println!(
        "{backend:>8} {pass:<7}: {rows} agencies in {:.2} s ({:.0} rows/s; CSV parse {:.2} s, \
         database {:.2} s)",
        total.as_secs_f64(),
        rows as f64 / total.as_secs_f64(),
        parsed.as_secs_f64(),
        (total - parsed).as_secs_f64()
    );
}

fn fail(message: &str) -> ExitCode {
    eprintln!("directory_import: {message}");
    ExitCode::FAILURE
}
