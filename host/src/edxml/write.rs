//! The canonical writer: one byte form per package, the layout VPCP's validators expect.
//!
//! - `<?xml version="1.0" encoding="UTF-8"?>`, root `edXML` with the default namespace, and the
//!   `edXML:` prefix on every element inside the envelope (§4.1: prefix-less output failed at VPCP).
//! - The numbered element order of §4.3, `Bussiness` spelling (§4.4), canonical dates (§4.5),
//!   manifest `version="1.0"`, and `AttachmentEncoded` after the envelope with unprefixed
//!   children and the prefixed `ContentTransferEncoded` of the samples (§4.7, §5).
//! - Two spaces of indentation per level, LF line ends, a final LF. A leaf's text stays on its
//!   line; an empty leaf is written `<edXML:X/>`. Organ children and the fields §4.3 numbers are
//!   always written (empty if unknown); optional blocks only when present.
//! - Text escapes `&`, `<`, `>` and CR (as `&#13;`, so it survives line-end normalization).
//! - Base64 is streamed without line breaks. An attachment that arrived zipped (§5) is re-zipped
//!   into a one-entry zip with fixed timestamps, so the output is deterministic.
//!
//! `write(read(write(x))) == write(x)` byte for byte.

use std::fmt::Display;
use std::io::{self, BufWriter, Read, Write};

use base64::engine::general_purpose::STANDARD;
use sha2::Digest;

use super::NAMESPACE;
use super::attachment::AttachmentSource;
use super::error::WriteError;
use super::model::{
    Attachment, Business, Document, Organ, Package, ResponseFor, StaffInfo, Status, TraceHeader,
};
use super::text::is_xml_char;
use super::types::Sha256;

/// Writes `pkg` in canonical form, streaming attachment bytes from `attachments`.
pub fn write<W: Write>(
    pkg: &Package,
    attachments: &dyn AttachmentSource,
    out: W,
) -> Result<(), WriteError> {
    let mut w = Out {
        w: BufWriter::with_capacity(64 * 1024, out),
        prefix: "edXML:",
    };
    w.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")?;
    w.raw(&format!("<edXML xmlns=\"{NAMESPACE}\">\n"))?;
    w.raw(&format!(
        "  <edXML:edXMLEnvelope xmlns:edXML=\"{NAMESPACE}\">\n"
    ))?;
    w.open(2, "edXMLHeader")?;
    match pkg {
        Package::Document(doc) => {
            message_header(&mut w, doc)?;
            trace_header_list(&mut w, &doc.traces, doc.business.as_ref())?;
            w.close(2, "edXMLHeader")?;
            manifest(&mut w, &doc.attachments)?;
            w.close(1, "edXMLEnvelope")?;
            if !doc.attachments.is_empty() {
                w.prefix = "";
                w.open(1, "AttachmentEncoded")?;
                for att in &doc.attachments {
                    attachment(&mut w, att, attachments)?;
                }
                w.close(1, "AttachmentEncoded")?;
            }
        }
        Package::Status(status) => {
            status_header(&mut w, status)?;
            if !status.traces.is_empty() {
                trace_header_list(&mut w, &status.traces, None)?;
            }
            w.close(2, "edXMLHeader")?;
            w.close(1, "edXMLEnvelope")?;
        }
    }
    w.raw("</edXML>\n")?;
    w.w.flush()?;
    Ok(())
}

/// Writes `pkg` canonically into a new buffer; see [`write()`].
pub fn write_to_vec(
    pkg: &Package,
    attachments: &dyn AttachmentSource,
) -> Result<Vec<u8>, WriteError> {
    let mut v = Vec::new();
    write(pkg, attachments, &mut v)?;
    Ok(v)
}

fn message_header<W: Write>(w: &mut Out<W>, d: &Document) -> Result<(), WriteError> {
    let l = 4;
    w.open(3, "MessageHeader")?;
    organ(w, l, "From", &d.from)?;
    for to in &d.to {
        organ(w, l, "To", to)?;
    }
    w.open(l, "Code")?;
    w.leaf(l + 1, "CodeNumber", &d.code.number)?;
    w.leaf(l + 1, "CodeNotation", &d.code.notation)?;
    w.close(l, "Code")?;
    w.open(l, "PromulgationInfo")?;
    w.leaf(l + 1, "Place", &d.promulgation.place)?;
    w.leaf_opt(l + 1, "PromulgationDate", d.promulgation.date.as_ref())?;
    w.close(l, "PromulgationInfo")?;
    w.open(l, "DocumentType")?;
    w.leaf(l + 1, "Type", &d.document_type.type_code)?;
    w.leaf(l + 1, "TypeName", &d.document_type.type_name)?;
    w.leaf(l + 1, "TypeDetail", &d.document_type.type_detail)?;
    w.close(l, "DocumentType")?;
    w.leaf(l, "Subject", &d.subject)?;
    w.leaf(l, "Content", &d.content)?;
    w.open(l, "SignerInfo")?;
    w.leaf(l + 1, "Competence", &d.signer.competence)?;
    w.leaf(l + 1, "Position", &d.signer.position)?;
    w.leaf(l + 1, "FullName", &d.signer.full_name)?;
    w.close(l, "SignerInfo")?;
    w.leaf_opt(l, "DueDate", d.due_date.as_ref())?;
    w.list(l, "ToPlaces", "Place", &d.to_places)?;
    let o = &d.other_info;
    w.open(l, "OtherInfo")?;
    w.leaf_opt(l + 1, "Priority", o.priority.as_ref())?;
    w.leaf(l + 1, "SphereOfPromulgation", &o.sphere_of_promulgation)?;
    w.leaf(l + 1, "TyperNotation", &o.typer_notation)?;
    w.leaf(l + 1, "PromulgationAmount", &o.promulgation_amount)?;
    w.leaf(l + 1, "PageAmount", &o.page_amount)?;
    if !o.direction.is_empty() {
        w.leaf(l + 1, "Direction", &o.direction)?;
    }
    w.list(l + 1, "Appendixes", "Appendix", &o.appendixes)?;
    w.close(l, "OtherInfo")?;
    for rf in &d.response_for {
        response_for(w, l, rf)?;
    }
    w.leaf_opt(l, "SteeringType", d.steering_type.as_ref())?;
    w.leaf_opt(l, "DocumentId", d.document_id.as_ref())?;
    if let Some(app) = &d.application_type {
        w.leaf(l, "ApplicationType", app)?;
    }
    w.close(3, "MessageHeader")
}

/// §7.1: status packages are emitted as `MessageHeader` (VPCP's form), never as `Status`.
fn status_header<W: Write>(w: &mut Out<W>, s: &Status) -> Result<(), WriteError> {
    let l = 4;
    w.open(3, "MessageHeader")?;
    organ(w, l, "From", &s.from)?;
    if let Some(rf) = &s.response_for {
        response_for(w, l, rf)?;
    }
    if let Some(staff) = &s.staff {
        staff_info(w, l, staff)?;
    }
    w.leaf_opt(l, "StatusCode", s.status_code.as_ref())?;
    w.leaf(l, "Description", &s.description)?;
    w.leaf_opt(l, "Timestamp", s.timestamp.as_ref())?;
    w.close(3, "MessageHeader")
}

fn organ<W: Write>(
    w: &mut Out<W>,
    l: usize,
    name: &'static str,
    o: &Organ,
) -> Result<(), WriteError> {
    w.open(l, name)?;
    w.leaf_opt(l + 1, "OrganId", o.organ_id.as_ref())?;
    w.leaf(l + 1, "OrganizationInCharge", &o.organization_in_charge)?;
    w.leaf(l + 1, "OrganName", &o.organ_name)?;
    w.leaf(l + 1, "OrganAdd", &o.organ_add)?;
    w.leaf(l + 1, "Email", &o.email)?;
    w.leaf(l + 1, "Telephone", &o.telephone)?;
    w.leaf(l + 1, "Fax", &o.fax)?;
    w.leaf(l + 1, "Website", &o.website)?;
    w.close(l, name)
}

fn response_for<W: Write>(w: &mut Out<W>, l: usize, rf: &ResponseFor) -> Result<(), WriteError> {
    w.open(l, "ResponseFor")?;
    w.leaf_opt(l + 1, "OrganId", rf.organ_id.as_ref())?;
    w.leaf(l + 1, "Code", &rf.code)?;
    w.leaf_opt(l + 1, "PromulgationDate", rf.promulgation_date.as_ref())?;
    w.leaf_opt(l + 1, "DocumentId", rf.document_id.as_ref())?;
    w.close(l, "ResponseFor")
}

fn staff_info<W: Write>(w: &mut Out<W>, l: usize, s: &StaffInfo) -> Result<(), WriteError> {
    w.open(l, "StaffInfo")?;
    w.leaf(l + 1, "Department", &s.department)?;
    w.leaf(l + 1, "Staff", &s.staff)?;
    w.leaf(l + 1, "Mobile", &s.mobile)?;
    w.leaf(l + 1, "Email", &s.email)?;
    w.close(l, "StaffInfo")
}

fn trace_header_list<W: Write>(
    w: &mut Out<W>,
    traces: &[TraceHeader],
    business: Option<&Business>,
) -> Result<(), WriteError> {
    if traces.is_empty() && business.is_none() {
        return w.empty(3, "TraceHeaderList");
    }
    w.open(3, "TraceHeaderList")?;
    for t in traces {
        w.open(4, "TraceHeader")?;
        w.leaf_opt(5, "OrganId", t.organ_id.as_ref())?;
        w.leaf_opt(5, "Timestamp", t.timestamp.as_ref())?;
        w.close(4, "TraceHeader")?;
    }
    if let Some(b) = business {
        business_block(w, b)?;
    }
    w.close(3, "TraceHeaderList")
}

/// §4.4: writers use the misspelling `Bussiness…`; so do we.
fn business_block<W: Write>(w: &mut Out<W>, b: &Business) -> Result<(), WriteError> {
    w.open(4, "Bussiness")?;
    w.leaf_opt(5, "DocumentId", b.document_id.as_ref())?;
    w.leaf_opt(5, "BussinessDocType", b.action.as_ref())?;
    w.leaf(5, "BussinessDocReason", &b.reason)?;
    w.leaf(5, "Paper", &b.paper)?;
    if let Some(info) = &b.document_info {
        w.open(5, "BussinessDocumentInfo")?;
        w.leaf(6, "DocumentInfo", &info.document_info)?;
        w.leaf(6, "DocumentReceiver", &info.document_receiver)?;
        if info.receivers.is_empty() {
            w.empty(6, "ReceiverList")?;
        } else {
            w.open(6, "ReceiverList")?;
            for r in &info.receivers {
                w.open(7, "Receiver")?;
                w.leaf_opt(8, "OrganId", r.organ_id.as_ref())?;
                w.leaf_opt(8, "ReceiverType", r.change.as_ref())?;
                w.close(7, "Receiver")?;
            }
            w.close(6, "ReceiverList")?;
        }
        w.close(5, "BussinessDocumentInfo")?;
    }
    if !b.replacements.is_empty() {
        w.open(5, "ReplacementInfoList")?;
        for r in &b.replacements {
            w.open(6, "ReplacementInfo")?;
            w.leaf_opt(7, "DocumentId", r.document_id.as_ref())?;
            let ids: Vec<String> = r.organ_ids.iter().map(ToString::to_string).collect();
            w.list(7, "OrganIdList", "OrganId", &ids)?;
            w.close(6, "ReplacementInfo")?;
        }
        w.close(5, "ReplacementInfoList")?;
    }
    if let Some(staff) = &b.staff {
        staff_info(w, 5, staff)?;
    }
    w.close(4, "Bussiness")
}

fn manifest<W: Write>(w: &mut Out<W>, atts: &[Attachment]) -> Result<(), WriteError> {
    w.open(2, "edXMLBody")?;
    if atts.is_empty() {
        w.raw("      <edXML:edXMLManifest version=\"1.0\"/>\n")?;
    } else {
        w.raw("      <edXML:edXMLManifest version=\"1.0\">\n")?;
        for a in atts {
            w.open(4, "Reference")?;
            w.leaf(5, "ContentId", &format!("cid:{}", a.content_id))?;
            w.leaf(5, "ContentType", &a.content_type)?;
            w.leaf(5, "Description", &a.description)?;
            w.leaf(5, "AttachmentName", &a.name)?;
            if let Some(f) = &a.format {
                w.leaf(5, "Format", f)?;
            }
            w.close(4, "Reference")?;
        }
        w.close(3, "edXMLManifest")?;
    }
    w.close(2, "edXMLBody")
}

fn attachment<W: Write>(
    w: &mut Out<W>,
    a: &Attachment,
    source: &dyn AttachmentSource,
) -> Result<(), WriteError> {
    w.open(2, "Attachment")?;
    w.leaf(3, "ContentId", &format!("cid:{}", a.content_id))?;
    w.leaf(3, "AttachmentName", &a.name)?;
    w.leaf(3, "Description", &a.description)?;
    w.leaf(3, "ContentType", &a.content_type)?;
    if let Some(f) = &a.format {
        w.leaf(3, "Format", f)?;
    }
    w.raw(&format!(
        "      <edXML:ContentTransferEncoded xmlns:edXML=\"{NAMESPACE}\">"
    ))?;
    let content_id = a.content_id.clone();
    let src = source.open(a).map_err(|e| WriteError::Source {
        content_id: content_id.clone(),
        source: e,
    })?;
    let mut tee = Tee {
        inner: src,
        hasher: sha2::Sha256::new(),
        size: 0,
    };
    {
        let mut enc = base64::write::EncoderWriter::new(&mut w.w, &STANDARD);
        if a.zipped {
            zip_into(&mut tee, &mut enc, a)?;
        } else {
            io::copy(&mut tee, &mut enc).map_err(|e| source_or_io(e, &content_id))?;
        }
        enc.finish()?;
    }
    let sha = Sha256(tee.hasher.finalize().into());
    if sha != a.sha256 || tee.size != a.size {
        let expected = format!("SHA-256 {}, {} bytes", a.sha256, a.size);
        return Err(WriteError::AttachmentMismatch {
            content_id,
            expected,
        });
    }
    w.raw("</edXML:ContentTransferEncoded>\n")?;
    w.close(2, "Attachment")
}

/// Re-creates the one-entry zip of §5, deterministically (fixed timestamp, deflate).
fn zip_into<R: Read, W: Write>(src: &mut R, out: W, a: &Attachment) -> Result<(), WriteError> {
    let fail = |detail: String| WriteError::Zip {
        content_id: a.content_id.clone(),
        detail,
    };
    let entry = zip_entry_name(&a.name);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .large_file(a.size >= u64::from(u32::MAX));
    let mut z = zip::ZipWriter::new_stream(out);
    z.start_file(entry, opts).map_err(|e| fail(e.to_string()))?;
    io::copy(src, &mut z).map_err(|e| source_or_io(e, &a.content_id))?;
    z.finish().map_err(|e| fail(e.to_string()))?;
    Ok(())
}

/// The entry name: the attachment's base name, never a path.
fn zip_entry_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    if base.is_empty() {
        "attachment".to_owned()
    } else {
        base.to_owned()
    }
}

/// Hashes and counts what the source yields.
struct Tee<R> {
    inner: R,
    hasher: sha2::Sha256,
    size: u64,
}

/// Marks read failures of the source so they are reported as the store's, not the output's.
#[derive(Debug)]
struct SourceFailure(io::Error);

impl std::fmt::Display for SourceFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for SourceFailure {}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self
            .inner
            .read(buf)
            .map_err(|e| io::Error::other(SourceFailure(e)))?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
}

fn source_or_io(e: io::Error, content_id: &str) -> WriteError {
    let is_source = e.get_ref().is_some_and(|inner| inner.is::<SourceFailure>());
    match e.into_inner() {
        Some(inner) if is_source => match inner.downcast::<SourceFailure>() {
            Ok(f) => WriteError::Source {
                content_id: content_id.to_owned(),
                source: f.0,
            },
            Err(other) => WriteError::Io(io::Error::other(other)),
        },
        Some(inner) => WriteError::Io(io::Error::other(inner)),
        None => WriteError::Io(io::Error::other("write failed")),
    }
}

/// The output with the indentation and escaping rules of the module docs.
struct Out<W: Write> {
    w: BufWriter<W>,
    prefix: &'static str,
}

impl<W: Write> Out<W> {
    fn raw(&mut self, s: &str) -> Result<(), WriteError> {
        self.w.write_all(s.as_bytes())?;
        Ok(())
    }

    fn indent(&mut self, level: usize) -> Result<(), WriteError> {
        for _ in 0..level {
            self.w.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open(&mut self, level: usize, name: &str) -> Result<(), WriteError> {
        self.indent(level)?;
        writeln!(self.w, "<{}{name}>", self.prefix)?;
        Ok(())
    }

    fn close(&mut self, level: usize, name: &str) -> Result<(), WriteError> {
        self.indent(level)?;
        writeln!(self.w, "</{}{name}>", self.prefix)?;
        Ok(())
    }

    fn empty(&mut self, level: usize, name: &str) -> Result<(), WriteError> {
        self.indent(level)?;
        writeln!(self.w, "<{}{name}/>", self.prefix)?;
        Ok(())
    }

    fn leaf(&mut self, level: usize, name: &'static str, text: &str) -> Result<(), WriteError> {
        if text.is_empty() {
            return self.empty(level, name);
        }
        if let Some(c) = text.chars().find(|c| !is_xml_char(*c)) {
            return Err(WriteError::ForbiddenChar {
                field: name,
                code: c as u32,
            });
        }
        self.indent(level)?;
        write!(self.w, "<{}{name}>", self.prefix)?;
        escape_into(&mut self.w, text)?;
        writeln!(self.w, "</{}{name}>", self.prefix)?;
        Ok(())
    }

    fn leaf_opt<T: Display>(
        &mut self,
        level: usize,
        name: &'static str,
        v: Option<&T>,
    ) -> Result<(), WriteError> {
        match v {
            Some(v) => self.leaf(level, name, &v.to_string()),
            None => self.empty(level, name),
        }
    }

    fn list(
        &mut self,
        level: usize,
        name: &str,
        item: &'static str,
        items: &[String],
    ) -> Result<(), WriteError> {
        if items.is_empty() {
            return self.empty(level, name);
        }
        self.open(level, name)?;
        for i in items {
            self.leaf(level + 1, item, i)?;
        }
        self.close(level, name)
    }
}

fn escape_into<W: Write>(w: &mut W, text: &str) -> io::Result<()> {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        let rep: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'\r' => b"&#13;",
            _ => continue,
        };
        w.write_all(&bytes[start..i])?;
        w.write_all(rep)?;
        start = i + 1;
    }
    w.write_all(&bytes[start..])
}
