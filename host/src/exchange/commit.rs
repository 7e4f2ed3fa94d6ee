//! Group commit: one writer per node takes every ingest waiting, runs each in its own savepoint
//! inside one transaction, commits once, then answers them all. A package is still acknowledged
//! only after the commit that holds it, but one disk flush now serves many packages.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::Receipt;
use super::error::IngestError;
use crate::store::{BackendKind, Store, Tx};

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The most packages one transaction carries.
const MAX_BATCH: usize = 64;

/// The work of one ingest inside the shared transaction.
pub(crate) type Job =
    Box<dyn for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<Receipt, IngestError>> + Send>;

type Request = (Job, oneshot::Sender<Result<Receipt, IngestError>>);

/// The handle ingests queue their work on.
#[derive(Debug, Default)]
pub(crate) struct Committer {
    queue: std::sync::OnceLock<mpsc::Sender<Request>>,
}

impl Committer {
    /// Runs `job` and returns once the transaction holding it is committed: on SQLite the
    /// node's next group transaction (one writer, one disk flush per batch); on PostgreSQL a
    /// transaction of its own, because there per-package transactions overlap their network
    /// round trips, which measured faster than one serial writer (decision 0012).
    pub(crate) async fn run(
        self: &Arc<Self>,
        store: &Store,
        job: Job,
    ) -> Result<Receipt, IngestError> {
        if store.kind() == BackendKind::Postgres {
            let mut tx = store.begin().await?;
            let receipt = job(&mut tx).await?;
            tx.commit().await?;
            return Ok(receipt);
        }
        let queue = self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel(1024);
            tokio::spawn(writer(store.clone(), rx));
            tx
        });
        let (reply, answer) = oneshot::channel();
        queue
            .send((job, reply))
            .await
            .map_err(|_| IngestError::Internal("the ingest writer has stopped".into()))?;
        answer.await.map_err(|_| {
            IngestError::Internal("the ingest writer stopped mid-transaction".into())
        })?
    }
}

async fn writer(store: Store, mut rx: mpsc::Receiver<Request>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
        let mut tx = match store.begin().await {
            Ok(tx) => tx,
            Err(e) => {
                for (_, reply) in batch {
                    let _ = reply.send(Err(IngestError::Internal(format!(
                        "cannot start a transaction: {e}"
                    ))));
                }
                continue;
            }
        };
        let mut done = Vec::with_capacity(batch.len());
        for (job, reply) in batch {
            let result = match sqlx::query("SAVEPOINT ingest").execute(&mut *tx).await {
                Ok(_) => {
                    let r = job(&mut tx).await;
                    // A refused package leaves nothing behind; the others in the batch stay.
                    let undone = if r.is_ok() {
                        Ok(())
                    } else {
                        sqlx::query("ROLLBACK TO SAVEPOINT ingest")
                            .execute(&mut *tx)
                            .await
                            .map(|_| ())
                    };
                    let released = sqlx::query("RELEASE SAVEPOINT ingest")
                        .execute(&mut *tx)
                        .await;
                    match undone.and(released) {
                        Ok(_) => r,
                        Err(e) => Err(IngestError::Store(e.into())),
                    }
                }
                Err(e) => Err(IngestError::Store(e.into())),
            };
            done.push((result, reply));
        }
        match tx.commit().await {
            Ok(()) => {
                for (result, reply) in done {
                    let _ = reply.send(result);
                }
            }
            Err(e) => {
                let message = format!("the transaction could not be committed: {e}");
                for (result, reply) in done {
                    let _ = reply.send(result.and(Err(IngestError::Internal(message.clone()))));
                }
            }
        }
    }
}
