//! Federation: a province platform (LGSP) forwards to and polls from the national axis through
//! the `vxp-upstream` adapter, over real HTTP on loopback. The national axis is the real
//! `truc` binary, killed (SIGKILL) and restarted mid-stream; the province hub runs in process.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use truc::edxml::{self, Limits, MemorySink, Package};
use truc::runtime::units::Span;

use crate::hub::{self, ADMIN, TestHub, with_key};
use crate::world::{G22, H14, H41, document, status};

/// The national axis's own code in trace headers.
const NATIONAL_HUB: &str = "000.00.99.G22";
/// The province platform's own code in trace headers.
const PROVINCE_HUB: &str = "000.00.99.H41";
/// The system id the national axis issued to the province platform, and its secret.
const LGSP_SYSTEM: &str = "000.00.98.H41";
const LGSP_SECRET: &str = "lgsp-nghean-secret-0123456789";

/// The national axis: the real binary on a fixed loopback port, so it can be killed and
/// started again at the same address over the same data.
struct National {
    dir: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
}

impl National {
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn start(dir: tempfile::TempDir, port: u16) -> National {
        let config = dir.path().join("truc.toml");
        std::fs::write(
            &config,
            format!(
                "data-dir = {data:?}\n[server]\nlisten = \"127.0.0.1:{port}\"\n[exchange]\nhub-organ-id = \"{NATIONAL_HUB}\"\n",
                data = dir.path().join("data").display().to_string(),
            ),
        )
        .unwrap();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.path().join("national.log"))
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_truc"))
            .args(["serve", "--config"])
            .arg(&config)
            .env("TRUC_ADMIN_TOKEN", ADMIN)
            .env_remove("DATABASE_URL")
            .env_remove("TRUC_UPSTREAM")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("the truc binary starts");
        let n = National {
            dir,
            port,
            child: Some(child),
        };
        let health = format!("{}/healthz", n.url());
        eventually("the national axis answers /healthz", || {
            let health = health.clone();
            async move {
                try_call("GET", &health, &[], "")
                    .await
                    .is_some_and(|(s, _)| s == 200)
            }
        })
        .await;
        n
    }

    /// Kills the process outright (no graceful shutdown) and keeps its data.
    fn kill(mut self) -> (tempfile::TempDir, u16) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap();
            c.wait().unwrap();
        }
        (
            std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap()),
            self.port,
        )
    }
}

impl Drop for National {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// One HTTP exchange, or `None` if the server cannot be reached.
async fn try_call(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Option<(u16, Bytes)> {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut req = http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = client
        .request(req.body(Full::new(body.into())).ok()?)
        .await
        .ok()?;
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.ok()?.to_bytes();
    Some((status, body))
}

/// Waits until `check` holds; gives up (failing the test) after a minute, which only a hang
/// can reach.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..600 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("gave up waiting: {what}");
}

/// An admin request to a hub at `base`.
async fn admin_at(
    base: &str,
    method: &str,
    path: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let (status, body) = try_call(
        method,
        &format!("{base}/admin/v1{path}"),
        &[
            ("authorization", &format!("Bearer {ADMIN}")),
            ("content-type", "application/json"),
        ],
        body.to_string(),
    )
    .await
    .unwrap_or_else(|| panic!("{base} unreachable for {method} {path}"));
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {}",
        String::from_utf8_lossy(&body)
    );
    serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null)
}

/// A mailbox listing (`kind` document or status), or empty if the hub is down.
async fn mailbox(base: &str, key: &str, kind: &str) -> Vec<serde_json::Value> {
    match try_call(
        "GET",
        &format!("{base}/api/v1/mailbox?kind={kind}"),
        &[("authorization", &format!("Bearer {key}"))],
        "",
    )
    .await
    {
        Some((200, body)) => serde_json::from_slice::<Vec<serde_json::Value>>(&body).unwrap(),
        _ => Vec::new(),
    }
}

/// The national axis's world: the ministry (G22) hosted only here, and the province's
/// agency (H41) behind the LGSP's VXP system. Returns the API keys of the ministry and of
/// the LGSP (to watch what waits for it).
async fn populate_national(url: &str) -> (String, String) {
    for (code, name) in [(G22, "Văn phòng Chính phủ"), (H41, "UBND Tỉnh Nghệ An")] {
        admin_at(
            url,
            "POST",
            "/agencies",
            serde_json::json!({ "code": code, "name": name }),
        )
        .await;
    }
    let lgsp = admin_at(
        url,
        "POST",
        "/endpoints",
        serde_json::json!({ "name": "lgsp-nghean", "agencies": [H41], "vxp_system_id": LGSP_SYSTEM, "vxp_secret": LGSP_SECRET }),
    )
    .await;
    let vpcp = admin_at(
        url,
        "POST",
        "/endpoints",
        serde_json::json!({ "name": "vpcp", "agencies": [G22] }),
    )
    .await;
    (
        vpcp["api_key"].as_str().unwrap().to_owned(),
        lgsp["api_key"].as_str().unwrap().to_owned(),
    )
}

/// The province platform: H41's own system (pull) and the upstream endpoint through
/// `vxp-upstream`. Returns H41's API key.
async fn populate_province(p: &TestHub, national: &str) -> String {
    admin_at(
        &p.url,
        "POST",
        "/agencies",
        serde_json::json!({ "code": H41, "name": "UBND Tỉnh Nghệ An" }),
    )
    .await;
    let qlvb = admin_at(
        &p.url,
        "POST",
        "/endpoints",
        serde_json::json!({ "name": "qlvb-nghean", "agencies": [H41] }),
    )
    .await;
    admin_at(
        &p.url,
        "POST",
        "/endpoints",
        serde_json::json!({ "name": "national", "mode": "poll", "agencies": [], "adapter": "vxp-upstream@1.0.0" }),
    )
    .await;
    admin_at(
        &p.url,
        "PUT",
        "/endpoints/national/adapter-settings",
        serde_json::json!({
            "config": { "values": { "base-url": format!("{national}/vxp"), "system-id": LGSP_SYSTEM }, "secrets": { "vxp-secret": LGSP_SECRET } },
            "granted_origins": [national],
        }),
    )
    .await;
    admin_at(
        &p.url,
        "POST",
        "/endpoints/national/adapter/activate",
        serde_json::json!({ "adapter": "vxp-upstream@1.0.0" }),
    )
    .await;
    qlvb["api_key"].as_str().unwrap().to_owned()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The trace hops of an edXML package, in order.
fn hops(edxml_bytes: &[u8]) -> Vec<String> {
    let mut sink = MemorySink::new();
    let package = edxml::read(edxml_bytes, &mut sink, &Limits::default()).unwrap();
    let traces = match &package {
        Package::Document(d) => &d.traces,
        Package::Status(s) => &s.traces,
    };
    traces
        .iter()
        .filter_map(|t| t.organ_id.as_ref().map(|o| o.to_string()))
        .collect()
}

/// The document ids in a mailbox listing, sorted.
fn documents(items: &[serde_json::Value]) -> Vec<String> {
    let mut ids: Vec<String> = items
        .iter()
        .map(|i| i["document_id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_province_document_reaches_a_ministry_on_the_national_axis_and_its_status_comes_back_across_a_killed_upstream()
 {
    let national = National::start(tempfile::tempdir().unwrap(), free_port()).await;
    let (vpcp, lgsp) = populate_national(&national.url()).await;
    let province = hub::start_with(|c| {
        c.exchange.upstream = Some("national".into());
        c.exchange.hub_organ_id = Some(PROVINCE_HUB.into());
        c.adapters.poll_interval = Span::millis(100);
        // Retries outlast the national axis's downtime; dead letters stay for real refusals.
        c.exchange.max_attempts = 10_000;
        c.exchange.retry_base = Span::millis(20);
        c.exchange.retry_max = Span::millis(300);
    })
    .await;
    let qlvb = populate_province(&province, &national.url()).await;
    let send = |n: u32| {
        let (url, key) = (province.url.clone(), qlvb.clone());
        async move {
            let r = with_key(
                "POST",
                &format!("{url}/api/v1/packages"),
                &key,
                document(H41, &[G22], n),
            )
            .await;
            assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
            let receipt = r.json();
            assert_eq!(receipt["deliveries"][0]["receiver"], G22);
            assert_eq!(
                receipt["deliveries"][0]["endpoint"], "national",
                "G22 is hosted nowhere in the province: routed upstream"
            );
        }
    };

    // 1. One document up, its status back down.
    send(1).await;
    eventually(
        "document 1 reaches the ministry's mailbox on the national axis",
        || async { mailbox(&national.url(), &vpcp, "document").await.len() == 1 },
    )
    .await;
    let item = mailbox(&national.url(), &vpcp, "document").await.remove(0);
    assert_eq!(item["sender"], H41);
    let id = item["delivery_id"].as_str().unwrap().to_owned();
    let fetched = with_key(
        "GET",
        &format!("{}/api/v1/mailbox/{id}", national.url()),
        &vpcp,
        "",
    )
    .await;
    assert_eq!(fetched.status, 200);
    let trace = hops(&fetched.body);
    assert_eq!(
        &trace[trace.len() - 2..],
        [PROVINCE_HUB, NATIONAL_HUB],
        "the trace records the province hop, then the national one: {trace:?}"
    );
    let ack = with_key(
        "POST",
        &format!("{}/api/v1/mailbox/{id}/ack", national.url()),
        &vpcp,
        "",
    )
    .await;
    assert_eq!(ack.status, 200);
    let st = with_key(
        "POST",
        &format!("{}/api/v1/statuses", national.url()),
        &vpcp,
        status(G22, H41, 1, "03", "Đã vào sổ"),
    )
    .await;
    assert_eq!(st.status, 201, "{}", String::from_utf8_lossy(&st.body));
    eventually(
        "status 03 of document 1 comes back to the province agency",
        || async { mailbox(&province.url, &qlvb, "status").await.len() == 1 },
    )
    .await;
    let back = mailbox(&province.url, &qlvb, "status").await.remove(0);
    assert_eq!(back["status_code"], "03");
    assert_eq!(back["sender"], G22);

    // 2. Documents in flight when the national axis is killed, more while it is down.
    send(2).await;
    send(3).await;
    let (dir, port) = national.kill();
    send(4).await;
    send(5).await;
    eventually(
        "the province tries document 5 against the dead axis and schedules a retry",
        || async {
            timeline(&province.url, &qlvb, 5)
                .await
                .contains(&"retry-scheduled".to_owned())
        },
    )
    .await;
    let national = National::start(dir, port).await;
    let expected: Vec<String> = {
        let mut v: Vec<String> = (2..=5).map(|n| crate::world::doc_id(H41, n)).collect();
        v.sort();
        v
    };
    eventually(
        "documents 2–5 reach the ministry after the restart",
        || async { mailbox(&national.url(), &vpcp, "document").await.len() >= 4 },
    )
    .await;
    let items = mailbox(&national.url(), &vpcp, "document").await;
    assert_eq!(documents(&items), expected, "each document exactly once");

    // 3. Statuses sent, then the national axis killed before the province polled them all.
    for item in &items {
        let id = item["delivery_id"].as_str().unwrap();
        let ack = with_key(
            "POST",
            &format!("{}/api/v1/mailbox/{id}/ack", national.url()),
            &vpcp,
            "",
        )
        .await;
        assert_eq!(ack.status, 200);
    }
    for n in 2..=5 {
        let st = with_key(
            "POST",
            &format!("{}/api/v1/statuses", national.url()),
            &vpcp,
            status(G22, H41, n, "05", "Đang xử lý"),
        )
        .await;
        assert_eq!(st.status, 201, "{}", String::from_utf8_lossy(&st.body));
    }
    let (dir, port) = national.kill();
    let national = National::start(dir, port).await;
    // Once the province has acknowledged everything upstream, nothing more can arrive: what
    // arrived, arrived once.
    eventually(
        "the province acknowledges every status upstream",
        || async {
            try_call(
                "GET",
                &format!("{}/api/v1/mailbox?kind=status", national.url()),
                &[("authorization", &format!("Bearer {lgsp}"))],
                "",
            )
            .await
            .is_some_and(|(code, body)| code == 200 && body.as_ref() == b"[]")
        },
    )
    .await;
    let statuses = mailbox(&province.url, &qlvb, "status").await;
    let mut got: Vec<(String, String)> = statuses
        .iter()
        .map(|s| {
            (
                s["document_id"].as_str().unwrap().to_owned(),
                s["status_code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, String)> = (1..=5)
        .map(|n| {
            (
                crate::world::doc_id(H41, n),
                if n == 1 { "03" } else { "05" }.to_owned(),
            )
        })
        .collect();
    want.sort();
    assert_eq!(got, want, "every status exactly once");

    // 4. A ministry's document down to the province agency, through the same endpoint.
    let down = with_key(
        "POST",
        &format!("{}/api/v1/packages", national.url()),
        &vpcp,
        document(G22, &[H41], 6),
    )
    .await;
    assert_eq!(down.status, 201, "{}", String::from_utf8_lossy(&down.body));
    eventually(
        "the ministry's document reaches the province agency",
        || async { !mailbox(&province.url, &qlvb, "document").await.is_empty() },
    )
    .await;
    let item = mailbox(&province.url, &qlvb, "document").await.remove(0);
    assert_eq!(item["sender"], G22);
    let id = item["delivery_id"].as_str().unwrap();
    let fetched = with_key(
        "GET",
        &format!("{}/api/v1/mailbox/{id}", province.url),
        &qlvb,
        "",
    )
    .await;
    assert_eq!(hops(&fetched.body), [NATIONAL_HUB, PROVINCE_HUB]);

    // Nothing was lost on the way: no dead letters on the province platform.
    let dead = admin_at(
        &province.url,
        "GET",
        "/dead-letters",
        serde_json::Value::Null,
    )
    .await;
    assert_eq!(dead.as_array().map(Vec::len), Some(0), "{dead}");
    // And the province's copy of document 1 records the ministry's answer.
    let events = timeline(&province.url, &qlvb, 1).await;
    assert!(
        events.contains(&"delivered".to_owned()) && events.contains(&"status".to_owned()),
        "{events:?}"
    );
    drop(national);
    province.stop().await;
}

/// The events of H41's document `n` on the hub at `base`, as H41's system sees them.
async fn timeline(base: &str, key: &str, n: u32) -> Vec<String> {
    let q = format!(
        "{base}/api/v1/documents/timeline?document_id={}",
        urlencode(&crate::world::doc_id(H41, n))
    );
    let t = with_key("GET", &q, key, "").await.json();
    t.as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The world of the exchange tests, plus an upstream endpoint named in the settings.
async fn with_upstream(store: truc::store::Store) -> (crate::world::World, truc::exchange::Caller) {
    let settings = truc::exchange::ExchangeSettings {
        upstream: Some("national".into()),
        ..truc::exchange::ExchangeSettings::default()
    };
    let upstream = crate::world::endpoint(&store, "national", "poll", &[]).await;
    (crate::world::world_with(store, settings).await, upstream)
}

async fn agencies_hosted_nowhere_go_upstream_and_never_back(store: truc::store::Store) {
    use truc::exchange::IngestError;
    const MINISTRY: &str = "000.00.00.G09";
    const OTHER_PROVINCE: &str = "000.00.00.H99";
    let (w, upstream) = with_upstream(store).await;

    // Up: a receiver hosted nowhere here gets a delivery to the upstream endpoint; local ones
    // are served locally.
    let r = crate::world::send(&w.ex, &w.nghean, document(H41, &[MINISTRY, H14], 1))
        .await
        .unwrap();
    let mut routed: Vec<(String, String)> = r
        .deliveries
        .iter()
        .map(|d| (d.receiver.clone(), d.endpoint.clone()))
        .collect();
    routed.sort();
    assert_eq!(
        routed,
        [
            (MINISTRY.to_owned(), "national".to_owned()),
            (H14.to_owned(), "caobang".to_owned())
        ]
    );
    assert!(r.unknown_receivers.is_empty());

    // Down: the upstream speaks for agencies hosted nowhere here; of a To list naming other
    // provinces too, this hub keeps its own and sends nothing back up.
    let r = crate::world::send(
        &w.ex,
        &upstream,
        document(MINISTRY, &[H41, OTHER_PROVINCE], 2),
    )
    .await
    .unwrap();
    assert_eq!(r.deliveries.len(), 1);
    assert_eq!(r.deliveries[0].endpoint, "nghean");
    assert_eq!(r.unknown_receivers, [OTHER_PROVINCE]);

    // A package from upstream for no agency of ours is refused, not bounced back up.
    let e = crate::world::send(&w.ex, &upstream, document(MINISTRY, &[OTHER_PROVINCE], 3))
        .await
        .unwrap_err();
    assert!(
        matches!(e, IngestError::UnknownReceivers(ref u) if u == &[OTHER_PROVINCE]),
        "{e}"
    );

    // The upstream never speaks for an agency hosted here.
    let e = crate::world::send(&w.ex, &upstream, document(H41, &[H14], 4))
        .await
        .unwrap_err();
    assert!(matches!(e, IngestError::Forbidden { .. }), "{e}");

    // A status about the ministry's document goes back up, since its sender is hosted there.
    let r = crate::world::send(
        &w.ex,
        &w.nghean,
        status(H41, MINISTRY, 2, "03", "Đã vào sổ"),
    )
    .await
    .unwrap();
    assert_eq!(r.deliveries.len(), 1);
    assert_eq!(r.deliveries[0].endpoint, "national");
    assert_eq!(r.deliveries[0].receiver, MINISTRY);
}
crate::on_both_backends!(
    upstream_routing,
    agencies_hosted_nowhere_go_upstream_and_never_back
);
