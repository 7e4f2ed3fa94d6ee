//! The programme's rules at ingest, on SQLite and PostgreSQL: the paperless catalogue (a type
//! that still needs paper is refused without `Paper=1`), signed-not-scanned per rule mode
//! (refuse, flag, count) with PDFs signed here by `openssl cms`, and both APIs' answers.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use sqlx::Row;
use truc::edxml::{Package, Sha256};
use truc::exchange::IngestError;
use truc::policy::Refusal;
use truc::policy::catalogue::{self, DocTypeChange};
use truc::policy::pdf_signature;
use truc::policy::rules::{self, Mode, Rule, Scope};
use truc::store::Store;

use truc::gateway::vxp::sign::VxpSecret;
use truc::gateway::vxp::wire::MessageType;
use truc::vxp::client::{ClientConfig, VxpClient};

use crate::hub::{self, HCM_SECRET, HCM_SYSTEM, admin, populate, with_key};
use crate::on_both_backends;
use crate::world::{self, G22, H29, H41, count, edxml_bytes, send, world};

/// A one-page PDF without any signature.
pub fn unsigned_pdf() -> Vec<u8> {
    b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
      2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
      3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n\
      trailer << /Root 1 0 R >>\n%%EOF\n"
        .to_vec()
}

/// Runs openssl, panicking with its error output.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl runs (install it: apt-get install openssl)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A PDF with a PAdES-style signature dictionary whose `/Contents` is a detached CMS
/// SignedData made by `openssl cms` over the `/ByteRange`, signer `CN=<cn>`.
pub fn signed_pdf(cn: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "30",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-subj",
            &format!("/C=VN/O=UBND Tinh Nghe An/CN={cn}"),
        ],
    );
    const GAP_HEX: usize = 16384; // room for the CMS blob, hex-encoded
    let placeholder = format!("<{}>", "0".repeat(GAP_HEX));
    let head = "%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >> endobj\n\
                2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
                3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >> endobj\n\
                4 0 obj << /FT /Sig /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /V 5 0 R /P 3 0 R >> endobj\n\
                5 0 obj << /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M (D:20261120090000+07'00') /ByteRange ";
    // Fixed-width numbers, so filling them in moves nothing.
    let range_slot = "[0 ########## ########## ##########]";
    let mid = " /Contents ";
    let tail = " >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let b = head.len() + range_slot.len() + mid.len();
    let c = b + placeholder.len();
    let total = c + tail.len();
    let range = format!("[0 {b:>10} {c:>10} {:>10}]", total - c);
    assert_eq!(range.len(), range_slot.len());
    let mut pdf = format!("{head}{range}{mid}{placeholder}{tail}").into_bytes();
    let mut covered = pdf[..b].to_vec();
    covered.extend_from_slice(&pdf[c..]);
    std::fs::write(d.join("covered.bin"), &covered).unwrap();
    openssl(
        d,
        &[
            "cms",
            "-sign",
            "-binary",
            "-md",
            "sha256",
            "-in",
            "covered.bin",
            "-signer",
            "cert.pem",
            "-inkey",
            "key.pem",
            "-outform",
            "DER",
            "-out",
            "sig.der",
        ],
    );
    let sig = std::fs::read(d.join("sig.der")).unwrap();
    let hex = hex::encode_upper(&sig);
    assert!(hex.len() <= GAP_HEX, "the CMS blob fits the placeholder");
    pdf[b + 1..b + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    pdf
}

/// A document from G22 to H41 with this type name, `Paper` flag and attachment.
pub fn document_with(number: u32, type_name: &str, paper: &str, pdf: &[u8]) -> Vec<u8> {
    document_from(G22, H41, number, type_name, paper, pdf)
}

/// A document from `sender` to `receiver` with this type name, `Paper` flag and attachment.
pub fn document_from(
    sender: &str,
    receiver: &str,
    number: u32,
    type_name: &str,
    paper: &str,
    pdf: &[u8],
) -> Vec<u8> {
    let (mut p, _) = world::document_model(sender, &[receiver], number);
    let Package::Document(d) = &mut p else {
        unreachable!()
    };
    d.document_type.type_name = type_name.into();
    if let Some(b) = d.business.as_mut() {
        b.paper = paper.into();
    }
    d.attachments[0].size = pdf.len() as u64;
    d.attachments[0].sha256 = Sha256::of(pdf);
    edxml_bytes(&p, Some(pdf))
}

#[test]
fn the_scanner_reads_signer_and_time_and_notices_tampering() {
    let pdf = signed_pdf("Nguyen Van A");
    let scan = pdf_signature::scan(&mut std::io::Cursor::new(&pdf)).unwrap();
    assert!(scan.is_signed(), "{scan:?}");
    let sig = &scan.signatures[0];
    assert_eq!(sig.sub_filter, "ETSI.CAdES.detached");
    assert!(
        sig.signer.as_deref().unwrap().contains("CN=Nguyen Van A"),
        "{:?}",
        sig.signer
    );
    assert!(sig.signing_time.is_some());
    assert_eq!(sig.intact, Some(true));

    // One byte changed in the signed range: the digest no longer matches.
    let mut tampered = pdf.clone();
    let at = tampered.len() - 8;
    tampered[at] ^= 0x20;
    let scan = pdf_signature::scan(&mut std::io::Cursor::new(&tampered)).unwrap();
    assert_eq!(scan.signatures[0].intact, Some(false));
    assert!(!scan.is_signed());

    let scan = pdf_signature::scan(&mut std::io::Cursor::new(unsigned_pdf())).unwrap();
    assert!(!scan.is_signed() && scan.signatures.is_empty());
}

async fn a_type_that_still_requires_paper_needs_paper_1(store: Store) {
    let w = world(store.clone()).await;
    let e = send(
        &w.ex,
        &w.vpcp,
        document_with(1, "Thông tư", "0", &unsigned_pdf()),
    )
    .await
    .unwrap_err();
    let IngestError::Refused(Refusal::PaperRequired { code, .. }) = &e else {
        panic!("refused for paper: {e}")
    };
    assert_eq!(code, "TT");
    assert!(e.to_string().contains("Paper to 1"), "{e}");
    assert_eq!(count(&store, "packages").await, 0, "nothing stored");

    // With Paper=1 it travels, and the reports know a paper copy follows.
    let r = send(
        &w.ex,
        &w.vpcp,
        document_with(1, "Thông tư", "1", &unsigned_pdf()),
    )
    .await
    .unwrap();
    let paper: i64 = sqlx::query("SELECT paper FROM document_facts WHERE package_id = $1")
        .bind(r.package_id)
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get("paper")
        .unwrap();
    assert_eq!(paper, 1);

    // The operator lists Thông tư as paperless: now it travels without paper.
    catalogue::set(
        &store,
        "TT",
        &DocTypeChange {
            paperless: Some(true),
            ..DocTypeChange::default()
        },
    )
    .await
    .unwrap();
    send(
        &w.ex,
        &w.vpcp,
        document_with(2, "Thông tư", "0", &unsigned_pdf()),
    )
    .await
    .unwrap();
}
on_both_backends!(
    paper_required,
    a_type_that_still_requires_paper_needs_paper_1
);

async fn paperless_types_travel_without_paper(store: Store) {
    let w = world(store.clone()).await;
    for (n, name) in [
        (1, "Công văn"),
        (2, "Giấy mời"),
        (3, "Tờ trình"),
        (4, "Loại lạ"),
    ] {
        send(&w.ex, &w.vpcp, document_with(n, name, "0", &unsigned_pdf()))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let types: Vec<Option<String>> =
        sqlx::query("SELECT doc_type FROM document_facts ORDER BY package_id")
            .fetch_all(store.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get("doc_type").unwrap())
            .collect();
    assert_eq!(
        types,
        [
            Some("CV".into()),
            Some("GM".into()),
            Some("TTr".into()),
            None
        ]
    );
    let list = catalogue::list(&store).await.unwrap();
    assert_eq!(
        list.len(),
        36,
        "29 administrative + 7 legal-normative types"
    );
    assert!(list.iter().any(|t| t.code == "QĐ" && t.paperless));
}
on_both_backends!(paperless, paperless_types_travel_without_paper);

async fn unsigned_pdfs_are_counted_flagged_or_refused_per_rule(store: Store) {
    let w = world(store.clone()).await;
    let signed = signed_pdf("Tran Thi B");

    // Default: count. Accepted, no warning, counted unsigned.
    let r = send(
        &w.ex,
        &w.vpcp,
        document_with(1, "Công văn", "0", &unsigned_pdf()),
    )
    .await
    .unwrap();
    assert!(r.warnings.is_empty());

    // A type rule: flag công văn. Accepted with a warning; the flag is kept.
    rules::set(
        &store,
        &Rule {
            scope: Scope::Type,
            key: "CV".into(),
            mode: Mode::Flag,
        },
    )
    .await
    .unwrap();
    let r = send(
        &w.ex,
        &w.vpcp,
        document_with(2, "Công văn", "0", &unsigned_pdf()),
    )
    .await
    .unwrap();
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(r.warnings[0].rule.name(), "unsigned-attachment");
    let flag: Option<String> = sqlx::query("SELECT flag FROM document_facts WHERE package_id = $1")
        .bind(r.package_id)
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get("flag")
        .unwrap();
    assert!(flag.unwrap().contains("2.pdf"));

    // An agency rule wins over the type rule: G22 refuses unsigned PDFs.
    rules::set(
        &store,
        &Rule {
            scope: Scope::Agency,
            key: G22.into(),
            mode: Mode::Refuse,
        },
    )
    .await
    .unwrap();
    let e = send(
        &w.ex,
        &w.vpcp,
        document_with(3, "Công văn", "0", &unsigned_pdf()),
    )
    .await
    .unwrap_err();
    let IngestError::Refused(Refusal::Unsigned {
        attachments, rule, ..
    }) = &e
    else {
        panic!("refused as unsigned: {e}")
    };
    assert_eq!(attachments, &["3.pdf".to_owned()]);
    assert_eq!(rule, &format!("agency {G22}"));
    assert!(e.to_string().contains("signed, not scanned"), "{e}");

    // A PDF altered after signing is refused too.
    let mut tampered = signed.clone();
    let at = tampered.len() - 8;
    tampered[at] ^= 0x20;
    let e = send(&w.ex, &w.vpcp, document_with(4, "Công văn", "0", &tampered))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("altered after signing"), "{e}");

    // A signed PDF travels; its signer is recorded once per digest.
    let r = send(&w.ex, &w.vpcp, document_with(5, "Công văn", "0", &signed))
        .await
        .unwrap();
    assert!(r.warnings.is_empty());
    let row =
        sqlx::query("SELECT signatures, signer, sub_filter FROM pdf_signatures WHERE sha256 = $1")
            .bind(Sha256::of(&signed).to_string())
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(row.try_get::<i64, _>("signatures").unwrap(), 1);
    assert!(
        row.try_get::<String, _>("signer")
            .unwrap()
            .contains("CN=Tran Thi B")
    );
    let signed_flag: i64 = sqlx::query("SELECT signed FROM document_facts WHERE package_id = $1")
        .bind(r.package_id)
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get("signed")
        .unwrap();
    assert_eq!(signed_flag, 1);
    assert_eq!(
        count(&store, "document_facts").await,
        3,
        "refusals store nothing"
    );
}
on_both_backends!(
    signature_modes,
    unsigned_pdfs_are_counted_flagged_or_refused_per_rule
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_vxp_and_admin_surfaces_answer_policy_refusals_clearly() {
    let h = hub::start().await;
    let k = populate(&h).await;

    // REST: a Thông tư without Paper=1 is a 422 naming the rule and the fix.
    let a = with_key(
        "POST",
        &format!("{}/api/v1/packages", h.url),
        &k.vpcp,
        document_with(1, "Thông tư", "0", &unsigned_pdf()),
    )
    .await;
    assert_eq!(a.status, 422, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(a.json()["error"]["code"], "paper-required");
    assert!(
        a.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Paper to 1")
    );

    // Admin: the catalogue lists it, the operator makes it paperless, it travels.
    let list = admin(&h, "GET", "/catalogue", serde_json::Value::Null).await;
    assert_eq!(list.status, 200);
    assert!(
        list.json()
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["code"] == "TT" && t["paperless"] == false)
    );
    let set = admin(
        &h,
        "PUT",
        "/catalogue/TT",
        serde_json::json!({"paperless": true}),
    )
    .await;
    assert_eq!(set.status, 200, "{}", String::from_utf8_lossy(&set.body));
    assert_eq!(set.json()["paperless"], true);
    let bad = admin(
        &h,
        "PUT",
        "/catalogue/NEW",
        serde_json::json!({"paperless": false}),
    )
    .await;
    assert_eq!(bad.status, 422);
    let a = with_key(
        "POST",
        &format!("{}/api/v1/packages", h.url),
        &k.vpcp,
        document_with(1, "Thông tư", "0", &unsigned_pdf()),
    )
    .await;
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));

    // VXP: Hồ Chí Minh must sign; an unsigned PDF is the SDK's error 22 with the reason.
    let rule = admin(
        &h,
        "PUT",
        "/signature-policy",
        serde_json::json!({"scope": "agency", "key": H29, "mode": "refuse"}),
    )
    .await;
    assert_eq!(rule.status, 200, "{}", String::from_utf8_lossy(&rule.body));
    let vxp = VxpClient::new(ClientConfig::new(
        format!("{}/vxp", h.url),
        HCM_SYSTEM,
        VxpSecret::new(HCM_SECRET),
    ))
    .unwrap();
    let e = vxp
        .send_edoc(
            H29,
            &[H41],
            MessageType::Edoc,
            &document_from(H29, H41, 2, "Công văn", "0", &unsigned_pdf()),
        )
        .await
        .unwrap_err();
    assert_eq!(e.error_code().map(|c| c.as_str()), Some("22"), "{e}");
    assert!(e.to_string().contains("signed, not scanned"), "{e}");
    vxp.send_edoc(
        H29,
        &[H41],
        MessageType::Edoc,
        &document_from(H29, H41, 3, "Công văn", "0", &signed_pdf("Pham Van D")),
    )
    .await
    .unwrap();

    // Reports through the admin API, JSON and CSV.
    let today = world::today().replace('/', "-");
    let r = admin(
        &h,
        "GET",
        &format!("/reports?from={today}&to={today}"),
        serde_json::Value::Null,
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["total"]["sent"], 2);
    assert_eq!(r.json()["total"]["signed"], 1);
    let r = admin(
        &h,
        "GET",
        &format!("/reports?from={today}&to={today}&agency={H29}&format=csv"),
        serde_json::Value::Null,
    )
    .await;
    assert_eq!(r.status, 200);
    let csv = String::from_utf8_lossy(&r.body).into_owned();
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with(&format!("{H29},1,0,")),
        "{csv}"
    );
    let r = admin(
        &h,
        "GET",
        "/reports?from=2026-13-01&to=2026-11-01",
        serde_json::Value::Null,
    )
    .await;
    assert_eq!(r.status, 400);
    h.stop().await;
}
