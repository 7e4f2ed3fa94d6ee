//! Counters for one adapter generation: calls, failures by kind, latency, memory high-water.
//! The gateway renders them for Prometheus.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;

/// Upper bounds of the latency histogram buckets, in seconds.
pub const LATENCY_BUCKETS: [f64; 12] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.05, 0.25, 1.0, 10.0,
];

/// Counters of one adapter generation.
#[derive(Debug, Default)]
pub struct AdapterMetrics {
    calls: AtomicU64,
    failures: Mutex<BTreeMap<&'static str, u64>>,
    buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_sum_micros: AtomicU64,
    peak_memory: AtomicU64,
}

/// A consistent copy of the counters.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct MetricsSnapshot {
    /// Calls made.
    pub calls: u64,
    /// Failed calls by kind.
    pub failures: BTreeMap<&'static str, u64>,
    /// Cumulative histogram counts per bucket of [`LATENCY_BUCKETS`].
    pub latency_buckets: Vec<u64>,
    /// Sum of latencies in seconds.
    pub latency_sum: f64,
    /// Largest linear memory any call reached, in bytes.
    pub peak_memory: u64,
}

impl AdapterMetrics {
    /// Records one call.
    pub fn record(&self, elapsed: Duration, peak_memory: usize, failure: Option<&'static str>) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let secs = elapsed.as_secs_f64();
        for (bound, count) in LATENCY_BUCKETS.iter().zip(&self.buckets) {
            if secs <= *bound {
                count.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_sum_micros
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
        self.peak_memory
            .fetch_max(peak_memory as u64, Ordering::Relaxed);
        if let Some(kind) = failure {
            *self.failures.lock().entry(kind).or_default() += 1;
        }
    }

    /// A copy of the counters.
    pub fn snapshot(&self) -> MetricsSnapshot {
        MetricsSnapshot {
            calls: self.calls.load(Ordering::Relaxed),
            failures: self.failures.lock().clone(),
            latency_buckets: self
                .buckets
                .iter()
                .map(|b| b.load(Ordering::Relaxed))
                .collect(),
            latency_sum: self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6,
            peak_memory: self.peak_memory.load(Ordering::Relaxed),
        }
    }
}
