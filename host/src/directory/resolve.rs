//! Routing look-up: from the codes a package is addressed to, to the current agencies and the
//! endpoints that host them — one query for the whole list.

use std::collections::HashMap;

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::store::StoreError;

use super::endpoint::Mode;
use super::{Directory, DirectoryError, placeholders};

/// Codes looked up by one statement; a package has at most a few hundred receivers.
const CODES_PER_QUERY: usize = 1_000;

/// The endpoint that hosts an agency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hosting {
    /// Endpoint id (what deliveries reference).
    pub id: i64,
    /// Endpoint name.
    pub name: String,
    /// How it receives.
    pub mode: Mode,
}

/// What one requested code resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// A current agency: the code itself, or the agency renumbered from it.
    Found {
        /// The code as requested (trimmed).
        requested: String,
        /// The agency's current code.
        agency: String,
        /// Its endpoint; `None` if no endpoint hosts it (known, but unreachable).
        endpoint: Option<Hosting>,
    },
    /// No agency has this code, current or former.
    Unknown {
        /// The code as requested (trimmed).
        requested: String,
    },
    /// Several agencies were renumbered from this code, so it names none of them.
    Ambiguous {
        /// The code as requested (trimmed).
        requested: String,
        /// Their current codes.
        candidates: Vec<String>,
    },
}

impl Resolution {
    /// The code as requested.
    pub fn requested(&self) -> &str {
        match self {
            Resolution::Found { requested, .. }
            | Resolution::Unknown { requested }
            | Resolution::Ambiguous { requested, .. } => requested,
        }
    }

    /// The hosting endpoint, if the code names a hosted agency.
    pub fn hosting(&self) -> Option<&Hosting> {
        match self {
            Resolution::Found { endpoint, .. } => endpoint.as_ref(),
            _ => None,
        }
    }
}

impl Directory {
    /// Resolves each of `codes` (in order, duplicates kept) to its current agency and endpoint.
    pub async fn resolve(&self, codes: &[String]) -> Result<Vec<Resolution>, DirectoryError> {
        let mut conn = self.store.pool().acquire().await.map_err(StoreError::Sql)?;
        Ok(resolve_with(&mut conn, codes).await?)
    }
}

/// A matching row: the agency, the former code it lists, and its endpoint.
struct Match {
    code: String,
    old_code: Option<String>,
    endpoint: Option<Hosting>,
}

/// [`Directory::resolve`] on a given connection, so the exchange can route inside the
/// transaction that accepts a package.
pub async fn resolve_with(
    conn: &mut AnyConnection,
    codes: &[String],
) -> Result<Vec<Resolution>, StoreError> {
    let requested: Vec<&str> = codes.iter().map(|c| c.trim()).collect();
    let mut unique: Vec<&str> = requested.clone();
    unique.sort_unstable();
    unique.dedup();
    let mut matches: Vec<Match> = Vec::new();
    for chunk in unique.chunks(CODES_PER_QUERY) {
        let list = placeholders(1, chunk.len());
        let sql = format!(
            "SELECT a.code, a.old_code, e.id AS endpoint_id, e.name AS endpoint, e.mode \
             FROM agencies a LEFT JOIN endpoints e ON e.id = a.endpoint_id \
             WHERE a.code IN ({list}) OR a.old_code IN ({list})"
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for code in chunk {
            query = query.bind(*code);
        }
        for row in query.fetch_all(&mut *conn).await? {
            let endpoint = match row.try_get::<Option<i64>, _>("endpoint_id")? {
                Some(id) => {
                    let mode: String = row.try_get("mode")?;
                    Some(Hosting {
                        id,
                        name: row.try_get("endpoint")?,
                        mode: mode.parse().map_err(StoreError::Corrupt)?,
                    })
                }
                None => None,
            };
            matches.push(Match {
                code: row.try_get("code")?,
                old_code: row.try_get("old_code")?,
                endpoint,
            });
        }
    }
    // A row can match two chunks (by code in one, by former code in another).
    matches.sort_unstable_by(|a, b| a.code.cmp(&b.code));
    matches.dedup_by(|a, b| a.code == b.code);
    let by_code: HashMap<&str, &Match> = matches.iter().map(|m| (m.code.as_str(), m)).collect();
    let mut by_old_code: HashMap<&str, Vec<&Match>> = HashMap::new();
    for m in &matches {
        if let Some(old) = &m.old_code {
            by_old_code.entry(old.as_str()).or_default().push(m);
        }
    }
    Ok(requested
        .into_iter()
        .map(|code| {
            let found = |m: &Match| Resolution::Found {
                requested: code.to_owned(),
                agency: m.code.clone(),
                endpoint: m.endpoint.clone(),
            };
            if let Some(m) = by_code.get(code) {
                return found(m);
            }
            match by_old_code.get(code).map(Vec::as_slice) {
                Some([m]) => found(m),
                Some(several) if !several.is_empty() => Resolution::Ambiguous {
                    requested: code.to_owned(),
                    candidates: several.iter().map(|m| m.code.clone()).collect(),
                },
                _ => Resolution::Unknown {
                    requested: code.to_owned(),
                },
            }
        })
        .collect())
}
