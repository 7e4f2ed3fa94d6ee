//! Dates as legacy systems write them: `yyyy/MM/dd`, `dd/MM/yyyy`, `yyyy-MM-dd`, ISO 8601,
//! each with an optional time. Times are Vietnam local time; an ISO offset is dropped.

use crate::{Date, DateTime};

/// Parses a date in any of the accepted forms; `None` if it is not a real calendar date.
pub fn parse_date(text: &str) -> Option<Date> {
    parse_date_time(text).map(|dt| dt.date)
}

/// Parses a date with an optional time (`2018/09/28 09:15:00`, `2018-09-28T09:15:00+07:00`).
/// A missing time is midnight.
pub fn parse_date_time(text: &str) -> Option<DateTime> {
    let text = text.trim();
    let (date_part, time_part) = match text.find(['T', ' ']) {
        Some(i) => (&text[..i], Some(text[i + 1..].trim())),
        None => (text, None),
    };
    let date = parse_date_only(date_part)?;
    let (hour, minute, second) = match time_part {
        None | Some("") => (0, 0, 0),
        Some(t) => parse_time(t)?,
    };
    Some(DateTime {
        date,
        hour,
        minute,
        second,
    })
}

fn parse_date_only(s: &str) -> Option<Date> {
    let sep = if s.contains('/') { '/' } else { '-' };
    let parts: Vec<&str> = s.split(sep).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (y, m, d) = if a.len() == 4 { (a, b, c) } else { (c, b, a) };
    if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
        return None;
    }
    let date = Date {
        year: y.parse().ok()?,
        month: m.parse().ok()?,
        day: d.parse().ok()?,
    };
    is_valid(&date).then_some(date)
}

fn parse_time(t: &str) -> Option<(u8, u8, u8)> {
    // Drop a zone suffix (`Z`, `+07:00`) and fractional seconds.
    let t = t.trim_end_matches('Z');
    let t = match t.rfind(['+', '-']) {
        Some(i) if i >= 5 => &t[..i],
        _ => t,
    };
    let t = t.split('.').next()?;
    let mut it = t.split(':');
    let h: u8 = it.next()?.parse().ok()?;
    let m: u8 = it.next()?.parse().ok()?;
    let s: u8 = it.next().map_or(Some(0), |s| s.parse().ok())?;
    (h < 24 && m < 60 && s < 60 && it.next().is_none()).then_some((h, m, s))
}

/// Whether `d` names a real day of the proleptic Gregorian calendar.
pub fn is_valid(d: &Date) -> bool {
    let leap =
        (d.year.is_multiple_of(4) && !d.year.is_multiple_of(100)) || d.year.is_multiple_of(400);
    let days = match d.month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    d.year >= 1 && d.day >= 1 && d.day <= days
}

/// `yyyy/MM/dd`, the standard's form.
pub fn format_date(d: &Date) -> String {
    format!("{:04}/{:02}/{:02}", d.year, d.month, d.day)
}

/// `yyyy-MM-dd`, ISO 8601.
pub fn format_iso_date(d: &Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

/// `yyyy-MM-ddTHH:mm:ss+07:00`, ISO 8601 in Vietnam time.
pub fn format_iso_date_time(dt: &DateTime) -> String {
    format!(
        "{}T{:02}:{:02}:{:02}+07:00",
        format_iso_date(&dt.date),
        dt.hour,
        dt.minute,
        dt.second
    )
}

/// `yyyy/MM/dd HH:mm:ss`, the standard's form.
pub fn format_date_time(dt: &DateTime) -> String {
    format!(
        "{} {:02}:{:02}:{:02}",
        format_date(&dt.date),
        dt.hour,
        dt.minute,
        dt.second
    )
}
