//! The JSON format of the "json-office" document-management system, with no dependency on the
//! sandbox: the same code runs inside the adapter and natively (for the hub's benchmark).
//!
//! Its field names differ from edXML's (`recipients` for `To`, `issued` for
//! `PromulgationInfo`, ISO 8601 dates); files travel base64-encoded in `files[].data`.
//!
//! Decoding borrows each file's base64 text from the input instead of copying it
//! ([`Base64Text`]): the adapter then tells the hub where the text lies in the input blob and
//! the hub decodes it there, so the text never leaves the input buffer.
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

use std::borrow::Cow;
use std::ops::Range;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

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

/// A document as json-office writes it; its files' text may borrow from the input (`'a`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Document<'a> {
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
    #[serde(borrow)]
    pub files: Vec<FileWire<'a>>,
}

impl Document<'_> {
    /// The same document, its files' text copied out of the input.
    pub fn into_owned(self) -> Document<'static> {
        Document {
            files: self.files.into_iter().map(FileWire::into_owned).collect(),
            doc_id: self.doc_id,
            sender: self.sender,
            recipients: self.recipients,
            number: self.number,
            notation: self.notation,
            issued: self.issued,
            doc_type: self.doc_type,
            subject: self.subject,
            summary: self.summary,
            signed_by: self.signed_by,
            deadline: self.deadline,
            distribution: self.distribution,
            urgency: self.urgency,
            scope: self.scope,
            drafter: self.drafter,
            copies: self.copies,
            pages: self.pages,
            appendices: self.appendices,
            direction: self.direction,
            answers: self.answers,
            steering: self.steering,
            application: self.application,
            action: self.action,
            clerk: self.clerk,
            trail: self.trail,
        }
    }
}

/// A file on the wire (`data` is base64).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FileWire<'a> {
    /// Content id.
    pub id: String,
    /// File name.
    pub name: String,
    /// Description.
    pub description: String,
    /// MIME type.
    pub mime: String,
    /// Base64 content.
    #[serde(borrow)]
    pub data: Base64Text<'a>,
}

impl FileWire<'_> {
    /// The same file, its text copied out of the input.
    pub fn into_owned(self) -> FileWire<'static> {
        FileWire {
            id: self.id,
            name: self.name,
            description: self.description,
            mime: self.mime,
            data: self.data.into_owned(),
        }
    }
}

/// A file's base64 text as the JSON carries it. Decoded, it is a slice of the input when the
/// JSON wrote it without escapes (as every producer does, base64 needing none, unless it
/// escapes `/` as `\/`): neither copied nor checked as UTF-8, and [`Base64Text::range_in`]
/// says where it lies. Otherwise, and when built in memory, it is owned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Base64Text<'a>(Cow<'a, [u8]>);

impl Base64Text<'_> {
    /// The text's bytes (base64 is ASCII; anything else fails to decode).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Where the text lies in `input`, if it is a slice of it (the usual case after
    /// [`decode`]ing `input`).
    pub fn range_in(&self, input: &[u8]) -> Option<Range<usize>> {
        let Cow::Borrowed(text) = &self.0 else {
            return None;
        };
        let start = (text.as_ptr() as usize).checked_sub(input.as_ptr() as usize)?;
        let end = start.checked_add(text.len())?;
        (end <= input.len()).then_some(start..end)
    }

    /// The same text, copied out of the input.
    pub fn into_owned(self) -> Base64Text<'static> {
        Base64Text(Cow::Owned(self.0.into_owned()))
    }
}

impl From<String> for Base64Text<'static> {
    fn from(text: String) -> Self {
        Base64Text(Cow::Owned(text.into_bytes()))
    }
}

impl Serialize for Base64Text<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&String::from_utf8_lossy(&self.0))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Base64Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // `deserialize_bytes`: serde_json then lends the string's raw bytes without checking
        // them as UTF-8, straight from the input when they need no unescaping.
        d.deserialize_bytes(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> serde::de::Visitor<'de> for TextVisitor {
    type Value = Base64Text<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("base64 text")
    }

    fn visit_borrowed_bytes<E>(self, v: &'de [u8]) -> Result<Self::Value, E> {
        Ok(Base64Text(Cow::Borrowed(v)))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Base64Text(Cow::Borrowed(v.as_bytes())))
    }

    fn visit_bytes<E>(self, v: &[u8]) -> Result<Self::Value, E> {
        Ok(Base64Text(Cow::Owned(v.to_vec())))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Base64Text(Cow::Owned(v.as_bytes().to_vec())))
    }

    fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Self::Value, E> {
        Ok(Base64Text(Cow::Owned(v)))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Base64Text(Cow::Owned(v.into_bytes())))
    }
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
/// in one pass without buffering (and can lend file text from the input, `'a`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Record<'a> {
    /// A document.
    Document(#[serde(borrow)] Box<Document<'a>>),
    /// A status.
    Status(Box<Status>),
}

impl Record<'_> {
    /// The same record, its files' text copied out of the input.
    pub fn into_owned(self) -> Record<'static> {
        match self {
            Record::Document(d) => Record::Document(Box::new(d.into_owned())),
            Record::Status(s) => Record::Status(s),
        }
    }
}

/// An item of the outbox list (`GET /api/outbox`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OutboxItem<'a> {
    /// The system's id, used to acknowledge.
    pub id: String,
    /// The record.
    #[serde(borrow)]
    pub message: Record<'a>,
}

/// The outbox list.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Outbox<'a> {
    /// Items, oldest first.
    #[serde(borrow)]
    pub items: Vec<OutboxItem<'a>>,
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
enum Object<'a> {
    Document(#[serde(borrow)] Box<Document<'a>>),
    Status(Box<Status>),
    Items(#[serde(borrow)] Vec<Record<'a>>),
}

/// Decodes json-office JSON into records: one record, an array of records, or
/// `{"items": [...]}`. Files keep their base64 text, lent from `bytes` where it lies: the
/// adapter has the hub decode it there ([`file_bytes`] decodes a text natively).
pub fn decode(bytes: &[u8]) -> Result<Vec<Record<'_>>, FormatError> {
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
pub fn file_bytes(data: &[u8], location: &str) -> Result<Vec<u8>, FormatError> {
    B64.decode(data).map_err(|e| FormatError {
        message: format!("not valid base64: {e}"),
        location: Some(location.to_owned()),
    })
}

/// Where file `j` of record `i` is, for error messages.
pub fn file_location(record: usize, file: usize) -> String {
    format!("[{record}].files[{file}].data")
}

/// Encodes one record as json-office JSON (files' `data` already base64).
pub fn encode(record: &Record<'_>) -> Vec<u8> {
    serde_json::to_vec(record).unwrap_or_default()
}
