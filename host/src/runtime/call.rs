//! One adapter call: a fresh store and instance under one budget, and the classification of
//! how it ended. A trap, a timeout or an over-limit becomes a [`CallError`] for this call only;
//! the store is dropped with the instance, so nothing of it survives.

use std::time::{Duration, Instant};

use wasmtime::component::{Instance, InstancePre};
use wasmtime::{Engine, Store, Trap, UpdateDeadline};

use super::contract::GuestError;
use super::error::{CallError, TrapKind};
use super::limits::{Deadline, MemoryLimitHit};
use super::state::{Binding, CallState};

/// What a call used, whatever its outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CallReport {
    /// Wall-clock time, instantiation included.
    pub elapsed: Duration,
    /// Largest linear memory reached, in bytes.
    pub peak_memory: usize,
    /// Bytes written into blobs.
    pub output_bytes: u64,
}

/// Extra time the host waits beyond the deadline before abandoning a call that is blocked
/// outside wasm (an HTTP wait, say), where epochs cannot interrupt it.
const HOST_GRACE: Duration = Duration::from_millis(250);

/// Runs `body` against a fresh instance of `pre` under `binding`'s budget.
pub async fn run<R>(
    engine: &Engine,
    pre: &InstancePre<CallState>,
    binding: &Binding,
    body: impl AsyncFnOnce(&mut Store<CallState>, &Instance) -> wasmtime::Result<Result<R, GuestError>>,
) -> (Result<R, CallError>, CallReport) {
    let started = Instant::now();
    let budget = binding.budget.timeout.0;
    let deadline = Deadline::start(budget);
    let mut store = Store::new(engine, CallState::new(binding));
    store.limiter(|s| &mut s.limiter);
    // Checked at every epoch tick: yield to the executor so one busy adapter cannot starve
    // other tasks, and stop it once its deadline has passed. Set before instantiation, which
    // runs guest code (the component's start function).
    store.epoch_deadline_callback(move |_| {
        Ok(if deadline.passed() {
            UpdateDeadline::Interrupt
        } else {
            UpdateDeadline::Yield(1)
        })
    });
    store.set_epoch_deadline(1);

    let work = async {
        let instance = pre.instantiate_async(&mut store).await?;
        body(&mut store, &instance).await
    };
    let outcome = tokio::time::timeout(budget + HOST_GRACE, work).await;

    let state = store.data();
    let report = CallReport {
        elapsed: started.elapsed(),
        peak_memory: state.limiter.peak_memory,
        output_bytes: state.output.used(),
    };
    let adapter = state.adapter.to_string();
    let result = match outcome {
        Err(_elapsed) => Err(CallError::Timeout {
            adapter,
            budget: binding.budget.timeout,
        }),
        Ok(Err(e)) => Err(classify_trap(&e, state, binding, adapter)),
        Ok(Ok(answer)) => classify_answer(answer, state, binding, adapter),
    };
    (result, report)
}

fn classify_answer<R>(
    answer: Result<R, GuestError>,
    state: &CallState,
    binding: &Binding,
    adapter: String,
) -> Result<R, CallError> {
    // Over-budget output voids the result even if the adapter papered over the refusal.
    if state.output.exceeded {
        return Err(CallError::OutputLimit {
            adapter,
            limit: binding.budget.output,
        });
    }
    match answer {
        Ok(r) => Ok(r),
        Err(e) => {
            // An adapter that read the (empty) environment and then answered with its own typed
            // error keeps its answer: language runtimes read it on their error paths (CPython
            // through componentize-py does, on every raised `Err`), harmlessly. The attempt is
            // still logged. Files and origins are never harmless (decision 0019).
            let denied = match e {
                GuestError::Adapter(_) => state.denials.first_except_environment(),
                _ => state.denials.first(),
            };
            if let Some(what) = denied {
                return Err(CallError::CapabilityDenied {
                    adapter,
                    what: what.to_string(),
                });
            }
            Err(match e {
                GuestError::Adapter(failure) => CallError::Adapter { adapter, failure },
                GuestError::Invalid(what) => CallError::InvalidOutput { adapter, what },
                GuestError::Missing(needed) => CallError::WrongWorld {
                    adapter,
                    actual: super::manifest::World::Codec,
                    needed,
                },
            })
        }
    }
}

fn classify_trap(
    e: &wasmtime::Error,
    state: &CallState,
    binding: &Binding,
    adapter: String,
) -> CallError {
    if e.downcast_ref::<MemoryLimitHit>().is_some() {
        return CallError::MemoryLimit {
            adapter,
            limit: binding.budget.memory,
        };
    }
    if e.downcast_ref::<wasmtime::PoolConcurrencyLimitError>()
        .is_some()
    {
        return CallError::Busy;
    }
    if state.output.exceeded {
        return CallError::OutputLimit {
            adapter,
            limit: binding.budget.output,
        };
    }
    if let Some(exit) = e.downcast_ref::<wasmtime_wasi::I32Exit>() {
        return CallError::Trap {
            adapter,
            kind: TrapKind::Exit(exit.0),
        };
    }
    let trap = e.downcast_ref::<Trap>().copied();
    if trap == Some(Trap::Interrupt) {
        return CallError::Timeout {
            adapter,
            budget: binding.budget.timeout,
        };
    }
    // A trap after a refused file or network access is reported as that attempt. Reading the
    // environment is not: Rust's panic handler reads `RUST_BACKTRACE`, harmlessly.
    if let Some(what) = state.denials.first_except_environment() {
        return CallError::CapabilityDenied {
            adapter,
            what: what.to_string(),
        };
    }
    let kind = match trap {
        Some(Trap::StackOverflow) => TrapKind::StackOverflow,
        Some(Trap::UnreachableCodeReached) => TrapKind::Panic,
        Some(Trap::MemoryOutOfBounds) => TrapKind::OutOfBounds,
        Some(t) => TrapKind::Other(t.to_string()),
        None if e.downcast_ref::<std::io::Error>().is_some() => {
            return CallError::Host {
                adapter,
                detail: format!("{e:#}"),
            };
        }
        None => TrapKind::Other(first_line(e)),
    };
    CallError::Trap { adapter, kind }
}

fn first_line(e: &wasmtime::Error) -> String {
    let s = format!("{e:#}");
    s.lines().next().unwrap_or_default().to_owned()
}
