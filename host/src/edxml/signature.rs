//! Enveloped XML signatures over a whole package (XMLDSig: exclusive C14N, RSA-SHA256, SHA-256).
//!
//! The `ds:Signature` goes inside `edXML:edXMLHeader`, where the samples keep their placeholder
//! `<Signature>` (§6). It signs the whole document (`Reference URI=""`) minus itself (the
//! enveloped-signature transform), canonicalized with exclusive C14N; `KeyInfo` carries the
//! signer's X.509 certificate. This is the profile `xmlsec1` produces from the matching template,
//! and the one the SOC system in §6 uses. Both passes stream, so attachments never sit in memory.
//!
//! The placeholder signatures of the VPCP samples are not in the XMLDSig namespace and carry a
//! dummy digest; [`verify`] says so instead of reporting a broken signature.

use std::io::{self, BufRead, Read, Seek, SeekFrom, Write};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::signature::{self as rsig, RsaKeyPair, UnparsedPublicKey};
use sha2::Digest;
use x509_cert::der::Decode;

use super::c14n::{C14nText, ExcC14n, NsScopes};
use super::error::ReadError;
use super::limits::Limits;
use super::xml::{Collect, Pull, StartTag, XmlPull};

const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const RSA_ENCRYPTION_OID: &str = "1.2.840.113549.1.1.1";

/// Bytes kept of one text inside a signature (certificates are a few KiB).
const MAX_SIGNATURE_TEXT: usize = 64 * 1024;

/// An RSA private key for signing (2048 bits or more).
pub struct SigningKey(RsaKeyPair);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SigningKey(RSA {} bits)",
            self.0.public().modulus_len() * 8
        )
    }
}

impl SigningKey {
    /// Loads a PEM key: PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`).
    pub fn from_pem(pem: &[u8]) -> Result<Self, SignError> {
        let (label, der) = x509_cert::der::pem::decode_vec(pem)
            .map_err(|e| SignError::Key(format!("not a PEM file ({e})")))?;
        let pair = match label {
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(&der),
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(&der),
            other => {
                return Err(SignError::Key(format!(
                    "a PEM {other:?} is not an RSA private key"
                )));
            }
        };
        pair.map(SigningKey)
            .map_err(|e| SignError::Key(format!("rejected RSA key: {e}")))
    }
}

/// An X.509 certificate: the signer's, or one to trust.
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    parsed: x509_cert::Certificate,
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Certificate({})", self.subject())
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Certificate {
    /// Parses a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, VerifyError> {
        let parsed = x509_cert::Certificate::from_der(der)
            .map_err(|e| VerifyError::Certificate(format!("not an X.509 certificate ({e})")))?;
        Ok(Certificate {
            der: der.to_vec(),
            parsed,
        })
    }

    /// Parses the first certificate of a PEM file.
    pub fn from_pem(pem: &[u8]) -> Result<Self, VerifyError> {
        let (label, der) = x509_cert::der::pem::decode_vec(pem)
            .map_err(|e| VerifyError::Certificate(format!("not a PEM file ({e})")))?;
        if label != "CERTIFICATE" {
            return Err(VerifyError::Certificate(format!(
                "a PEM {label:?} is not a certificate"
            )));
        }
        Self::from_der(&der)
    }

    /// The subject's distinguished name (RFC 4514), e.g. `CN=Văn thư,O=UBND Tỉnh Nghệ An,C=VN`.
    pub fn subject(&self) -> String {
        self.parsed.tbs_certificate().subject().to_string()
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    fn rsa_public_key(&self) -> Result<&[u8], VerifyError> {
        let spki = self.parsed.tbs_certificate().subject_public_key_info();
        if spki.algorithm.oid.to_string() != RSA_ENCRYPTION_OID {
            return Err(VerifyError::Certificate(
                "the certificate's key is not an RSA key".into(),
            ));
        }
        Ok(spki.subject_public_key.raw_bytes())
    }
}

/// A verified signature.
#[derive(Clone, Debug, PartialEq)]
pub struct Verified {
    /// The signer certificate's subject.
    pub subject: String,
    /// The signer certificate.
    pub certificate: Certificate,
    /// Whether the signer was checked against a certificate the caller trusts; when `false`,
    /// only integrity is proven (the certificate came from the package itself).
    pub pinned: bool,
}

/// Why a package could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The package could not be parsed.
    #[error("cannot parse the package: {0}")]
    Read(#[from] ReadError),
    /// Reading or writing failed.
    #[error("cannot copy the package: {0}")]
    Io(#[from] io::Error),
    /// The key could not be used.
    #[error("unusable signing key: {0}; provide an RSA key of 2048 bits or more in PEM")]
    Key(String),
    /// The certificate could not be used.
    #[error("unusable certificate: {0}")]
    Certificate(#[from] VerifyError),
    /// There is no `edXMLHeader` to hold the signature.
    #[error("the package has no edXML:edXMLHeader with content to hold the signature")]
    NoHeader,
    /// The package already carries an XMLDSig signature.
    #[error("the package already carries an XMLDSig signature; sign the unsigned package instead")]
    AlreadySigned,
    /// The RSA signing operation failed.
    #[error("RSA signing failed")]
    Crypto,
}

/// Why a signature did not verify.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The package could not be parsed.
    #[error("cannot parse the package: {0}")]
    Read(#[from] ReadError),
    /// Only a placeholder signature is present (§6).
    #[error(
        "placeholder signature, not in the XMLDSig namespace ({DSIG_NS}): the package carries the \
         dummy <Signature> of the VPCP samples (§6), so there is nothing to verify"
    )]
    Placeholder,
    /// No signature at all.
    #[error("the package carries no XMLDSig signature")]
    Unsigned,
    /// The signature uses something this verifier does not accept.
    #[error(
        "unsupported signature: {0}; truc verifies exclusive C14N, RSA-SHA256 and SHA-256 over URI=\"\""
    )]
    Unsupported(String),
    /// The signature element is incomplete or garbled.
    #[error("malformed signature: {0}")]
    Malformed(String),
    /// The document changed after signing.
    #[error("the package's digest does not match the signature: it was changed after signing")]
    DigestMismatch,
    /// The signature value does not match the signed information and key.
    #[error(
        "the signature value is not valid for the signer's key: the signature was altered or forged"
    )]
    BadSignature,
    /// The package names a signer other than the trusted certificate.
    #[error("the package was signed with another certificate ({0}) than the trusted one")]
    UntrustedSigner(String),
    /// A certificate is unusable.
    #[error("unusable certificate: {0}")]
    Certificate(String),
}

/// Signs the package in `input` (read twice, hence `Seek`) and writes the signed package to `out`.
pub fn sign<R: BufRead + Seek, W: Write>(
    mut input: R,
    mut out: W,
    key: &SigningKey,
    cert: &Certificate,
    limits: &Limits,
) -> Result<(), SignError> {
    let origin = input.stream_position()?;
    let scan = scan(&mut input, limits)?;
    if scan.signature.is_some() {
        return Err(SignError::AlreadySigned);
    }
    let insert_at = scan.header_end.ok_or(SignError::NoHeader)?;
    let digest = STANDARD.encode(scan.digest);
    let cert_b64 = STANDARD.encode(cert.der());
    let unsigned = signature_xml(&digest, "", &cert_b64);
    let signed_info = scan_snippet(&unsigned, limits)?;
    let rng = ring::rand::SystemRandom::new();
    let mut sig = vec![0u8; key.0.public().modulus_len()];
    key.0
        .sign(&rsig::RSA_PKCS1_SHA256, &rng, &signed_info, &mut sig)
        .map_err(|_| SignError::Crypto)?;
    let signed = signature_xml(&digest, &STANDARD.encode(&sig), &cert_b64);
    input.seek(SeekFrom::Start(origin))?;
    // No whitespace is added outside ds:Signature: the digest covers everything else.
    io::copy(&mut (&mut input).take(insert_at), &mut out)?;
    out.write_all(signed.as_bytes())?;
    io::copy(&mut input, &mut out)?;
    out.flush()?;
    Ok(())
}

/// Signs a package held in memory; see [`sign`].
pub fn sign_bytes(
    input: &[u8],
    key: &SigningKey,
    cert: &Certificate,
    limits: &Limits,
) -> Result<Vec<u8>, SignError> {
    let mut out = Vec::with_capacity(input.len() + 4096);
    sign(io::Cursor::new(input), &mut out, key, cert, limits)?;
    Ok(out)
}

/// Verifies the package's XMLDSig signature; with `trusted`, also that it is that signer's.
pub fn verify<R: BufRead>(
    mut input: R,
    trusted: Option<&Certificate>,
    limits: &Limits,
) -> Result<Verified, VerifyError> {
    let scan = scan(&mut input, limits)?;
    let Some(sig) = scan.signature else {
        return Err(if scan.placeholder {
            VerifyError::Placeholder
        } else {
            VerifyError::Unsigned
        });
    };
    sig.check_algorithms()?;
    let expected = decode_b64(&sig.digest_value, "DigestValue")?;
    if expected.as_slice() != scan.digest.as_slice() {
        return Err(VerifyError::DigestMismatch);
    }
    let embedded = match &sig.certificate {
        Some(b64) => Some(Certificate::from_der(&decode_b64(b64, "X509Certificate")?)?),
        None => None,
    };
    let signer = match (trusted, embedded) {
        (Some(t), Some(e)) if *t != e => return Err(VerifyError::UntrustedSigner(e.subject())),
        (Some(t), _) => t.clone(),
        (None, Some(e)) => e,
        (None, None) => {
            let msg = "KeyInfo carries no X509Certificate; pass the signer's certificate".into();
            return Err(VerifyError::Malformed(msg));
        }
    };
    let value = decode_b64(&sig.signature_value, "SignatureValue")?;
    UnparsedPublicKey::new(&rsig::RSA_PKCS1_2048_8192_SHA256, signer.rsa_public_key()?)
        .verify(&sig.signed_info_c14n, &value)
        .map_err(|_| VerifyError::BadSignature)?;
    Ok(Verified {
        subject: signer.subject(),
        certificate: signer,
        pinned: trusted.is_some(),
    })
}

/// Verifies a package held in memory; see [`verify`].
pub fn verify_bytes(
    input: &[u8],
    trusted: Option<&Certificate>,
    limits: &Limits,
) -> Result<Verified, VerifyError> {
    verify(input, trusted, limits)
}

fn decode_b64(text: &str, what: &str) -> Result<Vec<u8>, VerifyError> {
    let clean: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD
        .decode(clean)
        .map_err(|e| VerifyError::Malformed(format!("{what} is not base64 ({e})")))
}

/// The `ds:Signature` element, with line breaks like xmlsec1's output.
fn signature_xml(digest: &str, value: &str, cert: &str) -> String {
    format!(
        "<ds:Signature xmlns:ds=\"{DSIG_NS}\">\n\
         <ds:SignedInfo>\n\
         <ds:CanonicalizationMethod Algorithm=\"{EXC_C14N}\"/>\n\
         <ds:SignatureMethod Algorithm=\"{RSA_SHA256}\"/>\n\
         <ds:Reference URI=\"\">\n\
         <ds:Transforms>\n\
         <ds:Transform Algorithm=\"{ENVELOPED}\"/>\n\
         <ds:Transform Algorithm=\"{EXC_C14N}\"/>\n\
         </ds:Transforms>\n\
         <ds:DigestMethod Algorithm=\"{SHA256}\"/>\n\
         <ds:DigestValue>{digest}</ds:DigestValue>\n\
         </ds:Reference>\n\
         </ds:SignedInfo>\n\
         <ds:SignatureValue>{value}</ds:SignatureValue>\n\
         <ds:KeyInfo>\n\
         <ds:X509Data>\n\
         <ds:X509Certificate>{cert}</ds:X509Certificate>\n\
         </ds:X509Data>\n\
         </ds:KeyInfo>\n\
         </ds:Signature>"
    )
}

/// The canonical `SignedInfo` of a generated signature element.
fn scan_snippet(xml: &str, limits: &Limits) -> Result<Vec<u8>, SignError> {
    let scan = scan(&mut xml.as_bytes(), limits)?;
    match scan.signature {
        Some(sig) => Ok(sig.signed_info_c14n),
        None => Err(SignError::Crypto),
    }
}

/// What one pass over a package finds.
struct Scan {
    /// SHA-256 of the exclusive canonical form, without the first XMLDSig signature.
    digest: [u8; 32],
    /// Offset of the `</…edXMLHeader>` end tag: where a new signature goes.
    header_end: Option<u64>,
    /// The first XMLDSig signature.
    signature: Option<ParsedSignature>,
    /// Whether a `Signature` outside the XMLDSig namespace was seen (the §6 placeholder).
    placeholder: bool,
}

/// The parts of a `ds:Signature` this verifier uses.
#[derive(Default)]
struct ParsedSignature {
    c14n_method: String,
    c14n_prefixes: Vec<String>,
    signature_method: String,
    references: usize,
    reference_uri: Option<String>,
    transforms: Vec<String>,
    transform_prefixes: Vec<String>,
    digest_method: String,
    digest_value: String,
    signature_value: String,
    certificate: Option<String>,
    signed_info_c14n: Vec<u8>,
}

impl ParsedSignature {
    fn check_algorithms(&self) -> Result<(), VerifyError> {
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
fn scan<R: BufRead>(input: &mut R, limits: &Limits) -> Result<Scan, ReadError> {
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
        if let Some(rec) = sig.as_mut().and_then(|s| s.signed_info.as_mut()) {
            if !text.is_empty() {
                rec.events.push(Recorded::Text(text.clone().into_bytes()));
            }
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
