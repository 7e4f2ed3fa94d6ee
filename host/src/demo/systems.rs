//! The agencies' own document-management systems, simulated in this process, each speaking
//! its own format through the hub's real interfaces:
//!
//! - [`Kind::Edxml`]: a system that already speaks edXML, reading its pull mailbox and pushing
//!   through the `edxml-native` adapter;
//! - [`Kind::Tcvn3`]: an older system with GOITIN XML in TCVN3 bytes, through `legacy-tcvn3`;
//! - [`Kind::JsonOffice`]: a JSON-over-HTTP system with its own server, which the hub delivers
//!   to and polls through the `json-office` connector;
//! - [`Kind::Vxp`]: a system built on the Government Office's SDK, talking the VXP API.

use std::collections::HashSet;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use base64::Engine as _;
use json_office::format::{self as jo, Record};
use legacy_tcvn3::xml::Element;
use parking_lot::Mutex;

use super::http::{Http, Request};
use super::packages::{self, Agency, NewDocument, Received};
use crate::gateway::vxp::sign::VxpSecret;
use crate::gateway::vxp::wire::MessageType;
use crate::vxp::client::{ClientConfig, VxpClient};

/// One agency's system.
pub struct System {
    /// The agency it serves.
    pub agency: Agency,
    /// Its endpoint at the hub.
    pub endpoint: &'static str,
    /// What it speaks.
    pub kind: Kind,
}

/// How a system talks.
pub enum Kind {
    /// edXML through `edxml-native`, pull mailbox.
    Edxml(Mailbox),
    /// GOITIN/TCVN3 through `legacy-tcvn3`, pull mailbox.
    Tcvn3(Mailbox),
    /// Its own JSON server; the hub pushes to it and polls its outbox.
    JsonOffice(Arc<JsonOffice>),
    /// The national axis's SDK.
    Vxp(VxpClient),
}

/// A pull mailbox at the hub, read in the system's own format (`/native`).
pub struct Mailbox {
    http: Http,
    key: String,
}

impl Mailbox {
    /// The mailbox of the endpoint with API key `key`.
    pub fn new(http: Http, key: String) -> Self {
        Mailbox { http, key }
    }

    /// Takes everything waiting: fetches each delivery in the native format, then acknowledges it.
    async fn take(&self) -> Result<Vec<(String, Bytes)>> {
        let list = self
            .http
            .send(Request::new("GET", "/api/v1/mailbox?limit=1000", &self.key))
            .await?
            .ok("listing the mailbox")?
            .json()?;
        let mut out = Vec::new();
        for item in list.as_array().into_iter().flatten() {
            let id = item["delivery_id"]
                .as_str()
                .ok_or_else(|| anyhow!("a mailbox item without delivery_id: {item}"))?;
            let native = self
                .http
                .send(Request::new(
                    "GET",
                    &format!("/api/v1/mailbox/{id}/native"),
                    &self.key,
                ))
                .await?
                .ok(&format!("fetching delivery {id}"))?;
            self.http
                .send(
                    Request::new("POST", &format!("/api/v1/mailbox/{id}/ack"), &self.key)
                        .json(&serde_json::json!({"outcome": "done"})),
                )
                .await?
                .ok(&format!("acknowledging delivery {id}"))?;
            out.push((id.to_owned(), native.body));
        }
        Ok(out)
    }

    /// The endpoint's API key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Pushes a payload to the endpoint's adapter; any HTTP answer is returned as is.
    pub async fn push_raw(
        &self,
        endpoint: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<super::http::Reply> {
        self.http
            .send(
                Request::new(
                    "POST",
                    &format!("/api/v1/endpoints/{endpoint}/inbound"),
                    &self.key,
                )
                .body(content_type, bytes),
            )
            .await
    }

    /// Pushes a payload in the system's format to the endpoint's adapter.
    async fn push(
        &self,
        endpoint: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<serde_json::Value> {
        self.http
            .send(
                Request::new(
                    "POST",
                    &format!("/api/v1/endpoints/{endpoint}/inbound"),
                    &self.key,
                )
                .body(content_type, bytes),
            )
            .await?
            .ok(&format!("{endpoint} sending through its adapter"))?
            .json()
    }
}

impl System {
    /// A short name of the format it speaks.
    pub fn format(&self) -> &'static str {
        match self.kind {
            Kind::Edxml(_) => "edXML (edxml-native)",
            Kind::Tcvn3(_) => "GOITIN in TCVN3 (legacy-tcvn3)",
            Kind::JsonOffice(_) => "JSON over HTTP (json-office)",
            Kind::Vxp(_) => "national-axis SDK (VXP)",
        }
    }

    /// Everything that reached the system since the last call, read in its own format.
    pub async fn inbox(&self) -> Result<Vec<Received>> {
        match &self.kind {
            Kind::Edxml(m) => m
                .take()
                .await?
                .iter()
                .map(|(_, b)| packages::read(b))
                .collect(),
            Kind::Tcvn3(m) => m
                .take()
                .await?
                .iter()
                .map(|(_, b)| goitin::read(b))
                .collect(),
            Kind::JsonOffice(j) => Ok(j.take()),
            Kind::Vxp(c) => {
                let mut out = Vec::new();
                for kind in [MessageType::Edoc, MessageType::Status] {
                    for item in c.get_received_edoc_list(kind, None, None).await? {
                        let bytes = c.get_edoc(&item.doc_id, None).await?;
                        out.push(packages::read(&bytes)?);
                        c.update_status(&item.doc_id, "done", None).await?;
                    }
                }
                Ok(out)
            }
        }
    }

    /// Sends a new document in the system's own format.
    pub async fn send_document(&self, doc: &NewDocument<'_>) -> Result<()> {
        match &self.kind {
            Kind::Edxml(m) => m
                .push(self.endpoint, "application/xml", doc.edxml()?)
                .await
                .map(drop),
            Kind::Tcvn3(m) => m
                .push(
                    self.endpoint,
                    "application/xml; charset=x-tcvn3",
                    goitin::document(doc)?,
                )
                .await
                .map(drop),
            Kind::JsonOffice(j) => {
                j.queue(json::document(doc));
                Ok(())
            }
            Kind::Vxp(c) => {
                let to: Vec<&str> = doc.to.iter().map(|a| a.code).collect();
                c.send_edoc(self.agency.code, &to, MessageType::Edoc, &doc.edxml()?)
                    .await
                    .map(drop)
                    .map_err(Into::into)
            }
        }
    }

    /// Reports processing status `code` of document `document_id` to its sender.
    pub async fn send_status(&self, document_id: &str, code: &str, note: &str) -> Result<()> {
        match &self.kind {
            Kind::Edxml(m) => m
                .push(
                    self.endpoint,
                    "application/xml",
                    packages::status(self.agency, document_id, code, note)?,
                )
                .await
                .map(drop),
            Kind::Tcvn3(m) => m
                .push(
                    self.endpoint,
                    "application/xml; charset=x-tcvn3",
                    goitin::status(self.agency, document_id, code, note)?,
                )
                .await
                .map(drop),
            Kind::JsonOffice(j) => {
                j.queue(json::status(self.agency, document_id, code, note)?);
                Ok(())
            }
            Kind::Vxp(c) => {
                let origin = document_id.split(',').next().unwrap_or_default();
                let bytes = packages::status(self.agency, document_id, code, note)?;
                c.send_edoc(self.agency.code, &[origin], MessageType::Status, &bytes)
                    .await
                    .map(drop)
                    .map_err(Into::into)
            }
        }
    }
}

/// A VXP client as an SDK-based system configures it: endpoint, system id, secret.
pub fn vxp_client(hub: &str, system_id: &str, secret: &str) -> Result<VxpClient> {
    Ok(VxpClient::new(ClientConfig::new(
        format!("{hub}/vxp"),
        system_id,
        VxpSecret::new(secret),
    ))?)
}

/// A document as GOITIN in TCVN3 bytes.
pub fn goitin_document(doc: &NewDocument<'_>) -> Result<Vec<u8>> {
    goitin::document(doc)
}

/// The json-office system: its REST server and what it holds.
#[derive(Default)]
pub struct JsonOffice {
    /// The token the hub must present.
    pub token: String,
    /// Every delivery accepted: (hub delivery id, record, the adapter's `User-Agent`).
    pub deliveries: Mutex<Vec<(String, Record<'static>, String)>>,
    /// How many deliveries were answered 409 (already received).
    pub repeats: Mutex<u64>,
    taken: Mutex<usize>,
    outbox: Mutex<Vec<(String, Record<'static>)>>,
    acked: Mutex<HashSet<String>>,
    next: Mutex<u64>,
}

impl JsonOffice {
    /// A system that expects `token` from the hub.
    pub fn new(token: &str) -> Arc<JsonOffice> {
        Arc::new(JsonOffice {
            token: token.into(),
            ..JsonOffice::default()
        })
    }

    /// Starts its server on a free loopback port; returns its base URL.
    pub async fn serve(self: &Arc<Self>) -> Result<String> {
        let app = axum::Router::new()
            .route("/api/documents", post(receive))
            .route("/api/outbox", get(outbox))
            .route("/api/outbox/ack", post(ack))
            .with_state(self.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding the json-office system's port")?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(format!("http://{addr}"))
    }

    fn queue(&self, record: Record<'static>) {
        let mut next = self.next.lock();
        *next += 1;
        self.outbox
            .lock()
            .push((format!("NA-OUT-{}", *next), record));
    }

    fn take(&self) -> Vec<Received> {
        let deliveries = self.deliveries.lock();
        let mut taken = self.taken.lock();
        let new = deliveries[*taken..]
            .iter()
            .map(|(_, r, _)| json::received(r))
            .collect();
        *taken = deliveries.len();
        new
    }
}

fn authorized(sys: &JsonOffice, headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {}", sys.token))
}

async fn receive(
    State(sys): State<Arc<JsonOffice>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    if !authorized(&sys, &headers) {
        return (StatusCode::UNAUTHORIZED, r#"{"error":"bad token"}"#.into());
    }
    let Some(id) = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return (
            StatusCode::BAD_REQUEST,
            r#"{"error":"no Idempotency-Key"}"#.into(),
        );
    };
    let record = match jo::decode(&body) {
        Ok(mut v) if v.len() == 1 => v.remove(0).into_owned(),
        Ok(_) => {
            return (
                StatusCode::BAD_REQUEST,
                r#"{"error":"one record per delivery"}"#.into(),
            );
        }
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                serde_json::json!({ "error": e.to_string() }).to_string(),
            );
        }
    };
    let mut deliveries = sys.deliveries.lock();
    if deliveries.iter().any(|(d, _, _)| *d == id) {
        *sys.repeats.lock() += 1;
        return (
            StatusCode::CONFLICT,
            serde_json::json!({ "error": "already received", "id": id }).to_string(),
        );
    }
    let agent = headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("?")
        .to_owned();
    deliveries.push((id, record, agent));
    (
        StatusCode::CREATED,
        serde_json::json!({ "id": format!("NA-IN-{}", deliveries.len()) }).to_string(),
    )
}

#[derive(serde::Deserialize)]
struct Limit {
    limit: Option<usize>,
}

async fn outbox(
    State(sys): State<Arc<JsonOffice>>,
    headers: HeaderMap,
    Query(q): Query<Limit>,
) -> (StatusCode, String) {
    if !authorized(&sys, &headers) {
        return (StatusCode::UNAUTHORIZED, r#"{"error":"bad token"}"#.into());
    }
    let acked = sys.acked.lock().clone();
    let items: Vec<jo::OutboxItem> = sys
        .outbox
        .lock()
        .iter()
        .filter(|(id, _)| !acked.contains(id))
        .take(q.limit.unwrap_or(100))
        .map(|(id, r)| jo::OutboxItem {
            id: id.clone(),
            message: r.clone(),
        })
        .collect();
    (
        StatusCode::OK,
        serde_json::to_string(&jo::Outbox { items }).unwrap_or_default(),
    )
}

async fn ack(State(sys): State<Arc<JsonOffice>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    if !authorized(&sys, &headers) {
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let mut acked = sys.acked.lock();
    for id in v["ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i.as_str())
    {
        acked.insert(id.to_owned());
    }
    StatusCode::NO_CONTENT
}

/// json-office records.
mod json {
    use super::*;

    fn agency(a: Agency) -> jo::Agency {
        jo::Agency {
            code: a.code.into(),
            name: a.name.into(),
            ..jo::Agency::default()
        }
    }

    fn iso(date: chrono::NaiveDate) -> String {
        date.format("%Y-%m-%d").to_string()
    }

    pub fn document(d: &NewDocument<'_>) -> Record<'static> {
        let bytes = d.attachment();
        Record::Document(Box::new(jo::Document {
            doc_id: d.id(),
            sender: agency(d.from),
            recipients: d.to.iter().map(|a| agency(*a)).collect(),
            number: d.number.to_string(),
            notation: d.notation.into(),
            issued: jo::Issued {
                place: "Vinh".into(),
                date: Some(iso(packages::today())),
            },
            doc_type: jo::DocType {
                code: "1".into(),
                name: "Công văn".into(),
                detail: "0".into(),
            },
            subject: d.subject.into(),
            summary: d.subject.into(),
            signed_by: jo::SignedBy {
                authority: "TM. ỦY BAN NHÂN DÂN".into(),
                position: "CHỦ TỊCH".into(),
                name: "Nguyễn Đức Trung".into(),
            },
            action: jo::Action {
                kind: "new".into(),
                reason: "Văn bản điện tử mới".into(),
                ..jo::Action::default()
            },
            clerk: Some(jo::Clerk {
                department: "Văn thư".into(),
                name: "Hồ Thị Lan".into(),
                ..jo::Clerk::default()
            }),
            files: vec![jo::FileWire {
                id: format!("f{}", d.number),
                name: format!("{}.pdf", d.number),
                description: "Văn bản ký số".into(),
                mime: "application/pdf".into(),
                data: base64::engine::general_purpose::STANDARD
                    .encode(bytes)
                    .into(),
            }],
            ..jo::Document::default()
        }))
    }

    pub fn status(
        from: Agency,
        document_id: &str,
        code: &str,
        note: &str,
    ) -> Result<Record<'static>> {
        let r = packages::regarding(document_id)?;
        Ok(Record::Status(Box::new(jo::Status {
            from: agency(from),
            regarding: jo::Regarding {
                sender: r.organ_id.map(|o| o.to_string()).unwrap_or_default(),
                number: r.code,
                date: r.promulgation_date.and_then(|d| d.date()).map(iso),
                doc_id: document_id.into(),
            },
            clerk: jo::Clerk {
                department: "Văn thư".into(),
                name: "Hồ Thị Lan".into(),
                ..jo::Clerk::default()
            },
            status: code.into(),
            note: note.into(),
            at: Some(packages::now_vn().to_rfc3339()),
        })))
    }

    pub fn received(r: &Record<'_>) -> Received {
        match r {
            Record::Document(d) => Received::Document {
                id: d.doc_id.clone(),
                sender: d.sender.code.clone(),
                subject: d.subject.clone(),
            },
            Record::Status(s) => Received::Status {
                regarding: s.regarding.doc_id.clone(),
                from: s.from.code.clone(),
                code: s.status.clone(),
            },
        }
    }
}

/// GOITIN XML in TCVN3, the older system's format.
mod goitin {
    use super::*;
    use legacy_tcvn3::{tcvn3, xml};

    fn organ(name: &str, a: Agency) -> Element {
        Element::new(name).with_attr("ma", a.code).with_text(a.name)
    }

    fn clerk() -> Element {
        Element::new("VANTHU")
            .with_attr("phong", "Văn phòng")
            .with_attr("ten", "Nông Thị Hoa")
    }

    fn encode(inner: Element, kind: &str) -> Result<Vec<u8>> {
        let root = Element::new("GOITIN")
            .with_attr("loai", kind)
            .with_child(inner);
        tcvn3::encode(&xml::write(&root))
            .map_err(|e| anyhow!("the text cannot be written in TCVN3: {e}"))
    }

    pub fn document(d: &NewDocument<'_>) -> Result<Vec<u8>> {
        let today = packages::today().format("%d/%m/%Y").to_string();
        let mut v = Element::new("VANBAN")
            .with_child(Element::new("MAVB").with_text(d.id()))
            .with_child(organ("COQUANGUI", d.from));
        for r in d.to {
            v = v.with_child(organ("COQUANNHAN", *r));
        }
        v = v
            .with_child(
                Element::new("SOKYHIEU")
                    .with_attr("so", d.number.to_string())
                    .with_attr("kyhieu", d.notation),
            )
            .with_child(
                Element::new("BANHANH")
                    .with_attr("noi", "Cao Bằng")
                    .with_attr("ngay", today.clone()),
            )
            .with_child(
                Element::new("LOAIVANBAN")
                    .with_attr("ma", "1")
                    .with_attr("chitiet", "0")
                    .with_text("Công văn"),
            )
            .with_child(Element::new("TRICHYEU").with_text(d.subject))
            .with_child(Element::new("TOMTAT").with_text(d.subject))
            .with_child(
                Element::new("NGUOIKY")
                    .with_attr("thamquyen", "TM. UBND")
                    .with_attr("chucvu", "Chủ tịch")
                    .with_text("Hoàng Xuân Hòa"),
            )
            .with_child(
                Element::new("NGHIEPVU")
                    .with_attr("loai", "0")
                    .with_attr("lydo", "Văn bản điện tử mới")
                    .with_attr("bangiay", "0")
                    .with_child(clerk()),
            )
            .with_child(
                Element::new("TEP")
                    .with_attr("ma", format!("tep{}", d.number))
                    .with_attr("ten", format!("cv{}.pdf", d.number))
                    .with_attr("mota", "Công văn ký số")
                    .with_attr("kieu", "application/pdf")
                    .with_text(base64::engine::general_purpose::STANDARD.encode(d.attachment())),
            );
        encode(v, "VANBAN")
    }

    pub fn status(from: Agency, document_id: &str, code: &str, note: &str) -> Result<Vec<u8>> {
        let r = packages::regarding(document_id)?;
        let date = r
            .promulgation_date
            .and_then(|d| d.date())
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default();
        let t = Element::new("TRANGTHAI")
            .with_attr("ma", code)
            .with_attr(
                "luc",
                packages::now_vn().format("%d/%m/%Y %H:%M:%S").to_string(),
            )
            .with_child(organ("COQUANGUI", from))
            .with_child(
                Element::new("TRALOI")
                    .with_attr(
                        "coquan",
                        r.organ_id.map(|o| o.to_string()).unwrap_or_default(),
                    )
                    .with_attr("sokyhieu", r.code)
                    .with_attr("ngay", date)
                    .with_attr("mavb", document_id),
            )
            .with_child(clerk())
            .with_child(Element::new("GHICHU").with_text(note));
        encode(t, "TRANGTHAI")
    }

    pub fn read(bytes: &[u8]) -> Result<Received> {
        let text = tcvn3::decode(bytes).map_err(|e| anyhow!("not TCVN3 text: {e}"))?;
        let root = xml::parse(&text).map_err(|e| anyhow!("not GOITIN XML: {}", e.message))?;
        if let Some(v) = root.child("VANBAN") {
            return Ok(Received::Document {
                id: v.child_text("MAVB").trim().to_owned(),
                sender: v
                    .child("COQUANGUI")
                    .map(|c| c.attr("ma").to_owned())
                    .unwrap_or_default(),
                subject: v.child_text("TRICHYEU").to_owned(),
            });
        }
        if let Some(t) = root.child("TRANGTHAI") {
            return Ok(Received::Status {
                regarding: t
                    .child("TRALOI")
                    .map(|r| r.attr("mavb").to_owned())
                    .unwrap_or_default(),
                from: t
                    .child("COQUANGUI")
                    .map(|c| c.attr("ma").to_owned())
                    .unwrap_or_default(),
                code: t.attr("ma").to_owned(),
            });
        }
        bail!("GOITIN holds neither VANBAN nor TRANGTHAI")
    }
}
