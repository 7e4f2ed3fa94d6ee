//! A hardened pull parser over quick-xml: markup from quick-xml, text streamed in chunks.
//!
//! quick-xml accumulates a whole text event in one buffer, so a 200 MiB base64 attachment would
//! sit in memory. Instead, after every event this parser reads the text up to the next `<` itself,
//! straight from the underlying `BufRead`, decoding references and line ends on the way and
//! handing the chunks to a [`TextSink`] (see `text.rs`). quick-xml then finds `<` at once (in its `InsideText`
//! state it returns to markup without an event when the first byte is `<`), so its state stays
//! consistent; it only ever sees markup, which [`Limits::max_markup_bytes`] bounds.
//!
//! Also enforced here: no DOCTYPE, UTF-8 only, XML 1.0 characters, and every [`Limits`] bound.

use std::collections::HashMap;
use std::io::{self, BufRead};

use quick_xml::XmlVersion;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::error::{ReadError, ReadErrorKind};
use super::limits::Limits;
use super::text::{
    TextSink, TextState, bad_reference, deliver_normalized, deliver_text, is_xml_char,
};

/// An element start as the parser saw it.
#[derive(Debug)]
pub(crate) struct StartTag {
    /// The name as written, with its prefix.
    pub qname: String,
    /// The local name (what the package reader matches on, §11).
    pub local: String,
    /// The resolved namespace URI, if any.
    pub ns: Option<String>,
    /// Attributes in document order (namespace declarations included), values normalized.
    pub attrs: Vec<(String, String)>,
}

/// One structural step of the document.
#[derive(Debug)]
pub(crate) enum Pull {
    /// An element opened.
    Start(StartTag),
    /// The innermost open element closed.
    End,
    /// A processing instruction (`target`, `content`), needed by canonicalization.
    Pi(String, String),
    /// The document ended after its root element.
    Eof,
}

/// Counts consumed bytes and enforces the total and per-markup budgets.
struct Counted<R> {
    inner: R,
    pos: u64,
    max_total: u64,
    markup_budget: Option<u64>,
    markup_start: u64,
    hit: Option<(&'static str, u64)>,
}

impl<R: BufRead> io::Read for Counted<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let total_left = self.max_total.saturating_sub(self.pos);
        let markup_left = match self.markup_budget {
            Some(b) => b.saturating_sub(self.pos - self.markup_start),
            None => u64::MAX,
        };
        let avail = self.inner.fill_buf()?;
        if avail.is_empty() {
            return Ok(avail);
        }
        if total_left == 0 {
            self.hit = Some(("the package size", self.max_total));
            return Err(io::Error::other("input limit reached"));
        }
        if markup_left == 0 {
            self.hit = Some((
                "one piece of markup (tag, comment or CDATA)",
                self.markup_budget.unwrap_or(0),
            ));
            return Err(io::Error::other("markup limit reached"));
        }
        let n = avail.len().min(total_left.min(markup_left) as usize);
        Ok(&avail[..n])
    }

    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
        self.pos += amt as u64;
    }
}

struct Frame {
    local: String,
    index: u32,
    children: Option<HashMap<String, u32>>,
}

/// The hardened pull parser; see the module documentation.
pub(crate) struct XmlPull<R: BufRead> {
    reader: NsReader<Counted<R>>,
    buf: Vec<u8>,
    limits: Limits,
    stack: Vec<Frame>,
    elements: u64,
    started: bool,
    seen_root: bool,
    pending_end: bool,
    last_empty: bool,
    markup_start: u64,
    text: TextState,
}

impl<R: BufRead> XmlPull<R> {
    /// Wraps `input`; refuses UTF-16 at once (the reader is UTF-8 only).
    pub fn new(mut input: R, limits: &Limits) -> Result<Self, ReadError> {
        let head = input
            .fill_buf()
            .map_err(|e| at(0, String::new(), e.into()))?;
        if head.starts_with(&[0xFE, 0xFF])
            || head.starts_with(&[0xFF, 0xFE])
            || head.starts_with(&[0, b'<'])
            || head.starts_with(&[b'<', 0])
        {
            let kind = ReadErrorKind::UnsupportedEncoding("UTF-16".into());
            return Err(at(0, String::new(), kind));
        }
        let counted = Counted {
            inner: input,
            pos: 0,
            max_total: limits.max_input_bytes,
            markup_budget: None,
            markup_start: 0,
            hit: None,
        };
        let mut reader = NsReader::from_reader(counted);
        reader.config_mut().check_end_names = true;
        Ok(XmlPull {
            reader,
            buf: Vec::new(),
            limits: limits.clone(),
            stack: Vec::new(),
            elements: 0,
            started: false,
            seen_root: false,
            pending_end: false,
            last_empty: false,
            markup_start: 0,
            text: TextState::default(),
        })
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> u64 {
        self.reader.get_ref().pos
    }

    /// Offset of the `<` of the last markup read (for an end tag: where to insert before it).
    pub fn markup_start(&self) -> u64 {
        self.markup_start
    }

    /// Whether the last [`Pull::End`] closed an empty-element tag (`<a/>`), which has no end tag.
    pub fn last_was_empty(&self) -> bool {
        self.last_empty
    }

    /// Nesting depth: 0 outside the root, 1 inside it.
    pub fn depth(&self) -> usize {
        self.stack.len()
    }

    /// The element path, e.g. `edXML/edXMLEnvelope/edXMLHeader/MessageHeader/To[2]`.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for f in &self.stack {
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str(&f.local);
            if f.index > 1 {
                out.push_str(&format!("[{}]", f.index));
            }
        }
        out
    }

    /// An error at the current position and path.
    pub fn error(&self, kind: ReadErrorKind) -> ReadError {
        at(self.offset(), self.path(), kind)
    }

    /// Advances to the next structural event, streaming any text before it into `sink`.
    pub fn next(&mut self, sink: &mut dyn TextSink) -> Result<Pull, ReadError> {
        if self.pending_end {
            self.pending_end = false;
            self.last_empty = true;
            self.stack.pop();
            return Ok(Pull::End);
        }
        self.last_empty = false;
        loop {
            if self.started {
                self.stream_text(sink)?;
            }
            self.started = true;
            self.text.skip_lf = false;
            let limit = self.limits.max_markup_bytes as u64;
            {
                let c = self.reader.get_mut();
                c.markup_budget = Some(limit);
                c.markup_start = c.pos;
                self.markup_start = c.pos;
            }
            let result = self.reader.read_resolved_event_into(&mut self.buf);
            let event = match result {
                Ok((ns, ev)) => Ok((ns_uri(&ns), ev.into_owned())),
                Err(e) => Err(e),
            };
            self.buf.clear();
            self.reader.get_mut().markup_budget = None;
            let (ns, event) = match event {
                Ok(x) => x,
                Err(e) => return Err(self.map_xml_error(e)),
            };
            match event {
                Event::Start(e) => return self.open(&e, ns, false),
                Event::Empty(e) => return self.open(&e, ns, true),
                Event::End(_) => {
                    self.stack.pop();
                    return Ok(Pull::End);
                }
                Event::Decl(d) => {
                    if let Some(enc) = d.encoding() {
                        let enc =
                            enc.map_err(|e| self.error(ReadErrorKind::Syntax(e.to_string())))?;
                        if !enc.eq_ignore_ascii_case("utf-8") && !enc.eq_ignore_ascii_case("utf8") {
                            return Err(self.error(ReadErrorKind::UnsupportedEncoding(enc.into())));
                        }
                    }
                }
                // Only the very first read can yield text (before the first markup).
                Event::Text(t) => {
                    if !t.as_ref().bytes().all(|b| b.is_ascii_whitespace()) {
                        return Err(self.error(ReadErrorKind::LeadingText));
                    }
                }
                Event::GeneralRef(_) => return Err(self.error(ReadErrorKind::LeadingText)),
                Event::CData(c) => {
                    if self.stack.is_empty() {
                        return Err(self.error(ReadErrorKind::TrailingContent));
                    }
                    let content = c.into_inner();
                    let r = deliver_normalized(&mut self.text, content.as_bytes(), sink);
                    r.map_err(|k| self.error(k))?;
                    self.text.skip_lf = false;
                }
                Event::Comment(_) => {}
                Event::PI(p) => {
                    return Ok(Pull::Pi(p.target().to_owned(), p.content().to_owned()));
                }
                Event::DocType(_) => return Err(self.error(ReadErrorKind::DocType)),
                Event::Eof => {
                    return match self.stack.last() {
                        Some(f) => Err(self.error(ReadErrorKind::Truncated(f.local.clone()))),
                        None if !self.seen_root => Err(self.error(ReadErrorKind::Empty)),
                        None => Ok(Pull::Eof),
                    };
                }
            }
        }
    }

    fn open(
        &mut self,
        e: &quick_xml::events::BytesStart<'_>,
        ns: Result<Option<String>, String>,
        empty: bool,
    ) -> Result<Pull, ReadError> {
        if self.stack.is_empty() && self.seen_root {
            return Err(self.error(ReadErrorKind::TrailingContent));
        }
        let ns = ns.map_err(|p| {
            self.error(ReadErrorKind::Syntax(format!(
                "undeclared namespace prefix {p:?}"
            )))
        })?;
        self.seen_root = true;
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            let limit = self.limits.max_elements;
            return Err(self.error(ReadErrorKind::Limit {
                what: "the number of elements",
                limit,
            }));
        }
        if self.stack.len() >= self.limits.max_depth {
            let limit = self.limits.max_depth as u64;
            return Err(self.error(ReadErrorKind::Limit {
                what: "the nesting depth",
                limit,
            }));
        }
        let qname = e.name().as_ref().to_owned();
        let local = e.local_name().as_ref().to_owned();
        let mut attrs = Vec::new();
        // Iterating stops at the limit, which also bounds quick-xml's quadratic duplicate check.
        for attr in e.attributes() {
            if attrs.len() >= self.limits.max_attributes {
                let limit = self.limits.max_attributes as u64;
                let what = "the number of attributes on one element";
                return Err(self.error(ReadErrorKind::Limit { what, limit }));
            }
            let attr = attr.map_err(|err| self.error(ReadErrorKind::Syntax(err.to_string())))?;
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| self.map_xml_error(err))?;
            if let Some(c) = value.chars().find(|c| !is_xml_char(*c)) {
                return Err(self.error(ReadErrorKind::ForbiddenChar(c as u32)));
            }
            let key = attr.key.as_ref();
            // Namespace well-formedness: an attribute's prefix must be declared too.
            if let Some((prefix, _)) = key.split_once(':')
                && prefix != "xmlns"
                && prefix != "xml"
                && let (ResolveResult::Unknown(p), _) =
                    self.reader.resolver().resolve_attribute(attr.key)
            {
                let msg = format!("undeclared namespace prefix {p:?}");
                return Err(self.error(ReadErrorKind::Syntax(msg)));
            }
            attrs.push((key.to_owned(), value.into_owned()));
        }
        let index = match self.stack.last_mut() {
            Some(parent) => {
                let n = parent
                    .children
                    .get_or_insert_with(HashMap::new)
                    .entry(local.clone())
                    .or_insert(0);
                *n += 1;
                *n
            }
            None => 1,
        };
        self.stack.push(Frame {
            local: local.clone(),
            index,
            children: None,
        });
        self.pending_end = empty;
        Ok(Pull::Start(StartTag {
            qname,
            local,
            ns,
            attrs,
        }))
    }

    /// Reads text up to the next `<` directly from the input, in buffer-sized chunks.
    fn stream_text(&mut self, sink: &mut dyn TextSink) -> Result<(), ReadError> {
        let mut outside = OutsideRoot {
            after_root: self.seen_root,
        };
        let sink: &mut dyn TextSink = if self.stack.is_empty() {
            &mut outside
        } else {
            sink
        };
        loop {
            match text_step(self.reader.get_mut(), &mut self.text, sink) {
                Ok(true) => return Ok(()),
                Ok(false) => {}
                Err(StepError::Io(e)) => {
                    let kind = match self.reader.get_mut().hit.take() {
                        Some((what, limit)) => ReadErrorKind::Limit { what, limit },
                        None => ReadErrorKind::Io(e),
                    };
                    return Err(self.error(kind));
                }
                Err(StepError::Text(kind)) => return Err(self.error(kind)),
            }
        }
    }

    fn map_xml_error(&mut self, e: quick_xml::Error) -> ReadError {
        use quick_xml::Error as E;
        if let Some((what, limit)) = self.reader.get_mut().hit.take() {
            return self.error(ReadErrorKind::Limit { what, limit });
        }
        let kind = match e {
            E::Io(io) => ReadErrorKind::Io(io::Error::new(io.kind(), io.to_string())),
            E::Encoding(_) => ReadErrorKind::NotUtf8,
            E::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(_, name)) => {
                ReadErrorKind::UnknownEntity(name)
            }
            E::Syntax(s) => {
                let msg = s.to_string();
                if self.stack.is_empty() && !self.seen_root {
                    ReadErrorKind::Syntax(msg)
                } else if msg.contains("EOF") || msg.contains("end of") || msg.contains("closed") {
                    match self.stack.last() {
                        Some(f) => ReadErrorKind::Truncated(f.local.clone()),
                        None => ReadErrorKind::Syntax(msg),
                    }
                } else {
                    ReadErrorKind::Syntax(msg)
                }
            }
            other => ReadErrorKind::Syntax(other.to_string()),
        };
        self.error(kind)
    }
}

fn at(offset: u64, path: String, kind: ReadErrorKind) -> ReadError {
    ReadError { offset, path, kind }
}

/// `Ok(Some(uri))` when bound, `Ok(None)` when unbound, `Err(prefix)` for an undeclared prefix.
fn ns_uri(ns: &ResolveResult<'_>) -> Result<Option<String>, String> {
    match ns {
        ResolveResult::Bound(n) => Ok(Some(n.0.to_owned())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(p) => Err(p.clone()),
    }
}

enum StepError {
    Io(io::Error),
    Text(ReadErrorKind),
}

/// Streams one buffer of text; `Ok(true)` once the next `<` (or the end of input) is reached.
fn text_step<R: BufRead>(
    input: &mut Counted<R>,
    st: &mut TextState,
    sink: &mut dyn TextSink,
) -> Result<bool, StepError> {
    let avail = input.fill_buf().map_err(StepError::Io)?;
    if avail.is_empty() {
        return Ok(true);
    }
    let end = memchr::memchr(b'<', avail);
    let chunk = &avail[..end.unwrap_or(avail.len())];
    let n = chunk.len();
    let delivered = deliver_text(st, chunk, sink);
    input.consume(n);
    delivered.map_err(StepError::Text)?;
    if end.is_some() && st.in_ref {
        return Err(StepError::Text(bad_reference()));
    }
    Ok(end.is_some())
}

/// Text outside the root element: whitespace only.
struct OutsideRoot {
    after_root: bool,
}

impl TextSink for OutsideRoot {
    fn text(&mut self, chunk: &[u8]) -> Result<(), ReadErrorKind> {
        if chunk
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            return Ok(());
        }
        Err(if self.after_root {
            ReadErrorKind::TrailingContent
        } else {
            ReadErrorKind::LeadingText
        })
    }
}
