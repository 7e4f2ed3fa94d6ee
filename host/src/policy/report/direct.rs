//! The report computed straight from the rows it summarises, without the rollups (decision
//! 0025): slow over long periods, kept as the reference the rollups are checked against.

use std::collections::BTreeMap;

use chrono::Days;

use sqlx::{AssertSqlSafe, Row};

use super::{
    DAY_MS, Figures, Report, ReportQuery, VIETNAM_MS, check_period, day_start_ms, entry, finish,
    rejection_reasons,
};
use crate::exchange::overdue::due_by;
use crate::policy::PolicyError;
use crate::store::{Store, now_ms};

/// Days of deadlines written into one overdue query (a year and a bit).
const DAYS_PER_OVERDUE_QUERY: u64 = 400;

/// Computes a report straight from `document_facts` and `receipts`, as before the rollups
/// (decision 0025): a window sort for the medians, a join with the day's deadlines for overdue.
/// Seconds on a million documents; the reference that tests hold [`super::compute`] to.
pub async fn compute_direct(store: &Store, q: &ReportQuery) -> Result<Report, PolicyError> {
    let (from, to) = check_period(q)?;
    let now = q.now.unwrap_or_else(now_ms);
    let (sender_filter, receiver_filter) = if q.agency.is_some() {
        (" AND sender = $3", " AND receiver = $3")
    } else {
        ("", "")
    };
    let agency = q.agency.clone().unwrap_or_default();
    let mut tx = store.begin_snapshot().await?;
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
    for r in query.fetch_all(&mut *tx).await? {
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
    for r in query.fetch_all(&mut *tx).await? {
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

    rejection_reasons(
        &mut tx,
        from,
        to,
        q.agency.as_deref(),
        &mut rows,
        &mut total,
    )
    .await?;

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
        for r in query.fetch_all(&mut *tx).await? {
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
    .fetch_one(&mut *tx)
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
            .checked_add_days(Days::new(DAYS_PER_OVERDUE_QUERY - 1))
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
        for r in query.fetch_all(&mut *tx).await? {
            let n: i64 = r.try_get("n")?;
            entry(&mut rows, &r.try_get::<String, _>("receiver")?).overdue += n;
            total.overdue += n;
        }
        next = last.succ_opt();
    }

    Ok(finish(q, rows, total))
}
