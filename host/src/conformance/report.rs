//! What the harness found: one verdict per check with its reason, and what each call used. It
//! renders as a table for people and as JSON for CI.

use std::fmt::Write as _;

use serde::Serialize;

use crate::runtime::CallBudget;

/// The verdict of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// It holds.
    Pass,
    /// It holds, but something deserves the vendor's attention (not a failure).
    Warn,
    /// It does not hold.
    Fail,
    /// It could not be run because an earlier check failed, or does not apply.
    Skip,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Warn => "warn",
            Outcome::Fail => "FAIL",
            Outcome::Skip => "skip",
        }
    }
}

/// One check and its verdict.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// Stable name, e.g. `round-trip` (see [`super::CHECKS`]).
    pub check: &'static str,
    /// The verdict.
    pub outcome: Outcome,
    /// Why, in a sentence or a list of findings separated by `; `.
    pub reason: String,
}

/// What one adapter call used.
#[derive(Clone, Debug, Serialize)]
pub struct Measurement {
    /// The sample (file name) or the hostile input, e.g. `(garbage)`.
    pub input: String,
    /// `describe`, `decode`, `encode #N`, `re-decode #N`, `deliver`, `poll`, `acknowledge`.
    pub call: String,
    /// Wall-clock time, instantiation included, in milliseconds.
    pub elapsed_ms: f64,
    /// Largest linear memory of the instance, in bytes.
    pub peak_memory: u64,
    /// How the call ended when it failed (`malformed`, `timeout`, `memory-limit`, …).
    pub error: Option<&'static str>,
    /// Whether it used at least [`super::NEAR`] of the production budget's time or memory, or
    /// was stopped by it.
    pub would_exceed_in_production: bool,
}

/// The budget in force, as JSON shows it.
#[derive(Clone, Debug, Serialize)]
pub struct BudgetView {
    /// Memory per instance, bytes.
    pub memory: u64,
    /// Deadline per call, milliseconds.
    pub timeout_ms: u64,
    /// Output per call, bytes.
    pub output: u64,
}

impl From<&CallBudget> for BudgetView {
    fn from(b: &CallBudget) -> Self {
        Self {
            memory: b.memory.bytes(),
            timeout_ms: b.timeout.0.as_millis() as u64,
            output: b.output.bytes(),
        }
    }
}

/// The harness's findings on one package.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The package file.
    pub package: String,
    /// `name@version`, once the manifest is read.
    pub adapter: Option<String>,
    /// `codec` or `connector`.
    pub world: Option<String>,
    /// The per-call budget production applies (manifest lowered to the hub's ceilings).
    pub budget: Option<BudgetView>,
    /// True when no check failed.
    pub passed: bool,
    /// Every check, in the order run.
    pub checks: Vec<Check>,
    /// Every call the harness made.
    pub measurements: Vec<Measurement>,
}

impl Report {
    pub(super) fn new(package: String) -> Self {
        Self {
            package,
            adapter: None,
            world: None,
            budget: None,
            passed: false,
            checks: Vec::new(),
            measurements: Vec::new(),
        }
    }

    pub(super) fn add(&mut self, check: &'static str, outcome: Outcome, reason: impl Into<String>) {
        self.checks.push(Check {
            check,
            outcome,
            reason: reason.into(),
        });
    }

    /// Adds `check` as passing, or failing with the findings joined.
    pub(super) fn verdict(&mut self, check: &'static str, findings: Vec<String>, ok: String) {
        if findings.is_empty() {
            self.add(check, Outcome::Pass, ok);
        } else {
            self.add(check, Outcome::Fail, findings.join("; "));
        }
    }

    /// Marks every check of [`super::CHECKS`] not yet reported as skipped for `why`.
    pub(super) fn skip_rest(&mut self, why: &str) {
        for name in super::CHECKS {
            if !self.checks.iter().any(|c| c.check == *name) {
                self.add(name, Outcome::Skip, why);
            }
        }
    }

    pub(super) fn finish(mut self) -> Self {
        self.passed = self.checks.iter().all(|c| c.outcome != Outcome::Fail);
        self
    }

    /// The checks that failed.
    pub fn failed(&self) -> Vec<&'static str> {
        self.checks
            .iter()
            .filter(|c| c.outcome == Outcome::Fail)
            .map(|c| c.check)
            .collect()
    }

    /// The verdict of `check`, if it was reported.
    pub fn outcome(&self, check: &str) -> Option<Outcome> {
        self.checks
            .iter()
            .find(|c| c.check == check)
            .map(|c| c.outcome)
    }

    /// The report as a table for a terminal.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let adapter = self.adapter.as_deref().unwrap_or("(unreadable package)");
        let world = self.world.as_deref().unwrap_or("?");
        let _ = writeln!(
            s,
            "truc adapter test: {adapter} ({world}) from {}",
            self.package
        );
        if let Some(b) = &self.budget {
            let _ = writeln!(
                s,
                "production budget per call: memory {}, timeout {}, output {}",
                crate::runtime::units::ByteSize(b.memory),
                crate::runtime::units::Span::millis(b.timeout_ms),
                crate::runtime::units::ByteSize(b.output)
            );
        }
        let _ = writeln!(s, "\n{:<24} {:<6} REASON", "CHECK", "RESULT");
        for c in &self.checks {
            let _ = writeln!(s, "{:<24} {:<6} {}", c.check, c.outcome.label(), c.reason);
        }
        if !self.measurements.is_empty() {
            let _ = writeln!(
                s,
                "\n{:<28} {:<14} {:>10} {:>12}  NOTE",
                "INPUT", "CALL", "TIME", "PEAK MEMORY"
            );
            for m in &self.measurements {
                let mut note = m.error.map(|e| format!("error: {e}")).unwrap_or_default();
                if m.would_exceed_in_production {
                    if !note.is_empty() {
                        note.push_str(", ");
                    }
                    note.push_str("would exceed in production");
                }
                let _ = writeln!(
                    s,
                    "{:<28} {:<14} {:>7.1} ms {:>8.1} MiB  {note}",
                    truncate(&m.input, 28),
                    m.call,
                    m.elapsed_ms,
                    m.peak_memory as f64 / (1024.0 * 1024.0)
                );
            }
        }
        let failed = self.failed();
        if failed.is_empty() {
            let _ = writeln!(s, "\nPASS: all {} checks passed", self.checks.len());
        } else {
            let _ = writeln!(
                s,
                "\nFAIL: {} of {} checks failed: {}",
                failed.len(),
                self.checks.len(),
                failed.join(", ")
            );
        }
        s
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}
