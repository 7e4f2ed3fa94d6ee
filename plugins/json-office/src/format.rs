//! The JSON format of the "json-office" document-management system, with no dependency on the
//! sandbox: the same code runs inside the adapter and natively (for the hub's benchmark).
//!
//! Its field names differ from edXML's (`recipients` for `To`, `issued` for
//! `PromulgationInfo`, ISO 8601 dates); files travel base64-encoded in `files[].data`.
//!
//! ```json
//! { "document": { "docId": "000.00.00.G22,2018/09/28,7816/VPCP-TTĐT",
//!   "sender": { "code": "000.00.00.G22", "name": "Văn phòng Chính phủ" },
//!   "recipients": [ { "code": "000.00.00.H41", "name": "UBND Tỉnh Nghệ An" } ],
//!   "number": "7816", "notation": "VPCP-TTĐT",
//!   "issued": { "place": "Hà Nội", "date": "2018-09-28" },
//!   "subject": "V/v kết nối, liên thông phần mềm quản lý văn bản",
//!   "files": [ { "id": "f1", "name": "7816.pdf", "mime": "application/pdf", "data": "JVBERi0…" } ] } }
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};

/// An agency.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Agency {
    /// QCVN 102 code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Governing body.
    pub parent: String,
    /// Address.
    pub address: String,
    /// E-mail.
    pub email: String,
    /// Telephone.
    pub phone: String,
    /// Fax.
    pub fax: String,
    /// Web site.
    pub website: String,
}

/// Place and date of issue.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Issued {
    /// Place.
    pub place: String,
    /// ISO date (`2018-09-28`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// Document type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DocType {
    /// Type code.
    pub code: String,
    /// Name, e.g. `Công văn`.
    pub name: String,
    /// Detail code.
    pub detail: String,
}

/// Who signed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignedBy {
    /// Authority (`KT. BỘ TRƯỞNG`).
    pub authority: String,
    /// Position.
    pub position: String,
    /// Name.
    pub name: String,
}

/// A clerk.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Clerk {
    /// Department.
    pub department: String,
    /// Name.
    pub name: String,
    /// Mobile.
    pub mobile: String,
    /// E-mail.
    pub email: String,
}

/// The document another one answers or a status is about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Regarding {
    /// Its sender's code.
    pub sender: String,
    /// Its full number/notation.
    pub number: String,
    /// Its ISO date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Its document id.
    pub doc_id: String,
}

/// A receiver change of an update.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RecipientChange {
    /// The agency.
    pub code: String,
    /// `added` or `removed`.
    pub change: String,
}

/// A replaced document.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Replaced {
    /// Its document id.
    pub doc_id: String,
    /// Where it had been sent.
    pub recipients: Vec<String>,
}

/// What the document does.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Action {
    /// `new`, `revoke`, `update`, `replace`, or a number for other values.
    #[serde(rename = "type")]
    pub kind: String,
    /// The target document of revoke/update/replace.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub target: String,
    /// Update: metadata changed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub metadata_changed: bool,
    /// Update: recipients changed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub recipients_changed: bool,
    /// Update: recipient changes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recipient_changes: Vec<RecipientChange>,
    /// Replace: replaced documents.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replaces: Vec<Replaced>,
    /// Free-text reason.
    pub reason: String,
    /// A paper copy follows.
    pub paper_copy: bool,
}

/// A hop of the routing trail.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Hop {
    /// Agency code.
    pub code: String,
    /// ISO timestamp.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// A document as json-office writes it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Document {
    /// Document id.
    pub doc_id: String,
    /// Sender.
    pub sender: Agency,
    /// Recipients.
    pub recipients: Vec<Agency>,
    /// Number.
    pub number: String,
    /// Notation.
    pub notation: String,
    /// Place and date.
    pub issued: Issued,
    /// Type.
    #[serde(rename = "type")]
    pub doc_type: DocType,
    /// Subject.
    pub subject: String,
    /// Summary.
    pub summary: String,
    /// Signer.
    pub signed_by: SignedBy,
    /// ISO deadline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
    /// Printed distribution list.
    pub distribution: Vec<String>,
    /// 0..4.
    pub urgency: u8,
    /// Circulation scope.
    pub scope: String,
    /// Drafter's initials.
    pub drafter: String,
    /// Copies issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copies: Option<u32>,
    /// Pages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    /// Appendix names.
    pub appendices: Vec<String>,
    /// Direction flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<bool>,
    /// Documents answered.
    pub answers: Vec<Regarding>,
    /// Steering type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steering: Option<u8>,
    /// Application type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    /// Business action.
    pub action: Action,
    /// Sending clerk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clerk: Option<Clerk>,
    /// Routing trail.
    pub trail: Vec<Hop>,
    /// Files, with base64 `data`.
    pub files: Vec<FileWire>,
}

/// A file on the wire (`data` is base64).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FileWire {
    /// Content id.
    pub id: String,
    /// File name.
    pub name: String,
    /// Description.
    pub description: String,
    /// MIME type.
    pub mime: String,
    /// Base64 content.
    pub data: String,
}

/// A processing status as json-office writes it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Status {
    /// Reporting agency.
    pub from: Agency,
    /// The document.
    pub regarding: Regarding,
    /// Clerk.
    pub clerk: Clerk,
    /// Two-digit status code (`05`).
    pub status: String,
    /// Note; the reason for `02`.
    pub note: String,
    /// ISO timestamp.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// One record: `{"document": {…}}` or `{"status": {…}}`. Externally tagged, so serde reads it
/// in one pass without buffering.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Record {
    /// A document.
    Document(Box<Document>),
    /// A status.
    Status(Box<Status>),
}

/// An item of the outbox list (`GET /api/outbox`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OutboxItem {
    /// The system's id, used to acknowledge.
    pub id: String,
    /// The record.
    pub message: Record,
}

/// The outbox list.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Outbox {
    /// Items, oldest first.
    pub items: Vec<OutboxItem>,
}

/// Why input is not json-office JSON.
#[derive(Debug, PartialEq, Eq)]
pub struct FormatError {
    /// What is wrong.
    pub message: String,
    /// Where (`files[0].data`, `line 3 column 7`).
    pub location: Option<String>,
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        if let Some(l) = &self.location {
            write!(f, " (at {l})")?;
        }
        Ok(())
    }
}

/// A top-level object: one record, or `{"items": [...]}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
enum Object {
    Document(Box<Document>),
    Status(Box<Status>),
    Items(Vec<Record>),
}

/// Decodes json-office JSON into records: one record, an array of records, or
/// `{"items": [...]}`. Files keep their base64 text: the adapter hands it to the hub to decode
/// ([`file_bytes`] does the same natively).
pub fn decode(bytes: &[u8]) -> Result<Vec<Record>, FormatError> {
    let error = |e: serde_json::Error| FormatError {
        message: format!("not json-office JSON: {e}"),
        location: Some(format!("line {} column {}", e.line(), e.column())),
    };
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        return serde_json::from_slice(bytes).map_err(error);
    }
    Ok(match serde_json::from_slice(bytes).map_err(error)? {
        Object::Document(d) => vec![Record::Document(d)],
        Object::Status(s) => vec![Record::Status(s)],
        Object::Items(v) => v,
    })
}

/// The bytes of a file's base64 `data`; `location` names it in the error.
pub fn file_bytes(data: &str, location: &str) -> Result<Vec<u8>, FormatError> {
    B64.decode(data.as_bytes()).map_err(|e| FormatError {
        message: format!("not valid base64: {e}"),
        location: Some(location.to_owned()),
    })
}

/// Where file `j` of record `i` is, for error messages.
pub fn file_location(record: usize, file: usize) -> String {
    format!("[{record}].files[{file}].data")
}

/// Encodes one record as json-office JSON (files' `data` already base64).
pub fn encode(record: &Record) -> Vec<u8> {
    serde_json::to_vec(record).unwrap_or_default()
}
