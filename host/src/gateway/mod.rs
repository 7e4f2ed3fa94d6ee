//! What agencies, vendors and operators touch: the HTTP surfaces of the hub.
//!
//! - `/api/v1` — the REST API of endpoints ([`rest`]), described at `/api/v1/openapi.json`;
//! - `/vxp/…` — the national axis's API, byte-compatible with the Government Office's SDK
//!   ([`vxp`]);
//! - `/admin/v1` — the operator's API ([`admin`]);
//! - `/metrics`, `/healthz`, `/readyz`.

pub mod admin;
pub mod auth;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod openapi;
pub mod rest;
pub mod server;
pub mod spool;
pub mod vxp;

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use chrono::NaiveDate;
use tokio::sync::Notify;

use crate::directory::Directory;
use crate::exchange::Exchange;
use crate::exchange::adapters::Adapters;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The exchange engine.
    pub exchange: Exchange,
    /// The directory.
    pub directory: Directory,
    /// Adapters serving endpoints.
    pub adapters: Arc<Adapters>,
    /// Counters for `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
    /// SHA-256 of the admin token.
    pub admin_token_sha256: Arc<[u8]>,
    /// Largest request body.
    pub max_body: usize,
    /// Public holidays, for overdue tracking.
    pub holidays: Arc<[NaiveDate]>,
    /// Wakes the push worker (new deliveries or retried dead letters).
    pub push_now: Arc<Notify>,
    /// Verifies VXP signatures and remembers state-changing requests against replay.
    pub vxp_verifier: Arc<vxp::auth::Verifier>,
}

/// Every route of the hub.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/packages", post(rest::send_package))
        .route("/statuses", post(rest::send_package))
        .route("/mailbox", get(rest::mailbox))
        .route("/mailbox/{delivery_id}", get(rest::fetch))
        .route("/mailbox/{delivery_id}/native", get(rest::fetch_native))
        .route("/mailbox/{delivery_id}/ack", post(rest::acknowledge))
        .route("/documents/timeline", get(rest::timeline))
        .route("/agencies", get(rest::agencies))
        .route("/agencies/{code}", get(rest::agency))
        .route("/endpoints/{name}/inbound", post(rest::inbound))
        .route("/openapi.json", get(openapi::document))
        .method_not_allowed_fallback(method_not_allowed);
    let admin = Router::new()
        .route(
            "/agencies",
            get(admin::list_agencies).post(admin::put_agency),
        )
        .route("/agencies/import", post(admin::import_agencies))
        .route("/agencies/{code}", delete(admin::delete_agency))
        .route(
            "/endpoints",
            get(admin::list_endpoints).post(admin::add_endpoint),
        )
        .route("/endpoints/{name}/rotate-key", post(admin::rotate_key))
        .route(
            "/endpoints/{name}/adapter-settings",
            put(admin::set_adapter_settings),
        )
        .route("/endpoints/{name}/adapter/activate", post(admin::activate))
        .route("/endpoints/{name}/adapter/rollback", post(admin::rollback))
        .route(
            "/adapters",
            get(admin::list_adapters).post(admin::upload_adapter),
        )
        .route("/dead-letters", get(admin::dead_letters))
        .route("/dead-letters/retry", post(admin::retry_dead))
        .route("/audit/verify", get(admin::verify_audit))
        .route("/overdue", get(admin::overdue))
        .route("/catalogue", get(admin::catalogue))
        .route("/catalogue/{code}", put(admin::set_doc_type))
        .route(
            "/signature-policy",
            get(admin::signature_rules).put(admin::set_signature_rule),
        )
        .route("/reports", get(admin::reports))
        .method_not_allowed_fallback(method_not_allowed);
    Router::new()
        .nest("/api/v1", api)
        .nest("/admin/v1", admin)
        .nest(
            "/vxp",
            vxp::handlers::router().method_not_allowed_fallback(method_not_allowed),
        )
        .route("/metrics", get(metrics_handler))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .fallback(|| async {
            error::ApiError::not_found(
                "no such path; the APIs are under /api/v1, /vxp and /admin/v1",
            )
        })
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            count_requests,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(state.max_body))
        .with_state(state)
}

/// 405 with the same JSON error body as every other refusal (axum sets `Allow`).
async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> error::ApiError {
    error::ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        format!(
            "{method} is not allowed on {}; see /api/v1/openapi.json",
            uri.path()
        ),
    )
}

async fn count_requests(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_owned();
    let response = next.run(req).await;
    s.metrics
        .request(&route, &method, response.status().as_u16());
    response
}

async fn metrics_handler(State(s): State<AppState>) -> Response {
    let states = rest::counts(&s).await.unwrap_or_default();
    let generations = s.adapters.generations();
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        s.metrics.render(&states, &generations),
    )
        .into_response()
}

async fn ready(State(s): State<AppState>) -> Response {
    match sqlx::query("SELECT 1").execute(s.exchange.store().pool()).await {
        Ok(_) => (StatusCode::OK, Json(serde_json::json!({ "ready": true }))).into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "ready": false, "reason": format!("the store is not reachable: {e}") })),
        )
            .into_response(),
    }
}
