//! The national reporting system's JSON, as this connector speaks it (see README.md).

use serde::{Deserialize, Serialize};

/// The indicator file a report document carries (an attachment, `application/json`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IndicatorFile {
    /// The report form's code in the national catalogue, e.g. `BC-KTXH-TINH`.
    pub report_code: String,
    /// `2026`, `2026-H1`, `2026-Q3` or `2026-11`.
    pub period: String,
    /// The values.
    pub indicators: Vec<Indicator>,
}

/// One indicator value.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Code in the national indicator catalogue.
    pub code: String,
    /// The value, exactly as written.
    pub value: serde_json::Number,
    /// Unit, e.g. `%` or `tỷ đồng`.
    #[serde(default)]
    pub unit: String,
}

/// An agency on the wire.
#[derive(Debug, Serialize)]
pub struct Unit {
    /// QCVN 102 code.
    pub code: String,
    /// Name.
    pub name: String,
}

/// Who signed.
#[derive(Debug, Serialize)]
pub struct Signer {
    /// Position.
    pub position: String,
    /// Full name.
    pub name: String,
}

/// The report document's identity.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportDocument {
    /// edXML DocumentId: receipts refer to it.
    pub id: String,
    /// Full number and notation.
    pub number: String,
    /// ISO date of issue.
    pub issued_on: Option<String>,
    /// Subject.
    pub subject: String,
    /// Who signed.
    pub signer: Signer,
}

/// A file other than the indicators (the signed report), base64 in `content`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Original {
    /// File name.
    pub file_name: String,
    /// MIME type.
    pub mime_type: String,
    /// Base64.
    pub content: String,
}

/// `POST /api/reports`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Submission {
    /// The hub's delivery id (also `Idempotency-Key`); absent from `encode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submission_id: Option<String>,
    /// Report form code.
    pub report_code: String,
    /// Period.
    pub period: String,
    /// The reporting agency.
    pub reporting_unit: Unit,
    /// The document the data came in.
    pub document: ReportDocument,
    /// The values.
    pub indicators: Vec<Indicator>,
    /// The other files.
    pub originals: Vec<Original>,
}

/// One receipt of `GET /api/receipts`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptItem {
    /// Its id, acknowledged once stored.
    pub id: String,
    /// The report document's id.
    pub document_id: String,
    /// `accepted` or `rejected`.
    pub result: String,
    /// Why it was rejected (required then), or remarks.
    #[serde(default)]
    pub reasons: Vec<String>,
    /// ISO timestamp.
    pub at: String,
}

/// The answer of `GET /api/receipts`.
#[derive(Debug, Deserialize)]
pub struct ReceiptList {
    /// Oldest first.
    pub receipts: Vec<ReceiptItem>,
}

/// `POST /api/receipts/ack`.
#[derive(Debug, Serialize)]
pub struct Acknowledgement {
    /// Receipt ids stored by the hub.
    pub ids: Vec<String>,
}
