//! One error type for every API handler: a status code and a JSON body that names the
//! problem — never a 5xx for bad input, never an internal detail an attacker could use.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::directory::DirectoryError;
use crate::edxml::Problem;
use crate::exchange::IngestError;
use crate::exchange::adapters::AdapterAdminError;
use crate::exchange::mailbox::MailboxError;
use crate::store::StoreError;

/// An API error: HTTP status plus a JSON body `{"error": {"code", "message", "problems"?}}`.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable machine-readable code, e.g. `invalid-package`.
    pub code: &'static str,
    /// What is wrong and what to do.
    pub message: String,
    /// Every validation problem, for invalid packages.
    pub problems: Vec<Problem>,
}

/// The JSON error body.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The error inside [`ErrorBody`].
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code.
    pub code: String,
    /// What is wrong and what to do.
    pub message: String,
    /// Validation problems (path, rule, message, value, severity).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub problems: Vec<Problem>,
}

impl ApiError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            problems: Vec::new(),
        }
    }

    /// 400: the request itself is wrong.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", message)
    }

    /// 401: no or wrong credentials.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 403: authenticated, but not allowed.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", message)
    }

    /// 500/503 for failures of the hub itself; the detail is logged, not returned.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {detail}");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the hub could not complete the request; nothing was changed; retry later",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
                problems: self.problems,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<IngestError> for ApiError {
    fn from(e: IngestError) -> Self {
        let message = e.to_string();
        match e {
            IngestError::Unreadable(_) => {
                Self::new(StatusCode::BAD_REQUEST, "unreadable-package", message)
            }
            IngestError::Invalid(problems) => Self {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "invalid-package",
                message,
                problems,
            },
            IngestError::Forbidden { .. } => {
                Self::new(StatusCode::FORBIDDEN, "foreign-sender", message)
            }
            IngestError::UnknownReceivers(_) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown-receivers",
                message,
            ),
            IngestError::UnknownDocument { .. } => {
                Self::new(StatusCode::NOT_FOUND, "unknown-document", message)
            }
            IngestError::NotAllowed { .. } => {
                Self::new(StatusCode::FORBIDDEN, "not-allowed", message)
            }
            IngestError::Refused(r) => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, r.code(), message)
            }
            IngestError::TransportIdTaken(_) => {
                Self::new(StatusCode::CONFLICT, "transport-id-taken", message)
            }
            IngestError::Store(e) => Self::internal(e),
            IngestError::Internal(e) => Self::internal(e),
        }
    }
}

impl From<crate::policy::PolicyError> for ApiError {
    fn from(e: crate::policy::PolicyError) -> Self {
        use crate::policy::PolicyError;
        let message = e.to_string();
        match e {
            PolicyError::Invalid(_) => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
            }
            PolicyError::Refused(r) => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, r.code(), message)
            }
            PolicyError::Store(e) => Self::internal(e),
        }
    }
}

impl From<MailboxError> for ApiError {
    fn from(e: MailboxError) -> Self {
        let message = e.to_string();
        match e {
            MailboxError::NotFound(_) => Self::not_found(message),
            MailboxError::Cancelled(_) => Self::new(StatusCode::GONE, "cancelled", message),
            MailboxError::Store(e) => Self::internal(e),
            MailboxError::Render(e) => Self::internal(e),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        Self::internal(e)
    }
}

impl From<DirectoryError> for ApiError {
    fn from(e: DirectoryError) -> Self {
        let message = e.to_string();
        match e {
            DirectoryError::Store(e) => Self::internal(e),
            DirectoryError::UnknownAgency(_) | DirectoryError::UnknownEndpoint(_) => {
                Self::not_found(message)
            }
            _ => Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message),
        }
    }
}

impl From<AdapterAdminError> for ApiError {
    fn from(e: AdapterAdminError) -> Self {
        let message = e.to_string();
        match e {
            AdapterAdminError::Store(e) => Self::internal(e),
            AdapterAdminError::NoEndpoint(_) | AdapterAdminError::NotInstalled(_) => {
                Self::not_found(message)
            }
            _ => Self::new(StatusCode::UNPROCESSABLE_ENTITY, "adapter", message),
        }
    }
}
