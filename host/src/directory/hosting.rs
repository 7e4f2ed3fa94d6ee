//! Hosting: which endpoint serves which agency. An agency has at most one endpoint, so a
//! document addressed to it has exactly one place to go; moving it is an explicit unhost, then
//! host.
//!
//! The checks read first, to name the agency and endpoint in the refusal; the writes carry the
//! same condition, so two operators hosting one agency at once on PostgreSQL cannot both win.

use std::collections::{HashMap, HashSet};

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::store::{StoreError, now_ms};

use super::endpoint::{Endpoint, endpoint_in};
use super::{Directory, DirectoryError, placeholders};

/// Agencies hosted or checked per statement.
const CODES_PER_QUERY: usize = 1_000;

impl Directory {
    /// Makes endpoint `endpoint_name` host `agency_codes`. An agency hosted elsewhere is
    /// refused: moving one is explicit ([`Directory::unhost`] first).
    pub async fn host(
        &self,
        endpoint_name: &str,
        agency_codes: &[String],
    ) -> Result<(), DirectoryError> {
        let mut tx = self.store.begin().await?;
        let endpoint = endpoint_in(&mut tx, endpoint_name).await?;
        host_in(&mut tx, &endpoint, &unique_codes(agency_codes), now_ms()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stops endpoint `endpoint_name` hosting `agency_codes`; each must be hosted by it.
    pub async fn unhost(
        &self,
        endpoint_name: &str,
        agency_codes: &[String],
    ) -> Result<(), DirectoryError> {
        let codes = unique_codes(agency_codes);
        let mut tx = self.store.begin().await?;
        let endpoint = endpoint_in(&mut tx, endpoint_name).await?;
        let hosts = current_hosts(&mut tx, &codes).await?;
        refuse_unhosting(&codes, &hosts, &endpoint)?;
        let released = set_hosting(&mut tx, &endpoint, &codes, Change::Release, now_ms()).await?;
        if released < codes.len() as u64 {
            // Moved by someone else since the check: report it as it now is.
            refuse_unhosting(&codes, &current_hosts(&mut tx, &codes).await?, &endpoint)?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Codes of the agencies endpoint `endpoint_id` hosts, in order.
    pub async fn hosted_agencies(&self, endpoint_id: i64) -> Result<Vec<String>, DirectoryError> {
        Ok(
            sqlx::query_scalar("SELECT code FROM agencies WHERE endpoint_id = $1 ORDER BY code")
                .bind(endpoint_id)
                .fetch_all(self.store.pool())
                .await?,
        )
    }
}

/// Trimmed, non-empty, deduplicated codes in their first order.
pub(super) fn unique_codes(codes: &[String]) -> Vec<String> {
    let mut seen = HashSet::with_capacity(codes.len());
    codes
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty() && seen.insert(*c))
        .map(str::to_owned)
        .collect()
}

/// Hosts `codes` at `endpoint`, refusing unknown agencies and agencies hosted elsewhere.
pub(super) async fn host_in(
    conn: &mut AnyConnection,
    endpoint: &Endpoint,
    codes: &[String],
    now: i64,
) -> Result<(), DirectoryError> {
    refuse_hosting(codes, &current_hosts(conn, codes).await?, endpoint)?;
    let claimed = set_hosting(conn, endpoint, codes, Change::Claim, now).await?;
    if claimed < codes.len() as u64 {
        // Hosted elsewhere, or deleted, since the check: report it as it now is.
        refuse_hosting(codes, &current_hosts(conn, codes).await?, endpoint)?;
    }
    Ok(())
}

/// Refuses if agencies among `codes` are unknown, or hosted by another endpoint (the first in
/// the caller's order is named, so the refusal is the same every time).
fn refuse_hosting(
    codes: &[String],
    hosts: &HashMap<String, Option<String>>,
    endpoint: &Endpoint,
) -> Result<(), DirectoryError> {
    let unknown: Vec<String> = codes
        .iter()
        .filter(|c| !hosts.contains_key(*c))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(DirectoryError::UnknownAgencies(unknown));
    }
    for code in codes {
        if let Some(Some(other)) = hosts.get(code)
            && *other != endpoint.name
        {
            return Err(DirectoryError::AlreadyHosted {
                agency: code.clone(),
                endpoint: other.clone(),
            });
        }
    }
    Ok(())
}

/// Refuses if an agency among `codes` is unknown or not hosted by `endpoint`.
fn refuse_unhosting(
    codes: &[String],
    hosts: &HashMap<String, Option<String>>,
    endpoint: &Endpoint,
) -> Result<(), DirectoryError> {
    for code in codes {
        match hosts.get(code) {
            None => return Err(DirectoryError::UnknownAgency(code.clone())),
            Some(host) if host.as_deref() != Some(endpoint.name.as_str()) => {
                return Err(DirectoryError::NotHostedBy {
                    agency: code.clone(),
                    endpoint: endpoint.name.clone(),
                });
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// For each existing code among `codes`: the name of the endpoint hosting it, if any.
async fn current_hosts(
    conn: &mut AnyConnection,
    codes: &[String],
) -> Result<HashMap<String, Option<String>>, StoreError> {
    let mut hosts = HashMap::with_capacity(codes.len());
    for chunk in codes.chunks(CODES_PER_QUERY) {
        let sql = format!(
            "SELECT a.code, e.name FROM agencies a LEFT JOIN endpoints e ON e.id = a.endpoint_id \
             WHERE a.code IN ({})",
            placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for code in chunk {
            query = query.bind(code.as_str());
        }
        for row in query.fetch_all(&mut *conn).await? {
            hosts.insert(row.try_get("code")?, row.try_get("name")?);
        }
    }
    Ok(hosts)
}

/// A change of hosting.
#[derive(Clone, Copy)]
enum Change {
    /// Host agencies that are unhosted (or hosted here already).
    Claim,
    /// Unhost agencies hosted here.
    Release,
}

/// Applies `change` for `endpoint` to `codes`; returns how many agencies it applied to (fewer
/// than `codes` if some no longer met its condition).
async fn set_hosting(
    conn: &mut AnyConnection,
    endpoint: &Endpoint,
    codes: &[String],
    change: Change,
    now: i64,
) -> Result<u64, StoreError> {
    let mut applied = 0;
    for chunk in codes.chunks(CODES_PER_QUERY) {
        let list = placeholders(3, chunk.len());
        let sql = match change {
            Change::Claim => format!(
                "UPDATE agencies SET endpoint_id = $1, updated_at = $2 \
                 WHERE code IN ({list}) AND (endpoint_id IS NULL OR endpoint_id = $1)"
            ),
            Change::Release => format!(
                "UPDATE agencies SET endpoint_id = NULL, updated_at = $2 \
                 WHERE code IN ({list}) AND endpoint_id = $1"
            ),
        };
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(endpoint.id).bind(now);
        for code in chunk {
            query = query.bind(code.as_str());
        }
        applied += query.execute(&mut *conn).await?.rows_affected();
    }
    Ok(applied)
}
