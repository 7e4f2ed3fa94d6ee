//! One streaming pass over a package for XMLDSig: the exclusive canonical form of the document is
//! hashed while the first `ds:Signature` is cut out (the enveloped-signature transform) and parsed,
//! its `SignedInfo` recorded and canonicalized on its own.

use std::io::{self, BufRead, Write};

use sha2::Digest;

use super::c14n::{C14nText, ExcC14n, NsScopes};
use super::error::ReadError;
use super::limits::Limits;
use super::signature::{DSIG_NS, ENVELOPED, EXC_C14N, RSA_SHA256, SHA256, VerifyError};
use super::text::Collect;
use super::xml::{Pull, StartTag, XmlPull};

/// Bytes kept of one text inside a signature (certificates are a few KiB).
const MAX_SIGNATURE_TEXT: usize = 64 * 1024;

/// What one pass over a package finds.
pub(super) struct Scan {
    /// SHA-256 of the exclusive canonical form, without the first XMLDSig signature.
    pub digest: [u8; 32],
    /// Offset of the `</…edXMLHeader>` end tag: where a new signature goes.
    pub header_end: Option<u64>,
    /// The first XMLDSig signature.
    pub signature: Option<ParsedSignature>,
    /// Whether a `Signature` outside the XMLDSig namespace was seen (the §6 placeholder).
    pub placeholder: bool,
}

/// The parts of a `ds:Signature` this verifier uses.
#[derive(Default)]
pub(super) struct ParsedSignature {
    pub c14n_method: String,
    pub c14n_prefixes: Vec<String>,
    pub signature_method: String,
    pub references: usize,
    pub reference_uri: Option<String>,
    pub transforms: Vec<String>,
    pub transform_prefixes: Vec<String>,
    pub digest_method: String,
    pub digest_value: String,
    pub signature_value: String,
    pub certificate: Option<String>,
    pub signed_info_c14n: Vec<u8>,
}

impl ParsedSignature {
    pub fn check_algorithms(&self) -> Result<(), VerifyError> {
        let unsupported = |s: String| Err(VerifyError::Unsupported(s));
        if self.c14n_method != EXC_C14N {
            return unsupported(format!("CanonicalizationMethod {:?}", self.c14n_method));
        }
        if self.signature_method != RSA_SHA256 {
            return unsupported(format!("SignatureMethod {:?}", self.signature_method));
        }
        if self.references != 1 || self.reference_uri.as_deref() != Some("") {
            return unsupported(
                "a signature must have exactly one Reference, with URI=\"\"".into(),
            );
        }
        if self.transforms != [ENVELOPED, EXC_C14N] {
            return unsupported(format!("Transforms {:?}", self.transforms));
        }
        if self.digest_method != SHA256 {
            return unsupported(format!("DigestMethod {:?}", self.digest_method));
        }
        if !self.transform_prefixes.is_empty() {
            return unsupported(
                "an InclusiveNamespaces PrefixList on the document transform".into(),
            );
        }
        Ok(())
    }
}

/// A recorded event of the `SignedInfo` subtree, replayed once its PrefixList is known.
enum Recorded {
    Start(StartTag),
    Text(Vec<u8>),
    End,
}

/// The `SignedInfo` subtree being recorded: bindings in scope around it, events, its depth.
struct SignedInfoRecording {
    bindings: Vec<(String, String)>,
    events: Vec<Recorded>,
    depth: usize,
}

/// The signature being parsed: its depth in the element path, fields, `SignedInfo` recording.
struct InSignature {
    depth: usize,
    parsed: ParsedSignature,
    signed_info: Option<SignedInfoRecording>,
}

/// One streaming pass: canonicalize and hash the document, minus the first XMLDSig signature,
/// which is parsed on the way (the enveloped-signature transform).
pub(super) fn scan<R: BufRead>(input: &mut R, limits: &Limits) -> Result<Scan, ReadError> {
    let mut p = XmlPull::new(input, limits)?;
    let mut scopes = NsScopes::default();
    let mut c14n = ExcC14n::new(Vec::new());
    let mut hasher = HashWriter(sha2::Sha256::new());
    let mut path: Vec<String> = Vec::new();
    let mut header_end = None;
    let mut placeholder = false;
    let mut sig: Option<InSignature> = None;
    let mut found: Option<ParsedSignature> = None;
    loop {
        let mut sig_text = Collect::new(MAX_SIGNATURE_TEXT);
        let event = if sig.is_some() {
            p.next(&mut sig_text)?
        } else {
            let mut text = C14nText::new(&mut hasher);
            let e = p.next(&mut text)?;
            text.finish().map_err(|k| p.error(k))?;
            e
        };
        let text = sig_text.finish().map_err(|k| p.error(k))?;
        if let Some(rec) = sig.as_mut().and_then(|s| s.signed_info.as_mut())
            && !text.is_empty()
        {
            rec.events.push(Recorded::Text(text.clone().into_bytes()));
        }
        match event {
            Pull::Start(tag) => {
                scopes.push(&tag);
                path.push(tag.local.clone());
                let is_dsig = tag.ns.as_deref() == Some(DSIG_NS);
                if let Some(s) = sig.as_mut() {
                    s.parsed.on_start(&path[s.depth - 1..], &tag);
                    if let Some(rec) = s.signed_info.as_mut() {
                        rec.events.push(Recorded::Start(tag));
                    } else if path.len() == s.depth + 1 && tag.local == "SignedInfo" {
                        let mut outer = scopes.clone();
                        outer.pop();
                        let bindings = outer.flatten();
                        let events = vec![Recorded::Start(tag)];
                        s.signed_info = Some(SignedInfoRecording {
                            bindings,
                            events,
                            depth: path.len(),
                        });
                    }
                } else if tag.local == "Signature" && is_dsig && found.is_none() {
                    sig = Some(InSignature {
                        depth: path.len(),
                        parsed: ParsedSignature::default(),
                        signed_info: None,
                    });
                } else {
                    placeholder |= tag.local == "Signature";
                    c14n.start(&tag, &scopes, &mut hasher)
                        .map_err(|e| p.error(e.into()))?;
                }
            }
            Pull::End => {
                let depth = path.len();
                if let Some(s) = sig.as_mut() {
                    s.parsed.on_end(&path[s.depth - 1..], text);
                    if let Some(rec) = s.signed_info.as_mut() {
                        rec.events.push(Recorded::End);
                        if depth == rec.depth {
                            let c = replay(&rec.bindings, &rec.events, &s.parsed.c14n_prefixes);
                            s.parsed.signed_info_c14n = c.map_err(|e| p.error(e.into()))?;
                            s.signed_info = None;
                        }
                    }
                    if depth == s.depth {
                        found = sig.take().map(|s| s.parsed);
                    }
                } else {
                    if path.last().is_some_and(|l| l == "edXMLHeader")
                        && header_end.is_none()
                        && !p.last_was_empty()
                    {
                        header_end = Some(p.markup_start());
                    }
                    c14n.end(&mut hasher).map_err(|e| p.error(e.into()))?;
                }
                path.pop();
                scopes.pop();
            }
            Pull::Pi(target, content) => {
                if sig.is_none() {
                    c14n.pi(&target, &content, p.depth(), &mut hasher)
                        .map_err(|e| p.error(e.into()))?;
                }
            }
            Pull::Eof => break,
        }
    }
    Ok(Scan {
        digest: hasher.0.finalize().into(),
        header_end,
        signature: found,
        placeholder,
    })
}

impl ParsedSignature {
    /// `rel` is the path from `Signature` to this element.
    fn on_start(&mut self, rel: &[String], tag: &StartTag) {
        let attr = |name: &str| {
            tag.attrs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let names: Vec<&str> = rel.iter().map(String::as_str).collect();
        match names.as_slice() {
            ["Signature", "SignedInfo", "CanonicalizationMethod"] => {
                self.c14n_method = attr("Algorithm").unwrap_or_default();
            }
            [
                "Signature",
                "SignedInfo",
                "CanonicalizationMethod",
                "InclusiveNamespaces",
            ] => {
                self.c14n_prefixes = prefix_list(attr("PrefixList"));
            }
            ["Signature", "SignedInfo", "SignatureMethod"] => {
                self.signature_method = attr("Algorithm").unwrap_or_default();
            }
            ["Signature", "SignedInfo", "Reference"] => {
                self.references += 1;
                if self.references == 1 {
                    self.reference_uri = attr("URI");
                }
            }
            [
                "Signature",
                "SignedInfo",
                "Reference",
                "Transforms",
                "Transform",
            ] if self.references == 1 => {
                self.transforms.push(attr("Algorithm").unwrap_or_default());
            }
            [
                "Signature",
                "SignedInfo",
                "Reference",
                "Transforms",
                "Transform",
                "InclusiveNamespaces",
            ] => {
                self.transform_prefixes = prefix_list(attr("PrefixList"));
            }
            ["Signature", "SignedInfo", "Reference", "DigestMethod"] if self.references == 1 => {
                self.digest_method = attr("Algorithm").unwrap_or_default();
            }
            _ => {}
        }
    }

    /// `rel` is the path from `Signature` to the element being closed.
    fn on_end(&mut self, rel: &[String], text: String) {
        let names: Vec<&str> = rel.iter().map(String::as_str).collect();
        match names.as_slice() {
            ["Signature", "SignedInfo", "Reference", "DigestValue"] if self.references == 1 => {
                self.digest_value = text;
            }
            ["Signature", "SignatureValue"] => self.signature_value = text,
            ["Signature", "KeyInfo", "X509Data", "X509Certificate"]
                if self.certificate.is_none() =>
            {
                self.certificate = Some(text);
            }
            _ => {}
        }
    }
}

fn prefix_list(v: Option<String>) -> Vec<String> {
    v.unwrap_or_default()
        .split_ascii_whitespace()
        .map(str::to_owned)
        .collect()
}

/// Canonicalizes the recorded `SignedInfo` subtree with the bindings in scope around it.
fn replay(
    bindings: &[(String, String)],
    events: &[Recorded],
    prefixes: &[String],
) -> io::Result<Vec<u8>> {
    let mut scopes = NsScopes::with_bindings(bindings.to_vec());
    let mut c = ExcC14n::new(prefixes.to_vec());
    let mut out = Vec::new();
    for e in events {
        match e {
            Recorded::Start(tag) => {
                scopes.push(tag);
                c.start(tag, &scopes, &mut out)?;
            }
            Recorded::Text(t) => super::c14n::escape_text(&mut out, t)?,
            Recorded::End => {
                c.end(&mut out)?;
                scopes.pop();
            }
        }
    }
    Ok(out)
}

/// Feeds canonical bytes straight into SHA-256.
struct HashWriter(sha2::Sha256);

impl Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
