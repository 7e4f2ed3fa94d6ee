use super::*;
use crate::gateway::vxp::sdk_trace::{self, SECRET, SYSTEM_ID};
use crate::gateway::vxp::sign::hash_header;

fn secret() -> VxpSecret {
    VxpSecret::new(SECRET)
}

fn lookup(id: &SystemId) -> Option<VxpSecret> {
    (id.as_str() == SYSTEM_ID).then(secret)
}

fn verifier() -> Verifier {
    Verifier::new(VerifierConfig::default())
}

fn op(path: &str) -> Operation {
    Operation::from_path(path).expect("known operation")
}

/// Builds a signed request the way the SDK does: every signed pair is also sent as a header.
fn signed(pairs: &[(&str, &str)], secret: &VxpSecret) -> Vec<(String, String)> {
    let sign_header = format!(
        "{{{}}}",
        pairs
            .iter()
            .map(|(k, v)| format!(
                "{}:{}",
                serde_json::Value::String(format!("{PREFIX}{k}")),
                serde_json::Value::String((*v).to_owned())
            ))
            .collect::<Vec<_>>()
            .join(",")
    );
    let mut headers: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (format!("{PREFIX}{k}"), (*v).to_owned()))
        .collect();
    headers.push((
        "XroadVnpt-sign-header-key".into(),
        pairs.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(";"),
    ));
    headers.push((
        "XroadVnpt-hash-header".into(),
        hash_header(secret, sign_header.as_bytes()),
    ));
    headers.push(("XroadVnpt-sign-header".into(), sign_header));
    headers.push(("XroadVnpt-version".into(), "3.0.201608".into()));
    headers
}

fn update_status_pairs(timestamp: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("systemid", SYSTEM_ID),
        ("docId", "abc-123"),
        ("timestamp", timestamp),
        ("Content-Type", "application/json"),
        ("status", "done"),
    ]
}

fn set(headers: &mut [(String, String)], name: &str, value: &str) {
    for (n, v) in headers.iter_mut() {
        if n == name {
            *v = value.to_owned();
        }
    }
}

#[test]
fn every_traced_request_verifies_and_exposes_its_signed_values() {
    let v = verifier();
    for r in sdk_trace::requests() {
        let verified = v
            .verify_request(op(&r.op), &r.headers, &r.body(), lookup)
            .unwrap_or_else(|e| panic!("{}: {e}", r.op));
        assert_eq!(verified.system_id().as_str(), SYSTEM_ID);
        assert_eq!(
            verified.headers().get("timestamp"),
            Some(r.header("XroadVnpt-timestamp"))
        );
    }
    let get_edoc = sdk_trace::request("getEdoc");
    let verified = v
        .verify_request(Operation::GetEdoc, &get_edoc.headers, b"{}", lookup)
        .expect("getEdoc verifies");
    assert_eq!(verified.headers().get("docid"), Some("abc-123"));
    assert_eq!(verified.headers().get("filePath"), Some("/data/qlvb/inbox"));
}

#[test]
fn lower_case_header_names_as_axum_presents_them_verify() {
    let r = sdk_trace::request("updateStatus");
    let lowered: Vec<(String, String)> = r
        .headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .collect();
    let verified = verifier()
        .verify_request(Operation::UpdateStatus, &lowered, b"{}", lookup)
        .expect("verifies");
    assert_eq!(verified.headers().get("status"), Some("done"));
}

#[test]
fn an_altered_signed_header_is_refused() {
    let mut r = sdk_trace::request("sendEdoc");
    set(&mut r.headers, "XroadVnpt-from", "000.00.00.H41");
    let err = verifier()
        .verify_request(Operation::SendEdoc, &r.headers, &r.body(), lookup)
        .expect_err("altered from");
    assert_eq!(
        err,
        AuthError::Altered {
            header: "XroadVnpt-from".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "header XroadVnpt-from differs from its signed value"
    );
}

#[test]
fn a_systemid_header_differing_from_the_signed_one_is_refused() {
    let mut headers = signed(&update_status_pairs("01012026T000000+0001"), &secret());
    headers.retain(|(n, _)| n != "XroadVnpt-systemid");
    headers.push(("XroadVnpt-systemid".into(), "000.00.99.H45".into()));
    let err = verifier()
        .verify_request(Operation::UpdateStatus, &headers, b"{}", |_| Some(secret()))
        .expect_err("other system");
    assert_eq!(
        err,
        AuthError::Altered {
            header: "XroadVnpt-systemid".into()
        }
    );
}

#[test]
fn an_unsigned_header_the_operation_acts_on_is_refused() {
    let pairs = [
        ("systemid", SYSTEM_ID),
        ("servicetype", "eDoc"),
        ("messagetype", "edoc"),
        ("hash-file", "abc"),
        ("timestamp", "01012026T000000+0001"),
        ("Content-Type", "application/octet-stream"),
    ];
    let mut headers = signed(&pairs, &secret());
    headers.push(("XroadVnpt-from".into(), "000.00.00.G22".into()));
    let err = verifier()
        .verify_request(Operation::SendEdoc, &headers, b"x", lookup)
        .expect_err("unsigned from");
    assert_eq!(
        err.to_string(),
        "header XroadVnpt-from is not covered by the signature"
    );
}

#[test]
fn an_unsigned_header_the_operation_ignores_is_dropped_not_exposed() {
    let mut headers = signed(&update_status_pairs("01012026T000000+0002"), &secret());
    headers.push(("XroadVnpt-from".into(), "000.00.00.G22".into()));
    let verified = verifier()
        .verify_request(Operation::UpdateStatus, &headers, b"{}", lookup)
        .expect("irrelevant unsigned header is tolerated");
    assert_eq!(verified.headers().get("from"), None);
}

#[test]
fn a_signed_header_stripped_from_the_request_is_refused() {
    let mut headers = signed(&update_status_pairs("01012026T000000+0003"), &secret());
    headers.retain(|(n, _)| n != "XroadVnpt-status");
    let err = verifier()
        .verify_request(Operation::UpdateStatus, &headers, b"{}", lookup)
        .expect_err("stripped");
    assert_eq!(
        err,
        AuthError::SignedHeaderMissing {
            header: "XroadVnpt-status".into()
        }
    );
}

#[test]
fn a_wrong_secret_is_refused_with_the_documented_message() {
    let r = sdk_trace::request("getAgenciesList");
    let err = verifier()
        .verify_request(Operation::GetAgenciesList, &r.headers, b"", |_| {
            Some(VxpSecret::new("another-secret"))
        })
        .expect_err("wrong secret");
    assert!(matches!(err, AuthError::SignatureMismatch { .. }));
    assert!(
        err.to_string()
            .starts_with("XroadVnpt-hash-header does not match the signed headers")
    );
}

#[test]
fn an_unknown_system_id_is_refused_before_any_hmac() {
    let r = sdk_trace::request("getAgenciesList");
    let err = verifier()
        .verify_request(Operation::GetAgenciesList, &r.headers, b"", |_| None)
        .expect_err("unknown");
    assert_eq!(
        err,
        AuthError::UnknownSystem {
            system_id: SYSTEM_ID.into()
        }
    );
    assert!(
        err.to_string()
            .starts_with("unknown system id 000.00.99.H44")
    );
}

#[test]
fn a_replayed_send_edoc_is_refused_within_the_window_and_a_new_timestamp_is_accepted() {
    let v = verifier();
    let r = sdk_trace::request("sendEdoc");
    let body = r.body();
    v.verify_request(Operation::SendEdoc, &r.headers, &body, lookup)
        .expect("first")
        .commit();
    let err = v
        .verify_request(Operation::SendEdoc, &r.headers, &body, lookup)
        .expect_err("replay");
    assert!(
        matches!(
            err,
            AuthError::Replayed {
                operation: Operation::SendEdoc,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("was accepted "), "{err}");

    // The same call from a new service object carries a new timestamp, so a new signature.
    let mut fresh = r.headers.clone();
    let sign_header = r
        .header("XroadVnpt-sign-header")
        .replace("23112026T114833+0907", "23112026T120000+0001");
    set(&mut fresh, "XroadVnpt-timestamp", "23112026T120000+0001");
    set(
        &mut fresh,
        "XroadVnpt-hash-header",
        &hash_header(&secret(), sign_header.as_bytes()),
    );
    set(&mut fresh, "XroadVnpt-sign-header", &sign_header);
    v.verify_request(Operation::SendEdoc, &fresh, &body, lookup)
        .expect("new timestamp accepted");
}

#[test]
fn a_replay_with_the_hash_header_in_upper_case_is_still_refused() {
    let v = verifier();
    let r = sdk_trace::request("updateStatus");
    v.verify_request(Operation::UpdateStatus, &r.headers, b"{}", lookup)
        .expect("first")
        .commit();
    let mut upper = r.headers.clone();
    set(
        &mut upper,
        "XroadVnpt-hash-header",
        &r.header("XroadVnpt-hash-header").to_ascii_uppercase(),
    );
    let err = v
        .verify_request(Operation::UpdateStatus, &upper, b"{}", lookup)
        .expect_err("replay");
    assert!(matches!(err, AuthError::Replayed { .. }), "{err}");
}

#[test]
fn a_replayed_update_status_with_a_reformatted_body_is_still_refused() {
    let v = verifier();
    let r = sdk_trace::request("updateStatus");
    v.verify_request(Operation::UpdateStatus, &r.headers, b"{}", lookup)
        .expect("first")
        .commit();
    let err = v
        .verify_request(Operation::UpdateStatus, &r.headers, b"{ }", lookup)
        .expect_err("replay");
    assert!(matches!(err, AuthError::Replayed { .. }), "{err}");
}

#[test]
fn an_uncommitted_request_can_be_retried_but_not_run_twice_at_once() {
    let v = verifier();
    let r = sdk_trace::request("updateStatus");
    let first = v
        .verify_request(Operation::UpdateStatus, &r.headers, b"{}", lookup)
        .expect("first");
    let twin = v
        .verify_request(Operation::UpdateStatus, &r.headers, b"{}", lookup)
        .expect_err("in flight");
    assert!(twin.to_string().contains("still being processed"), "{twin}");
    drop(first);
    v.verify_request(Operation::UpdateStatus, &r.headers, b"{}", lookup)
        .expect("retry after a failed attempt");
}

#[test]
fn register_agency_replays_are_keyed_on_the_canonical_body() {
    let v = verifier();
    let pairs = [
        ("systemid", SYSTEM_ID),
        ("timestamp", "01012026T000000+0004"),
        ("Content-Type", "application/json"),
    ];
    let headers = signed(&pairs, &secret());
    let a = br#"{"code":"000.01.01.H41","name":"A","mail":"a@x.vn"}"#;
    let a_reordered = br#"{ "mail":"a@x.vn", "name":"A", "code":"000.01.01.H41" }"#;
    let b = br#"{"code":"000.01.02.H41","name":"B","mail":"b@x.vn"}"#;
    v.verify_request(Operation::RegisterAgency, &headers, a, lookup)
        .expect("first")
        .commit();
    v.verify_request(Operation::RegisterAgency, &headers, b, lookup)
        .expect("same service object, another agency")
        .commit();
    let err = v
        .verify_request(Operation::RegisterAgency, &headers, a_reordered, lookup)
        .expect_err("same agency again");
    assert!(matches!(err, AuthError::Replayed { .. }), "{err}");
}

#[test]
fn read_calls_may_repeat() {
    let v = verifier();
    let r = sdk_trace::request("getReceivedEdocList");
    for _ in 0..3 {
        v.verify_request(Operation::GetReceivedEdocList, &r.headers, b"", lookup)
            .expect("polling repeats the same signed request")
            .commit();
    }
}

#[test]
fn sign_header_key_must_agree_with_the_signed_keys_but_may_be_absent() {
    let mut r = sdk_trace::request("getEdoc");
    set(
        &mut r.headers,
        "XroadVnpt-sign-header-key",
        "systemid;docId;timestamp;Content-Type",
    );
    let err = verifier()
        .verify_request(Operation::GetEdoc, &r.headers, b"{}", lookup)
        .expect_err("filePath not listed");
    assert!(
        matches!(err, AuthError::SignHeaderKeyMismatch { .. }),
        "{err}"
    );

    r.headers.retain(|(n, _)| n != "XroadVnpt-sign-header-key");
    verifier()
        .verify_request(Operation::GetEdoc, &r.headers, b"{}", lookup)
        .expect("absent list is tolerated");
}

#[test]
fn a_protocol_header_sent_twice_is_refused() {
    let mut r = sdk_trace::request("getEdoc");
    r.headers
        .push(("xroadvnpt-DOCID".into(), "another-doc".into()));
    let err = verifier()
        .verify_request(Operation::GetEdoc, &r.headers, b"{}", lookup)
        .expect_err("duplicate");
    assert!(matches!(err, AuthError::DuplicateHeader { .. }), "{err}");
}

#[test]
fn missing_or_malformed_signature_headers_are_named() {
    let r = sdk_trace::request("getAgenciesList");
    for (drop_name, expected) in [
        ("XroadVnpt-systemid", "XroadVnpt-systemid"),
        ("XroadVnpt-sign-header", "XroadVnpt-sign-header"),
        ("XroadVnpt-hash-header", "XroadVnpt-hash-header"),
    ] {
        let mut headers = r.headers.clone();
        headers.retain(|(n, _)| n != drop_name);
        let err = verifier()
            .verify_request(Operation::GetAgenciesList, &headers, b"", lookup)
            .expect_err("missing");
        assert_eq!(
            err,
            AuthError::MissingHeader {
                header: expected.into()
            }
        );
    }
    let mut short = r.headers.clone();
    set(&mut short, "XroadVnpt-hash-header", "abcdef");
    assert_eq!(
        verifier()
            .verify_request(Operation::GetAgenciesList, &short, b"", lookup)
            .expect_err("short"),
        AuthError::MalformedHashHeader
    );
}

#[test]
fn a_request_without_timestamp_is_refused() {
    let pairs = [
        ("systemid", SYSTEM_ID),
        ("Content-Type", "application/json"),
    ];
    let headers = signed(&pairs, &secret());
    let err = verifier()
        .verify_request(Operation::GetAgenciesList, &headers, b"", lookup)
        .expect_err("no timestamp");
    assert_eq!(
        err,
        AuthError::MissingHeader {
            header: "XroadVnpt-timestamp".into()
        }
    );
}

#[test]
fn signed_objects_that_are_not_flat_prefixed_strings_are_refused() {
    for sign_header in [
        r#"not json"#,
        r#"["XroadVnpt-systemid"]"#,
        r#"{"XroadVnpt-systemid":1}"#,
        r#"{"systemid":"000.00.99.H44"}"#,
        r#"{"XroadVnpt-systemid":"000.00.99.H44","XroadVnpt-SYSTEMID":"000.00.99.H44"}"#,
        r#"{"XroadVnpt-systemid":"000.00.99.H44","XroadVnpt-hash-header":"x"}"#,
    ] {
        let headers = vec![
            ("XroadVnpt-systemid".to_owned(), SYSTEM_ID.to_owned()),
            ("XroadVnpt-sign-header".to_owned(), sign_header.to_owned()),
            (
                "XroadVnpt-hash-header".to_owned(),
                hash_header(&secret(), sign_header.as_bytes()),
            ),
        ];
        let err = verifier()
            .verify_request(Operation::GetAgenciesList, &headers, b"", lookup)
            .expect_err(sign_header);
        assert!(
            matches!(err, AuthError::BadSignHeader { .. }),
            "{sign_header}: {err}"
        );
    }
}

#[test]
fn freshness_is_enforced_only_when_configured() {
    let r = sdk_trace::request("getAgenciesList");
    let sent_at = parse_sdk_timestamp(r.header("XroadVnpt-timestamp"))
        .expect("trace timestamp")
        .with_timezone(&Utc);
    let strict = Verifier::new(VerifierConfig {
        max_timestamp_age: Some(Duration::from_secs(300)),
        max_timestamp_ahead: Some(Duration::from_secs(60)),
        ..VerifierConfig::default()
    });
    let at = |wall: DateTime<Utc>, v: &Verifier| {
        let claim = Claim::from_headers(Operation::GetAgenciesList, &r.headers).expect("claim");
        v.verify_at(claim, Some(&secret()), b"", Instant::now(), wall)
    };
    at(sent_at + chrono::Duration::seconds(299), &strict).expect("fresh");
    let stale = at(sent_at + chrono::Duration::seconds(301), &strict).expect_err("stale");
    assert!(
        matches!(stale, AuthError::StaleTimestamp { age_secs: 301, .. }),
        "{stale}"
    );
    let ahead = at(sent_at - chrono::Duration::seconds(61), &strict).expect_err("ahead");
    assert!(matches!(ahead, AuthError::StaleTimestamp { .. }), "{ahead}");
    at(sent_at + chrono::Duration::days(30), &verifier()).expect("default tolerates a stale SDK");
}

#[test]
fn hostile_header_bytes_never_panic() {
    let r = sdk_trace::request("sendEdoc");
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let v = verifier();
    for round in 0..2000 {
        let mut headers: Vec<(String, Vec<u8>)> = r
            .headers
            .iter()
            .map(|(n, val)| (n.clone(), val.as_bytes().to_vec()))
            .collect();
        let i = (next() as usize) % headers.len();
        let value = &mut headers[i].1;
        match round % 4 {
            0 => value.truncate((next() as usize) % (value.len() + 1)),
            1 if !value.is_empty() => {
                let j = (next() as usize) % value.len();
                value[j] = next() as u8;
            }
            2 => value.extend((0..(next() % 40)).map(|_| next() as u8)),
            _ => *value = (0..(next() % 80)).map(|_| next() as u8).collect(),
        }
        let _ = v.verify_request(Operation::SendEdoc, &headers, b"", lookup);
    }
}
