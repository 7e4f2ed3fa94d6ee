//! Routing: from agency codes to the endpoints that host them, inside the accepting
//! transaction so a package is routed against one consistent directory. Agencies hosted
//! nowhere here go to the operator's upstream endpoint, if one is named (federation,
//! decision 0028) — except for packages that came from the upstream itself, which never go
//! back up.

use std::collections::HashMap;

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::{Caller, Exchange};
use crate::store::StoreError;

/// Where a receiving agency is served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The agency's current code (a renumbered agency is found by its former code too).
    pub receiver: String,
    /// The hosting endpoint.
    pub endpoint_id: i64,
    /// Its name.
    pub endpoint: String,
    /// `pull`, `push` or `poll`.
    pub mode: String,
}

/// Resolves `codes` (deduplicated, in order) to routes; codes of unknown agencies, or of
/// agencies no endpoint hosts, are returned apart.
pub async fn resolve(
    conn: &mut AnyConnection,
    codes: &[String],
) -> Result<(Vec<Route>, Vec<String>), StoreError> {
    let unique = unique(codes);
    let found = resolve_each(conn, &unique).await?;
    Ok(assemble(&unique, |code| found.get(code).cloned().flatten()))
}

/// `codes` without repeats, in order.
pub(crate) fn unique(codes: &[String]) -> Vec<String> {
    let mut unique: Vec<String> = Vec::with_capacity(codes.len());
    for c in codes {
        if !unique.contains(c) {
            unique.push(c.clone());
        }
    }
    unique
}

/// The routes of `unique` codes, in order, as `route_of` gives each (none: unknown or
/// hosted nowhere); an agency named by both its code and its former one is routed once.
pub(crate) fn assemble(
    unique: &[String],
    mut route_of: impl FnMut(&str) -> Option<Route>,
) -> (Vec<Route>, Vec<String>) {
    let mut routes: Vec<Route> = Vec::new();
    let mut unknown = Vec::new();
    for code in unique {
        match route_of(code) {
            Some(r) => {
                if !routes.iter().any(|x| x.receiver == r.receiver) {
                    routes.push(r);
                }
            }
            None => unknown.push(code.clone()),
        }
    }
    (routes, unknown)
}

/// Each of `codes` (without repeats) with its route, or none if the agency is unknown or
/// hosted nowhere. A code is an agency's current code or, failing that, a former one.
pub(crate) async fn resolve_each(
    conn: &mut AnyConnection,
    codes: &[String],
) -> Result<HashMap<String, Option<Route>>, StoreError> {
    if codes.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders: Vec<String> = (1..=codes.len()).map(|i| format!("${i}")).collect();
    let list = placeholders.join(", ");
    let sql = format!(
        "SELECT a.code, a.old_code, a.endpoint_id, e.name, e.mode FROM agencies a \
         LEFT JOIN endpoints e ON e.id = a.endpoint_id \
         WHERE a.code IN ({list}) OR a.old_code IN ({list})"
    );
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for c in codes {
        q = q.bind(c.as_str());
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let mut out = HashMap::with_capacity(codes.len());
    for code in codes {
        let row = rows
            .iter()
            .find(|r| r.try_get::<String, _>("code").is_ok_and(|c| &c == code))
            .or_else(|| {
                rows.iter().find(|r| {
                    r.try_get::<Option<String>, _>("old_code")
                        .is_ok_and(|c| c.as_ref() == Some(code))
                })
            });
        let route = match row {
            None => None,
            Some(row) => match (
                row.try_get::<Option<i64>, _>("endpoint_id")?,
                row.try_get::<Option<String>, _>("name")?,
                row.try_get::<Option<String>, _>("mode")?,
            ) {
                (Some(endpoint_id), Some(endpoint), Some(mode)) => Some(Route {
                    receiver: row.try_get("code")?,
                    endpoint_id,
                    endpoint,
                    mode,
                }),
                _ => None,
            },
        };
        out.insert(code.clone(), route);
    }
    Ok(out)
}

/// The endpoint hosting agency `code`, if any.
pub async fn host_of(conn: &mut AnyConnection, code: &str) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query("SELECT endpoint_id FROM agencies WHERE code = $1 OR old_code = $1 ORDER BY code = $1 DESC LIMIT 1")
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<Option<i64>, _>("endpoint_id")?,
        None => None,
    })
}

/// The upstream endpoint named `name`, as a route target, if it exists.
async fn upstream_route(
    conn: &mut AnyConnection,
    name: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    let row = sqlx::query("SELECT id, mode FROM endpoints WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => Some((r.try_get("id")?, r.try_get("mode")?)),
        None => None,
    })
}

impl Exchange {
    /// The id of the upstream endpoint, if the operator named one and it exists.
    pub(crate) async fn upstream_id(
        &self,
        conn: &mut AnyConnection,
    ) -> Result<Option<i64>, StoreError> {
        let Some(name) = self.settings.upstream.as_deref() else {
            return Ok(None);
        };
        Ok(upstream_route(conn, name).await?.map(|(id, _)| id))
    }

    /// Whether `caller` is the upstream axis.
    pub(crate) async fn is_upstream(
        &self,
        conn: &mut AnyConnection,
        caller: Option<&Caller>,
    ) -> Result<bool, StoreError> {
        let Some(caller) = caller else {
            return Ok(false);
        };
        Ok(self.upstream_id(conn).await? == Some(caller.endpoint_id))
    }

    /// Routes `codes` like [`resolve`], then sends the agencies hosted nowhere here to the
    /// upstream endpoint — unless the package came from there (`caller`), so nothing loops.
    /// With the lookups `generation` the transaction read (decision 0018), directory lookups
    /// come from memory where they can.
    pub(crate) async fn routes(
        &self,
        conn: &mut AnyConnection,
        generation: Option<i64>,
        codes: &[String],
        caller: Option<&Caller>,
    ) -> Result<(Vec<Route>, Vec<String>), StoreError> {
        let (mut routes, unknown) = match generation {
            Some(g) => self.lookups.resolve(conn, g, codes).await?,
            None => resolve(conn, codes).await?,
        };
        let Some(name) = self.settings.upstream.as_deref() else {
            return Ok((routes, unknown));
        };
        if unknown.is_empty() {
            return Ok((routes, unknown));
        }
        let Some((endpoint_id, mode)) = upstream_route(conn, name).await? else {
            tracing::warn!(
                upstream = name,
                "the upstream endpoint does not exist; agencies not hosted here cannot be routed"
            );
            return Ok((routes, unknown));
        };
        if caller.is_some_and(|c| c.endpoint_id == endpoint_id) {
            return Ok((routes, unknown));
        }
        for receiver in unknown {
            routes.push(Route {
                receiver,
                endpoint_id,
                endpoint: name.to_owned(),
                mode: mode.clone(),
            });
        }
        Ok((routes, Vec::new()))
    }
}
