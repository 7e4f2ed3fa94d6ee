//! Group commit: one writer per node takes every ingest waiting, runs each in its own savepoint
//! inside one transaction, commits once, then answers them all. A package is still acknowledged
//! only after the commit that holds it, but one disk flush now serves many packages.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use sqlx::Row;

use super::Receipt;
use super::audit::Head;
use super::error::IngestError;
use crate::store::{BackendKind, Store, StoreError, Tx};

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The most packages one transaction carries.
const MAX_BATCH: usize = 64;

/// The work of one ingest inside the shared transaction.
pub(crate) type Job = Box<
    dyn for<'t> FnOnce(&'t mut Tx, &'t mut Batch) -> BoxFuture<'t, Result<Receipt, IngestError>>
        + Send,
>;

/// What a job's transaction knows of the store without asking it. The SQLite writer's
/// transaction holds the database's write lock from its start (`BEGIN IMMEDIATE`), so it
/// reads the audit chain's head and the next package id once and advances them itself: a
/// document's rows and its audit entry then reach SQLite in one round trip (decision 0017).
/// Elsewhere (PostgreSQL, whose transactions overlap) both are read where they are used.
#[derive(Clone, Debug, Default)]
pub(crate) struct Batch {
    /// The audit chain's head.
    pub head: Head,
    /// The id the next package row gets, when the transaction owns the sequence.
    pub next_package_id: Option<i64>,
    /// The lookups generation the transaction read, when routes may come from memory
    /// (decision 0018).
    pub generation: Option<i64>,
}

impl Batch {
    /// What a transaction holding SQLite's write lock knows at its start.
    async fn hold(tx: &mut Tx) -> Result<Batch, StoreError> {
        let head = Head::hold(tx).await?;
        // AUTOINCREMENT's rule: past both the largest id ever given and the largest present.
        let row = sqlx::query(
            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'packages'), 0), \
             COALESCE((SELECT MAX(id) FROM packages), 0)) AS last, \
             (SELECT n FROM lookups_generation WHERE id = 1) AS generation",
        )
        .fetch_one(&mut **tx)
        .await?;
        let last: i64 = row.try_get("last")?;
        Ok(Batch {
            head,
            next_package_id: Some(last + 1),
            generation: Some(row.try_get("generation")?),
        })
    }
}

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
            let receipt = job(&mut tx, &mut Batch::default()).await?;
            tx.commit().await?;
            return Ok(receipt);
        }
        let queue = self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel(1024);
            spawn_writer(store.clone(), rx);
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

/// Starts the writer on a thread of its own, with a runtime of its own: on the shared runtime
/// it waited behind every ingest task in the run queue after each of its round trips to
/// SQLite, and the node's one serial path ran at the pace of the queue, with the processors
/// half idle (decision 0018). It stops when the queue's sender is dropped.
fn spawn_writer(store: Store, rx: mpsc::Receiver<Request>) {
    let started = std::thread::Builder::new()
        .name("truc-ingest-writer".into())
        .spawn(move || {
            match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime.block_on(writer(store, rx)),
                // Dropping `rx` answers every queued and later ingest with "the ingest
                // writer has stopped".
                Err(e) => tracing::error!("cannot start the ingest writer's runtime: {e}"),
            }
        });
    if let Err(e) = started {
        tracing::error!("cannot start the ingest writer's thread: {e}");
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
        let (jobs, replies): (Vec<Job>, Vec<_>) = batch.into_iter().unzip();
        match run_batch(&store, jobs).await {
            Ok(results) => {
                for (result, reply) in results.into_iter().zip(replies) {
                    let _ = reply.send(result);
                }
            }
            // Nothing of the batch was committed: every package in it is refused, none is
            // half-stored, and each sender may retry.
            Err(e) => {
                let message = format!("the store's transaction failed: {e}");
                for reply in replies {
                    let _ = reply.send(Err(IngestError::Internal(message.clone())));
                }
            }
        }
    }
}

/// Runs `jobs` in one transaction, each in a savepoint of its own, and commits: a refused
/// package leaves nothing behind, the others stay. Returns each job's answer, valid only
/// because the commit succeeded; an error means nothing was committed. Savepoints cost one
/// round trip per job: releasing one job's and opening the next's go to SQLite together.
async fn run_batch(
    store: &Store,
    jobs: Vec<Job>,
) -> Result<Vec<Result<Receipt, IngestError>>, StoreError> {
    let mut tx = store.begin_writer().await?;
    let mut known = Batch::hold(&mut tx).await?;
    let mut results = Vec::with_capacity(jobs.len());
    let mut next = "SAVEPOINT ingest";
    let last = jobs.len().saturating_sub(1);
    for (i, job) in jobs.into_iter().enumerate() {
        sqlx::query(next).execute(&mut *tx).await?;
        let before = known.clone();
        let result = job(&mut tx, &mut known).await;
        next = match (result.is_ok(), i == last) {
            (true, false) => "RELEASE SAVEPOINT ingest; SAVEPOINT ingest",
            // The commit releases the last savepoint with everything else.
            (true, true) => "",
            (false, false) => {
                "ROLLBACK TO SAVEPOINT ingest; RELEASE SAVEPOINT ingest; SAVEPOINT ingest"
            }
            (false, true) => "ROLLBACK TO SAVEPOINT ingest; RELEASE SAVEPOINT ingest",
        };
        if result.is_err() {
            // The savepoint takes back the job's rows, so what it advanced goes back too.
            known = before;
        }
        results.push(result);
    }
    if !next.is_empty() {
        sqlx::query(next).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::audit::{self, Event};
    use crate::store::script::Script;

    /// A job that appends an audit entry for `n`, then fails if `refuse`.
    fn job(store: &Store, n: i64, refuse: bool) -> Job {
        let store = store.clone();
        Box::new(move |tx, batch| {
            Box::pin(async move {
                let event = Event {
                    event: "test",
                    package_id: Some(n),
                    ..Event::default()
                };
                audit::append_after(&store, tx, &mut batch.head, Script::new(), event).await?;
                if refuse {
                    return Err(IngestError::Internal(
                        "refused after its audit entry".into(),
                    ));
                }
                Ok(Receipt {
                    package_id: n,
                    transport_id: String::new(),
                    kind: "document".into(),
                    sender: String::new(),
                    document_id: String::new(),
                    duplicate: false,
                    deliveries: Vec::new(),
                    unknown_receivers: Vec::new(),
                    ignored: None,
                    warnings: Vec::new(),
                })
            })
        })
    }

    /// The writer hands the audit head from job to job within its transaction; a job refused
    /// after appending is rolled back to its savepoint, and so must the head be, or the next
    /// job's entry would link to one that was never stored.
    #[tokio::test]
    async fn a_job_refused_after_appending_gives_the_audit_head_back() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("truc.db").display());
        let store = Store::open(&url).await.unwrap();
        // All three are queued before the writer starts, so they share one transaction.
        let (queue, rx) = mpsc::channel(8);
        let mut answers = Vec::new();
        for (n, refuse) in [(1, false), (2, true), (3, false)] {
            let (reply, answer) = oneshot::channel();
            queue.send((job(&store, n, refuse), reply)).await.unwrap();
            answers.push(answer);
        }
        drop(queue);
        writer(store.clone(), rx).await;
        let [a, b, c] = <[_; 3]>::try_from(answers).unwrap();
        let (a, b, c) = (a.await.unwrap(), b.await.unwrap(), c.await.unwrap());
        assert_eq!(a.unwrap().package_id, 1);
        assert!(b.is_err());
        assert_eq!(c.unwrap().package_id, 3);
        let v = audit::verify(&store).await.unwrap();
        assert_eq!(v.entries, 2);
        assert!(v.first_break.is_none(), "{v:?}");
    }
}
