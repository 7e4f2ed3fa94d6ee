//! Pull mailboxes: a receiver's system lists what is waiting for it, fetches each package and
//! acknowledges it. A message stays in the mailbox until acknowledged; acknowledging twice is
//! harmless; an endpoint sees only its own deliveries.

use serde::Serialize;
use serde_json::json;
use sqlx::{AssertSqlSafe, Row};

use super::audit::{self, Event};
use super::render::{self, Loaded};
use super::{Caller, Exchange};
use crate::store::{StoreError, now_ms};

/// One delivery in a mailbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MailboxItem {
    /// The stable delivery id (the same on every redelivery).
    pub delivery_id: String,
    /// The stored package.
    pub package_id: i64,
    /// `document` or `status`.
    pub kind: String,
    /// Sending agency.
    pub sender: String,
    /// Receiving agency (hosted by the caller).
    pub receiver: String,
    /// The document's id (for a status, the document it is about).
    pub document_id: String,
    /// Subject, or a status's description.
    pub subject: String,
    /// For a status, its code.
    pub status_code: Option<String>,
    /// The package's transport id.
    pub transport_id: String,
    /// `pending`, `delivered`, `dead` or `cancelled`.
    pub state: String,
    /// When it was queued (Unix milliseconds).
    pub created_at: i64,
    /// When it was acknowledged.
    pub delivered_at: Option<i64>,
}

/// What to list.
#[derive(Clone, Debug, Default)]
pub struct MailboxFilter {
    /// Only `document` or `status` packages.
    pub kind: Option<String>,
    /// Include acknowledged deliveries too.
    pub include_delivered: bool,
    /// Only deliveries queued after this one (keyset pagination).
    pub after: Option<String>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<u32>,
    /// Queued at or after (Unix milliseconds).
    pub since: Option<i64>,
    /// Queued before (Unix milliseconds).
    pub until: Option<i64>,
}

/// How a receiver acknowledges a delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ack {
    /// Its system took the package.
    Done,
    /// Its system could not take it; keep it in the mailbox.
    Failed(String),
}

/// Why a mailbox operation failed.
#[derive(Debug, thiserror::Error)]
pub enum MailboxError {
    /// No such delivery for this endpoint (another endpoint's deliveries are not revealed).
    #[error("delivery {0} is not in this endpoint's mailbox")]
    NotFound(String),
    /// The delivery was cancelled (its document was revoked before it was fetched).
    #[error(
        "delivery {0} was cancelled: its document was revoked or the receiver removed before it was fetched"
    )]
    Cancelled(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Rendering failed.
    #[error("the package cannot be rendered: {0}")]
    Render(String),
}

impl From<sqlx::Error> for MailboxError {
    fn from(e: sqlx::Error) -> Self {
        MailboxError::Store(StoreError::Sql(e))
    }
}

const ITEM: &str = "d.id AS delivery_id, d.package_id, p.kind, p.sender, d.receiver, p.document_id, p.subject, \
                    p.status_code, p.transport_id, d.state, d.created_at, d.delivered_at";

fn item(r: &sqlx::any::AnyRow) -> Result<MailboxItem, sqlx::Error> {
    Ok(MailboxItem {
        delivery_id: r.try_get("delivery_id")?,
        package_id: r.try_get("package_id")?,
        kind: r.try_get("kind")?,
        sender: r.try_get("sender")?,
        receiver: r.try_get("receiver")?,
        document_id: r.try_get("document_id")?,
        subject: r.try_get("subject")?,
        status_code: r.try_get("status_code")?,
        transport_id: r.try_get("transport_id")?,
        state: r.try_get("state")?,
        created_at: r.try_get("created_at")?,
        delivered_at: r.try_get("delivered_at")?,
    })
}

impl Exchange {
    /// The caller's mailbox, oldest first.
    pub async fn mailbox(
        &self,
        caller: &Caller,
        filter: &MailboxFilter,
    ) -> Result<Vec<MailboxItem>, MailboxError> {
        let limit = filter.limit.unwrap_or(100).clamp(1, 1000) as i64;
        let states = if filter.include_delivered {
            "('pending', 'delivered')"
        } else {
            "('pending')"
        };
        let sql = format!(
            "SELECT {ITEM} FROM deliveries d JOIN packages p ON p.id = d.package_id \
             WHERE d.endpoint_id = $1 AND d.state IN {states} AND ($2 = '' OR p.kind = $2) \
             AND d.id > $3 AND d.created_at >= $4 AND d.created_at < $5 ORDER BY d.id LIMIT $6"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(caller.endpoint_id)
            .bind(filter.kind.clone().unwrap_or_default())
            .bind(filter.after.clone().unwrap_or_default())
            .bind(filter.since.unwrap_or(0))
            .bind(filter.until.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(self.store.pool())
            .await?;
        Ok(rows.iter().map(item).collect::<Result<_, _>>()?)
    }

    /// How many deliveries wait in the caller's mailbox.
    pub async fn pending_count(
        &self,
        caller: &Caller,
        kind: Option<&str>,
    ) -> Result<i64, MailboxError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM deliveries d JOIN packages p ON p.id = d.package_id \
             WHERE d.endpoint_id = $1 AND d.state = 'pending' AND ($2 = '' OR p.kind = $2)",
        )
        .bind(caller.endpoint_id)
        .bind(kind.unwrap_or_default())
        .fetch_one(self.store.pool())
        .await?;
        Ok(row.try_get("n")?)
    }

    /// One delivery of the caller's mailbox, if it is the caller's.
    pub async fn delivery(
        &self,
        caller: &Caller,
        delivery_id: &str,
    ) -> Result<MailboxItem, MailboxError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ITEM} FROM deliveries d JOIN packages p ON p.id = d.package_id WHERE d.id = $1 AND d.endpoint_id = $2"
        )))
        .bind(delivery_id)
        .bind(caller.endpoint_id)
        .fetch_optional(self.store.pool())
        .await?
        .ok_or_else(|| MailboxError::NotFound(delivery_id.to_owned()))?;
        Ok(item(&row)?)
    }

    /// Fetches a delivery's package (it stays in the mailbox until acknowledged).
    pub async fn fetch(
        &self,
        caller: &Caller,
        delivery_id: &str,
    ) -> Result<(MailboxItem, Loaded), MailboxError> {
        let item = self.delivery(caller, delivery_id).await?;
        if item.state == "cancelled" {
            return Err(MailboxError::Cancelled(delivery_id.to_owned()));
        }
        let loaded = render::load(&self.store, item.package_id)
            .await?
            .ok_or_else(|| MailboxError::NotFound(delivery_id.to_owned()))?;
        Ok((item, loaded))
    }

    /// Acknowledges a delivery; acknowledging again changes nothing.
    pub async fn acknowledge(
        &self,
        caller: &Caller,
        delivery_id: &str,
        ack: Ack,
    ) -> Result<MailboxItem, MailboxError> {
        let item = self.delivery(caller, delivery_id).await?;
        let doc_key: String = sqlx::query("SELECT doc_key FROM packages WHERE id = $1")
            .bind(item.package_id)
            .fetch_one(self.store.pool())
            .await?
            .try_get("doc_key")?;
        let mut tx = self.store.begin().await?;
        match &ack {
            Ack::Done => {
                let changed = sqlx::query("UPDATE deliveries SET state = 'delivered', delivered_at = $1 WHERE id = $2 AND state = 'pending'")
                    .bind(now_ms())
                    .bind(delivery_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if changed > 0 {
                    audit::append(
                        &self.store,
                        &mut tx,
                        Event {
                            event: "delivered",
                            package_id: Some(item.package_id),
                            document: Some(&doc_key),
                            receiver: Some(&item.receiver),
                            detail: json!({ "delivery": delivery_id, "by": "pull", "endpoint": caller.name }),
                        },
                    )
                    .await?;
                }
            }
            Ack::Failed(reason) => {
                audit::append(
                    &self.store,
                    &mut tx,
                    Event {
                        event: "receiver-failed",
                        package_id: Some(item.package_id),
                        document: Some(&doc_key),
                        receiver: Some(&item.receiver),
                        detail: json!({ "delivery": delivery_id, "reason": reason, "endpoint": caller.name }),
                    },
                )
                .await?;
            }
        }
        tx.commit().await?;
        self.delivery(caller, delivery_id).await
    }
}
