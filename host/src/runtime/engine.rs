//! The one wasmtime engine of the hub: component model, epoch interruption, and a pooling
//! allocator sized from the number of concurrent calls and the memory ceiling.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use super::units::ByteSize;

/// How big the sandbox pool is.
#[derive(Clone, Copy, Debug)]
pub struct EngineSettings {
    /// Calls that may run at once (each holds one instance and one fiber stack).
    pub max_concurrent_calls: u32,
    /// The largest linear memory any adapter may be granted.
    pub max_memory: ByteSize,
    /// How often the epoch advances: the resolution of call deadlines.
    pub epoch_tick: Duration,
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self {
            max_concurrent_calls: 64,
            max_memory: ByteSize::mib(512),
            epoch_tick: Duration::from_millis(5),
        }
    }
}

/// Builds the engine. Components built by the Rust, Python and JavaScript toolchains use up
/// to a dozen core instances and a few memories each; the per-component maxima leave room.
pub fn build(settings: &EngineSettings) -> wasmtime::Result<Engine> {
    let n = settings.max_concurrent_calls.max(1);
    let mut pool = PoolingAllocationConfig::new();
    pool.total_component_instances(n)
        .total_core_instances(n * 16)
        .total_memories(n * 4)
        .total_tables(n * 16)
        .total_stacks(n)
        .max_core_instances_per_component(32)
        .max_memories_per_component(4)
        .max_tables_per_component(16)
        .max_memory_size(settings.max_memory.bytes() as usize)
        .table_elements(200_000)
        .max_core_instance_size(4 << 20)
        .max_component_instance_size(4 << 20)
        // A fresh instance per call makes slot reuse the hot path: reset the low pages of
        // memories and tables with memset (only the dirty ones, where the kernel supports
        // PAGEMAP_SCAN) instead of madvise, which costs a TLB shootdown and page faults on
        // the next call, and batch the decommits that remain.
        .linear_memory_keep_resident(64 << 20)
        .table_keep_resident(256 << 10)
        .async_stack_keep_resident(128 << 10)
        .pagemap_scan(Enabled::Auto)
        .decommit_batch_size(16);
    let mut cfg = Config::new();
    // `TRUC_PROFILE_GUESTS=perfmap` writes /tmp/perf-PID.map so `perf report` names guest
    // functions; for profiling only.
    if std::env::var_os("TRUC_PROFILE_GUESTS").is_some_and(|v| v == "perfmap") {
        cfg.profiler(wasmtime::ProfilingStrategy::PerfMap);
    }
    cfg.wasm_component_model(true)
        .epoch_interruption(true)
        .concurrency_support(false)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    Engine::new(&cfg)
}

/// Advances the engine's epoch on a background thread until dropped.
pub struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    /// Starts ticking every `tick`.
    pub fn start(engine: &Engine, tick: Duration) -> Self {
        let weak = engine.weak();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("truc-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(tick);
                    match weak.upgrade() {
                        Some(e) => e.increment_epoch(),
                        None => break,
                    }
                }
            })
            .ok();
        Self { stop, thread }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
