//! What ingest looks up for every package — the endpoint hosting the sender, the receivers'
//! routes, the paperless catalogue, the signature rules — kept in memory and checked against
//! the store's `lookups_generation`, a counter that triggers bump on every change to those
//! tables, made by any process or node (migration 0005, decision 0018). One small read per
//! package then replaces a read per lookup, and a change still applies to the very next
//! package: whoever reads a newer generation starts the cache over.
//!
//! An entry is only ever used, or stored, under the generation its reader read *before*
//! looking it up, so an entry read around a change is never kept past it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sqlx::{AnyConnection, Row};

use super::route::{self, Route};
use crate::policy::PolicyError;
use crate::policy::catalogue::{self, DocType};
use crate::policy::rules::{self, Rule};
use crate::store::StoreError;

/// Entries per map beyond which the map starts over: codes of unknown agencies are kept too,
/// and a sender may name any number of them.
const MAX_ENTRIES: usize = 200_000;

/// The cache; one per engine.
#[derive(Debug, Default)]
pub(crate) struct Lookups {
    cached: Mutex<Cached>,
}

#[derive(Debug, Default)]
struct Cached {
    generation: i64,
    hosts: HashMap<String, Option<i64>>,
    routes: HashMap<String, Option<Route>>,
    catalogue: Option<Arc<[DocType]>>,
    rules: Option<Arc<[Rule]>>,
}

/// The store's current lookups generation.
pub(crate) async fn generation(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT n FROM lookups_generation WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get("n")?)
}

fn bounded<V>(map: &mut HashMap<String, V>) -> &mut HashMap<String, V> {
    if map.len() >= MAX_ENTRIES {
        map.clear();
    }
    map
}

impl Lookups {
    /// Runs `f` on the cache as of `generation`, starting it over if it held another one (a
    /// newer generation after a change; an older one only while readers race a change, or
    /// after the database was restored from a backup).
    fn at<T>(&self, generation: i64, f: impl FnOnce(&mut Cached) -> T) -> T {
        let mut cached = self.cached.lock().unwrap_or_else(|e| e.into_inner());
        if cached.generation != generation {
            *cached = Cached {
                generation,
                ..Cached::default()
            };
        }
        f(&mut cached)
    }

    /// The endpoint hosting agency `code` (by its code or a former one), like
    /// [`route::host_of`].
    pub(crate) async fn host_of(
        &self,
        conn: &mut AnyConnection,
        generation: i64,
        code: &str,
    ) -> Result<Option<i64>, StoreError> {
        if let Some(hit) = self.at(generation, |c| c.hosts.get(code).copied()) {
            return Ok(hit);
        }
        let found = route::host_of(conn, code).await?;
        self.at(generation, |c| {
            bounded(&mut c.hosts).insert(code.to_owned(), found);
        });
        Ok(found)
    }

    /// Routes `codes` like [`route::resolve`].
    pub(crate) async fn resolve(
        &self,
        conn: &mut AnyConnection,
        generation: i64,
        codes: &[String],
    ) -> Result<(Vec<Route>, Vec<String>), StoreError> {
        let unique = route::unique(codes);
        let known: Vec<Option<Option<Route>>> = self.at(generation, |c| {
            unique.iter().map(|k| c.routes.get(k).cloned()).collect()
        });
        let missing: Vec<String> = unique
            .iter()
            .zip(&known)
            .filter(|(_, k)| k.is_none())
            .map(|(code, _)| code.clone())
            .collect();
        let found = route::resolve_each(conn, &missing).await?;
        if !found.is_empty() {
            self.at(generation, |c| {
                let routes = bounded(&mut c.routes);
                for (code, route) in &found {
                    routes.insert(code.clone(), route.clone());
                }
            });
        }
        let mut known = known.into_iter();
        Ok(route::assemble(&unique, |code| match known.next() {
            Some(Some(route)) => route,
            _ => found.get(code).cloned().flatten(),
        }))
    }

    /// The paperless catalogue and the signature rules.
    pub(crate) async fn policy(
        &self,
        conn: &mut AnyConnection,
        generation: i64,
    ) -> Result<(Arc<[DocType]>, Arc<[Rule]>), PolicyError> {
        if let (Some(types), Some(rules)) =
            self.at(generation, |c| (c.catalogue.clone(), c.rules.clone()))
        {
            return Ok((types, rules));
        }
        let types: Arc<[DocType]> = catalogue::all(conn).await?.into();
        let rules: Arc<[Rule]> = rules::all(conn).await?.into();
        self.at(generation, |c| {
            c.catalogue = Some(types.clone());
            c.rules = Some(rules.clone());
        });
        Ok((types, rules))
    }
}
