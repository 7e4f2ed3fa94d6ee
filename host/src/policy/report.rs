//! Statistics per agency and per period, as the Government Office checks them (reference §7.4):
//! documents sent and received; receivers' answers — acknowledged (any status, 01 or later),
//! accepted (03 or later), completed (06), rejected (02, with reasons); the median time to the
//! first status; overdue acknowledgements (no status by the end of the next working day, as
//! [`crate::exchange::overdue`]); the share of sent documents that are signed and paperless.
//!
//! Figures come from daily rollups per agency (`report_sent`, `report_received`, migration 0004,
//! decision 0029) that triggers keep in the same transaction as `document_facts` and `receipts`:
//! a year over every agency reads one row per agency and day. Overdue counts are finished here
//! with the operator's holidays (the rollups count answers by how many days after sending they
//! came); medians stay exact: the rollups' delay histogram says which bucket holds the middle
//! answer, and `receipts_delay` gives that bucket's delays in order. Periods are whole days in
//! Vietnam time. [`compute_direct`] computes the same report from the rows themselves.

mod direct;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

pub use direct::compute_direct;

use super::PolicyError;
use crate::exchange::overdue::due_by;
use crate::store::{Store, StoreError, now_ms};

/// Vietnam's offset from UTC in milliseconds (§4.5).
use crate::edxml::VIETNAM_OFFSET_MS as VIETNAM_MS;

/// What to report on.
#[derive(Clone, Debug)]
pub struct ReportQuery {
    /// First day (Vietnam time), included.
    pub from: NaiveDate,
    /// Last day, included.
    pub to: NaiveDate,
    /// One agency only.
    pub agency: Option<String>,
    /// Public holidays, for overdue acknowledgements.
    pub holidays: Vec<NaiveDate>,
    /// "Now" for overdue acknowledgements (Unix ms); the present when `None`.
    pub now: Option<i64>,
}

/// A refusal reason and how often it was given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reason {
    /// The receiver's words (Description of its 02).
    pub reason: String,
    /// How many documents.
    pub count: i64,
}

/// The figures of one agency (or of all, in [`Report::total`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Figures {
    /// The agency code (`*` for the total).
    pub agency: String,
    /// Documents it sent.
    pub sent: i64,
    /// Documents it was sent.
    pub received: i64,
    /// Of those, how many it answered with any status (01 or later, or 02).
    pub acknowledged: i64,
    /// … accepted (03, 04, 05 or 06).
    pub accepted: i64,
    /// … completed (06).
    pub completed: i64,
    /// … rejected (02).
    pub rejected: i64,
    /// Why it rejected them.
    pub rejection_reasons: Vec<Reason>,
    /// Median time from arrival at the hub to the first status, in seconds, to the millisecond
    /// (the mean of the middle two for an even count).
    pub median_first_status_secs: Option<f64>,
    /// Received documents not acknowledged by the end of the next working day.
    pub overdue: i64,
    /// Documents it sent whose PDF attachments were all digitally signed.
    pub signed: i64,
    /// Documents it sent without a paper copy.
    pub paperless: i64,
    /// `signed / sent`.
    pub share_signed: Option<f64>,
    /// `paperless / sent`.
    pub share_paperless: Option<f64>,
}

/// A report.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Report {
    /// First day.
    #[schema(value_type = String)]
    pub from: NaiveDate,
    /// Last day.
    #[schema(value_type = String)]
    pub to: NaiveDate,
    /// One row per agency with any activity, by code.
    pub agencies: Vec<Figures>,
    /// All agencies together.
    pub total: Figures,
}

/// One day in milliseconds.
const DAY_MS: i64 = 86_400_000;

/// Lower bounds, in milliseconds, of the delay buckets `h1`, `h2`, … of `report_received`;
/// `h0` holds delays under the first. The same as `BOUNDS_S` in tools/report-rollups.py, which
/// writes migration 0004.
const DELAY_BUCKETS_MS: [i64; 38] = [
    1_000,
    2_000,
    5_000,
    10_000,
    20_000,
    30_000,
    60_000,
    120_000,
    300_000,
    600_000,
    900_000,
    1_200_000,
    1_800_000,
    2_700_000,
    3_600_000,
    5_400_000,
    7_200_000,
    10_800_000,
    14_400_000,
    21_600_000,
    28_800_000,
    43_200_000,
    57_600_000,
    86_400_000,
    108_000_000,
    129_600_000,
    151_200_000,
    172_800_000,
    216_000_000,
    259_200_000,
    345_600_000,
    432_000_000,
    604_800_000,
    864_000_000,
    1_209_600_000,
    1_814_400_000,
    2_592_000_000,
    5_184_000_000,
];

/// Delay buckets in `report_received`.
const BUCKETS: usize = DELAY_BUCKETS_MS.len() + 1;

/// `report_received` has `lateK` for K = 2..=LATE_MAX: receipts first answered K or more local
/// days after the day they were sent. A day whose deadline lies further away (a holiday list of
/// two weeks) is counted from `receipts` instead.
const LATE_MAX: i64 = 15;

fn day_start_ms(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis() - VIETNAM_MS)
        .unwrap_or_default()
}

/// The local day (Vietnam time) on which an instant falls, as days since 1970-01-01: the key of
/// the rollups, `(sent_at + 7 h) / 24 h` in SQL.
fn local_day(ms: i64) -> i64 {
    (ms + VIETNAM_MS).div_euclid(DAY_MS)
}

/// The rollups' key of a date.
fn day_number(d: NaiveDate) -> i64 {
    local_day(day_start_ms(d))
}

/// Checks the period; returns its bounds in Unix ms, end excluded.
fn check_period(q: &ReportQuery) -> Result<(i64, i64), PolicyError> {
    if q.to < q.from {
        return Err(PolicyError::Invalid(format!(
            "the period ends ({}) before it starts ({})",
            q.to, q.from
        )));
    }
    Ok((
        day_start_ms(q.from),
        q.to.succ_opt().map_or(i64::MAX, day_start_ms),
    ))
}

/// Computes a report from the rollups.
pub async fn compute(store: &Store, q: &ReportQuery) -> Result<Report, PolicyError> {
    let (from, to) = check_period(q)?;
    let (first_day, last_day) = (day_number(q.from), day_number(q.to));
    let now = q.now.unwrap_or_else(now_ms);
    let agency_filter = if q.agency.is_some() {
        " AND agency = $3"
    } else {
        ""
    };
    let agency = q.agency.clone().unwrap_or_default();
    // One snapshot: the histogram's ranks must match the receipts read for the medians.
    let mut tx = store.begin_snapshot().await?;
    let mut rows: BTreeMap<String, Figures> = BTreeMap::new();
    let mut total = Figures {
        agency: "*".into(),
        ..Figures::default()
    };

    let sql = format!(
        "SELECT agency, CAST(SUM(sent) AS BIGINT) AS sent, CAST(SUM(signed) AS BIGINT) AS signed, \
         CAST(SUM(paperless) AS BIGINT) AS paperless \
         FROM report_sent WHERE day >= $1 AND day <= $2{agency_filter} GROUP BY agency"
    );
    let mut query = sqlx::query(AssertSqlSafe(sql))
        .bind(first_day)
        .bind(last_day);
    if q.agency.is_some() {
        query = query.bind(&agency);
    }
    for r in query.fetch_all(&mut *tx).await? {
        let sent: i64 = r.try_get("sent")?;
        if sent == 0 {
            // Rows emptied by a correction (a document moved to another day).
            continue;
        }
        let code: String = r.try_get("agency")?;
        let f = entry(&mut rows, &code);
        f.sent = sent;
        f.signed = r.try_get("signed")?;
        f.paperless = r.try_get("paperless")?;
        total.sent += f.sent;
        total.signed += f.signed;
        total.paperless += f.paperless;
    }

    let overdue = OverduePlan::new(&mut tx, q, from, to, now).await?;
    let histogram: String = (0..BUCKETS)
        .map(|i| format!(", CAST(SUM(h{i}) AS BIGINT) AS h{i}"))
        .collect();
    let sql = format!(
        "SELECT agency, CAST(SUM(received) AS BIGINT) AS received, \
         CAST(SUM(acknowledged) AS BIGINT) AS acknowledged, \
         CAST(SUM(accepted) AS BIGINT) AS accepted, CAST(SUM(completed) AS BIGINT) AS completed, \
         CAST(SUM(rejected) AS BIGINT) AS rejected, CAST(SUM({}) AS BIGINT) AS overdue{histogram} \
         FROM report_received WHERE day >= $1 AND day <= $2{agency_filter} GROUP BY agency",
        overdue.expression
    );
    let mut query = sqlx::query(AssertSqlSafe(sql))
        .bind(first_day)
        .bind(last_day);
    if q.agency.is_some() {
        query = query.bind(&agency);
    }
    let mut histograms: BTreeMap<String, [i64; BUCKETS]> = BTreeMap::new();
    let mut all = [0i64; BUCKETS];
    for r in query.fetch_all(&mut *tx).await? {
        let received: i64 = r.try_get("received")?;
        if received == 0 {
            continue;
        }
        let code: String = r.try_get("agency")?;
        let f = entry(&mut rows, &code);
        f.received = received;
        f.acknowledged = r.try_get("acknowledged")?;
        f.accepted = r.try_get("accepted")?;
        f.completed = r.try_get("completed")?;
        f.rejected = r.try_get("rejected")?;
        f.overdue = r.try_get("overdue")?;
        total.received += f.received;
        total.acknowledged += f.acknowledged;
        total.accepted += f.accepted;
        total.completed += f.completed;
        total.rejected += f.rejected;
        total.overdue += f.overdue;
        let mut h = [0i64; BUCKETS];
        for (i, n) in h.iter_mut().enumerate() {
            *n = r.try_get(format!("h{i}").as_str())?;
            all[i] += *n;
        }
        histograms.insert(code, h);
    }
    for (start, end, due) in &overdue.from_receipts {
        // Answered after a deadline beyond the lateK columns; the unanswered ones of these days
        // are in the rollups' count already.
        let sql = format!(
            "SELECT receiver, COUNT(*) AS n FROM receipts \
             WHERE sent_at >= $1 AND sent_at < $2 AND first_status_at > $3 \
             AND (change IS NULL OR change NOT IN ('13', '15')){} GROUP BY receiver",
            if q.agency.is_some() {
                " AND receiver = $4"
            } else {
                ""
            }
        );
        let mut query = sqlx::query(AssertSqlSafe(sql))
            .bind(*start)
            .bind(*end)
            .bind(*due);
        if q.agency.is_some() {
            query = query.bind(&agency);
        }
        for r in query.fetch_all(&mut *tx).await? {
            let n: i64 = r.try_get("n")?;
            entry(&mut rows, &r.try_get::<String, _>("receiver")?).overdue += n;
            total.overdue += n;
        }
    }

    rejection_reasons(
        &mut tx,
        from,
        to,
        q.agency.as_deref(),
        &mut rows,
        &mut total,
    )
    .await?;

    for (code, h) in &histograms {
        let who = Receivers::One(code);
        entry(&mut rows, code).median_first_status_secs =
            median(&mut tx, h, who, (from, to)).await?;
    }
    total.median_first_status_secs = match &q.agency {
        // The total of one agency is that agency.
        Some(code) => rows.get(code).and_then(|f| f.median_first_status_secs),
        None => {
            let who = Receivers::All(first_day, last_day);
            median(&mut tx, &all, who, (from, to)).await?
        }
    };
    Ok(finish(q, rows, total))
}

/// How the overdue count of a period is read from the rollups.
struct OverduePlan {
    /// The SQL expression, over one row of `report_received`, of its overdue receipts.
    expression: String,
    /// Days whose deadline lies beyond the lateK columns: (start, end, deadline) in Unix ms.
    from_receipts: Vec<(i64, i64, i64)>,
}

impl OverduePlan {
    /// A receipt is overdue when its first status came (or has not come by `now`) after the
    /// end of the next working day, which depends only on the local day it was sent: on a day
    /// whose deadline is `o` days later, the late receipts are those first answered `o + 1` or
    /// more days after (`late{o+1}`), and the unanswered ones once `now` is past the deadline.
    /// Only the days that hold receipts are looked at (a period of centuries costs nothing).
    async fn new(
        conn: &mut AnyConnection,
        q: &ReportQuery,
        from: i64,
        to: i64,
        now: i64,
    ) -> Result<OverduePlan, PolicyError> {
        let bounds = sqlx::query(
            "SELECT MIN(sent_at) AS lo, MAX(sent_at) AS hi FROM receipts WHERE sent_at >= $1 AND sent_at < $2",
        )
        .bind(from)
        .bind(to)
        .fetch_one(&mut *conn)
        .await?;
        let date = |ms: Option<i64>| {
            ms.and_then(|ms| chrono::DateTime::from_timestamp_millis(ms + VIETNAM_MS))
                .map(|t| t.date_naive())
        };
        let (Some(lo), Some(hi)) = (date(bounds.try_get("lo")?), date(bounds.try_get("hi")?))
        else {
            return Ok(OverduePlan {
                expression: "0".into(),
                from_receipts: Vec::new(),
            });
        };
        // Days by how far away their deadline is (1, the usual, is left out: `late2`).
        let mut by_distance: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        let mut far: Vec<i64> = Vec::new();
        let mut from_receipts = Vec::new();
        // The deadline only moves later from one day to the next, so the days past it by `now`
        // are those up to some day.
        let mut last_past: Option<i64> = None;
        let mut next = Some(lo.max(q.from));
        let last = hi.min(q.to);
        while let Some(d) = next.filter(|d| *d <= last) {
            let start = day_start_ms(d);
            let due = due_by(start, &q.holidays);
            let day = local_day(start);
            let distance = local_day(due) - day;
            if now > due {
                last_past = Some(day);
            }
            if distance >= LATE_MAX {
                far.push(day);
                from_receipts.push((start, start + DAY_MS, due));
            } else if distance > 1 {
                by_distance.entry(distance).or_default().push(day);
            }
            next = d.succ_opt();
        }
        let list = |days: &[i64]| {
            days.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        // Integers the hub computed, not input: safe to write into the statement.
        let mut late = String::from("CASE");
        for (distance, days) in &by_distance {
            let _ = write!(
                late,
                " WHEN day IN ({}) THEN late{}",
                list(days),
                distance + 1
            );
        }
        if !far.is_empty() {
            let _ = write!(late, " WHEN day IN ({}) THEN 0", list(&far));
        }
        if by_distance.is_empty() && far.is_empty() {
            late = "late2".into();
        } else {
            late.push_str(" ELSE late2 END");
        }
        let expression = match last_past {
            Some(day) => format!("{late} + CASE WHEN day <= {day} THEN unanswered ELSE 0 END"),
            None => late,
        };
        Ok(OverduePlan {
            expression,
            from_receipts,
        })
    }
}

/// Whose delays a median is taken over.
enum Receivers<'a> {
    /// One receiving agency.
    One(&'a str),
    /// Every agency that answered on days `.0..=.1`.
    All(i64, i64),
}

/// Where the middle one or two delays of a histogram lie: `count` (1 or 2) delays from the
/// `offset`-th one (0-based) of those in `lo..hi`.
#[derive(Debug, PartialEq, Eq)]
struct MedianSpan {
    lo: i64,
    hi: i64,
    offset: i64,
    count: i64,
}

impl MedianSpan {
    fn of(h: &[i64; BUCKETS]) -> Option<MedianSpan> {
        let n: i64 = h.iter().sum();
        if n <= 0 {
            return None;
        }
        // 1-based ranks of the middle one (odd) or two (even) delays.
        let (k1, k2) = ((n + 1) / 2, (n + 2) / 2);
        let find = |k: i64| {
            let mut below = 0;
            for (i, c) in h.iter().enumerate() {
                if below + c >= k {
                    return (i, below);
                }
                below += c;
            }
            (BUCKETS - 1, below)
        };
        let (first, below) = find(k1);
        let (second, _) = find(k2);
        Some(MedianSpan {
            lo: first
                .checked_sub(1)
                .map_or(i64::MIN, |i| DELAY_BUCKETS_MS[i]),
            hi: DELAY_BUCKETS_MS.get(second).copied().unwrap_or(i64::MAX),
            offset: k1 - below - 1,
            count: k2 - k1 + 1,
        })
    }
}

/// The exact median delay (seconds) of the receipts a histogram counts over the period
/// `(from, to)`: the middle one or two read in order from `receipts_delay`, within the bucket
/// the histogram points to.
async fn median(
    conn: &mut AnyConnection,
    h: &[i64; BUCKETS],
    who: Receivers<'_>,
    (from, to): (i64, i64),
) -> Result<Option<f64>, PolicyError> {
    let Some(span) = MedianSpan::of(h) else {
        return Ok(None);
    };
    // `+sent_at`: the period is checked on each delay the index gives, not searched by.
    let filter = match who {
        Receivers::One(_) => "receiver = $7".to_owned(),
        Receivers::All(..) => "receiver IN (SELECT agency FROM report_received \
             WHERE day >= $7 AND day <= $8 AND acknowledged > 0)"
            .to_owned(),
    };
    let sql = format!(
        "SELECT first_status_at - sent_at AS d FROM receipts WHERE {filter} \
         AND first_status_at - sent_at >= $1 AND first_status_at - sent_at < $2 \
         AND +sent_at >= $3 AND +sent_at < $4 \
         ORDER BY first_status_at - sent_at LIMIT $5 OFFSET $6"
    );
    let query = sqlx::query(AssertSqlSafe(sql))
        .bind(span.lo)
        .bind(span.hi)
        .bind(from)
        .bind(to)
        .bind(span.count)
        .bind(span.offset);
    let query = match who {
        Receivers::One(code) => query.bind(code),
        Receivers::All(first, last) => query.bind(first).bind(last),
    };
    let delays = query
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>("d"))
        .collect::<Result<Vec<_>, _>>()?;
    match (delays.first(), delays.last()) {
        (Some(lo), Some(hi)) if delays.len() as i64 == span.count => {
            Ok(Some((lo + hi) as f64 / 2000.0))
        }
        _ => Err(StoreError::Corrupt(
            "the report rollups (report_received) disagree with receipts: \
             rebuild them as migration 0004 does"
                .into(),
        )
        .into()),
    }
}

/// Rejection reasons per receiver and overall, from the period's few 02 receipts
/// (`receipts_rejected`).
async fn rejection_reasons(
    conn: &mut AnyConnection,
    from: i64,
    to: i64,
    agency: Option<&str>,
    rows: &mut BTreeMap<String, Figures>,
    total: &mut Figures,
) -> Result<(), PolicyError> {
    let sql = format!(
        "SELECT receiver, COALESCE(reason, '') AS reason, COUNT(*) AS n FROM receipts \
         WHERE status = '02' AND sent_at >= $1 AND sent_at < $2{} \
         GROUP BY receiver, reason ORDER BY receiver, n DESC, reason",
        if agency.is_some() {
            " AND receiver = $3"
        } else {
            ""
        }
    );
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(from).bind(to);
    if let Some(agency) = agency {
        query = query.bind(agency);
    }
    let mut all: BTreeMap<String, i64> = BTreeMap::new();
    for r in query.fetch_all(&mut *conn).await? {
        let code: String = r.try_get("receiver")?;
        let reason: String = r.try_get("reason")?;
        let count: i64 = r.try_get("n")?;
        *all.entry(reason.clone()).or_default() += count;
        entry(rows, &code)
            .rejection_reasons
            .push(Reason { reason, count });
    }
    let mut all: Vec<Reason> = all
        .into_iter()
        .map(|(reason, count)| Reason { reason, count })
        .collect();
    all.sort_by(|a, b| b.count.cmp(&a.count).then(a.reason.cmp(&b.reason)));
    total.rejection_reasons = all;
    Ok(())
}

/// Shares, and the rows in agency order.
fn finish(q: &ReportQuery, rows: BTreeMap<String, Figures>, mut total: Figures) -> Report {
    let mut agencies: Vec<Figures> = rows.into_values().collect();
    for f in agencies.iter_mut().chain(std::iter::once(&mut total)) {
        if f.sent > 0 {
            f.share_signed = Some(f.signed as f64 / f.sent as f64);
            f.share_paperless = Some(f.paperless as f64 / f.sent as f64);
        }
    }
    Report {
        from: q.from,
        to: q.to,
        agencies,
        total,
    }
}

fn entry<'a>(rows: &'a mut BTreeMap<String, Figures>, code: &str) -> &'a mut Figures {
    rows.entry(code.to_owned()).or_insert_with(|| Figures {
        agency: code.to_owned(),
        ..Figures::default()
    })
}

const COLUMNS: [&str; 14] = [
    "agency",
    "sent",
    "received",
    "acknowledged",
    "accepted",
    "completed",
    "rejected",
    "overdue",
    "median_first_status_secs",
    "signed",
    "paperless",
    "share_signed",
    "share_paperless",
    "rejection_reasons",
];

fn cells(f: &Figures) -> Vec<String> {
    let opt =
        |v: Option<f64>, digits: usize| v.map(|x| format!("{x:.digits$}")).unwrap_or_default();
    vec![
        f.agency.clone(),
        f.sent.to_string(),
        f.received.to_string(),
        f.acknowledged.to_string(),
        f.accepted.to_string(),
        f.completed.to_string(),
        f.rejected.to_string(),
        f.overdue.to_string(),
        opt(f.median_first_status_secs, 1),
        f.signed.to_string(),
        f.paperless.to_string(),
        opt(f.share_signed, 4),
        opt(f.share_paperless, 4),
        f.rejection_reasons
            .iter()
            .map(|r| format!("{} ×{}", r.reason, r.count))
            .collect::<Vec<_>>()
            .join("; "),
    ]
}

impl Report {
    /// CSV with a header row; one row per agency, then the total (`*`).
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(COLUMNS);
        for f in self.agencies.iter().chain(std::iter::once(&self.total)) {
            let _ = w.write_record(cells(f));
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// An aligned text table for a terminal, rejection reasons listed below it.
    pub fn to_table(&self) -> String {
        let head = [
            "AGENCY",
            "SENT",
            "RECEIVED",
            "ACK",
            "ACCEPTED",
            "DONE",
            "REJECTED",
            "OVERDUE",
            "MEDIAN 1ST",
            "SIGNED",
            "PAPERLESS",
        ];
        let pct = |v: Option<f64>| {
            v.map(|x| format!("{:.1}%", x * 100.0))
                .unwrap_or("-".into())
        };
        let row = |f: &Figures| {
            vec![
                if f.agency == "*" {
                    "total".into()
                } else {
                    f.agency.clone()
                },
                f.sent.to_string(),
                f.received.to_string(),
                f.acknowledged.to_string(),
                f.accepted.to_string(),
                f.completed.to_string(),
                f.rejected.to_string(),
                f.overdue.to_string(),
                f.median_first_status_secs
                    .map(human_secs)
                    .unwrap_or("-".into()),
                pct(f.share_signed),
                pct(f.share_paperless),
            ]
        };
        let body: Vec<Vec<String>> = self
            .agencies
            .iter()
            .chain(std::iter::once(&self.total))
            .map(row)
            .collect();
        let widths: Vec<usize> = (0..head.len())
            .map(|i| {
                body.iter()
                    .map(|r| r[i].chars().count())
                    .chain([head[i].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = format!("Report {} – {}\n", self.from, self.to);
        let line = |cells: &[String]| {
            cells
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (c, w))| {
                    let pad = w - c.chars().count();
                    if i == 0 {
                        format!("{c}{}", " ".repeat(pad))
                    } else {
                        format!("{}{c}", " ".repeat(pad))
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
        };
        let head: Vec<String> = head.iter().map(|s| s.to_string()).collect();
        let _ = writeln!(out, "{}", line(&head));
        for r in &body {
            let _ = writeln!(out, "{}", line(r));
        }
        for f in &self.agencies {
            if !f.rejection_reasons.is_empty() {
                let _ = writeln!(out, "\nRejected by {}:", f.agency);
                for r in &f.rejection_reasons {
                    let _ = writeln!(out, "  {:>5}  {}", r.count, r.reason);
                }
            }
        }
        out
    }
}

fn human_secs(s: f64) -> String {
    let s = s.round() as i64;
    match s {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m{:02}s", s / 60, s % 60),
        s => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_vietnamese_days() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        // 2026-11-23 00:00 in Hà Nội is 2026-11-22 17:00 UTC.
        assert_eq!(day_start_ms(d), 1_795_366_800_000);
    }

    #[test]
    fn the_rollups_buckets_are_the_ones_the_migration_counts() {
        for sql in [
            include_str!("../../../migrations/sqlite/0004_report_rollups.sql"),
            include_str!("../../../migrations/postgres/0004_report_rollups.sql"),
        ] {
            for (i, lo) in DELAY_BUCKETS_MS.iter().enumerate() {
                let bucket = i + 1;
                let hi = DELAY_BUCKETS_MS
                    .get(bucket)
                    .map(|hi| format!(" AND OLD.first_status_at - OLD.sent_at < {hi}"))
                    .unwrap_or_default();
                let line = format!(
                    "h{bucket} = h{bucket} - (CASE WHEN OLD.first_status_at IS NOT NULL \
                     AND OLD.first_status_at - OLD.sent_at >= {lo}{hi} THEN 1 ELSE 0 END)"
                );
                assert!(sql.contains(&line), "{line}");
            }
            assert!(
                sql.contains(&format!("h{} BIGINT", BUCKETS - 1))
                    || sql.contains(&format!("h{} INTEGER", BUCKETS - 1))
            );
            assert!(!sql.contains(&format!("h{} ", BUCKETS)));
            assert!(sql.contains(&format!("late{LATE_MAX} ")));
            assert!(!sql.contains(&format!("late{} ", LATE_MAX + 1)));
        }
    }

    fn histogram(counts: &[(usize, i64)]) -> [i64; BUCKETS] {
        let mut h = [0; BUCKETS];
        for (i, n) in counts {
            h[*i] = *n;
        }
        h
    }

    #[test]
    fn the_median_is_looked_for_in_the_bucket_that_holds_it() {
        assert_eq!(MedianSpan::of(&[0; BUCKETS]), None);
        // Five answers: the third, first of the two in bucket 9 (5–10 min).
        let span = MedianSpan::of(&histogram(&[(3, 2), (9, 2), (30, 1)])).unwrap();
        assert_eq!(
            span,
            MedianSpan {
                lo: 300_000,
                hi: 600_000,
                offset: 0,
                count: 1
            }
        );
        // Four: the second and third straddle buckets 0 and 38; the span covers both.
        let span = MedianSpan::of(&histogram(&[(0, 2), (38, 2)])).unwrap();
        assert_eq!(
            span,
            MedianSpan {
                lo: i64::MIN,
                hi: i64::MAX,
                offset: 1,
                count: 2
            }
        );
        // Six in one bucket: the third and fourth.
        let span = MedianSpan::of(&histogram(&[(12, 6)])).unwrap();
        assert_eq!(
            (span.lo, span.hi, span.offset, span.count),
            (1_200_000, 1_800_000, 2, 2)
        );
    }

    #[test]
    fn rollup_days_are_vietnamese_days() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        // 2026-01-01 00:00 in Hà Nội: day 20454 since 1970-01-01.
        assert_eq!(day_number(d), 20_454);
        assert_eq!(local_day(day_start_ms(d) - 1), 20_453);
    }

    #[test]
    fn durations_read_like_a_clerk_would() {
        assert_eq!(human_secs(42.0), "42s");
        assert_eq!(human_secs(3725.0), "1h02m");
        assert_eq!(human_secs(125.0), "2m05s");
    }
}
