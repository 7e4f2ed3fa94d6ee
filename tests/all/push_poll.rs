//! Push and poll through a real connector adapter (json-office) talking to a simulated legacy
//! system over real HTTP: retries with the same delivery id, dead letters, polling.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use parking_lot::Mutex;
use truc::exchange::adapters::Adapters;
use truc::exchange::mailbox::MailboxFilter;
use truc::exchange::{Caller, Exchange, ExchangeSettings};
use truc::runtime::{Runtime, RuntimeSettings};
use truc::store::Store;

use crate::on_both_backends;
use crate::world::{self, G22, H41, document, send};

/// What the simulated json-office system saw and how it behaves.
#[derive(Default)]
struct Legacy {
    /// Answer 503 to this many deliveries first.
    fail_first: AtomicUsize,
    /// Answer 400 to every delivery.
    always_reject: bool,
    /// Take this long to answer a delivery.
    slow: Duration,
    /// (Idempotency-Key, X-Truc-Receivers, body) of every delivery received.
    received: Mutex<Vec<(String, String, serde_json::Value)>>,
    /// Items waiting in its outbox.
    outbox: Mutex<Vec<serde_json::Value>>,
    /// Ids acknowledged by the hub.
    acked: Mutex<Vec<String>>,
}

async fn serve(legacy: Arc<Legacy>) -> String {
    async fn documents(
        State(l): State<Arc<Legacy>>,
        headers: HeaderMap,
        Json(body): Json<serde_json::Value>,
    ) -> (StatusCode, Json<serde_json::Value>) {
        let h = |n: &str| {
            headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        l.received
            .lock()
            .push((h("idempotency-key"), h("x-truc-receivers"), body));
        tokio::time::sleep(l.slow).await;
        if l.always_reject {
            return (
                StatusCode::BAD_REQUEST,
                Json(serde_json::json!({"error": "unknown receiver"})),
            );
        }
        if l.fail_first.load(Ordering::SeqCst) > 0 {
            l.fail_first.fetch_sub(1, Ordering::SeqCst);
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"error": "busy"})),
            );
        }
        (
            StatusCode::CREATED,
            Json(serde_json::json!({"id": format!("qlvb-{}", l.received.lock().len())})),
        )
    }
    async fn outbox(State(l): State<Arc<Legacy>>) -> Json<serde_json::Value> {
        let acked = l.acked.lock().clone();
        let items: Vec<_> = l
            .outbox
            .lock()
            .iter()
            .filter(|i| !acked.contains(&i["id"].as_str().unwrap_or_default().to_owned()))
            .cloned()
            .collect();
        Json(serde_json::json!({ "items": items }))
    }
    async fn ack(State(l): State<Arc<Legacy>>, Json(body): Json<serde_json::Value>) -> StatusCode {
        for id in body["ids"].as_array().into_iter().flatten() {
            l.acked
                .lock()
                .push(id.as_str().unwrap_or_default().to_owned());
        }
        StatusCode::NO_CONTENT
    }
    let app = axum::Router::new()
        .route("/api/documents", post(documents))
        .route("/api/outbox", get(outbox))
        .route("/api/outbox/ack", post(ack))
        .with_state(legacy);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

/// The world, with Nghệ An's system reached through json-office in `mode`.
async fn setup(
    store: Store,
    mode: &str,
    legacy: Arc<Legacy>,
) -> (Exchange, Adapters, Caller, Caller) {
    let settings = ExchangeSettings {
        retry_base: Duration::from_millis(5),
        retry_max: Duration::from_millis(20),
        max_attempts: 4,
        ..ExchangeSettings::default()
    };
    setup_with(store, mode, legacy, settings).await
}

/// [`setup`] with the engine's `settings`.
async fn setup_with(
    store: Store,
    mode: &str,
    legacy: Arc<Legacy>,
    settings: ExchangeSettings,
) -> (Exchange, Adapters, Caller, Caller) {
    let url = serve(legacy).await;
    let w = world::world_with(store.clone(), settings).await;
    sqlx::query("UPDATE endpoints SET mode = $1, adapter = 'json-office@1.0.0', adapter_config = $2, granted_origins = $3 WHERE id = $4")
        .bind(mode)
        .bind(serde_json::json!({ "values": { "base-url": url }, "secrets": { "api-token": "t0ken" } }).to_string())
        .bind(serde_json::json!([url]).to_string())
        .bind(w.nghean.endpoint_id)
        .execute(store.pool())
        .await
        .unwrap();
    let runtime = Arc::new(Runtime::new(RuntimeSettings::default()).unwrap());
    let adapters = Adapters::new(
        runtime,
        store,
        vec![truc::bundled::JSON_OFFICE.package().unwrap()],
    );
    (w.ex, adapters, w.vpcp, w.nghean)
}

/// Runs the push worker until nothing is due (waiting out retry delays).
async fn drain(ex: &Exchange, adapters: &Adapters) {
    for _ in 0..200 {
        ex.push_once(adapters, 16).await.unwrap();
        let pending: i64 =
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'")
                .fetch_one(ex.store().pool())
                .await
                .unwrap();
        if pending == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("deliveries still pending after the worker drained");
}

async fn a_push_that_fails_transiently_is_retried_with_the_same_delivery_id(store: Store) {
    let legacy = Arc::new(Legacy {
        fail_first: AtomicUsize::new(2),
        ..Legacy::default()
    });
    let (ex, adapters, vpcp, _) = setup(store, "push", legacy.clone()).await;
    let r = send(&ex, &vpcp, document(G22, &[H41], 40)).await.unwrap();
    drain(&ex, &adapters).await;
    let received = legacy.received.lock().clone();
    assert_eq!(received.len(), 3, "two 503s, then success");
    assert!(
        received
            .iter()
            .all(|(key, _, _)| key == &r.deliveries[0].id),
        "one stable delivery id"
    );
    assert_eq!(received[0].1, H41);
    assert_eq!(received[2].2["document"]["docId"], world::doc_id(G22, 40));
    let state: String = sqlx::query_scalar("SELECT state FROM deliveries")
        .fetch_one(ex.store().pool())
        .await
        .unwrap();
    assert_eq!(state, "delivered");
    assert!(ex.dead_letters(10).await.unwrap().is_empty());
}
on_both_backends!(
    push_retry,
    a_push_that_fails_transiently_is_retried_with_the_same_delivery_id
);

async fn a_push_the_legacy_system_refuses_ends_in_dead_letters_and_can_be_retried(store: Store) {
    let legacy = Arc::new(Legacy {
        always_reject: true,
        ..Legacy::default()
    });
    let (ex, adapters, vpcp, _) = setup(store, "push", legacy.clone()).await;
    send(&ex, &vpcp, document(G22, &[H41], 41)).await.unwrap();
    drain(&ex, &adapters).await;
    let dead = ex.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].attempts, 1, "a refusal is not retried");
    assert!(
        dead[0].last_error.contains("answered 400"),
        "{}",
        dead[0].last_error
    );
    assert_eq!(ex.retry_dead(Some(&dead[0].delivery_id)).await.unwrap(), 1);
    assert!(ex.dead_letters(10).await.unwrap().is_empty());
    drain(&ex, &adapters).await;
    assert_eq!(legacy.received.lock().len(), 2);
}
on_both_backends!(
    push_dead_letter,
    a_push_the_legacy_system_refuses_ends_in_dead_letters_and_can_be_retried
);

async fn polled_messages_are_stored_then_acknowledged_to_the_legacy_system(store: Store) {
    let legacy = Arc::new(Legacy::default());
    let sample: serde_json::Value = serde_json::from_slice(&crate::common::read(
        "plugins/json-office/samples/status.json",
    ))
    .unwrap();
    let (ex, adapters, vpcp, nghean) = setup(store, "poll", legacy.clone()).await;
    // G22 sends document 42 to Nghệ An; Nghệ An's system then reports 03 in its outbox.
    let doc = world::doc_id(G22, 42);
    send(&ex, &vpcp, document(G22, &[H41], 42)).await.unwrap();
    let mut status = sample.clone();
    status["status"]["regarding"]["docId"] = doc.clone().into();
    status["status"]["regarding"]["sender"] = G22.into();
    status["status"]["from"]["code"] = H41.into();
    legacy
        .outbox
        .lock()
        .push(serde_json::json!({ "id": "out-1", "message": status }));
    let outcome = ex.poll_endpoint(&adapters, &nghean, 10).await.unwrap();
    assert_eq!(outcome.accepted, 1, "{outcome:?}");
    assert_eq!(legacy.acked.lock().as_slice(), ["out-1"]);
    let inbox = ex.mailbox(&vpcp, &MailboxFilter::default()).await.unwrap();
    assert_eq!(
        inbox
            .iter()
            .filter_map(|i| i.status_code.clone())
            .collect::<Vec<_>>(),
        ["03"]
    );
    // Polling again finds nothing new.
    assert_eq!(
        ex.poll_endpoint(&adapters, &nghean, 10)
            .await
            .unwrap()
            .accepted,
        0
    );
}
on_both_backends!(
    poll,
    polled_messages_are_stored_then_acknowledged_to_the_legacy_system
);

/// A delivery call that outlasts the claim's lease keeps its claim: the delivering node renews
/// it while the call runs, so another node cannot take the delivery over and send it a second
/// time meanwhile (issue 4: no delivery made twice by two nodes).
async fn a_slow_delivery_keeps_its_claim_against_another_node(store: Store) {
    let lease = Duration::from_millis(300);
    let legacy = Arc::new(Legacy {
        slow: lease * 4,
        ..Legacy::default()
    });
    let settings = |node: &str| ExchangeSettings {
        claim_lease: lease,
        node_name: node.into(),
        ..ExchangeSettings::default()
    };
    let (a, adapters, vpcp, nghean) =
        setup_with(store.clone(), "push", legacy.clone(), settings("node-a")).await;
    // The adapter compiled beforehand: what precedes the call is not what this test is about.
    assert!(
        adapters
            .for_endpoint(nghean.endpoint_id)
            .await
            .unwrap()
            .is_some()
    );
    let b = Exchange::new(store.clone(), settings("node-b"));
    let r = send(&a, &vpcp, document(G22, &[H41], 41)).await.unwrap();

    let claimed = a.claim(16).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let delivering =
        tokio::spawn(async move { a.deliver_claimed(&adapters, &claimed[0]).await.unwrap() });
    // Node B asks for due deliveries all through the call, and past two leases.
    let mut taken = Vec::new();
    while !delivering.is_finished() {
        taken.extend(b.claim(16).await.unwrap());
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(delivering.await.unwrap(), "node A made its delivery");
    assert!(
        taken.is_empty(),
        "node B took a delivery in flight: {taken:?}"
    );
    let received = legacy.received.lock().clone();
    assert_eq!(received.len(), 1, "delivered once");
    assert_eq!(received[0].0, r.deliveries[0].id);
    let state: String = sqlx::query_scalar("SELECT state FROM deliveries")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(state, "delivered");
}
on_both_backends!(
    slow_push_keeps_claim,
    a_slow_delivery_keeps_its_claim_against_another_node
);
