//! Reports against a hand-checked fixture, on SQLite and PostgreSQL, and `truc report` /
//! `truc catalogue` through the real binary.
//!
//! The fixture (all sent Tuesday 2026-11-17 10:00 Hà Nội time unless said otherwise):
//!
//! | doc | from | to       | type / paper     | PDF      | answers (delay after sending)              |
//! |-----|------|----------|------------------|----------|--------------------------------------------|
//! | 1   | G22  | H41, H14 | Công văn, 0      | unsigned | H41: 01 +600 s, 03, 06; H14: 02 +1200 s "Sai nơi nhận" |
//! | 2   | G22  | H41      | Công văn, 0      | unsigned | H41: 01 +3 days (late: due Wed 23:59:59)   |
//! | 3   | G22  | H29      | Thông tư, 1      | unsigned | none (overdue)                             |
//! | 4   | G22  | H41      | Công văn, 0      | signed   | H41: 02 +1800 s "Thiếu chữ ký số"          |
//! | 5   | H41  | G22      | Công văn, 0      | unsigned | G22: 03 +300 s                             |
//! | 6   | G22  | H41      | Công văn, 0      | unsigned | sent 2026-11-10: outside the period        |
//!
//! Hand-computed for 2026-11-17..2026-11-17:
//! - G22: sent 4, received 1, acknowledged 1, accepted 1, completed 0, rejected 0, median 300 s,
//!   overdue 0, signed 1 (¼), paperless 3 (¾).
//! - H41: sent 1, received 3, acknowledged 3, accepted 1, completed 1, rejected 1
//!   ("Thiếu chữ ký số"), median of {600, 1800, 259200} = 1800 s, overdue 1, signed 0, paperless 1.
//! - H14: received 1, acknowledged 1, rejected 1 ("Sai nơi nhận"), median 1200 s, overdue 0.
//! - H29: received 1, acknowledged 0, overdue 1.
//! - total: sent 5, received 6, acknowledged 5, accepted 2, completed 1, rejected 2, overdue 2,
//!   signed 1, paperless 4, median of {300, 600, 1200, 1800, 259200} = 1200 s.

use std::path::Path;
use std::process::{Command, Output};

use chrono::NaiveDate;
use truc::policy::report::{self, Figures, Reason, ReportQuery};
use truc::store::Store;

use crate::on_both_backends;
use crate::policy::{document_with, signed_pdf, unsigned_pdf};
use crate::world::{G22, H14, H29, H41, send, status, world};

/// Tuesday 2026-11-17 10:00 in Hà Nội, as Unix ms.
const SENT: i64 = 1_794_884_400_000;
const DAY: i64 = 86_400_000;

async fn exec(store: &Store, sql: &str, args: &[i64]) {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
    for a in args {
        q = q.bind(*a);
    }
    q.execute(store.pool()).await.unwrap();
}

/// Builds the fixture through the real ingest path, then moves its clock readings to the
/// fixed times of the table (the hub stamps "now"; reports need known times).
pub async fn fixture(store: &Store) {
    let w = world(store.clone()).await;
    let unsigned = unsigned_pdf();
    let d1 = send(&w.ex, &w.vpcp, document_with(1, "Công văn", "0", &unsigned))
        .await
        .unwrap();
    // document_with addresses H41; doc 1 also goes to H14.
    let d1b = {
        let (mut p, _) = crate::world::document_model(G22, &[H41, H14], 11);
        if let truc::edxml::Package::Document(d) = &mut p {
            d.attachments[0].size = unsigned.len() as u64;
            d.attachments[0].sha256 = truc::edxml::Sha256::of(&unsigned);
        }
        send(
            &w.ex,
            &w.vpcp,
            crate::world::edxml_bytes(&p, Some(&unsigned)),
        )
        .await
        .unwrap()
    };
    let d2 = send(&w.ex, &w.vpcp, document_with(2, "Công văn", "0", &unsigned))
        .await
        .unwrap();
    let d3 = {
        let bytes = document_with(3, "Thông tư", "1", &unsigned);
        let text = String::from_utf8(bytes).unwrap().replace(H41, H29);
        send(&w.ex, &w.vpcp, text.into_bytes()).await.unwrap()
    };
    let d4 = send(
        &w.ex,
        &w.vpcp,
        document_with(4, "Công văn", "0", &signed_pdf("Le Van C")),
    )
    .await
    .unwrap();
    let d5 = send(&w.ex, &w.nghean, crate::world::document(H41, &[G22], 5))
        .await
        .unwrap();
    let d6 = send(&w.ex, &w.vpcp, document_with(6, "Công văn", "0", &unsigned))
        .await
        .unwrap();
    // Doc 1 of the table is package d1b (to H41 and H14); d1 (number 1, to H41) is removed
    // from the period below by dating it with doc 6.
    for (who, sender, code, n, text) in [
        (&w.nghean, H41, "01", 11, "Đã đến"),
        (&w.nghean, H41, "03", 11, "Đã tiếp nhận"),
        (&w.nghean, H41, "06", 11, "Hoàn thành"),
        (&w.caobang, H14, "02", 11, "Sai nơi nhận"),
        (&w.nghean, H41, "01", 2, "Đã đến"),
        (&w.nghean, H41, "02", 4, "Thiếu chữ ký số"),
    ] {
        send(&w.ex, who, status(sender, G22, n, code, text))
            .await
            .unwrap();
    }
    send(&w.ex, &w.vpcp, status(G22, H41, 5, "03", "Đã tiếp nhận"))
        .await
        .unwrap();

    exec(
        store,
        "UPDATE packages SET received_at = $1 WHERE kind = 'document'",
        &[SENT],
    )
    .await;
    exec(store, "UPDATE document_facts SET sent_at = $1", &[SENT]).await;
    exec(store, "UPDATE receipts SET sent_at = $1", &[SENT]).await;
    for id in [d1.package_id, d6.package_id] {
        exec(
            store,
            "UPDATE document_facts SET sent_at = $1 WHERE package_id = $2",
            &[SENT - 7 * DAY, id],
        )
        .await;
        exec(
            store,
            "UPDATE receipts SET sent_at = $1 WHERE package_id = $2",
            &[SENT - 7 * DAY, id],
        )
        .await;
    }
    let first = |pkg: i64, receiver: &str, delay: i64| {
        let sql = format!(
            "UPDATE receipts SET first_status_at = {} WHERE package_id = {pkg} AND receiver = '{receiver}'",
            SENT + delay
        );
        async move { exec(store, &sql, &[]).await }
    };
    first(d1b.package_id, H41, 600_000).await;
    first(d1b.package_id, H14, 1_200_000).await;
    first(d2.package_id, H41, 3 * DAY).await;
    first(d4.package_id, H41, 1_800_000).await;
    first(d5.package_id, G22, 300_000).await;
    let _ = d3;
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn reasons(list: &[(&str, i64)]) -> Vec<Reason> {
    list.iter()
        .map(|(r, n)| Reason {
            reason: (*r).into(),
            count: *n,
        })
        .collect()
}

fn fig(
    agency: &str,
    [
        sent,
        received,
        acknowledged,
        accepted,
        completed,
        rejected,
        overdue,
        signed,
        paperless,
    ]: [i64; 9],
    median: Option<f64>,
    rejection_reasons: Vec<Reason>,
) -> Figures {
    let share = |n: i64| (sent > 0).then(|| n as f64 / sent as f64);
    Figures {
        agency: agency.into(),
        sent,
        received,
        acknowledged,
        accepted,
        completed,
        rejected,
        rejection_reasons,
        median_first_status_secs: median,
        overdue,
        signed,
        paperless,
        share_signed: share(signed),
        share_paperless: share(paperless),
    }
}

async fn every_figure_matches_the_hand_checked_fixture(store: Store) {
    fixture(&store).await;
    let q = ReportQuery {
        from: day(17),
        to: day(17),
        agency: None,
        holidays: Vec::new(),
        now: Some(SENT + 6 * DAY),
    };
    let r = report::compute(&store, &q).await.unwrap();
    assert_eq!(
        r.agencies,
        vec![
            fig(G22, [4, 1, 1, 1, 0, 0, 0, 1, 3], Some(300.0), vec![]),
            fig(
                H14,
                [0, 1, 1, 0, 0, 1, 0, 0, 0],
                Some(1200.0),
                reasons(&[("Sai nơi nhận", 1)])
            ),
            fig(H29, [0, 1, 0, 0, 0, 0, 1, 0, 0], None, vec![]),
            fig(
                H41,
                [1, 3, 3, 1, 1, 1, 1, 0, 1],
                Some(1800.0),
                reasons(&[("Thiếu chữ ký số", 1)])
            ),
        ]
    );
    assert_eq!(
        r.total,
        fig(
            "*",
            [5, 6, 5, 2, 1, 2, 2, 1, 4],
            Some(1200.0),
            reasons(&[("Sai nơi nhận", 1), ("Thiếu chữ ký số", 1)])
        )
    );

    // One agency only.
    let one = report::compute(
        &store,
        &ReportQuery {
            agency: Some(H41.into()),
            ..q.clone()
        },
    )
    .await
    .unwrap();
    assert_eq!(one.agencies.len(), 1);
    assert_eq!(one.agencies[0], r.agencies[3]);

    // The week before holds only the two moved documents (to H41, unanswered and overdue).
    let before = report::compute(
        &store,
        &ReportQuery {
            from: day(10),
            to: day(16),
            ..q.clone()
        },
    )
    .await
    .unwrap();
    assert_eq!(before.total.sent, 2);
    assert_eq!(before.total.received, 2);
    assert_eq!(before.total.overdue, 2);

    // A holiday on Wednesday moves H41's doc-2 deadline to Thursday night: answered Friday
    // 10:00, still late; H29 still late.
    let holiday = report::compute(
        &store,
        &ReportQuery {
            holidays: vec![day(18)],
            ..q.clone()
        },
    )
    .await
    .unwrap();
    assert_eq!(holiday.total.overdue, 2);
    // Asked on Wednesday noon, nothing is overdue yet.
    let early = report::compute(
        &store,
        &ReportQuery {
            now: Some(SENT + DAY + 2 * 3_600_000),
            ..q
        },
    )
    .await
    .unwrap();
    assert_eq!(
        early
            .agencies
            .iter()
            .find(|f| f.agency == H29)
            .unwrap()
            .overdue,
        0
    );
}
on_both_backends!(
    report_figures,
    every_figure_matches_the_hand_checked_fixture
);

fn truc(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_truc"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("TRUC_ADMIN_TOKEN")
        .env_remove("DATABASE_URL")
        .output()
        .expect("run truc")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "truc failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_prints_the_report_as_table_csv_and_json_and_keeps_the_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite:{}", dir.path().join("truc.db").display()))
        .await
        .unwrap();
    fixture(&store).await;
    store.close().await;
    let d = dir.path();
    let period = ["report", "--from", "2026-11-17", "--to", "2026-11-17"];

    let table = ok(&truc(d, &period));
    assert!(table.contains("AGENCY"), "{table}");
    let h41 = table.lines().find(|l| l.starts_with(H41)).unwrap();
    let cols: Vec<&str> = h41.split_whitespace().collect();
    assert_eq!(
        cols,
        [
            H41, "1", "3", "3", "1", "1", "1", "1", "30m00s", "0.0%", "100.0%"
        ]
    );
    assert!(table.contains("Rejected by 000.00.00.H14:") && table.contains("Sai nơi nhận"));

    let mut args = period.to_vec();
    args.extend(["--format", "csv"]);
    let csv = ok(&truc(d, &args));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "agency,sent,received,acknowledged,accepted,completed,rejected,overdue,median_first_status_secs,signed,paperless,share_signed,share_paperless,rejection_reasons"
    );
    assert_eq!(
        lines[1],
        format!("{G22},4,1,1,1,0,0,0,300.0,1,3,0.2500,0.7500,")
    );
    assert_eq!(lines.len(), 6, "four agencies and the total");
    assert!(lines[5].starts_with("*,5,6,5,2,1,2,"), "{}", lines[5]);

    let mut args = period.to_vec();
    args.extend(["--format", "json", "--agency", H29]);
    let json: serde_json::Value = serde_json::from_str(&ok(&truc(d, &args))).unwrap();
    assert_eq!(json["agencies"][0]["agency"], H29);
    assert_eq!(json["agencies"][0]["received"], 1);
    assert_eq!(json["agencies"][0]["acknowledged"], 0);

    // A bad period is refused clearly.
    let out = truc(d, &["report", "--from", "2026-11-17", "--to", "2026-11-01"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("before it starts"));

    // The catalogue.
    let list = ok(&truc(d, &["catalogue", "list"]));
    assert!(
        list.lines()
            .any(|l| l.starts_with("TT ") && l.contains("required")),
        "{list}"
    );
    ok(&truc(d, &["catalogue", "set", "TT", "--paperless", "true"]));
    let json: serde_json::Value =
        serde_json::from_str(&ok(&truc(d, &["catalogue", "list", "--json"]))).unwrap();
    let tt = json
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "TT")
        .unwrap();
    assert_eq!(tt["paperless"], true);
    let out = truc(d, &["catalogue", "set", "XYZ", "--paperless", "false"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("give its name"));
    ok(&truc(
        d,
        &[
            "catalogue",
            "set",
            "XYZ",
            "--paperless",
            "false",
            "--name",
            "Văn bản XYZ",
        ],
    ));

    // Signature rules.
    ok(&truc(
        d,
        &[
            "signature-policy",
            "set",
            "--agency",
            G22,
            "--mode",
            "refuse",
        ],
    ));
    let rules = ok(&truc(d, &["signature-policy", "list"]));
    assert!(rules.contains(G22) && rules.contains("refuse"), "{rules}");
    for verb in [
        &["report", "--help"][..],
        &["catalogue", "set", "--help"],
        &["signature-policy", "set", "--help"],
    ] {
        assert!(ok(&truc(d, verb)).len() > 200);
    }
}
