//! The exchange engine end to end, on SQLite and on PostgreSQL: ingest, pull mailboxes,
//! statuses, business actions, audit.

use truc::edxml::{self, Package, StatusCode};
use truc::exchange::mailbox::{Ack, MailboxFilter};
use truc::exchange::{ExchangeSettings, IngestError, UnknownReceivers, audit};
use truc::store::Store;

use crate::on_both_backends;
use crate::world::{self, G22, H14, H29, H41, count, document, send, status, world};

async fn a_document_reaches_each_receiver_once_and_stays_until_acknowledged(store: Store) {
    let w = world(store.clone()).await;
    let r = send(&w.ex, &w.vpcp, document(G22, &[H41, H14], 1))
        .await
        .unwrap();
    assert!(!r.duplicate);
    assert_eq!(r.deliveries.len(), 2);
    assert_eq!(
        r.deliveries
            .iter()
            .map(|d| d.receiver.as_str())
            .collect::<Vec<_>>(),
        [H41, H14]
    );

    let inbox =
        w.ex.mailbox(&w.nghean, &MailboxFilter::default())
            .await
            .unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].document_id, world::doc_id(G22, 1));
    let (item, loaded) = w.ex.fetch(&w.nghean, &inbox[0].delivery_id).await.unwrap();
    // The fetched package reads back to what was sent, attachment bytes included.
    let mut sink = edxml::MemorySink::new();
    let again = edxml::read_bytes(
        &loaded.to_edxml().unwrap(),
        &mut sink,
        &edxml::Limits::default(),
    )
    .unwrap();
    let Package::Document(d) = &again else {
        panic!("a document")
    };
    assert_eq!(d.subject, "V/v kết nối liên thông, văn bản số 1");
    assert_eq!(
        sink.get("f1").unwrap(),
        b"%PDF-1.7 document 1 from 000.00.00.G22\n"
    );

    // Fetching does not remove it; acknowledging does, and twice is harmless.
    assert_eq!(
        w.ex.mailbox(&w.nghean, &MailboxFilter::default())
            .await
            .unwrap()
            .len(),
        1
    );
    w.ex.acknowledge(&w.nghean, &item.delivery_id, Ack::Done)
        .await
        .unwrap();
    let again =
        w.ex.acknowledge(&w.nghean, &item.delivery_id, Ack::Done)
            .await
            .unwrap();
    assert_eq!(again.state, "delivered");
    assert!(
        w.ex.mailbox(&w.nghean, &MailboxFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        w.ex.mailbox(&w.caobang, &MailboxFilter::default())
            .await
            .unwrap()
            .len(),
        1
    );

    // Another endpoint can neither see nor acknowledge it.
    assert!(w.ex.fetch(&w.hcm, &item.delivery_id).await.is_err());
    assert!(
        w.ex.acknowledge(&w.caobang, &item.delivery_id, Ack::Done)
            .await
            .is_err()
    );

    let timeline = audit::timeline(
        &store,
        &truc::exchange::doc_key(G22, &world::doc_id(G22, 1)),
    )
    .await
    .unwrap();
    let events: Vec<&str> = timeline.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(events, ["accepted", "delivered"]);
}
on_both_backends!(
    document_delivery,
    a_document_reaches_each_receiver_once_and_stays_until_acknowledged
);

async fn a_package_sent_twice_is_stored_once(store: Store) {
    let w = world(store.clone()).await;
    let first = send(&w.ex, &w.vpcp, document(G22, &[H41], 2))
        .await
        .unwrap();
    let second = send(&w.ex, &w.vpcp, document(G22, &[H41], 2))
        .await
        .unwrap();
    assert!(second.duplicate);
    assert_eq!(second.package_id, first.package_id);
    assert_eq!(second.deliveries, first.deliveries);
    assert_eq!(count(&store, "packages").await, 1);
    assert_eq!(count(&store, "deliveries").await, 1);
    // The same transport id with other content is the same submission too.
    let r =
        w.ex.submit(
            &w.vpcp,
            std::io::Cursor::new(document(G22, &[H41], 3)),
            Some(first.transport_id.clone()),
        )
        .await
        .unwrap();
    assert!(r.duplicate);
    assert_eq!(r.package_id, first.package_id);
}
on_both_backends!(deduplication, a_package_sent_twice_is_stored_once);

/// A transport id is the same submission only for the endpoint that gave it: another system
/// that happens to send with the same key gets a clear refusal — not the first system's
/// receipt (which would tell it of a package not its own, and leave its own unstored while it
/// believes it accepted).
async fn another_systems_transport_id_is_refused_not_answered_with_its_receipt(store: Store) {
    let w = world(store.clone()).await;
    let first =
        w.ex.submit(
            &w.vpcp,
            std::io::Cursor::new(document(G22, &[H41], 20)),
            Some("key-1".into()),
        )
        .await
        .unwrap();
    let e =
        w.ex.submit(
            &w.caobang,
            std::io::Cursor::new(document(H14, &[H41], 21)),
            Some("key-1".into()),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, IngestError::TransportIdTaken(k) if k == "key-1"),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(
        !text.contains(G22) && !text.contains(&first.document_id),
        "nothing of the other system's package is told: {text}"
    );
    assert!(!e.is_retryable());
    assert_eq!(count(&store, "packages").await, 1, "nothing was stored");
    // With a key of its own, the same package goes through.
    let r =
        w.ex.submit(
            &w.caobang,
            std::io::Cursor::new(document(H14, &[H41], 21)),
            Some("key-2".into()),
        )
        .await
        .unwrap();
    assert!(!r.duplicate);
    assert_eq!(count(&store, "packages").await, 2);
}
on_both_backends!(
    transport_id_of_another_endpoint,
    another_systems_transport_id_is_refused_not_answered_with_its_receipt
);

/// The duplicate check is the store's (decision 0018): a package sent again is answered as
/// the duplicate it is even when the rules changed since and would now refuse it.
async fn a_package_sent_again_after_a_rule_change_is_still_a_duplicate(store: Store) {
    use truc::policy::rules::{self, Mode, Rule, Scope};
    let w = world(store.clone()).await;
    let first = send(&w.ex, &w.vpcp, document(G22, &[H41], 7))
        .await
        .unwrap();
    let rule = Rule {
        scope: Scope::Agency,
        key: G22.into(),
        mode: Mode::Refuse,
    };
    rules::set(&store, &rule).await.unwrap();
    let again = send(&w.ex, &w.vpcp, document(G22, &[H41], 7))
        .await
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(again.package_id, first.package_id);
    // A new document with the same unsigned PDF is refused by the new rule.
    let e = send(&w.ex, &w.vpcp, document(G22, &[H41], 8))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("signed"), "{e}");
    assert_eq!(count(&store, "packages").await, 1);
}
on_both_backends!(
    duplicate_after_rule_change,
    a_package_sent_again_after_a_rule_change_is_still_a_duplicate
);

async fn refused_packages_leave_nothing_behind(store: Store) {
    let w = world(store.clone()).await;
    let e = send(&w.ex, &w.nghean, document(G22, &[H41], 4))
        .await
        .unwrap_err();
    assert!(matches!(e, IngestError::Forbidden { .. }), "{e}");
    assert!(e.to_string().contains("may not send as 000.00.00.G22"));

    let e = send(&w.ex, &w.vpcp, document(G22, &[H41, "000.00.00.H99"], 5))
        .await
        .unwrap_err();
    let IngestError::UnknownReceivers(codes) = &e else {
        panic!("{e}")
    };
    assert_eq!(codes, &["000.00.00.H99"]);

    let e = send(
        &w.ex,
        &w.vpcp,
        b"<edXML xmlns=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\"><oops".to_vec(),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, IngestError::Unreadable(_)), "{e}");

    let (mut p, bytes) = world::document_model(G22, &[H41], 6);
    if let Package::Document(d) = &mut p {
        d.subject.clear();
    }
    let e = send(&w.ex, &w.vpcp, world::edxml_bytes(&p, Some(&bytes)))
        .await
        .unwrap_err();
    let IngestError::Invalid(problems) = &e else {
        panic!("{e}")
    };
    assert!(
        problems.iter().any(|p| p.path.ends_with("Subject")),
        "{problems:?}"
    );

    for table in ["packages", "deliveries", "attachments", "audit"] {
        assert_eq!(count(&store, table).await, 0, "{table}");
    }
}
on_both_backends!(refusals, refused_packages_leave_nothing_behind);

async fn unknown_receivers_can_be_accepted_for_the_known_ones(store: Store) {
    let settings = ExchangeSettings {
        unknown_receivers: UnknownReceivers::AcceptKnown,
        ..ExchangeSettings::default()
    };
    let w = world::world_with(store, settings).await;
    let r = send(&w.ex, &w.vpcp, document(G22, &[H41, "000.00.00.H99"], 7))
        .await
        .unwrap();
    assert_eq!(r.deliveries.len(), 1);
    assert_eq!(r.unknown_receivers, ["000.00.00.H99"]);
}
on_both_backends!(
    partial_routing,
    unknown_receivers_can_be_accepted_for_the_known_ones
);

async fn statuses_follow_the_lifecycle_and_go_back_to_the_sender(store: Store) {
    let w = world(store.clone()).await;
    send(&w.ex, &w.vpcp, document(G22, &[H41, H14], 8))
        .await
        .unwrap();
    for code in ["01", "03", "05"] {
        let r = send(&w.ex, &w.nghean, status(H41, G22, 8, code, "ok"))
            .await
            .unwrap();
        assert!(r.ignored.is_none(), "{code}: {:?}", r.ignored);
        assert_eq!(r.deliveries.len(), 1, "{code} goes to the sender");
        assert_eq!(r.deliveries[0].receiver, G22);
    }
    // A regression is kept but not passed on. Within the same second as the first 03 it is
    // that 03 again (the same timestamp: a duplicate); a second later, a regression from 05.
    let r = send(&w.ex, &w.nghean, status(H41, G22, 8, "03", "again"))
        .await
        .unwrap();
    assert!(
        r.duplicate || r.ignored.as_deref().unwrap_or_default().contains("go back"),
        "{r:?}"
    );
    assert!(r.duplicate || r.deliveries.is_empty(), "{r:?}");
    let r = send(&w.ex, &w.nghean, status(H41, G22, 8, "04", "back"))
        .await
        .unwrap();
    assert!(
        r.ignored.as_deref().unwrap_or_default().contains("go back"),
        "{r:?}"
    );
    assert!(r.deliveries.is_empty());
    // Refusing after acceptance is ignored too; refusing before it is accepted.
    let r = send(&w.ex, &w.nghean, status(H41, G22, 8, "02", "Gửi nhầm"))
        .await
        .unwrap();
    assert!(r.ignored.is_some());
    let r = send(
        &w.ex,
        &w.caobang,
        status(H14, G22, 8, "02", "Gửi nhầm đơn vị"),
    )
    .await
    .unwrap();
    assert!(r.ignored.is_none());

    let inbox =
        w.ex.mailbox(
            &w.vpcp,
            &MailboxFilter {
                kind: Some("status".into()),
                ..MailboxFilter::default()
            },
        )
        .await
        .unwrap();
    let codes: Vec<String> = inbox.iter().filter_map(|i| i.status_code.clone()).collect();
    assert_eq!(codes, ["01", "03", "05", "02"]);

    // Only receivers may report on a document, and only on documents the hub carried.
    let e = send(&w.ex, &w.hcm, status(H29, G22, 8, "01", ""))
        .await
        .unwrap_err();
    assert!(matches!(e, IngestError::NotAllowed { .. }), "{e}");
    let e = send(&w.ex, &w.nghean, status(H41, G22, 999, "01", ""))
        .await
        .unwrap_err();
    assert!(matches!(e, IngestError::UnknownDocument { .. }), "{e}");
}
on_both_backends!(
    status_lifecycle,
    statuses_follow_the_lifecycle_and_go_back_to_the_sender
);

async fn a_revocation_cancels_what_was_not_fetched_and_asks_the_others(store: Store) {
    let w = world(store.clone()).await;
    send(&w.ex, &w.vpcp, document(G22, &[H41, H14], 9))
        .await
        .unwrap();
    // Nghệ An fetched and acknowledged it; Cao Bằng did not.
    let item = &w
        .ex
        .mailbox(&w.nghean, &MailboxFilter::default())
        .await
        .unwrap()[0];
    w.ex.acknowledge(&w.nghean, &item.delivery_id, Ack::Done)
        .await
        .unwrap();

    let r = send(&w.ex, &w.vpcp, status(G22, G22, 9, "13", "Thu hồi văn bản"))
        .await
        .unwrap();
    assert_eq!(
        r.deliveries
            .iter()
            .map(|d| d.receiver.as_str())
            .collect::<Vec<_>>(),
        [H41]
    );
    assert!(
        w.ex.mailbox(&w.caobang, &MailboxFilter::default())
            .await
            .unwrap()
            .is_empty(),
        "cancelled before fetch"
    );

    let inbox =
        w.ex.mailbox(&w.nghean, &MailboxFilter::default())
            .await
            .unwrap();
    assert_eq!(inbox[0].status_code.as_deref(), Some("13"));
    let r = send(
        &w.ex,
        &w.nghean,
        status(H41, G22, 9, "15", "Đồng ý thu hồi"),
    )
    .await
    .unwrap();
    assert_eq!(r.deliveries[0].receiver, G22);

    // Only the sender may revoke.
    let e = send(&w.ex, &w.nghean, status(H41, G22, 9, "13", ""))
        .await
        .unwrap_err();
    assert!(matches!(e, IngestError::NotAllowed { .. }), "{e}");

    let key = truc::exchange::doc_key(G22, &world::doc_id(G22, 9));
    let events: Vec<String> = audit::timeline(&store, &key)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(
        events,
        ["accepted", "delivered", "status", "status"],
        "{events:?}"
    );
}
on_both_backends!(
    revocation,
    a_revocation_cancels_what_was_not_fetched_and_asks_the_others
);

async fn an_update_reaches_added_receivers_and_revokes_for_removed_ones(store: Store) {
    let w = world(store.clone()).await;
    send(&w.ex, &w.vpcp, document(G22, &[H41, H14], 10))
        .await
        .unwrap();
    let item = &w
        .ex
        .mailbox(&w.caobang, &MailboxFilter::default())
        .await
        .unwrap()[0];
    w.ex.acknowledge(&w.caobang, &item.delivery_id, Ack::Done)
        .await
        .unwrap();

    // Update: Cao Bằng removed, Hồ Chí Minh added.
    let (mut p, bytes) = world::document_model(G22, &[H41], 11);
    if let Package::Document(d) = &mut p {
        let b = d.business.as_mut().unwrap();
        b.action = Some(edxml::BusinessAction::Update);
        b.document_id = Some(world::doc_id(G22, 10).parse().unwrap());
        b.reason = "Cập nhật văn bản điện tử".into();
        b.document_info = Some(edxml::BusinessDocumentInfo {
            document_info: "1".into(),
            document_receiver: "1".into(),
            receivers: vec![
                edxml::Receiver {
                    organ_id: Some(H14.parse().unwrap()),
                    change: Some(edxml::ReceiverChange::Removed),
                },
                edxml::Receiver {
                    organ_id: Some(H29.parse().unwrap()),
                    change: Some(edxml::ReceiverChange::Added),
                },
            ],
        });
    }
    let r = send(&w.ex, &w.vpcp, world::edxml_bytes(&p, Some(&bytes)))
        .await
        .unwrap();
    let receivers: Vec<&str> = r.deliveries.iter().map(|d| d.receiver.as_str()).collect();
    assert_eq!(receivers, [H41, H29]);
    // Cao Bằng, which had the document, is told it is revoked (13) in the sender's name.
    let inbox =
        w.ex.mailbox(&w.caobang, &MailboxFilter::default())
            .await
            .unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].status_code.as_deref(), Some("13"));
    assert_eq!(inbox[0].sender, G22);
    let key = truc::exchange::doc_key(G22, &world::doc_id(G22, 10));
    let events: Vec<String> = audit::timeline(&store, &key)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert!(
        events.contains(&"updated".to_string())
            && events.contains(&"revocation-issued".to_string()),
        "{events:?}"
    );
}
on_both_backends!(
    update,
    an_update_reaches_added_receivers_and_revokes_for_removed_ones
);

async fn the_audit_chain_verifies_and_names_the_first_altered_entry(store: Store) {
    let w = world(store.clone()).await;
    for n in 20..25 {
        send(&w.ex, &w.vpcp, document(G22, &[H41], n))
            .await
            .unwrap();
    }
    let v = audit::verify(&store).await.unwrap();
    assert_eq!(v.entries, 5);
    assert!(v.first_break.is_none(), "{v:?}");
    sqlx::query("UPDATE audit SET detail = '{}' WHERE seq = 3")
        .execute(store.pool())
        .await
        .unwrap();
    let v = audit::verify(&store).await.unwrap();
    let b = v.first_break.expect("a break");
    assert_eq!(b.seq, 3);
    assert!(b.reason.contains("altered"), "{}", b.reason);
}
on_both_backends!(
    audit_chain,
    the_audit_chain_verifies_and_names_the_first_altered_entry
);

/// Concurrent submissions share the SQLite writer's transactions, which hand out package ids
/// and audit links themselves (decision 0017); a package refused inside such a transaction
/// (a duplicate that lost the race, unknown receivers) must give back what it took.
async fn concurrent_submissions_with_refusals_keep_ids_and_the_audit_chain_whole(store: Store) {
    let w = world(store.clone()).await;
    let mut tasks = Vec::new();
    for n in 100..130u32 {
        // Every document twice at once: both pass the duplicate check before the writer, so
        // the second is refused by the store inside a shared transaction.
        for _ in 0..2 {
            let (ex, caller) = (w.ex.clone(), w.vpcp.clone());
            tasks.push(tokio::spawn(async move {
                (n, send(&ex, &caller, document(G22, &[H41, H14], n)).await)
            }));
        }
        if n % 5 == 0 {
            let (ex, caller) = (w.ex.clone(), w.vpcp.clone());
            tasks.push(tokio::spawn(async move {
                let to = [H29, "000.00.00.H98"];
                (
                    n + 1000,
                    send(&ex, &caller, document(G22, &to, n + 1000)).await,
                )
            }));
        }
    }
    let mut first: std::collections::HashMap<u32, i64> = std::collections::HashMap::new();
    let mut fresh = 0;
    for t in tasks {
        let (n, result) = t.await.unwrap();
        if n >= 1000 {
            let e = result.unwrap_err();
            assert!(matches!(e, IngestError::UnknownReceivers(_)), "{e}");
            continue;
        }
        let r = result.unwrap();
        fresh += usize::from(!r.duplicate);
        // Both answers of a pair name the same package, whichever won.
        let id = *first.entry(n).or_insert(r.package_id);
        assert_eq!(r.package_id, id, "document {n}");
        // The id is the row's: the package stored under it is document n.
        let row = sqlx::query("SELECT document_id FROM packages WHERE id = $1")
            .bind(r.package_id)
            .fetch_one(store.pool())
            .await
            .unwrap();
        let stored: String = sqlx::Row::try_get(&row, "document_id").unwrap();
        assert_eq!(stored, world::doc_id(G22, n));
    }
    assert_eq!(fresh, 30);
    assert_eq!(count(&store, "packages").await, 30);
    assert_eq!(count(&store, "deliveries").await, 60);
    let v = audit::verify(&store).await.unwrap();
    assert_eq!(v.entries, 30);
    assert!(v.first_break.is_none(), "{v:?}");
    // And the next transaction starts from where they left off.
    let r = send(&w.ex, &w.vpcp, document(G22, &[H41], 200))
        .await
        .unwrap();
    assert!(first.values().all(|id| *id < r.package_id));
    let v = audit::verify(&store).await.unwrap();
    assert_eq!(v.entries, 31);
    assert!(v.first_break.is_none(), "{v:?}");
}
on_both_backends!(
    concurrent_refusals,
    concurrent_submissions_with_refusals_keep_ids_and_the_audit_chain_whole
);

/// Ingest keeps directory lookups in memory (decision 0018); a change made straight in the
/// store, as another process or node would make it, applies to the very next package.
async fn directory_changes_apply_to_the_next_package(store: Store) {
    let w = world(store.clone()).await;
    let r = send(&w.ex, &w.vpcp, document(G22, &[H41], 300))
        .await
        .unwrap();
    assert_eq!(r.deliveries[0].endpoint, "nghean");
    // H41 moves to another endpoint: the next document to it goes there.
    sqlx::query("UPDATE agencies SET endpoint_id = $1 WHERE code = $2")
        .bind(w.caobang.endpoint_id)
        .bind(H41)
        .execute(store.pool())
        .await
        .unwrap();
    let r = send(&w.ex, &w.vpcp, document(G22, &[H41], 301))
        .await
        .unwrap();
    assert_eq!(r.deliveries[0].endpoint, "caobang");
    // H41 is renumbered: its former code still reaches it, under the new one.
    sqlx::query("UPDATE agencies SET code = '000.00.00.H42', old_code = $1 WHERE code = $1")
        .bind(H41)
        .execute(store.pool())
        .await
        .unwrap();
    let r = send(&w.ex, &w.vpcp, document(G22, &[H41], 302))
        .await
        .unwrap();
    assert_eq!(r.deliveries[0].receiver, "000.00.00.H42");
    // The sender moves away from the calling endpoint: it may no longer send as G22.
    sqlx::query("UPDATE agencies SET endpoint_id = $1 WHERE code = $2")
        .bind(w.hcm.endpoint_id)
        .bind(G22)
        .execute(store.pool())
        .await
        .unwrap();
    let e = send(&w.ex, &w.vpcp, document(G22, &[H14], 303))
        .await
        .unwrap_err();
    assert!(matches!(e, IngestError::Forbidden { .. }), "{e}");
    // An agency removed from the directory is unknown at once.
    sqlx::query("DELETE FROM agencies WHERE code = $1")
        .bind(H29)
        .execute(store.pool())
        .await
        .unwrap();
    let e = send(&w.ex, &w.hcm, document(G22, &[H29], 304))
        .await
        .unwrap_err();
    assert!(matches!(e, IngestError::UnknownReceivers(_)), "{e}");
}
on_both_backends!(
    directory_changes,
    directory_changes_apply_to_the_next_package
);

async fn documents_without_a_first_status_become_overdue(store: Store) {
    let w = world(store.clone()).await;
    send(&w.ex, &w.vpcp, document(G22, &[H41, H14], 30))
        .await
        .unwrap();
    send(&w.ex, &w.nghean, status(H41, G22, 30, "01", ""))
        .await
        .unwrap();
    let in_a_week = truc::store::now_ms() + 7 * 24 * 3600 * 1000;
    let overdue = w.ex.overdue(&[], Some(in_a_week)).await.unwrap();
    assert_eq!(
        overdue
            .iter()
            .map(|o| o.receiver.as_str())
            .collect::<Vec<_>>(),
        [H14]
    );
    assert!(
        w.ex.overdue(&[], None).await.unwrap().is_empty(),
        "nothing is overdue the same day"
    );
    let _ = StatusCode::Arrived;
}
on_both_backends!(overdue, documents_without_a_first_status_become_overdue);
