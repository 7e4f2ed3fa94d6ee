use super::*;
use crate::gateway::vxp::auth::{Verifier, VerifierConfig};
use crate::gateway::vxp::sdk_trace::{self, SECRET, SEND_EDOC_FILE, SYSTEM_ID};
use crate::gateway::vxp::wire::{
    AgencyRegistration, DeleteAgency, GetEdoc, ListQuery, SendEdoc, UpdateStatus,
};

fn client(timestamp: TimestampMode, to_form: ToForm, reuse: bool) -> VxpClient {
    let mut config =
        ClientConfig::new("http://127.0.0.1:9/vxp/", SYSTEM_ID, VxpSecret::new(SECRET));
    config.timestamp = timestamp;
    config.to_form = to_form;
    config.reuse_service_object = reuse;
    VxpClient::new(config).expect("valid endpoint")
}

fn traced_call(op: &str) -> Call<'static> {
    match op {
        "sendEdoc" => Call::SendEdoc {
            from: "000.00.00.G22",
            to: &["000.00.00.H41"],
            service_type: "eDoc",
            message_type: MessageType::Edoc,
            file: SEND_EDOC_FILE,
        },
        "getReceivedEdocList" => Call::GetReceivedEdocList {
            service_type: "eDoc",
            message_type: MessageType::Edoc,
            from_date: None,
            to_date: None,
        },
        "getEdoc" => Call::GetEdoc {
            doc_id: "abc-123",
            file_path: Some("/data/qlvb/inbox"),
        },
        "updateStatus" => Call::UpdateStatus {
            doc_id: "abc-123",
            status: "done",
            description: None,
        },
        "getAgenciesList" => Call::GetAgenciesList,
        other => panic!("no call for {other}"),
    }
}

#[test]
fn every_traced_request_is_reproduced_header_for_header_and_byte_for_byte() {
    for traced in sdk_trace::requests() {
        let c = client(
            TimestampMode::Fixed(traced.header("XroadVnpt-timestamp").to_owned()),
            ToForm::JsonString,
            false,
        );
        let prepared = c.prepare(&traced_call(&traced.op)).expect("prepares");
        assert_eq!(prepared.operation.path(), traced.op);
        assert_eq!(prepared.headers, traced.headers, "{}", traced.op);
        assert_eq!(prepared.body, traced.body(), "{}", traced.op);
    }
}

#[test]
fn a_reused_service_object_resends_earlier_keys_and_the_hub_still_accepts_it() {
    let c = client(TimestampMode::PerClient, ToForm::JsonArray, true);
    let send = c.prepare(&traced_call("sendEdoc")).expect("send");
    let list = c
        .prepare(&traced_call("getReceivedEdocList"))
        .expect("list");
    assert_eq!(list.header("XroadVnpt-from"), Some("000.00.00.G22"));
    assert_eq!(
        list.header("XroadVnpt-hash-file"),
        send.header("XroadVnpt-hash-file")
    );
    assert_eq!(list.header("Content-Type"), Some("application/json"));
    assert_eq!(
        list.header("XroadVnpt-timestamp"),
        send.header("XroadVnpt-timestamp"),
        "one timestamp per service object"
    );
    let verified = Verifier::new(VerifierConfig::default())
        .verify_request(
            Operation::GetReceivedEdocList,
            &list.headers,
            &list.body,
            |_| Some(VxpSecret::new(SECRET)),
        )
        .expect("sticky keys are signed, so they verify");
    let query = ListQuery::parse(verified.headers()).expect("list query");
    assert_eq!(query.message_type, MessageType::Edoc);

    let fresh = client(TimestampMode::PerClient, ToForm::JsonArray, false);
    fresh.prepare(&traced_call("sendEdoc")).expect("send");
    let list = fresh
        .prepare(&traced_call("getReceivedEdocList"))
        .expect("list");
    assert_eq!(list.header("XroadVnpt-from"), None);
}

#[test]
fn every_call_the_client_builds_verifies_and_parses_on_the_hub_side() {
    let c = client(TimestampMode::PerCall, ToForm::JsonArray, false);
    let verifier = Verifier::new(VerifierConfig::default());
    let verify = |p: &PreparedRequest| {
        verifier
            .verify_request(p.operation, &p.headers, &p.body, |id| {
                (id.as_str() == SYSTEM_ID).then(|| VxpSecret::new(SECRET))
            })
            .unwrap_or_else(|e| panic!("{}: {e}", p.operation))
    };

    let file = b"<edXML>\xe1\xbb\x9f</edXML>";
    let p = c
        .prepare(&Call::SendEdoc {
            from: "000.00.00.G22",
            to: &["000.00.00.H41", "000.00.01.H41"],
            service_type: "eDoc",
            message_type: MessageType::Status,
            file,
        })
        .expect("send");
    assert_eq!(
        p.header("XroadVnpt-to"),
        Some(r#"["000.00.00.H41","000.00.01.H41"]"#)
    );
    let v = verify(&p);
    let send = SendEdoc::parse(v.headers(), p.header("Content-Type"), &p.body).expect("send");
    assert_eq!(send.package, file);
    assert_eq!(send.to.len(), 2);
    assert_eq!(send.message_type, Some(MessageType::Status));

    let p = c
        .prepare(&Call::UpdateStatus {
            doc_id: "d-1",
            status: "fail",
            description: Some("không đọc được"),
        })
        .expect("update");
    let update = UpdateStatus::parse(verify(&p).headers()).expect("update");
    assert_eq!(update.description.as_deref(), Some("không đọc được"));

    let p = c
        .prepare(&Call::GetEdoc {
            doc_id: "d-1",
            file_path: None,
        })
        .expect("get");
    assert_eq!(
        GetEdoc::parse(verify(&p).headers())
            .expect("get")
            .doc_id
            .as_str(),
        "d-1"
    );

    let p = c
        .prepare(&Call::DeleteAgency {
            code: "000.01.01.H41",
        })
        .expect("delete");
    assert_eq!(p.body, b"{}");
    DeleteAgency::parse(verify(&p).headers()).expect("delete");

    let body = r#"{"code":"000.01.01.H41","name":"Sở","mail":"s@x.vn"}"#;
    let p = c.prepare(&Call::RegisterAgency { body }).expect("register");
    verify(&p);
    AgencyRegistration::parse(&p.body).expect("register body");

    let p = c
        .prepare(&Call::GetReceivedEdocList {
            service_type: "eDoc",
            message_type: MessageType::Status,
            from_date: Some("01/03/2026 00:00:00"),
            to_date: Some("02/03/2026 00:00:00"),
        })
        .expect("list");
    assert!(p.body.is_empty());
    let q = ListQuery::parse(verify(&p).headers()).expect("dates");
    assert!(q.from_date.is_some() && q.to_date.is_some());

    for call in [
        Call::CountReceiveEdoc {
            service_type: "eDoc",
            message_type: MessageType::Edoc,
        },
        Call::GetSentEdocList {
            service_type: "eDoc",
            message_type: MessageType::Edoc,
        },
        Call::GetAgenciesListQd20,
    ] {
        let p = c.prepare(&call).expect("prepares");
        verify(&p);
        let expected_body: &[u8] = if matches!(call, Call::CountReceiveEdoc { .. }) {
            b"{}"
        } else {
            b""
        };
        assert_eq!(p.body, expected_body, "{}", p.operation);
    }
}

#[test]
fn a_per_client_timestamp_is_reused_so_identical_calls_sign_identically() {
    let c = client(TimestampMode::PerClient, ToForm::JsonArray, false);
    let a = c.prepare(&traced_call("updateStatus")).expect("a");
    let b = c.prepare(&traced_call("updateStatus")).expect("b");
    assert_eq!(
        a.header("XroadVnpt-hash-header"),
        b.header("XroadVnpt-hash-header")
    );
    let ts = a.header("XroadVnpt-timestamp").expect("timestamp");
    assert!(
        crate::gateway::vxp::sign::parse_sdk_timestamp(ts).is_some(),
        "{ts}"
    );
}

#[test]
fn control_characters_in_values_are_refused_before_sending() {
    let c = client(TimestampMode::PerCall, ToForm::JsonArray, false);
    let err = c
        .prepare(&Call::GetEdoc {
            doc_id: "a\r\nX-Injected: 1",
            file_path: None,
        })
        .expect_err("header injection");
    assert!(matches!(err, ClientError::InvalidArgument { .. }), "{err}");
}

#[test]
fn endpoints_must_be_plain_http_urls() {
    for bad in [
        "https://axis.example/vxp",
        "axis.example/vxp",
        "http://h/vxp?x=1",
        "http://u:p@h/",
        "ftp://h/",
    ] {
        let err = VxpClient::new(ClientConfig::new(bad, SYSTEM_ID, VxpSecret::new(SECRET)))
            .expect_err(bad);
        assert!(
            matches!(err, ClientError::InvalidEndpoint { .. }),
            "{bad}: {err}"
        );
    }
    let ok = VxpClient::new(ClientConfig::new(
        "http://h:8080/a/b/",
        SYSTEM_ID,
        VxpSecret::new(SECRET),
    ))
    .expect("valid");
    assert_eq!(ok.address, "h:8080");
    assert_eq!(ok.base_path, "/a/b");
}

#[test]
fn refusals_are_classified_for_retry() {
    let refused = |code: &str| ClientError::Refused {
        operation: Operation::SendEdoc,
        code: code.into(),
        description: String::new(),
        http_status: 400,
    };
    assert!(refused("18").is_permanent());
    assert_eq!(
        refused("18").error_code(),
        Some(ErrorCode::UnknownRecipient)
    );
    assert!(!refused("20").is_permanent());
    assert!(
        refused("999").is_permanent(),
        "unknown codes are not retried blindly"
    );
    assert!(
        !ClientError::Timeout {
            address: "h:1".into(),
            seconds: 1
        }
        .is_permanent()
    );
}
