//! A real hub on a free loopback port for HTTP tests, and a small HTTP client.

#![allow(dead_code)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use truc::config::Config;
use truc::gateway::server::{Hub, admin_token};

use crate::world::{G22, H14, H29, H41};

/// The admin token of test hubs.
pub const ADMIN: &str = "test-admin-token-0123456789abcdef";

/// A running hub.
pub struct TestHub {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Its data directory.
    pub dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// Starts a hub with SQLite in a temporary directory.
pub async fn start() -> TestHub {
    start_with(|_| {}).await
}

/// Starts a hub, letting the test adjust the configuration.
pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> TestHub {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::defaults();
    config.data_dir = dir.path().to_path_buf();
    config.server.listen = "127.0.0.1:0".into();
    config.exchange.retry_base = truc::runtime::units::Span::millis(10);
    adjust(&mut config);
    let (hash, _) = admin_token(&config, Some(ADMIN)).unwrap();
    let hub = Hub::build(config, hash).await.unwrap();
    let (bound_tx, bound_rx) = tokio::sync::oneshot::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        hub.serve(
            async {
                let _ = stop_rx.await;
            },
            Some(bound_tx),
        )
        .await
        .unwrap();
    });
    let addr = bound_rx.await.unwrap();
    TestHub {
        url: format!("http://{addr}"),
        dir,
        stop: Some(stop_tx),
        task: Some(task),
    }
}

impl TestHub {
    /// Asks the hub to shut down and waits until it has; the data directory lives on until the
    /// returned handle is dropped.
    pub async fn stop(mut self) -> tempfile::TempDir {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.unwrap();
        }
        self.dir
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Bytes,
    pub headers: http::HeaderMap,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// Sends a request.
pub async fn call(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Answer {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut req = http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = client
        .request(req.body(Full::new(body.into())).unwrap())
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        body,
        headers,
    }
}

/// A request with a bearer token.
pub async fn with_key(method: &str, url: &str, key: &str, body: impl Into<Bytes>) -> Answer {
    call(
        method,
        url,
        &[
            ("authorization", &format!("Bearer {key}")),
            ("content-type", "application/xml"),
        ],
        body,
    )
    .await
}

/// An admin JSON request.
pub async fn admin(hub: &TestHub, method: &str, path: &str, body: serde_json::Value) -> Answer {
    call(
        method,
        &format!("{}/admin/v1{path}", hub.url),
        &[
            ("authorization", &format!("Bearer {ADMIN}")),
            ("content-type", "application/json"),
        ],
        body.to_string(),
    )
    .await
}

/// API keys of the four test endpoints; `hcm` also speaks VXP as system `000.00.99.H29`.
pub struct Keys {
    pub vpcp: String,
    pub nghean: String,
    pub caobang: String,
    pub hcm: String,
}

/// The VXP secret of `hcm`.
pub const HCM_SECRET: &str = "c2VjcmV0c2VjcmV0";
/// The VXP system id of `hcm`.
pub const HCM_SYSTEM: &str = "000.00.99.H29";

/// Registers the test world through the admin API.
pub async fn populate(hub: &TestHub) -> Keys {
    for (code, name) in [
        (G22, "Văn phòng Chính phủ"),
        (H41, "UBND Tỉnh Nghệ An"),
        (H14, "UBND Tỉnh Cao Bằng"),
        (H29, "UBND TP Hồ Chí Minh"),
    ] {
        let a = admin(
            hub,
            "POST",
            "/agencies",
            serde_json::json!({ "code": code, "name": name }),
        )
        .await;
        assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
    }
    let key = |name: &'static str, code: &'static str, vxp: bool| {
        let hub = &*hub;
        async move {
            let mut body = serde_json::json!({ "name": name, "agencies": [code] });
            if vxp {
                body["vxp_system_id"] = HCM_SYSTEM.into();
                body["vxp_secret"] = HCM_SECRET.into();
            }
            let a = admin(hub, "POST", "/endpoints", body).await;
            assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
            a.json()["api_key"].as_str().unwrap().to_owned()
        }
    };
    Keys {
        vpcp: key("vpcp", G22, false).await,
        nghean: key("nghean", H41, false).await,
        caobang: key("caobang", H14, false).await,
        hcm: key("hcm", H29, true).await,
    }
}
