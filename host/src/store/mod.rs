//! The store: SQLite (WAL, embedded, the default) or PostgreSQL (several nodes), chosen at
//! start from a URL. Both speak the same schema (`migrations/{sqlite,postgres}`), migrated at
//! open, through one code path (`sqlx::Any`): queries are written once with `$N` placeholders,
//! which both drivers bind by number. The few dialect differences (row locking, how a write
//! transaction starts) are methods of [`Store`].

pub mod attachments;
pub mod script;

use std::path::Path;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, Executor, Transaction};

/// The database of a hub.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    kind: BackendKind,
    /// SQLite: the ingest writer's own connection (decision 0018), so that it never queues
    /// for one behind the reads of the ingests it serves.
    writer: Option<AnyPool>,
}

/// Which backend a store uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL, shared by any number of nodes.
    Postgres,
}

/// A write transaction.
pub type Tx = Transaction<'static, Any>;

/// Why the store could not be opened or used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL is not one we understand.
    #[error("database URL `{0}` is neither sqlite:… nor postgres://…")]
    BadUrl(String),
    /// Connecting failed.
    #[error("cannot open the database ({url}): {source}")]
    Connect {
        /// Where (passwords removed).
        url: String,
        /// Why.
        source: sqlx::Error,
    },
    /// A migration failed.
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A query failed.
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    /// Stored data is not what the code expects.
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The file of a `sqlite:PATH` URL (its query, if any, dropped).
fn sqlite_path(url: &str) -> &str {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    path.split('?').next().unwrap_or(path)
}

/// A pool of up to `max` connections to the SQLite database at `path`, created if missing.
async fn sqlite_pool(max: u32, path: &str) -> Result<AnyPool, sqlx::Error> {
    AnyPoolOptions::new()
        .max_connections(max)
        // A connection to a file in this process cannot go stale as a network one can;
        // testing it at every acquire cost a round trip to its worker thread per read
        // (decision 0018).
        .test_before_acquire(false)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                // WAL for concurrent readers; FULL so a committed message survives power
                // loss, not only a crash of the process. Temporary storage in memory: the
                // group commit's savepoints (decision 0012) keep their sub-journals there
                // instead of writing a temporary file for every page an ingest touches
                // (durability is the WAL's).
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000; \
                     PRAGMA temp_store = MEMORY;",
                )
                .await?;
                Ok(())
            })
        })
        .connect(&format!("sqlite://{path}?mode=rwc"))
        .await
}

impl Store {
    /// Opens (creating if needed) and migrates the database at `url`: `sqlite:PATH` or
    /// `postgres://…`.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        install_default_drivers();
        let kind = if url.starts_with("sqlite:") {
            BackendKind::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            BackendKind::Postgres
        } else {
            return Err(StoreError::BadUrl(redact(url)));
        };
        let connect_error = |source| StoreError::Connect {
            url: redact(url),
            source,
        };
        let pool = match kind {
            BackendKind::Sqlite => {
                let path = sqlite_path(url);
                if let Some(dir) = Path::new(path)
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                {
                    std::fs::create_dir_all(dir).map_err(|e| connect_error(sqlx::Error::Io(e)))?;
                }
                sqlite_pool(8, path).await.map_err(connect_error)?
            }
            BackendKind::Postgres => AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await
                .map_err(connect_error)?,
        };
        let writer = match kind {
            BackendKind::Sqlite => {
                SQLITE_MIGRATIONS.run(&pool).await?;
                let path = sqlite_path(url);
                Some(sqlite_pool(1, path).await.map_err(connect_error)?)
            }
            BackendKind::Postgres => {
                POSTGRES_MIGRATIONS.run(&pool).await?;
                None
            }
        };
        Ok(Store { pool, kind, writer })
    }

    /// Which backend this is.
    pub fn kind(&self) -> BackendKind {
        self.kind
    }

    /// The connection pool, for reads.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts the ingest writer's transaction: on SQLite on the writer's own connection,
    /// elsewhere like [`Store::begin`].
    pub(crate) async fn begin_writer(&self) -> Result<Tx, StoreError> {
        match &self.writer {
            Some(writer) => Ok(writer.begin_with("BEGIN IMMEDIATE").await?),
            None => self.begin().await,
        }
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so two writers queue instead of failing when both try to upgrade.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self.kind {
            BackendKind::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            BackendKind::Postgres => self.pool.begin().await?,
        })
    }

    /// Starts a read-only transaction whose every query sees the same snapshot, so figures
    /// read by several queries agree with each other: a deferred transaction on SQLite (WAL
    /// keeps its snapshot from the first read on), `REPEATABLE READ, READ ONLY` on PostgreSQL.
    pub async fn begin_snapshot(&self) -> Result<Tx, StoreError> {
        Ok(match self.kind {
            BackendKind::Sqlite => self.pool.begin().await?,
            BackendKind::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await?
            }
        })
    }

    /// `FOR UPDATE SKIP LOCKED` on PostgreSQL (so nodes claim different rows), nothing on SQLite
    /// (whose single writer already serialises claims).
    pub fn skip_locked(&self) -> &'static str {
        match self.kind {
            BackendKind::Sqlite => "",
            BackendKind::Postgres => "FOR UPDATE SKIP LOCKED",
        }
    }

    /// `FOR UPDATE` on PostgreSQL, nothing on SQLite.
    pub fn for_update(&self) -> &'static str {
        match self.kind {
            BackendKind::Sqlite => "",
            BackendKind::Postgres => "FOR UPDATE",
        }
    }

    /// Closes the pool, waiting for connections in use.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Removes a password from a database URL before it is shown.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{}:***{}", &url[..s + 3], user, &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// Now, as Unix milliseconds (the store's time unit).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_appear_in_shown_urls() {
        assert_eq!(
            redact("postgres://truc:s3cret@db:5432/truc"),
            "postgres://truc:***@db:5432/truc"
        );
        assert_eq!(
            redact("sqlite:./truc-data/truc.db"),
            "sqlite:./truc-data/truc.db"
        );
    }
}
