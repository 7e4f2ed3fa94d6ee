use super::*;
use chrono::TimeZone;

fn json<T: Serialize>(t: &T) -> String {
    String::from_utf8(to_body(t)).expect("ASCII")
}

#[test]
fn success_answers_have_the_exact_sdk_field_names() {
    assert_eq!(
        json(&send_edoc_ok("D-1")),
        r#"{"status":"OK","ErrorCode":"0","ErrorDesc":"Success","DocId":"D-1"}"#
    );
    assert_eq!(
        json(&count_ok(7)),
        r#"{"status":"OK","ErrorCode":"0","ErrorDesc":"Success","count":7}"#
    );
    assert_eq!(
        json(&BasicAnswer::ok(NoPayload {})),
        r#"{"status":"OK","ErrorCode":"0","ErrorDesc":"Success"}"#
    );
    assert_eq!(
        json(&edoc_ok(b"<edXML/>")),
        r#"{"status":"OK","ErrorCode":"0","ErrorDesc":"Success","data":"PGVkWE1MLz4="}"#
    );
}

#[test]
fn received_list_items_use_the_sdk_keys_in_order() {
    let item = ReceivedItem {
        doc_id: "d1".into(),
        service_type: "eDoc".into(),
        message_type: "edoc".into(),
        created_time: "01/03/2026 08:00:00".into(),
        updated_time: "01/03/2026 08:00:01".into(),
        from: "000.00.00.G22".into(),
        to: "000.00.00.H41".into(),
        status: "initial".into(),
        status_desc: "Chưa nhận".into(),
    };
    assert_eq!(
        json(&list_ok(vec![item])),
        concat!(
            r#"{"status":"OK","ErrorCode":"0","ErrorDesc":"Success","data":[{"docId":"d1","#,
            r#""serviceType":"eDoc","messageType":"edoc","created_time":"01/03/2026 08:00:00","#,
            r#""updated_time":"01/03/2026 08:00:01","from":"000.00.00.G22","to":"000.00.00.H41","#,
            r#""status":"initial","status_desc":"Ch\u01b0a nh\u1eadn"}]}"#
        )
    );
}

#[test]
fn sent_list_and_directory_items_use_the_sdk_keys_and_omit_unknowns() {
    let sent = serde_json::to_value(SentItem::default()).expect("json");
    let keys: Vec<&str> = sent
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "serviceType",
        "messageType",
        "senderDocId",
        "receiverDocId",
        "fromCode",
        "toCode",
        "title",
        "notation",
        "sentTime",
        "receivedTime",
        "sendStatus",
        "sendStatusDesc",
        "receiveStatus",
        "receiveStatusDesc",
    ];
    let mut keys_sorted = keys.clone();
    keys_sorted.sort_unstable();
    expected.sort_unstable();
    assert_eq!(keys_sorted, expected);

    let agency = AgencyItem {
        id: "1".into(),
        pid: None,
        code: "000.00.00.G22".into(),
        name: "Văn phòng Chính phủ".into(),
        mail: Some("vpcp@chinhphu.vn".into()),
        old_code: Some("000.00.00.G01".into()),
    };
    assert_eq!(
        json(&agency),
        r#"{"id":"1","code":"000.00.00.G22","name":"V\u0103n ph\u00f2ng Ch\u00ednh ph\u1ee7","mail":"vpcp@chinhphu.vn","oldCode":"000.00.00.G01"}"#
    );
    let qd20 = AgencyQd20Item {
        id: "2".into(),
        code: "H41".into(),
        name: "X".into(),
        mail: None,
        code102: Some("000.00.00.H41".into()),
    };
    assert_eq!(
        json(&qd20),
        r#"{"id":"2","code":"H41","name":"X","code102":"000.00.00.H41"}"#
    );
}

#[test]
fn failures_carry_every_field_the_sdk_reads_unconditionally() {
    for op in Operation::ALL {
        let v = failure(
            op,
            ErrorCode::Unauthenticated,
            "XroadVnpt-hash-header does not match",
        );
        let o = v.as_object().expect("object");
        for key in ["status", "ErrorCode", "ErrorDesc"] {
            assert!(o.get(key).is_some_and(|v| v.is_string()), "{op}: {key}");
        }
        assert_eq!(o["status"], "FAIL");
        assert_eq!(o["ErrorCode"], "15");
        match op {
            Operation::SendEdoc => assert_eq!(o["DocId"], ""),
            Operation::GetEdoc => assert_eq!(o["data"], ""),
            Operation::CountReceiveEdoc | Operation::CountReceiveStatus => {
                assert_eq!(o["count"], 0)
            }
            Operation::GetReceivedEdocList
            | Operation::GetSentEdocList
            | Operation::GetAgenciesList
            | Operation::GetAgenciesListQd20 => assert_eq!(o["data"], serde_json::json!([])),
            _ => assert_eq!(o.len(), 3, "{op}"),
        }
        assert!(!v.to_string().contains("null"), "{op}: {v}");
    }
}

#[test]
fn bodies_are_pure_ascii_and_decode_back_to_the_same_text() {
    let a = BasicAnswer::failure(ErrorCode::NotFound, "Không tìm thấy văn bản 📄");
    let body = to_body(&a);
    assert!(body.is_ascii());
    let back: BasicAnswer = serde_json::from_slice(&body).expect("parses");
    assert_eq!(back, a);
    assert!(
        String::from_utf8_lossy(&body).contains(r"\ud83d\udcc4"),
        "surrogate pair"
    );
}

#[test]
fn answers_from_other_axes_decode_leniently() {
    let a: SendEdocAnswer =
        serde_json::from_str(r#"{"status":"SUCCESS","ErrorCode":0,"DocId":12345,"extra":{"x":1}}"#)
            .expect("lenient");
    assert_eq!(a.error_code, "0");
    assert_eq!(a.error_desc, "");
    assert_eq!(a.payload.doc_id, "12345");
    assert!(a.is_success());

    let c: CountAnswer =
        serde_json::from_str(r#"{"status":"OK","ErrorCode":"0","ErrorDesc":null,"count":"4"}"#)
            .expect("count as string");
    assert_eq!(c.payload.count, 4);

    let l: ReceivedListAnswer =
        serde_json::from_str(r#"{"status":"FAIL","ErrorCode":"15","ErrorDesc":"x","data":null}"#)
            .expect("null data");
    assert!(l.payload.data.is_empty());
    assert!(!l.is_success());

    let items: AgenciesAnswer = serde_json::from_str(
        r#"{"status":"OK","ErrorCode":"0","ErrorDesc":"","data":[{"id":1,"pid":null,"code":"A","name":"B","unknown":true}]}"#,
    )
    .expect("items");
    assert_eq!(items.payload.data[0].id, "1");
    assert_eq!(items.payload.data[0].pid, None);

    assert!(serde_json::from_str::<CountAnswer>(r#"{"count":"many"}"#).is_err());
    assert!(
        !serde_json::from_str::<BasicAnswer>(r#"{"status":"FAIL","ErrorCode":"0"}"#)
            .expect("parses")
            .is_success()
    );
}

#[test]
fn the_error_code_table_is_consistent() {
    let mut seen = std::collections::HashSet::new();
    for code in ErrorCode::ALL {
        assert!(seen.insert(code.as_str()), "duplicate {code}");
        assert_eq!(ErrorCode::from_wire(code.as_str()), Some(code));
        assert_ne!(code.as_str(), "100", "100 is the SDK's own code");
    }
    assert_eq!(ErrorCode::from_wire("100"), None);
    let transient: Vec<_> = ErrorCode::ALL
        .into_iter()
        .filter(|c| *c != ErrorCode::Ok && !c.is_permanent())
        .collect();
    assert_eq!(transient, [ErrorCode::Internal]);
    assert_eq!(ErrorCode::Ok.http_status(), 200);
    assert!(
        ErrorCode::ALL
            .into_iter()
            .filter(|c| *c != ErrorCode::Ok && *c != ErrorCode::Internal)
            .all(|c| (400..500).contains(&c.http_status()))
    );
}

#[test]
fn auth_and_wire_errors_map_to_their_codes() {
    let replay = AuthError::Replayed {
        operation: Operation::SendEdoc,
        when: "accepted 1 s ago".into(),
    };
    assert_eq!(ErrorCode::from(&replay), ErrorCode::Replayed);
    assert_eq!(
        ErrorCode::from(&AuthError::MalformedHashHeader),
        ErrorCode::Unauthenticated
    );
    assert_eq!(
        ErrorCode::from(&WireError::HashFileMismatch {
            declared: "a".into(),
            computed: "b".into()
        }),
        ErrorCode::HashFileMismatch
    );
    assert_eq!(
        ErrorCode::from(&WireError::EmptyPackage),
        ErrorCode::InvalidPackage
    );
    assert_eq!(
        ErrorCode::from(&WireError::MissingHeader {
            header: "XroadVnpt-from".into()
        }),
        ErrorCode::BadRequest
    );
}

#[test]
fn list_times_are_vietnam_local_in_the_filter_format() {
    let at = Utc
        .with_ymd_and_hms(2026, 2, 28, 20, 5, 9)
        .single()
        .expect("valid");
    assert_eq!(vxp_time(at), "01/03/2026 03:05:09");
}
