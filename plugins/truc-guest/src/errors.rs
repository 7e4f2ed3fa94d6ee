//! Building [`AdapterError`] values: one function per kind, so the kind is always deliberate.

use crate::{AdapterError, ErrorDetail};

fn detail(message: impl Into<String>, location: Option<String>) -> ErrorDetail {
    ErrorDetail {
        message: message.into(),
        location,
    }
}

/// The input is not in the expected format; retrying will not help.
pub fn malformed(message: impl Into<String>, location: Option<String>) -> AdapterError {
    AdapterError::Malformed(detail(message, location))
}

/// The input is well-formed but asks for something this adapter cannot express.
pub fn unsupported(message: impl Into<String>, location: Option<String>) -> AdapterError {
    AdapterError::Unsupported(detail(message, location))
}

/// The legacy system refused the message; do not retry.
pub fn rejected(message: impl Into<String>, location: Option<String>) -> AdapterError {
    AdapterError::Rejected(detail(message, location))
}

/// A failure worth retrying later.
pub fn transient(message: impl Into<String>, location: Option<String>) -> AdapterError {
    AdapterError::Transient(detail(message, location))
}
