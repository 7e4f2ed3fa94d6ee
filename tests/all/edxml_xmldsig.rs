//! XML signatures: truc signs and verifies, and interoperates both ways with `xmlsec1`.
//!
//! CI installs xmlsec1; the interop tests fail (never skip) without it.

use std::path::Path;
use std::process::Command;

use truc::edxml::*;

use crate::edxml_support::{data, read_ok, sample};

fn key() -> SigningKey {
    SigningKey::from_pem(&std::fs::read(data("xmldsig/signer.key.pem")).expect("key fixture"))
        .expect("key")
}

fn cert(name: &str) -> Certificate {
    let pem = std::fs::read(data(&format!("xmldsig/{name}.cert.pem"))).expect("cert fixture");
    Certificate::from_pem(&pem).expect("certificate")
}

const SIGNER: &str = "CN=Van thu thu nghiem,O=truc test fixtures,C=VN";

fn sign_ok(bytes: &[u8]) -> Vec<u8> {
    sign_bytes(bytes, &key(), &cert("signer"), &Limits::default())
        .unwrap_or_else(|e| panic!("sign: {e}"))
}

/// Replaces the first occurrence of `from` by `to` (same length: a one-byte change).
fn tamper(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let at = bytes
        .windows(from.len())
        .position(|w| w == from.as_bytes())
        .unwrap_or_else(|| panic!("{from} not found"));
    let mut out = bytes.to_vec();
    out[at..at + to.len()].copy_from_slice(to.as_bytes());
    assert_eq!(
        out.iter().zip(bytes).filter(|(a, b)| a != b).count(),
        1,
        "exactly one byte differs"
    );
    out
}

#[test]
fn truc_signs_and_verifies_every_sample() {
    for name in [
        "edoc_new.edxml",
        "edoc_update.edxml",
        "status_processing_05.edxml",
    ] {
        let signed = sign_ok(&sample(name));
        let v = verify_bytes(&signed, None, &Limits::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((v.subject.as_str(), v.pinned), (SIGNER, false), "{name}");
        let pinned =
            verify_bytes(&signed, Some(&cert("signer")), &Limits::default()).expect("pinned");
        assert!(pinned.pinned);
        let err = verify_bytes(&signed, Some(&cert("other")), &Limits::default())
            .expect_err("other signer");
        assert!(
            matches!(err, VerifyError::UntrustedSigner(ref s) if s == SIGNER),
            "{err}"
        );
    }
}

#[test]
fn signed_packages_read_exactly_like_unsigned_ones() {
    let original = sample("edoc_update.edxml");
    let signed = sign_ok(&original);
    assert_eq!(read_ok(&signed).0, read_ok(&original).0);
    let text = String::from_utf8(signed).expect("UTF-8");
    let header_end = text.find("</edXML:edXMLHeader>").expect("header end");
    let sig = text
        .find("<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">")
        .expect("signature");
    assert!(
        sig < header_end && text[sig..header_end].ends_with("</ds:Signature>"),
        "inside edXMLHeader, at its end"
    );
}

#[test]
fn one_changed_byte_anywhere_fails_truc_verification() {
    let signed = sign_ok(&sample("edoc_update.edxml"));
    let limits = Limits::default();
    let content = tamper(&signed, "vpcp.vn", "vpcq.vn");
    assert!(matches!(
        verify_bytes(&content, None, &limits),
        Err(VerifyError::DigestMismatch)
    ));
    let attachment = tamper(&signed, "UEsDBBQACAgI", "UEsDBBQACAgJ");
    assert!(matches!(
        verify_bytes(&attachment, None, &limits),
        Err(VerifyError::DigestMismatch)
    ));
    let text = String::from_utf8(signed.clone()).expect("UTF-8");
    let value_at =
        text.find("<ds:SignatureValue>").expect("value") + "<ds:SignatureValue>".len() + 10;
    let mut value = signed.clone();
    value[value_at] = if value[value_at] == b'A' { b'B' } else { b'A' };
    assert!(matches!(
        verify_bytes(&value, None, &limits),
        Err(VerifyError::BadSignature)
    ));
    let algorithm = tamper(&signed, "xmlenc#sha256", "xmlenc#sha257");
    assert!(matches!(
        verify_bytes(&algorithm, None, &limits),
        Err(VerifyError::Unsupported(_))
    ));
    // Changes C14N removes (space inside a tag, quote style) are not changes.
    let reformatted = String::from_utf8(signed)
        .expect("UTF-8")
        .replacen("<ds:Reference URI=\"\">", "<ds:Reference  URI=''  >", 1)
        .replacen("<edXML:Subject>", "<edXML:Subject >", 1);
    assert!(verify_bytes(reformatted.as_bytes(), None, &limits).is_ok());
}

#[test]
fn placeholder_signatures_of_the_samples_are_named_as_such() {
    for name in ["edoc_new.edxml", "edoc_update.edxml"] {
        let err = verify_bytes(&sample(name), None, &Limits::default()).expect_err(name);
        assert!(matches!(err, VerifyError::Placeholder), "{name}: {err}");
        assert!(
            err.to_string()
                .contains("placeholder signature, not in the XMLDSig namespace"),
            "{err}"
        );
    }
    let err = verify_bytes(
        &sample("status_processing_05.edxml"),
        None,
        &Limits::default(),
    )
    .expect_err("unsigned");
    assert!(matches!(err, VerifyError::Unsigned), "{err}");
}

#[test]
fn signing_twice_is_refused() {
    let signed = sign_ok(&sample("status_processing_05.edxml"));
    let err = sign_bytes(&signed, &key(), &cert("signer"), &Limits::default())
        .expect_err("already signed");
    assert!(matches!(err, SignError::AlreadySigned), "{err}");
}

fn xmlsec1() -> Command {
    let found = Command::new("xmlsec1")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(found, "xmlsec1 is not installed: apt-get install xmlsec1");
    Command::new("xmlsec1")
}

/// Runs `xmlsec1 --verify` with the signer certificate as trust anchor; true if it verifies.
fn xmlsec1_verifies(path: &Path) -> bool {
    let out = xmlsec1()
        .args(["--verify", "--trusted-pem"])
        .arg(data("xmldsig/signer.cert.pem"))
        .arg(path)
        .output()
        .expect("run xmlsec1");
    out.status.success()
}

/// Puts the xmlsec1 template (optionally edited) into the header and signs with `xmlsec1 --sign`.
fn xmlsec1_sign(package: &[u8], edit_template: impl Fn(String) -> String, dir: &Path) -> Vec<u8> {
    let template = std::fs::read_to_string(data("xmldsig/template.xml")).expect("template");
    let template = edit_template(template);
    let text = String::from_utf8(package.to_vec()).expect("UTF-8");
    let at = text.find("</edXML:edXMLHeader>").expect("header end");
    let with_template = format!("{}{}{}", &text[..at], template.trim_end(), &text[at..]);
    let input = dir.join("template-filled.xml");
    let output = dir.join("xmlsec1-signed.xml");
    std::fs::write(&input, with_template).expect("write");
    let keys = format!(
        "{},{}",
        data("xmldsig/signer.key.pem").display(),
        data("xmldsig/signer.cert.pem").display()
    );
    let out = xmlsec1()
        .args(["--sign", "--privkey-pem", &keys, "--output"])
        .arg(&output)
        .arg(&input)
        .output()
        .expect("run xmlsec1");
    assert!(
        out.status.success(),
        "xmlsec1 --sign failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(output).expect("signed output")
}

/// A package exercising canonicalization: comments, a PI, CDATA, CRLF, attribute order,
/// namespace redeclarations and escaped characters.
fn tricky_package() -> Vec<u8> {
    let text = String::from_utf8(sample("status_processing_05.edxml")).expect("UTF-8");
    text.replace("\n", "\r\n")
        .replace(
            "<edXML:Description>Đang xử lý văn bản đến</edXML:Description>",
            "<!-- ghi chú --><edXML:Description z=\"2\" a=\"1&#9;&amp;&quot;\" xmlns:x=\"urn:x\" x:q=\"&lt;\">Đang &amp; &lt;xử lý&gt; <![CDATA[<văn bản> & đến]]></edXML:Description><?audit note?>",
        )
        .replace("<edXML:StatusCode>05</edXML:StatusCode>", "<StatusCode xmlns=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">05</StatusCode>")
        .into_bytes()
}

#[test]
fn truc_signatures_verify_with_xmlsec1_and_break_on_one_byte() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, package) in [
        ("edoc_update", sample("edoc_update.edxml")),
        ("tricky", tricky_package()),
    ] {
        let signed = sign_ok(&package);
        let path = dir.path().join(format!("{name}.signed.xml"));
        std::fs::write(&path, &signed).expect("write");
        assert!(
            xmlsec1_verifies(&path),
            "{name}: xmlsec1 rejects truc's signature"
        );
        let tampered_path = dir.path().join(format!("{name}.tampered.xml"));
        std::fs::write(
            &tampered_path,
            tamper(&signed, "000.00.00.G22", "000.00.00.G23"),
        )
        .expect("write");
        assert!(
            !xmlsec1_verifies(&tampered_path),
            "{name}: xmlsec1 accepts a changed package"
        );
    }
}

#[test]
fn xmlsec1_signatures_verify_in_truc_and_break_on_one_byte() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, package) in [
        ("edoc_update", sample("edoc_update.edxml")),
        ("tricky", tricky_package()),
    ] {
        let signed = xmlsec1_sign(&package, |t| t, dir.path());
        let v = verify_bytes(&signed, Some(&cert("signer")), &Limits::default())
            .unwrap_or_else(|e| panic!("{name}: truc rejects xmlsec1's signature: {e}"));
        assert_eq!(v.subject, SIGNER);
        let tampered = tamper(&signed, "000.00.00.G22", "000.00.00.G23");
        let err = verify_bytes(&tampered, None, &Limits::default()).expect_err("tampered");
        assert!(matches!(err, VerifyError::DigestMismatch), "{name}: {err}");
        let path = dir.path().join("tampered.xml");
        std::fs::write(&path, &tampered).expect("write");
        assert!(
            !xmlsec1_verifies(&path),
            "{name}: xmlsec1 accepts its own changed package"
        );
    }
}

#[test]
fn sha1_signatures_made_by_xmlsec1_are_refused_as_unsupported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let signed = xmlsec1_sign(
        &sample("status_processing_05.edxml"),
        |t| {
            t.replace(
                "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            )
        },
        dir.path(),
    );
    let err = verify_bytes(&signed, None, &Limits::default()).expect_err("sha1");
    assert!(
        matches!(err, VerifyError::Unsupported(ref s) if s.contains("rsa-sha1")),
        "{err}"
    );
}
