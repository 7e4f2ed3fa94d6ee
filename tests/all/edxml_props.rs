//! Property tests: any package the model can hold survives the canonical writer and the reader
//! unchanged, and the canonical form is a fixed point (`write(read(write(x))) == write(x)`).

use chrono::{NaiveDate, NaiveDateTime};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use truc::edxml::*;

use crate::edxml_support::read_ok;

/// Free text as the reader returns it: trimmed of XML whitespace, with markup characters,
/// Vietnamese letters and inner tabs, line feeds and carriage returns.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 &<>\"'/,.;:#()ăâđêôơưĐÊÔƠƯạảấầẩẫậắằẳẵặẹẻẽềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ\t\r\n-]{0,24}"
        .prop_map(|s| s.trim_matches([' ', '\t', '\r', '\n']).to_owned())
}

fn non_empty(re: &'static str) -> impl Strategy<Value = String> {
    re.prop_map(|s| s.trim_matches([' ', '\t', '\r', '\n']).to_owned())
        .prop_filter("non-empty after trimming", |s| !s.is_empty())
}

fn organ_id() -> impl Strategy<Value = OrganId> {
    prop_oneof![
        "[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}",
        "[0-9A-Z]{2,3}(\\.[0-9A-Z]{2,3}){1,3}",
        non_empty("[a-zA-Z0-9 .\\-Đ]{1,20}"),
    ]
    .prop_map(|s| s.parse().expect("non-empty organ id"))
}

fn document_id() -> impl Strategy<Value = DocumentId> {
    prop_oneof![
        (
            "[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}",
            date(),
            "[0-9]{1,5}/[A-ZĐ\\-]{2,12}"
        )
            .prop_map(|(o, d, n)| format!("{o},{},{n}", d.format("%Y/%m/%d"))),
        non_empty("[a-zA-Z0-9 ,./\\-Đ]{1,30}"),
    ]
    .prop_map(|s| s.parse().expect("non-empty document id"))
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (1900i32..2100, 1u32..=12, 1u32..=28)
        .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).expect("valid"))
}

fn ed_date() -> impl Strategy<Value = EdDate> {
    prop_oneof![
        4 => date().prop_map(EdDate::Valid),
        // Text that is not a date in any accepted format is kept as written.
        1 => "[a-z]{1,6}/[0-9]{1,3}".prop_map(EdDate::Invalid),
    ]
}

fn ed_datetime() -> impl Strategy<Value = EdDateTime> {
    prop_oneof![
        4 => (date(), 0u32..24, 0u32..60, 0u32..60).prop_map(|(d, h, m, s)| {
            EdDateTime::Valid(NaiveDateTime::new(d, chrono::NaiveTime::from_hms_opt(h, m, s).expect("valid")))
        }),
        1 => "[a-z]{1,6} [0-9]{1,2}h".prop_map(EdDateTime::Invalid),
    ]
}

fn organ() -> impl Strategy<Value = Organ> {
    (
        option::of(organ_id()),
        text(),
        text(),
        text(),
        text(),
        text(),
        text(),
        text(),
    )
        .prop_map(
            |(
                organ_id,
                organization_in_charge,
                organ_name,
                organ_add,
                email,
                telephone,
                fax,
                website,
            )| Organ {
                organ_id,
                organization_in_charge,
                organ_name,
                organ_add,
                email,
                telephone,
                fax,
                website,
            },
        )
}

fn response_for() -> impl Strategy<Value = ResponseFor> {
    (
        option::of(organ_id()),
        text(),
        option::of(ed_date()),
        option::of(document_id()),
    )
        .prop_map(
            |(organ_id, code, promulgation_date, document_id)| ResponseFor {
                organ_id,
                code,
                promulgation_date,
                document_id,
            },
        )
}

fn trace() -> impl Strategy<Value = TraceHeader> {
    (option::of(organ_id()), option::of(ed_datetime())).prop_map(|(organ_id, timestamp)| {
        TraceHeader {
            organ_id,
            timestamp,
        }
    })
}

fn staff() -> impl Strategy<Value = StaffInfo> {
    (text(), text(), text(), text()).prop_map(|(department, staff, mobile, email)| StaffInfo {
        department,
        staff,
        mobile,
        email,
    })
}

fn business() -> impl Strategy<Value = Business> {
    let action = prop_oneof![
        Just(BusinessAction::New),
        Just(BusinessAction::Revoke),
        Just(BusinessAction::Update),
        Just(BusinessAction::Replace),
        "[4-9]".prop_map(BusinessAction::Other),
    ];
    let receiver = (
        option::of(organ_id()),
        option::of(prop_oneof![
            Just(ReceiverChange::Removed),
            Just(ReceiverChange::Added),
            "[2-9]".prop_map(ReceiverChange::Other),
        ]),
    )
        .prop_map(|(organ_id, change)| Receiver { organ_id, change });
    let info = (text(), text(), vec(receiver, 0..3)).prop_map(
        |(document_info, document_receiver, receivers)| BusinessDocumentInfo {
            document_info,
            document_receiver,
            receivers,
        },
    );
    let replacement =
        (option::of(document_id()), vec(organ_id(), 0..3)).prop_map(|(document_id, organ_ids)| {
            ReplacementInfo {
                document_id,
                organ_ids,
            }
        });
    (
        option::of(document_id()),
        option::of(action),
        text(),
        text(),
        option::of(info),
        vec(replacement, 0..2),
        option::of(staff()),
    )
        .prop_map(
            |(document_id, action, reason, paper, document_info, replacements, staff)| Business {
                document_id,
                action,
                reason,
                paper,
                document_info,
                replacements,
                staff,
            },
        )
}

/// Attachments with unique content ids and their bytes; zipped ones carry the §5 labels.
fn attachments() -> impl Strategy<Value = Vec<(Attachment, Vec<u8>)>> {
    let one = (
        "[a-z0-9\\-]{1,12}",
        non_empty("[a-zA-Z0-9 _\\-ăđ]{1,16}"),
        text(),
        prop_oneof![
            Just("application/pdf".to_owned()),
            Just("text/plain".to_owned()),
            "[a-z]{1,8}/[a-z]{1,8}"
        ],
        option::of(non_empty("[a-z]{1,5}")),
        vec(any::<u8>(), 0..3000),
        any::<bool>(),
    );
    vec(one, 0..4).prop_map(|items| {
        items
            .into_iter()
            .enumerate()
            .map(
                |(i, (cid, stem, description, ctype, format, bytes, zipped))| {
                    let (name, content_type) = if zipped {
                        (format!("{stem}.doc"), "application/zip".to_owned())
                    } else {
                        (format!("{stem}.bin"), ctype)
                    };
                    let att = Attachment {
                        content_id: format!("{cid}-{i}"),
                        name,
                        description,
                        content_type,
                        format,
                        size: bytes.len() as u64,
                        sha256: Sha256::of(&bytes),
                        zipped,
                    };
                    (att, bytes)
                },
            )
            .collect()
    })
}

fn document() -> impl Strategy<Value = (Document, MemorySink)> {
    let header = (
        organ(),
        vec(organ(), 0..3),
        (text(), text()),
        (text(), option::of(ed_date())),
        (text(), text(), text()),
        (text(), text()),
        (text(), text(), text()),
        option::of(ed_date()),
        vec(text(), 0..3),
    );
    let other = (
        option::of(prop_oneof![
            Just(Priority::Normal),
            Just(Priority::Urgent),
            Just(Priority::VeryUrgent),
            Just(Priority::Express),
            Just(Priority::ExpressTimed),
            "[5-9][0-9]?".prop_map(Priority::Other),
        ]),
        (text(), text(), text(), text(), text()),
        vec(text(), 0..3),
    );
    let rest = (
        vec(response_for(), 0..2),
        option::of(
            non_empty("[0-9a-zA-Z ]{1,4}")
                .prop_map(|s| s.parse::<SteeringType>().expect("infallible")),
        ),
        option::of(document_id()),
        option::of(non_empty("[A-Z_]{1,10}")),
        vec(trace(), 0..3),
        option::of(business()),
        attachments(),
    );
    (header, other, rest).prop_map(|(h, o, r)| {
        let (
            from,
            to,
            (number, notation),
            (place, pdate),
            (type_code, type_name, type_detail),
            (subject, content),
            (competence, position, full_name),
            due_date,
            to_places,
        ) = h;
        let (priority, (sphere, typer, pamount, pages, direction), appendixes) = o;
        let (response_for, steering_type, document_id, application_type, traces, business, atts) =
            r;
        let mut store = MemorySink::new();
        let mut attachments = Vec::new();
        for (a, bytes) in atts {
            store.insert(a.content_id.clone(), bytes);
            attachments.push(a);
        }
        let doc = Document {
            from,
            to,
            code: Code { number, notation },
            promulgation: PromulgationInfo { place, date: pdate },
            document_type: DocumentType {
                type_code,
                type_name,
                type_detail,
            },
            subject,
            content,
            signer: SignerInfo {
                competence,
                position,
                full_name,
            },
            due_date,
            to_places,
            other_info: OtherInfo {
                priority,
                sphere_of_promulgation: sphere,
                typer_notation: typer,
                promulgation_amount: pamount,
                page_amount: pages,
                direction,
                appendixes,
            },
            response_for,
            steering_type,
            document_id,
            application_type,
            traces,
            business,
            attachments,
        };
        (doc, store)
    })
}

fn status() -> impl Strategy<Value = Status> {
    let code = prop_oneof![
        Just(StatusCode::Arrived),
        Just(StatusCode::Rejected),
        Just(StatusCode::Accepted),
        Just(StatusCode::Assigned),
        Just(StatusCode::Processing),
        Just(StatusCode::Completed),
        Just(StatusCode::RevokeRequested),
        Just(StatusCode::ChangeAccepted),
        Just(StatusCode::ChangeRefused),
        "[7-9][0-9]".prop_map(StatusCode::Other),
    ];
    (
        organ(),
        option::of(response_for()),
        option::of(staff()),
        option::of(code),
        text(),
        option::of(ed_datetime()),
        vec(trace(), 0..2),
    )
        .prop_map(
            |(from, response_for, staff, status_code, description, timestamp, traces)| Status {
                from,
                response_for,
                staff,
                status_code,
                description,
                timestamp,
                traces,
            },
        )
}

fn package() -> impl Strategy<Value = (Package, MemorySink)> {
    prop_oneof![
        3 => document().prop_map(|(d, s)| (Package::Document(Box::new(d)), s)),
        1 => status().prop_map(|s| (Package::Status(Box::new(s)), MemorySink::new())),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn generated_packages_round_trip_through_writer_and_reader((pkg, store) in package()) {
        let written = write_to_vec(&pkg, &store).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (back, back_store) = read_ok(&written);
        prop_assert_eq!(&back, &pkg);
        if let Package::Document(d) = &pkg {
            for a in &d.attachments {
                prop_assert_eq!(back_store.get(&a.content_id), store.get(&a.content_id));
            }
        }
        let again = write_to_vec(&back, &back_store).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(again == written, "write(read(write(x))) differs from write(x)");
    }

    #[test]
    fn reading_arbitrary_bytes_never_panics(bytes in vec(any::<u8>(), 0..2048)) {
        let _ = read_bytes(&bytes, &mut NullSink, &Limits::default());
    }

    #[test]
    fn mutated_packages_never_panic_and_what_reads_writes_back(
        (pkg, store) in package(),
        pos in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let mut bytes = write_to_vec(&pkg, &store).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let at = pos.index(bytes.len());
        bytes[at] = byte;
        let mut sink = MemorySink::new();
        if let Ok(mutated) = read_bytes(&bytes, &mut sink, &Limits::default()) {
            let _ = validate(&mutated, &crate::edxml_support::ctx());
            let written = write_to_vec(&mutated, &sink).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let (back, _) = read_ok(&written);
            prop_assert_eq!(back, mutated);
        }
    }
}
