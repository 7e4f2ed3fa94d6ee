//! edXML packages as the demo's systems write them (reference §4 for documents, §7 for
//! statuses), and the few facts they read back.

use anyhow::{Context, Result, anyhow};
use chrono::{FixedOffset, NaiveDate, Utc};

use crate::edxml::{
    self, Attachment, Business, BusinessAction, Code, Document, DocumentType, EdDate, EdDateTime,
    Limits, MemorySink, Organ, Package, PromulgationInfo, ResponseFor, Sha256, SignerInfo,
    StaffInfo, Status,
};

/// An agency of the demo.
#[derive(Clone, Copy, Debug)]
pub struct Agency {
    /// QCVN 102 code.
    pub code: &'static str,
    /// Its name.
    pub name: &'static str,
    /// Short label for tables.
    pub short: &'static str,
}

impl Agency {
    /// The agency as an edXML organ.
    pub fn organ(&self) -> Organ {
        Organ {
            organ_id: self.code.parse().ok(),
            organ_name: self.name.into(),
            ..Organ::default()
        }
    }
}

/// Vietnam's time now (UTC+7: dates in DocumentIds are local dates).
pub fn now_vn() -> chrono::DateTime<FixedOffset> {
    Utc::now().with_timezone(&crate::edxml::VIETNAM)
}

/// Today in Vietnam.
pub fn today() -> NaiveDate {
    now_vn().date_naive()
}

/// `sender,yyyy/MM/dd,number/notation` (§4.3 DocumentId).
pub fn document_id(sender: &str, number: u32, notation: &str) -> String {
    format!(
        "{sender},{},{number}/{notation}",
        today().format("%Y/%m/%d")
    )
}

/// A document to send: number, notation and subject; one small PDF-like attachment.
pub struct NewDocument<'a> {
    /// Sender.
    pub from: Agency,
    /// Receivers.
    pub to: &'a [Agency],
    /// Document number.
    pub number: u32,
    /// Notation (ký hiệu).
    pub notation: &'a str,
    /// Subject (trích yếu).
    pub subject: &'a str,
}

impl NewDocument<'_> {
    /// The DocumentId.
    pub fn id(&self) -> String {
        document_id(self.from.code, self.number, self.notation)
    }

    /// The attachment's bytes.
    pub fn attachment(&self) -> Vec<u8> {
        format!(
            "%PDF-1.7\n% {} {}/{}\n{}\n%%EOF\n",
            self.from.code, self.number, self.notation, self.subject
        )
        .into_bytes()
    }

    /// The package as canonical edXML.
    pub fn edxml(&self) -> Result<Vec<u8>> {
        let bytes = self.attachment();
        let content_id = format!("vb{}", self.number);
        let doc = Document {
            from: self.from.organ(),
            to: self.to.iter().map(Agency::organ).collect(),
            code: Code {
                number: self.number.to_string(),
                notation: self.notation.into(),
            },
            promulgation: PromulgationInfo {
                place: "Hà Nội".into(),
                date: Some(EdDate::parse(&today().format("%Y/%m/%d").to_string())),
            },
            document_type: DocumentType {
                type_code: "1".into(),
                type_name: "Công văn".into(),
                type_detail: "0".into(),
            },
            subject: self.subject.into(),
            content: self.subject.into(),
            signer: SignerInfo {
                competence: "KT. Bộ trưởng, Chủ nhiệm".into(),
                position: "Phó Chủ nhiệm".into(),
                full_name: "Lê Mạnh Hà".into(),
            },
            document_id: Some(
                self.id()
                    .parse()
                    .map_err(|e| anyhow!("DocumentId {}: {e}", self.id()))?,
            ),
            business: Some(Business {
                action: Some(BusinessAction::New),
                reason: "Văn bản điện tử mới".into(),
                paper: "0".into(),
                staff: Some(clerk("Văn thư", "Nguyễn Thị Ngọc Trâm")),
                ..Business::default()
            }),
            attachments: vec![Attachment {
                content_id: content_id.clone(),
                name: format!("{}_{}.pdf", self.number, self.notation.replace('Đ', "D")),
                description: "Văn bản ký số".into(),
                content_type: "application/pdf".into(),
                format: None,
                size: bytes.len() as u64,
                sha256: Sha256::of(&bytes),
                zipped: false,
            }],
            ..Document::default()
        };
        let mut sink = MemorySink::new();
        sink.insert(content_id, bytes);
        edxml::write_to_vec(&Package::Document(Box::new(doc)), &sink)
            .context("writing the document's edXML")
    }
}

fn clerk(department: &str, name: &str) -> StaffInfo {
    StaffInfo {
        department: department.into(),
        staff: name.into(),
        ..StaffInfo::default()
    }
}

/// What a status is about, from the DocumentId alone (`sender,date,number/notation`).
pub fn regarding(document_id: &str) -> Result<ResponseFor> {
    let mut parts = document_id.splitn(3, ',');
    let (Some(sender), Some(date), Some(code)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(anyhow!(
            "`{document_id}` is not a DocumentId (sender,date,number/notation)"
        ));
    };
    Ok(ResponseFor {
        organ_id: Some(sender.parse().map_err(|e| anyhow!("{document_id}: {e}"))?),
        code: code.into(),
        promulgation_date: Some(EdDate::parse(date)),
        document_id: Some(
            document_id
                .parse()
                .map_err(|e| anyhow!("{document_id}: {e}"))?,
        ),
    })
}

/// A status package from `from` about `document_id` (§7): `code` with its description.
pub fn status(from: Agency, document_id: &str, code: &str, description: &str) -> Result<Vec<u8>> {
    let now = now_vn();
    let s = Status {
        from: from.organ(),
        response_for: Some(regarding(document_id)?),
        staff: Some(clerk("Văn thư", "Trần Văn Bình")),
        status_code: Some(
            code.parse()
                .map_err(|e| anyhow!("status code {code}: {e}"))?,
        ),
        description: description.into(),
        timestamp: Some(EdDateTime::parse(
            &now.format("%Y/%m/%d %H:%M:%S").to_string(),
        )),
        traces: Vec::new(),
    };
    edxml::write_to_vec(&Package::Status(Box::new(s)), &MemorySink::new())
        .context("writing the status's edXML")
}

/// What a system needs to know about a package it received.
#[derive(Clone, Debug)]
pub enum Received {
    /// A document: its DocumentId, sender and subject.
    Document {
        /// DocumentId.
        id: String,
        /// Sender's code.
        sender: String,
        /// Subject.
        subject: String,
    },
    /// A status: the document it is about, and its code.
    Status {
        /// The document's DocumentId.
        regarding: String,
        /// Reporting agency.
        from: String,
        /// Two-digit code.
        code: String,
    },
}

/// Reads an edXML package.
pub fn read(bytes: &[u8]) -> Result<Received> {
    let mut sink = MemorySink::new();
    let package = edxml::read_bytes(bytes, &mut sink, &Limits::default())
        .context("reading an edXML package")?;
    Ok(match package {
        Package::Document(d) => Received::Document {
            id: d.document_id.map(|i| i.to_string()).unwrap_or_default(),
            sender: d.from.organ_id.map(|o| o.to_string()).unwrap_or_default(),
            subject: d.subject,
        },
        Package::Status(s) => Received::Status {
            regarding: s
                .response_for
                .and_then(|r| r.document_id)
                .map(|i| i.to_string())
                .unwrap_or_default(),
            from: s.from.organ_id.map(|o| o.to_string()).unwrap_or_default(),
            code: s
                .status_code
                .map(|c| c.code().to_owned())
                .unwrap_or_default(),
        },
    })
}
