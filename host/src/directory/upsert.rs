//! Writing agencies: one multi-row `INSERT … ON CONFLICT (code) DO UPDATE` per batch, after the
//! checks a unique index cannot explain to a clerk (QĐ 20 codes taken), and with renumbering
//! (`old_code`) carried out in the same transaction.
//!
//! One path serves a single `upsert_agency` and a 123,000-row import alike, so both behave the
//! same way.

use std::collections::{HashMap, HashSet};

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::store::{BackendKind, StoreError};

use super::agency::ValidAgency;
use super::{DirectoryError, placeholders};

/// Agencies written by one statement. On SQLite, binding each `$N` parameter looks its name
/// up linearly, so a statement's cost grows with the square of its parameters (measured: 1,000
/// rows took 7 s for the benchmark's 123,000, 50 rows 1.6 s); PostgreSQL prefers fewer round
/// trips. Both stay far below the parameter limits (32,766 and 65,535).
pub(super) fn batch_rows(kind: BackendKind) -> usize {
    match kind {
        BackendKind::Sqlite => 50,
        BackendKind::Postgres => 500,
    }
}

/// What the whole input of one write contains, so renumbering is decided against all of it
/// and not only the batch at hand.
pub(super) struct Scope {
    codes: HashSet<String>,
    old_code_claims: HashMap<String, u32>,
}

impl Scope {
    /// The scope of these agencies.
    pub(super) fn of<'a>(agencies: impl IntoIterator<Item = &'a ValidAgency>) -> Scope {
        let mut scope = Scope {
            codes: HashSet::new(),
            old_code_claims: HashMap::new(),
        };
        for a in agencies {
            scope.add(&a.code, a.old_code.as_deref());
        }
        scope
    }

    /// Adds one agency of the input.
    fn add(&mut self, code: &str, old_code: Option<&str>) {
        self.codes.insert(code.to_owned());
        if let Some(old) = old_code {
            *self.old_code_claims.entry(old.to_owned()).or_default() += 1;
        }
    }

    /// The former code `agency` may be renumbered from: the input still listing that code, or
    /// two agencies claiming it (a split), means the old row is not simply this one renamed.
    fn renumber_source<'a>(&self, agency: &'a ValidAgency) -> Option<&'a str> {
        let old = agency.old_code.as_deref()?;
        let sole_claim = self.old_code_claims.get(old).is_some_and(|n| *n == 1);
        (sole_claim && !self.codes.contains(old)).then_some(old)
    }
}

/// What one batch did.
#[derive(Debug, Default)]
pub(super) struct BatchOutcome {
    /// New codes.
    pub inserted: u64,
    /// Codes that were there already.
    pub updated: u64,
    /// (former code, new code) of each renumbered agency.
    pub renumbered: Vec<(String, String)>,
    /// Rows refused, by their index in the batch.
    pub refused: Vec<(usize, DirectoryError)>,
}

/// A stored agency that the batch touches.
struct Stored {
    qd20_code: Option<String>,
    endpoint_id: Option<i64>,
}

/// Writes `rows` (at most [`batch_rows`], codes unique) inside the caller's transaction.
pub(super) async fn write_batch(
    conn: &mut AnyConnection,
    rows: &[ValidAgency],
    scope: &Scope,
    now: i64,
) -> Result<BatchOutcome, StoreError> {
    let mut outcome = BatchOutcome::default();
    if rows.is_empty() {
        return Ok(outcome);
    }
    let stored = stored_rows(conn, rows, scope).await?;
    let qd20_holders: HashMap<&str, &str> = stored
        .iter()
        .filter_map(|(code, s)| Some((s.qd20_code.as_deref()?, code.as_str())))
        .collect();

    let mut accepted: Vec<&ValidAgency> = Vec::with_capacity(rows.len());
    // (former code, new code, what the former row had)
    let mut moves: Vec<(&str, &str, &Stored)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let source = scope
            .renumber_source(row)
            .and_then(|old| stored.get_key_value(old));
        if let Some(qd20) = &row.qd20_code {
            let holder = qd20_holders.get(qd20.as_str()).copied();
            let moving_with_it = source.is_some_and(|(old, _)| Some(old.as_str()) == holder);
            if let Some(holder) = holder.filter(|h| *h != row.code && !moving_with_it) {
                outcome.refused.push((
                    i,
                    DirectoryError::Qd20Taken {
                        qd20: qd20.clone(),
                        code: row.code.clone(),
                        holder: holder.to_owned(),
                    },
                ));
                continue;
            }
        }
        if let Some((old, was)) = source {
            moves.push((old.as_str(), row.code.as_str(), was));
        }
        if stored.contains_key(&row.code) {
            outcome.updated += 1;
        } else {
            outcome.inserted += 1;
        }
        accepted.push(row);
    }

    // The former rows go first: they may hold the QĐ 20 code the new rows bring along.
    for (old, _, _) in &moves {
        sqlx::query("DELETE FROM agencies WHERE code = $1")
            .bind(*old)
            .execute(&mut *conn)
            .await?;
    }
    upsert_rows(conn, &accepted, now).await?;
    for (old, new, was) in &moves {
        sqlx::query(
            "UPDATE agencies SET endpoint_id = COALESCE(endpoint_id, $2), \
             qd20_code = COALESCE(qd20_code, $3), updated_at = $4 WHERE code = $1",
        )
        .bind(*new)
        .bind(was.endpoint_id)
        .bind(was.qd20_code.as_deref())
        .bind(now)
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE agencies SET parent_code = $1, updated_at = $3 WHERE parent_code = $2")
            .bind(*new)
            .bind(*old)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        outcome
            .renumbered
            .push(((*old).to_owned(), (*new).to_owned()));
    }
    Ok(outcome)
}

/// The stored rows whose code is one of the batch's codes or former codes, or that hold one of
/// its QĐ 20 codes.
async fn stored_rows(
    conn: &mut AnyConnection,
    rows: &[ValidAgency],
    scope: &Scope,
) -> Result<HashMap<String, Stored>, StoreError> {
    let mut codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    codes.extend(rows.iter().filter_map(|r| scope.renumber_source(r)));
    let qd20s: Vec<&str> = rows.iter().filter_map(|r| r.qd20_code.as_deref()).collect();
    let mut sql = format!(
        "SELECT code, qd20_code, endpoint_id FROM agencies WHERE code IN ({})",
        placeholders(1, codes.len())
    );
    if !qd20s.is_empty() {
        sql.push_str(&format!(
            " OR qd20_code IN ({})",
            placeholders(codes.len() + 1, qd20s.len())
        ));
    }
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for value in codes.iter().chain(&qd20s) {
        query = query.bind(*value);
    }
    let mut stored = HashMap::new();
    for row in query.fetch_all(&mut *conn).await? {
        stored.insert(
            row.try_get::<String, _>("code")?,
            Stored {
                qd20_code: row.try_get("qd20_code")?,
                endpoint_id: row.try_get("endpoint_id")?,
            },
        );
    }
    Ok(stored)
}

/// The multi-row upsert. A blank optional field keeps the stored value (see [`super::NewAgency`]).
async fn upsert_rows(
    conn: &mut AnyConnection,
    rows: &[&ValidAgency],
    now: i64,
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut sql = String::with_capacity(64 + rows.len() * 40);
    sql.push_str(
        "INSERT INTO agencies (code, name, parent_code, qd20_code, old_code, email, created_at, updated_at) VALUES ",
    );
    for i in 0..rows.len() {
        let p = 2 + i * 6;
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&format!(
            "(${},${},${},${},${},${},$1,$1)",
            p,
            p + 1,
            p + 2,
            p + 3,
            p + 4,
            p + 5
        ));
    }
    sql.push_str(
        " ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
         parent_code = COALESCE(excluded.parent_code, agencies.parent_code), \
         qd20_code = COALESCE(excluded.qd20_code, agencies.qd20_code), \
         old_code = COALESCE(excluded.old_code, agencies.old_code), \
         email = CASE WHEN excluded.email = '' THEN agencies.email ELSE excluded.email END, \
         updated_at = excluded.updated_at",
    );
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(now);
    for row in rows {
        query = query
            .bind(row.code.as_str())
            .bind(row.name.as_str())
            .bind(row.parent_code.as_deref())
            .bind(row.qd20_code.as_deref())
            .bind(row.old_code.as_deref())
            .bind(row.email.as_str());
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(code: &str, old_code: Option<&str>) -> ValidAgency {
        ValidAgency {
            code: code.into(),
            name: "UBND".into(),
            parent_code: None,
            qd20_code: None,
            old_code: old_code.map(Into::into),
            email: String::new(),
        }
    }

    #[test]
    fn only_a_sole_claim_on_a_code_the_input_no_longer_lists_renumbers() {
        let rows = [
            row("000.00.25.H44", Some("000.00.24.H44")),
            row("000.01.31.H41", Some("000.01.30.H41")),
            row("000.02.31.H41", Some("000.01.30.H41")),
            row("000.00.41.H20", Some("000.00.40.H20")),
            row("000.00.40.H20", None),
        ];
        let scope = Scope::of(&rows);
        let sources: Vec<Option<&str>> = rows.iter().map(|r| scope.renumber_source(r)).collect();
        assert_eq!(sources, [Some("000.00.24.H44"), None, None, None, None]);
    }

    #[test]
    fn placeholders_number_from_the_given_parameter() {
        assert_eq!(placeholders(3, 3), "$3,$4,$5");
        assert_eq!(placeholders(1, 0), "");
    }
}
