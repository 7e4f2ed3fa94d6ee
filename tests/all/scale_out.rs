//! Several nodes on one store: delivery claims with leases (a dead node's claims pass to
//! another once the lease ends, a node that lost a claim does not deliver), and two real
//! `truc serve` processes on one PostgreSQL pushing through json-office to a simulated legacy
//! system while one of them is SIGKILLed: nothing lost, nothing delivered twice, and an adapter
//! activation made through one node followed by the other.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use parking_lot::{Mutex, RwLock};
use sqlx::Row;
use truc::exchange::adapters::Adapters;
use truc::exchange::{Exchange, ExchangeSettings};
use truc::runtime::{Runtime, RuntimeSettings};
use truc::store::Store;

use crate::node::{self, NodeSpec, keyed};
use crate::on_both_backends;
use crate::world::{self, G22, H41, document, send};

fn node_settings(name: &str, lease: Duration) -> ExchangeSettings {
    ExchangeSettings {
        claim_lease: lease,
        node_name: name.into(),
        ..ExchangeSettings::default()
    }
}

async fn claims_pass_on_only_after_the_lease(store: Store) {
    let w = world::world(store.clone()).await;
    sqlx::query("UPDATE endpoints SET mode = 'push' WHERE id = $1")
        .bind(w.nghean.endpoint_id)
        .execute(store.pool())
        .await
        .unwrap();
    let receipt = send(&w.ex, &w.vpcp, document(G22, &[H41], 1))
        .await
        .unwrap();
    let lease = Duration::from_millis(300);
    let a = Exchange::new(store.clone(), node_settings("node-a", lease));
    let b = Exchange::new(store.clone(), node_settings("node-b", lease));

    let by_a = a.claim(10).await.unwrap();
    assert_eq!(by_a.len(), 1);
    assert_eq!(by_a[0].id, receipt.deliveries[0].id);
    assert!(
        b.claim(10).await.unwrap().is_empty(),
        "a live claim is not taken"
    );

    // Node A stops renewing (as if killed); once its lease is over, B takes the delivery, with
    // the same id.
    tokio::time::sleep(lease + Duration::from_millis(100)).await;
    let by_b = b.claim(10).await.unwrap();
    assert_eq!(by_b, by_a, "the same delivery, same id, same attempt count");

    // A wakes up: it re-checks its claim before delivering and leaves the delivery alone.
    let adapters = Adapters::new(
        Arc::new(Runtime::new(RuntimeSettings::default()).unwrap()),
        store.clone(),
        Vec::new(),
    );
    assert!(
        !a.deliver_claimed(&adapters, &by_a[0]).await.unwrap(),
        "a node that lost its claim must not deliver"
    );
    let row = sqlx::query("SELECT claimed_by, state, attempts FROM deliveries WHERE id = $1")
        .bind(&by_a[0].id)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(row.try_get::<String, _>("claimed_by").unwrap(), "node-b");
    assert_eq!(row.try_get::<String, _>("state").unwrap(), "pending");
    assert_eq!(row.try_get::<i64, _>("attempts").unwrap(), 0);

    // B restarts under the same configured name: its old claims are released at once.
    let b_again = Exchange::new(store.clone(), node_settings("node-b", lease));
    assert_eq!(b_again.release_own_claims().await.unwrap(), 1);
    assert_eq!(
        a.claim(10).await.unwrap().len(),
        1,
        "released claims are claimable without waiting for the lease"
    );
}

on_both_backends!(
    a_dead_nodes_claims_pass_to_another_node_after_the_lease,
    claims_pass_on_only_after_the_lease
);

/// The simulated json-office system: every delivery's Idempotency-Key (the delivery id) and
/// User-Agent (the adapter version), in arrival order.
#[derive(Default)]
struct Legacy {
    received: Mutex<Vec<(String, String)>>,
}

async fn serve_legacy(legacy: Arc<Legacy>) -> String {
    async fn documents(
        State(l): State<Arc<Legacy>>,
        headers: HeaderMap,
    ) -> (StatusCode, axum::Json<serde_json::Value>) {
        let h = |n: &str| {
            headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let mut r = l.received.lock();
        r.push((h("idempotency-key"), h("user-agent")));
        (
            StatusCode::CREATED,
            axum::Json(serde_json::json!({ "id": format!("qlvb-{}", r.len()) })),
        )
    }
    let app = axum::Router::new()
        .route("/api/documents", post(documents))
        .with_state(legacy);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

/// Calls counted in a node's metrics for generation `adapter` (0 if it serves nowhere there).
async fn calls_on(node_url: &str, adapter: &str) -> u64 {
    let Ok(m) = node::get(&format!("{node_url}/metrics")).await else {
        return 0;
    };
    let text = String::from_utf8_lossy(&m.body).into_owned();
    let label = format!("adapter=\"{adapter}\"}} ");
    text.lines()
        .filter(|l| l.starts_with("truc_adapter_calls_total{") && l.contains(&label))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !done().await {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    start.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_on_one_postgres_survive_a_killed_node_without_loss_or_duplicates() {
    let pg = crate::backends::postgres().await;
    let legacy = Arc::new(Legacy::default());
    let legacy_url = serve_legacy(legacy.clone()).await;
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let spec = |i: usize| NodeSpec {
        data_dir: dirs[i].path().to_path_buf(),
        database_url: pg.postgres_url(),
        env: vec![
            ("TRUC_CLAIM_LEASE".into(), "1s".into()),
            ("TRUC_ALLOW_UNSIGNED_ADAPTERS".into(), "1".into()),
        ],
    };
    let mut a = spec(0).start("node-a").await;
    let b = spec(1).start("node-b").await;

    let keys = node::populate(
        &a.url,
        serde_json::json!({ "mode": "push", "adapter": "json-office@1.0.0" }),
    )
    .await;
    node::admin(
        &a.url,
        "PUT",
        "/endpoints/nghean/adapter-settings",
        serde_json::json!({
            "config": { "values": { "base-url": legacy_url }, "secrets": { "api-token": "t0ken" } },
            "granted_origins": [legacy_url],
        })
        .to_string(),
        204,
    )
    .await;

    // Two senders, one per node; when a node dies its sender moves to the other.
    let urls = [
        Arc::new(RwLock::new(a.url.clone())),
        Arc::new(RwLock::new(b.url.clone())),
    ];
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged: Arc<Mutex<BTreeMap<String, String>>> = Arc::default();
    let lost = Arc::new(Mutex::new(0usize));
    let mut senders = Vec::new();
    for (i, url) in urls.iter().enumerate() {
        let (url, stop, acknowledged, lost, key) = (
            url.clone(),
            stop.clone(),
            acknowledged.clone(),
            lost.clone(),
            keys.vpcp.clone(),
        );
        senders.push(tokio::spawn(async move {
            let mut n = 1 + i as u32 * 1_000_000;
            while !stop.load(Ordering::SeqCst) {
                let base = url.read().clone();
                match keyed(
                    "POST",
                    &format!("{base}/api/v1/packages"),
                    &key,
                    document(G22, &[H41], n),
                )
                .await
                {
                    Ok(r) => {
                        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
                        let receipt = r.json();
                        acknowledged.lock().insert(
                            receipt["deliveries"][0]["id"].as_str().unwrap().to_owned(),
                            receipt["document_id"].as_str().unwrap().to_owned(),
                        );
                    }
                    Err(_) => {
                        *lost.lock() += 1;
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
                n += 1;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }));
    }

    // Both nodes deliver through json-office 1.0.0 …
    wait_for("both nodes to push through json-office 1.0.0", async || {
        calls_on(&a.url, "json-office@1.0.0").await > 0
            && calls_on(&b.url, "json-office@1.0.0").await > 0
    })
    .await;
    // … then 1.1.0 is uploaded and activated through node A's admin API; node B, whose
    // generation for this endpoint is already loaded, must follow from the store.
    let next = truc::bundled::JSON_OFFICE_NEXT.package().unwrap();
    node::admin(&a.url, "POST", "/adapters", next.to_bytes(), 201).await;
    node::admin(
        &a.url,
        "POST",
        "/endpoints/nghean/adapter/activate",
        serde_json::json!({ "adapter": "json-office@1.1.0" }).to_string(),
        200,
    )
    .await;
    let followed = wait_for("node B to deliver through json-office 1.1.0", async || {
        calls_on(&b.url, "json-office@1.1.0").await > 0
    })
    .await;
    eprintln!("node B delivered through the new generation {followed:?} after the activation on A");

    // Node A dies mid-stream; its sender moves to B.
    let delivered_before = legacy.received.lock().len();
    wait_for("more deliveries", async || {
        legacy.received.lock().len() > delivered_before + 20
    })
    .await;
    a.kill();
    *urls[0].write() = b.url.clone();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::SeqCst);
    for s in senders {
        s.await.unwrap();
    }
    let acknowledged = acknowledged.lock().clone();
    assert!(
        acknowledged.len() > 20,
        "too few documents: {}",
        acknowledged.len()
    );

    // B takes over A's claims once their lease ends; wait until everything stored arrived.
    let store = pg.store.clone();
    let stored = async || -> BTreeSet<String> {
        sqlx::query("SELECT id FROM deliveries")
            .fetch_all(store.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get("id").unwrap())
            .collect()
    };
    wait_for(
        "every stored delivery to reach the legacy system",
        async || {
            let got: BTreeSet<String> = legacy
                .received
                .lock()
                .iter()
                .map(|(id, _)| id.clone())
                .collect();
            let all = stored().await;
            all.is_subset(&got)
        },
    )
    .await;
    let received = legacy.received.lock().clone();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for (id, _) in &received {
        *count.entry(id.as_str()).or_default() += 1;
    }
    let all = stored().await;
    for id in acknowledged.keys() {
        assert!(all.contains(id), "acknowledged delivery {id} is stored");
    }
    let got: BTreeSet<String> = count.keys().map(|k| (*k).to_owned()).collect();
    assert_eq!(
        got, all,
        "the legacy system got exactly the stored deliveries"
    );
    // A delivery in flight at the moment node A died may arrive a second time with the same id
    // (the receiver drops it); A delivers one at a time, so at most one. Nothing else repeats.
    let repeated: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    let mut story = Vec::new();
    for (id, _) in &repeated {
        for r in
            sqlx::query("SELECT event, detail, at FROM audit WHERE detail LIKE $1 ORDER BY seq")
                .bind(format!("%{id}%"))
                .fetch_all(store.pool())
                .await
                .unwrap()
        {
            story.push(format!(
                "{id}: {} {} {}",
                r.try_get::<i64, _>("at").unwrap(),
                r.try_get::<String, _>("event").unwrap(),
                r.try_get::<String, _>("detail").unwrap()
            ));
        }
    }
    assert!(
        repeated.len() <= 1 && repeated.iter().all(|(_, n)| **n == 2),
        "deliveries made twice: {repeated:?}\n{}",
        story.join("\n")
    );
    // The legacy system has every delivery; the node that made the last one records it as
    // delivered once the adapter's call returns, a moment after the peer saw it.
    wait_for("every delivery to be recorded as delivered", async || {
        let undelivered: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM deliveries WHERE state <> 'delivered'")
                .fetch_one(store.pool())
                .await
                .unwrap()
                .try_get("n")
                .unwrap();
        undelivered == 0
    })
    .await;
    let agents: BTreeSet<&str> = received.iter().map(|(_, ua)| ua.as_str()).collect();
    assert!(
        agents.iter().any(|a| a.ends_with("/1.1.0")),
        "deliveries after the activation went through 1.1.0: {agents:?}"
    );
    let verify = node::truc(&spec(1), &["audit", "verify"]).await;
    assert!(
        verify.status.success(),
        "audit verify: {}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    eprintln!(
        "scale-out test: {} acknowledged, {} lost with node A, {} deliveries, {} repeated",
        acknowledged.len(),
        lost.lock(),
        all.len(),
        repeated.len()
    );
    drop(b);
}
