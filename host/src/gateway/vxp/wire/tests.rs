use super::*;
use crate::gateway::vxp::auth::{Verifier, VerifierConfig};
use crate::gateway::vxp::operation::Operation;
use crate::gateway::vxp::sdk_trace::{self, SECRET, SEND_EDOC_FILE, SYSTEM_ID};
use crate::gateway::vxp::sign::VxpSecret;

fn signed(pairs: &[(&str, &str)]) -> SignedHeaders {
    SignedHeaders::for_tests(SYSTEM_ID, pairs)
}

fn send_headers(to: Option<&str>, hash: &str) -> SignedHeaders {
    let mut pairs = vec![
        ("systemid", SYSTEM_ID),
        ("from", "000.00.00.G22"),
        ("servicetype", "eDoc"),
        ("messagetype", "edoc"),
        ("hash-file", hash),
    ];
    if let Some(to) = to {
        pairs.push(("to", to));
    }
    signed(&pairs)
}

fn ids(codes: &[&str]) -> Vec<OrganId> {
    codes.iter().map(|c| c.parse().expect("code")).collect()
}

#[test]
fn the_traced_hash_file_is_the_unpadded_sha256_of_the_file_without_crlf() {
    let r = sdk_trace::request("sendEdoc");
    let declared = r.header("XroadVnpt-hash-file");
    assert_eq!(sdk_hash_file(SEND_EDOC_FILE), declared);
    assert_eq!(declared.len(), 63, "one byte below 0x10 lost its zero");
    assert_eq!(
        padded_hash_file(SEND_EDOC_FILE),
        "d9f356427bf19c4cfc633bed01359c7281ddc37f29666477b5481519c0a51fd7"
    );
    assert_eq!(
        hash_file_form(declared, SEND_EDOC_FILE),
        Some(HashForm::Unpadded)
    );
    assert_eq!(
        hash_file_form(
            &padded_hash_file(SEND_EDOC_FILE).to_uppercase(),
            SEND_EDOC_FILE
        ),
        Some(HashForm::Padded)
    );
    assert_eq!(
        hash_file_form(declared, &r.body()),
        None,
        "the CRLF is not hashed"
    );
}

#[test]
fn unpadded_hex_drops_the_leading_zero_of_each_byte() {
    // SHA-256("abc") has the bytes 0x01, 0x03 and 0x00: they become "1", "3" and "0".
    assert_eq!(
        padded_hash_file(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        sdk_hash_file(b"abc"),
        "ba7816bf8f1cfea414140de5dae2223b0361a396177a9cb410ff61f2015ad"
    );
}

#[test]
fn the_traced_send_edoc_parses_with_its_crlf_stripped_and_quoted_to() {
    let r = sdk_trace::request("sendEdoc");
    let verified = Verifier::new(VerifierConfig::default())
        .verify_request(Operation::SendEdoc, &r.headers, &r.body(), |_| {
            Some(VxpSecret::new(SECRET))
        })
        .expect("verifies");
    let body = r.body();
    let send = SendEdoc::parse(verified.headers(), Some("application/octet-stream"), &body)
        .expect("parses");
    assert_eq!(send.from.as_str(), "000.00.00.G22");
    assert_eq!(send.to, ids(&["000.00.00.H41"]));
    assert_eq!(send.message_type, Some(MessageType::Edoc));
    assert_eq!(send.service_type.as_deref(), Some("eDoc"));
    assert_eq!(send.package, SEND_EDOC_FILE);
    assert_eq!(send.framing, Framing::RawWithCrlf);
    assert_eq!(send.hash_form, HashForm::Unpadded);
}

#[test]
fn a_body_without_crlf_is_accepted_and_a_file_ending_in_crlf_is_kept_whole() {
    let file = b"<edXML/>\r\n";
    let h = sdk_hash_file(file);
    let headers = send_headers(None, &h);
    let bare = SendEdoc::parse(&headers, None, file).expect("no extra CRLF");
    assert_eq!((bare.package, bare.framing), (&file[..], Framing::Raw));
    let sdk_body = [&file[..], b"\r\n"].concat();
    let framed = SendEdoc::parse(&headers, None, &sdk_body).expect("SDK framing");
    assert_eq!(
        (framed.package, framed.framing),
        (&file[..], Framing::RawWithCrlf)
    );
}

#[test]
fn a_body_that_does_not_match_the_signed_hash_is_refused() {
    let headers = send_headers(None, &sdk_hash_file(b"<edXML>original</edXML>"));
    let err = SendEdoc::parse(&headers, None, b"<edXML>forged</edXML>\r\n").expect_err("forged");
    assert!(matches!(err, WireError::HashFileMismatch { .. }), "{err}");
    assert_eq!(
        SendEdoc::parse(&send_headers(None, &sdk_hash_file(b"")), None, b"\r\n")
            .expect_err("empty"),
        WireError::EmptyPackage
    );
}

#[test]
fn a_multipart_body_with_a_file_doc_part_is_tolerated() {
    let file = b"<edXML>multi\r\npart</edXML>";
    let body = [
        &b"--XyZ\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nignored\r\n"[..],
        b"--XyZ\r\nContent-Disposition: form-data; name=\"file_doc\"; filename=\"a.edxml\"\r\n",
        b"Content-Type: application/octet-stream\r\n\r\n",
        file,
        b"\r\n--XyZ--\r\n",
    ]
    .concat();
    let headers = send_headers(Some(r#"["000.00.00.H41"]"#), &padded_hash_file(file));
    let send = SendEdoc::parse(
        &headers,
        Some("multipart/form-data; boundary=\"XyZ\""),
        &body,
    )
    .expect("multipart");
    assert_eq!(send.package, file);
    assert_eq!(send.framing, Framing::Multipart);
    assert_eq!(send.hash_form, HashForm::Padded);

    let no_part =
        [&b"--XyZ\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--XyZ--"[..]].concat();
    let err = SendEdoc::parse(
        &headers,
        Some("multipart/form-data; boundary=XyZ"),
        &no_part,
    )
    .expect_err("no file_doc");
    assert!(err.to_string().contains("no part named file_doc"), "{err}");
}

#[test]
fn the_sdk_multipart_content_type_over_a_raw_body_still_reads_the_raw_file() {
    // Seen if a client's Content-Type overwrite is skipped: the header says multipart, the body
    // is the SDK's raw file + CRLF. The signed hash picks the right reading.
    let file = b"<edXML/>";
    let body = [&file[..], b"\r\n"].concat();
    let headers = send_headers(None, &sdk_hash_file(file));
    let send = SendEdoc::parse(
        &headers,
        Some("multipart/form-data; boundary===1700000000000==="),
        &body,
    )
    .expect("raw under a multipart label");
    assert_eq!(send.framing, Framing::RawWithCrlf);
}

#[test]
fn to_is_read_in_both_traced_forms_and_tolerated_bare() {
    let expected = ids(&["000.00.00.H41", "000.00.00.G22"]);
    for form in [
        r#"["000.00.00.H41","000.00.00.G22"]"#,
        r#"[ "000.00.00.H41" , "000.00.00.G22" ]"#,
        r#""[\"000.00.00.H41\",\"000.00.00.G22\"]""#,
        "000.00.00.H41, 000.00.00.G22",
        r#"["000.00.00.H41","000.00.00.G22","000.00.00.H41"]"#,
    ] {
        assert_eq!(parse_to(form).expect(form), expected, "{form}");
    }
    assert_eq!(parse_to("[]").expect("empty"), Vec::<OrganId>::new());
    assert_eq!(
        parse_to(r#""[]""#).expect("quoted empty"),
        Vec::<OrganId>::new()
    );
    for bad in [
        r#"["a""#,
        r#"[1]"#,
        r#"[""]"#,
        r#""\"[]\"""#,
        r#""unterminated"#,
    ] {
        let err = parse_to(bad).expect_err(bad);
        assert!(
            err.to_string().starts_with("header XroadVnpt-to"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn send_edoc_needs_a_signed_from_and_hash_file() {
    let no_from = signed(&[("hash-file", "ab")]);
    assert_eq!(
        SendEdoc::parse(&no_from, None, b"x").expect_err("from"),
        WireError::MissingHeader {
            header: "XroadVnpt-from".into()
        }
    );
    let no_hash = signed(&[("from", "000.00.00.G22")]);
    assert_eq!(
        SendEdoc::parse(&no_hash, None, b"x").expect_err("hash"),
        WireError::MissingHeader {
            header: "XroadVnpt-hash-file".into()
        }
    );
    let bad_type = signed(&[
        ("from", "000.00.00.G22"),
        ("hash-file", &sdk_hash_file(b"x")),
        ("messagetype", "letter"),
    ]);
    assert!(
        SendEdoc::parse(&bad_type, None, b"x")
            .expect_err("type")
            .to_string()
            .contains("expected edoc or status")
    );
}

#[test]
fn list_queries_default_to_edoc_and_read_sdk_dates_as_vietnam_time() {
    let r = sdk_trace::request("getReceivedEdocList");
    let from_trace = signed(&[
        ("servicetype", "eDoc"),
        ("messagetype", r.header("XroadVnpt-messagetype")),
    ]);
    let q = ListQuery::parse(&from_trace).expect("trace");
    assert_eq!(q.message_type, MessageType::Edoc);
    assert_eq!(q.service_type.as_deref(), Some("eDoc"));

    let sdk_example = ListQuery::parse(&signed(&[])).expect("{} as in the SDK's main()");
    assert_eq!(sdk_example.message_type, MessageType::Edoc);

    let dated = ListQuery::parse(&signed(&[
        ("messagetype", "STATUS"),
        ("fromDate", "01/03/2026 08:00:00"),
        ("toDate", "2026/03/02"),
    ]))
    .expect("dates");
    assert_eq!(dated.message_type, MessageType::Status);
    assert_eq!(
        dated.from_date.map(|d| d.to_rfc3339()).as_deref(),
        Some("2026-03-01T08:00:00+07:00")
    );
    assert_eq!(
        dated.to_date.map(|d| d.to_rfc3339()).as_deref(),
        Some("2026-03-02T23:59:59+07:00")
    );

    for (k, v) in [("fromDate", "2026-13-01"), ("toDate", "yesterday")] {
        let err = ListQuery::parse(&signed(&[(k, v)])).expect_err(v);
        assert!(
            err.to_string().contains("expected dd/MM/yyyy HH:mm:ss"),
            "{err}"
        );
    }
    let reversed = ListQuery::parse(&signed(&[
        ("fromDate", "02/03/2026 00:00:00"),
        ("toDate", "01/03/2026 00:00:00"),
    ]))
    .expect_err("reversed");
    assert!(
        reversed.to_string().contains("before fromDate"),
        "{reversed}"
    );
}

#[test]
fn get_edoc_and_update_status_read_the_traced_values() {
    let get = sdk_trace::request("getEdoc");
    let headers = signed(&[
        ("docId", get.header("XroadVnpt-docId")),
        ("filePath", get.header("XroadVnpt-filePath")),
    ]);
    assert_eq!(
        GetEdoc::parse(&headers).expect("getEdoc").doc_id.as_str(),
        "abc-123"
    );

    let lower = signed(&[("docid", "abc-123"), ("status", "DONE")]);
    let update = UpdateStatus::parse(&lower).expect("docid spelling of .NET");
    assert_eq!(update.doc_id.as_str(), "abc-123");
    assert_eq!(update.status, AckStatus::Done);
    assert_eq!(update.description, None);

    assert_eq!(
        GetEdoc::parse(&signed(&[])).expect_err("no docId"),
        WireError::MissingHeader {
            header: "XroadVnpt-docId".into()
        }
    );
    assert!(GetEdoc::parse(&signed(&[("docId", "a\u{0}b")])).is_err());
}

#[test]
fn status_keywords_map_to_the_enum_and_unknown_values_are_kept() {
    for (kw, expected) in [
        ("inbox", AckStatus::Inbox),
        ("rejection", AckStatus::Rejection),
        ("acceptance", AckStatus::Acceptance),
        ("assignment", AckStatus::Assignment),
        ("processing", AckStatus::Processing),
        ("done", AckStatus::Done),
        ("Fail", AckStatus::Fail),
        ("cancellation", AckStatus::Cancellation),
        ("03", AckStatus::Other("03".into())),
    ] {
        let parsed = AckStatus::parse(kw);
        assert_eq!(parsed, expected, "{kw}");
        assert!(parsed.as_str().eq_ignore_ascii_case(kw));
    }
    let with_text = UpdateStatus::parse(&signed(&[
        ("docId", "d1"),
        ("status", "fail"),
        ("description", "khong doc duoc goi tin"),
    ]))
    .expect("description");
    assert_eq!(
        with_text.description.as_deref(),
        Some("khong doc duoc goi tin")
    );
    assert!(UpdateStatus::parse(&signed(&[("docId", "d1")])).is_err());
}

#[test]
fn delete_agency_needs_its_code() {
    let d = DeleteAgency::parse(&signed(&[("AgencyCode", "000.01.01.H41")])).expect("code");
    assert_eq!(d.code.as_str(), "000.01.01.H41");
    assert_eq!(
        DeleteAgency::parse(&signed(&[])).expect_err("none"),
        WireError::MissingHeader {
            header: "XroadVnpt-AgencyCode".into()
        }
    );
}

#[test]
fn register_agency_validates_required_fields_and_mail() {
    let ok = AgencyRegistration::parse(
        r#"{"id":12,"pid":"3","code":" 000.01.01.H41 ","name":"Sở Nội vụ","mail":"snv@hanoi.gov.vn","extra":true}"#
            .as_bytes(),
    )
    .expect("valid");
    assert_eq!(ok.id.as_deref(), Some("12"));
    assert_eq!(ok.pid.as_deref(), Some("3"));
    assert_eq!(ok.code.as_str(), "000.01.01.H41");
    assert_eq!(ok.name, "Sở Nội vụ");

    let err =
        AgencyRegistration::parse(br#"{"code":"","mail":"not-an-address"}"#).expect_err("bad");
    let WireError::InvalidAgency { problems } = &err else {
        panic!("{err}")
    };
    assert_eq!(
        problems,
        &[
            "code is required and cannot be empty".to_owned(),
            "name is required".to_owned(),
            "mail \"not-an-address\" is not a valid e-mail address".to_owned(),
        ]
    );
    for bad in [
        &b"[]"[..],
        b"not json",
        br#"{"code":"x","name":"n","mail":["a@b.vn"]}"#,
    ] {
        assert!(AgencyRegistration::parse(bad).is_err());
    }
    let huge = vec![b' '; MAX_AGENCY_BODY_BYTES + 1];
    assert!(AgencyRegistration::parse(&huge).is_err());
}

#[test]
fn email_validation_accepts_addresses_and_refuses_lookalikes() {
    for good in ["vpcp@chinhphu.vn", "a.b-c+d@mail.hanoi.gov.vn", "x@y.co"] {
        assert!(is_valid_email(good), "{good}");
    }
    for bad in [
        "",
        "a",
        "a@",
        "@b.vn",
        "a@b",
        "a@@b.vn",
        "a b@c.vn",
        ".a@b.vn",
        "a..b@c.vn",
        "a@-b.vn",
        "a@b.v",
        "a@b.123",
        "ă@b.vn",
        "a@b..vn",
    ] {
        assert!(!is_valid_email(bad), "{bad}");
    }
}

#[test]
fn hostile_bodies_and_headers_never_panic() {
    let mut seed: u64 = 0x0123_4567_89AB_CDEF;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let pieces: [&[u8]; 8] = [
        b"--B",
        b"\r\n",
        b"\r\n\r\n",
        b"Content-Disposition: form-data; name=\"file_doc\"",
        b"--",
        b"x",
        b"\"",
        b"[",
    ];
    for _ in 0..3000 {
        let body: Vec<u8> = (0..(next() % 12))
            .flat_map(|_| pieces[(next() % 8) as usize].iter().copied())
            .collect();
        let h = sdk_hash_file(&body[..body.len() / 2]);
        let headers = send_headers(Some(std::str::from_utf8(&body).unwrap_or("[")), &h);
        let _ = SendEdoc::parse(&headers, Some("multipart/form-data; boundary=B"), &body);
        let _ = AgencyRegistration::parse(&body);
        let _ = parse_to(&String::from_utf8_lossy(&body));
    }
}
