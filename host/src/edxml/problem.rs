//! What validation reports: problems with their path, rule, value and severity, and the context
//! (today's date) rules are checked against.

use std::fmt;

use chrono::{NaiveDate, Utc};
use serde::Serialize;

/// What validation needs to know about the world: today's date in Vietnam.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValidationContext {
    /// Today in Vietnam (UTC+07:00); promulgation dates after it are in the future.
    pub today: NaiveDate,
}

impl ValidationContext {
    /// A context for the current date in Vietnam.
    pub fn now() -> Self {
        let vietnam = Utc::now() + chrono::Duration::hours(7);
        ValidationContext {
            today: vietnam.date_naive(),
        }
    }

    /// A context for a fixed date (tests, replays).
    pub fn on(today: NaiveDate) -> Self {
        ValidationContext { today }
    }
}

/// How serious a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The package should be refused.
    Error,
    /// The package is accepted, but something is irregular.
    Warning,
}

/// The rule a problem breaks; [`Rule::name`] is stable and kebab-case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// A field the standard requires is missing or empty.
    Required,
    /// An agency code is not QCVN 102-shaped, even tolerantly (§3.3).
    OrganIdShape,
    /// An agency code passes only the tolerant shape (§3.3).
    IrregularOrganId,
    /// A receiver appears twice in `To` (§4.3 1.2).
    DuplicateReceiver,
    /// A promulgation date after today (§4.3 1.4).
    FutureDate,
    /// A date or timestamp that does not parse (§4.5).
    InvalidDate,
    /// A field longer than NĐ 30 Annex VI allows (§4.3).
    FieldLength,
    /// A priority outside 0..4 (§4.6).
    PriorityRange,
    /// An amount that is not a non-negative integer (§4.3 1.11).
    NotANumber,
    /// A DocumentId not of the form `{OrganId},{yyyy/MM/dd},{số}/{ký hiệu}` (§4.5).
    DocumentIdFormat,
    /// A DocumentId that disagrees with the sender, date or number it should repeat (§4.5).
    DocumentIdMismatch,
    /// A business action without (or needlessly with) its target document (§8).
    BusinessTarget,
    /// An update's receiver changes are missing or inconsistent with `To` (§4.4, §8).
    ReceiverChanges,
    /// A replacement that does not list what it replaces (§4.4, §8).
    ReplacementInfo,
    /// A `BussinessDocType` outside 0..3 (§4.4).
    UnknownBusinessAction,
    /// A status code outside the known set (§7.2).
    UnknownStatusCode,
    /// A refusal (02) without a reason in `Description` (§7.2).
    RejectionReason,
    /// Timestamps in an impossible order (a status before the document was issued).
    TimeOrder,
    /// A coded value outside its known set (0/1 flags, receiver types).
    UnknownValue,
    /// A PDF attachment without an embedded digital signature (policy, issue 7).
    UnsignedAttachment,
}

impl Rule {
    /// The stable kebab-case name, e.g. `duplicate-receiver`.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Required => "required",
            Rule::OrganIdShape => "organ-id-shape",
            Rule::IrregularOrganId => "irregular-organ-id",
            Rule::DuplicateReceiver => "duplicate-receiver",
            Rule::FutureDate => "future-date",
            Rule::InvalidDate => "invalid-date",
            Rule::FieldLength => "field-length",
            Rule::PriorityRange => "priority-range",
            Rule::NotANumber => "not-a-number",
            Rule::DocumentIdFormat => "document-id-format",
            Rule::DocumentIdMismatch => "document-id-mismatch",
            Rule::BusinessTarget => "business-target",
            Rule::ReceiverChanges => "receiver-changes",
            Rule::ReplacementInfo => "replacement-info",
            Rule::UnknownBusinessAction => "unknown-business-action",
            Rule::UnknownStatusCode => "unknown-status-code",
            Rule::RejectionReason => "rejection-reason",
            Rule::TimeOrder => "time-order",
            Rule::UnknownValue => "unknown-value",
            Rule::UnsignedAttachment => "unsigned-attachment",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One thing wrong with a package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Element path from the header, e.g. `MessageHeader/To[2]/OrganId`.
    pub path: String,
    /// The rule broken.
    pub rule: Rule,
    /// What is wrong and what to do, for a clerk or vendor.
    pub message: String,
    /// The value seen, when there was one.
    pub value: Option<String>,
    /// Error or warning.
    pub severity: Severity,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {sev}[{}]: {}", self.path, self.rule, self.message)?;
        if let Some(v) = &self.value {
            write!(f, " (value: {v:?})")?;
        }
        Ok(())
    }
}
