//! Crash safety through the real binary: `truc serve` is SIGKILLed again and again while
//! documents stream in and receivers pull; after each restart on the same store, every
//! acknowledged document reaches each of its receivers under exactly one delivery id, and
//! nothing that was not acknowledged is half-stored.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use parking_lot::{Mutex, RwLock};
use sqlx::Row;
use truc::store::Store;

use crate::node::{self, Keys, NodeSpec, keyed};
use crate::world::{G22, H14, H29, H41, document};

const KILLS: usize = 6;
const SENDERS: u32 = 3;

/// What the senders saw: for each acknowledged document, its receipt's delivery ids by receiver.
#[derive(Default)]
struct Sent {
    acknowledged: Mutex<HashMap<String, BTreeMap<String, String>>>,
    /// Documents whose request died with the hub (not acknowledged, never resent).
    lost: Mutex<Vec<u32>>,
    /// Answers a healthy hub must never give.
    unexpected: Mutex<Vec<String>>,
}

/// What the receivers saw: (receiver, document) → delivery ids fetched.
#[derive(Default)]
struct Received {
    by_document: Mutex<HashMap<(String, String), BTreeSet<String>>>,
    fetches: Mutex<usize>,
}

async fn sender(
    url: Arc<RwLock<String>>,
    key: String,
    first: u32,
    stop: Arc<AtomicBool>,
    sent: Arc<Sent>,
) {
    let mut n = first;
    while !stop.load(Ordering::SeqCst) {
        let base = url.read().clone();
        match keyed(
            "POST",
            &format!("{base}/api/v1/packages"),
            &key,
            document(G22, &[H41, H14, H29], n),
        )
        .await
        {
            Ok(r) if r.status == 201 => {
                let receipt = r.json();
                let deliveries = receipt["deliveries"]
                    .as_array()
                    .expect("deliveries")
                    .iter()
                    .map(|d| {
                        (
                            d["receiver"].as_str().unwrap().to_owned(),
                            d["id"].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect();
                sent.acknowledged.lock().insert(
                    receipt["document_id"].as_str().unwrap().to_owned(),
                    deliveries,
                );
            }
            Ok(r) => sent.unexpected.lock().push(format!(
                "document {n}: {} {}",
                r.status,
                String::from_utf8_lossy(&r.body)
            )),
            Err(_) => {
                // The hub died under this request: the sender does not know whether it was
                // stored. It is not resent, so the store shows what a crash leaves behind.
                sent.lost.lock().push(n);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        n += 1;
    }
}

/// A receiver's system pulling its mailbox: list, fetch, acknowledge; a hub that disappears
/// in between is simply asked again later.
async fn receiver(
    url: Arc<RwLock<String>>,
    name: &'static str,
    key: String,
    stop: Arc<AtomicBool>,
    got: Arc<Received>,
) {
    while !stop.load(Ordering::SeqCst) {
        let base = url.read().clone();
        let Ok(list) = keyed("GET", &format!("{base}/api/v1/mailbox?limit=50"), &key, "").await
        else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        assert_eq!(list.status, 200, "{}", String::from_utf8_lossy(&list.body));
        let items = list.json();
        let items = items.as_array().expect("a list");
        if items.is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        for item in items {
            let id = item["delivery_id"].as_str().unwrap();
            let doc = item["document_id"].as_str().unwrap();
            let Ok(fetched) = keyed("GET", &format!("{base}/api/v1/mailbox/{id}"), &key, "").await
            else {
                break;
            };
            assert_eq!(
                fetched.status,
                200,
                "{}",
                String::from_utf8_lossy(&fetched.body)
            );
            assert!(
                String::from_utf8_lossy(&fetched.body).contains("edXMLEnvelope"),
                "the fetched package is edXML"
            );
            got.by_document
                .lock()
                .entry((name.to_owned(), doc.to_owned()))
                .or_default()
                .insert(id.to_owned());
            *got.fetches.lock() += 1;
            if keyed("POST", &format!("{base}/api/v1/mailbox/{id}/ack"), &key, "")
                .await
                .is_err()
            {
                break;
            }
        }
    }
}

/// Streams documents from one sender to three pull receivers while the hub is killed
/// `KILLS` times, then checks what every party and the store hold.
async fn stream_through_crashes(spec: NodeSpec, store: impl AsyncFnOnce() -> Store) {
    let mut hub = spec.start("crash-node").await;
    let keys: Keys = node::populate(&hub.url, serde_json::json!({})).await;
    let url = Arc::new(RwLock::new(hub.url.clone()));
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(Sent::default());
    let got = Arc::new(Received::default());
    let mut tasks = Vec::new();
    for s in 0..SENDERS {
        tasks.push(tokio::spawn(sender(
            url.clone(),
            keys.vpcp.clone(),
            1 + s * 1_000_000,
            stop.clone(),
            sent.clone(),
        )));
    }
    let mut readers = Vec::new();
    for (name, key) in [(H41, &keys.nghean), (H14, &keys.caobang), (H29, &keys.hcm)] {
        readers.push(tokio::spawn(receiver(
            url.clone(),
            name,
            key.clone(),
            stop.clone(),
            got.clone(),
        )));
    }

    for round in 0..KILLS {
        // Let traffic build up, then kill in the middle of it.
        tokio::time::sleep(Duration::from_millis(400 + 150 * (round as u64 % 4))).await;
        hub.kill();
        hub = spec.start("crash-node").await;
        *url.write() = hub.url.clone();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::SeqCst);
    for t in tasks {
        t.await.unwrap();
    }
    // Receivers keep pulling until every acknowledged document reached each of them.
    let receivers_stop = Arc::new(AtomicBool::new(false));
    for r in readers {
        r.await.unwrap();
    }
    let mut drain = Vec::new();
    for (name, key) in [(H41, &keys.nghean), (H14, &keys.caobang), (H29, &keys.hcm)] {
        drain.push(tokio::spawn(receiver(
            url.clone(),
            name,
            key.clone(),
            receivers_stop.clone(),
            got.clone(),
        )));
    }
    let acknowledged = sent.acknowledged.lock().clone();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let all_in = {
            let by = got.by_document.lock();
            acknowledged.iter().all(|(doc, deliveries)| {
                deliveries
                    .keys()
                    .all(|r| by.contains_key(&(r.clone(), doc.clone())))
            })
        };
        if all_in {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "acknowledged documents never reached their receivers"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // One more full round of pulls, so anything stored but unacknowledged is fetched too.
    tokio::time::sleep(Duration::from_millis(500)).await;
    receivers_stop.store(true, Ordering::SeqCst);
    for r in drain {
        r.await.unwrap();
    }
    hub.kill();

    assert!(
        sent.unexpected.lock().is_empty(),
        "{:?}",
        sent.unexpected.lock()
    );
    assert!(
        acknowledged.len() > 20,
        "too few documents went through: {}",
        acknowledged.len()
    );
    let by = got.by_document.lock().clone();
    for (doc, deliveries) in &acknowledged {
        assert_eq!(deliveries.len(), 3, "{doc}: one delivery per receiver");
        for (receiver, id) in deliveries {
            let seen = by.get(&(receiver.clone(), doc.clone()));
            assert_eq!(
                seen,
                Some(&BTreeSet::from([id.clone()])),
                "{receiver} must get {doc} exactly once, under the receipt's delivery id {id}"
            );
        }
    }

    // The store: every package is whole (three deliveries, receipts, its audit event), every
    // delivery acknowledged, every package a receiver saw is one the store holds, and the
    // audit chain verifies.
    let store = store().await;
    let pool = store.pool();
    let broken: Vec<i64> = sqlx::query(
        "SELECT p.id FROM packages p WHERE \
           (SELECT COUNT(*) FROM deliveries d WHERE d.package_id = p.id) <> 3 \
           OR (SELECT COUNT(*) FROM receipts r WHERE r.package_id = p.id) <> 3 \
           OR (SELECT COUNT(*) FROM package_attachments a WHERE a.package_id = p.id) < 1 \
           OR NOT EXISTS (SELECT 1 FROM audit a WHERE a.package_id = p.id AND a.event = 'accepted')",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get::<i64, _>("id").unwrap())
    .collect();
    assert!(broken.is_empty(), "half-stored packages: {broken:?}");
    let packages: i64 = sqlx::query("SELECT COUNT(*) AS n FROM packages")
        .fetch_one(pool)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    let lost = sent.lost.lock().len();
    assert!(
        packages as usize >= acknowledged.len() && packages as usize <= acknowledged.len() + lost,
        "{packages} packages stored for {} acknowledged and {lost} unanswered requests",
        acknowledged.len()
    );
    let pending: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM deliveries WHERE state <> 'delivered'")
            .fetch_one(pool)
            .await
            .unwrap()
            .try_get("n")
            .unwrap();
    assert_eq!(
        pending, 0,
        "every stored delivery was fetched and acknowledged"
    );
    let stored_ids: BTreeSet<String> = sqlx::query("SELECT id FROM deliveries")
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get("id").unwrap())
        .collect();
    let seen_ids: BTreeSet<String> = by.values().flatten().cloned().collect();
    assert_eq!(
        seen_ids, stored_ids,
        "receivers saw exactly the stored deliveries"
    );
    for ((receiver, doc), ids) in &by {
        assert_eq!(
            ids.len(),
            1,
            "{receiver} got {doc} under several delivery ids: {ids:?}"
        );
    }
    store.close().await;
    let verify = node::truc(&spec, &["audit", "verify"]).await;
    let text = String::from_utf8_lossy(&verify.stdout);
    assert!(
        verify.status.success() && text.contains("intact"),
        "audit verify: {text}{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    eprintln!(
        "crash test: {} acknowledged, {lost} lost with the hub, {packages} stored, {} fetches for {} deliveries, {KILLS} kills",
        acknowledged.len(),
        got.fetches.lock(),
        stored_ids.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_hub_killed_mid_stream_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let spec = NodeSpec {
        data_dir: dir.path().to_path_buf(),
        database_url: None,
        env: Vec::new(),
    };
    let db = dir.path().join("truc.db");
    stream_through_crashes(spec, async move || {
        Store::open(&format!("sqlite:{}", db.display()))
            .await
            .unwrap()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_hub_killed_mid_stream_loses_and_duplicates_nothing() {
    let pg = crate::backends::postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let spec = NodeSpec {
        data_dir: dir.path().to_path_buf(),
        database_url: pg.postgres_url(),
        env: Vec::new(),
    };
    let store = pg.store.clone();
    stream_through_crashes(spec, async move || store).await;
    drop(pg);
}
