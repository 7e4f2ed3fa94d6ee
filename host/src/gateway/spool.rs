//! Request bodies as they arrive: kept in memory while small (most packages are), spooled to a
//! temporary file beyond the ingest's memory budget ([`MEMORY_BUDGET`]), so a package with a large attachment is never held in
//! memory, and an oversized body is cut off at the limit.

use std::io::{Seek, SeekFrom};

use axum::body::Body;
use axum::http::StatusCode;
use http_body_util::BodyExt;
use tokio::io::AsyncWriteExt;

use super::error::ApiError;
use crate::exchange::spool::MEMORY_BUDGET;

/// A received request body.
#[derive(Debug)]
pub enum Received {
    /// A small body, in memory.
    Memory(Vec<u8>),
    /// A large one, in an anonymous temporary file, rewound.
    File(std::fs::File),
}

/// Reads `body` (at most `limit` bytes), into memory or, past [`MEMORY_BUDGET`], into a file.
pub async fn spool_body(body: Body, limit: usize) -> Result<Received, ApiError> {
    let mut body = body;
    let mut memory = Vec::new();
    let mut file: Option<tokio::fs::File> = None;
    let mut written = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            ApiError::bad_request(format!("the request body could not be read: {e}"))
        })?;
        let Some(data) = frame.data_ref() else {
            continue;
        };
        written += data.len();
        if written > limit {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                format!("the request body is larger than this hub's limit of {limit} bytes"),
            ));
        }
        match &mut file {
            Some(f) => f.write_all(data).await.map_err(ApiError::internal)?,
            None if written <= MEMORY_BUDGET => memory.extend_from_slice(data),
            None => {
                let f = tempfile::tempfile().map_err(ApiError::internal)?;
                let mut f = tokio::fs::File::from_std(f);
                f.write_all(&std::mem::take(&mut memory))
                    .await
                    .map_err(ApiError::internal)?;
                f.write_all(data).await.map_err(ApiError::internal)?;
                file = Some(f);
            }
        }
    }
    Ok(match file {
        Some(mut f) => {
            f.flush().await.map_err(ApiError::internal)?;
            let mut f = f.into_std().await;
            f.seek(SeekFrom::Start(0)).map_err(ApiError::internal)?;
            Received::File(f)
        }
        None => Received::Memory(memory),
    })
}
