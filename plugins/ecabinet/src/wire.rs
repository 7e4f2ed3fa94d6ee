//! E-Cabinet's JSON, as this connector speaks it (README.md documents it for the peer side).

use serde::{Deserialize, Serialize};

/// An agency on the wire.
#[derive(Debug, Serialize, Deserialize)]
pub struct Agency {
    /// QCVN 102 code.
    pub code: String,
    /// Name.
    #[serde(default)]
    pub name: String,
}

/// Who signed.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Signer {
    /// Authority, e.g. `TM. CHÍNH PHỦ`.
    pub competence: String,
    /// Position.
    pub position: String,
    /// Full name.
    pub name: String,
}

/// A file, base64 in `content`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct File {
    /// File name.
    pub file_name: String,
    /// MIME type.
    pub mime_type: String,
    /// `main` for the first file of an agenda item, `annex` for the others (outgoing only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub role: String,
    /// Base64 (standard alphabet, padded).
    pub content: String,
}

/// `POST /api/v1/agenda-items`: a meeting document submitted for the Government's meeting.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgendaItem {
    /// The hub's delivery id (also the `Idempotency-Key` header); absent from `encode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_id: Option<String>,
    /// The submitted document's id: the key outcomes refer back to.
    pub reference: String,
    /// The submitting agency.
    pub submitter: Agency,
    /// Document type name, e.g. `Tờ trình`.
    pub document_type: String,
    /// Full number and notation, `45/TTr-UBND`.
    pub number: String,
    /// ISO date of issue.
    pub issued_on: Option<String>,
    /// Subject.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Who signed.
    pub signer: Signer,
    /// `normal`, `urgent`, `very-urgent`, `express`, `express-timed` (§4.6 priorities 0..4).
    pub urgency: &'static str,
    /// ISO date by which the Government is asked to decide.
    pub due_date: Option<String>,
    /// The files, main document first.
    pub attachments: Vec<File>,
}

/// `POST /api/v1/decision-receipts`: an agency's status on a decision E-Cabinet issued.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionReceipt {
    /// The decision's document id.
    pub decision: String,
    /// The agency reporting.
    pub agency: String,
    /// Two-digit status code (§7.2).
    pub status: String,
    /// Free text (the reason for `02`).
    pub note: String,
    /// ISO timestamp.
    pub at: Option<String>,
}

/// The meeting that handled an item.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Meeting {
    /// E-Cabinet's id.
    pub id: String,
    /// Title, e.g. `Phiên họp Chính phủ thường kỳ tháng 11/2026`.
    pub title: String,
    /// ISO date.
    pub date: String,
}

/// A decision issued by the meeting.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// Number, e.g. `125`.
    pub number: String,
    /// Notation, e.g. `NQ-CP`.
    pub notation: String,
    /// Type name, e.g. `Nghị quyết`.
    pub document_type: String,
    /// `Type` code of the standard; `1` when absent.
    #[serde(default)]
    pub type_code: Option<String>,
    /// Subject.
    pub title: String,
    /// ISO date of issue.
    pub issued_on: String,
    /// Who signed.
    #[serde(default)]
    pub signer: Signer,
    /// The decision's files.
    #[serde(default)]
    pub files: Vec<File>,
}

/// One outcome of `GET /api/v1/outcomes`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// E-Cabinet's id, acknowledged once stored.
    pub id: String,
    /// The submitted document's id (`reference` of the agenda item).
    pub reference: String,
    /// The submitting agency's code.
    pub submitter: String,
    /// `scheduled`, `discussed`, `concluded` or `returned`.
    pub stage: String,
    /// ISO timestamp of the outcome.
    pub at: String,
    /// The meeting.
    #[serde(default)]
    pub meeting: Meeting,
    /// Free text; the reason when `returned`.
    #[serde(default)]
    pub note: String,
    /// The decision, with `concluded` when the meeting issued one.
    #[serde(default)]
    pub decision: Option<Decision>,
}

/// The answer of `GET /api/v1/outcomes`.
#[derive(Debug, Deserialize)]
pub struct OutcomeList {
    /// Oldest first.
    pub outcomes: Vec<Outcome>,
}

/// `POST /api/v1/outcomes/ack`.
#[derive(Debug, Serialize)]
pub struct Acknowledgement {
    /// Outcome ids stored by the hub.
    pub ids: Vec<String>,
}
