//! The tolerant reader: every real-world variant of §4–§7 in, one [`Package`] out.
//!
//! Elements are matched on local names (prefixes ignored, §11), in any order; `Bussiness…` and
//! `Business…` are both accepted; a status block may be named `MessageHeader` or `Status` (§7.1);
//! unknown elements are skipped. Attachments stream into the caller's sink (§5).

use std::io::BufRead;

use super::attachment::{AttachmentMeta, AttachmentSink, Pipeline, is_zip_quirk};
use super::base64_stream::Base64Decoder;
use super::date::{EdDate, EdDateTime};
use super::error::{ReadError, ReadErrorKind};
use super::limits::Limits;
use super::model::{
    Attachment, Business, BusinessDocumentInfo, Document, Organ, Package, Receiver,
    ReplacementInfo, ResponseFor, StaffInfo, Status, TraceHeader,
};
use super::text::{Collect, Ignore};
use super::types::{Sha256, StatusCode};
use super::xml::{Pull, StartTag, XmlPull};
use super::{LEGACY_NAMESPACE, NAMESPACE};

/// Reads one package, streaming attachments into `sink`.
///
/// Fails with the byte offset and element path of the first problem that prevents reading;
/// problems of content (missing fields, bad codes) are left to [`validate`](super::validate).
pub fn read<R: BufRead>(
    input: R,
    sink: &mut dyn AttachmentSink,
    limits: &Limits,
) -> Result<Package, ReadError> {
    let mut r = Reader {
        p: XmlPull::new(input, limits)?,
        limits,
        sink,
        parts: Parts::default(),
    };
    r.package()
}

/// Reads a package held in memory; see [`read`].
pub fn read_bytes(
    bytes: &[u8],
    sink: &mut dyn AttachmentSink,
    limits: &Limits,
) -> Result<Package, ReadError> {
    read(bytes, sink, limits)
}

/// A manifest `Reference` (§5).
#[derive(Default)]
struct ManifestRef {
    content_id: String,
    name: String,
    description: String,
    content_type: String,
    format: Option<String>,
}

/// What the package said so far; assembled into a [`Package`] at the end.
#[derive(Default)]
struct Parts {
    doc: Document,
    seen_header: bool,
    status_block: bool,
    /// A `StatusCode`, `Description` or `Timestamp` element was present in the header block
    /// (even empty): only status packages carry them (§7.1).
    status_code_seen: bool,
    status_code: Option<StatusCode>,
    description: String,
    timestamp: Option<EdDateTime>,
    header_staff: Option<StaffInfo>,
    manifest: Vec<ManifestRef>,
    attachments: Vec<Attachment>,
}

struct Reader<'a, 'l, R: BufRead> {
    p: XmlPull<R>,
    limits: &'l Limits,
    sink: &'a mut dyn AttachmentSink,
    parts: Parts,
}

impl<R: BufRead> Reader<'_, '_, R> {
    fn package(&mut self) -> Result<Package, ReadError> {
        let root = loop {
            match self.p.next(&mut Ignore::default())? {
                Pull::Start(t) => break t,
                Pull::Pi(..) => continue,
                Pull::End | Pull::Eof => return Err(self.p.error(ReadErrorKind::Empty)),
            }
        };
        check_root(&root).map_err(|k| self.p.error(k))?;
        while let Some(child) = self.next_child()? {
            match child.local.as_str() {
                "edXMLEnvelope" => self.envelope()?,
                "AttachmentEncoded" => self.attachment_encoded()?,
                _ => self.skip()?,
            }
        }
        loop {
            match self.p.next(&mut Ignore::default())? {
                Pull::Eof => break,
                Pull::Pi(..) => continue,
                Pull::Start(_) | Pull::End => {
                    return Err(self.p.error(ReadErrorKind::TrailingContent));
                }
            }
        }
        self.assemble()
    }

    fn envelope(&mut self) -> Result<(), ReadError> {
        while let Some(child) = self.next_child()? {
            match child.local.as_str() {
                "edXMLHeader" => self.header()?,
                "edXMLBody" => self.body()?,
                // Tolerated: attachments placed inside the envelope.
                "AttachmentEncoded" => self.attachment_encoded()?,
                _ => self.skip()?,
            }
        }
        Ok(())
    }

    fn header(&mut self) -> Result<(), ReadError> {
        self.parts.seen_header = true;
        while let Some(child) = self.next_child()? {
            match child.local.as_str() {
                "MessageHeader" => self.message_header()?,
                "Status" => {
                    self.parts.status_block = true;
                    self.message_header()?
                }
                "TraceHeaderList" => self.trace_header_list()?,
                // §6: placeholder or real signatures are not part of the model.
                _ => self.skip()?,
            }
        }
        Ok(())
    }

    fn message_header(&mut self) -> Result<(), ReadError> {
        while let Some(child) = self.next_child()? {
            match child.local.as_str() {
                "From" => self.parts.doc.from = self.organ()?,
                "To" => {
                    let organ = self.organ()?;
                    self.parts.doc.to.push(organ);
                }
                "Code" => self.code()?,
                "PromulgationInfo" => self.promulgation_info()?,
                "DocumentType" => self.document_type()?,
                "Subject" => self.parts.doc.subject = self.text()?,
                "Content" => self.parts.doc.content = self.text()?,
                "SignerInfo" => self.signer_info()?,
                "DueDate" => self.parts.doc.due_date = date(&self.text()?),
                "ToPlaces" => self.places()?,
                "OtherInfo" => self.other_info()?,
                "ResponseFor" => {
                    let rf = self.response_for()?;
                    self.parts.doc.response_for.push(rf);
                }
                "SteeringType" => self.parts.doc.steering_type = non_empty(self.text()?),
                "DocumentId" => self.parts.doc.document_id = self.text()?.parse().ok(),
                "ApplicationType" => self.parts.doc.application_type = non_empty(self.text()?),
                "StaffInfo" => self.parts.header_staff = Some(self.staff_info()?),
                "StatusCode" => {
                    self.parts.status_code_seen = true;
                    self.parts.status_code = non_empty(self.text()?);
                }
                "Description" => {
                    self.parts.status_code_seen = true;
                    self.parts.description = self.text()?;
                }
                "Timestamp" => {
                    self.parts.status_code_seen = true;
                    self.parts.timestamp = datetime(&self.text()?);
                }
                _ => self.skip()?,
            }
        }
        Ok(())
    }

    fn organ(&mut self) -> Result<Organ, ReadError> {
        let mut o = Organ::default();
        while let Some(child) = self.next_child()? {
            match child.local.as_str() {
                "OrganId" => o.organ_id = self.text()?.parse().ok(),
                "OrganizationInCharge" => o.organization_in_charge = self.text()?,
                "OrganName" => o.organ_name = self.text()?,
                "OrganAdd" => o.organ_add = self.text()?,
                "Email" => o.email = self.text()?,
                "Telephone" => o.telephone = self.text()?,
                "Fax" => o.fax = self.text()?,
                "Website" => o.website = self.text()?,
                _ => self.skip()?,
            }
        }
        Ok(o)
    }

    fn code(&mut self) -> Result<(), ReadError> {
        while let Some(child) = self.next_child()? {
            match child.local.as_str() {
                "CodeNumber" => self.parts.doc.code.number = self.text()?,
                "CodeNotation" => self.parts.doc.code.notation = self.text()?,
                _ => self.skip()?,
            }
        }
        Ok(())
    }

    fn promulgation_info(&mut self) -> Result<(), ReadError> {
        while let Some(child) = self.next_child()? {
            match child.local.as_str() {
                "Place" => self.parts.doc.promulgation.place = self.text()?,
                "PromulgationDate" => self.parts.doc.promulgation.date = date(&self.text()?),
                _ => self.skip()?,
            }
        }
        Ok(())
    }

    fn document_type(&mut self) -> Result<(), ReadError> {
        while let Some(child) = self.next_child()? {
            match child.local.as_str() {
                "Type" => self.parts.doc.document_type.type_code = self.text()?,
                "TypeName" => self.parts.doc.document_type.type_name = self.text()?,
                "TypeDetail" => self.parts.doc.document_type.type_detail = self.text()?,
                _ => self.skip()?,
            }
        }
        Ok(())
    }

    fn signer_info(&mut self) -> Result<(), ReadError> {
        while let Some(child) = self.next_child()? {
            match child.local.as_str() {
                "Competence" => self.parts.doc.signer.competence = self.text()?,
                "Position" => self.parts.doc.signer.position = self.text()?,
                "FullName" => self.parts.doc.signer.full_name = self.text()?,
                _ => self.skip()?,
            }
        }
        Ok(())
    }

    fn places(&mut self) -> Result<(), ReadError> {
        while let Some(child) = self.next_child()? {
            match child.local.as_str() {
                "Place" => {
                    let place = self.text()?;
                    self.parts.doc.to_places.push(place);
                }
                _ => self.skip()?,
            }
        }
        Ok(())
    }

    fn other_info(&mut self) -> Result<(), ReadError> {
        while let Some(child) = self.next_child()? {
            match child.local.as_str() {
                "Priority" => self.parts.doc.other_info.priority = non_empty(self.text()?),
                "SphereOfPromulgation" => {
                    self.parts.doc.other_info.sphere_of_promulgation = self.text()?
                }
                "TyperNotation" => self.parts.doc.other_info.typer_notation = self.text()?,
                "PromulgationAmount" => {
                    self.parts.doc.other_info.promulgation_amount = self.text()?
                }
                "PageAmount" => self.parts.doc.other_info.page_amount = self.text()?,
                "Direction" => self.parts.doc.other_info.direction = self.text()?,
                "Appendixes" => {
                    while let Some(a) = self.next_child()? {
                        if a.local == "Appendix" {
                            let text = self.text()?;
                            self.parts.doc.other_info.appendixes.push(text);
                        } else {
                            self.skip()?;
                        }
                    }
                }
                _ => self.skip()?,
            }
        }
        Ok(())
    }

    fn response_for(&mut self) -> Result<ResponseFor, ReadError> {
        let mut rf = ResponseFor::default();
        while let Some(child) = self.next_child()? {
            match child.local.as_str() {
                "OrganId" => rf.organ_id = self.text()?.parse().ok(),
                "Code" => rf.code = self.text()?,
                "PromulgationDate" => rf.promulgation_date = date(&self.text()?),
                "DocumentId" => rf.document_id = self.text()?.parse().ok(),
                _ => self.skip()?,
            }
        }
        Ok(rf)
    }

    fn staff_info(&mut self) -> Result<StaffInfo, ReadError> {
        let mut s = StaffInfo::default();
        while let Some(child) = self.next_child()? {
            match child.local.as_str() {
                "Department" => s.department = self.text()?,
                "Staff" => s.staff = self.text()?,
                "Mobile" => s.mobile = self.text()?,
                "Email" => s.email = self.text()?,
                _ => self.skip()?,
            }
        }
        Ok(s)
    }

    fn trace_header_list(&mut self) -> Result<(), ReadError> {
        while let Some(child) = self.next_child()? {
            match business_name(&child.local) {
                "TraceHeader" => {
                    let mut t = TraceHeader::default();
                    while let Some(c) = self.next_child()? {
                        match c.local.as_str() {
                            "OrganId" => t.organ_id = self.text()?.parse().ok(),
                            "Timestamp" => t.timestamp = datetime(&self.text()?),
                            _ => self.skip()?,
                        }
                    }
                    self.parts.doc.traces.push(t);
                }
                "Business" => {
                    let b = self.business()?;
                    self.parts.doc.business = Some(b);
                }
                _ => self.skip()?,
            }
        }
        Ok(())
    }

    fn business(&mut self) -> Result<Business, ReadError> {
        let mut b = Business::default();
        while let Some(child) = self.next_child()? {
            match business_name(&child.local) {
                "DocumentId" => b.document_id = self.text()?.parse().ok(),
                "BusinessDocType" => b.action = non_empty(self.text()?),
                "BusinessDocReason" => b.reason = self.text()?,
                "Paper" => b.paper = self.text()?,
                "BusinessDocumentInfo" => b.document_info = Some(self.business_document_info()?),
                "ReplacementInfoList" => {
                    while let Some(c) = self.next_child()? {
                        if c.local == "ReplacementInfo" {
                            let info = self.replacement_info()?;
                            b.replacements.push(info);
                        } else {
                            self.skip()?;
                        }
                    }
                }
                "StaffInfo" => b.staff = Some(self.staff_info()?),
                _ => self.skip()?,
            }
        }
        Ok(b)
    }

    fn business_document_info(&mut self) -> Result<BusinessDocumentInfo, ReadError> {
        let mut info = BusinessDocumentInfo::default();
        while let Some(child) = self.next_child()? {
            match child.local.as_str() {
                "DocumentInfo" => info.document_info = self.text()?,
                "DocumentReceiver" => info.document_receiver = self.text()?,
                "ReceiverList" => {
                    while let Some(c) = self.next_child()? {
                        if c.local != "Receiver" {
                            self.skip()?;
                            continue;
                        }
                        let mut r = Receiver::default();
                        while let Some(f) = self.next_child()? {
                            match f.local.as_str() {
                                "OrganId" => r.organ_id = self.text()?.parse().ok(),
                                "ReceiverType" => r.change = non_empty(self.text()?),
                                _ => self.skip()?,
                            }
                        }
                        info.receivers.push(r);
                    }
                }
                _ => self.skip()?,
            }
        }
        Ok(info)
    }

    fn replacement_info(&mut self) -> Result<ReplacementInfo, ReadError> {
        let mut info = ReplacementInfo::default();
        while let Some(child) = self.next_child()? {
            match child.local.as_str() {
                "DocumentId" => info.document_id = self.text()?.parse().ok(),
                "OrganIdList" => {
                    while let Some(c) = self.next_child()? {
                        if c.local != "OrganId" {
                            self.skip()?;
                        } else if let Ok(id) = self.text()?.parse() {
                            info.organ_ids.push(id);
                        }
                    }
                }
                _ => self.skip()?,
            }
        }
        Ok(info)
    }

    fn body(&mut self) -> Result<(), ReadError> {
        while let Some(child) = self.next_child()? {
            if child.local != "edXMLManifest" {
                self.skip()?;
                continue;
            }
            while let Some(reference) = self.next_child()? {
                if reference.local != "Reference" {
                    self.skip()?;
                    continue;
                }
                // The .NET style puts the id in xlink:href as well (§5).
                let mut m = ManifestRef::default();
                for (name, value) in &reference.attrs {
                    if name.rsplit(':').next() == Some("href") {
                        m.content_id = strip_cid(value);
                    }
                }
                while let Some(f) = self.next_child()? {
                    match f.local.as_str() {
                        "ContentId" => m.content_id = strip_cid(&self.text()?),
                        "AttachmentName" => m.name = self.text()?,
                        "Description" => m.description = self.text()?,
                        "ContentType" => m.content_type = self.text()?,
                        "Format" => m.format = non_empty(self.text()?),
                        _ => self.skip()?,
                    }
                }
                self.parts.manifest.push(m);
            }
        }
        Ok(())
    }

    fn attachment_encoded(&mut self) -> Result<(), ReadError> {
        while let Some(child) = self.next_child()? {
            if child.local != "Attachment" {
                self.skip()?;
                continue;
            }
            if self.parts.attachments.len() >= self.limits.max_attachments {
                let limit = self.limits.max_attachments as u64;
                let kind = ReadErrorKind::Limit {
                    what: "the number of attachments",
                    limit,
                };
                return Err(self.p.error(kind));
            }
            let att = self.attachment()?;
            self.parts.attachments.push(att);
        }
        Ok(())
    }

    fn attachment(&mut self) -> Result<Attachment, ReadError> {
        let mut m = ManifestRef::default();
        let mut content: Option<(Sha256, u64, bool)> = None;
        while let Some(child) = self.next_child()? {
            match child.local.as_str() {
                "ContentId" => m.content_id = strip_cid(&self.text()?),
                "AttachmentName" => m.name = self.text()?,
                "Description" => m.description = self.text()?,
                "ContentType" => m.content_type = self.text()?,
                "Format" => m.format = non_empty(self.text()?),
                "ContentTransferEncoded" => {
                    if content.is_some() {
                        return Err(self.p.error(ReadErrorKind::DuplicateContent));
                    }
                    content = Some(self.content(&m)?);
                }
                _ => self.skip()?,
            }
        }
        let (sha256, size, zipped) = match content {
            Some(c) => c,
            None => self.empty_content(&m)?,
        };
        Ok(Attachment {
            content_id: m.content_id,
            name: m.name,
            description: m.description,
            content_type: m.content_type,
            format: m.format,
            size,
            sha256,
            zipped,
        })
    }

    /// Streams `ContentTransferEncoded` through base64, the optional unzip and the digest.
    fn content(&mut self, m: &ManifestRef) -> Result<(Sha256, u64, bool), ReadError> {
        let meta = self.meta(m);
        let writer = self
            .sink
            .begin(&meta)
            .map_err(|e| self.p.error(ReadErrorKind::Sink(e)))?;
        let mut pipe = Pipeline::new(writer, meta.unzipping, self.limits.max_attachment_bytes);
        let mut decoder = Base64Decoder::new(&mut pipe);
        loop {
            match self.p.next(&mut decoder)? {
                Pull::End => break,
                Pull::Pi(..) => continue,
                Pull::Start(_) | Pull::Eof => {
                    let kind =
                        ReadErrorKind::Base64("an element inside ContentTransferEncoded".into());
                    return Err(self.p.error(kind));
                }
            }
        }
        // The element has closed; errors found at its end still belong to it.
        let at = |k| ReadError {
            offset: self.p.offset(),
            path: format!("{}/ContentTransferEncoded", self.p.path()),
            kind: k,
        };
        decoder.finish().map_err(at)?;
        pipe.finish().map_err(at)
    }

    /// An attachment without content: stored as zero bytes.
    fn empty_content(&mut self, m: &ManifestRef) -> Result<(Sha256, u64, bool), ReadError> {
        let meta = AttachmentMeta {
            unzipping: false,
            ..self.meta(m)
        };
        let writer = self
            .sink
            .begin(&meta)
            .map_err(|e| self.p.error(ReadErrorKind::Sink(e)))?;
        let pipe = Pipeline::new(writer, false, self.limits.max_attachment_bytes);
        pipe.finish().map_err(|k| self.p.error(k))
    }

    /// Metadata for the sink: this element's fields, completed from the manifest.
    fn meta(&self, m: &ManifestRef) -> AttachmentMeta {
        let manifest = self
            .parts
            .manifest
            .iter()
            .find(|r| r.content_id == m.content_id);
        let pick = |own: &str, other: Option<&str>| {
            if own.is_empty() {
                other.unwrap_or("").to_owned()
            } else {
                own.to_owned()
            }
        };
        let name = pick(&m.name, manifest.map(|r| r.name.as_str()));
        let content_type = pick(&m.content_type, manifest.map(|r| r.content_type.as_str()));
        AttachmentMeta {
            content_id: m.content_id.clone(),
            unzipping: is_zip_quirk(&content_type, &name),
            name,
            content_type,
        }
    }

    fn assemble(&mut self) -> Result<Package, ReadError> {
        let parts = std::mem::take(&mut self.parts);
        let offset = self.p.offset();
        let fail = |path: &str, kind| ReadError {
            offset,
            path: path.to_owned(),
            kind,
        };
        if !parts.seen_header {
            return Err(fail("edXML/edXMLEnvelope", ReadErrorKind::NoHeader));
        }
        let mut attachments = parts.attachments;
        for (i, a) in attachments.iter().enumerate() {
            // Attachments are matched and stored by content id, so even two empty ids clash.
            if attachments[..i]
                .iter()
                .any(|b| b.content_id == a.content_id)
            {
                let kind = ReadErrorKind::DuplicateContentId(a.content_id.clone());
                return Err(fail("edXML/AttachmentEncoded", kind));
            }
        }
        for r in &parts.manifest {
            match attachments
                .iter_mut()
                .find(|a| a.content_id == r.content_id)
            {
                Some(a) => {
                    fill(&mut a.name, &r.name);
                    fill(&mut a.description, &r.description);
                    fill(&mut a.content_type, &r.content_type);
                    if a.format.is_none() {
                        a.format.clone_from(&r.format);
                    }
                }
                None => {
                    let kind = ReadErrorKind::MissingAttachment(r.content_id.clone());
                    return Err(fail("edXML/edXMLEnvelope/edXMLBody/edXMLManifest", kind));
                }
            }
        }
        let is_status = parts.status_block || parts.status_code_seen;
        if is_status {
            if !attachments.is_empty() {
                return Err(fail(
                    "edXML/AttachmentEncoded",
                    ReadErrorKind::StatusWithAttachments,
                ));
            }
            let doc = parts.doc;
            return Ok(Package::Status(Box::new(Status {
                from: doc.from,
                response_for: doc.response_for.into_iter().next(),
                staff: parts.header_staff,
                status_code: parts.status_code,
                description: parts.description,
                timestamp: parts.timestamp,
                traces: doc.traces,
            })));
        }
        let mut doc = parts.doc;
        doc.attachments = attachments;
        Ok(Package::Document(Box::new(doc)))
    }

    /// The next child element of the current element, or `None` at its end.
    fn next_child(&mut self) -> Result<Option<StartTag>, ReadError> {
        let mut ignore = Ignore::default();
        loop {
            match self.p.next(&mut ignore)? {
                Pull::Start(t) => return Ok(Some(t)),
                Pull::End => return Ok(None),
                Pull::Pi(..) => continue,
                Pull::Eof => return Err(self.p.error(ReadErrorKind::Truncated("edXML".into()))),
            }
        }
    }

    /// The trimmed text of the current element, through its end; stray child elements are skipped.
    fn text(&mut self) -> Result<String, ReadError> {
        let mut collect = Collect::new(self.limits.max_text_bytes);
        loop {
            match self.p.next(&mut collect)? {
                Pull::End => break,
                Pull::Start(_) => self.skip()?,
                Pull::Pi(..) => continue,
                Pull::Eof => return Err(self.p.error(ReadErrorKind::Truncated("edXML".into()))),
            }
        }
        let text = collect.finish().map_err(|k| self.p.error(k))?;
        Ok(super::types::trim_xml(&text).to_owned())
    }

    /// Skips the rest of the current element, without recursion.
    fn skip(&mut self) -> Result<(), ReadError> {
        let mut depth = 1usize;
        let mut ignore = Ignore::default();
        while depth > 0 {
            match self.p.next(&mut ignore)? {
                Pull::Start(_) => depth += 1,
                Pull::End => depth -= 1,
                Pull::Pi(..) => {}
                Pull::Eof => return Err(self.p.error(ReadErrorKind::Truncated("edXML".into()))),
            }
        }
        Ok(())
    }
}

fn check_root(root: &StartTag) -> Result<(), ReadErrorKind> {
    let ns = root.ns.as_deref().unwrap_or("");
    if ns == LEGACY_NAMESPACE {
        return Err(ReadErrorKind::LegacyNamespace);
    }
    if root.local != "edXML" {
        return Err(ReadErrorKind::WrongRoot(root.qname.clone()));
    }
    if ns != NAMESPACE {
        let shown = if ns.is_empty() { "(none)" } else { ns };
        return Err(ReadErrorKind::WrongNamespace(shown.to_owned()));
    }
    Ok(())
}

/// Maps both spellings onto `Business…` (writers use `Bussiness`, some readers `Business`, §4.4).
fn business_name(local: &str) -> &str {
    match local {
        "Bussiness" | "Business" => "Business",
        "BussinessDocType" | "BusinessDocType" => "BusinessDocType",
        "BussinessDocReason" | "BusinessDocReason" => "BusinessDocReason",
        "BussinessDocumentInfo" | "BusinessDocumentInfo" => "BusinessDocumentInfo",
        other => other,
    }
}

/// Strips a leading `cid:` (any case), the matching rule of §5.
fn strip_cid(s: &str) -> String {
    match s.get(..4) {
        Some(p) if p.eq_ignore_ascii_case("cid:") => s[4..].to_owned(),
        _ => s.to_owned(),
    }
}

fn fill(own: &mut String, from: &str) {
    if own.is_empty() {
        from.clone_into(own);
    }
}

fn non_empty<T: std::str::FromStr>(s: String) -> Option<T> {
    if s.is_empty() { None } else { s.parse().ok() }
}

fn date(s: &str) -> Option<EdDate> {
    if s.is_empty() {
        None
    } else {
        Some(EdDate::parse(s))
    }
}

fn datetime(s: &str) -> Option<EdDateTime> {
    if s.is_empty() {
        None
    } else {
        Some(EdDateTime::parse(s))
    }
}
