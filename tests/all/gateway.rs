//! The HTTP surfaces end to end over real HTTP: the REST API, the VXP API through a client
//! that behaves like the Government Office's SDK, access control, OpenAPI, metrics, bad input,
//! graceful shutdown.

use truc::gateway::vxp::sign::VxpSecret;
use truc::gateway::vxp::wire::MessageType;
use truc::vxp::client::{ClientConfig, ClientError, VxpClient};

use crate::hub::{self, ADMIN, HCM_SECRET, HCM_SYSTEM, admin, call, populate, with_key};
use crate::world::{self, G22, H14, H29, H41, document, status};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_and_statuses_travel_over_the_rest_api() {
    let h = hub::start().await;
    let k = populate(&h).await;
    let send = with_key(
        "POST",
        &format!("{}/api/v1/packages", h.url),
        &k.vpcp,
        document(G22, &[H41, H14], 1),
    )
    .await;
    assert_eq!(send.status, 201, "{}", String::from_utf8_lossy(&send.body));
    let receipt = send.json();
    assert_eq!(receipt["deliveries"].as_array().unwrap().len(), 2);
    let again = with_key(
        "POST",
        &format!("{}/api/v1/packages", h.url),
        &k.vpcp,
        document(G22, &[H41, H14], 1),
    )
    .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["duplicate"], true);

    let inbox = with_key("GET", &format!("{}/api/v1/mailbox", h.url), &k.nghean, "")
        .await
        .json();
    let id = inbox[0]["delivery_id"].as_str().unwrap().to_owned();
    let fetched = with_key(
        "GET",
        &format!("{}/api/v1/mailbox/{id}", h.url),
        &k.nghean,
        "",
    )
    .await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.headers["x-truc-delivery-id"], id.as_str());
    assert!(String::from_utf8_lossy(&fetched.body).contains("<edXML:edXMLEnvelope"));
    let ack = with_key(
        "POST",
        &format!("{}/api/v1/mailbox/{id}/ack", h.url),
        &k.nghean,
        "",
    )
    .await;
    assert_eq!(ack.status, 200, "{}", String::from_utf8_lossy(&ack.body));
    assert_eq!(ack.json()["state"], "delivered");

    let st = with_key(
        "POST",
        &format!("{}/api/v1/statuses", h.url),
        &k.nghean,
        status(H41, G22, 1, "03", "Đã vào sổ"),
    )
    .await;
    assert_eq!(st.status, 201, "{}", String::from_utf8_lossy(&st.body));
    let back = with_key(
        "GET",
        &format!("{}/api/v1/mailbox?kind=status", h.url),
        &k.vpcp,
        "",
    )
    .await
    .json();
    assert_eq!(back[0]["status_code"], "03");

    // The timeline is for the sender and the receivers only.
    let q = format!(
        "{}/api/v1/documents/timeline?document_id={}",
        h.url,
        urlencode(&world::doc_id(G22, 1))
    );
    let t = with_key("GET", &q, &k.vpcp, "").await;
    assert_eq!(t.status, 200);
    let events: Vec<String> = t
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(events, ["accepted", "delivered", "status"]);
    assert_eq!(with_key("GET", &q, &k.nghean, "").await.status, 200);
    assert_eq!(with_key("GET", &q, &k.hcm, "").await.status, 404);
    h.stop().await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_denial_of_the_access_matrix_holds() {
    let h = hub::start().await;
    let k = populate(&h).await;
    let url = |p: &str| format!("{}{p}", h.url);
    with_key(
        "POST",
        &url("/api/v1/packages"),
        &k.vpcp,
        document(G22, &[H41], 2),
    )
    .await;
    let id = with_key("GET", &url("/api/v1/mailbox"), &k.nghean, "")
        .await
        .json()[0]["delivery_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // No key, a wrong key: 401.
    assert_eq!(
        call("GET", &url("/api/v1/mailbox"), &[], "").await.status,
        401
    );
    assert_eq!(
        with_key("GET", &url("/api/v1/mailbox"), "truc_not-a-real-key", "")
            .await
            .status,
        401
    );
    // Another endpoint's mailbox: it is not there for them.
    assert_eq!(
        with_key(
            "GET",
            &url(&format!("/api/v1/mailbox/{id}")),
            &k.caobang,
            ""
        )
        .await
        .status,
        404
    );
    assert_eq!(
        with_key(
            "POST",
            &url(&format!("/api/v1/mailbox/{id}/ack")),
            &k.caobang,
            ""
        )
        .await
        .status,
        404
    );
    assert!(
        with_key("GET", &url("/api/v1/mailbox"), &k.caobang, "")
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Sending as a foreign agency.
    let forged = with_key(
        "POST",
        &url("/api/v1/packages"),
        &k.nghean,
        document(G22, &[H14], 3),
    )
    .await;
    assert_eq!(forged.status, 403);
    assert_eq!(forged.json()["error"]["code"], "foreign-sender");
    // Admin calls with an endpoint key, or none.
    assert_eq!(
        with_key("GET", &url("/admin/v1/endpoints"), &k.vpcp, "")
            .await
            .status,
        403
    );
    assert_eq!(
        call("GET", &url("/admin/v1/endpoints"), &[], "")
            .await
            .status,
        401
    );
    assert_eq!(
        with_key("GET", &url("/admin/v1/endpoints"), "wrong-admin-token", "")
            .await
            .status,
        401
    );
    assert_eq!(
        with_key("GET", &url("/admin/v1/endpoints"), ADMIN, "")
            .await
            .status,
        200
    );
    // A rotated key stops working at once.
    let rotated = admin(
        &h,
        "POST",
        "/endpoints/nghean/rotate-key",
        serde_json::json!({}),
    )
    .await
    .json();
    assert_eq!(
        with_key("GET", &url("/api/v1/mailbox"), &k.nghean, "")
            .await
            .status,
        401
    );
    assert_eq!(
        with_key(
            "GET",
            &url("/api/v1/mailbox"),
            rotated["api_key"].as_str().unwrap(),
            ""
        )
        .await
        .status,
        200
    );

    // VXP: an altered signature, an unknown system, a replayed request.
    let client = |secret: &str, system: &str| {
        VxpClient::new(ClientConfig::new(
            format!("{}/vxp", h.url),
            system,
            VxpSecret::new(secret),
        ))
        .unwrap()
    };
    let wrong = client("c2VjcmV0LXdyb25n", HCM_SYSTEM)
        .get_received_edoc_list(MessageType::Edoc, None, None)
        .await
        .unwrap_err();
    assert_eq!(
        wrong.error_code().map(|c| c.as_str()),
        Some("15"),
        "{wrong}"
    );
    let stranger = client(HCM_SECRET, "000.00.99.H99")
        .get_received_edoc_list(MessageType::Edoc, None, None)
        .await
        .unwrap_err();
    assert_eq!(
        stranger.error_code().map(|c| c.as_str()),
        Some("15"),
        "{stranger}"
    );
    let vxp = client(HCM_SECRET, HCM_SYSTEM);
    let bytes = document(H29, &[H41], 4);
    vxp.send_edoc(H29, &[H41], MessageType::Edoc, &bytes)
        .await
        .unwrap();
    let replay = vxp
        .send_edoc(H29, &[H41], MessageType::Edoc, &bytes)
        .await
        .unwrap_err();
    assert_eq!(
        replay.error_code().map(|c| c.as_str()),
        Some("16"),
        "{replay}"
    );
    // VXP: sending as an agency the system does not host.
    let foreign = vxp
        .send_edoc(G22, &[H41], MessageType::Edoc, &document(G22, &[H41], 5))
        .await
        .unwrap_err();
    assert_eq!(
        foreign.error_code().map(|c| c.as_str()),
        Some("19"),
        "{foreign}"
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sdk_client_works_by_changing_only_endpoint_system_id_and_secret() {
    let h = hub::start().await;
    let k = populate(&h).await;
    let vxp = VxpClient::new(ClientConfig::new(
        format!("{}/vxp", h.url),
        HCM_SYSTEM,
        VxpSecret::new(HCM_SECRET),
    ))
    .unwrap();

    // Hồ Chí Minh sends through the SDK; Nghệ An receives over REST and answers 03.
    let doc_id = vxp
        .send_edoc(H29, &[H41], MessageType::Edoc, &document(H29, &[H41], 7))
        .await
        .unwrap();
    assert!(!doc_id.is_empty());
    let inbox = with_key("GET", &format!("{}/api/v1/mailbox", h.url), &k.nghean, "")
        .await
        .json();
    let id = inbox[0]["delivery_id"].as_str().unwrap().to_owned();
    with_key(
        "POST",
        &format!("{}/api/v1/mailbox/{id}/ack", h.url),
        &k.nghean,
        "",
    )
    .await;
    let st = with_key(
        "POST",
        &format!("{}/api/v1/statuses", h.url),
        &k.nghean,
        status(H41, H29, 7, "03", "Đã tiếp nhận"),
    )
    .await;
    assert_eq!(st.status, 201, "{}", String::from_utf8_lossy(&st.body));

    // The SDK client's polling loop (§9.5): list statuses, fetch, acknowledge.
    let list = vxp
        .get_received_edoc_list(MessageType::Status, None, None)
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].from, H41);
    let package = vxp
        .get_edoc(&list[0].doc_id, Some("/data/qlvb/inbox"))
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&package).contains("<edXML:StatusCode>03</edXML:StatusCode>"));
    vxp.update_status(&list[0].doc_id, "done", None)
        .await
        .unwrap();
    assert!(
        vxp.get_received_edoc_list(MessageType::Status, None, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(vxp.count_receive_edoc(MessageType::Edoc).await.unwrap(), 0);

    // Sent-list tracking: one row per receiver, with the receiver's status.
    let sent = vxp.get_sent_edoc_list(MessageType::Edoc).await.unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to_code, H41);
    assert_eq!(sent[0].receive_status, "03");
    assert_eq!(sent[0].sender_doc_id, doc_id);

    // Directory calls.
    let agencies = vxp.get_agencies_list().await.unwrap();
    assert!(agencies.iter().any(|a| a.code == H41));
    vxp.register_agency(&serde_json::json!({ "pid": H29, "code": "000.00.11.H29", "name": "Sở Tài chính TP HCM", "mail": "stc@tphcm.gov.vn" }))
        .await
        .unwrap();
    let under_other = vxp
        .register_agency(&serde_json::json!({ "pid": G22, "code": "000.00.11.G22", "name": "x", "mail": "x@x.vn" }))
        .await
        .unwrap_err();
    assert!(
        matches!(under_other, ClientError::Refused { .. }),
        "{under_other}"
    );
    vxp.delete_agency("000.00.11.H29").await.unwrap();
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_is_valid_and_every_reference_resolves() {
    let h = hub::start().await;
    let doc = call("GET", &format!("{}/api/v1/openapi.json", h.url), &[], "")
        .await
        .json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/packages",
        "/api/v1/mailbox",
        "/api/v1/mailbox/{delivery_id}/ack",
        "/api/v1/endpoints/{name}/inbound",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(!refs.is_empty());
    for r in refs {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {r}"));
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "{r} does not resolve"
        );
    }
    // It parses as an OpenAPI document.
    let _: utoipa::openapi::OpenApi = serde_json::from_value(doc).unwrap();
    h.stop().await;
}

fn collect_refs(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                if k == "$ref" {
                    out.push(v.as_str().unwrap_or_default().to_owned());
                }
                collect_refs(v, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_a_4xx_with_a_json_error_never_a_5xx() {
    let h = hub::start().await;
    let k = populate(&h).await;
    let garbage: Vec<(&str, &str, Vec<u8>)> = vec![
        ("POST", "/api/v1/packages", b"not xml at all".to_vec()),
        ("POST", "/api/v1/packages", vec![0xff, 0xfe, 0x00, 0x3c]),
        (
            "POST",
            "/api/v1/packages",
            b"<!DOCTYPE x [<!ENTITY a 'b'>]><edXML/>".to_vec(),
        ),
        ("POST", "/api/v1/packages", Vec::new()),
        (
            "POST",
            "/api/v1/statuses",
            b"<edXML xmlns=\"http://www.go.vn/eDoc\"/>".to_vec(),
        ),
        ("GET", "/api/v1/mailbox?kind=nonsense", Vec::new()),
        ("GET", "/api/v1/mailbox?limit=-5", Vec::new()),
        ("GET", "/api/v1/mailbox/%00%ff", Vec::new()),
        ("POST", "/api/v1/mailbox/x/ack", b"{not json".to_vec()),
        ("GET", "/api/v1/documents/timeline", Vec::new()),
        ("POST", "/api/v1/endpoints/vpcp/inbound", b"{}".to_vec()),
        ("POST", "/api/v1/endpoints/nghean/inbound", b"{}".to_vec()),
        ("GET", "/api/v1/agencies/%2e%2e", Vec::new()),
        ("DELETE", "/api/v1/packages", Vec::new()),
        ("GET", "/nowhere", Vec::new()),
        ("POST", "/vxp/sendEdoc", b"x".to_vec()),
        ("POST", "/vxp/noSuchOperation", Vec::new()),
    ];
    for (method, path, body) in garbage {
        let a = with_key(method, &format!("{}{path}", h.url), &k.vpcp, body).await;
        assert!(
            (400..500).contains(&a.status),
            "{method} {path}: {} {}",
            a.status,
            String::from_utf8_lossy(&a.body)
        );
        let json = a.json();
        assert!(
            json["error"]["message"].is_string() || json["ErrorDesc"].is_string(),
            "{method} {path}: {json}"
        );
    }
    let admin_garbage = [
        (
            "POST",
            "/agencies",
            "{\"code\": \"not a code\", \"name\": \"x\"}",
        ),
        ("POST", "/endpoints", "{\"name\": \"BAD NAME\"}"),
        ("POST", "/adapters", "not a zip"),
        (
            "POST",
            "/endpoints/nobody/adapter/activate",
            "{\"adapter\": \"x@1\"}",
        ),
    ];
    for (method, path, body) in admin_garbage {
        let a = admin(
            &h,
            method,
            path,
            serde_json::from_str(body).unwrap_or(serde_json::Value::String(body.into())),
        )
        .await;
        assert!(
            (400..500).contains(&a.status),
            "{method} {path}: {} {}",
            a.status,
            String::from_utf8_lossy(&a.body)
        );
    }
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_and_health_are_served() {
    let h = hub::start().await;
    let k = populate(&h).await;
    with_key(
        "POST",
        &format!("{}/api/v1/packages", h.url),
        &k.vpcp,
        document(G22, &[H41], 9),
    )
    .await;
    assert_eq!(
        call("GET", &format!("{}/healthz", h.url), &[], "")
            .await
            .status,
        200
    );
    assert_eq!(
        call("GET", &format!("{}/readyz", h.url), &[], "")
            .await
            .status,
        200
    );
    let m = call("GET", &format!("{}/metrics", h.url), &[], "").await;
    let text = String::from_utf8_lossy(&m.body);
    assert!(
        text.contains(
            "truc_http_requests_total{route=\"/api/v1/packages\",method=\"POST\",status=\"201\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("truc_store_rows{table=\"deliveries\",state=\"pending\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("truc_packages_accepted_total{kind=\"document\",outcome=\"new\"} 1"),
        "{text}"
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn shutting_down_finishes_requests_in_flight_and_loses_nothing() {
    let h = hub::start().await;
    let k = populate(&h).await;
    let url = format!("{}/api/v1/packages", h.url);
    let mut tasks = Vec::new();
    for n in 100..140u32 {
        let (url, key) = (url.clone(), k.vpcp.clone());
        tasks.push(tokio::spawn(async move {
            let client =
                hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                    .build_http::<http_body_util::Full<bytes::Bytes>>();
            let req = http::Request::post(&url)
                .header("authorization", format!("Bearer {key}"))
                .body(http_body_util::Full::new(bytes::Bytes::from(document(
                    G22,
                    &[H41],
                    n,
                ))))
                .unwrap();
            client.request(req).await.map(|r| r.status().as_u16())
        }));
        if n == 120 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    let stopping = tokio::spawn(h.stop());
    let mut accepted = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(201) => accepted += 1,
            Ok(other) => panic!("a request in flight ended with {other}"),
            Err(_) => {} // refused: it arrived after the listener closed, and the client knows
        }
    }
    let dir = stopping.await.unwrap();
    let dir = dir.path();
    assert!(accepted > 0);
    // Every acknowledged package is stored, and nothing else.
    let store = truc::store::Store::open(&format!("sqlite:{}", dir.join("truc.db").display()))
        .await
        .unwrap();
    assert_eq!(world::count(&store, "packages").await, accepted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_certificate_pair_the_hub_serves_https_only() {
    use rustls_pki_types::pem::PemObject;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let certs = tempfile::tempdir().unwrap();
    let (cert, key) = (certs.path().join("cert.pem"), certs.path().join("key.pem"));
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=truc-test",
        ])
        .args([
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
        ])
        .args(["-addext", "extendedKeyUsage=serverAuth", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl (installed by .ci/run) makes a test certificate");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let h = hub::start_with(|c| {
        c.server.tls_cert = Some(cert.clone());
        c.server.tls_key = Some(key.clone());
    })
    .await;
    let addr = h.url.trim_start_matches("http://").to_owned();

    let mut roots = tokio_rustls::rustls::RootCertStore::empty();
    for c in rustls_pki_types::CertificateDer::pem_file_iter(&cert).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let provider = std::sync::Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let name = rustls_pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let mut tls = connector
        .connect(name, tcp)
        .await
        .expect("TLS handshake with the hub's certificate");
    tls.write_all(
        format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut answer = Vec::new();
    tls.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("ok"), "{answer}");

    // Plain HTTP on the HTTPS port gets no answer.
    let mut plain = tokio::net::TcpStream::connect(&addr).await.unwrap();
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut got = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        plain.read_to_end(&mut got),
    )
    .await;
    assert!(
        !String::from_utf8_lossy(&got).contains("200 OK"),
        "plain HTTP must not be served"
    );
    h.stop().await;
}
