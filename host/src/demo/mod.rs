//! `truc demo`: the whole story on one machine, through the hub's real interfaces.
//!
//! A hub with embedded SQLite; four agencies whose systems (simulated in this process) speak
//! edXML, GOITIN in TCVN3 and JSON through the three example adapters, and the national axis's
//! VXP API; documents and statuses 01→06 both ways; a revocation requested (13) and agreed (15);
//! json-office upgraded to a canary, promoted and rolled back while documents stream, none lost;
//! a vendor's broken adapter tripping its circuit breaker; then every document's state.
//!
//! Each chapter checks what it shows: the demo fails (exit 1) if the hub does not do it.

mod http;
mod packages;
mod systems;

use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail, ensure};
use sqlx::Row;

use self::http::{Http, Request};
use self::packages::{Agency, NewDocument, Received};
use self::systems::{JsonOffice, Kind, Mailbox, System};
use crate::config::Config;
use crate::gateway::AppState;
use crate::gateway::server::Hub;
use crate::runtime::units::Span;

const VPCP: Agency = Agency {
    code: "000.00.00.G22",
    name: "Văn phòng Chính phủ",
    short: "VPCP",
};
const NGHE_AN: Agency = Agency {
    code: "000.00.00.H41",
    name: "UBND tỉnh Nghệ An",
    short: "Nghệ An",
};
const CAO_BANG: Agency = Agency {
    code: "000.00.00.H14",
    name: "UBND tỉnh Cao Bằng",
    short: "Cao Bằng",
};
const HCM: Agency = Agency {
    code: "000.00.00.H29",
    name: "UBND Thành phố Hồ Chí Minh",
    short: "TP HCM",
};
const TAY_NINH: Agency = Agency {
    code: "000.00.00.H53",
    name: "UBND tỉnh Tây Ninh",
    short: "Tây Ninh",
};

/// The lifecycle a receiver reports (reference §7.3), with what each step means.
const LIFECYCLE: [(&str, &str); 5] = [
    ("01", "Đã đến"),
    ("03", "Đã tiếp nhận, vào sổ"),
    ("04", "Đã phân công xử lý"),
    ("05", "Đang xử lý"),
    ("06", "Hoàn thành xử lý"),
];

/// How long any one step may take before the demo calls it a failure.
const PATIENCE: Duration = Duration::from_secs(30);

/// Runs the demonstration; `keep` leaves the hub up afterwards.
pub async fn run(keep: bool, listen: Option<String>, dir: Option<PathBuf>) -> Result<ExitCode> {
    let (data_dir, _temp) = match dir {
        Some(d) => {
            if d.join("truc.db").exists() {
                bail!(
                    "{} already holds a hub; the demo needs a fresh directory (or none, for a temporary one)",
                    d.display()
                );
            }
            (d, None)
        }
        None => {
            let t = tempfile::Builder::new()
                .prefix("truc-demo-")
                .tempdir()
                .context("creating a temporary data directory")?;
            (t.path().to_path_buf(), Some(t))
        }
    };
    let started = Instant::now();
    let demo = Demo::start(data_dir, listen).await?;
    let outcome = demo.story().await;
    match outcome {
        Ok(()) => {
            println!(
                "\nThe story took {:.1} s. Every step above was checked.",
                started.elapsed().as_secs_f64()
            );
            if keep {
                demo.keep_running().await?;
            }
            demo.stop().await;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("\nThe demo failed: {e:#}");
            demo.stop().await;
            Ok(ExitCode::FAILURE)
        }
    }
}

struct Demo {
    hub: Http,
    state: AppState,
    data_dir: PathBuf,
    admin: String,
    vendor: ed25519_dalek::SigningKey,
    vpcp: System,
    nghean: System,
    nghean_office: Arc<JsonOffice>,
    caobang: System,
    hcm: System,
    tayninh_key: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<()>>,
}

fn chapter(n: u32, title: &str) {
    println!(
        "\n── {n}. {title} {}",
        "─".repeat(70usize.saturating_sub(title.chars().count()))
    );
}

/// Waits until `check` says done, asking again every 100 ms; fails after [`PATIENCE`].
async fn wait_until<F, Fut>(what: &str, mut check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool>>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        if check().await? {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("waited {} s for {what}", PATIENCE.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Collects what reaches `system` until `done` holds for everything collected.
async fn collect(
    system: &System,
    what: &str,
    done: impl Fn(&[Received]) -> bool,
) -> Result<Vec<Received>> {
    let mut got = Vec::new();
    let deadline = Instant::now() + PATIENCE;
    loop {
        got.extend(
            system
                .inbox()
                .await
                .with_context(|| format!("{} reading what reached it", system.agency.short))?,
        );
        if done(&got) {
            return Ok(got);
        }
        if Instant::now() > deadline {
            bail!(
                "waited {} s for {what}; {} has {} packages: {got:?}",
                PATIENCE.as_secs(),
                system.agency.short,
                got.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn statuses_about<'a>(
    got: &'a [Received],
    document: &'a str,
) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
    got.iter().filter_map(move |r| match r {
        Received::Status {
            regarding,
            from,
            code,
        } if regarding == document => Some((from.as_str(), code.as_str())),
        _ => None,
    })
}

fn documents(got: &[Received]) -> Vec<(String, String, String)> {
    got.iter()
        .filter_map(|r| match r {
            Received::Document {
                id,
                sender,
                subject,
            } => Some((id.clone(), sender.clone(), subject.clone())),
            _ => None,
        })
        .collect()
}

impl Demo {
    async fn start(data_dir: PathBuf, listen: Option<String>) -> Result<Demo> {
        println!("truc demo — the national document-interchange hub, end to end on this machine");
        // A vendor key the operator trusts, for the packages uploaded later.
        let vendor = crate::runtime::trust::generate_key();
        let keys = data_dir.join("vendor-keys");
        std::fs::create_dir_all(&keys).with_context(|| format!("creating {}", keys.display()))?;
        let (_, public) =
            crate::runtime::trust::write_key_pair(&vendor, &keys.join("demo-vendor"))?;
        let trusted = data_dir.join("trusted-keys");
        std::fs::create_dir_all(&trusted)?;
        std::fs::copy(&public, trusted.join("demo-vendor.pub"))
            .context("trusting the demo vendor's key")?;

        let mut config = Config::defaults();
        config.data_dir = data_dir.clone();
        config.server.listen = listen.unwrap_or_else(|| "127.0.0.1:0".into());
        config.exchange.retry_base = Span(Duration::from_millis(100));
        config.exchange.retry_max = Span(Duration::from_secs(2));
        config.adapters.poll_interval = Span(Duration::from_millis(200));
        let admin = format!(
            "truc-demo-admin-{}",
            hex::encode(rand::random::<[u8; 16]>())
        );
        let (hash, _) = crate::gateway::server::admin_token(&config, Some(&admin))?;
        let hub = Hub::build(config, hash).await.context("starting the hub")?;
        let state = hub.state.clone();
        let (bound_tx, bound_rx) = tokio::sync::oneshot::channel();
        let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            hub.serve(
                async {
                    let _ = stop_rx.await;
                },
                Some(bound_tx),
            )
            .await
            .map_err(anyhow::Error::from)
        });
        let addr = bound_rx
            .await
            .map_err(|_| anyhow!("the hub stopped before listening"))?;
        let hub = Http::new(&format!("http://{addr}"));
        println!("hub: {} (SQLite in {})", hub.base(), data_dir.display());

        let office = JsonOffice::new(&format!("na-{}", hex::encode(rand::random::<[u8; 8]>())));
        let office_url = office.serve().await?;

        let op = Operator {
            hub: &hub,
            token: &admin,
        };
        chapter(
            1,
            "The operator registers agencies and connects their systems",
        );
        for a in [VPCP, NGHE_AN, CAO_BANG, HCM, TAY_NINH] {
            op.json(
                "POST",
                "/agencies",
                serde_json::json!({ "code": a.code, "name": a.name }),
                &format!("adding agency {}", a.code),
            )
            .await?;
        }
        let key = |v: serde_json::Value| {
            v["api_key"]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| anyhow!("no api_key in {v}"))
        };
        let vpcp_key = key(op.json("POST", "/endpoints", serde_json::json!({ "name": "vpcp", "mode": "pull", "agencies": [VPCP.code], "adapter": "edxml-native@1.0.0" }), "adding endpoint vpcp").await?)?;
        key(op.json("POST", "/endpoints", serde_json::json!({ "name": "nghean", "mode": "poll", "agencies": [NGHE_AN.code], "adapter": "json-office@1.0.0" }), "adding endpoint nghean").await?)?;
        op.json(
            "PUT",
            "/endpoints/nghean/adapter-settings",
            serde_json::json!({ "config": { "values": { "base-url": office_url }, "secrets": { "api-token": office.token } }, "granted_origins": [office_url] }),
            "configuring json-office for nghean",
        )
        .await?;
        op.json(
            "POST",
            "/endpoints/nghean/adapter/activate",
            serde_json::json!({ "adapter": "json-office@1.0.0" }),
            "activating json-office",
        )
        .await?;
        let caobang_key = key(op.json("POST", "/endpoints", serde_json::json!({ "name": "caobang", "mode": "pull", "agencies": [CAO_BANG.code], "adapter": "legacy-tcvn3@1.0.0" }), "adding endpoint caobang").await?)?;
        let (vxp_system, vxp_secret) = (
            "000.00.99.H29",
            format!("hcm-{}", hex::encode(rand::random::<[u8; 12]>())),
        );
        key(op.json("POST", "/endpoints", serde_json::json!({ "name": "hcm", "mode": "pull", "agencies": [HCM.code], "vxp_system_id": vxp_system, "vxp_secret": vxp_secret }), "adding endpoint hcm").await?)?;
        let tayninh_key = key(op.json("POST", "/endpoints", serde_json::json!({ "name": "tayninh", "mode": "pull", "agencies": [TAY_NINH.code] }), "adding endpoint tayninh").await?)?;

        let demo = Demo {
            vpcp: System {
                agency: VPCP,
                endpoint: "vpcp",
                kind: Kind::Edxml(Mailbox::new(hub.clone(), vpcp_key)),
            },
            nghean: System {
                agency: NGHE_AN,
                endpoint: "nghean",
                kind: Kind::JsonOffice(office.clone()),
            },
            nghean_office: office,
            caobang: System {
                agency: CAO_BANG,
                endpoint: "caobang",
                kind: Kind::Tcvn3(Mailbox::new(hub.clone(), caobang_key)),
            },
            hcm: System {
                agency: HCM,
                endpoint: "hcm",
                kind: Kind::Vxp(systems::vxp_client(hub.base(), vxp_system, &vxp_secret)?),
            },
            hub,
            state,
            data_dir,
            admin,
            vendor,
            tayninh_key,
            stop,
            task,
        };
        for s in [&demo.vpcp, &demo.nghean, &demo.caobang, &demo.hcm] {
            println!(
                "  {:<9} {:<28} speaks {}",
                s.agency.short,
                s.agency.name,
                s.format()
            );
        }
        println!(
            "  {:<9} {:<28} its vendor's adapter comes later",
            TAY_NINH.short, TAY_NINH.name
        );
        Ok(demo)
    }

    fn operator(&self) -> Operator<'_> {
        Operator {
            hub: &self.hub,
            token: &self.admin,
        }
    }

    fn provinces(&self) -> [&System; 3] {
        [&self.nghean, &self.caobang, &self.hcm]
    }

    async fn story(&self) -> Result<()> {
        self.documents_down().await?;
        self.documents_up().await?;
        self.revocation().await?;
        self.upgrade_mid_stream().await?;
        self.breaker().await?;
        self.closing_table().await
    }

    /// Chapter 2: the Government Office writes to three provinces; each reports 01→06.
    async fn documents_down(&self) -> Result<()> {
        chapter(
            2,
            "VPCP sends a công văn to three provinces; each reports 01 → 06",
        );
        let to = [NGHE_AN, CAO_BANG, HCM];
        let doc = NewDocument {
            from: VPCP,
            to: &to,
            number: 101,
            notation: "VPCP-KSTT",
            subject: "V/v triển khai kết nối liên thông văn bản điện tử",
        };
        let id = doc.id();
        self.vpcp.send_document(&doc).await?;
        println!("  VPCP sent {id} in edXML (edxml-native)");
        for p in self.provinces() {
            let got = collect(p, &format!("{id} at {}", p.agency.short), |g| {
                documents(g).iter().any(|(d, _, _)| *d == id)
            })
            .await?;
            let (_, sender, subject) = documents(&got)
                .into_iter()
                .find(|(d, _, _)| *d == id)
                .unwrap_or_default();
            ensure!(
                sender == VPCP.code,
                "{} read sender {sender}, not {}",
                p.agency.short,
                VPCP.code
            );
            println!(
                "  {:<9} received it in {}: “{subject}”",
                p.agency.short,
                p.format()
            );
        }
        for (code, meaning) in LIFECYCLE {
            for p in self.provinces() {
                p.send_status(&id, code, meaning).await?;
            }
        }
        let got = collect(&self.vpcp, "15 statuses at VPCP", |g| {
            statuses_about(g, &id).count() >= 15
        })
        .await?;
        for p in self.provinces() {
            let codes: Vec<&str> = statuses_about(&got, &id)
                .filter(|(f, _)| *f == p.agency.code)
                .map(|(_, c)| c)
                .collect();
            ensure!(
                codes == ["01", "03", "04", "05", "06"],
                "VPCP saw {codes:?} from {}",
                p.agency.short
            );
            println!("  VPCP ← {:<9} {}", p.agency.short, codes.join(" → "));
        }
        Ok(())
    }

    /// Chapter 3: each province writes to the Government Office; it reports 01→06 back.
    async fn documents_up(&self) -> Result<()> {
        chapter(
            3,
            "Each province sends VPCP a document; VPCP reports 01 → 06 back",
        );
        let to = [VPCP];
        let docs = [
            NewDocument {
                from: NGHE_AN,
                to: &to,
                number: 2201,
                notation: "UBND-KT",
                subject: "Báo cáo tình hình kinh tế - xã hội tháng 11",
            },
            NewDocument {
                from: CAO_BANG,
                to: &to,
                number: 1580,
                notation: "UBND-VX",
                subject: "Đề nghị hỗ trợ kinh phí khắc phục hậu quả thiên tai",
            },
            NewDocument {
                from: HCM,
                to: &to,
                number: 4730,
                notation: "UBND-ĐT",
                subject: "Báo cáo tiến độ dự án đường Vành đai 3",
            },
        ];
        for (p, d) in self.provinces().into_iter().zip(&docs) {
            p.send_document(d).await?;
            println!("  {:<9} sent {} in {}", p.agency.short, d.id(), p.format());
        }
        let ids: Vec<String> = docs.iter().map(NewDocument::id).collect();
        let got = collect(&self.vpcp, "the three provinces' documents at VPCP", |g| {
            let have: HashSet<String> = documents(g).into_iter().map(|(d, _, _)| d).collect();
            ids.iter().all(|i| have.contains(i))
        })
        .await?;
        println!("  VPCP received all three as edXML");
        drop(got);
        for (code, meaning) in LIFECYCLE {
            for id in &ids {
                self.vpcp.send_status(id, code, meaning).await?;
            }
        }
        for (p, id) in self.provinces().into_iter().zip(&ids) {
            let got = collect(p, &format!("VPCP's statuses at {}", p.agency.short), |g| {
                statuses_about(g, id).count() >= 5
            })
            .await?;
            let codes: Vec<&str> = statuses_about(&got, id).map(|(_, c)| c).collect();
            ensure!(
                codes == ["01", "03", "04", "05", "06"],
                "{} saw {codes:?}",
                p.agency.short
            );
            println!(
                "  {:<9} ← VPCP {}, read in {}",
                p.agency.short,
                codes.join(" → "),
                p.format()
            );
        }
        Ok(())
    }

    /// Chapter 4: a document is revoked (13) and both receivers agree (15).
    async fn revocation(&self) -> Result<()> {
        chapter(4, "VPCP revokes a document; the receivers agree");
        let to = [NGHE_AN, HCM];
        let doc = NewDocument {
            from: VPCP,
            to: &to,
            number: 102,
            notation: "VPCP-KSTT",
            subject: "V/v tổ chức hội nghị trực tuyến (sẽ thu hồi)",
        };
        let id = doc.id();
        self.vpcp.send_document(&doc).await?;
        for p in [&self.nghean, &self.hcm] {
            collect(p, &format!("{id} at {}", p.agency.short), |g| {
                documents(g).iter().any(|(d, _, _)| *d == id)
            })
            .await?;
        }
        println!("  VPCP sent {id}; Nghệ An and TP HCM have it");
        self.vpcp
            .send_status(&id, "13", "Thu hồi văn bản do sai sót nội dung")
            .await?;
        println!("  VPCP asks to revoke it (status 13)");
        for p in [&self.nghean, &self.hcm] {
            let got = collect(p, &format!("the revocation at {}", p.agency.short), |g| {
                statuses_about(g, &id).any(|(_, c)| c == "13")
            })
            .await?;
            drop(got);
            p.send_status(&id, "15", "Đồng ý thu hồi").await?;
            println!("  {:<9} received the 13 and agrees (15)", p.agency.short);
        }
        let got = collect(&self.vpcp, "both agreements at VPCP", |g| {
            statuses_about(g, &id).filter(|(_, c)| *c == "15").count() >= 2
        })
        .await?;
        let from: Vec<&str> = statuses_about(&got, &id)
            .filter(|(_, c)| *c == "15")
            .map(|(f, _)| f)
            .collect();
        ensure!(
            from.contains(&NGHE_AN.code) && from.contains(&HCM.code),
            "15 came from {from:?}"
        );
        let timeline = self.timeline(&id).await?;
        println!("  The document's timeline, as VPCP reads it:");
        for line in &timeline {
            println!("    {line}");
        }
        ensure!(
            timeline.iter().filter(|l| l.contains("status 15")).count() == 2,
            "the timeline lacks the two 15s: {timeline:?}"
        );
        Ok(())
    }

    /// One document's history, as its sender reads it through the REST API.
    async fn timeline(&self, id: &str) -> Result<Vec<String>> {
        let Kind::Edxml(m) = &self.vpcp.kind else {
            bail!("VPCP has no API key");
        };
        let path = format!("/api/v1/documents/timeline?document_id={}", urlencode(id));
        let entries = self
            .hub
            .send(Request::new("GET", &path, m.key()))
            .await?
            .ok("reading the timeline")?
            .json()?;
        let mut out = Vec::new();
        for e in entries.as_array().into_iter().flatten() {
            let detail: serde_json::Value =
                serde_json::from_str(e["detail"].as_str().unwrap_or("{}")).unwrap_or_default();
            let who = short(e["receiver"].as_str().unwrap_or_default());
            let line = match e["event"].as_str().unwrap_or_default() {
                "accepted" => {
                    let to: Vec<String> = detail["deliveries"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|d| short(d["receiver"].as_str().unwrap_or_default()))
                        .collect();
                    format!("accepted for {}", to.join(", "))
                }
                "delivered" => format!("delivered to {who}"),
                "status" => format!(
                    "status {} from {who}: {}",
                    detail["code"].as_str().unwrap_or("?"),
                    detail["description"].as_str().unwrap_or_default()
                ),
                other => format!("{other} {who}"),
            };
            out.push(format!("#{:<4} {line}", e["seq"]));
        }
        Ok(out)
    }

    /// Chapter 5: json-office is upgraded to a canary, promoted and rolled back while
    /// documents stream to Nghệ An; every one arrives exactly once.
    async fn upgrade_mid_stream(&self) -> Result<()> {
        chapter(
            5,
            "json-office 1.1.0: canary, promotion, rollback — while documents stream",
        );
        let op = self.operator();
        let mut pkg = crate::bundled::JSON_OFFICE_NEXT.package()?;
        crate::runtime::trust::sign(&mut pkg, &self.vendor);
        let installed = op
            .call(
                "POST",
                "/adapters",
                "application/zip",
                pkg.to_bytes(),
                "uploading json-office 1.1.0",
            )
            .await?;
        println!(
            "  operator uploads {} (signed by the vendor's key; sha256 {}…)",
            installed["adapter"].as_str().unwrap_or("?"),
            installed["sha256"]
                .as_str()
                .unwrap_or("?")
                .chars()
                .take(12)
                .collect::<String>()
        );

        let before = self.nghean_office.deliveries.lock().len();
        let to = [NGHE_AN];
        let total = 40u32;
        let steps: [(u32, &str, serde_json::Value); 3] = [
            (
                10,
                "canary 1.1.0 (50 %)",
                serde_json::json!({ "adapter": "json-office@1.1.0", "canary_percent": 50 }),
            ),
            (
                20,
                "1.1.0 for all",
                serde_json::json!({ "adapter": "json-office@1.1.0" }),
            ),
            (30, "rollback", serde_json::Value::Null),
        ];
        let mut ids = Vec::new();
        let mut phases = vec![("json-office@1.0.0", before)];
        for n in 0..total {
            if let Some((_, label, body)) = steps.iter().find(|(at, _, _)| *at == n) {
                // Let what was sent finish under the current generation first, so the table
                // below can say which generation served which phase.
                self.settle(before + n as usize).await?;
                phases.push((label, before + n as usize));
                if body.is_null() {
                    let r = op
                        .json(
                            "POST",
                            "/endpoints/nghean/adapter/rollback",
                            serde_json::json!({}),
                            "rolling back",
                        )
                        .await?;
                    println!(
                        "  after {n:>2} documents: operator rolls back → {}",
                        r["adapter"].as_str().unwrap_or("?")
                    );
                } else {
                    op.json(
                        "POST",
                        "/endpoints/nghean/adapter/activate",
                        body.clone(),
                        label,
                    )
                    .await?;
                    println!("  after {n:>2} documents: operator activates {label}");
                }
            }
            let doc = NewDocument {
                from: VPCP,
                to: &to,
                number: 300 + n,
                notation: "VPCP-TH",
                subject: "Thông báo kết luận giao ban (loạt văn bản)",
            };
            ids.push(doc.id());
            self.vpcp.send_document(&doc).await?;
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
        self.settle(before + total as usize).await?;
        let deliveries = self.nghean_office.deliveries.lock().clone();
        let new = &deliveries[before..];
        let distinct: HashSet<&str> = new.iter().map(|(d, _, _)| d.as_str()).collect();
        let docs: HashSet<&str> = new
            .iter()
            .filter_map(|(_, r, _)| match r {
                json_office::format::Record::Document(d) => Some(d.doc_id.as_str()),
                _ => None,
            })
            .collect();
        ensure!(
            distinct.len() == new.len(),
            "a delivery id reached Nghệ An twice"
        );
        ensure!(
            ids.iter().all(|i| docs.contains(i.as_str())),
            "a streamed document did not reach Nghệ An"
        );
        println!(
            "  Nghệ An's system received all {total} documents, each once ({} distinct delivery ids, {} repeats answered 409). By phase, the adapter that delivered (its User-Agent):",
            distinct.len(),
            self.nghean_office.repeats.lock()
        );
        phases.push(("end", deliveries.len()));
        let mut saw_next = false;
        for w in phases.windows(2) {
            let mut by_agent: BTreeMap<&str, usize> = BTreeMap::new();
            for (_, _, agent) in &deliveries[w[0].1..w[1].1] {
                *by_agent.entry(agent.as_str()).or_default() += 1;
            }
            saw_next |= by_agent.keys().any(|a| a.ends_with("/1.1.0"));
            let counts: Vec<String> = by_agent.iter().map(|(a, n)| format!("{a} ×{n}")).collect();
            println!("    {:<22} {}", w[0].0, counts.join(", "));
        }
        ensure!(saw_next, "json-office 1.1.0 never delivered anything");
        let last = &deliveries[phases[phases.len() - 2].1..];
        ensure!(
            last.iter().all(|(_, _, a)| a.ends_with("/1.0.0")),
            "after the rollback 1.0.0 must deliver alone"
        );
        Ok(())
    }

    /// Waits until Nghệ An's system holds `n` deliveries and nothing waits to be pushed.
    async fn settle(&self, n: usize) -> Result<()> {
        let pool = self.state.exchange.store().pool().clone();
        wait_until(&format!("{n} deliveries at Nghệ An"), || {
            let pool = pool.clone();
            async move {
                let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id WHERE e.name = 'nghean' AND d.state = 'pending'")
                    .fetch_one(&pool)
                    .await?;
                Ok(pending == 0 && self.nghean_office.deliveries.lock().len() >= n)
            }
        })
        .await
    }

    /// Chapter 6: a vendor's adapter panics on every call; its breaker opens, the rest of the
    /// hub carries on, and the operator switches the endpoint to a working adapter.
    async fn breaker(&self) -> Result<()> {
        chapter(6, "A misbehaving adapter trips its circuit breaker");
        let op = self.operator();
        let mut pkg = crate::bundled::PANICS.package()?;
        crate::runtime::trust::sign(&mut pkg, &self.vendor);
        let installed = op
            .call(
                "POST",
                "/adapters",
                "application/zip",
                pkg.to_bytes(),
                "uploading the Tây Ninh vendor's adapter",
            )
            .await?;
        let adapter = installed["adapter"]
            .as_str()
            .unwrap_or("panics@0.1.0")
            .to_owned();
        op.json(
            "POST",
            "/endpoints/tayninh/adapter/activate",
            serde_json::json!({ "adapter": adapter }),
            "activating it",
        )
        .await?;
        println!(
            "  Tây Ninh's vendor ships {adapter}; it passes the self-test but panics on every decode"
        );
        let tayninh = Mailbox::new(self.hub.clone(), self.tayninh_key.clone());
        let doc = NewDocument {
            from: TAY_NINH,
            to: &[VPCP],
            number: 77,
            notation: "UBND-VP",
            subject: "Báo cáo kết quả cải cách hành chính",
        };
        let payload = systems::goitin_document(&doc)?;
        let mut open_at = None;
        for attempt in 1..=8 {
            let r = tayninh
                .push_raw(
                    "tayninh",
                    "application/xml; charset=x-tcvn3",
                    payload.clone(),
                )
                .await?;
            let message = r.message();
            println!(
                "  attempt {attempt}: {} — {}",
                r.status,
                shorten(&message, 90)
            );
            ensure!(
                r.status >= 500 && r.status < 600 || r.status == 422,
                "a panicking adapter must not be taken for success: {}",
                r.status
            );
            if r.status == 503 && message.contains("circuit") && open_at.is_none() {
                open_at = Some(attempt);
            }
        }
        let open_at = open_at.ok_or_else(|| anyhow!("the circuit breaker never opened"))?;
        println!(
            "  the breaker opened at attempt {open_at}: later calls are refused at once, the sandbox is not entered"
        );
        // The rest of the hub is unaffected.
        let other = NewDocument {
            from: VPCP,
            to: &[CAO_BANG],
            number: 103,
            notation: "VPCP-KSTT",
            subject: "V/v phối hợp (trong lúc Tây Ninh hỏng)",
        };
        self.vpcp.send_document(&other).await?;
        let id = other.id();
        collect(&self.caobang, "a document at Cao Bằng meanwhile", |g| {
            documents(g).iter().any(|(d, _, _)| *d == id)
        })
        .await?;
        println!("  meanwhile VPCP → Cao Bằng goes through as usual");
        op.json(
            "POST",
            "/endpoints/tayninh/adapter/activate",
            serde_json::json!({ "adapter": "legacy-tcvn3@1.0.0" }),
            "switching Tây Ninh to legacy-tcvn3",
        )
        .await?;
        let r = tayninh
            .push_raw("tayninh", "application/xml; charset=x-tcvn3", payload)
            .await?
            .ok("Tây Ninh sending after the switch")?;
        drop(r);
        let id = doc.id();
        collect(&self.vpcp, "Tây Ninh's document at VPCP", |g| {
            documents(g).iter().any(|(d, _, _)| *d == id)
        })
        .await?;
        println!(
            "  operator activates legacy-tcvn3 for Tây Ninh: the same payload is accepted and reaches VPCP"
        );
        Ok(())
    }

    /// Chapter 7: every document's state at every receiver, the audit chain, dead letters.
    async fn closing_table(&self) -> Result<()> {
        chapter(7, "Every document's state");
        let pool = self.state.exchange.store().pool();
        let rows = sqlx::query(
            "SELECT p.id, p.sender, p.document_id, d.receiver, d.state, r.status, r.change FROM packages p \
             JOIN deliveries d ON d.package_id = p.id LEFT JOIN receipts r ON r.package_id = p.id AND r.receiver = d.receiver \
             WHERE p.kind = 'document' ORDER BY p.id, d.receiver",
        )
        .fetch_all(pool)
        .await?;
        let mut table: BTreeMap<i64, (String, String, Vec<String>)> = BTreeMap::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let sender: String = r.try_get("sender")?;
            let document_id: String = r.try_get("document_id")?;
            let receiver: String = r.try_get("receiver")?;
            let state: String = r.try_get("state")?;
            let status: Option<String> = r.try_get("status")?;
            let change: Option<String> = r.try_get("change")?;
            let code = document_id
                .rsplit(',')
                .next()
                .unwrap_or_default()
                .to_owned();
            let cell = format!(
                "{} {}{}",
                short(&receiver),
                match state.as_str() {
                    "delivered" => "✓",
                    "pending" => "…",
                    "cancelled" => "✗",
                    _ => "!",
                },
                match (status, change.as_deref()) {
                    (s, Some(c)) => format!(
                        "{} {}",
                        s.unwrap_or_default(),
                        match c {
                            "13" => "revocation asked",
                            "15" => "revoked (agreed)",
                            "16" => "revocation refused",
                            "update" => "updated",
                            other => other,
                        }
                    )
                    .trim_end()
                    .to_owned(),
                    (Some(s), None) => format!(" {s}"),
                    (None, None) => String::new(),
                }
            );
            table
                .entry(id)
                .or_insert_with(|| (code, short(&sender), Vec::new()))
                .2
                .push(cell);
        }
        println!(
            "  {:<24} {:<9} receivers (✓ delivered, then the last status reported)",
            "document", "from"
        );
        let mut undelivered = 0;
        // Consecutive documents of one series in the same state share a line.
        let mut lines: Vec<(String, String, String, u32)> = Vec::new();
        for (code, from, cells) in table.values() {
            undelivered += cells.iter().filter(|c| !c.contains('✓')).count();
            let cells = cells.join("   ");
            let series = code
                .split_once('/')
                .map(|(_, notation)| notation)
                .unwrap_or_default();
            match lines.last_mut() {
                Some((first, f, c, n))
                    if f == from && *c == cells && first.ends_with(&format!("/{series}")) =>
                {
                    *n += 1
                }
                _ => lines.push((code.clone(), from.clone(), cells, 1)),
            }
        }
        for (code, from, cells, n) in &lines {
            let label = if *n > 1 {
                format!("{code} +{} more", n - 1)
            } else {
                code.clone()
            };
            println!("  {label:<24} {from:<9} {cells}");
        }
        ensure!(
            undelivered == 0,
            "{undelivered} deliveries did not complete"
        );
        let op = self.operator();
        let dead = op
            .json(
                "GET",
                "/dead-letters",
                serde_json::Value::Null,
                "listing dead letters",
            )
            .await?;
        let audit = op
            .json(
                "GET",
                "/audit/verify",
                serde_json::Value::Null,
                "verifying the audit chain",
            )
            .await?;
        ensure!(
            audit["first_break"].is_null(),
            "the audit chain is broken: {audit}"
        );
        println!(
            "\n  {} documents, {} deliveries, all delivered; dead letters: {}; audit chain: {} entries, intact",
            table.len(),
            rows.len(),
            dead.as_array().map_or(0, Vec::len),
            audit["entries"]
        );
        Ok(())
    }

    async fn keep_running(&self) -> Result<()> {
        // Listen for Ctrl-C and SIGTERM before saying so: a signal right after the message must
        // stop the hub cleanly, not kill the process.
        #[cfg(unix)]
        let (mut interrupt, mut terminate) = {
            use tokio::signal::unix::{SignalKind, signal};
            (
                signal(SignalKind::interrupt())?,
                signal(SignalKind::terminate())?,
            )
        };
        println!(
            "\nThe hub keeps running at {} (Ctrl-C to stop).",
            self.hub.base()
        );
        println!("  admin token:   {}", self.admin);
        if let Kind::Edxml(m) = &self.vpcp.kind {
            println!(
                "  VPCP API key:  {}   e.g. curl -H 'Authorization: Bearer …' {}/api/v1/mailbox?include_delivered=true",
                m.key(),
                self.hub.base()
            );
        }
        println!(
            "  OpenAPI:       {}/api/v1/openapi.json   metrics: {}/metrics",
            self.hub.base(),
            self.hub.base()
        );
        println!("  data:          {}", self.data_dir.display());
        #[cfg(unix)]
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        #[cfg(not(unix))]
        crate::gateway::server::shutdown_signal().await;
        println!("stopping the hub");
        Ok(())
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        match self.task.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("the hub stopped with an error: {e:#}"),
            Err(e) => eprintln!("the hub's task failed: {e}"),
        }
    }
}

/// The operator's admin API client.
struct Operator<'a> {
    hub: &'a Http,
    token: &'a str,
}

impl Operator<'_> {
    async fn call(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        what: &str,
    ) -> Result<serde_json::Value> {
        let path = format!("/admin/v1{path}");
        let r = self
            .hub
            .send(Request::new(method, &path, self.token).body(content_type, body))
            .await?
            .ok(what)?;
        if r.body.is_empty() {
            Ok(serde_json::Value::Null)
        } else {
            r.json()
        }
    }

    async fn json(
        &self,
        method: &str,
        path: &str,
        body: serde_json::Value,
        what: &str,
    ) -> Result<serde_json::Value> {
        let bytes = if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        self.call(method, path, "application/json", bytes, what)
            .await
    }
}

/// The short name of an agency of the demo, or its code.
fn short(code: &str) -> String {
    [VPCP, NGHE_AN, CAO_BANG, HCM, TAY_NINH]
        .iter()
        .find(|a| a.code == code)
        .map(|a| a.short.to_owned())
        .unwrap_or_else(|| code.to_owned())
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
