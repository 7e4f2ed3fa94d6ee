//! The operator's API (`/admin/v1`): agencies, endpoints, adapters (upload, inspect, activate
//! with an optional canary, roll back), dead letters, audit verification, overdue documents;
//! the paperless catalogue, signed-not-scanned rules and reports (issue 7).

use axum::extract::State;

use super::extract::{Json, Path, Query};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::AppState;
use super::auth::AdminAuth;
use super::error::ApiError;
use crate::directory::{Agency, AgencyFilter, Endpoint, Mode, NewAgency, NewEndpoint};
use crate::directory::{Format, Records};
use crate::exchange::adapters::Installed;
use crate::exchange::audit::Verification;
use crate::exchange::delivery::DeadLetter;
use crate::exchange::overdue::Overdue;
use crate::policy::{
    self,
    catalogue::{DocType, DocTypeChange},
};
use crate::runtime::AdapterPackage;

/// List agencies.
pub async fn list_agencies(
    State(s): State<AppState>,
    _a: AdminAuth,
    Query(q): Query<super::rest::AgencyQuery>,
) -> Result<Json<Vec<Agency>>, ApiError> {
    let filter = AgencyFilter {
        prefix: q.prefix,
        parent: q.parent,
        after: q.after,
        limit: Some(q.limit.unwrap_or(100).clamp(1, 10_000)),
        endpoint: None,
    };
    Ok(Json(s.directory.list(&filter).await?))
}

/// Add or update an agency.
pub async fn put_agency(
    State(s): State<AppState>,
    _a: AdminAuth,
    Json(a): Json<NewAgency>,
) -> Result<(StatusCode, Json<Agency>), ApiError> {
    s.directory.upsert_agency(&a).await?;
    let stored = s
        .directory
        .agency(&a.code)
        .await?
        .ok_or_else(|| ApiError::internal("agency vanished after upsert"))?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// Remove an agency.
pub async fn delete_agency(
    State(s): State<AppState>,
    _a: AdminAuth,
    Path(code): Path<String>,
) -> Result<StatusCode, ApiError> {
    s.directory.delete_agency(&code).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The outcome of an import.
#[derive(Serialize)]
pub struct ImportOutcome {
    inserted: u64,
    updated: u64,
    renumbered: u64,
    skipped: u64,
    errors: Vec<String>,
}

/// Import agencies (CSV with a header row, or JSON: a list or a VXP `getAgenciesList` answer).
pub async fn import_agencies(
    State(s): State<AppState>,
    _a: AdminAuth,
    body: axum::body::Bytes,
) -> Result<Json<ImportOutcome>, ApiError> {
    let records = Records::read(&body[..], Format::sniff(&body))
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let report = s.directory.import(records, &|_| {}).await?;
    Ok(Json(ImportOutcome {
        inserted: report.inserted,
        updated: report.updated,
        renumbered: report.renumbered,
        skipped: report.skipped,
        errors: report.errors.iter().map(ToString::to_string).collect(),
    }))
}

/// A new endpoint.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointRequest {
    name: String,
    #[serde(default = "EndpointRequest::pull")]
    mode: String,
    #[serde(default)]
    agencies: Vec<String>,
    #[serde(default)]
    vxp_system_id: Option<String>,
    #[serde(default)]
    vxp_secret: Option<String>,
    #[serde(default)]
    adapter: Option<String>,
}

impl EndpointRequest {
    fn pull() -> String {
        "pull".into()
    }
}

/// A new endpoint and its key, shown this once.
#[derive(Serialize)]
pub struct EndpointCreated {
    endpoint: Endpoint,
    api_key: String,
}

/// List endpoints.
pub async fn list_endpoints(
    State(s): State<AppState>,
    _a: AdminAuth,
) -> Result<Json<Vec<Endpoint>>, ApiError> {
    Ok(Json(s.directory.endpoints().await?))
}

/// Add an endpoint; the answer carries its API key, which is never shown again.
pub async fn add_endpoint(
    State(s): State<AppState>,
    _a: AdminAuth,
    Json(r): Json<EndpointRequest>,
) -> Result<(StatusCode, Json<EndpointCreated>), ApiError> {
    let mode: Mode = r.mode.parse().map_err(ApiError::bad_request)?;
    let vxp = match (r.vxp_system_id, r.vxp_secret) {
        (Some(id), Some(secret)) => Some((id, secret)),
        (None, None) => None,
        _ => {
            return Err(ApiError::bad_request(
                "give both vxp_system_id and vxp_secret, or neither",
            ));
        }
    };
    let (endpoint, creds) = s
        .directory
        .add_endpoint(&NewEndpoint {
            name: r.name,
            mode,
            agencies: r.agencies,
            vxp,
            adapter: r.adapter,
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(EndpointCreated {
            endpoint,
            api_key: creds.api_key,
        }),
    ))
}

/// A fresh API key for an endpoint (the old one stops working at once).
pub async fn rotate_key(
    State(s): State<AppState>,
    _a: AdminAuth,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let creds = s.directory.rotate_key(&name).await?;
    Ok(Json(
        serde_json::json!({ "endpoint": name, "api_key": creds.api_key }),
    ))
}

/// An endpoint's adapter settings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdapterSettings {
    #[serde(default)]
    config: serde_json::Value,
    #[serde(default)]
    granted_origins: Vec<String>,
}

/// Sets the configuration and outbound grants of an endpoint's adapter (applied at its next
/// activation).
pub async fn set_adapter_settings(
    State(s): State<AppState>,
    _a: AdminAuth,
    Path(name): Path<String>,
    Json(b): Json<AdapterSettings>,
) -> Result<StatusCode, ApiError> {
    let endpoint = s
        .directory
        .endpoint(&name)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("endpoint `{name}` does not exist")))?;
    let config = if b.config.is_null() {
        serde_json::json!({})
    } else {
        b.config
    };
    for g in &b.granted_origins {
        g.parse::<crate::runtime::OriginPattern>()
            .map_err(ApiError::bad_request)?;
    }
    s.directory
        .set_adapter(&name, endpoint.adapter, config, b.granted_origins)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Installed adapters (bundled and uploaded).
pub async fn list_adapters(
    State(s): State<AppState>,
    _a: AdminAuth,
) -> Result<Json<Vec<Installed>>, ApiError> {
    Ok(Json(s.adapters.installed().await?))
}

/// Upload a signed adapter package (the body is the package file).
pub async fn upload_adapter(
    State(s): State<AppState>,
    _a: AdminAuth,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Installed>), ApiError> {
    let pkg = AdapterPackage::from_bytes(&body).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad-package",
            e.to_string(),
        )
    })?;
    Ok((StatusCode::CREATED, Json(s.adapters.install(&pkg).await?)))
}

/// An activation request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Activate {
    /// `name@version`.
    adapter: String,
    /// Send only this share of calls (1–99 %) to it.
    #[serde(default)]
    canary_percent: Option<u8>,
}

/// Activate an adapter for an endpoint (after a self-test), or start a canary.
pub async fn activate(
    State(s): State<AppState>,
    _a: AdminAuth,
    Path(name): Path<String>,
    Json(b): Json<Activate>,
) -> Result<Json<serde_json::Value>, ApiError> {
    if let Some(p) = b.canary_percent
        && !(1..=99).contains(&p)
    {
        return Err(ApiError::bad_request(
            "canary_percent must be between 1 and 99",
        ));
    }
    let g = s
        .adapters
        .activate(&name, &b.adapter, b.canary_percent)
        .await?;
    Ok(Json(
        serde_json::json!({ "endpoint": name, "adapter": g.id(), "canary_percent": b.canary_percent }),
    ))
}

/// Roll an endpoint back to its previous adapter (or end a canary).
pub async fn rollback(
    State(s): State<AppState>,
    _a: AdminAuth,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let adapter = s.adapters.rollback(&name).await?;
    Ok(Json(
        serde_json::json!({ "endpoint": name, "adapter": adapter }),
    ))
}

/// Dead letters.
pub async fn dead_letters(
    State(s): State<AppState>,
    _a: AdminAuth,
) -> Result<Json<Vec<DeadLetter>>, ApiError> {
    Ok(Json(s.exchange.dead_letters(1000).await?))
}

/// Which dead letters to retry.
#[derive(Debug, Default, Deserialize)]
pub struct RetryRequest {
    /// One delivery; all when absent.
    #[serde(default)]
    delivery_id: Option<String>,
}

/// Retry dead letters.
pub async fn retry_dead(
    State(s): State<AppState>,
    _a: AdminAuth,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let r: RetryRequest = if body.iter().all(u8::is_ascii_whitespace) {
        RetryRequest::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("the JSON body is not valid: {e}")))?
    };
    let n = s.exchange.retry_dead(r.delivery_id.as_deref()).await?;
    s.push_now.notify_one();
    Ok(Json(serde_json::json!({ "retried": n })))
}

/// Recompute the audit chain.
pub async fn verify_audit(
    State(s): State<AppState>,
    _a: AdminAuth,
) -> Result<Json<Verification>, ApiError> {
    Ok(Json(
        crate::exchange::audit::verify(s.exchange.store()).await?,
    ))
}

/// Documents whose receivers have not reported 01 by the end of the next working day.
pub async fn overdue(
    State(s): State<AppState>,
    _a: AdminAuth,
) -> Result<Json<Vec<Overdue>>, ApiError> {
    Ok(Json(s.exchange.overdue(&s.holidays, None).await?))
}

/// The paperless catalogue.
pub async fn catalogue(
    State(s): State<AppState>,
    _a: AdminAuth,
) -> Result<Json<Vec<DocType>>, ApiError> {
    Ok(Json(policy::catalogue::list(s.exchange.store()).await?))
}

/// Add or change a document type of the catalogue.
pub async fn set_doc_type(
    State(s): State<AppState>,
    _a: AdminAuth,
    Path(code): Path<String>,
    Json(change): Json<DocTypeChange>,
) -> Result<Json<DocType>, ApiError> {
    Ok(Json(
        policy::catalogue::set(s.exchange.store(), &code, &change).await?,
    ))
}

/// The signed-not-scanned rules.
pub async fn signature_rules(
    State(s): State<AppState>,
    _a: AdminAuth,
) -> Result<Json<Vec<policy::rules::Rule>>, ApiError> {
    Ok(Json(policy::rules::list(s.exchange.store()).await?))
}

/// Set one signed-not-scanned rule.
pub async fn set_signature_rule(
    State(s): State<AppState>,
    _a: AdminAuth,
    Json(rule): Json<policy::rules::Rule>,
) -> Result<Json<policy::rules::Rule>, ApiError> {
    policy::rules::set(s.exchange.store(), &rule).await?;
    Ok(Json(rule))
}

/// What `/reports` takes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    #[serde(default)]
    agency: Option<String>,
    /// `json` (the default) or `csv`.
    #[serde(default)]
    format: Option<String>,
}

/// Statistics per agency and period (JSON, or CSV with `format=csv`).
pub async fn reports(
    State(s): State<AppState>,
    _a: AdminAuth,
    Query(q): Query<ReportParams>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let report = policy::report::compute(
        s.exchange.store(),
        &policy::report::ReportQuery {
            from: q.from,
            to: q.to,
            agency: q.agency,
            holidays: s.holidays.to_vec(),
            now: None,
        },
    )
    .await?;
    match q.format.as_deref() {
        None | Some("json") => Ok(Json(report).into_response()),
        Some("csv") => Ok((
            [(axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            report.to_csv(),
        )
            .into_response()),
        Some(other) => Err(ApiError::bad_request(format!(
            "format `{other}` is not json or csv"
        ))),
    }
}
