//! Request bodies spooled to a temporary file as they arrive, so a package with a large
//! attachment is never held in memory, and an oversized body is cut off at the limit.

use std::io::{Seek, SeekFrom};

use axum::body::Body;
use axum::http::StatusCode;
use http_body_util::BodyExt;
use tokio::io::AsyncWriteExt;

use super::error::ApiError;

/// Writes `body` to an anonymous temporary file (at most `limit` bytes) and rewinds it.
pub async fn spool_body(body: Body, limit: usize) -> Result<std::fs::File, ApiError> {
    let file = tempfile::tempfile().map_err(ApiError::internal)?;
    let mut out = tokio::fs::File::from_std(file);
    let mut body = body;
    let mut written = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            ApiError::bad_request(format!("the request body could not be read: {e}"))
        })?;
        if let Some(data) = frame.data_ref() {
            written += data.len();
            if written > limit {
                return Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too-large",
                    format!("the request body is larger than this hub's limit of {limit} bytes"),
                ));
            }
            out.write_all(data).await.map_err(ApiError::internal)?;
        }
    }
    out.flush().await.map_err(ApiError::internal)?;
    let mut file = out.into_std().await;
    file.seek(SeekFrom::Start(0)).map_err(ApiError::internal)?;
    Ok(file)
}
