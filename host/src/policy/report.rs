//! Statistics per agency and per period, as the Government Office checks them (reference §7.4):
//! documents sent and received; receivers' answers — acknowledged (any status, 01 or later),
//! accepted (03 or later), completed (06), rejected (02, with reasons); the median time to the
//! first status; overdue acknowledgements (no status by the end of the next working day, as
//! [`crate::exchange::overdue`]); the share of sent documents that are signed and paperless.
//!
//! Sender figures come from `document_facts`, receiver figures from `receipts`; both carry
//! the time the document reached the hub and covering indexes on it (migration 0003), so a
//! report is a few index range scans (decision 0025). Periods are whole days in Vietnam time.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::{AssertSqlSafe, Row};

use super::PolicyError;
use crate::exchange::overdue::due_by;
use crate::store::{Store, now_ms};

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
    /// Median time from arrival at the hub to its first status, in seconds.
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

/// Days of deadlines written into one overdue query (a year and a bit).
const DAYS_PER_OVERDUE_QUERY: u64 = 400;

fn day_start_ms(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis() - VIETNAM_MS)
        .unwrap_or_default()
}

/// Computes a report.
pub async fn compute(store: &Store, q: &ReportQuery) -> Result<Report, PolicyError> {
    if q.to < q.from {
        return Err(PolicyError::Invalid(format!(
            "the period ends ({}) before it starts ({})",
            q.to, q.from
        )));
    }
    let from = day_start_ms(q.from);
    let to = q.to.succ_opt().map_or(i64::MAX, day_start_ms);
    let now = q.now.unwrap_or_else(now_ms);
    let (sender_filter, receiver_filter) = if q.agency.is_some() {
        (" AND sender = $3", " AND receiver = $3")
    } else {
        ("", "")
    };
    let agency = q.agency.clone().unwrap_or_default();
    let pool = store.pool();
    let mut rows: BTreeMap<String, Figures> = BTreeMap::new();
    let mut total = Figures {
        agency: "*".into(),
        ..Figures::default()
    };

    let sql = format!(
        "SELECT sender, COUNT(*) AS sent, CAST(SUM(signed) AS BIGINT) AS signed, \
         CAST(SUM(CASE WHEN paper = 0 THEN 1 ELSE 0 END) AS BIGINT) AS paperless \
         FROM document_facts WHERE sent_at >= $1 AND sent_at < $2{sender_filter} GROUP BY sender"
    );
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(from).bind(to);
    if q.agency.is_some() {
        query = query.bind(&agency);
    }
    for r in query.fetch_all(pool).await? {
        let code: String = r.try_get("sender")?;
        let f = entry(&mut rows, &code);
        f.sent = r.try_get("sent")?;
        f.signed = r.try_get("signed")?;
        f.paperless = r.try_get("paperless")?;
        total.sent += f.sent;
        total.signed += f.signed;
        total.paperless += f.paperless;
    }

    let sql = format!(
        "SELECT receiver, COUNT(*) AS received, \
         CAST(SUM(CASE WHEN first_status_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS acknowledged, \
         CAST(SUM(CASE WHEN status IN ('03', '04', '05', '06') THEN 1 ELSE 0 END) AS BIGINT) AS accepted, \
         CAST(SUM(CASE WHEN status = '06' THEN 1 ELSE 0 END) AS BIGINT) AS completed, \
         CAST(SUM(CASE WHEN status = '02' THEN 1 ELSE 0 END) AS BIGINT) AS rejected \
         FROM receipts WHERE sent_at >= $1 AND sent_at < $2{receiver_filter} GROUP BY receiver"
    );
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(from).bind(to);
    if q.agency.is_some() {
        query = query.bind(&agency);
    }
    for r in query.fetch_all(pool).await? {
        let code: String = r.try_get("receiver")?;
        let f = entry(&mut rows, &code);
        f.received = r.try_get("received")?;
        f.acknowledged = r.try_get("acknowledged")?;
        f.accepted = r.try_get("accepted")?;
        f.completed = r.try_get("completed")?;
        f.rejected = r.try_get("rejected")?;
        total.received += f.received;
        total.acknowledged += f.acknowledged;
        total.accepted += f.accepted;
        total.completed += f.completed;
        total.rejected += f.rejected;
    }

    let sql = format!(
        "SELECT receiver, COALESCE(reason, '') AS reason, COUNT(*) AS n FROM receipts \
         WHERE status = '02' AND sent_at >= $1 AND sent_at < $2{receiver_filter} \
         GROUP BY receiver, reason ORDER BY receiver, n DESC, reason"
    );
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(from).bind(to);
    if q.agency.is_some() {
        query = query.bind(&agency);
    }
    let mut all_reasons: BTreeMap<String, i64> = BTreeMap::new();
    for r in query.fetch_all(pool).await? {
        let code: String = r.try_get("receiver")?;
        let reason: String = r.try_get("reason")?;
        let count: i64 = r.try_get("n")?;
        *all_reasons.entry(reason.clone()).or_default() += count;
        entry(&mut rows, &code)
            .rejection_reasons
            .push(Reason { reason, count });
    }
    let mut all_reasons: Vec<Reason> = all_reasons
        .into_iter()
        .map(|(reason, count)| Reason { reason, count })
        .collect();
    all_reasons.sort_by(|a, b| b.count.cmp(&a.count).then(a.reason.cmp(&b.reason)));
    total.rejection_reasons = all_reasons;

    // Medians: the middle one or two delays of each receiver, found by window functions so
    // the delays never leave the database.
    for (partition, per_agency) in [("receiver", true), ("'*'", false)] {
        let sql = format!(
            "SELECT g, MIN(d) AS lo, MAX(d) AS hi FROM ( \
               SELECT {partition} AS g, first_status_at - sent_at AS d, \
                 ROW_NUMBER() OVER (PARTITION BY {partition} ORDER BY first_status_at - sent_at) AS rn, \
                 COUNT(*) OVER (PARTITION BY {partition}) AS n \
               FROM receipts WHERE first_status_at IS NOT NULL AND sent_at >= $1 AND sent_at < $2{receiver_filter} \
             ) t WHERE rn = (n + 1) / 2 OR rn = (n + 2) / 2 GROUP BY g"
        );
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(from).bind(to);
        if q.agency.is_some() {
            query = query.bind(&agency);
        }
        for r in query.fetch_all(pool).await? {
            let lo: i64 = r.try_get("lo")?;
            let hi: i64 = r.try_get("hi")?;
            let median = Some((lo + hi) as f64 / 2000.0);
            if per_agency {
                entry(&mut rows, &r.try_get::<String, _>("g")?).median_first_status_secs = median;
            } else {
                total.median_first_status_secs = median;
            }
        }
    }

    // Overdue: a receipt is overdue when its first status came (or has not come by `now`)
    // after the end of the next working day. That deadline depends only on the local day the
    // document was sent and on the operator's holidays, so it is computed here once per day and
    // joined in as a small table: the count never brings the receipts out of the database.
    // Only the days that hold receipts (a period of centuries costs nothing).
    let bounds = sqlx::query(
        "SELECT MIN(sent_at) AS lo, MAX(sent_at) AS hi FROM receipts WHERE sent_at >= $1 AND sent_at < $2",
    )
    .bind(from)
    .bind(to)
    .fetch_one(pool)
    .await?;
    let local_day = |ms: Option<i64>| {
        ms.and_then(|ms| chrono::DateTime::from_timestamp_millis(ms + VIETNAM_MS))
            .map(|t| t.date_naive())
    };
    let (first_day, last_day) = match (
        local_day(bounds.try_get("lo")?),
        local_day(bounds.try_get("hi")?),
    ) {
        (Some(lo), Some(hi)) => (Some(lo.max(q.from)), hi.min(q.to)),
        _ => (None, q.to),
    };
    let mut next = first_day;
    while let Some(day) = next.filter(|d| *d <= last_day) {
        let last = day
            .checked_add_days(chrono::Days::new(DAYS_PER_OVERDUE_QUERY - 1))
            .map_or(last_day, |d| d.min(last_day));
        let mut deadlines = Vec::new();
        let mut next_day = Some(day);
        while let Some(d) = next_day.filter(|d| *d <= last) {
            let start = day_start_ms(d);
            // Integers the hub computed, not input: safe to write into the statement.
            deadlines.push(format!(
                "({}, {})",
                (start + VIETNAM_MS).div_euclid(DAY_MS),
                due_by(start, &q.holidays)
            ));
            next_day = d.succ_opt();
        }
        let sql = format!(
            "WITH deadlines(day, due) AS (VALUES {}) \
             SELECT r.receiver AS receiver, COUNT(*) AS n FROM receipts r \
             JOIN deadlines ON deadlines.day = (r.sent_at + {VIETNAM_MS}) / {DAY_MS} \
             WHERE r.sent_at >= $1 AND r.sent_at < $2{receiver_filter} \
             AND COALESCE(r.first_status_at, {now}) > deadlines.due \
             AND (r.change IS NULL OR r.change NOT IN ('13', '15')) \
             GROUP BY r.receiver",
            deadlines.join(", "),
            receiver_filter = receiver_filter.replace("receiver", "r.receiver"),
        );
        let mut query = sqlx::query(AssertSqlSafe(sql))
            .bind(day_start_ms(day))
            .bind(last.succ_opt().map_or(to, day_start_ms));
        if q.agency.is_some() {
            query = query.bind(&agency);
        }
        for r in query.fetch_all(pool).await? {
            let n: i64 = r.try_get("n")?;
            entry(&mut rows, &r.try_get::<String, _>("receiver")?).overdue += n;
            total.overdue += n;
        }
        next = last.succ_opt();
    }

    let mut agencies: Vec<Figures> = rows.into_values().collect();
    for f in agencies.iter_mut().chain(std::iter::once(&mut total)) {
        if f.sent > 0 {
            f.share_signed = Some(f.signed as f64 / f.sent as f64);
            f.share_paperless = Some(f.paperless as f64 / f.sent as f64);
        }
    }
    Ok(Report {
        from: q.from,
        to: q.to,
        agencies,
        total,
    })
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
    fn durations_read_like_a_clerk_would() {
        assert_eq!(human_secs(42.0), "42s");
        assert_eq!(human_secs(3725.0), "1h02m");
        assert_eq!(human_secs(125.0), "2m05s");
    }
}
