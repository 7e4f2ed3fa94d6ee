//! The example adapters on their samples: every sample decodes, and encoding what was decoded
//! and decoding it again preserves every canonical field and every attachment byte.

use truc::bundled;
use truc::edxml::{BusinessAction, Package, ReceiverChange, StatusCode};
use truc::runtime::{
    AdapterErrorKind, BindingSettings, CallError, CanonicalMessage, Generation, Payload,
};

use crate::common;

async fn round_trip(
    g: &Generation,
    content_type: &str,
    sample: &[u8],
) -> (Vec<CanonicalMessage>, Payload) {
    let decoded = g
        .decode(&Payload::from_bytes(
            content_type.to_owned(),
            sample.to_vec(),
        ))
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", g.id()));
    assert!(!decoded.is_empty());
    let mut last = None;
    for m in &decoded {
        let encoded = g
            .encode(m)
            .await
            .unwrap_or_else(|e| panic!("{}: encode: {e}", g.id()));
        let again = g
            .decode(&encoded)
            .await
            .unwrap_or_else(|e| panic!("{}: decode again: {e}", g.id()));
        assert_eq!(again.len(), 1);
        common::assert_same_message(m, &again[0]);
        last = Some(encoded);
    }
    (decoded, last.expect("at least one message"))
}

#[tokio::test]
async fn json_office_samples_round_trip() {
    let rt = common::runtime();
    let g = common::load(&rt, bundled::JSON_OFFICE, BindingSettings::default()).await;
    for name in ["document", "status", "update", "revoke", "replace"] {
        let sample = common::read(&format!("plugins/json-office/samples/{name}.json"));
        round_trip(&g, "application/json", &sample).await;
    }
}

#[tokio::test]
async fn json_office_reads_its_field_names_and_iso_dates_into_canonical_fields() {
    let rt = common::runtime();
    let g = common::load(&rt, bundled::JSON_OFFICE, BindingSettings::default()).await;
    let sample = common::read("plugins/json-office/samples/update.json");
    let (msgs, _) = round_trip(&g, "application/json", &sample).await;
    let Package::Document(d) = &msgs[0].package else {
        panic!("a document")
    };
    assert_eq!(d.to.len(), 2);
    assert_eq!(
        d.promulgation.date.as_ref().unwrap().to_string(),
        "2026/11/21"
    );
    assert_eq!(d.due_date.as_ref().unwrap().to_string(), "2026/12/30");
    let b = d.business.as_ref().unwrap();
    assert_eq!(b.action, Some(BusinessAction::Update));
    assert_eq!(
        b.document_id.as_ref().unwrap().as_str(),
        "000.00.00.G22,2026/11/20,7816/VPCP-TTĐT"
    );
    let changes = &b.document_info.as_ref().unwrap().receivers;
    assert_eq!(changes[0].change, Some(ReceiverChange::Removed));
    assert_eq!(
        changes[1].organ_id.as_ref().unwrap().as_str(),
        "000.00.00.H29"
    );
    assert_eq!(d.attachments[0].size, 30);
    assert_eq!(
        common::bodies(&msgs[0])[0],
        b"%PDF-1.7\n%truc sample file 01\n"
    );
}

#[tokio::test]
async fn json_office_reports_malformed_input_with_its_location() {
    let rt = common::runtime();
    let g = common::load(&rt, bundled::JSON_OFFICE, BindingSettings::default()).await;
    let err = g
        .decode(&Payload::from_bytes(
            "application/json",
            &b"{\"document\": {\"files\": [{\"data\": \"@@\"}]}}"[..],
        ))
        .await
        .unwrap_err();
    let CallError::Adapter { failure, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.kind, AdapterErrorKind::Malformed);
    assert_eq!(failure.location.as_deref(), Some("[0].files[0].data"));
}

#[tokio::test]
async fn legacy_tcvn3_samples_round_trip_byte_for_byte() {
    let rt = common::runtime();
    let g = common::load(&rt, bundled::LEGACY_TCVN3, BindingSettings::default()).await;
    for name in ["document", "status"] {
        let sample = common::read(&format!("plugins/legacy-tcvn3/samples/{name}.xml"));
        let (_, encoded) = round_trip(&g, "application/xml; charset=x-tcvn3", &sample).await;
        assert_eq!(
            encoded.body.to_bytes().unwrap().to_vec(),
            sample,
            "{name}: the legacy system gets back exactly the bytes it sent"
        );
    }
}

#[tokio::test]
async fn legacy_tcvn3_text_arrives_as_unicode_nfc() {
    let rt = common::runtime();
    let g = common::load(&rt, bundled::LEGACY_TCVN3, BindingSettings::default()).await;
    let sample = common::read("plugins/legacy-tcvn3/samples/status.xml");
    let msgs = g
        .decode(&Payload::from_bytes("application/xml", sample))
        .await
        .unwrap();
    let Package::Status(s) = &msgs[0].package else {
        panic!("a status")
    };
    assert_eq!(s.status_code, Some(StatusCode::Rejected));
    assert_eq!(
        s.description,
        "Văn bản gửi nhầm đơn vị, đề nghị gửi lại Sở Tài chính"
    );
    assert_eq!(s.from.organ_name, "Văn phòng Tỉnh ủy");
}

#[tokio::test]
async fn legacy_tcvn3_refuses_text_it_cannot_represent_and_names_the_field() {
    let rt = common::runtime();
    let json = common::load(&rt, bundled::JSON_OFFICE, BindingSettings::default()).await;
    let legacy = common::load(&rt, bundled::LEGACY_TCVN3, BindingSettings::default()).await;
    let sample = common::read("plugins/json-office/samples/document.json");
    let msgs = json
        .decode(&Payload::from_bytes("application/json", sample))
        .await
        .unwrap();
    // The signer's authority is "KT. BỘ TRƯỞNG, CHỦ NHIỆM": TCVN3 has no capitals with tones.
    let err = legacy.encode(&msgs[0]).await.unwrap_err();
    let CallError::Adapter { failure, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.kind, AdapterErrorKind::Unsupported);
    assert!(failure.message.contains("U+1ED8"), "{}", failure.message);
    assert_eq!(
        failure.location.as_deref(),
        Some("/GOITIN/VANBAN/NGUOIKY/@thamquyen")
    );
}

#[tokio::test]
async fn edxml_native_reads_the_sdk_samples_and_answers_canonically() {
    let rt = common::runtime();
    let g = common::load(&rt, bundled::EDXML_NATIVE, BindingSettings::default()).await;
    for name in ["edoc_new", "status_processing_05"] {
        let sample = common::read(&format!("tests/data/vpcp-sdk/{name}.edxml"));
        let (msgs, encoded) = round_trip(&g, "application/xml", &sample).await;
        let text = String::from_utf8(encoded.body.to_bytes().unwrap().to_vec()).unwrap();
        assert!(
            text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
            "{name}"
        );
        assert!(text.contains("<edXML:edXMLEnvelope"), "{name}");
        if name == "edoc_new" {
            let Package::Document(d) = &msgs[0].package else {
                panic!("a document")
            };
            assert_eq!(d.attachments.len(), 1);
            // The SDK zipped the .doc (§5); it reaches the adapter unzipped.
            assert!(!common::bodies(&msgs[0])[0].starts_with(b"PK"));
        }
    }
}

#[tokio::test]
async fn the_rust_template_round_trips_its_samples_byte_for_byte() {
    let rt = common::runtime();
    let g = common::load(&rt, bundled::STATUS_LINE, BindingSettings::default()).await;
    for name in ["accepted", "rejected"] {
        let sample = common::read(&format!(
            "examples/adapter-template-rust/samples/{name}.txt"
        ));
        let (msgs, encoded) = round_trip(&g, "text/plain", &sample).await;
        assert_eq!(encoded.body.to_bytes().unwrap().to_vec(), sample, "{name}");
        let Package::Status(s) = &msgs[0].package else {
            panic!("a status")
        };
        assert!(s.response_for.as_ref().unwrap().document_id.is_some());
    }
    let err = g
        .decode(&Payload::from_bytes(
            "text/plain",
            &b"no separators here\n"[..],
        ))
        .await
        .unwrap_err();
    let CallError::Adapter { failure, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.location.as_deref(), Some("line 1"));
}
