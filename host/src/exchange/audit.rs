//! The audit log: every state change, appended to a SHA-256 hash chain.
//!
//! Each entry's hash covers the previous entry's hash and the entry's own fields, so changing,
//! removing or reordering any entry breaks every hash after it. `audit_head` holds the last
//! sequence number and hash; appending updates it in the same transaction as the change it
//! records, which serialises appends across nodes (a row lock on PostgreSQL, the write lock on
//! SQLite). The chain can be checked offline from an export with [`verify_entries`].

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::store::script::Script;
use crate::store::{Store, StoreError, now_ms};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Entry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When (Unix milliseconds).
    pub at: i64,
    /// What happened, e.g. `accepted`, `delivered`, `status`, `dead-letter`.
    pub event: String,
    /// The package concerned, if any.
    pub package_id: Option<i64>,
    /// The document concerned, as `sender,DocumentId` (the timeline key).
    pub document: Option<String>,
    /// The receiving agency concerned, if any.
    pub receiver: Option<String>,
    /// Details (JSON).
    pub detail: String,
    /// Hash of the previous entry.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

/// What to record.
#[derive(Clone, Debug, Default)]
pub struct Event<'a> {
    /// What happened.
    pub event: &'a str,
    /// The package concerned.
    pub package_id: Option<i64>,
    /// The document concerned (`sender,DocumentId`).
    pub document: Option<&'a str>,
    /// The receiving agency concerned.
    pub receiver: Option<&'a str>,
    /// Details.
    pub detail: serde_json::Value,
}

/// The hashed fields of an entry, borrowed.
#[derive(Clone, Copy, Debug)]
pub struct Link<'a> {
    /// Hash of the previous entry.
    pub prev_hash: &'a str,
    /// Position in the chain.
    pub seq: i64,
    /// When (Unix milliseconds).
    pub at: i64,
    /// What happened.
    pub event: &'a str,
    /// The package concerned.
    pub package_id: Option<i64>,
    /// The document concerned.
    pub document: Option<&'a str>,
    /// The receiving agency concerned.
    pub receiver: Option<&'a str>,
    /// Details (JSON text).
    pub detail: &'a str,
}

impl Entry {
    /// The fields this entry's hash covers.
    pub fn link(&self) -> Link<'_> {
        Link {
            prev_hash: &self.prev_hash,
            seq: self.seq,
            at: self.at,
            event: &self.event,
            package_id: self.package_id,
            document: self.document.as_deref(),
            receiver: self.receiver.as_deref(),
            detail: &self.detail,
        }
    }
}

/// The hash of an entry given its fields and the previous hash. Fields are length-prefixed so
/// no two different entries hash the same bytes.
pub fn entry_hash(link: Link<'_>) -> String {
    let Link {
        prev_hash,
        seq,
        at,
        event,
        package_id,
        document,
        receiver,
        detail,
    } = link;
    let mut h = Sha256::new();
    let mut field = |b: &[u8]| {
        h.update((b.len() as u64).to_be_bytes());
        h.update(b);
    };
    field(b"truc-audit-v1");
    field(prev_hash.as_bytes());
    field(&seq.to_be_bytes());
    field(&at.to_be_bytes());
    field(event.as_bytes());
    field(
        package_id
            .map(|p| p.to_string())
            .unwrap_or_default()
            .as_bytes(),
    );
    field(document.unwrap_or_default().as_bytes());
    field(receiver.unwrap_or_default().as_bytes());
    field(detail.as_bytes());
    hex::encode(h.finalize())
}

/// Appends `event` inside the caller's transaction; returns the new entry's sequence number.
pub async fn append(
    store: &Store,
    conn: &mut AnyConnection,
    event: Event<'_>,
) -> Result<i64, StoreError> {
    append_after(store, conn, &mut Head::Unknown, Script::new(), event).await
}

/// The chain's head as the caller's transaction knows it.
#[derive(Clone, Debug, Default)]
pub(crate) enum Head {
    /// Read (and on PostgreSQL locked) from `audit_head` at each append.
    #[default]
    Unknown,
    /// Held by a transaction that owns the store's write lock for its whole length (the
    /// SQLite ingest writer, `BEGIN IMMEDIATE`): no one else can append before it commits,
    /// so the head it read at its start, advanced by its own appends, stays true.
    Held {
        /// The last entry's sequence number.
        seq: i64,
        /// The last entry's hash.
        hash: String,
    },
}

impl Head {
    /// Reads the head in a transaction that holds the write lock (see [`Head::Held`]).
    pub(crate) async fn hold(conn: &mut AnyConnection) -> Result<Head, StoreError> {
        let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?;
        Ok(Head::Held {
            seq: row.try_get("seq")?,
            hash: row.try_get("hash")?,
        })
    }
}

/// Runs `script`, then appends `event`, in the caller's transaction; returns the new entry's
/// sequence number. With the head held both go to the store in one round trip; otherwise the
/// head is read after the script ran, so that on PostgreSQL its row lock, held until commit,
/// is taken as late as possible.
pub(crate) async fn append_after(
    store: &Store,
    conn: &mut AnyConnection,
    head: &mut Head,
    mut script: Script,
    event: Event<'_>,
) -> Result<i64, StoreError> {
    let (prev_seq, prev_hash) = match head {
        Head::Held { seq, hash } => (*seq, hash.clone()),
        Head::Unknown => {
            script.execute(conn).await?;
            script = Script::new();
            let row = sqlx::query(AssertSqlSafe(format!(
                "SELECT seq, hash FROM audit_head WHERE id = 1 {}",
                store.for_update()
            )))
            .fetch_one(&mut *conn)
            .await?;
            (row.try_get("seq")?, row.try_get("hash")?)
        }
    };
    let seq = prev_seq + 1;
    let at = now_ms();
    let detail = event.detail.to_string();
    let hash = entry_hash(Link {
        prev_hash: &prev_hash,
        seq,
        at,
        event: event.event,
        package_id: event.package_id,
        document: event.document,
        receiver: event.receiver,
        detail: &detail,
    });
    script.push(
        "INSERT INTO audit (seq, at, event, package_id, document, receiver, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        vec![
            seq.into(),
            at.into(),
            event.event.into(),
            event.package_id.into(),
            event.document.into(),
            event.receiver.into(),
            detail.into(),
            prev_hash.into(),
            hash.as_str().into(),
        ],
    );
    script.push(
        "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
        vec![seq.into(), hash.as_str().into()],
    );
    let held = matches!(head, Head::Held { .. });
    script.execute(conn).await?;
    if held {
        *head = Head::Held { seq, hash };
    }
    Ok(seq)
}

fn entry_from_row(row: &sqlx::any::AnyRow) -> Result<Entry, sqlx::Error> {
    Ok(Entry {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        event: row.try_get("event")?,
        package_id: row.try_get("package_id")?,
        document: row.try_get("document")?,
        receiver: row.try_get("receiver")?,
        detail: row.try_get("detail")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

const COLUMNS: &str = "seq, at, event, package_id, document, receiver, detail, prev_hash, hash";

/// The entries about one document (`sender,DocumentId`), in order.
pub async fn timeline(store: &Store, document: &str) -> Result<Vec<Entry>, StoreError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM audit WHERE document = $1 ORDER BY seq"
    )))
    .bind(document)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(entry_from_row).collect::<Result<_, _>>()?)
}

/// The outcome of checking the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Entries checked.
    pub entries: i64,
    /// The first entry that does not hold, and why.
    pub first_break: Option<Break>,
}

/// Where the chain breaks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Break {
    /// The sequence number of the first bad entry.
    pub seq: i64,
    /// What is wrong with it.
    pub reason: String,
}

/// Checks a run of entries from the start of the chain.
pub fn verify_entries<'a>(
    entries: impl IntoIterator<Item = &'a Entry>,
    start: (i64, &str),
) -> Result<(i64, String), Break> {
    let (mut seq, mut prev) = (start.0, start.1.to_owned());
    for e in entries {
        if e.seq != seq + 1 {
            return Err(Break {
                seq: seq + 1,
                reason: format!(
                    "entry {} is missing (the next stored entry is {})",
                    seq + 1,
                    e.seq
                ),
            });
        }
        if e.prev_hash != prev {
            return Err(Break {
                seq: e.seq,
                reason: "its link to the previous entry does not match that entry's hash".into(),
            });
        }
        let expected = entry_hash(Link {
            prev_hash: &prev,
            ..e.link()
        });
        if expected != e.hash {
            return Err(Break {
                seq: e.seq,
                reason: "its contents do not match its hash (the entry was altered)".into(),
            });
        }
        seq = e.seq;
        prev = e.hash.clone();
    }
    Ok((seq, prev))
}

/// Recomputes the whole chain from the database and names the first broken link.
pub async fn verify(store: &Store) -> Result<Verification, StoreError> {
    const PAGE: i64 = 5000;
    let mut state = (0i64, GENESIS.to_owned());
    loop {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2"
        )))
        .bind(state.0)
        .bind(PAGE)
        .fetch_all(store.pool())
        .await?;
        let entries: Vec<Entry> = rows.iter().map(entry_from_row).collect::<Result<_, _>>()?;
        if entries.is_empty() {
            break;
        }
        match verify_entries(&entries, (state.0, &state.1)) {
            Ok(next) => state = next,
            Err(b) => {
                return Ok(Verification {
                    entries: b.seq - 1,
                    first_break: Some(b),
                });
            }
        }
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(store.pool())
        .await?;
    let head_seq: i64 = head.try_get("seq")?;
    let head_hash: String = head.try_get("hash")?;
    if head_seq != state.0 || head_hash != state.1 {
        return Ok(Verification {
            entries: state.0,
            first_break: Some(Break {
                seq: state.0 + 1,
                reason: format!(
                    "the chain ends at entry {} but the head records entry {head_seq}: entries were removed from the end",
                    state.0
                ),
            }),
        });
    }
    Ok(Verification {
        entries: state.0,
        first_break: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<Entry> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let detail = format!("{{\"n\":{seq}}}");
                let hash = entry_hash(Link {
                    prev_hash: &prev,
                    seq,
                    at: 1000 + seq,
                    event: "accepted",
                    package_id: Some(seq),
                    document: Some("a,b"),
                    receiver: None,
                    detail: &detail,
                });
                let e = Entry {
                    seq,
                    at: 1000 + seq,
                    event: "accepted".into(),
                    package_id: Some(seq),
                    document: Some("a,b".into()),
                    receiver: None,
                    detail,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                e
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        let (seq, hash) = verify_entries(&c, (0, GENESIS)).unwrap();
        assert_eq!(seq, 5);
        assert_eq!(hash, c[4].hash);
    }

    #[test]
    fn an_altered_entry_is_the_first_break() {
        let mut c = chain(5);
        c[2].detail = "{\"n\":99}".into();
        let b = verify_entries(&c, (0, GENESIS)).unwrap_err();
        assert_eq!(b.seq, 3);
        assert!(b.reason.contains("altered"));
    }

    #[test]
    fn a_removed_entry_is_named() {
        let mut c = chain(5);
        c.remove(1);
        let b = verify_entries(&c, (0, GENESIS)).unwrap_err();
        assert_eq!(b.seq, 2);
        assert!(b.reason.contains("missing"));
    }

    #[test]
    fn a_recomputed_entry_breaks_the_next_link() {
        let mut c = chain(5);
        c[1].event = "forged".into();
        c[1].hash = entry_hash(c[1].link());
        let b = verify_entries(&c, (0, GENESIS)).unwrap_err();
        assert_eq!(b.seq, 3, "the forger must also rewrite every later entry");
    }
}
