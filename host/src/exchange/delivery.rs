//! Push and poll: deliveries to systems reached through a connector adapter, with retries,
//! dead letters and claims that let several nodes share the work.
//!
//! A node claims due deliveries for a lease (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so two nodes
//! never claim the same one), renews the claim just before each delivery (skipping any it no
//! longer holds), delivers it through the receiving endpoint's adapter with the delivery's
//! stable id, and records the outcome only while it still holds the claim. A node that dies
//! leaves its claims to expire; another node then takes them over, and a delivery that was in
//! flight at the moment of death goes again with the same id, which the receiver uses to drop
//! the duplicate.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde_json::json;
use sqlx::{AssertSqlSafe, Row};

use super::adapters::Adapters;
use super::audit::{self, Event};
use super::render;
use super::{Caller, Exchange};
use crate::runtime::{CallError, Delivery as AdapterDelivery, Generation};
use crate::store::{StoreError, now_ms};

/// A delivery this node has claimed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claimed {
    /// The delivery id.
    pub id: String,
    /// The package delivered.
    pub package_id: i64,
    /// The receiving agency.
    pub receiver: String,
    /// Its endpoint.
    pub endpoint_id: i64,
    /// Attempts made before this claim.
    pub attempts: i64,
}

/// A delivery that will not be retried automatically.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeadLetter {
    /// The delivery id.
    pub delivery_id: String,
    /// The package.
    pub package_id: i64,
    /// The document's id.
    pub document_id: String,
    /// The receiving agency.
    pub receiver: String,
    /// Its endpoint.
    pub endpoint: String,
    /// Attempts made.
    pub attempts: i64,
    /// The last error.
    pub last_error: String,
}

impl Exchange {
    /// The delay before retry number `attempt` (1-based): doubling from the base, capped, with
    /// ±20 % jitter so retries of many deliveries do not arrive together.
    pub fn retry_delay(&self, attempt: u32) -> Duration {
        let base = self.settings.retry_base.as_millis() as f64;
        let raw = base * 2f64.powi(attempt.saturating_sub(1).min(30) as i32);
        let capped = raw.min(self.settings.retry_max.as_millis() as f64);
        let jitter = 0.8 + 0.4 * rand::random::<f64>();
        Duration::from_millis((capped * jitter) as u64)
    }

    /// Claims up to `batch` due push/poll deliveries for this node, for one lease.
    pub async fn claim(&self, batch: u32) -> Result<Vec<Claimed>, StoreError> {
        let now = now_ms();
        let until = now + self.settings.claim_lease.as_millis() as i64;
        let lock = match self.store.kind() {
            crate::store::BackendKind::Postgres => "FOR UPDATE OF d SKIP LOCKED",
            crate::store::BackendKind::Sqlite => "",
        };
        let sql = format!(
            "UPDATE deliveries SET claimed_by = $1, claimed_until = $2 WHERE id IN ( \
               SELECT d.id FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id \
               WHERE d.state = 'pending' AND e.mode IN ('push', 'poll') AND d.next_attempt_at <= $3 \
               AND (d.claimed_until IS NULL OR d.claimed_until < $3) \
               ORDER BY d.next_attempt_at LIMIT $4 {lock}) \
             RETURNING id, package_id, receiver, endpoint_id, attempts"
        );
        let mut tx = self.store.begin().await?;
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(self.node.as_ref())
            .bind(until)
            .bind(now)
            .bind(i64::from(batch))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(rows
            .iter()
            .map(|r| {
                Ok(Claimed {
                    id: r.try_get("id")?,
                    package_id: r.try_get("package_id")?,
                    receiver: r.try_get("receiver")?,
                    endpoint_id: r.try_get("endpoint_id")?,
                    attempts: r.try_get("attempts")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?)
    }

    /// Claims and delivers up to `batch` due push/poll deliveries; returns how many it tried.
    pub async fn push_once(&self, adapters: &Adapters, batch: u32) -> Result<usize, StoreError> {
        let claimed = self.claim(batch).await?;
        let n = claimed.len();
        for c in claimed {
            self.deliver_claimed(adapters, &c).await?;
        }
        Ok(n)
    }

    /// Delivers one claimed delivery if this node still holds it (renewing the lease first, so
    /// a batch that takes longer than one lease is never delivered by two nodes at once), and
    /// records the outcome. Returns false when the claim was lost and nothing was done.
    pub async fn deliver_claimed(
        &self,
        adapters: &Adapters,
        c: &Claimed,
    ) -> Result<bool, StoreError> {
        let prepared = self.prepare(adapters, c).await;
        if !self.renew(c).await? {
            tracing::debug!(delivery = %c.id, node = %self.node, "claim lost before delivery; another node has it");
            return Ok(false);
        }
        let outcome = match prepared {
            Ok((generation, delivery)) => {
                let call = generation.deliver(&delivery);
                match self.holding_claim(c, call).await {
                    Some(result) => {
                        result.map_err(|e: CallError| (e.is_retryable(), e.to_string()))
                    }
                    None => return Ok(false),
                }
            }
            Err(e) => Err(e),
        };
        self.record(c, outcome).await?;
        Ok(true)
    }

    /// Runs `call` while renewing the claim on `c` every third of a lease, so a live node's
    /// claim never runs out during a slow delivery and no other node delivers it at the same
    /// time. If the claim is lost all the same (this node stalled for a whole lease, and
    /// another took the delivery over), the call is abandoned to that node: `None`.
    async fn holding_claim<T>(&self, c: &Claimed, call: impl Future<Output = T>) -> Option<T> {
        let every = (self.settings.claim_lease / 3).max(Duration::from_millis(10));
        let mut call = std::pin::pin!(call);
        loop {
            tokio::select! {
                result = &mut call => return Some(result),
                () = tokio::time::sleep(every) => match self.renew(c).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(delivery = %c.id, node = %self.node, "claim lost during the delivery call; abandoned to the node that took it over");
                        return None;
                    }
                    // The store is unreachable: the call goes on; its outcome is recorded
                    // only if the claim still holds by then.
                    Err(e) => tracing::warn!(delivery = %c.id, "cannot renew the claim: {e}"),
                },
            }
        }
    }

    /// Extends this node's claim on `c` by one lease from now; false if the claim is gone (it
    /// expired and another node took it, or the delivery is no longer pending).
    async fn renew(&self, c: &Claimed) -> Result<bool, StoreError> {
        // Still ours even if the lease ran out, as long as no other node has taken it: a taking
        // node rewrites `claimed_by` under the row lock, which this update waits for.
        let until = now_ms() + self.settings.claim_lease.as_millis() as i64;
        let changed = sqlx::query(
            "UPDATE deliveries SET claimed_until = $1 \
             WHERE id = $2 AND claimed_by = $3 AND state = 'pending'",
        )
        .bind(until)
        .bind(&c.id)
        .bind(self.node.as_ref())
        .execute(self.store.pool())
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    /// Releases the claims this node name still holds (those of an earlier run under the same
    /// configured name), so they need not wait for their lease; returns how many.
    pub async fn release_own_claims(&self) -> Result<u64, StoreError> {
        Ok(sqlx::query(
            "UPDATE deliveries SET claimed_by = NULL, claimed_until = NULL \
             WHERE claimed_by = $1 AND state = 'pending'",
        )
        .bind(self.node.as_ref())
        .execute(self.store.pool())
        .await?
        .rows_affected())
    }

    /// Everything a delivery needs before the adapter call: the generation (loaded, compiled if
    /// need be) and the message. Done before the claim is renewed, so the renewed lease only
    /// has to cover the call itself.
    async fn prepare(
        &self,
        adapters: &Adapters,
        c: &Claimed,
    ) -> Result<(Arc<Generation>, AdapterDelivery), (bool, String)> {
        let generation = match adapters.for_endpoint(c.endpoint_id).await {
            Ok(Some(g)) => g,
            Ok(None) => {
                return Err((
                    false,
                    "the endpoint has no adapter to deliver through".into(),
                ));
            }
            Err(e) => return Err((true, e.to_string())),
        };
        let loaded = match render::load(&self.store, c.package_id).await {
            Ok(Some(l)) => l,
            Ok(None) => return Err((false, format!("package {} is missing", c.package_id))),
            Err(e) => return Err((true, e.to_string())),
        };
        let message = loaded
            .to_message()
            .map_err(|e| (true, format!("cannot prepare the message: {e}")))?;
        let delivery = AdapterDelivery {
            id: c.id.clone(),
            receivers: vec![c.receiver.clone()],
            message,
        };
        Ok((generation, delivery))
    }

    async fn record(
        &self,
        c: &Claimed,
        outcome: Result<Option<String>, (bool, String)>,
    ) -> Result<(), StoreError> {
        let doc_key: String = sqlx::query("SELECT doc_key FROM packages WHERE id = $1")
            .bind(c.package_id)
            .fetch_one(self.store.pool())
            .await?
            .try_get("doc_key")?;
        let attempts = c.attempts + 1;
        let mut tx = self.store.begin().await?;
        let (event, detail) = match outcome {
            Ok(remote_id) => {
                let changed = sqlx::query(
                    "UPDATE deliveries SET state = 'delivered', delivered_at = $1, attempts = $2, claimed_by = NULL, claimed_until = NULL, last_error = NULL \
                     WHERE id = $3 AND claimed_by = $4 AND state = 'pending'",
                )
                .bind(now_ms())
                .bind(attempts)
                .bind(&c.id)
                .bind(self.node.as_ref())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    // The claim expired and another node owns it now; its outcome counts.
                    return Ok(());
                }
                (
                    "delivered",
                    json!({ "delivery": c.id, "by": "push", "attempt": attempts, "remote_id": remote_id }),
                )
            }
            Err((retryable, error)) => {
                let dead = !retryable || attempts >= i64::from(self.settings.max_attempts);
                let next = now_ms() + self.retry_delay(attempts as u32).as_millis() as i64;
                let changed = sqlx::query(
                    "UPDATE deliveries SET state = $1, attempts = $2, next_attempt_at = $3, last_error = $4, claimed_by = NULL, claimed_until = NULL \
                     WHERE id = $5 AND claimed_by = $6 AND state = 'pending'",
                )
                .bind(if dead { "dead" } else { "pending" })
                .bind(attempts)
                .bind(next)
                .bind(&error)
                .bind(&c.id)
                .bind(self.node.as_ref())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Ok(());
                }
                if dead {
                    tracing::warn!(delivery = %c.id, receiver = %c.receiver, attempts, "delivery moved to dead letters: {error}");
                    (
                        "dead-letter",
                        json!({ "delivery": c.id, "attempts": attempts, "error": error, "retryable": retryable }),
                    )
                } else {
                    (
                        "retry-scheduled",
                        json!({ "delivery": c.id, "attempt": attempts, "error": error, "next_attempt_at": next }),
                    )
                }
            }
        };
        audit::append(
            &self.store,
            &mut tx,
            Event {
                event,
                package_id: Some(c.package_id),
                document: Some(&doc_key),
                receiver: Some(&c.receiver),
                detail,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The dead letters, oldest first.
    pub async fn dead_letters(&self, limit: u32) -> Result<Vec<DeadLetter>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.id, d.package_id, p.document_id, d.receiver, e.name, d.attempts, d.last_error \
             FROM deliveries d JOIN packages p ON p.id = d.package_id JOIN endpoints e ON e.id = d.endpoint_id \
             WHERE d.state = 'dead' ORDER BY d.id LIMIT $1",
        )
        .bind(i64::from(limit.clamp(1, 10_000)))
        .fetch_all(self.store.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                Ok(DeadLetter {
                    delivery_id: r.try_get("id")?,
                    package_id: r.try_get("package_id")?,
                    document_id: r.try_get("document_id")?,
                    receiver: r.try_get("receiver")?,
                    endpoint: r.try_get("name")?,
                    attempts: r.try_get("attempts")?,
                    last_error: r
                        .try_get::<Option<String>, _>("last_error")?
                        .unwrap_or_default(),
                })
            })
            .collect::<Result<_, sqlx::Error>>()?)
    }

    /// Puts dead letters back in the queue (one, or all when `delivery_id` is `None`), due now,
    /// with a fresh attempt count; returns how many.
    pub async fn retry_dead(&self, delivery_id: Option<&str>) -> Result<u64, StoreError> {
        let mut tx = self.store.begin().await?;
        let rows = sqlx::query("SELECT d.id, d.package_id, d.receiver, p.doc_key FROM deliveries d JOIN packages p ON p.id = d.package_id WHERE d.state = 'dead' AND ($1 = '' OR d.id = $1)")
            .bind(delivery_id.unwrap_or_default())
            .fetch_all(&mut *tx)
            .await?;
        for r in &rows {
            let id: String = r.try_get("id")?;
            let package_id: i64 = r.try_get("package_id")?;
            let receiver: String = r.try_get("receiver")?;
            let doc_key: String = r.try_get("doc_key")?;
            sqlx::query("UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = $1, claimed_by = NULL, claimed_until = NULL WHERE id = $2")
                .bind(now_ms())
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            audit::append(
                &self.store,
                &mut tx,
                Event {
                    event: "dead-letter-retried",
                    package_id: Some(package_id),
                    document: Some(&doc_key),
                    receiver: Some(&receiver),
                    detail: json!({ "delivery": id }),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(rows.len() as u64)
    }

    /// Polls one poll-mode endpoint's legacy system through its adapter, accepts what it
    /// returns, and acknowledges to the system only what is stored (or refused for good).
    pub async fn poll_endpoint(
        &self,
        adapters: &Adapters,
        caller: &Caller,
        max: u32,
    ) -> Result<PollOutcome, CallError> {
        let generation = match adapters.for_endpoint(caller.endpoint_id).await {
            Ok(Some(g)) => g,
            Ok(None) => return Ok(PollOutcome::default()),
            Err(e) => {
                return Err(CallError::Host {
                    adapter: caller.name.clone(),
                    detail: e.to_string(),
                });
            }
        };
        let polled = generation.poll(max).await?;
        let mut outcome = PollOutcome::default();
        let mut tokens = Vec::new();
        for p in polled {
            let transport = format!("poll:{}:{}", caller.name, p.token);
            match self
                .submit_message(caller, p.message, Some(transport))
                .await
            {
                Ok(_) => {
                    outcome.accepted += 1;
                    tokens.push(p.token);
                }
                Err(e) if e.is_retryable() => {
                    // Left with the legacy system: the next poll brings it again.
                    tracing::warn!(endpoint = %caller.name, "polled message not stored yet: {e}");
                    outcome.deferred += 1;
                }
                Err(e) => {
                    tracing::warn!(endpoint = %caller.name, token = %p.token, "polled message refused: {e}");
                    outcome.refused.push(format!("{}: {e}", p.token));
                    tokens.push(p.token);
                }
            }
        }
        if !tokens.is_empty() {
            generation.acknowledge(&tokens).await?;
        }
        Ok(outcome)
    }
}

/// What one poll did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PollOutcome {
    /// Messages stored (or recognised as already stored).
    pub accepted: usize,
    /// Messages that could not be stored now and stay with the legacy system.
    pub deferred: usize,
    /// Messages refused for good (acknowledged so they do not come back), with the reason.
    pub refused: Vec<String>,
}
