//! Bulk import: every row checked first (bad ones reported by line or item and skipped, repeats
//! caught), then the good ones written in large transactions of multi-row upserts.
//!
//! Sized for the real directory (§9.7: 123,265 agencies in one QLVB): a few dozen transactions,
//! a thousand rows per statement.

use std::collections::HashMap;
use std::fmt;

use crate::store::{BackendKind, now_ms};

use super::agency::ValidAgency;
use super::records::{Records, Unit};
use super::upsert::{Scope, batch_rows, write_batch};
use super::{Directory, DirectoryError};

/// Rows per transaction: large enough that commits (an fsync each on SQLite) cost little, small
/// enough that one transaction does not hold the writer lock for long.
const TX_ROWS: usize = 20_000;

/// Rows after which PostgreSQL's statistics are refreshed at the end of an import.
const ANALYZE_AFTER: u64 = 10_000;

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Agencies added.
    pub inserted: u64,
    /// Agencies that were there already, refreshed.
    pub updated: u64,
    /// Of the added ones, those that replaced a former code (`old_code`), taking over its hosting.
    pub renumbered: u64,
    /// Rows not written: one per entry of `errors`.
    pub skipped: u64,
    /// Why each skipped row was skipped, in file order.
    pub errors: Vec<ImportProblem>,
}

/// A row that could not be imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportProblem {
    /// Its line (CSV; the header is line 1) or its item number (JSON, from 1); see `unit`.
    pub line: u64,
    /// Whether `line` counts lines or items.
    pub unit: Unit,
    /// The row's code, when it has one.
    pub code: Option<String>,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.unit, self.line, self.message)
    }
}

impl Directory {
    /// Imports `records`: adds new agencies, updates known ones (upsert by code), renumbers
    /// those whose `old_code` is a stored code, and reports bad rows instead of stopping.
    /// `progress` is called with the number of rows handled so far, up to `records.len()`.
    pub async fn import(
        &self,
        records: Records,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<ImportReport, DirectoryError> {
        let unit = records.unit();
        let mut report = ImportReport::default();
        let problem = |line, code: Option<&str>, message: String| ImportProblem {
            line,
            unit,
            code: code
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned),
            message,
        };

        let mut valid: Vec<ValidAgency> = Vec::with_capacity(records.len());
        let mut lines: Vec<u64> = Vec::with_capacity(records.len());
        let mut seen_codes: HashMap<String, u64> = HashMap::new();
        let mut seen_qd20: HashMap<String, u64> = HashMap::new();
        for record in records.into_rows() {
            let agency = match record.agency {
                Ok(agency) => agency,
                Err(message) => {
                    report.errors.push(problem(record.at, None, message));
                    continue;
                }
            };
            let checked = agency.validate().and_then(|v| {
                let duplicate = |what, value: &str, first: u64| DirectoryError::Duplicate {
                    what,
                    value: value.to_owned(),
                    unit: if unit == Unit::Line { "line" } else { "item" },
                    first,
                };
                if let Some(first) = seen_codes.get(&v.code) {
                    return Err(duplicate("code", &v.code, *first));
                }
                if let Some(qd20) = &v.qd20_code
                    && let Some(first) = seen_qd20.get(qd20)
                {
                    return Err(duplicate("QĐ 20 code", qd20, *first));
                }
                Ok(v)
            });
            match checked {
                Ok(v) => {
                    seen_codes.insert(v.code.clone(), record.at);
                    if let Some(qd20) = &v.qd20_code {
                        seen_qd20.insert(qd20.clone(), record.at);
                    }
                    valid.push(v);
                    lines.push(record.at);
                }
                Err(e) => report
                    .errors
                    .push(problem(record.at, Some(&agency.code), e.to_string())),
            }
        }
        let mut handled = report.errors.len() as u64;
        progress(handled);

        let scope = Scope::of(&valid);
        let now = now_ms();
        let batch = batch_rows(self.store.kind());
        for (tx_rows, tx_lines) in valid.chunks(TX_ROWS).zip(lines.chunks(TX_ROWS)) {
            let mut tx = self.store.begin().await?;
            if self.store.kind() == BackendKind::Postgres {
                // A plan cached while the table was nearly empty scans it whole; with plans
                // made per execution the look-ups stay on the indexes as the table fills.
                sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
                    .execute(&mut *tx)
                    .await?;
            }
            for (rows, row_lines) in tx_rows.chunks(batch).zip(tx_lines.chunks(batch)) {
                let outcome = write_batch(&mut tx, rows, &scope, now).await?;
                report.inserted += outcome.inserted;
                report.updated += outcome.updated;
                report.renumbered += outcome.renumbered.len() as u64;
                for (i, refusal) in outcome.refused {
                    report.errors.push(problem(
                        row_lines[i],
                        Some(&rows[i].code),
                        refusal.to_string(),
                    ));
                }
            }
            tx.commit().await?;
            handled += tx_rows.len() as u64;
            progress(handled);
        }
        if self.store.kind() == BackendKind::Postgres && handled > ANALYZE_AFTER {
            // Fresh statistics now, not at autovacuum's next round, so routing look-ups plan
            // for the table as it is after a bulk load.
            sqlx::query("ANALYZE agencies")
                .execute(self.store.pool())
                .await?;
        }
        report.errors.sort_by_key(|p| p.line);
        report.skipped = report.errors.len() as u64;
        Ok(report)
    }
}
