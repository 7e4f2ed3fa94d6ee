//! Who is calling: an endpoint (by its API key) on the REST API, the operator (by the admin
//! token) on the admin API. Deny by default: a handler that takes neither extractor is public,
//! and only `/healthz`, `/readyz`, `/metrics` and the OpenAPI document are.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};

use super::AppState;
use super::error::ApiError;
use crate::directory::Endpoint;
use crate::exchange::Caller;

/// An authenticated endpoint.
#[derive(Clone, Debug)]
pub struct EndpointAuth {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// It as a caller of the exchange.
    pub caller: Caller,
}

/// The operator, authenticated by the admin token.
#[derive(Clone, Copy, Debug)]
pub struct AdminAuth;

/// The bearer token or `X-Api-Key` of a request.
fn credential(parts: &Parts) -> Option<&str> {
    if let Some(v) = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        return v.strip_prefix("Bearer ").map(str::trim);
    }
    parts
        .headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// Compares two digests in constant time.
pub fn digest_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequestParts<AppState> for EndpointAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let key = credential(parts).ok_or_else(|| {
            ApiError::unauthorized(
                "send the endpoint's API key as `Authorization: Bearer truc_…` or `X-Api-Key`",
            )
        })?;
        let endpoint = state
            .directory
            .endpoint_by_api_key(key)
            .await?
            .ok_or_else(|| {
                ApiError::unauthorized("this API key is not valid (rotated, or never issued)")
            })?;
        let caller = Caller {
            endpoint_id: endpoint.id,
            name: endpoint.name.clone(),
        };
        Ok(EndpointAuth { endpoint, caller })
    }
}

impl FromRequestParts<AppState> for AdminAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = credential(parts).ok_or_else(|| {
            ApiError::unauthorized(
                "the admin API needs the admin token as `Authorization: Bearer …`",
            )
        })?;
        let digest = Sha256::digest(token.as_bytes());
        if digest_eq(&digest, &state.admin_token_sha256) {
            return Ok(AdminAuth);
        }
        if token.starts_with("truc_") {
            return Err(ApiError::forbidden(
                "an endpoint API key cannot use the admin API; use the admin token",
            ));
        }
        Err(ApiError::unauthorized("the admin token is not valid"))
    }
}
