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
use x509_cert::der::Decode;

use super::error::ReadError;
use super::limits::Limits;
use super::signature_scan::scan;

pub(super) const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub(super) const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
pub(super) const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
pub(super) const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
pub(super) const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const RSA_ENCRYPTION_OID: &str = "1.2.840.113549.1.1.1";

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
