//! Exclusive XML Canonicalization 1.0 without comments (`http://www.w3.org/2001/10/xml-exc-c14n#`).
//!
//! Streaming, over the events of the hardened parser ([`XmlPull`]): text is escaped chunk by
//! chunk, so a package with a 200 MiB attachment is digested in bounded memory. The rules, from
//! the W3C recommendations (C14N 1.0 §2.3, Exclusive C14N §3):
//! - no XML declaration, no DOCTYPE, no comments; empty elements become start/end pairs;
//! - a namespace declaration is output on an element only where its prefix is visibly used (by
//!   the element or one of its attributes) and no output ancestor already declared it with the
//!   same URI; prefixes of an `InclusiveNamespaces` list follow the inclusive rule instead;
//! - namespace declarations sorted by prefix (default first), then attributes sorted by
//!   namespace URI and local name (unqualified first);
//! - text escapes `& < >` and CR; attribute values escape `& < "` TAB LF CR;
//! - processing instructions outside the root element sit on lines of their own.

use std::io::{BufRead, Write};

use super::error::{ReadError, ReadErrorKind};
use super::limits::Limits;
use super::text::{TextSink, Utf8Check};
use super::xml::{Pull, StartTag, XmlPull};

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Writes the exclusive canonical form of a whole document (no comments) to `out`.
pub fn canonicalize<R: BufRead, W: Write>(
    input: R,
    mut out: W,
    limits: &Limits,
) -> Result<(), ReadError> {
    let mut p = XmlPull::new(input, limits)?;
    let mut scopes = NsScopes::default();
    let mut c = ExcC14n::new(Vec::new());
    loop {
        let mut text = C14nText::new(&mut out);
        let ev = p.next(&mut text)?;
        text.finish().map_err(|k| p.error(k))?;
        let r = match &ev {
            Pull::Start(tag) => {
                scopes.push(tag);
                c.start(tag, &scopes, &mut out)
            }
            Pull::End => {
                let r = c.end(&mut out);
                scopes.pop();
                r
            }
            Pull::Pi(target, content) => c.pi(target, content, p.depth(), &mut out),
            Pull::Eof => return Ok(()),
        };
        r.map_err(|e| p.error(ReadErrorKind::Io(e)))?;
    }
}

/// The namespace declarations of the open input elements: what is in scope where.
#[derive(Default, Clone, Debug)]
pub(crate) struct NsScopes {
    frames: Vec<Vec<(String, String)>>,
}

impl NsScopes {
    /// A scope stack whose outermost frame holds `bindings` (inherited from outside a subtree).
    pub fn with_bindings(bindings: Vec<(String, String)>) -> Self {
        NsScopes {
            frames: vec![bindings],
        }
    }

    /// Enters an element, recording the namespaces it declares.
    pub fn push(&mut self, tag: &StartTag) {
        let decls = tag
            .attrs
            .iter()
            .filter_map(|(name, value)| match name.as_str() {
                "xmlns" => Some((String::new(), value.clone())),
                n => n
                    .strip_prefix("xmlns:")
                    .map(|p| (p.to_owned(), value.clone())),
            })
            .collect();
        self.frames.push(decls);
    }

    /// Leaves an element.
    pub fn pop(&mut self) {
        self.frames.pop();
    }

    /// The URI bound to `prefix` (`""` for the default namespace), if any.
    pub fn lookup(&self, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some(XML_NS);
        }
        self.frames
            .iter()
            .rev()
            .flat_map(|f| f.iter().rev())
            .find(|(p, _)| p == prefix)
            .map(|(_, uri)| uri.as_str())
    }

    /// Every binding in scope, innermost first wins (for replaying a subtree later).
    pub fn flatten(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for (p, uri) in self.frames.iter().flatten() {
            out.retain(|(q, _)| q != p);
            out.push((p.clone(), uri.clone()));
        }
        out
    }
}

/// The canonicalizer's state: what each open output element rendered.
pub(crate) struct ExcC14n {
    rendered: Vec<Vec<(String, String)>>,
    names: Vec<String>,
    /// `InclusiveNamespaces PrefixList` entries (`#default` for the default namespace).
    inclusive: Vec<String>,
    /// Whether the root element has been opened and closed (for PI placement).
    seen_root: bool,
}

impl ExcC14n {
    /// A canonicalizer for a document or subtree; `inclusive` is the PrefixList, if any.
    pub fn new(inclusive: Vec<String>) -> Self {
        ExcC14n {
            rendered: Vec::new(),
            names: Vec::new(),
            inclusive,
            seen_root: false,
        }
    }

    fn rendered_uri(&self, prefix: &str) -> Option<&str> {
        self.rendered
            .iter()
            .rev()
            .flat_map(|f| f.iter())
            .find(|(p, _)| p == prefix)
            .map(|(_, u)| u.as_str())
    }

    /// Writes a start tag; `scopes` must already include the element's own declarations.
    pub fn start(
        &mut self,
        tag: &StartTag,
        scopes: &NsScopes,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        let elem_prefix = prefix_of(&tag.qname);
        let mut utilized: Vec<&str> = vec![elem_prefix];
        let mut attrs: Vec<(&str, &str, &str, &str)> = Vec::new(); // (ns uri, local, qname, value)
        for (name, value) in &tag.attrs {
            if name == "xmlns" || name.starts_with("xmlns:") {
                continue;
            }
            let (prefix, local) = match name.split_once(':') {
                Some((p, l)) => (p, l),
                None => ("", name.as_str()),
            };
            let uri = if prefix.is_empty() {
                ""
            } else {
                scopes.lookup(prefix).unwrap_or("")
            };
            if !prefix.is_empty() {
                utilized.push(prefix);
            }
            attrs.push((uri, local, name, value));
        }
        let mut decls: Vec<(String, String)> = Vec::new();
        let consider = |prefix: &str, decls: &mut Vec<(String, String)>| {
            if prefix == "xml" || decls.iter().any(|(p, _)| p == prefix) {
                return;
            }
            let uri = scopes.lookup(prefix).unwrap_or("");
            let shown = self.rendered_uri(prefix);
            let needed = if prefix.is_empty() {
                // xmlns="" only undoes a default namespace an output ancestor rendered.
                shown.unwrap_or("") != uri
            } else {
                !uri.is_empty() && shown != Some(uri)
            };
            if needed {
                decls.push((prefix.to_owned(), uri.to_owned()));
            }
        };
        for p in &utilized {
            consider(p, &mut decls);
        }
        for p in &self.inclusive {
            let prefix = if p == "#default" { "" } else { p.as_str() };
            if prefix.is_empty() || scopes.lookup(prefix).is_some() {
                consider(prefix, &mut decls);
            }
        }
        decls.sort();
        attrs.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        write!(out, "<{}", tag.qname)?;
        for (p, uri) in &decls {
            if p.is_empty() {
                out.write_all(b" xmlns=\"")?;
            } else {
                write!(out, " xmlns:{p}=\"")?;
            }
            escape_attr(out, uri)?;
            out.write_all(b"\"")?;
        }
        for (_, _, qname, value) in &attrs {
            write!(out, " {qname}=\"")?;
            escape_attr(out, value)?;
            out.write_all(b"\"")?;
        }
        out.write_all(b">")?;
        self.rendered.push(decls);
        self.names.push(tag.qname.clone());
        self.seen_root = true;
        Ok(())
    }

    /// Writes the end tag of the innermost open element.
    pub fn end(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        self.rendered.pop();
        if let Some(name) = self.names.pop() {
            write!(out, "</{name}>")?;
        }
        Ok(())
    }

    /// Writes a processing instruction; `depth` is the parser's depth (0 = outside the root).
    pub fn pi(
        &mut self,
        target: &str,
        content: &str,
        depth: usize,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        let after_root = depth == 0 && self.seen_root;
        if after_root {
            out.write_all(b"\n")?;
        }
        let content = content.trim_start_matches([' ', '\t', '\n', '\r']);
        if content.is_empty() {
            write!(out, "<?{target}?>")?;
        } else {
            write!(out, "<?{target} {content}?>")?;
        }
        if depth == 0 && !self.seen_root {
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}

fn prefix_of(qname: &str) -> &str {
    qname.split_once(':').map(|(p, _)| p).unwrap_or("")
}

/// Escapes an attribute value per C14N: `&amp; &lt; &quot; &#x9; &#xA; &#xD;`.
fn escape_attr(out: &mut dyn Write, s: &str) -> std::io::Result<()> {
    escape(out, s.as_bytes(), |b| match b {
        b'&' => Some(b"&amp;"),
        b'<' => Some(b"&lt;"),
        b'"' => Some(b"&quot;"),
        b'\t' => Some(b"&#x9;"),
        b'\n' => Some(b"&#xA;"),
        b'\r' => Some(b"&#xD;"),
        _ => None,
    })
}

/// Escapes text per C14N: `&amp; &lt; &gt; &#xD;`.
pub(crate) fn escape_text(out: &mut dyn Write, s: &[u8]) -> std::io::Result<()> {
    escape(out, s, |b| match b {
        b'&' => Some(b"&amp;"),
        b'<' => Some(b"&lt;"),
        b'>' => Some(b"&gt;"),
        b'\r' => Some(b"&#xD;"),
        _ => None,
    })
}

fn escape(
    out: &mut dyn Write,
    s: &[u8],
    rep: impl Fn(u8) -> Option<&'static [u8]>,
) -> std::io::Result<()> {
    let mut start = 0;
    for (i, &b) in s.iter().enumerate() {
        if let Some(r) = rep(b) {
            out.write_all(&s[start..i])?;
            out.write_all(r)?;
            start = i + 1;
        }
    }
    out.write_all(&s[start..])
}

/// A text sink that writes canonical text (UTF-8 checked) to an output.
pub(crate) struct C14nText<'a> {
    out: &'a mut dyn Write,
    utf8: Utf8Check,
}

impl<'a> C14nText<'a> {
    /// Writes into `out`.
    pub fn new(out: &'a mut dyn Write) -> Self {
        C14nText {
            out,
            utf8: Utf8Check::default(),
        }
    }

    /// Fails if the text ended inside a UTF-8 sequence.
    pub fn finish(self) -> Result<(), ReadErrorKind> {
        self.utf8.finish()
    }
}

impl TextSink for C14nText<'_> {
    fn text(&mut self, chunk: &[u8]) -> Result<(), ReadErrorKind> {
        let out = &mut *self.out;
        self.utf8.feed(chunk, |s| {
            escape_text(out, s.as_bytes()).map_err(ReadErrorKind::Io)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c14n(xml: &str) -> String {
        let mut out = Vec::new();
        canonicalize(xml.as_bytes(), &mut out, &Limits::default()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn empty_elements_attributes_and_text_are_canonical() {
        let got = c14n(
            "<?xml version=\"1.0\"?>\r\n<a  b='2' a=\"1&amp;&lt;&#9;\"><e/>x &gt; y\r\n<![CDATA[<&>]]><!-- c --></a>\n",
        );
        assert_eq!(
            got,
            "<a a=\"1&amp;&lt;&#x9;\" b=\"2\"><e></e>x &gt; y\n&lt;&amp;&gt;</a>"
        );
    }

    #[test]
    fn only_visibly_used_namespaces_are_rendered_once() {
        let got = c14n(concat!(
            "<r xmlns=\"urn:d\" xmlns:p=\"urn:p\" xmlns:unused=\"urn:u\">",
            "<p:e xmlns:p=\"urn:p\"><p:f q:x=\"1\" xmlns:q=\"urn:q\" y=\"2\"/></p:e>",
            "<g xmlns=\"\"/></r>"
        ));
        assert_eq!(
            got,
            concat!(
                "<r xmlns=\"urn:d\"><p:e xmlns:p=\"urn:p\"><p:f xmlns:q=\"urn:q\" y=\"2\" q:x=\"1\"></p:f></p:e>",
                "<g xmlns=\"\"></g></r>"
            )
        );
    }

    #[test]
    fn attributes_sort_by_namespace_uri_then_local_name() {
        let got = c14n("<e xmlns:b=\"urn:a\" xmlns:a=\"urn:b\" a:x=\"1\" b:y=\"2\" z=\"3\"/>");
        assert_eq!(
            got,
            "<e xmlns:a=\"urn:b\" xmlns:b=\"urn:a\" z=\"3\" b:y=\"2\" a:x=\"1\"></e>"
        );
    }

    #[test]
    fn processing_instructions_outside_the_root_get_their_own_lines() {
        let got = c14n("<?p1 x?><r><?p2  y?></r><?p3?>");
        assert_eq!(got, "<?p1 x?>\n<r><?p2 y?></r>\n<?p3?>");
    }
}
