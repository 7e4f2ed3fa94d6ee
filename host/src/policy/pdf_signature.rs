//! Signed, not scanned: does a PDF carry an embedded digital signature (PAdES / CMS, §6)?
//!
//! A signed PDF has a signature dictionary (`/Type /Sig`, `/Filter`, `/SubFilter
//! /adbe.pkcs7.detached` or `/ETSI.CAdES.detached`) whose `/ByteRange [a b c d]` covers the
//! whole revision except one gap, and that gap is exactly the `/Contents <hex>` string holding
//! the CMS SignedData. Because the signed bytes must exclude it, that hex string is always
//! written literally in the file, never inside a compressed object stream — so a scanner that
//! follows `/ByteRange` finds every signature without a full PDF parser (decision 0024). The
//! CMS blob is parsed with RustCrypto's `cms`; the certificate with `x509-cert`.
//!
//! What is checked: the dictionary, the CMS structure, and — when the signer signed a SHA-256
//! `messageDigest` — that the covered bytes still hash to it (the file was not altered after
//! signing). The signer's certificate chain is not verified: that needs the Government CA's
//! trust anchors and revocation endpoints (reference §13 item 7).

use std::io::{self, Read, Seek, SeekFrom};

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use serde::Serialize;
use sha2::{Digest, Sha256};
use x509_cert::der::asn1::{ObjectIdentifier, OctetString};
use x509_cert::der::{Decode, Encode, SliceReader};

/// `id-signedData` (RFC 5652 §5.1).
const SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// `id-messageDigest` (RFC 5652 §11.2).
const MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// `id-signingTime` (RFC 5652 §11.3).
const SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
/// `id-sha256`.
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// The sub-filters of signatures (not of document time stamps) this check accepts.
pub const SUB_FILTERS: [&str; 2] = ["adbe.pkcs7.detached", "ETSI.CAdES.detached"];

/// Most signatures looked at in one file: a hostile file cannot make the scan quadratic.
const MAX_SIGNATURES: usize = 32;
/// Largest `/Contents` gap read (a CMS blob with a certificate chain and time stamps is
/// typically 8–40 KiB).
const MAX_CONTENTS: u64 = 1 << 20;
/// How far around the gap the signature dictionary's other keys are looked for.
const DICT_WINDOW: u64 = 16 << 10;

/// One signature found in a PDF.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PdfSignature {
    /// `/SubFilter` of its dictionary.
    pub sub_filter: String,
    /// Subject of the signer's certificate, when the CMS blob carries it.
    pub signer: Option<String>,
    /// CMS `signingTime`, else the dictionary's `/M`.
    pub signing_time: Option<String>,
    /// Whether the covered bytes still hash to the signed `messageDigest`; `None` when that
    /// cannot be told (no signed attributes, or a digest other than SHA-256).
    pub intact: Option<bool>,
}

/// What the scan found in one PDF.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PdfScan {
    /// Signatures whose dictionary and CMS blob are readable.
    pub signatures: Vec<PdfSignature>,
    /// Signature-like dictionaries that were skipped, and why (for the operator's log).
    pub skipped: Vec<String>,
}

impl PdfScan {
    /// Whether the PDF carries at least one readable signature that was not altered after
    /// signing.
    pub fn is_signed(&self) -> bool {
        self.signatures.iter().any(|s| s.intact != Some(false))
    }
}

/// Whether an attachment is a PDF, by its type, its name or its first bytes.
pub fn looks_like_pdf(content_type: &str, name: &str, head: &[u8]) -> bool {
    content_type.eq_ignore_ascii_case("application/pdf")
        || name.to_ascii_lowercase().ends_with(".pdf")
        || head.starts_with(b"%PDF-")
}

/// Scans a PDF for embedded signatures. Malformed input yields an empty scan with the reasons
/// in `skipped`, never an error; only I/O on the file fails.
pub fn scan<F: Read + Seek>(file: &mut F) -> io::Result<PdfScan> {
    let size = file.seek(SeekFrom::End(0))?;
    let mut out = PdfScan::default();
    for at in find_all(file, b"/ByteRange", MAX_SIGNATURES)? {
        match signature_at(file, at, size)? {
            Ok(sig) => out.signatures.push(sig),
            Err(why) => out.skipped.push(format!("byte {at}: {why}")),
        }
    }
    Ok(out)
}

/// Offsets of up to `max` occurrences of `needle`, reading the file in 1 MiB chunks.
fn find_all<F: Read + Seek>(file: &mut F, needle: &[u8], max: usize) -> io::Result<Vec<u64>> {
    const CHUNK: u64 = 1 << 20;
    // A buffer no bigger than the file: most attachments are far smaller than a chunk.
    let size = file.seek(SeekFrom::End(0))?;
    file.seek(SeekFrom::Start(0))?;
    let mut found = Vec::new();
    let mut buf = vec![0u8; size.min(CHUNK) as usize + needle.len()];
    let mut carried = 0usize; // bytes kept from the previous chunk
    let mut base = 0u64; // file offset of buf[0]
    loop {
        let n = read_up_to(file, &mut buf[carried..])?;
        let filled = carried + n;
        for i in memchr::memmem::find_iter(&buf[..filled], needle) {
            found.push(base + i as u64);
            if found.len() == max {
                return Ok(found);
            }
        }
        if n == 0 {
            return Ok(found);
        }
        // Keep the tail that could begin a match split across chunks.
        let keep = (needle.len() - 1).min(filled);
        buf.copy_within(filled - keep..filled, 0);
        base += (filled - keep) as u64;
        carried = keep;
    }
}

fn read_up_to<F: Read>(file: &mut F, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

fn read_range<F: Read + Seek>(file: &mut F, from: u64, len: u64) -> io::Result<Vec<u8>> {
    file.seek(SeekFrom::Start(from))?;
    let mut v = Vec::new();
    file.take(len).read_to_end(&mut v)?;
    Ok(v)
}

/// Reads the signature whose `/ByteRange` token is at `at`. The outer error is I/O; the inner
/// one says why this dictionary is not a readable signature.
fn signature_at<F: Read + Seek>(
    file: &mut F,
    at: u64,
    size: u64,
) -> io::Result<Result<PdfSignature, String>> {
    let head = read_range(file, at, 256)?;
    let Some(range) = parse_byte_range(&head) else {
        return Ok(Err("/ByteRange is not an array of four numbers".into()));
    };
    let [a, b, c, d] = range;
    let gap_start = a.saturating_add(b);
    if a != 0 || c <= gap_start || c.saturating_add(d) > size || c - gap_start > MAX_CONTENTS {
        return Ok(Err(format!(
            "/ByteRange [{a} {b} {c} {d}] does not cover a {size}-byte file around one gap"
        )));
    }
    let gap = read_range(file, gap_start, c - gap_start)?;
    let hex_digits = match (gap.first(), gap.last()) {
        (Some(b'<'), Some(b'>')) => &gap[1..gap.len() - 1],
        _ => {
            return Ok(Err(
                "the /ByteRange gap is not a <hex> /Contents string".into()
            ));
        }
    };
    let Some(blob) = decode_hex(hex_digits) else {
        return Ok(Err("/Contents is not hexadecimal".into()));
    };

    // The rest of the dictionary: from this object's `obj` keyword to its `endobj`.
    let before_from = gap_start.saturating_sub(DICT_WINDOW);
    let before = read_range(file, before_from, gap_start - before_from)?;
    let before = match memchr::memmem::rfind(&before, b"obj") {
        Some(i) => &before[i..],
        None => &before[..],
    };
    let after = read_range(file, c, DICT_WINDOW)?;
    let after = match memchr::memmem::find(&after, b"endobj") {
        Some(i) => &after[..i],
        None => &after[..],
    };
    let dict = [before, after].concat();
    let sub_filter = match name_after(&dict, b"/SubFilter") {
        Some(s) if SUB_FILTERS.contains(&s.as_str()) => s,
        Some(s) => return Ok(Err(format!("/SubFilter /{s} is not a CMS signature"))),
        None => return Ok(Err("the dictionary has no /SubFilter".into())),
    };
    if let Some(t) = name_after(&dict, b"/Type")
        && t != "Sig"
    {
        return Ok(Err(format!("/Type /{t} is not /Sig")));
    }
    let dict_time = string_after(&dict, b"/M");

    let cms = match read_cms(&blob) {
        Ok(c) => c,
        Err(why) => return Ok(Err(why)),
    };
    let intact = match &cms.message_digest {
        Some(expected) if cms.sha256 => {
            let mut h = Sha256::new();
            for (from, len) in [(a, b), (c, d)] {
                file.seek(SeekFrom::Start(from))?;
                io::copy(&mut (&mut *file).take(len), &mut HashWriter(&mut h))?;
            }
            Some(h.finalize().as_slice() == expected.as_slice())
        }
        _ => None,
    };
    Ok(Ok(PdfSignature {
        sub_filter,
        signer: cms.signer,
        signing_time: cms.signing_time.or(dict_time),
        intact,
    }))
}

struct HashWriter<'a>(&'a mut Sha256);

impl io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `[a b c d]` right after the `/ByteRange` token.
fn parse_byte_range(head: &[u8]) -> Option<[u64; 4]> {
    let text = std::str::from_utf8(head.get(b"/ByteRange".len()..)?)
        .ok()
        .or_else(|| {
            // Keep the ASCII prefix of a chunk that ends inside a multi-byte sequence.
            let rest = &head[b"/ByteRange".len()..];
            let valid = rest
                .iter()
                .position(|b| !b.is_ascii())
                .unwrap_or(rest.len());
            std::str::from_utf8(&rest[..valid]).ok()
        })?;
    let text = text.trim_start();
    let inner = text.strip_prefix('[')?;
    let inner = &inner[..inner.find(']')?];
    let nums: Vec<u64> = inner
        .split_ascii_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    nums.try_into().ok()
}

/// The PDF name following `key` (`/SubFilter /adbe.pkcs7.detached` → `adbe.pkcs7.detached`).
fn name_after(dict: &[u8], key: &[u8]) -> Option<String> {
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(&dict[from..], key) {
        let after = from + i + key.len();
        // `/Type` must not match `/TypeX`: the key ends at a delimiter.
        let rest = &dict[after..];
        let delimited = rest
            .first()
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/');
        if delimited && let Some(name) = rest.trim_ascii_start().strip_prefix(b"/") {
            let end = name
                .iter()
                .position(|b| b.is_ascii_whitespace() || b"/<>[]()".contains(b))
                .unwrap_or(name.len());
            return Some(String::from_utf8_lossy(&name[..end]).into_owned());
        }
        from = after;
    }
    None
}

/// The literal string following `key` (`/M (D:20261120…)`), without nesting or escapes.
fn string_after(dict: &[u8], key: &[u8]) -> Option<String> {
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(&dict[from..], key) {
        let after = from + i + key.len();
        let rest = dict[after..].trim_ascii_start();
        if let Some(s) = rest.strip_prefix(b"(") {
            let end = s.iter().position(|&b| b == b')')?;
            return Some(String::from_utf8_lossy(&s[..end]).into_owned());
        }
        from = after;
    }
    None
}

fn decode_hex(digits: &[u8]) -> Option<Vec<u8>> {
    let digits: Vec<u8> = digits
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let nibble = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(digits.len() / 2 + 1);
    for pair in digits.chunks(2) {
        let hi = nibble(pair[0])?;
        // An odd final digit is followed by an implied 0 (ISO 32000-1 §7.3.4.3).
        let lo = match pair.get(1) {
            Some(&b) => nibble(b)?,
            None => 0,
        };
        out.push((hi << 4) | lo);
    }
    Some(out)
}

/// What the CMS blob says.
struct CmsFacts {
    signer: Option<String>,
    signing_time: Option<String>,
    message_digest: Option<Vec<u8>>,
    sha256: bool,
}

/// Parses the `/Contents` blob (padded with zeros after the DER value) as CMS SignedData.
fn read_cms(blob: &[u8]) -> Result<CmsFacts, String> {
    let mut reader = SliceReader::new(blob).map_err(|e| format!("the CMS blob is not DER: {e}"))?;
    let info = ContentInfo::decode(&mut reader)
        .map_err(|e| format!("the CMS blob is not a ContentInfo: {e}"))?;
    // Zero padding after the DER value is expected and left unread.
    if info.content_type != SIGNED_DATA {
        return Err(format!(
            "the CMS blob is {}, not SignedData",
            info.content_type
        ));
    }
    let sd: SignedData = info
        .content
        .decode_as()
        .map_err(|e| format!("the CMS SignedData cannot be read: {e}"))?;
    let Some(si) = sd.signer_infos.0.iter().next() else {
        return Err("the CMS SignedData has no signer".into());
    };
    let certs: Vec<&x509_cert::Certificate> = sd
        .certificates
        .as_ref()
        .map(|set| {
            set.0
                .iter()
                .filter_map(|c| match c {
                    cms::cert::CertificateChoices::Certificate(c) => Some(c),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let signer_cert = certs.iter().find(|c| match &si.sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            c.tbs_certificate().issuer() == &ias.issuer
                && c.tbs_certificate().serial_number() == &ias.serial_number
        }
        // Matching a key identifier needs the extension; the first certificate is the signer's
        // in every signer we know, so fall back to it below.
        SignerIdentifier::SubjectKeyIdentifier(_) => false,
    });
    let signer_cert = match (signer_cert, &si.sid) {
        (Some(c), _) => Some(c),
        (None, SignerIdentifier::SubjectKeyIdentifier(_)) => certs.first(),
        (None, _) => None,
    };
    let attr = |oid: ObjectIdentifier| {
        si.signed_attrs
            .as_ref()
            .and_then(|attrs| attrs.iter().find(|a| a.oid == oid))
            .and_then(|a| a.values.iter().next())
    };
    let message_digest = attr(MESSAGE_DIGEST)
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .map(|o| o.as_bytes().to_vec());
    let signing_time = attr(SIGNING_TIME)
        .and_then(|v| v.to_der().ok())
        .and_then(|der| x509_cert::time::Time::from_der(&der).ok())
        .map(|t| t.to_string());
    Ok(CmsFacts {
        signer: signer_cert.map(|c| c.tbs_certificate().subject().to_string()),
        signing_time,
        message_digest,
        sha256: si.digest_alg.oid == SHA256,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_parse_with_any_spacing() {
        assert_eq!(
            parse_byte_range(b"/ByteRange [0 120 8312 400]/Contents"),
            Some([0, 120, 8312, 400])
        );
        assert_eq!(
            parse_byte_range(b"/ByteRange[ 0  1\n2 3 ]"),
            Some([0, 1, 2, 3])
        );
        assert_eq!(parse_byte_range(b"/ByteRange [0 1 2]"), None);
        assert_eq!(parse_byte_range(b"/ByteRange [0 1 x 3]"), None);
        assert_eq!(parse_byte_range(b"/ByteRange"), None);
    }

    #[test]
    fn names_end_at_delimiters() {
        let d =
            b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached/M (D:20261120)";
        assert_eq!(
            name_after(d, b"/SubFilter").as_deref(),
            Some("ETSI.CAdES.detached")
        );
        assert_eq!(name_after(d, b"/Type").as_deref(), Some("Sig"));
        assert_eq!(string_after(d, b"/M").as_deref(), Some("D:20261120"));
    }

    #[test]
    fn a_pdf_without_signatures_scans_empty() {
        let mut f =
            io::Cursor::new(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF".to_vec());
        let s = scan(&mut f).unwrap();
        assert!(!s.is_signed());
        assert!(s.signatures.is_empty() && s.skipped.is_empty());
    }

    #[test]
    fn hostile_dictionaries_are_skipped_with_a_reason() {
        for pdf in [
            &b"%PDF-1.7 1 0 obj << /ByteRange [0 99999 100000 5] >> endobj"[..],
            b"%PDF-1.7 1 0 obj << /ByteRange [0 10 20 0] /Contents <zz> >> endobj",
            b"%PDF-1.7 1 0 obj << /ByteRange [0 x] >> endobj",
            b"/ByteRange",
        ] {
            let s = scan(&mut io::Cursor::new(pdf.to_vec())).unwrap();
            assert!(!s.is_signed());
            assert_eq!(s.skipped.len(), 1, "{:?}", String::from_utf8_lossy(pdf));
        }
    }

    #[test]
    fn matches_split_across_chunks_are_found() {
        let mut data = vec![b' '; (1 << 20) - 4];
        data.extend_from_slice(b"/ByteRange");
        let found = find_all(&mut io::Cursor::new(data), b"/ByteRange", 8).unwrap();
        assert_eq!(found, [(1 << 20) - 4]);
    }
}
