//! The GOITIN format's XML, as a small element tree over Unicode text.
//!
//! The legacy system writes XML whose bytes are TCVN3; markup is ASCII, so the whole document
//! is decoded to Unicode first and parsed here. Documents are small (attachments are base64
//! text inside `TEP`), and the adapter's memory cap bounds them.

use quick_xml::Reader;
use quick_xml::events::Event;

/// An element: name, attributes in document order, child elements and its own text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Element {
    /// Tag name.
    pub name: String,
    /// Attributes, unescaped.
    pub attrs: Vec<(String, String)>,
    /// Child elements.
    pub children: Vec<Element>,
    /// Text directly inside the element, unescaped.
    pub text: String,
}

impl Element {
    /// An element with a name and nothing else.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            ..Self::default()
        }
    }

    /// The value of attribute `name`, or `""`.
    pub fn attr(&self, name: &str) -> &str {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of child `name`, or `""`.
    pub fn child_text(&self, name: &str) -> &str {
        self.child(name).map_or("", |c| c.text.as_str())
    }

    /// Adds an attribute (builder style).
    pub fn with_attr(mut self, name: &str, value: impl Into<String>) -> Self {
        self.attrs.push((name.to_owned(), value.into()));
        self
    }

    /// Sets the text (builder style).
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = text.into();
        self
    }

    /// Adds a child (builder style).
    pub fn with_child(mut self, child: Element) -> Self {
        self.children.push(child);
        self
    }
}

/// Why text is not GOITIN XML.
#[derive(Debug, PartialEq, Eq)]
pub struct XmlError {
    /// What is wrong.
    pub message: String,
    /// Character position in the decoded text.
    pub position: u64,
}

/// Nesting beyond this is refused (GOITIN nests four deep).
const MAX_DEPTH: usize = 32;

/// Parses a document and returns its root element. DOCTYPE declarations are refused.
pub fn parse(text: &str) -> Result<Element, XmlError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let err = |reader: &Reader<&[u8]>, message: String| XmlError {
        message,
        position: reader.buffer_position(),
    };
    loop {
        let event = reader
            .read_event()
            .map_err(|e| err(&reader, format!("not well-formed XML: {e}")))?;
        let is_empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(s) | Event::Empty(s) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(err(
                        &reader,
                        format!("elements nest deeper than {MAX_DEPTH}"),
                    ));
                }
                let qname = s.name();
                let mut el = Element::new(qname.as_ref());
                for a in s.attributes() {
                    let a = a.map_err(|e| err(&reader, format!("bad attribute: {e}")))?;
                    let value = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| err(&reader, format!("bad attribute value: {e}")))?;
                    el.attrs
                        .push((AsRef::<str>::as_ref(&a.key).to_owned(), value.into_owned()));
                }
                if is_empty {
                    if stack.is_empty() {
                        return Ok(el);
                    }
                    attach(&mut stack, el, &reader)?;
                } else {
                    stack.push(el);
                }
            }
            Event::End(_) => {
                let mut el = stack
                    .pop()
                    .ok_or_else(|| err(&reader, "closing tag without an opening one".into()))?;
                // Indentation between child elements is not content.
                if !el.children.is_empty() && el.text.trim().is_empty() {
                    el.text.clear();
                }
                if stack.is_empty() {
                    return Ok(el);
                }
                attach(&mut stack, el, &reader)?;
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text
                        .push_str(&t.xml_content(quick_xml::XmlVersion::Implicit1_0));
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => match &*r.xml_content(quick_xml::XmlVersion::Implicit1_0) {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err(err(&reader, format!("unknown entity `&{other};`"))),
                    },
                    Err(e) => return Err(err(&reader, format!("bad character reference: {e}"))),
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push(c);
                }
            }
            Event::DocType(_) => {
                return Err(err(&reader, "DOCTYPE declarations are not accepted".into()));
            }
            Event::Eof => {
                return Err(err(
                    &reader,
                    "the document ends before its root element is closed".into(),
                ));
            }
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
        }
    }
}

fn attach(stack: &mut [Element], el: Element, reader: &Reader<&[u8]>) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(el);
            Ok(())
        }
        None => Err(XmlError {
            message: "the document has no root element".into(),
            position: reader.buffer_position(),
        }),
    }
}

fn escape(s: &str, out: &mut String, attr: bool) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' if attr => out.push_str("&quot;"),
            '\n' if attr => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

/// Writes `root` as a document (declaration, two-space indentation, one element per line).
pub fn write(root: &Element) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"TCVN3\"?>\n");
    write_element(root, 0, &mut out);
    out
}

fn write_element(el: &Element, depth: usize, out: &mut String) {
    for _ in 0..depth {
        out.push_str("  ");
    }
    out.push('<');
    out.push_str(&el.name);
    for (k, v) in &el.attrs {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        escape(v, out, true);
        out.push('"');
    }
    if el.children.is_empty() && el.text.is_empty() {
        out.push_str("/>\n");
        return;
    }
    out.push('>');
    escape(&el.text, out, false);
    if !el.children.is_empty() {
        out.push('\n');
        for c in &el.children {
            write_element(c, depth + 1, out);
        }
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
    out.push_str("</");
    out.push_str(&el.name);
    out.push_str(">\n");
}
