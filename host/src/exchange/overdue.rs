//! Overdue acknowledgements: a receiver must report a document received (01) by the end of the
//! next working day (QĐ 28/2018 Art. 6, NĐ 30/2020 Art. 21; reference §7.4). Working days are
//! Monday to Friday in Vietnam time, minus the public holidays the operator lists.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use serde::Serialize;
use sqlx::Row;

use super::Exchange;
use crate::store::{StoreError, now_ms};

/// Vietnam's offset from UTC in seconds; the standard carries no time zone (§4.5).
const VIETNAM: i64 = crate::edxml::VIETNAM_OFFSET_SECS as i64;

/// Whether `day` is a working day.
pub fn is_working_day(day: NaiveDate, holidays: &[NaiveDate]) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&day)
}

/// The end of the working day after the one on which `sent_ms` falls (Vietnam time), as Unix
/// milliseconds. A document sent on a Friday evening is due by Monday evening.
pub fn due_by(sent_ms: i64, holidays: &[NaiveDate]) -> i64 {
    let local = Utc
        .timestamp_millis_opt(sent_ms + VIETNAM * 1000)
        .single()
        .unwrap_or_default()
        .naive_utc();
    let mut day = local.date();
    loop {
        day += Duration::days(1);
        if is_working_day(day, holidays) {
            break;
        }
    }
    let end = NaiveDateTime::new(day, NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default());
    (end.and_utc().timestamp() - VIETNAM) * 1000 + 999
}

/// A receiver that has not acknowledged a document in time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Overdue {
    /// The document's package.
    pub package_id: i64,
    /// Its sender.
    pub sender: String,
    /// Its id.
    pub document_id: String,
    /// Its subject.
    pub subject: String,
    /// The receiver that has not reported 01.
    pub receiver: String,
    /// When it was sent (Unix milliseconds).
    pub sent_at: i64,
    /// When 01 was due.
    pub due_by: i64,
}

impl Exchange {
    /// Documents whose receivers have reported no status by the end of the next working day.
    pub async fn overdue(
        &self,
        holidays: &[NaiveDate],
        now: Option<i64>,
    ) -> Result<Vec<Overdue>, StoreError> {
        let now = now.unwrap_or_else(now_ms);
        // Nothing sent in the last 24 hours can be overdue: a cheap bound for the query.
        let rows = sqlx::query(
            "SELECT p.id, p.sender, p.document_id, p.subject, p.received_at, r.receiver \
             FROM receipts r JOIN packages p ON p.id = r.package_id \
             WHERE r.status IS NULL AND (r.change IS NULL OR r.change NOT IN ('13', '15')) AND p.received_at < $1 \
             ORDER BY p.received_at, r.receiver",
        )
        .bind(now - 24 * 3600 * 1000)
        .fetch_all(self.store.pool())
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let sent_at: i64 = r.try_get("received_at")?;
            let due = due_by(sent_at, holidays);
            if due < now {
                out.push(Overdue {
                    package_id: r.try_get("id")?,
                    sender: r.try_get("sender")?,
                    document_id: r.try_get("document_id")?,
                    subject: r.try_get("subject")?,
                    receiver: r.try_get("receiver")?,
                    sent_at,
                    due_by: due,
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unix ms of a Vietnam local time.
    fn vn(y: i32, m: u32, d: u32, h: u32) -> i64 {
        let t = NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap();
        (t.and_utc().timestamp() - VIETNAM) * 1000
    }

    #[test]
    fn a_tuesday_document_is_due_wednesday_evening() {
        // 2026-11-24 is a Tuesday.
        assert_eq!(
            due_by(vn(2026, 11, 24, 10), &[]),
            vn(2026, 11, 25, 23) + 59 * 60 * 1000 + 59_999
        );
    }

    #[test]
    fn a_friday_evening_document_is_due_monday() {
        // Friday 2026-11-27, 22:00 in Hà Nội (15:00 UTC: still Friday in both).
        let due = due_by(vn(2026, 11, 27, 22), &[]);
        assert!(due > vn(2026, 11, 30, 23) && due < vn(2026, 12, 1, 0));
    }

    #[test]
    fn a_late_evening_in_vietnam_counts_as_that_vietnamese_day() {
        // Thursday 23:30 Vietnam is Thursday 16:30 UTC; due Friday, not Monday.
        let due = due_by(vn(2026, 11, 26, 23) + 30 * 60 * 1000, &[]);
        assert!(due < vn(2026, 11, 28, 0));
    }

    #[test]
    fn holidays_are_skipped() {
        let holiday = [NaiveDate::from_ymd_opt(2026, 9, 2).unwrap()];
        // Tuesday 2026-09-01 → Wednesday 2 September (National Day) is off → Thursday.
        let due = due_by(vn(2026, 9, 1, 9), &holiday);
        assert!(due > vn(2026, 9, 3, 23) && due < vn(2026, 9, 4, 0));
    }
}
