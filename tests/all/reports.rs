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

/// Moves a package's clock readings to `sent` (the triggers move it between days).
async fn sent_at(store: &Store, package: i64, sent: i64) {
    exec(
        store,
        "UPDATE document_facts SET sent_at = $1 WHERE package_id = $2",
        &[sent, package],
    )
    .await;
    exec(
        store,
        "UPDATE receipts SET sent_at = $1 WHERE package_id = $2",
        &[sent, package],
    )
    .await;
}

/// Sets when a receiver first answered.
async fn answered_at(store: &Store, package: i64, receiver: &str, at: i64) {
    exec(
        store,
        &format!(
            "UPDATE receipts SET first_status_at = $1 WHERE package_id = $2 AND receiver = '{receiver}'"
        ),
        &[at, package],
    )
    .await;
}

/// Every row of a rollup table, all-zero rows left out.
async fn rollup_rows(store: &Store, sql: &str) -> Vec<(String, Vec<i64>)> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_all(store.pool())
        .await
        .unwrap();
    let mut out = Vec::new();
    for r in rows {
        use sqlx::Row;
        let agency: String = r.try_get(0).unwrap();
        let values: Vec<i64> = (1..r.len()).map(|i| r.try_get(i).unwrap()).collect();
        if values[1..].iter().any(|v| *v != 0) {
            out.push((agency, values));
        }
    }
    out
}

/// The rollups as the triggers kept them equal the migration's back-fill run on the rows now.
async fn rollups_match_a_recomputation(store: &Store) {
    let migration = match store.kind() {
        truc::store::BackendKind::Sqlite => {
            include_str!("../../migrations/sqlite/0004_report_rollups.sql")
        }
        truc::store::BackendKind::Postgres => {
            include_str!("../../migrations/postgres/0004_report_rollups.sql")
        }
    };
    for table in ["report_sent", "report_received"] {
        let insert = format!("INSERT INTO {table} (");
        let start = migration.find(&insert).unwrap() + insert.len();
        let rest = &migration[start..];
        let columns = &rest[..rest.find(')').unwrap()];
        let select = &rest[rest.find("SELECT").unwrap()..rest.find(';').unwrap()];
        let kept = rollup_rows(
            store,
            &format!("SELECT {columns} FROM {table} ORDER BY agency, day"),
        )
        .await;
        let recomputed = rollup_rows(store, &format!("{select} ORDER BY 1, 2")).await;
        assert!(!kept.is_empty());
        assert_eq!(kept, recomputed, "{table}");
    }
}

/// Ingest, statuses (a regression ignored, a rejection, a revocation, an update that changes
/// receivers), clock readings moved between days, a receipt moved to another receiver and one
/// deleted: after each step the rollups equal a recomputation, and the report from them equals
/// the one computed from the rows for many periods, agencies, holiday lists and "now"s.
async fn the_rollups_agree_with_the_rows_after_a_realistic_mix(store: Store) {
    let w = world(store.clone()).await;
    let unsigned = unsigned_pdf();
    let mut packages = Vec::new();
    for (n, bytes) in [
        (20, crate::world::document(G22, &[H41, H14], 20)),
        (21, crate::world::document(G22, &[H41, H14], 21)),
        (22, crate::world::document(G22, &[H41, H14], 22)),
        (
            23,
            document_with(23, "Công văn", "0", &signed_pdf("Le Van C")),
        ),
        (24, document_with(24, "Thông tư", "1", &unsigned)),
        (26, crate::world::document(G22, &[H29], 26)),
    ] {
        let r = send(&w.ex, &w.vpcp, bytes).await.unwrap();
        packages.push((n, r.package_id));
    }
    let r = send(
        &w.ex,
        &w.nghean,
        crate::world::document(H41, &[G22, H29], 27),
    )
    .await
    .unwrap();
    packages.push((27, r.package_id));
    rollups_match_a_recomputation(&store).await;

    for (who, sender, origin, n, code, text) in [
        (&w.nghean, H41, G22, 20, "01", "Đã đến"),
        (&w.nghean, H41, G22, 20, "03", "Đã tiếp nhận"),
        // A regression: ignored.
        (&w.nghean, H41, G22, 20, "01", "Đã đến"),
        (&w.nghean, H41, G22, 20, "06", "Hoàn thành"),
        (&w.caobang, H14, G22, 20, "02", "Sai nơi nhận"),
        (&w.nghean, H41, G22, 21, "01", "Đã đến"),
        (&w.nghean, H41, G22, 23, "02", "Thiếu chữ ký số"),
        (&w.vpcp, G22, H41, 27, "03", "Đã tiếp nhận"),
        (&w.hcm, H29, G22, 26, "01", "Đã đến"),
        (&w.hcm, H29, G22, 26, "02", "Không thuộc thẩm quyền"),
    ] {
        send(&w.ex, who, status(sender, origin, n, code, text))
            .await
            .unwrap();
    }
    // Revocation of 21, accepted by Nghệ An.
    send(
        &w.ex,
        &w.vpcp,
        status(G22, G22, 21, "13", "Thu hồi văn bản"),
    )
    .await
    .unwrap();
    send(
        &w.ex,
        &w.nghean,
        status(H41, G22, 21, "15", "Đồng ý thu hồi"),
    )
    .await
    .unwrap();
    // Update of 22: Cao Bằng removed, Hồ Chí Minh added.
    let (mut p, bytes) = crate::world::document_model(G22, &[H41], 25);
    if let truc::edxml::Package::Document(d) = &mut p {
        let b = d.business.as_mut().unwrap();
        b.action = Some(truc::edxml::BusinessAction::Update);
        b.document_id = Some(crate::world::doc_id(G22, 22).parse().unwrap());
        b.reason = "Cập nhật văn bản điện tử".into();
        b.document_info = Some(truc::edxml::BusinessDocumentInfo {
            document_info: "1".into(),
            document_receiver: "1".into(),
            receivers: vec![
                truc::edxml::Receiver {
                    organ_id: Some(H14.parse().unwrap()),
                    change: Some(truc::edxml::ReceiverChange::Removed),
                },
                truc::edxml::Receiver {
                    organ_id: Some(H29.parse().unwrap()),
                    change: Some(truc::edxml::ReceiverChange::Added),
                },
            ],
        });
    }
    let r = send(&w.ex, &w.vpcp, crate::world::edxml_bytes(&p, Some(&bytes)))
        .await
        .unwrap();
    packages.push((25, r.package_id));
    rollups_match_a_recomputation(&store).await;

    // Spread the documents over two weeks around Tuesday 17 November (a Friday and a Saturday
    // among them) and their answers over seconds to weeks.
    let package = |n: u32| packages.iter().find(|(m, _)| *m == n).unwrap().1;
    for (n, day) in [
        (20, 0),
        (21, -7),
        (22, 3),
        (23, 4),
        (24, 0),
        (25, 3),
        (26, 1),
        (27, 0),
    ] {
        sent_at(&store, package(n), SENT + day * DAY).await;
    }
    for (n, receiver, delay) in [
        (20, H41, 600_000),
        // The next day: in time.
        (20, H14, DAY + 1_200_345),
        (21, H41, 2 * DAY + 5_000),
        (23, H41, 3 * DAY + 7 * 3_600_000),
        // Tuesday to Thursday: late.
        (27, G22, 2 * DAY + 1_000),
        (26, H29, 20 * DAY),
    ] {
        let sent = SENT
            + match n {
                21 => -7 * DAY,
                23 => 4 * DAY,
                26 => DAY,
                _ => 0,
            };
        answered_at(&store, package(n), receiver, sent + delay).await;
    }
    rollups_match_a_recomputation(&store).await;
    // A repair: a receipt moved to another receiver, another one deleted.
    exec(
        &store,
        &format!(
            "UPDATE receipts SET receiver = '{H14}' WHERE package_id = $1 AND receiver = '{H29}'"
        ),
        &[package(27)],
    )
    .await;
    exec(
        &store,
        &format!("DELETE FROM receipts WHERE package_id = $1 AND receiver = '{H14}'"),
        &[package(22)],
    )
    .await;
    rollups_match_a_recomputation(&store).await;
    // Several writes to one receipt in one transaction (PostgreSQL runs the triggers at commit).
    let mut tx = store.begin().await.unwrap();
    for (sql, args) in [
        (
            "INSERT INTO receipts (package_id, receiver, sent_at) VALUES ($1, 'X', $2)",
            vec![package(24), SENT],
        ),
        (
            "UPDATE receipts SET status = '01', first_status_at = $1 WHERE package_id = $2 AND receiver = 'X'",
            vec![SENT + 3 * DAY, package(24)],
        ),
        (
            "UPDATE receipts SET status = '03', sent_at = $1 WHERE package_id = $2 AND receiver = 'X'",
            vec![SENT - DAY, package(24)],
        ),
    ] {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for a in args {
            q = q.bind(a);
        }
        q.execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    rollups_match_a_recomputation(&store).await;

    let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    let fortnight: Vec<NaiveDate> = (18..=30)
        .map(|n| d(11, n))
        .chain([d(12, 1), d(12, 2)])
        .collect();
    let mut checked = 0;
    for (from, to) in [
        (d(11, 17), d(11, 17)),
        (d(11, 10), d(11, 16)),
        (d(11, 1), d(11, 30)),
        (d(1, 1), d(12, 31)),
        (d(11, 20), d(11, 21)),
        (d(12, 1), d(12, 31)),
    ] {
        for agency in [None, Some(G22), Some(H41), Some(H14), Some(H29)] {
            for holidays in [vec![], vec![d(11, 18)], fortnight.clone()] {
                for now in [
                    Some(SENT + 6 * DAY),
                    Some(SENT + DAY + 2 * 3_600_000),
                    Some(SENT + 40 * DAY),
                    None,
                ] {
                    let q = ReportQuery {
                        from,
                        to,
                        agency: agency.map(str::to_owned),
                        holidays: holidays.clone(),
                        now,
                    };
                    let rolled = report::compute(&store, &q).await.unwrap();
                    let direct = report::compute_direct(&store, &q).await.unwrap();
                    assert_eq!(rolled.agencies, direct.agencies, "{q:?}");
                    assert_eq!(rolled.total, direct.total, "{q:?}");
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 6 * 5 * 3 * 4);
    // The mix is not trivial: answers, late ones, rejections and medians between buckets.
    let q = ReportQuery {
        from: d(11, 1),
        to: d(11, 30),
        agency: None,
        holidays: Vec::new(),
        now: Some(SENT + 40 * DAY),
    };
    let r = report::compute(&store, &q).await.unwrap();
    assert!(
        r.total.overdue >= 3 && r.total.rejected >= 2,
        "{:?}",
        r.total
    );
    let h14 = r.agencies.iter().find(|f| f.agency == H14).unwrap();
    assert_eq!(h14.median_first_status_secs, Some(87_600.345));
}
on_both_backends!(
    rollups_agree,
    the_rollups_agree_with_the_rows_after_a_realistic_mix
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
