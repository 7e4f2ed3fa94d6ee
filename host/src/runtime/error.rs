//! What can go wrong in an adapter call or load, as types the exchange engine can act on.

use std::fmt;

use super::manifest::World;
use super::units::{ByteSize, Span};

/// The four kinds of error an adapter itself reports (WIT `adapter-error`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdapterErrorKind {
    /// The input is not in the expected format; retrying will not help.
    Malformed,
    /// Well-formed input the adapter cannot express.
    Unsupported,
    /// The legacy system refused the message.
    Rejected,
    /// Worth retrying later.
    Transient,
}

impl fmt::Display for AdapterErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Malformed => "malformed input",
            Self::Unsupported => "unsupported content",
            Self::Rejected => "rejected by the legacy system",
            Self::Transient => "transient failure",
        })
    }
}

/// An error the adapter returned.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AdapterFailure {
    /// Which kind.
    pub kind: AdapterErrorKind,
    /// The adapter's message.
    pub message: String,
    /// Where in the input, if the adapter said.
    pub location: Option<String>,
}

impl fmt::Display for AdapterFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)?;
        if let Some(l) = &self.location {
            write!(f, " (at {l})")?;
        }
        Ok(())
    }
}

/// How a trapped instance died.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrapKind {
    /// A Rust panic or an abort (`unreachable`).
    Panic,
    /// The wasm call stack overflowed (runaway recursion).
    StackOverflow,
    /// A memory access out of bounds (often a shadow-stack overflow in linear memory).
    OutOfBounds,
    /// The guest called `exit`.
    Exit(i32),
    /// Another trap, described.
    Other(String),
}

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrapKind::Panic => f.write_str("panicked (see the adapter's stderr in the log)"),
            TrapKind::StackOverflow => f.write_str("overflowed its call stack"),
            TrapKind::OutOfBounds => f.write_str("accessed memory out of bounds"),
            TrapKind::Exit(code) => write!(f, "exited with status {code}"),
            TrapKind::Other(s) => write!(f, "trapped: {s}"),
        }
    }
}

/// Why one adapter call failed. Each is about this one message; the hub keeps serving.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CallError {
    /// The adapter answered with an error.
    #[error("{adapter}: {failure}")]
    Adapter {
        /// `name@version`.
        adapter: String,
        /// What it said.
        failure: AdapterFailure,
    },
    /// The call ran past its deadline and was stopped.
    #[error("{adapter} did not finish within its {budget} budget and was stopped")]
    Timeout {
        /// `name@version`.
        adapter: String,
        /// The deadline.
        budget: Span,
    },
    /// The instance tried to use more memory than allowed and was stopped.
    #[error("{adapter} tried to use more than its {limit} of memory and was stopped")]
    MemoryLimit {
        /// `name@version`.
        adapter: String,
        /// The cap.
        limit: ByteSize,
    },
    /// The call produced more output than allowed.
    #[error("{adapter} produced more than its {limit} output budget; the result was discarded")]
    OutputLimit {
        /// `name@version`.
        adapter: String,
        /// The cap.
        limit: ByteSize,
    },
    /// The instance trapped.
    #[error("{adapter} {kind}")]
    Trap {
        /// `name@version`.
        adapter: String,
        /// How.
        kind: TrapKind,
    },
    /// The adapter tried to use authority it was not given.
    #[error(
        "{adapter} attempted {what}; refused (adapters get no files, environment or ungranted network)"
    )]
    CapabilityDenied {
        /// `name@version`.
        adapter: String,
        /// What it attempted.
        what: String,
    },
    /// The adapter's output does not form a valid canonical message.
    #[error("{adapter} returned an invalid message: {what}")]
    InvalidOutput {
        /// `name@version`.
        adapter: String,
        /// What is wrong.
        what: String,
    },
    /// Too many recent failures: calls are refused until the cool-down ends.
    #[error(
        "{adapter} failed {failures} times in a row; its circuit breaker is open for {retry_in_secs} more seconds"
    )]
    CircuitOpen {
        /// `name@version`.
        adapter: String,
        /// Consecutive failures that opened it.
        failures: u32,
        /// Seconds until a trial call is allowed.
        retry_in_secs: u64,
    },
    /// No sandbox slot is free right now.
    #[error("all adapter sandboxes are busy; retry shortly")]
    Busy,
    /// The call needs the other world (e.g. `deliver` on a codec adapter).
    #[error("{adapter} is a {actual} adapter; this operation needs a {needed} adapter")]
    WrongWorld {
        /// `name@version`.
        adapter: String,
        /// What it is.
        actual: World,
        /// What is needed.
        needed: World,
    },
    /// The hub failed around the call (not the adapter's fault).
    #[error("internal error calling {adapter}: {detail}")]
    Host {
        /// `name@version`.
        adapter: String,
        /// What failed.
        detail: String,
    },
}

impl CallError {
    /// A short stable label, for metrics and JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            CallError::Adapter { failure, .. } => match failure.kind {
                AdapterErrorKind::Malformed => "malformed",
                AdapterErrorKind::Unsupported => "unsupported",
                AdapterErrorKind::Rejected => "rejected",
                AdapterErrorKind::Transient => "transient",
            },
            CallError::Timeout { .. } => "timeout",
            CallError::MemoryLimit { .. } => "memory-limit",
            CallError::OutputLimit { .. } => "output-limit",
            CallError::Trap { kind, .. } => match kind {
                TrapKind::Panic => "trap-panic",
                TrapKind::StackOverflow => "trap-stack-overflow",
                TrapKind::OutOfBounds => "trap-out-of-bounds",
                TrapKind::Exit(_) => "trap-exit",
                TrapKind::Other(_) => "trap-other",
            },
            CallError::CapabilityDenied { .. } => "capability-denied",
            CallError::InvalidOutput { .. } => "invalid-output",
            CallError::CircuitOpen { .. } => "circuit-open",
            CallError::Busy => "busy",
            CallError::WrongWorld { .. } => "wrong-world",
            CallError::Host { .. } => "host",
        }
    }

    /// Whether trying the same message again later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            CallError::Adapter { failure, .. } => failure.kind == AdapterErrorKind::Transient,
            CallError::Timeout { .. }
            | CallError::CircuitOpen { .. }
            | CallError::Busy
            | CallError::Host { .. } => true,
            _ => false,
        }
    }

    /// Whether the failure is the sandbox stopping a misbehaving adapter (what opens the
    /// circuit breaker), as opposed to an answer or a condition of the hub.
    pub fn is_misbehaviour(&self) -> bool {
        matches!(
            self,
            CallError::Timeout { .. }
                | CallError::MemoryLimit { .. }
                | CallError::OutputLimit { .. }
                | CallError::Trap { .. }
                | CallError::CapabilityDenied { .. }
                | CallError::InvalidOutput { .. }
        )
    }
}

/// Why an adapter package could not be loaded or activated.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The package is not trusted.
    #[error(transparent)]
    Trust(#[from] super::trust::TrustError),
    /// The contract version is not one this hub speaks.
    #[error(
        "{adapter} was built for contract {contract}, which this hub does not support (supported: {supported})"
    )]
    UnsupportedContract {
        /// `name@version`.
        adapter: String,
        /// What it asks for.
        contract: String,
        /// What we have.
        supported: String,
    },
    /// Compilation or linking failed: not a valid component, or it imports what the hub does
    /// not provide (sockets, say).
    #[error("{adapter} cannot be loaded: {detail}")]
    Invalid {
        /// `name@version`.
        adapter: String,
        /// Why.
        detail: String,
    },
    /// The component does not export what its manifest's world promises.
    #[error("{adapter} declares world `{world}` but does not export it: {detail}")]
    WorldMismatch {
        /// `name@version`.
        adapter: String,
        /// Declared world.
        world: World,
        /// Missing export.
        detail: String,
    },
    /// The self-test at activation failed.
    #[error("{adapter} failed its self-test: {detail}")]
    SelfTest {
        /// `name@version`.
        adapter: String,
        /// What failed.
        detail: String,
    },
    /// The artifact cache could not be used.
    #[error("artifact cache: {0}")]
    Cache(String),
}
