//! Why a package was refused, in words the sending clerk or vendor can act on.

use crate::edxml::{Problem, ReadError};
use crate::store::StoreError;

/// Why a package was refused. Nothing of a refused package is stored.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The bytes are not a readable edXML package.
    #[error("the package cannot be read: {0}")]
    Unreadable(#[from] ReadError),
    /// The package breaks rules of the standard; every problem is listed.
    #[error("the package is not valid: {}", summarize(.0))]
    Invalid(Vec<Problem>),
    /// The caller does not host the sending agency.
    #[error("endpoint `{endpoint}` may not send as {sender}: that agency is not hosted by it")]
    Forbidden {
        /// The calling endpoint.
        endpoint: String,
        /// The sender in the package.
        sender: String,
    },
    /// Receivers this hub cannot reach (unknown, or not connected).
    #[error("these receivers are unknown to this hub or not connected to it: {}; correct the To list or ask the operator to register them", .0.join(", "))]
    UnknownReceivers(Vec<String>),
    /// A status or business action about a document the hub never carried.
    #[error(
        "document {document_id} from {sender} is not known to this hub; a status or change can only refer to a document sent through it"
    )]
    UnknownDocument {
        /// Its sender.
        sender: String,
        /// Its id.
        document_id: String,
    },
    /// A status from an agency that did not receive the document, or a change from one that did
    /// not send it.
    #[error("{agency} cannot {action} document {document_id}: {why}")]
    NotAllowed {
        /// The agency in the package.
        agency: String,
        /// What it tried.
        action: String,
        /// The document.
        document_id: String,
        /// Why not.
        why: String,
    },
    /// The transport id (idempotency key) the caller gave is already the id of a package
    /// another endpoint sent. Nothing of that package is revealed, and nothing was stored.
    #[error(
        "the transport id `{0}` is already taken by a package of another system; send again with a key of your own (nothing was stored)"
    )]
    TransportIdTaken(String),
    /// A policy rule of the programme refuses it (paper required, unsigned PDF).
    #[error("{0}")]
    Refused(#[from] crate::policy::Refusal),
    /// The store failed; nothing was accepted.
    #[error("the package could not be stored ({0}); nothing was accepted, retry later")]
    Store(#[from] StoreError),
    /// An internal failure; nothing was accepted.
    #[error("internal error ({0}); nothing was accepted, retry later")]
    Internal(String),
}

fn summarize(problems: &[Problem]) -> String {
    let mut s = problems
        .iter()
        .take(3)
        .map(|p| format!("{}: {}", p.path, p.message))
        .collect::<Vec<_>>()
        .join("; ");
    if problems.len() > 3 {
        s.push_str(&format!("; and {} more", problems.len() - 3));
    }
    s
}

impl IngestError {
    /// Whether retrying the same package later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, IngestError::Store(_) | IngestError::Internal(_))
    }
}

impl From<crate::policy::PolicyError> for IngestError {
    fn from(e: crate::policy::PolicyError) -> Self {
        use crate::policy::PolicyError;
        match e {
            PolicyError::Refused(r) => IngestError::Refused(r),
            PolicyError::Store(s) => IngestError::Store(s),
            PolicyError::Invalid(m) => IngestError::Internal(m),
        }
    }
}

impl From<sqlx::Error> for IngestError {
    fn from(e: sqlx::Error) -> Self {
        IngestError::Store(StoreError::Sql(e))
    }
}
