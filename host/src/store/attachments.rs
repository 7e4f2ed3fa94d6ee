//! Attachment bytes in the database, once per SHA-256, in 1 MiB chunks.
//!
//! Keeping them in the database (not in files beside it) makes a package and its attachments
//! one transaction, and lets every node of a PostgreSQL deployment read them.

use std::io::Read;

use sqlx::{AnyConnection, Row};

use super::{StoreError, now_ms};

/// Records an attachment's digest and size, unless it is already stored.
const INSERT_ATTACHMENT: &str = "INSERT INTO attachments (sha256, size, created_at) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING";

/// Size of one stored chunk.
pub const CHUNK: usize = 1 << 20;

/// Stores the attachment whose bytes are in `file` under `sha256` (hex), unless it is already
/// there. `file` must hold exactly the bytes whose digest is `sha256`.
pub async fn put(
    conn: &mut AnyConnection,
    sha256: &str,
    size: u64,
    mut file: impl Read,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query(INSERT_ATTACHMENT)
        .bind(sha256)
        .bind(size as i64)
        .bind(now_ms())
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if inserted == 0 {
        return Ok(false);
    }
    // No bigger than the attachment: most are far smaller than a chunk.
    let mut buf = vec![0u8; (size as usize).clamp(1, CHUNK)];
    let mut seq: i64 = 0;
    loop {
        let n = read_full(&mut file, &mut buf)
            .map_err(|e| StoreError::Corrupt(format!("spooled attachment {sha256}: {e}")))?;
        if n == 0 {
            break;
        }
        sqlx::query("INSERT INTO attachment_chunks (sha256, seq, bytes) VALUES ($1, $2, $3)")
            .bind(sha256)
            .bind(seq)
            .bind(&buf[..n])
            .execute(&mut *conn)
            .await?;
        seq += 1;
        if n < buf.len() {
            break;
        }
    }
    Ok(true)
}

/// Adds the statements storing an attachment of at most one chunk, unless it is already
/// stored, to `script`. Bytes already stored under the same digest are the same bytes, so a
/// second copy is simply not written.
pub fn put_into(script: &mut super::script::Script, sha256: &str, bytes: Vec<u8>) {
    script.push(
        INSERT_ATTACHMENT,
        vec![sha256.into(), (bytes.len() as i64).into(), now_ms().into()],
    );
    if !bytes.is_empty() {
        script.push(
            "INSERT INTO attachment_chunks (sha256, seq, bytes) VALUES ($1, 0, $2) ON CONFLICT (sha256, seq) DO NOTHING",
            vec![sha256.into(), bytes.into()],
        );
    }
}

fn read_full(file: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = file.read(&mut buf[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

/// Writes the attachment `sha256` into `out`, chunk by chunk; `false` if it is not stored.
pub async fn copy_to(
    conn: &mut AnyConnection,
    sha256: &str,
    out: &mut impl std::io::Write,
) -> Result<bool, StoreError> {
    let exists = sqlx::query("SELECT size FROM attachments WHERE sha256 = $1")
        .bind(sha256)
        .fetch_optional(&mut *conn)
        .await?;
    if exists.is_none() {
        return Ok(false);
    }
    let mut seq: i64 = 0;
    loop {
        let row = sqlx::query("SELECT bytes FROM attachment_chunks WHERE sha256 = $1 AND seq = $2")
            .bind(sha256)
            .bind(seq)
            .fetch_optional(&mut *conn)
            .await?;
        let Some(row) = row else { break };
        let bytes: Vec<u8> = row.try_get("bytes")?;
        out.write_all(&bytes)
            .map_err(|e| StoreError::Corrupt(format!("writing attachment {sha256}: {e}")))?;
        seq += 1;
    }
    Ok(true)
}
