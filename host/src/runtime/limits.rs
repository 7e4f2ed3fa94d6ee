//! The budget of one adapter call and its enforcement: a memory cap (a `ResourceLimiter` that
//! traps with a typed error), a wall-clock deadline (epochs), and an output-size cap (counted
//! by the blob writers).

use std::time::{Duration, Instant};

use super::manifest;
use super::units::{ByteSize, Span};

/// What one call may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallBudget {
    /// Linear-memory cap of the instance.
    pub memory: ByteSize,
    /// Wall-clock deadline, instantiation included.
    pub timeout: Span,
    /// Bytes the call may write into blobs.
    pub output: ByteSize,
}

impl CallBudget {
    /// The budget a manifest declares, lowered to the operator's ceilings.
    pub fn from_manifest(declared: &manifest::Limits, ceiling: &Ceilings) -> Self {
        Self {
            memory: declared.memory.min(ceiling.memory),
            timeout: declared.timeout.min(ceiling.timeout),
            output: declared.output.min(ceiling.output),
        }
    }
}

/// The most the operator lets any adapter use, whatever its manifest says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ceilings {
    /// Memory per instance.
    pub memory: ByteSize,
    /// Time per call.
    pub timeout: Span,
    /// Output per call.
    pub output: ByteSize,
}

impl Default for Ceilings {
    fn default() -> Self {
        Self {
            memory: ByteSize::mib(512),
            timeout: Span::secs(60),
            output: ByteSize::mib(256),
        }
    }
}

/// The memory cap was hit: the instance was stopped.
#[derive(Debug, thiserror::Error)]
#[error("the adapter tried to grow its memory to {desired} bytes, beyond its limit of {limit}")]
pub struct MemoryLimitHit {
    /// The size asked for.
    pub desired: usize,
    /// The cap.
    pub limit: ByteSize,
}

/// Enforces the memory cap of one instance and records its high-water mark.
#[derive(Debug)]
pub struct CallLimiter {
    memory: ByteSize,
    /// Largest linear memory granted during the call.
    pub peak_memory: usize,
}

impl CallLimiter {
    /// A limiter for `budget`.
    pub fn new(budget: &CallBudget) -> Self {
        Self {
            memory: budget.memory,
            peak_memory: 0,
        }
    }
}

impl wasmtime::ResourceLimiter for CallLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired as u64 > self.memory.bytes() {
            // An error here traps the instance with a cause we can name, where refusing the
            // growth would surface as an anonymous `unreachable` from the guest's allocator.
            return Err(MemoryLimitHit {
                desired,
                limit: self.memory,
            }
            .into());
        }
        self.peak_memory = self.peak_memory.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }

    fn instances(&self) -> usize {
        64
    }

    fn tables(&self) -> usize {
        64
    }

    fn memories(&self) -> usize {
        16
    }
}

/// Bytes written into blobs during one call, against the budget.
#[derive(Debug)]
pub struct OutputMeter {
    limit: u64,
    used: u64,
    /// The budget was exceeded at least once.
    pub exceeded: bool,
}

impl OutputMeter {
    /// A meter for `budget`.
    pub fn new(budget: &CallBudget) -> Self {
        Self {
            limit: budget.output.bytes(),
            used: 0,
            exceeded: false,
        }
    }

    /// Accounts `n` more bytes; `false` (and remembered) if that exceeds the budget.
    pub fn take(&mut self, n: u64) -> bool {
        if self.used.saturating_add(n) > self.limit {
            self.exceeded = true;
            return false;
        }
        self.used += n;
        true
    }

    /// Bytes that may still be written.
    pub fn remaining(&self) -> u64 {
        self.limit.saturating_sub(self.used)
    }

    /// Bytes accounted so far.
    pub fn used(&self) -> u64 {
        self.used
    }

    /// The budget.
    pub fn limit(&self) -> ByteSize {
        ByteSize(self.limit)
    }
}

/// When the call must end.
#[derive(Clone, Copy, Debug)]
pub struct Deadline {
    /// Start of the call.
    pub started: Instant,
    /// The budgeted duration.
    pub budget: Duration,
}

impl Deadline {
    /// A deadline `budget` from now.
    pub fn start(budget: Duration) -> Self {
        Self {
            started: Instant::now(),
            budget,
        }
    }

    /// Whether it has passed.
    pub fn passed(&self) -> bool {
        self.started.elapsed() >= self.budget
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime::ResourceLimiter;

    #[test]
    fn the_manifest_budget_is_lowered_to_the_ceilings() {
        let declared = manifest::Limits {
            memory: ByteSize::mib(1024),
            timeout: Span::secs(1),
            output: ByteSize::mib(1),
        };
        let b = CallBudget::from_manifest(&declared, &Ceilings::default());
        assert_eq!(b.memory, ByteSize::mib(512));
        assert_eq!(b.timeout, Span::secs(1));
        assert_eq!(b.output, ByteSize::mib(1));
    }

    #[test]
    fn growing_past_the_cap_is_a_typed_error_and_the_peak_is_kept() {
        let budget = CallBudget {
            memory: ByteSize::mib(2),
            timeout: Span::secs(1),
            output: ByteSize::kib(1),
        };
        let mut l = CallLimiter::new(&budget);
        assert!(l.memory_growing(0, 1 << 20, None).unwrap());
        let e = l.memory_growing(1 << 20, 3 << 20, None).unwrap_err();
        assert!(e.downcast_ref::<MemoryLimitHit>().is_some());
        assert_eq!(l.peak_memory, 1 << 20);
    }

    #[test]
    fn the_output_meter_refuses_past_its_budget_and_remembers() {
        let budget = CallBudget {
            memory: ByteSize::mib(2),
            timeout: Span::secs(1),
            output: ByteSize(10),
        };
        let mut m = OutputMeter::new(&budget);
        assert!(m.take(6));
        assert!(!m.take(6));
        assert!(m.exceeded);
        assert_eq!(m.used(), 6);
    }
}
