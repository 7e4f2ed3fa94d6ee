//! The package model: what an edXML document or status package says, without its XML syntax.
//!
//! Free-text fields are `String`s where an empty string means "absent or empty" (the wire does
//! not distinguish them either). Typed fields are `Option`s. Attachment bytes live outside the
//! model, in the sink/source the caller provides; the model keeps their size and SHA-256.

use serde::{Deserialize, Serialize};

use super::date::{EdDate, EdDateTime};
use super::types::{
    BusinessAction, DocumentId, OrganId, Priority, ReceiverChange, Sha256, StatusCode, SteeringType,
};

/// An edXML package: a document or a processing-status feedback (§4, §7).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Package {
    /// A document package (gói tin văn bản).
    Document(Box<Document>),
    /// A status package (gói tin trạng thái).
    Status(Box<Status>),
}

/// A sending or receiving unit, `From`/`To` (§4.3 1.1–1.2), children in the wire order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organ {
    /// Agency code; required.
    pub organ_id: Option<OrganId>,
    /// Governing body (cơ quan chủ quản).
    pub organization_in_charge: String,
    /// Name of the unit, ≤200 characters.
    pub organ_name: String,
    /// Address, ≤500 characters.
    pub organ_add: String,
    /// E-mail address.
    pub email: String,
    /// Telephone number.
    pub telephone: String,
    /// Fax number.
    pub fax: String,
    /// Web site.
    pub website: String,
}

/// Document number and notation (số, ký hiệu), `Code` (§4.3 1.3, §4.8).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    /// `CodeNumber`, e.g. `7816`; ≤11 characters.
    pub number: String,
    /// `CodeNotation`, e.g. `VPCP-TTĐT`; ≤30 characters.
    pub notation: String,
}

/// Place and date of issue, `PromulgationInfo` (§4.3 1.4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromulgationInfo {
    /// Place name (địa danh).
    pub place: String,
    /// Date of issue; must not be in the future.
    pub date: Option<EdDate>,
}

/// Document type, `DocumentType` (§4.3 1.5); values kept raw as their meaning is uncertain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentType {
    /// `Type` (1 or 2 in VPCP samples).
    pub type_code: String,
    /// `TypeName`, e.g. `Công văn`.
    pub type_name: String,
    /// `TypeDetail`.
    pub type_detail: String,
}

/// Who signed the document, `SignerInfo` (§4.3 1.8).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerInfo {
    /// Signing authority, e.g. `KT. BỘ TRƯỞNG`.
    pub competence: String,
    /// Position, ≤100 characters.
    pub position: String,
    /// Full name, ≤50 characters.
    pub full_name: String,
}

/// Further document facts, `OtherInfo` (§4.3 1.11).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherInfo {
    /// Urgency, 0..4.
    pub priority: Option<Priority>,
    /// Circulation scope (phạm vi lưu hành).
    pub sphere_of_promulgation: String,
    /// Drafter's initials, ≤10 characters.
    pub typer_notation: String,
    /// Number of copies issued; a non-negative integer.
    pub promulgation_amount: String,
    /// Page count; a non-negative integer.
    pub page_amount: String,
    /// Java SDK extension `Direction` (`true`/`false`); empty when absent.
    pub direction: String,
    /// Appendix names, `Appendixes/Appendix*`.
    pub appendixes: Vec<String>,
}

/// A reference to an earlier document this one answers, `ResponseFor` (§4.3 1.12, §7.1).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseFor {
    /// The answered document's sender.
    pub organ_id: Option<OrganId>,
    /// Its full number and notation (`7816/VPCP-TTĐT`).
    pub code: String,
    /// Its promulgation date.
    pub promulgation_date: Option<EdDate>,
    /// Its DocumentId: the correlation key back to the sent document.
    pub document_id: Option<DocumentId>,
}

/// One hop the package passed through, `TraceHeader` (§4.4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceHeader {
    /// The system's agency code.
    pub organ_id: Option<OrganId>,
    /// When the package passed.
    pub timestamp: Option<EdDateTime>,
}

/// The clerk (văn thư) who handled the package, `StaffInfo` (§4.4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffInfo {
    /// Department.
    pub department: String,
    /// Staff member's name.
    pub staff: String,
    /// Mobile number.
    pub mobile: String,
    /// E-mail address.
    pub email: String,
}

/// One receiver change of an update, `ReceiverList/Receiver` (§4.4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receiver {
    /// The receiver's agency code.
    pub organ_id: Option<OrganId>,
    /// Added or removed.
    pub change: Option<ReceiverChange>,
}

/// What an update changes, `BussinessDocumentInfo` (§4.4, §8).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessDocumentInfo {
    /// `DocumentInfo`: 1 when metadata or files changed.
    pub document_info: String,
    /// `DocumentReceiver`: 1 when the recipients changed.
    pub document_receiver: String,
    /// `ReceiverList/Receiver*`.
    pub receivers: Vec<Receiver>,
}

/// A replaced document and where it had been sent, `ReplacementInfo` (§4.4, §8).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplacementInfo {
    /// The replaced document.
    pub document_id: Option<DocumentId>,
    /// `OrganIdList/OrganId*`: its recipients.
    pub organ_ids: Vec<OrganId>,
}

/// The business block, written `Bussiness` (sic) on the wire (§4.4, §8).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Business {
    /// The target document of a revoke, update or replace.
    pub document_id: Option<DocumentId>,
    /// `BussinessDocType`.
    pub action: Option<BusinessAction>,
    /// `BussinessDocReason`, free text.
    pub reason: String,
    /// `Paper`: 1 when a paper copy is also sent.
    pub paper: String,
    /// Present on updates.
    pub document_info: Option<BusinessDocumentInfo>,
    /// `ReplacementInfoList/ReplacementInfo*`, present on replacements.
    pub replacements: Vec<ReplacementInfo>,
    /// The clerk.
    pub staff: Option<StaffInfo>,
}

/// One attached file: its metadata and the digest of its stored bytes (§5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// Content id without the `cid:` prefix.
    pub content_id: String,
    /// File name (may contain Vietnamese; sanitize before using it as a path).
    pub name: String,
    /// Description.
    pub description: String,
    /// MIME type as sent (`application/zip` for files that arrived zipped).
    pub content_type: String,
    /// Optional `Format` (file extension).
    pub format: Option<String>,
    /// Size of the stored bytes (after unzipping, see `zipped`).
    pub size: u64,
    /// SHA-256 of the stored bytes.
    pub sha256: Sha256,
    /// The file arrived zipped per the §5 quirk and is stored unzipped; the writer re-zips it.
    pub zipped: bool,
}

/// A document package (§4.3, §4.4, §5).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Sending unit.
    pub from: Organ,
    /// Receiving units, at least one, no duplicates.
    pub to: Vec<Organ>,
    /// Number and notation.
    pub code: Code,
    /// Place and date of issue.
    pub promulgation: PromulgationInfo,
    /// Document type.
    pub document_type: DocumentType,
    /// Subject (trích yếu), ≤500 characters.
    pub subject: String,
    /// Content summary, ≤500 characters.
    pub content: String,
    /// Signer.
    pub signer: SignerInfo,
    /// Deadline for reply or processing.
    pub due_date: Option<EdDate>,
    /// "Nơi nhận" as printed, names not codes.
    pub to_places: Vec<String>,
    /// Further facts.
    pub other_info: OtherInfo,
    /// Documents this one answers.
    pub response_for: Vec<ResponseFor>,
    /// Directive type.
    pub steering_type: Option<SteeringType>,
    /// This document's identifier.
    pub document_id: Option<DocumentId>,
    /// Java SDK extension, e.g. `MCDT_DT` for one-stop files.
    pub application_type: Option<String>,
    /// Routing trace.
    pub traces: Vec<TraceHeader>,
    /// Business action; absent means a new document.
    pub business: Option<Business>,
    /// Attached files in package order.
    pub attachments: Vec<Attachment>,
}

/// A status package (§7.1).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The unit reporting the status.
    pub from: Organ,
    /// The document the status is about.
    pub response_for: Option<ResponseFor>,
    /// The clerk.
    pub staff: Option<StaffInfo>,
    /// The status.
    pub status_code: Option<StatusCode>,
    /// Free text; for 02 the reason of the refusal.
    pub description: String,
    /// When the status was set.
    pub timestamp: Option<EdDateTime>,
    /// Routing trace, if the sender added one.
    pub traces: Vec<TraceHeader>,
}
