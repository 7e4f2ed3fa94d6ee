//! Both store backends for tests: SQLite in a temporary directory, and PostgreSQL on
//! 127.0.0.1:5432 (database `test`, user `postgres`) in a schema of its own per test, dropped
//! afterwards, so tests run in parallel without seeing each other.

#![allow(dead_code)]

use sqlx::Executor;
use truc::store::Store;

/// The PostgreSQL server tests use.
pub const POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A store for one test; dropping it removes its data.
pub struct TestStore {
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
    schema: Option<String>,
}

impl std::ops::Deref for TestStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let Some(schema) = self.schema.take() {
            // Drop the schema on a runtime of its own: Drop cannot await.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let pool = sqlx::AnyPool::connect(POSTGRES).await.ok()?;
                    pool.execute(sqlx::AssertSqlSafe(format!(
                        "DROP SCHEMA IF EXISTS {schema} CASCADE"
                    )))
                    .await
                    .ok()
                })
            })
            .join();
        }
    }
}

impl TestStore {
    /// The URL other processes open this store with (PostgreSQL only: SQLite is in-process).
    pub fn postgres_url(&self) -> Option<String> {
        self.schema
            .as_ref()
            .map(|s| format!("{POSTGRES}?options[search_path]={s}"))
    }
}

/// A fresh SQLite store.
pub async fn sqlite() -> TestStore {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite:{}", dir.path().join("truc.db").display()))
        .await
        .expect("open SQLite");
    TestStore {
        store,
        _dir: Some(dir),
        schema: None,
    }
}

/// A fresh PostgreSQL store in a new schema. Fails (never skips) if the server is down.
pub async fn postgres() -> TestStore {
    sqlx::any::install_default_drivers();
    let schema = format!("truc_t_{:016x}", rand::random::<u64>());
    let admin = sqlx::AnyPool::connect(POSTGRES).await.unwrap_or_else(|e| {
        panic!("PostgreSQL is not reachable at 127.0.0.1:5432 ({e}); start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start")
    });
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .await
        .expect("create a test schema");
    admin.close().await;
    let store = Store::open(&format!("{POSTGRES}?options[search_path]={schema}"))
        .await
        .expect("open PostgreSQL");
    TestStore {
        store,
        _dir: None,
        schema: Some(schema),
    }
}

/// Declares one test per backend running the async function `$body(store)`.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let store = $crate::backends::sqlite().await;
                super::$body(store.store.clone()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let store = $crate::backends::postgres().await;
                super::$body(store.store.clone()).await;
            }
        }
    };
}
