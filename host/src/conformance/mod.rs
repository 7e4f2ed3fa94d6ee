//! The adapter conformance harness (`truc adapter test`): runs a package offline, under the
//! budget and grants production applies, and reports one verdict per check with its reason.
//! Vendors run it before shipping, CI runs it with `--json`, operators may run it before
//! installing. It drives the real runtime (`crate::runtime`), so what passes here is what the
//! hub will see.

pub mod compare;
pub mod mock;
pub mod report;
pub mod samples;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::runtime::{
    AdapterConfig, AdapterPackage, BindingSettings, BreakerSettings, CallError, CallReport,
    CanonicalMessage, Contract, Delivery, Generation, LoadError, Payload, Provenance, Runtime,
    RuntimeSettings, TrustStore, Trusted, World,
};

pub use report::{Check, Measurement, Outcome, Report};
use samples::{ConnectorSettings, SampleSet};

/// Every check, in the order run.
pub const CHECKS: &[&str] = &[
    "manifest",
    "signature",
    "contract",
    "describe",
    "decode-samples",
    "round-trip",
    "determinism",
    "hostile-input",
    "connector-deliver",
    "connector-poll",
    "limits",
    "backward-compatibility",
];

/// Share of the time or memory budget above which a call is flagged "would exceed in
/// production": the vendor's machine is rarely the busiest hub node.
pub const NEAR: f64 = 0.8;

/// Size of the pseudo-random garbage input.
const GARBAGE: usize = 64 * 1024;

/// What to test and against what.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The package file.
    pub package: PathBuf,
    /// Directory of legacy inputs (see [`samples`]).
    pub samples: Option<PathBuf>,
    /// The previous release of the same adapter, for backward compatibility.
    pub previous: Option<PathBuf>,
    /// The keys a hub would trust (and whether it allows unsigned packages).
    pub trust: TrustStore,
}

/// Runs every check on `opts.package`.
pub async fn run(opts: &Options) -> Report {
    let mut r = Report::new(opts.package.display().to_string());
    let pkg = match AdapterPackage::open(&opts.package) {
        Ok(p) => p,
        Err(e) => {
            r.add("manifest", Outcome::Fail, e.to_string());
            r.skip_rest("not run: the package cannot be read");
            return r.finish();
        }
    };
    let m = &pkg.manifest;
    r.adapter = Some(m.id());
    r.world = Some(m.adapter.world.to_string());
    r.add(
        "manifest",
        Outcome::Pass,
        format!(
            "{} by {}, {} world, contract {}",
            m.id(),
            m.adapter.vendor,
            m.adapter.world,
            m.adapter.contract
        ),
    );
    signature(&mut r, &opts.trust, &pkg);
    if Contract::for_version(&m.adapter.contract.0).is_none() {
        r.add(
            "contract",
            Outcome::Fail,
            format!(
                "{} is not supported by this hub (supported: {})",
                m.adapter.contract,
                Contract::supported_list()
            ),
        );
        r.skip_rest("not run: the contract is not supported");
        return r.finish();
    }
    r.add(
        "contract",
        Outcome::Pass,
        format!("{} is supported", m.adapter.contract),
    );

    let set = match opts.samples.as_deref().map(SampleSet::read).transpose() {
        Ok(s) => s,
        Err(e) => {
            r.add(
                "decode-samples",
                Outcome::Fail,
                format!("cannot read the samples: {e}"),
            );
            None
        }
    };
    let connector = set.as_ref().and_then(|s| s.connector.clone());
    let runtime = match Runtime::new(RuntimeSettings {
        // Every failure is reported, so the breaker must not hide later calls.
        breaker: BreakerSettings {
            threshold: u32::MAX,
            cooldown: Duration::from_secs(1),
        },
        ..RuntimeSettings::default()
    }) {
        Ok(rt) => rt,
        Err(e) => {
            r.add(
                "describe",
                Outcome::Fail,
                format!("the runtime cannot start: {e}"),
            );
            r.skip_rest("not run: the runtime cannot start");
            return r.finish();
        }
    };
    let world = m.adapter.world;
    let mock = if world == World::Connector {
        let routes = connector
            .as_ref()
            .map(|c| c.mock.clone())
            .unwrap_or_default();
        match mock::MockLegacy::start(routes).await {
            Ok(m) => Some(m),
            Err(e) => {
                r.add(
                    "connector-deliver",
                    Outcome::Fail,
                    format!("cannot start the mock legacy system on loopback: {e}"),
                );
                None
            }
        }
    } else {
        None
    };
    let binding = binding(mock.as_ref(), connector.as_ref());
    let g = match runtime
        .load(&pkg, Provenance::Bundled, binding.clone())
        .await
    {
        Ok(g) => g,
        Err(e) => {
            r.add("describe", Outcome::Fail, load_failure(&e));
            r.skip_rest("not run: the package does not load");
            return r.finish();
        }
    };
    r.budget = Some(g.budget().into());
    let mut h = Harness { r, g: g.clone() };
    h.describe().await;

    let samples = set.map(|s| s.samples).unwrap_or_default();
    let decoded = h.samples(opts.samples.is_some(), &samples).await;
    h.hostile().await;
    if let (Some(mock), true) = (&mock, world == World::Connector) {
        h.connector(mock, &decoded).await;
    } else if world == World::Connector {
        h.r.skip_rest("not run: no mock legacy system");
    } else {
        let why = "does not apply: codec world";
        h.r.add("connector-deliver", Outcome::Skip, why);
        h.r.add("connector-poll", Outcome::Skip, why);
    }
    h.limits();
    match &opts.previous {
        Some(p) => h.previous(&runtime, p, binding, &samples).await,
        None => h.r.add(
            "backward-compatibility",
            Outcome::Skip,
            "not run: give --previous PACKAGE to compare with the previous release",
        ),
    }
    h.r.finish()
}

fn signature(r: &mut Report, trust: &TrustStore, pkg: &AdapterPackage) {
    match trust.verify(pkg) {
        Ok(Trusted::SignedBy { key_id, label }) => r.add(
            "signature",
            Outcome::Pass,
            format!("signed by trusted key {key_id} ({label}), unchanged since"),
        ),
        Ok(Trusted::UnsignedAllowed) => r.add(
            "signature",
            Outcome::Warn,
            "unsigned, accepted because of --allow-unsigned; a production hub refuses it: sign it with `truc adapter sign`",
        ),
        Ok(Trusted::Bundled) => r.add("signature", Outcome::Pass, "bundled with the hub"),
        Err(e) => r.add("signature", Outcome::Fail, e.to_string()),
    }
}

fn load_failure(e: &LoadError) -> String {
    match e {
        LoadError::SelfTest { .. } => e.to_string(),
        _ => format!("the package does not load, so describe cannot be called: {e}"),
    }
}

/// Grants and configuration: a connector may reach only the mock, as an operator would grant
/// only its legacy system's origin; `{mock}` in settings becomes the mock's origin.
fn binding(
    mock: Option<&mock::MockLegacy>,
    settings: Option<&ConnectorSettings>,
) -> BindingSettings {
    let origin = mock.map(|m| m.origin.clone()).unwrap_or_default();
    let mut config = AdapterConfig::new();
    if let Some(s) = settings {
        for (k, v) in &s.values {
            config = config.with_value(k, v.replace("{mock}", &origin));
        }
        for (k, v) in &s.secrets {
            config = config.with_secret(k, v.replace("{mock}", &origin));
        }
    }
    BindingSettings {
        granted_origins: mock
            .and_then(|m| m.origin.parse().ok())
            .into_iter()
            .collect(),
        config,
    }
}

/// Deterministic pseudo-random bytes (xorshift), the same on every run.
fn garbage(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 32) as u8
        })
        .collect()
}

struct Harness {
    r: Report,
    g: Arc<Generation>,
}

impl Harness {
    fn measure(
        &mut self,
        input: &str,
        call: impl Into<String>,
        rep: &CallReport,
        err: Option<&CallError>,
    ) {
        let b = self.g.budget();
        let stopped = err.is_some_and(|e| {
            matches!(
                e,
                CallError::Timeout { .. }
                    | CallError::MemoryLimit { .. }
                    | CallError::OutputLimit { .. }
            )
        });
        let near = rep.elapsed.as_secs_f64() >= NEAR * b.timeout.0.as_secs_f64()
            || rep.peak_memory as f64 >= NEAR * b.memory.bytes() as f64;
        self.r.measurements.push(Measurement {
            input: input.to_owned(),
            call: call.into(),
            elapsed_ms: rep.elapsed.as_secs_f64() * 1000.0,
            peak_memory: rep.peak_memory as u64,
            error: err.map(CallError::kind),
            would_exceed_in_production: stopped || near,
        });
    }

    async fn describe(&mut self) {
        let (res, rep) = self.g.describe_measured().await;
        self.measure("-", "describe", &rep, res.as_ref().err());
        match res {
            Ok(info) => self.r.add(
                "describe",
                Outcome::Pass,
                format!(
                    "{}@{} by {}, formats: {}",
                    info.name,
                    info.version,
                    info.vendor,
                    info.formats.join(", ")
                ),
            ),
            Err(e) => self.r.add("describe", Outcome::Fail, e.to_string()),
        }
    }

    async fn decode(
        &mut self,
        input: &str,
        payload: &Payload,
        call: &str,
    ) -> Result<Vec<CanonicalMessage>, CallError> {
        let (res, rep) = self.g.decode_measured(payload).await;
        self.measure(input, call, &rep, res.as_ref().err());
        res
    }

    /// decode-samples, round-trip and determinism; returns what the samples decoded to.
    async fn samples(&mut self, given: bool, samples: &[samples::Sample]) -> Vec<CanonicalMessage> {
        let mut decoded = Vec::new();
        let (mut dec, mut rt, mut det) = (Vec::new(), Vec::new(), Vec::new());
        if samples.is_empty() && self.r.outcome("decode-samples").is_none() {
            let why = if given {
                "the samples directory holds no sample"
            } else {
                "no samples: give --samples DIR, a directory of legacy inputs (see docs/vendor-guide.md)"
            };
            self.r.add("decode-samples", Outcome::Fail, why);
        }
        let mut messages = 0;
        for s in samples {
            let payload = Payload::from_bytes(s.content_type.clone(), s.bytes.clone());
            let first = match self.decode(&s.name, &payload, "decode").await {
                Ok(m) if m.is_empty() => {
                    dec.push(format!("{}: decoded to no message", s.name));
                    continue;
                }
                Ok(m) => m,
                Err(e) => {
                    dec.push(format!("{}: {e} [{}]", s.name, e.kind()));
                    continue;
                }
            };
            messages += first.len();
            match self.g.decode(&payload).await {
                Ok(again) => {
                    if let Some(d) = compare::first_difference_in(&first, &again) {
                        det.push(format!("{}: a second decode differs: {d}", s.name));
                    }
                }
                Err(e) => det.push(format!("{}: a second decode failed: {e}", s.name)),
            }
            for (i, m) in first.iter().enumerate() {
                let n = i + 1;
                let (enc, rep) = self.g.encode_measured(m).await;
                self.measure(&s.name, format!("encode #{n}"), &rep, enc.as_ref().err());
                let encoded = match enc {
                    Ok(p) => p,
                    Err(e) => {
                        rt.push(format!(
                            "{} message {n}: encode failed: {e} [{}]",
                            s.name,
                            e.kind()
                        ));
                        continue;
                    }
                };
                match self.g.encode(m).await {
                    Ok(again) => {
                        let (a, b) = (encoded.body.sha256().ok(), again.body.sha256().ok());
                        if a != b || encoded.content_type != again.content_type {
                            det.push(format!(
                                "{} message {n}: a second encode gave other bytes",
                                s.name
                            ));
                        }
                    }
                    Err(e) => det.push(format!(
                        "{} message {n}: a second encode failed: {e}",
                        s.name
                    )),
                }
                match self
                    .decode(&s.name, &encoded, &format!("re-decode #{n}"))
                    .await
                {
                    Ok(back) if back.len() == 1 => {
                        if let Some(d) = compare::first_difference(m, &back[0]) {
                            rt.push(format!("{} message {n}: field {d}", s.name));
                        }
                    }
                    Ok(back) => rt.push(format!(
                        "{} message {n}: its encoding decodes to {} messages, not 1",
                        s.name,
                        back.len()
                    )),
                    Err(e) => rt.push(format!(
                        "{} message {n}: its encoding does not decode: {e} [{}]",
                        s.name,
                        e.kind()
                    )),
                }
            }
            decoded.extend(first);
        }
        if self.r.outcome("decode-samples").is_none() {
            self.r.verdict(
                "decode-samples",
                dec,
                format!(
                    "{} sample(s) decoded to {messages} message(s)",
                    samples.len()
                ),
            );
        }
        if decoded.is_empty() {
            self.r
                .add("round-trip", Outcome::Fail, "not run: no sample decoded");
            self.r
                .add("determinism", Outcome::Fail, "not run: no sample decoded");
        } else {
            self.r.verdict(
                "round-trip",
                rt,
                format!("decode(encode(m)) = m for all {} message(s), field by field and attachment bytes", decoded.len()),
            );
            self.r.verdict(
                "determinism",
                det,
                "decoding and encoding the same input twice gave the same output".into(),
            );
        }
        decoded
    }

    /// Garbage, empty and oversized input must be refused with the adapter's typed error.
    async fn hostile(&mut self) {
        let ct = self
            .g
            .describe()
            .await
            .ok()
            .and_then(|i| i.formats.into_iter().next())
            .unwrap_or_else(|| "application/octet-stream".into());
        // One MiB past the memory cap: an adapter must refuse it or stream it, not hold it.
        let oversized = self.g.budget().memory.bytes() as usize + (1 << 20);
        let inputs: [(String, bytes::Bytes); 3] = [
            ("(garbage)".into(), garbage(GARBAGE).into()),
            ("(empty)".into(), bytes::Bytes::new()),
            // Zeroed pages are mapped lazily: an adapter that refuses by size costs nothing.
            (
                format!("(oversized {oversized} B)"),
                vec![0u8; oversized].into(),
            ),
        ];
        let mut findings = Vec::new();
        for (name, bytes) in inputs {
            let payload = Payload::from_bytes(ct.clone(), bytes);
            match self.decode(&name, &payload, "decode").await {
                Ok(m) => findings.push(format!("{name}: accepted as {} message(s)", m.len())),
                Err(CallError::Adapter { .. }) => {}
                Err(e) => findings.push(format!("{name}: {e} [{}]", e.kind())),
            }
        }
        self.r.verdict(
            "hostile-input",
            findings,
            "garbage, empty and oversized input each refused with a typed error".into(),
        );
    }

    /// Whether every call stayed within the production budget, with margin.
    fn limits(&mut self) {
        let b = *self.g.budget();
        let over: Vec<String> = self
            .r
            .measurements
            .iter()
            .filter(|m| m.would_exceed_in_production)
            .map(|m| {
                format!(
                    "{} {}: {:.1} ms, {:.1} MiB{}",
                    m.input,
                    m.call,
                    m.elapsed_ms,
                    m.peak_memory as f64 / 1048576.0,
                    m.error.map(|e| format!(" ({e})")).unwrap_or_default()
                )
            })
            .collect();
        let stopped = self
            .r
            .measurements
            .iter()
            .any(|m| matches!(m.error, Some("timeout" | "memory-limit" | "output-limit")));
        let max_ms = self
            .r
            .measurements
            .iter()
            .map(|m| m.elapsed_ms)
            .fold(0.0, f64::max);
        let max_mem = self
            .r
            .measurements
            .iter()
            .map(|m| m.peak_memory)
            .max()
            .unwrap_or(0);
        let budget = format!("budget {} and {}", b.timeout, b.memory);
        if over.is_empty() {
            self.r.add(
                "limits",
                Outcome::Pass,
                format!(
                    "slowest call {max_ms:.1} ms, largest memory {:.1} MiB, within {:.0}% of the {budget}",
                    max_mem as f64 / 1048576.0,
                    NEAR * 100.0
                ),
            );
        } else {
            let outcome = if stopped {
                Outcome::Fail
            } else {
                Outcome::Warn
            };
            self.r.add(
                "limits",
                outcome,
                format!("would exceed in production ({budget}): {}", over.join("; ")),
            );
        }
    }

    /// Delivery to, and polling from, the mock legacy system with only its origin granted.
    async fn connector(&mut self, mock: &mock::MockLegacy, decoded: &[CanonicalMessage]) {
        match decoded.first() {
            None => self.r.add(
                "connector-deliver",
                Outcome::Fail,
                "not run: no sample decoded, so there is nothing to deliver",
            ),
            Some(message) => {
                let before = mock.seen().len();
                let delivery = Delivery {
                    id: "conformance-delivery-1".into(),
                    receivers: receivers(message),
                    message: message.clone(),
                };
                let res = self.g.deliver(&delivery).await;
                let seen = mock.seen();
                let reached: Vec<String> = seen[before..]
                    .iter()
                    .map(|s| format!("{} {}", s.method, s.path))
                    .collect();
                match res {
                    Ok(_) if reached.is_empty() => self.r.add(
                        "connector-deliver",
                        Outcome::Fail,
                        "deliver reported success without contacting the legacy system",
                    ),
                    Ok(receipt) => self.r.add(
                        "connector-deliver",
                        Outcome::Pass,
                        format!(
                            "delivered the first sample's message to the mock at {} ({}){}",
                            mock.origin,
                            reached.join(", "),
                            receipt
                                .map(|id| format!(", its id {id}"))
                                .unwrap_or_default()
                        ),
                    ),
                    Err(e) => self.r.add(
                        "connector-deliver",
                        Outcome::Fail,
                        format!("{e} [{}]", e.kind()),
                    ),
                }
            }
        }
        match self.g.poll(10).await {
            Ok(polled) if polled.is_empty() => self.r.add(
                "connector-poll",
                Outcome::Fail,
                "poll brought nothing: give the mock an answer holding messages (a [[mock]] route in connector.toml)",
            ),
            Ok(polled) => {
                let tokens: Vec<String> = polled.iter().map(|p| p.token.clone()).collect();
                match self.g.acknowledge(&tokens).await {
                    Ok(()) => self.r.add(
                        "connector-poll",
                        Outcome::Pass,
                        format!("polled {} message(s) from the mock and acknowledged them", polled.len()),
                    ),
                    Err(e) => self.r.add(
                        "connector-poll",
                        Outcome::Fail,
                        format!("acknowledge failed: {e} [{}]", e.kind()),
                    ),
                }
            }
            Err(e) => self.r.add("connector-poll", Outcome::Fail, format!("{e} [{}]", e.kind())),
        }
    }

    /// Whether the previous release decodes every sample as this one does.
    async fn previous(
        &mut self,
        runtime: &Runtime,
        path: &std::path::Path,
        binding: BindingSettings,
        samples: &[samples::Sample],
    ) {
        const CHECK: &str = "backward-compatibility";
        let old = match AdapterPackage::open(path) {
            Ok(p) => p,
            Err(e) => {
                self.r
                    .add(CHECK, Outcome::Fail, format!("{}: {e}", path.display()));
                return;
            }
        };
        let (new_m, old_m) = (&self.g.manifest.adapter, &old.manifest.adapter);
        if old_m.name != new_m.name {
            self.r.add(
                CHECK,
                Outcome::Fail,
                format!(
                    "{} is not a release of {}",
                    old.manifest.id(),
                    new_m.name.as_str()
                ),
            );
            return;
        }
        let prev = match runtime.load(&old, Provenance::Bundled, binding).await {
            Ok(g) => g,
            Err(e) => {
                self.r.add(
                    CHECK,
                    Outcome::Fail,
                    format!("the previous release does not load: {e}"),
                );
                return;
            }
        };
        let (mut findings, mut compared) = (Vec::new(), 0);
        for s in samples {
            let payload = Payload::from_bytes(s.content_type.clone(), s.bytes.clone());
            let Ok(before) = prev.decode(&payload).await else {
                continue;
            };
            compared += 1;
            match self.g.decode(&payload).await {
                Ok(now) => {
                    if let Some(d) = compare::first_difference_in(&before, &now) {
                        findings.push(format!("{}: {d}", s.name));
                    }
                }
                Err(e) => findings.push(format!(
                    "{}: {} decoded it, {} does not: {e}",
                    s.name,
                    old.manifest.id(),
                    self.g.id()
                )),
            }
        }
        if compared == 0 && findings.is_empty() {
            self.r.add(
                CHECK,
                Outcome::Fail,
                format!("{} decodes none of the samples", old.manifest.id()),
            );
            return;
        }
        self.r.verdict(
            CHECK,
            findings,
            format!(
                "{} decodes all {compared} sample(s) {} decoded, identically",
                self.g.id(),
                old.manifest.id()
            ),
        );
    }
}

/// The agencies a delivery is for: the document's receivers, or the sender a status answers.
fn receivers(m: &CanonicalMessage) -> Vec<String> {
    use crate::edxml::Package;
    let ids: Vec<String> = match &m.package {
        Package::Document(d) => {
            d.to.iter()
                .filter_map(|o| o.organ_id.as_ref().map(ToString::to_string))
                .collect()
        }
        Package::Status(s) => s
            .response_for
            .iter()
            .filter_map(|r| r.organ_id.as_ref().map(ToString::to_string))
            .collect(),
    };
    if ids.is_empty() {
        vec!["000.00.00.G22".into()]
    } else {
        ids
    }
}
