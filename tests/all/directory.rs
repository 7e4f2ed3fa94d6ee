//! The directory against real stores: every behaviour runs on SQLite and on PostgreSQL.

use std::sync::Mutex;

use sha2::{Digest, Sha256};
use sqlx::Row;
use truc::directory::{
    Agency, AgencyFilter, Directory, DirectoryError, ImportReport, Mode, NewAgency, NewEndpoint,
    Records, Resolution, Unit, Upserted, sample_directory, write_csv,
};

/// Runs each named `async fn(Directory)` as two tests, `<name>::sqlite` and `<name>::postgres`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let store = crate::backends::sqlite().await;
                super::$name(truc::directory::Directory::new(store.store.clone())).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let store = crate::backends::postgres().await;
                super::$name(truc::directory::Directory::new(store.store.clone())).await;
            }
        }
    )*};
}

on_both_backends!(
    agencies_are_upserted_found_and_deleted,
    a_renumbered_agency_is_found_by_its_former_code_and_keeps_its_endpoint,
    the_tree_follows_only_existing_rows,
    resolve_answers_every_code_in_order_with_unknown_ones_marked,
    invalid_codes_are_refused_with_a_clear_message,
    api_keys_are_stored_only_as_hashes,
    rotating_a_key_invalidates_the_old_one,
    vxp_system_ids_find_their_endpoint_and_secret,
    an_agency_is_hosted_by_one_endpoint_and_moving_it_is_explicit,
    two_endpoints_hosting_one_agency_at_once_cannot_both_win,
    adapter_bindings_are_checked_and_stored,
    csv_import_reports_bad_rows_by_line_and_keeps_the_good_ones,
    vxp_json_import_turns_pids_into_parent_codes_and_renumbers,
    an_import_renumbers_only_codes_it_no_longer_lists_and_only_once,
    qd20_json_import_completes_agencies_by_code102,
    reimporting_updates_without_duplicating,
    listing_pages_by_code_with_filters,
);

fn agency(code: &str, name: &str, parent: Option<&str>) -> NewAgency {
    NewAgency {
        code: code.into(),
        name: name.into(),
        parent_code: parent.map(Into::into),
        email: format!("{}@example.gov.vn", code.replace('.', "")),
        ..NewAgency::default()
    }
}

fn pull(name: &str, agencies: &[&str]) -> NewEndpoint {
    NewEndpoint {
        name: name.into(),
        mode: Mode::Pull,
        agencies: agencies.iter().map(|c| c.to_string()).collect(),
        vxp: None,
        adapter: None,
    }
}

fn codes(agencies: &[Agency]) -> Vec<&str> {
    agencies.iter().map(|a| a.code.as_str()).collect()
}

fn strings(codes: &[&str]) -> Vec<String> {
    codes.iter().map(|c| c.to_string()).collect()
}

async fn import_text(dir: &Directory, text: &str) -> ImportReport {
    let records = Records::read(
        text.as_bytes(),
        truc::directory::Format::sniff(text.as_bytes()),
    )
    .expect("the file is readable as a whole");
    dir.import(records, &|_| {}).await.expect("the import runs")
}

async fn agencies_are_upserted_found_and_deleted(dir: Directory) {
    let mut stc = agency(
        "000.00.11.H53",
        "Sở Tài chính tỉnh Tây Ninh",
        Some("000.00.00.H53"),
    );
    stc.qd20_code = Some("H53.11".into());
    assert_eq!(dir.upsert_agency(&stc).await.unwrap(), Upserted::Inserted);

    let found = dir
        .agency("000.00.11.H53")
        .await
        .unwrap()
        .expect("found by code");
    assert_eq!(found.name, "Sở Tài chính tỉnh Tây Ninh");
    assert_eq!(found.parent_code.as_deref(), Some("000.00.00.H53"));
    assert_eq!(found.qd20_code.as_deref(), Some("H53.11"));
    assert_eq!(found.email, "0000011H53@example.gov.vn");
    assert_eq!(found.endpoint, None);

    // A second write updates the row; blank optional fields keep what is stored.
    let renamed = NewAgency {
        code: " 000.00.11.H53 ".into(),
        name: "Sở Tài chính".into(),
        ..NewAgency::default()
    };
    assert_eq!(
        dir.upsert_agency(&renamed).await.unwrap(),
        Upserted::Updated
    );
    let found = dir.agency("000.00.11.H53").await.unwrap().unwrap();
    assert_eq!(found.name, "Sở Tài chính");
    assert_eq!(found.parent_code.as_deref(), Some("000.00.00.H53"));
    assert_eq!(found.qd20_code.as_deref(), Some("H53.11"));
    assert_eq!(found.email, "0000011H53@example.gov.vn");
    assert_eq!(dir.count().await.unwrap(), 1);

    assert_eq!(dir.agency("000.00.12.H53").await.unwrap(), None);
    dir.delete_agency("000.00.11.H53").await.unwrap();
    assert_eq!(dir.agency("000.00.11.H53").await.unwrap(), None);
    assert!(matches!(
        dir.delete_agency("000.00.11.H53").await,
        Err(DirectoryError::UnknownAgency(c)) if c == "000.00.11.H53"
    ));
    assert_eq!(dir.count().await.unwrap(), 0);
}

async fn a_renumbered_agency_is_found_by_its_former_code_and_keeps_its_endpoint(dir: Directory) {
    let mut district = agency("000.00.24.H44", "UBND huyện Cẩm Khê", Some("000.00.00.H44"));
    district.qd20_code = Some("H44.24".into());
    dir.upsert_agency(&district).await.unwrap();
    dir.upsert_agency(&agency(
        "000.46.24.H44",
        "UBND xã Tiên Lương",
        Some("000.00.24.H44"),
    ))
    .await
    .unwrap();
    let (endpoint, _) = dir
        .add_endpoint(&pull("qlvb-cam-khe", &["000.00.24.H44"]))
        .await
        .unwrap();

    // The district is renumbered 24 → 25; the new row names its former code.
    let mut renumbered = agency("000.00.25.H44", "UBND huyện Cẩm Khê", Some("000.00.00.H44"));
    renumbered.old_code = Some("000.00.24.H44".into());
    assert_eq!(
        dir.upsert_agency(&renumbered).await.unwrap(),
        Upserted::Renumbered {
            from: "000.00.24.H44".into()
        }
    );

    let by_old = dir
        .agency("000.00.24.H44")
        .await
        .unwrap()
        .expect("found by former code");
    assert_eq!(by_old.code, "000.00.25.H44");
    assert_eq!(by_old.old_code.as_deref(), Some("000.00.24.H44"));
    assert_eq!(
        by_old.qd20_code.as_deref(),
        Some("H44.24"),
        "the QĐ 20 code moved along"
    );
    assert_eq!(
        by_old.endpoint.as_deref(),
        Some("qlvb-cam-khe"),
        "the hosting moved along"
    );
    assert_eq!(
        dir.count().await.unwrap(),
        2,
        "the former row is gone, not duplicated"
    );
    assert_eq!(
        codes(&dir.children("000.00.25.H44").await.unwrap()),
        ["000.46.24.H44"]
    );
    assert_eq!(
        dir.hosted_agencies(endpoint.id).await.unwrap(),
        ["000.00.25.H44"]
    );

    let resolved = dir.resolve(&strings(&["000.00.24.H44"])).await.unwrap();
    match &resolved[..] {
        [
            Resolution::Found {
                requested,
                agency,
                endpoint: Some(host),
            },
        ] => {
            assert_eq!(requested, "000.00.24.H44");
            assert_eq!(agency, "000.00.25.H44");
            assert_eq!(host.name, "qlvb-cam-khe");
            assert_eq!(host.id, endpoint.id);
        }
        other => panic!("expected the renumbered agency and its endpoint, got {other:?}"),
    }
}

async fn the_tree_follows_only_existing_rows(dir: Directory) {
    // Imported children first, as the real directory arrives in arbitrary order.
    for a in [
        agency(
            "001.46.24.H44",
            "Trường Tiểu học xã Tiên Lương",
            Some("000.46.24.H44"),
        ),
        agency("000.46.24.H44", "UBND xã Tiên Lương", Some("000.00.24.H44")),
        agency("000.47.24.H44", "UBND xã Tuy Lộc", Some("000.00.24.H44")),
        agency("000.00.24.H44", "UBND huyện Cẩm Khê", Some("000.00.00.H44")),
        agency("000.00.00.H44", "UBND tỉnh Phú Thọ", None),
        agency("000.01.90.H44", "UBND xã cũ", Some("000.00.90.H44")),
    ] {
        dir.upsert_agency(&a).await.unwrap();
    }
    assert_eq!(
        codes(&dir.children("000.00.00.H44").await.unwrap()),
        ["000.00.24.H44"]
    );
    assert_eq!(
        codes(&dir.children("000.00.24.H44").await.unwrap()),
        ["000.46.24.H44", "000.47.24.H44"]
    );
    assert_eq!(
        codes(&dir.ancestors("001.46.24.H44").await.unwrap()),
        ["000.46.24.H44", "000.00.24.H44", "000.00.00.H44"]
    );
    assert!(dir.ancestors("000.00.00.H44").await.unwrap().is_empty());
    // Its parent is not in the directory: the chain stops there.
    assert!(dir.ancestors("000.01.90.H44").await.unwrap().is_empty());
    dir.upsert_agency(&agency(
        "000.00.90.H44",
        "UBND huyện cũ",
        Some("000.00.00.H44"),
    ))
    .await
    .unwrap();
    assert_eq!(
        codes(&dir.ancestors("000.01.90.H44").await.unwrap()),
        ["000.00.90.H44", "000.00.00.H44"]
    );
    assert!(matches!(
        dir.ancestors("000.99.24.H44").await,
        Err(DirectoryError::UnknownAgency(_))
    ));
}

async fn resolve_answers_every_code_in_order_with_unknown_ones_marked(dir: Directory) {
    dir.upsert_agency(&agency("000.00.00.G22", "Văn phòng Chính phủ", None))
        .await
        .unwrap();
    dir.upsert_agency(&agency("000.00.00.H41", "UBND tỉnh Nghệ An", None))
        .await
        .unwrap();
    // Two agencies split from one former code: that code names neither.
    for code in ["000.01.31.H41", "000.02.31.H41"] {
        let mut a = agency(code, "UBND xã mới", None);
        a.old_code = Some("000.01.30.H41".into());
        dir.upsert_agency(&a).await.unwrap();
    }
    let (vpcp, _) = dir
        .add_endpoint(&pull("vpcp", &["000.00.00.G22"]))
        .await
        .unwrap();

    let asked = strings(&[
        "000.00.00.G22",
        "000.00.00.H99",
        " 000.00.00.H41",
        "000.01.30.H41",
        "000.00.00.G22",
    ]);
    let resolved = dir.resolve(&asked).await.unwrap();
    assert_eq!(
        resolved.len(),
        asked.len(),
        "one answer per code asked, in order"
    );
    assert_eq!(
        resolved[0].hosting().map(|h| (h.id, h.mode)),
        Some((vpcp.id, Mode::Pull))
    );
    assert_eq!(
        resolved[1],
        Resolution::Unknown {
            requested: "000.00.00.H99".into()
        }
    );
    assert_eq!(
        resolved[2],
        Resolution::Found {
            requested: "000.00.00.H41".into(),
            agency: "000.00.00.H41".into(),
            endpoint: None
        },
        "known but hosted by no endpoint"
    );
    assert_eq!(
        resolved[3],
        Resolution::Ambiguous {
            requested: "000.01.30.H41".into(),
            candidates: strings(&["000.01.31.H41", "000.02.31.H41"])
        }
    );
    assert_eq!(resolved[4], resolved[0]);
    assert!(matches!(
        dir.agency("000.01.30.H41").await,
        Err(DirectoryError::AmbiguousFormerCode { candidates, .. }) if candidates.len() == 2
    ));
    assert!(dir.resolve(&[]).await.unwrap().is_empty());
}

async fn invalid_codes_are_refused_with_a_clear_message(dir: Directory) {
    let err = dir
        .upsert_agency(&agency("000.00.00.g22", "Văn phòng Chính phủ", None))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("code `000.00.00.g22`"), "{err}");
    assert!(err.contains("LLL.KK.JJ.XNN"), "{err}");

    let err = dir
        .upsert_agency(&agency(
            "000.46.24.H44",
            "UBND xã",
            Some("5b864a15e4b03a0fe7d685b0"),
        ))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("parent_code `5b864a15e4b03a0fe7d685b0`"),
        "{err}"
    );

    let mut bad_qd20 = agency("000.46.24.H44", "UBND xã", None);
    bad_qd20.qd20_code = Some("h44 24".into());
    let err = dir.upsert_agency(&bad_qd20).await.unwrap_err().to_string();
    assert!(
        err.contains("qd20_code `h44 24`") && err.contains("H37.02.02"),
        "{err}"
    );

    assert!(matches!(
        dir.upsert_agency(&agency("000.46.24.H44", "  ", None)).await,
        Err(DirectoryError::MissingName { code }) if code == "000.46.24.H44"
    ));
    assert_eq!(dir.count().await.unwrap(), 0, "nothing refused was stored");
    // Irregular directory codes are tolerated (§3.3).
    dir.upsert_agency(&agency("02.44.W00", "Đơn vị thử nghiệm", None))
        .await
        .unwrap();
}

async fn api_keys_are_stored_only_as_hashes(dir: Directory) {
    dir.upsert_agency(&agency("000.00.00.H53", "UBND tỉnh Tây Ninh", None))
        .await
        .unwrap();
    let (endpoint, credentials) = dir
        .add_endpoint(&pull("tay-ninh", &["000.00.00.H53"]))
        .await
        .unwrap();
    let key = credentials.api_key.clone();
    assert!(key.starts_with("truc_") && key.len() == 48, "{key}");
    assert!(
        !format!("{credentials:?}").contains(&key),
        "Debug hides the key"
    );

    let row = sqlx::query(
        "SELECT name, mode, api_key_hash, vxp_system_id, vxp_secret, adapter, adapter_config, granted_origins \
         FROM endpoints WHERE id = $1",
    )
    .bind(endpoint.id)
    .fetch_one(dir.store().pool())
    .await
    .unwrap();
    let stored_hash: String = row.try_get("api_key_hash").unwrap();
    assert_eq!(stored_hash, hex::encode(Sha256::digest(key.as_bytes())));
    for column in [
        "name",
        "mode",
        "api_key_hash",
        "vxp_system_id",
        "vxp_secret",
        "adapter",
        "adapter_config",
        "granted_origins",
    ] {
        let value: Option<String> = row.try_get(column).unwrap();
        assert!(
            !value.unwrap_or_default().contains(&key[5..]),
            "{column} holds the raw key"
        );
    }

    let found = dir
        .endpoint_by_api_key(&key)
        .await
        .unwrap()
        .expect("the key authenticates");
    assert_eq!(found, endpoint);
    assert_eq!(found.mode, Mode::Pull);
    let mut wrong = key.clone();
    wrong.replace_range(10..11, if &key[10..11] == "A" { "B" } else { "A" });
    assert_eq!(dir.endpoint_by_api_key(&wrong).await.unwrap(), None);
    assert_eq!(
        dir.endpoint_by_api_key(&stored_hash).await.unwrap(),
        None,
        "the hash is no key"
    );
    assert_eq!(dir.endpoint_by_api_key("").await.unwrap(), None);
}

async fn rotating_a_key_invalidates_the_old_one(dir: Directory) {
    let (endpoint, old) = dir.add_endpoint(&pull("nghe-an", &[])).await.unwrap();
    let new = dir.rotate_key("nghe-an").await.unwrap();
    assert_ne!(new.api_key, old.api_key);
    assert_eq!(dir.endpoint_by_api_key(&old.api_key).await.unwrap(), None);
    assert_eq!(
        dir.endpoint_by_api_key(&new.api_key)
            .await
            .unwrap()
            .map(|e| e.id),
        Some(endpoint.id)
    );
    assert!(matches!(
        dir.rotate_key("khong-co").await,
        Err(DirectoryError::UnknownEndpoint(n)) if n == "khong-co"
    ));
}

async fn vxp_system_ids_find_their_endpoint_and_secret(dir: Directory) {
    let mut sdk = pull("qlvb-sdk", &[]);
    sdk.vxp = Some((
        "000.00.99.H44".into(),
        "c2VjcmV0LWlzc3VlZC1ieS10aGUtYXhpcy1vcGVyYXRvcg==".into(),
    ));
    let (endpoint, _) = dir.add_endpoint(&sdk).await.unwrap();
    assert_eq!(endpoint.vxp_system_id.as_deref(), Some("000.00.99.H44"));

    let (found, secret) = dir
        .endpoint_by_vxp_system("000.00.99.H44")
        .await
        .unwrap()
        .expect("found by system id");
    assert_eq!(found.id, endpoint.id);
    assert_eq!(secret, "c2VjcmV0LWlzc3VlZC1ieS10aGUtYXhpcy1vcGVyYXRvcg==");
    assert_eq!(
        dir.endpoint_by_vxp_system("000.00.98.H44").await.unwrap(),
        None
    );

    let mut twin = pull("qlvb-sdk-2", &[]);
    twin.vxp = Some(("000.00.99.H44".into(), "other".into()));
    assert!(matches!(
        dir.add_endpoint(&twin).await,
        Err(DirectoryError::VxpSystemTaken { endpoint, .. }) if endpoint == "qlvb-sdk"
    ));
    let mut no_secret = pull("qlvb-sdk-3", &[]);
    no_secret.vxp = Some(("000.00.97.H44".into(), " ".into()));
    let err = dir.add_endpoint(&no_secret).await.unwrap_err().to_string();
    assert!(err.contains("secret"), "{err}");
    assert_eq!(dir.endpoints().await.unwrap().len(), 1);
}

async fn an_agency_is_hosted_by_one_endpoint_and_moving_it_is_explicit(dir: Directory) {
    for code in ["000.00.00.H41", "000.00.01.H41"] {
        dir.upsert_agency(&agency(code, "UBND tỉnh Nghệ An", None))
            .await
            .unwrap();
    }
    let (first, _) = dir
        .add_endpoint(&pull("first", &["000.00.00.H41"]))
        .await
        .unwrap();

    // A second endpoint claiming it is refused whole: not even the endpoint is created.
    let err = dir
        .add_endpoint(&pull("second", &["000.00.01.H41", "000.00.00.H41"]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, DirectoryError::AlreadyHosted { agency, endpoint } if agency == "000.00.00.H41" && endpoint == "first"),
        "{err}"
    );
    assert!(err.to_string().contains("unhost"), "{err}");
    assert_eq!(dir.endpoint("second").await.unwrap(), None);
    assert_eq!(
        dir.agency("000.00.01.H41").await.unwrap().unwrap().endpoint,
        None
    );

    let (second, _) = dir
        .add_endpoint(&pull("second", &["000.00.01.H41"]))
        .await
        .unwrap();
    assert!(matches!(
        dir.host("second", &strings(&["000.00.00.H41"])).await,
        Err(DirectoryError::AlreadyHosted { .. })
    ));
    assert!(matches!(
        dir.unhost("second", &strings(&["000.00.00.H41"])).await,
        Err(DirectoryError::NotHostedBy { .. })
    ));
    dir.unhost("first", &strings(&["000.00.00.H41"]))
        .await
        .unwrap();
    dir.host("second", &strings(&["000.00.00.H41", "000.00.00.H41"]))
        .await
        .unwrap();
    assert!(dir.hosted_agencies(first.id).await.unwrap().is_empty());
    assert_eq!(
        dir.hosted_agencies(second.id).await.unwrap(),
        ["000.00.00.H41", "000.00.01.H41"]
    );
    // Hosting again where it already is changes nothing.
    dir.host("second", &strings(&["000.00.00.H41"]))
        .await
        .unwrap();

    assert!(matches!(
        dir.host("second", &strings(&["000.00.00.H99", "000.00.00.H41"])).await,
        Err(DirectoryError::UnknownAgencies(unknown)) if unknown == ["000.00.00.H99"]
    ));
    assert!(matches!(
        dir.host("third", &strings(&["000.00.00.H41"])).await,
        Err(DirectoryError::UnknownEndpoint(_))
    ));
    assert!(matches!(
        dir.add_endpoint(&pull("second", &[])).await,
        Err(DirectoryError::EndpointExists(_))
    ));
    assert!(matches!(
        dir.add_endpoint(&pull("Second Endpoint", &[])).await,
        Err(DirectoryError::InvalidEndpointName(_))
    ));
}

async fn two_endpoints_hosting_one_agency_at_once_cannot_both_win(dir: Directory) {
    dir.add_endpoint(&pull("first", &[])).await.unwrap();
    dir.add_endpoint(&pull("second", &[])).await.unwrap();
    for i in 0..10 {
        let code = format!("000.00.{:02}.H26", 10 + i);
        dir.upsert_agency(&agency(&code, "Sở", None)).await.unwrap();
        let codes = vec![code.clone()];
        let (a, b) = tokio::join!(dir.host("first", &codes), dir.host("second", &codes));
        let winner = match (&a, &b) {
            (Ok(()), Err(DirectoryError::AlreadyHosted { endpoint, .. }))
                if endpoint == "first" =>
            {
                "first"
            }
            (Err(DirectoryError::AlreadyHosted { endpoint, .. }), Ok(()))
                if endpoint == "second" =>
            {
                "second"
            }
            other => {
                panic!("exactly one endpoint hosts {code}, the other is told which: {other:?}")
            }
        };
        let stored = dir.agency(&code).await.unwrap().unwrap();
        assert_eq!(stored.endpoint.as_deref(), Some(winner));
    }
}

async fn adapter_bindings_are_checked_and_stored(dir: Directory) {
    let mut push = pull("tcvn3-office", &[]);
    push.mode = Mode::Push;
    assert!(matches!(
        dir.add_endpoint(&push).await,
        Err(DirectoryError::AdapterRequired {
            mode: Mode::Push,
            ..
        })
    ));
    push.adapter = Some("legacy-tcvn3".into());
    assert!(matches!(
        dir.add_endpoint(&push).await,
        Err(DirectoryError::InvalidAdapter(_))
    ));
    push.adapter = Some("legacy-tcvn3@0.1.0".into());
    let (endpoint, _) = dir.add_endpoint(&push).await.unwrap();
    assert_eq!(endpoint.adapter.as_deref(), Some("legacy-tcvn3@0.1.0"));
    assert_eq!(endpoint.adapter_config, serde_json::json!({}));
    assert!(endpoint.granted_origins.is_empty());

    let config = serde_json::json!({"base_url": "https://qlvb.tayninh.gov.vn/api", "retries": 3});
    dir.set_adapter(
        "tcvn3-office",
        Some("legacy-tcvn3@0.2.0".into()),
        config.clone(),
        strings(&[
            "https://QLVB.tayninh.gov.vn/",
            "http://10.0.0.5:8080",
            "https://qlvb.tayninh.gov.vn",
        ]),
    )
    .await
    .unwrap();
    let stored = dir.endpoint("tcvn3-office").await.unwrap().unwrap();
    assert_eq!(stored.adapter.as_deref(), Some("legacy-tcvn3@0.2.0"));
    assert_eq!(stored.adapter_config, config);
    assert_eq!(
        stored.granted_origins,
        ["http://10.0.0.5:8080", "https://qlvb.tayninh.gov.vn"]
    );

    assert!(matches!(
        dir.set_adapter("tcvn3-office", None, serde_json::json!({}), vec![])
            .await,
        Err(DirectoryError::AdapterRequired { .. })
    ));
    assert!(matches!(
        dir.set_adapter(
            "tcvn3-office",
            Some("legacy-tcvn3@0.2.0".into()),
            serde_json::json!([1]),
            vec![]
        )
        .await,
        Err(DirectoryError::InvalidAdapterConfig(_))
    ));
    assert!(matches!(
        dir.set_adapter(
            "tcvn3-office",
            Some("legacy-tcvn3@0.2.0".into()),
            serde_json::json!({}),
            strings(&["https://x.gov.vn/api"])
        )
        .await,
        Err(DirectoryError::InvalidOrigin(_))
    ));
    let unchanged = dir.endpoint("tcvn3-office").await.unwrap().unwrap();
    assert_eq!(unchanged, stored, "refused bindings change nothing");
}

const CSV: &str = "\
code,name,parent_code,qd20_code,old_code,email
000.00.00.H53,UBND tỉnh Tây Ninh,,H53,,vanthu@tayninh.gov.vn
000.00.11.H53,\"Sở Tài chính, tỉnh Tây Ninh\",000.00.00.H53,H53.11,,stc@tayninh.gov.vn
000.00.00.h53,UBND viết thường,,,,
000.00.12.H53,,000.00.00.H53,,,
000.00.13.H53,Sở thiếu cột,000.00.00.H53
000.00.11.H53,Sở Tài chính (lặp),000.00.00.H53,,,
000.00.14.H53,Sở Thông tin,000.00.00.H53,H53.11,,
000.00.15.H53,\"Ban Quản lý
các khu kinh tế\",000.00.00.H53,,,bqlkkt@tayninh.gov.vn
000.00.16.H53,Sở Nội vụ,không-phải-mã,,,
";

async fn csv_import_reports_bad_rows_by_line_and_keeps_the_good_ones(dir: Directory) {
    let seen = Mutex::new(Vec::new());
    let records = Records::from_csv(CSV.as_bytes()).expect("the header is right");
    assert_eq!(records.len(), 9);
    let report = dir
        .import(records, &|n| seen.lock().unwrap().push(n))
        .await
        .expect("the import runs");

    assert_eq!((report.inserted, report.updated, report.skipped), (3, 0, 6));
    let lines: Vec<u64> = report.errors.iter().map(|p| p.line).collect();
    assert_eq!(lines, [4, 5, 6, 7, 8, 11]);
    assert!(report.errors.iter().all(|p| p.unit == Unit::Line));
    let message = |line: u64| {
        let p = report.errors.iter().find(|p| p.line == line).unwrap();
        p.to_string()
    };
    assert!(
        message(4).contains("000.00.00.h53") && message(4).contains("LLL.KK.JJ.XNN"),
        "{}",
        message(4)
    );
    assert!(message(5).contains("has no name"), "{}", message(5));
    assert!(
        message(6).contains("3 fields but the header has 6"),
        "{}",
        message(6)
    );
    assert!(
        message(7).contains("already appeared at line 3"),
        "{}",
        message(7)
    );
    assert!(
        message(8).contains("H53.11") && message(8).contains("line 3"),
        "{}",
        message(8)
    );
    assert!(
        message(11).starts_with("line 11: parent_code `không-phải-mã`"),
        "{}",
        message(11)
    );
    assert_eq!(report.errors[0].code.as_deref(), Some("000.00.00.h53"));

    let stc = dir.agency("000.00.11.H53").await.unwrap().unwrap();
    assert_eq!(stc.name, "Sở Tài chính, tỉnh Tây Ninh");
    let bql = dir.agency("000.00.15.H53").await.unwrap().unwrap();
    assert_eq!(
        bql.name, "Ban Quản lý\ncác khu kinh tế",
        "a quoted field may span lines"
    );
    assert_eq!(dir.count().await.unwrap(), 3);

    let seen = seen.into_inner().unwrap();
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]),
        "progress only grows: {seen:?}"
    );
    assert_eq!(seen.last(), Some(&9));

    // A QĐ 20 code held by a stored agency is refused for another one, by line.
    let report = import_text(
        &dir,
        "code,name,qd20_code\n000.00.17.H53,Sở Y tế,H53.11\n000.00.18.H53,Sở Xây dựng,H53.18\n",
    )
    .await;
    assert_eq!((report.inserted, report.skipped), (1, 1));
    assert_eq!(report.errors[0].line, 2);
    assert!(
        report.errors[0]
            .message
            .contains("already belongs to agency 000.00.11.H53")
    );
}

const VXP_LIST: &str = r#"{"status":"OK","ErrorCode":"0","ErrorDesc":"Thành công","data":[
  {"id":"5b864a15e4b03a0fe7d685b1","pid":"5b864a15e4b03a0fe7d685b0","code":"000.46.24.H44","name":"UBND xã Tiên Lương","mail":"tienluong@phutho.gov.vn","oldCode":""},
  {"id":"5b864a15e4b03a0fe7d685b0","pid":"5b864a15e4b03a0fe7d685aa","code":"000.00.24.H44","name":"UBND huyện Cẩm Khê","mail":"camkhe@phutho.gov.vn","oldCode":null},
  {"id":"5b864a15e4b03a0fe7d685aa","pid":null,"code":"000.00.00.H44","name":"UBND tỉnh Phú Thọ","mail":"vanthu@phutho.gov.vn"},
  "000.00.00.H99",
  {"id":"5b864a15e4b03a0fe7d685b2","pid":"5b864a15e4b03a0fe7d685b0","code":"000.47.25.H44","name":"UBND xã Tuy Lộc","mail":"tuyloc@phutho.gov.vn","oldCode":"000.47.24.H44"},
  {"id":42,"pid":"5b864a15e4b03a0fe7d685aa","code":"000.00.30.H44","name":17}
]}"#;

async fn vxp_json_import_turns_pids_into_parent_codes_and_renumbers(dir: Directory) {
    // The commune's former row is there, hosted, from an earlier sync.
    dir.upsert_agency(&agency(
        "000.47.24.H44",
        "UBND xã Tuy Lộc",
        Some("000.00.24.H44"),
    ))
    .await
    .unwrap();
    let (endpoint, _) = dir
        .add_endpoint(&pull("tuy-loc", &["000.47.24.H44"]))
        .await
        .unwrap();

    let report = import_text(&dir, VXP_LIST).await;
    assert_eq!(
        (report.inserted, report.updated, report.renumbered),
        (4, 0, 1)
    );
    let items: Vec<(u64, Unit)> = report.errors.iter().map(|p| (p.line, p.unit)).collect();
    assert_eq!(items, [(4, Unit::Item), (6, Unit::Item)]);
    assert!(
        report.errors[0].message.contains("not an object"),
        "{}",
        report.errors[0]
    );
    assert!(
        report.errors[1].message.contains("invalid type"),
        "{}",
        report.errors[1]
    );

    let commune = dir.agency("000.46.24.H44").await.unwrap().unwrap();
    assert_eq!(
        commune.parent_code.as_deref(),
        Some("000.00.24.H44"),
        "pid → the parent's code"
    );
    assert_eq!(commune.email, "tienluong@phutho.gov.vn");
    assert_eq!(commune.old_code, None, "an empty oldCode is no former code");
    assert_eq!(
        dir.agency("000.00.00.H44")
            .await
            .unwrap()
            .unwrap()
            .parent_code,
        None
    );

    let renumbered = dir.agency("000.47.24.H44").await.unwrap().unwrap();
    assert_eq!(renumbered.code, "000.47.25.H44");
    assert_eq!(renumbered.endpoint.as_deref(), Some("tuy-loc"));
    assert_eq!(
        dir.hosted_agencies(endpoint.id).await.unwrap(),
        ["000.47.25.H44"]
    );
    assert_eq!(dir.count().await.unwrap(), 4);
}

async fn an_import_renumbers_only_codes_it_no_longer_lists_and_only_once(dir: Directory) {
    let mut sothongtin = agency("000.00.14.H20", "Sở Thông tin và Truyền thông", None);
    sothongtin.qd20_code = Some("H20.14".into());
    for a in [
        sothongtin,
        agency("000.00.30.H20", "UBND huyện cũ", None),
        agency("000.00.40.H20", "UBND huyện vẫn còn", None),
    ] {
        dir.upsert_agency(&a).await.unwrap();
    }
    let (endpoint, _) = dir
        .add_endpoint(&pull("dong-thap", &["000.00.14.H20"]))
        .await
        .unwrap();

    let report = import_text(
        &dir,
        "code,name,qd20_code,old_code\n\
         000.00.15.H20,Sở Khoa học và Công nghệ,H20.14,000.00.14.H20\n\
         000.00.31.H20,UBND thị xã mới,,000.00.30.H20\n\
         000.00.32.H20,UBND huyện mới,,000.00.30.H20\n\
         000.00.41.H20,UBND huyện tách,,000.00.40.H20\n\
         000.00.40.H20,UBND huyện vẫn còn,,\n",
    )
    .await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(
        (report.inserted, report.updated, report.renumbered),
        (4, 1, 1)
    );

    // The renumbered agency brings the same QĐ 20 code: no conflict, hosting kept.
    let moved = dir.agency("000.00.14.H20").await.unwrap().unwrap();
    assert_eq!(moved.code, "000.00.15.H20");
    assert_eq!(moved.qd20_code.as_deref(), Some("H20.14"));
    assert_eq!(moved.endpoint.as_deref(), Some("dong-thap"));
    assert_eq!(
        dir.hosted_agencies(endpoint.id).await.unwrap(),
        ["000.00.15.H20"]
    );
    // Claimed by two agencies (a split): the former row stays.
    assert_eq!(
        dir.agency("000.00.30.H20").await.unwrap().unwrap().name,
        "UBND huyện cũ"
    );
    // Still listed by the same file: not renumbered away.
    assert_eq!(
        dir.agency("000.00.40.H20").await.unwrap().unwrap().code,
        "000.00.40.H20"
    );
    assert_eq!(dir.count().await.unwrap(), 6);
}

const QD20_LIST: &str = r#"{"status":"OK","ErrorCode":"0","data":[
  {"id":"q1","code":"H44","name":"Ủy ban nhân dân tỉnh Phú Thọ","mail":"","code102":"000.00.00.H44"},
  {"id":"q2","code":"H44.24","name":"Ủy ban nhân dân huyện Cẩm Khê","mail":"ubnd.camkhe@phutho.gov.vn","code102":"000.00.24.H44"},
  {"id":"q3","code":"H44.24.46","name":"Ủy ban nhân dân xã Tiên Lương","code102":"000.46.24.H44"},
  {"id":"q4","code":"H44.DN.001","name":"Công ty thử nghiệm","code102":null}
]}"#;

async fn qd20_json_import_completes_agencies_by_code102(dir: Directory) {
    import_text(&dir, VXP_LIST).await;
    let report = import_text(&dir, QD20_LIST).await;
    assert_eq!((report.inserted, report.updated, report.skipped), (0, 3, 1));
    assert_eq!(report.errors[0].line, 4);
    assert!(
        report.errors[0].message.contains("no code102"),
        "{}",
        report.errors[0]
    );

    let district = dir.agency("000.00.24.H44").await.unwrap().unwrap();
    assert_eq!(district.qd20_code.as_deref(), Some("H44.24"));
    assert_eq!(district.name, "Ủy ban nhân dân huyện Cẩm Khê");
    assert_eq!(district.email, "ubnd.camkhe@phutho.gov.vn");
    let province = dir.agency("000.00.00.H44").await.unwrap().unwrap();
    assert_eq!(
        province.email, "vanthu@phutho.gov.vn",
        "an empty mail keeps the stored one"
    );
    let commune = dir.agency("000.46.24.H44").await.unwrap().unwrap();
    assert_eq!(commune.qd20_code.as_deref(), Some("H44.24.46"));
    assert_eq!(commune.parent_code.as_deref(), Some("000.00.24.H44"));
    assert_eq!(dir.count().await.unwrap(), 4);
}

async fn reimporting_updates_without_duplicating(dir: Directory) {
    let sample = sample_directory(2_500);
    let mut csv = Vec::new();
    write_csv(&sample, &mut csv).unwrap();

    let first = dir
        .import(Records::from_csv(&csv[..]).unwrap(), &|_| {})
        .await
        .unwrap();
    assert_eq!(
        (first.inserted, first.updated, first.skipped),
        (2_500, 0, 0),
        "{:?}",
        first.errors
    );
    let second = dir
        .import(Records::from_csv(&csv[..]).unwrap(), &|_| {})
        .await
        .unwrap();
    assert_eq!(
        (second.inserted, second.updated, second.skipped),
        (0, 2_500, 0)
    );
    assert_eq!(second.renumbered, 0);
    assert_eq!(dir.count().await.unwrap(), 2_500);

    let renumbered = sample
        .iter()
        .find(|a| a.old_code.is_some())
        .expect("the sample renumbers");
    let old = renumbered.old_code.clone().unwrap();
    assert_eq!(
        dir.agency(&old).await.unwrap().unwrap().code,
        renumbered.code
    );
    let stored = dir.agency(&sample[1_000].code).await.unwrap().unwrap();
    assert_eq!(stored.name, sample[1_000].name);
    assert_eq!(stored.parent_code, sample[1_000].parent_code);
}

async fn listing_pages_by_code_with_filters(dir: Directory) {
    let sample = sample_directory(700);
    let report = dir.import(sample.clone().into(), &|_| {}).await.unwrap();
    assert_eq!(report.inserted, 700);
    let (endpoint, _) = dir
        .add_endpoint(&pull("ha-noi", &["000.00.00.G22", "000.00.00.G09"]))
        .await
        .unwrap();

    let mut all: Vec<String> = Vec::new();
    let mut after = None;
    loop {
        let filter = AgencyFilter {
            limit: Some(128),
            after: after.clone(),
            ..AgencyFilter::default()
        };
        let page = dir.list(&filter).await.unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 128);
        after = page.last().map(|a| a.code.clone());
        all.extend(page.into_iter().map(|a| a.code));
    }
    let mut expected: Vec<String> = sample.iter().map(|a| a.code.clone()).collect();
    expected.sort();
    assert_eq!(
        all, expected,
        "pages cover every agency once, in code order"
    );

    let district = sample
        .iter()
        .find(|a| a.code.starts_with("000.00.3"))
        .expect("a district");
    let children = dir
        .list(&AgencyFilter {
            parent: Some(district.code.clone()),
            ..AgencyFilter::default()
        })
        .await
        .unwrap();
    let expected: Vec<&str> = sample
        .iter()
        .filter(|a| a.parent_code.as_ref() == Some(&district.code))
        .map(|a| a.code.as_str())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(children.len(), expected.len());
    assert!(children.iter().all(|a| expected.contains(&a.code.as_str())));

    let level_4 = dir
        .list(&AgencyFilter {
            prefix: Some("001.".into()),
            limit: Some(5),
            ..AgencyFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(level_4.len(), 5);
    assert!(level_4.iter().all(|a| a.code.starts_with("001.")));

    let hosted = dir
        .list(&AgencyFilter {
            endpoint: Some("ha-noi".into()),
            ..AgencyFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(codes(&hosted), ["000.00.00.G09", "000.00.00.G22"]);
    assert!(
        hosted
            .iter()
            .all(|a| a.endpoint.as_deref() == Some("ha-noi"))
    );
    assert_eq!(dir.hosted_agencies(endpoint.id).await.unwrap().len(), 2);
}
