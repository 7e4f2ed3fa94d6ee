//! Attempts to use authority an adapter was not given (files, environment, origins), recorded
//! during one call so the call can fail with a typed error that names the attempt.

use std::fmt;
use std::sync::Arc;

use parking_lot::Mutex;

/// One refused attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Denied {
    /// Asked for the filesystem (no directory is ever opened to adapters).
    Filesystem,
    /// Asked for environment variables (adapters get none).
    Environment,
    /// Tried to reach an origin that was not granted.
    Origin(String),
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Denied::Filesystem => f.write_str("filesystem access"),
            Denied::Environment => f.write_str("environment variables"),
            Denied::Origin(o) => write!(f, "outbound HTTP to {o}, which is not granted"),
        }
    }
}

/// The attempts of one call; shared by the hooks that observe them.
#[derive(Clone, Debug, Default)]
pub struct Denials(Arc<Mutex<Vec<Denied>>>);

impl Denials {
    /// Records an attempt (once per kind and target).
    pub fn record(&self, d: Denied) {
        let mut v = self.0.lock();
        if !v.contains(&d) {
            v.push(d);
        }
    }

    /// The first attempt, if any.
    pub fn first(&self) -> Option<Denied> {
        self.0.lock().first().cloned()
    }

    /// The first attempt other than reading the environment, if any.
    pub fn first_except_environment(&self) -> Option<Denied> {
        self.0
            .lock()
            .iter()
            .find(|d| **d != Denied::Environment)
            .cloned()
    }
}
