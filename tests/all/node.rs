//! Real `truc serve` processes for crash and scale-out tests: started on a free port, killed
//! with SIGKILL, restarted on the same store; and an HTTP client that reports a dead hub as an
//! error instead of panicking.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::hub::ADMIN;
use crate::world::{G22, H14, H29, H41};

/// A `truc serve` process.
pub struct Node {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    child: Child,
    log: PathBuf,
}

/// How to start nodes of one hub.
#[derive(Clone, Debug)]
pub struct NodeSpec {
    /// The data directory (adapter cache, admin token; the SQLite file unless `database_url`).
    pub data_dir: PathBuf,
    /// `DATABASE_URL`, for PostgreSQL.
    pub database_url: Option<String>,
    /// Further environment variables.
    pub env: Vec<(String, String)>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl NodeSpec {
    /// Starts a node named `name` and waits until it answers `/healthz`.
    pub async fn start(&self, name: &str) -> Node {
        let port = free_port();
        let log = self.data_dir.join(format!("{name}-{port}.log"));
        let file = std::fs::File::create(&log).expect("create the node's log");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_truc"));
        cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("TRUC_DATA_DIR", &self.data_dir)
            .env("TRUC_ADMIN_TOKEN", ADMIN)
            .env("TRUC_NODE_NAME", name)
            .env("RUST_LOG", "warn")
            .env_remove("DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(file);
        if let Some(url) = &self.database_url {
            cmd.env("DATABASE_URL", url);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start truc serve");
        let node = Node {
            url: format!("http://127.0.0.1:{port}"),
            child,
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(a) = get(&format!("{}/healthz", node.url)).await
                && a.status == 200
            {
                return node;
            }
            assert!(
                Instant::now() < deadline,
                "truc serve did not start within 60 s; its log:\n{}",
                node.log_text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Node {
    /// SIGKILL: no shutdown, no flush, nothing finished.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// What the node logged.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Bytes,
}

impl Reply {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// Sends a request; a refused or cut connection is an error (the node may have been killed).
pub async fn request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Result<Reply, String> {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut req = http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req
        .body(Full::new(body.into()))
        .map_err(|e| e.to_string())?;
    let resp = tokio::time::timeout(Duration::from_secs(30), client.request(req))
        .await
        .map_err(|_| "no answer within 30 s".to_owned())?
        .map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok(Reply { status, body })
}

/// A GET with no credentials.
pub async fn get(url: &str) -> Result<Reply, String> {
    request("GET", url, &[], Bytes::new()).await
}

/// A request with an endpoint's API key.
pub async fn keyed(
    method: &str,
    url: &str,
    key: &str,
    body: impl Into<Bytes>,
) -> Result<Reply, String> {
    request(
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

/// An admin request that must succeed with `expect`.
pub async fn admin(
    url: &str,
    method: &str,
    path: &str,
    body: impl Into<Bytes>,
    expect: u16,
) -> Reply {
    let r = request(
        method,
        &format!("{url}/admin/v1{path}"),
        &[
            ("authorization", &format!("Bearer {ADMIN}")),
            ("content-type", "application/json"),
        ],
        body,
    )
    .await
    .unwrap_or_else(|e| panic!("admin {method} {path}: {e}"));
    assert_eq!(
        r.status,
        expect,
        "admin {method} {path}: {}",
        String::from_utf8_lossy(&r.body)
    );
    r
}

/// API keys of the four endpoints `populate` registers (one agency each; pull mode unless
/// given otherwise).
#[derive(Clone, Debug)]
pub struct Keys {
    pub vpcp: String,
    pub nghean: String,
    pub caobang: String,
    pub hcm: String,
}

/// Registers G22 (vpcp), H41 (nghean), H14 (caobang), H29 (hcm) through a node's admin API;
/// `nghean` is created with `nghean_endpoint` (name, agencies and mode are filled in).
pub async fn populate(url: &str, nghean_endpoint: serde_json::Value) -> Keys {
    for code in [G22, H41, H14, H29] {
        admin(
            url,
            "POST",
            "/agencies",
            serde_json::json!({ "code": code, "name": format!("Cơ quan {code}") }).to_string(),
            201,
        )
        .await;
    }
    let key = |name: &'static str, code: &'static str, mut body: serde_json::Value| async move {
        body["name"] = name.into();
        body["agencies"] = serde_json::json!([code]);
        admin(url, "POST", "/endpoints", body.to_string(), 201)
            .await
            .json()["api_key"]
            .as_str()
            .expect("an API key")
            .to_owned()
    };
    Keys {
        vpcp: key("vpcp", G22, serde_json::json!({})).await,
        nghean: key("nghean", H41, nghean_endpoint).await,
        caobang: key("caobang", H14, serde_json::json!({})).await,
        hcm: key("hcm", H29, serde_json::json!({})).await,
    }
}

/// Runs `truc` with `args` on a data directory (and store), off the async runtime.
pub async fn truc(spec: &NodeSpec, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_truc"));
    cmd.env("TRUC_DATA_DIR", &spec.data_dir)
        .env_remove("DATABASE_URL")
        .env_remove("TRUC_ADMIN_TOKEN")
        .args(args);
    if let Some(url) = &spec.database_url {
        cmd.env("DATABASE_URL", url);
    }
    tokio::task::spawn_blocking(move || cmd.output().expect("run truc"))
        .await
        .expect("join")
}
