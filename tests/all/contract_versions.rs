//! Contract versions side by side: 0.1.0 and 0.2.0 adapters served by one hub, and what 0.2.0
//! added, byte ranges of blobs (`blob-writer.write-base64-range`, `blob-writer.copy-range`;
//! decision 0014).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use truc::bundled;
use truc::edxml::Package;
use truc::runtime::{
    AdapterErrorKind, BindingSettings, CallError, CanonicalMessage, Contract, Generation, Payload,
};

use crate::common;

/// Input for the `ranges` test adapter: its command line, then `tail`. Offsets count from the
/// start of the input, so `OFFSET` is `prefix` bytes plus where the interesting part of
/// `tail` starts.
fn command(op: &str, at: u64, len: u64, tail: &[u8]) -> Payload {
    let mut input = format!("{op} {at:>8} {len:>8}\n").into_bytes();
    input.extend_from_slice(tail);
    Payload::from_bytes("text/plain", input)
}

/// Where `tail` starts in a [`command`] input (the command line has a fixed width).
fn tail_at(op: &str) -> u64 {
    command(op, 0, 0, b"").body.size()
}

async fn written(g: &Generation, input: &Payload) -> Result<Vec<u8>, CallError> {
    let msgs: Vec<CanonicalMessage> = g.decode(input).await?;
    assert_eq!(msgs.len(), 1);
    Ok(common::bodies(&msgs[0]).remove(0))
}

fn malformed_message(e: CallError) -> String {
    let CallError::Adapter { failure, .. } = &e else {
        panic!("a typed adapter error, not {e:?}")
    };
    assert_eq!(failure.kind, AdapterErrorKind::Malformed, "{e:?}");
    failure.message.clone()
}

#[tokio::test]
async fn a_0_1_0_adapter_and_0_2_0_adapters_load_and_run_in_one_hub() {
    let rt = common::runtime();
    let old = common::load(&rt, bundled::TRIVIAL, BindingSettings::default()).await;
    let new = common::load(&rt, bundled::TRIVIAL_V2, BindingSettings::default()).await;
    let json = common::load(&rt, bundled::JSON_OFFICE, BindingSettings::default()).await;
    for (g, version) in [(&old, "0.1.0"), (&new, "0.2.0"), (&json, "0.2.0")] {
        assert_eq!(
            g.manifest.adapter.contract.to_string(),
            format!("truc:adapter@{version}")
        );
        let blobs = format!("truc:adapter/blobs@{version}");
        assert!(
            g.imports().contains(&blobs),
            "{}: {:?}",
            g.id(),
            g.imports()
        );
    }
    assert_eq!(Contract::ALL.len(), 2);
    for g in [&old, &new] {
        let msgs = g
            .decode(&Payload::from_bytes("text/plain", &b"05"[..]))
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", g.id()));
        let out = g.encode(&msgs[0]).await.unwrap();
        assert_eq!(&out.body.to_bytes().unwrap()[..], b"05");
    }
    let sample = common::read("plugins/json-office/samples/document.json");
    let msgs = json
        .decode(&Payload::from_bytes("application/json", sample))
        .await
        .unwrap();
    assert_eq!(
        common::bodies(&msgs[0])[0],
        b"%PDF-1.7\n%truc sample file 01\n"
    );
}

#[tokio::test]
async fn write_base64_range_decodes_the_text_where_it_lies_in_the_input() {
    let rt = common::runtime();
    let g = common::load(&rt, bundled::RANGES, BindingSettings::default()).await;
    let file: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    let text = B64.encode(&file);
    let tail = format!("{{\"data\":\"{text}\"}}");
    let at = tail_at("base64") + 9;
    let input = command("base64", at, text.len() as u64, tail.as_bytes());
    assert_eq!(written(&g, &input).await.unwrap(), file);

    // The hub's attachment record is of the decoded bytes.
    let msgs = g.decode(&input).await.unwrap();
    let Package::Document(d) = &msgs[0].package else {
        panic!("a document")
    };
    assert_eq!(d.attachments[0].size, 10_000);

    // Whitespace is ignored, as write-base64 ignores it; an empty range appends nothing.
    let wrapped = "aGVs\r\nbG8=\n";
    let input = command(
        "base64",
        tail_at("base64"),
        wrapped.len() as u64,
        wrapped.as_bytes(),
    );
    assert_eq!(written(&g, &input).await.unwrap(), b"hello");
    let input = command("base64", tail_at("base64"), 0, b"");
    assert_eq!(written(&g, &input).await.unwrap(), b"");
}

#[tokio::test]
async fn copy_range_copies_raw_bytes_of_the_input() {
    let rt = common::runtime();
    let g = common::load(&rt, bundled::RANGES, BindingSettings::default()).await;
    let tail = b"--boundary\r\n\x00\x01\x02\xff binary part\r\n--boundary--";
    let input = command("copy", tail_at("copy") + 12, 16, tail);
    assert_eq!(
        written(&g, &input).await.unwrap(),
        b"\x00\x01\x02\xff binary part"
    );
}

#[tokio::test]
async fn a_range_outside_the_input_is_a_typed_error_and_the_hub_keeps_serving() {
    let rt = common::runtime();
    let g = common::load(&rt, bundled::RANGES, BindingSettings::default()).await;
    let tail = b"aGVsbG8=";
    for op in ["base64", "copy"] {
        let size = tail_at(op) + tail.len() as u64;
        for (at, len) in [
            (size, 1),
            (size - 4, 5),
            (size + 1, 0),
            (99_999_999, 99_999_999),
        ] {
            let e = written(&g, &command(op, at, len, tail)).await.unwrap_err();
            let message = malformed_message(e);
            assert!(
                message.contains("are not inside the source blob"),
                "{op} {at} {len}: {message}"
            );
            assert!(message.contains(&format!("has {size} bytes")), "{message}");
        }
    }
    // The same generation goes on answering, and the range at the very end is fine.
    let input = command("base64", tail_at("base64"), 8, tail);
    assert_eq!(written(&g, &input).await.unwrap(), b"hello");
    common::healthy_adapter_still_answers(&rt).await;
}

#[tokio::test]
async fn a_range_that_is_not_base64_is_a_typed_error_naming_the_position_in_the_range() {
    let rt = common::runtime();
    let g = common::load(&rt, bundled::RANGES, BindingSettings::default()).await;
    let tail = b"{\"data\":\"aGVs!G8=\"}";
    let input = command("base64", tail_at("base64") + 9, 8, tail);
    let message = malformed_message(written(&g, &input).await.unwrap_err());
    assert_eq!(message, "not valid base64: Invalid symbol 33, offset 4.");

    // Padding before the end of the range.
    let input = command("base64", tail_at("base64"), 8, b"aGk=aGk=");
    let message = malformed_message(written(&g, &input).await.unwrap_err());
    assert_eq!(message, "not valid base64: Invalid symbol 61, offset 3.");

    // A failed range write appends nothing to the writer.
    let input = command("keep", tail_at("keep") + 9, 8, tail);
    assert_eq!(written(&g, &input).await.unwrap(), b"kept:");
    let input = command("keep", tail_at("keep"), 8, b"aGVsbG8=");
    assert_eq!(written(&g, &input).await.unwrap(), b"kept:hello");
    common::healthy_adapter_still_answers(&rt).await;
}

#[tokio::test]
async fn json_office_hands_over_base64_text_that_had_to_be_unescaped() {
    // Some producers escape `/` as `\/`; that text is not a slice of the input, so the adapter
    // hands it over with write-base64 instead of naming a range.
    let rt = common::runtime();
    let g = common::load(&rt, bundled::JSON_OFFICE, BindingSettings::default()).await;
    let sample =
        String::from_utf8(common::read("plugins/json-office/samples/document.json")).unwrap();
    let original = g
        .decode(&Payload::from_bytes("application/json", sample.clone()))
        .await
        .unwrap();
    let file = common::bodies(&original[0]).remove(0);
    let text = B64.encode(&file);
    let slashed = B64.encode([0xffu8, 0xff, 0xff, 0xfb, 0xef, 0xbe]);
    assert!(slashed.contains('/'));
    let escaped = sample.replacen(&text, &slashed.replace('/', "\\/"), 1);
    assert_ne!(escaped, sample, "the sample's text was replaced");
    let msgs = g
        .decode(&Payload::from_bytes("application/json", escaped))
        .await
        .unwrap();
    assert_eq!(
        common::bodies(&msgs[0])[0],
        [0xffu8, 0xff, 0xff, 0xfb, 0xef, 0xbe]
    );
}
