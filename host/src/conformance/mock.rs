//! A stand-in for a connector's legacy system: an HTTP server on a loopback port that answers
//! from the routes in `connector.toml` (anything else gets `200 {}`) and records every request,
//! so the harness can tell whether `deliver`, `poll` and `acknowledge` reached it.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;

use super::samples::MockRoute;

/// One request the mock received.
#[derive(Clone, Debug)]
pub struct Seen {
    /// Method.
    pub method: String,
    /// Path without the query.
    pub path: String,
}

/// A running mock; stops when dropped.
pub struct MockLegacy {
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl MockLegacy {
    /// Starts the mock on a free loopback port.
    pub async fn start(routes: Vec<MockRoute>) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let origin = format!("http://{}", listener.local_addr()?);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let routes = Arc::new(routes);
        let recorder = seen.clone();
        let app = axum::Router::new().fallback(move |method: Method, uri: Uri, _body: Bytes| {
            let routes = routes.clone();
            let recorder = recorder.clone();
            async move { answer(&routes, &recorder, &method, &uri) }
        });
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { origin, seen, task })
    }

    /// Requests received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().clone()
    }
}

impl Drop for MockLegacy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn answer(routes: &[MockRoute], seen: &Mutex<Vec<Seen>>, method: &Method, uri: &Uri) -> Response {
    seen.lock().push(Seen {
        method: method.to_string(),
        path: uri.path().to_owned(),
    });
    let route = routes
        .iter()
        .find(|r| r.method.eq_ignore_ascii_case(method.as_str()) && r.path == uri.path());
    match route {
        Some(r) => (
            StatusCode::from_u16(r.status).unwrap_or(StatusCode::OK),
            [(header::CONTENT_TYPE, r.content_type.clone())],
            r.body.clone(),
        )
            .into_response(),
        None => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json".to_owned())],
            "{}".to_owned(),
        )
            .into_response(),
    }
}
