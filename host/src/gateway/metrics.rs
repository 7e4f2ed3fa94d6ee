//! `/metrics` in the Prometheus text format: requests by route and status, packages and
//! deliveries by state, and for every adapter generation its calls, failures by kind, latency
//! and memory high-water.

use std::fmt::Write as _;
use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

use crate::exchange::Receipt;
use crate::runtime::metrics::LATENCY_BUCKETS;

/// Labels of an HTTP request counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The route template, e.g. `/api/v1/packages`.
    pub route: String,
    /// `GET`, `POST`…
    pub method: String,
    /// The status code.
    pub status: u16,
}

/// Labels of the accepted-packages counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PackageLabels {
    /// `document` or `status`.
    pub kind: String,
    /// `new` or `duplicate`.
    pub outcome: String,
}

/// The hub's counters.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    packages: Family<PackageLabels, Counter>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let packages = Family::<PackageLabels, Counter>::default();
        registry.register(
            "truc_http_requests",
            "HTTP requests by route, method and status",
            requests.clone(),
        );
        registry.register(
            "truc_packages_accepted",
            "Packages accepted by the exchange",
            packages.clone(),
        );
        Self {
            registry,
            requests,
            packages,
        }
    }
}

impl Metrics {
    /// Counts one request.
    pub fn request(&self, route: &str, method: &str, status: u16) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                method: method.to_owned(),
                status,
            })
            .inc();
    }

    /// Counts an accepted package.
    pub fn packages_accepted(&self, r: &Receipt) {
        self.packages
            .get_or_create(&PackageLabels {
                kind: r.kind.clone(),
                outcome: if r.duplicate { "duplicate" } else { "new" }.into(),
            })
            .inc();
    }

    /// Renders the counters plus `states` (store counts) and adapter generation snapshots.
    pub fn render(
        &self,
        states: &[(String, String, i64)],
        adapters: &[(String, Arc<crate::runtime::Generation>)],
    ) -> String {
        let mut out = String::new();
        let _ = prometheus_client::encoding::text::encode_registry(&mut out, &self.registry);
        let _ = writeln!(
            out,
            "# HELP truc_store_rows Stored packages by kind and deliveries by state."
        );
        let _ = writeln!(out, "# TYPE truc_store_rows gauge");
        for (table, state, n) in states {
            let _ = writeln!(
                out,
                "truc_store_rows{{table=\"{table}\",state=\"{state}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP truc_adapter_calls Adapter calls by endpoint and adapter generation."
        );
        let _ = writeln!(out, "# TYPE truc_adapter_calls counter");
        for (endpoint, g) in adapters {
            let m = g.metrics().snapshot();
            let l = format!("endpoint=\"{endpoint}\",adapter=\"{}\"", g.id());
            let _ = writeln!(out, "truc_adapter_calls_total{{{l}}} {}", m.calls);
        }
        let _ = writeln!(
            out,
            "# HELP truc_adapter_failures Failed adapter calls by kind (trap, timeout, limits, adapter errors)."
        );
        let _ = writeln!(out, "# TYPE truc_adapter_failures counter");
        for (endpoint, g) in adapters {
            for (kind, n) in g.metrics().snapshot().failures {
                let _ = writeln!(
                    out,
                    "truc_adapter_failures_total{{endpoint=\"{endpoint}\",adapter=\"{}\",kind=\"{kind}\"}} {n}",
                    g.id()
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP truc_adapter_call_seconds Adapter call latency."
        );
        let _ = writeln!(out, "# TYPE truc_adapter_call_seconds histogram");
        for (endpoint, g) in adapters {
            let m = g.metrics().snapshot();
            let l = format!("endpoint=\"{endpoint}\",adapter=\"{}\"", g.id());
            for (bound, n) in LATENCY_BUCKETS.iter().zip(&m.latency_buckets) {
                let _ = writeln!(
                    out,
                    "truc_adapter_call_seconds_bucket{{{l},le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "truc_adapter_call_seconds_bucket{{{l},le=\"+Inf\"}} {}",
                m.calls
            );
            let _ = writeln!(
                out,
                "truc_adapter_call_seconds_sum{{{l}}} {}",
                m.latency_sum
            );
            let _ = writeln!(out, "truc_adapter_call_seconds_count{{{l}}} {}", m.calls);
        }
        let _ = writeln!(
            out,
            "# HELP truc_adapter_memory_peak_bytes Largest linear memory any call of the generation reached."
        );
        let _ = writeln!(out, "# TYPE truc_adapter_memory_peak_bytes gauge");
        for (endpoint, g) in adapters {
            let _ = writeln!(
                out,
                "truc_adapter_memory_peak_bytes{{endpoint=\"{endpoint}\",adapter=\"{}\"}} {}",
                g.id(),
                g.metrics().snapshot().peak_memory
            );
        }
        let _ = writeln!(
            out,
            "# HELP truc_adapter_breaker_open Whether the generation's circuit breaker is open (1) or not (0)."
        );
        let _ = writeln!(out, "# TYPE truc_adapter_breaker_open gauge");
        for (endpoint, g) in adapters {
            let open = u8::from(g.breaker_state() != crate::runtime::BreakerState::Closed);
            let _ = writeln!(
                out,
                "truc_adapter_breaker_open{{endpoint=\"{endpoint}\",adapter=\"{}\"}} {open}",
                g.id()
            );
        }
        out.push_str("# EOF\n");
        out
    }
}
