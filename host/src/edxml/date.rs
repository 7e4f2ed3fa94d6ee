//! Date and timestamp fields: lenient parsing of every format seen, one canonical output (§4.5).
//!
//! Senders write `yyyy/MM/dd`, `dd/MM/yyyy`, `yyyy-MM-dd` and ISO 8601, with or without a time.
//! No time zone is carried on the wire, so times are Vietnam local time (UTC+07:00); ISO offsets
//! are converted to it. Text that does not parse is kept as written, for validation to report.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::types::{serde_as_string, trim_xml};

/// A calendar date field (`PromulgationDate`, `DueDate`), canonically `yyyy/MM/dd` (§4.5).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum EdDate {
    /// The text parsed; it is written back as `yyyy/MM/dd`.
    Valid(NaiveDate),
    /// The text did not parse; kept for validation to report and the writer to send back.
    Invalid(String),
}

impl EdDate {
    /// Parses `yyyy/MM/dd`, `dd/MM/yyyy`, `yyyy-MM-dd` or ISO 8601 with an optional time and
    /// offset (converted to Vietnam time, UTC+07:00); anything else is kept as [`EdDate::Invalid`].
    pub fn parse(s: &str) -> EdDate {
        let s = trim_xml(s);
        match parse_lenient(s) {
            Some(dt) => EdDate::Valid(dt.date()),
            None => EdDate::Invalid(s.to_owned()),
        }
    }

    /// The date, if the text parsed.
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            EdDate::Valid(d) => Some(*d),
            EdDate::Invalid(_) => None,
        }
    }
}

impl FromStr for EdDate {
    type Err = Infallible;
    fn from_str(s: &str) -> Result<Self, Infallible> {
        Ok(EdDate::parse(s))
    }
}

impl fmt::Display for EdDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EdDate::Valid(d) => write!(f, "{:04}/{:02}/{:02}", d.year(), d.month(), d.day()),
            EdDate::Invalid(raw) => f.write_str(raw),
        }
    }
}
serde_as_string!(EdDate);

/// A timestamp field (`Timestamp`), canonically `yyyy/MM/dd HH:mm:ss` in Vietnam time (§4.5).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum EdDateTime {
    /// The text parsed (a bare date means midnight); written back canonically.
    Valid(NaiveDateTime),
    /// The text did not parse; kept as written.
    Invalid(String),
}

impl EdDateTime {
    /// Parses the same formats as [`EdDate::parse`], keeping the time of day to the second.
    pub fn parse(s: &str) -> EdDateTime {
        let s = trim_xml(s);
        match parse_lenient(s) {
            Some(dt) => EdDateTime::Valid(dt),
            None => EdDateTime::Invalid(s.to_owned()),
        }
    }

    /// The timestamp, if the text parsed.
    pub fn datetime(&self) -> Option<NaiveDateTime> {
        match self {
            EdDateTime::Valid(d) => Some(*d),
            EdDateTime::Invalid(_) => None,
        }
    }
}

impl FromStr for EdDateTime {
    type Err = Infallible;
    fn from_str(s: &str) -> Result<Self, Infallible> {
        Ok(EdDateTime::parse(s))
    }
}

impl fmt::Display for EdDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EdDateTime::Valid(d) => write!(
                f,
                "{:04}/{:02}/{:02} {:02}:{:02}:{:02}",
                d.year(),
                d.month(),
                d.day(),
                d.hour(),
                d.minute(),
                d.second()
            ),
            EdDateTime::Invalid(raw) => f.write_str(raw),
        }
    }
}
serde_as_string!(EdDateTime);

/// Vietnam's fixed offset from UTC, in seconds (§4.5: no zone is carried; assume UTC+07:00).
pub const VIETNAM_OFFSET_SECS: i32 = 7 * 3600;

/// The same offset in milliseconds, for the store's Unix-millisecond instants.
pub const VIETNAM_OFFSET_MS: i64 = VIETNAM_OFFSET_SECS as i64 * 1000;

/// Vietnam's time zone (UTC+07:00, no daylight saving).
pub const VIETNAM: FixedOffset = match FixedOffset::east_opt(VIETNAM_OFFSET_SECS) {
    Some(offset) => offset,
    None => panic!("+07:00 is a valid offset"),
};

/// Parses a date with an optional time; returns Vietnam local time. Years must have four digits.
fn parse_lenient(s: &str) -> Option<NaiveDateTime> {
    let (date_part, time_part) = match s.find([' ', 'T']) {
        Some(i) => (&s[..i], Some(trim_xml(&s[i + 1..]))),
        None => (s, None),
    };
    let date = parse_date_part(date_part)?;
    let Some(time_part) = time_part else {
        return Some(date.and_time(NaiveTime::MIN));
    };
    let (time, offset_secs) = parse_time_part(time_part)?;
    let local = date.and_time(time);
    Some(match offset_secs {
        Some(off) => local - Duration::seconds(off) + Duration::seconds(VIETNAM_OFFSET_SECS.into()),
        None => local,
    })
}

fn parse_date_part(s: &str) -> Option<NaiveDate> {
    let sep = if s.contains('/') { '/' } else { '-' };
    let fields: Vec<&str> = s.split(sep).collect();
    let [a, b, c] = fields.as_slice() else {
        return None;
    };
    let (y, m, d) = if a.len() == 4 {
        (*a, *b, *c)
    } else if c.len() == 4 {
        (*c, *b, *a)
    } else {
        return None;
    };
    let num = |t: &str, max_len: usize| -> Option<u32> {
        if t.is_empty() || t.len() > max_len || !t.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    NaiveDate::from_ymd_opt(num(y, 4)? as i32, num(m, 2)?, num(d, 2)?)
}

/// Parses `HH:mm[:ss[.fraction]]` followed by an optional `Z` or `±HH[:]MM` offset.
fn parse_time_part(s: &str) -> Option<(NaiveTime, Option<i64>)> {
    let (clock, offset) = match s.find(['Z', 'z', '+', '-']) {
        Some(i) => (&s[..i], Some(parse_offset(&s[i..])?)),
        None => (s, None),
    };
    let clock = clock.split('.').next()?;
    let fields: Vec<&str> = clock.split(':').collect();
    let two = |t: &str| -> Option<u32> {
        if t.len() != 2 || !t.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    let time = match fields.as_slice() {
        [h, m] => NaiveTime::from_hms_opt(two(h)?, two(m)?, 0)?,
        [h, m, sec] => NaiveTime::from_hms_opt(two(h)?, two(m)?, two(sec)?)?,
        _ => return None,
    };
    Some((time, offset))
}

fn parse_offset(s: &str) -> Option<i64> {
    if s.eq_ignore_ascii_case("z") {
        return Some(0);
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = s[1..].chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let h: i64 = digits[..2].parse().ok()?;
    let m: i64 = digits[2..].parse().ok()?;
    if h > 14 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn dates_parse_every_format_the_reference_lists() {
        for s in [
            "2020/10/30",
            "30/10/2020",
            "2020-10-30",
            "2020-10-30T08:00:00",
            "2020/10/30 23:59:59",
        ] {
            assert_eq!(EdDate::parse(s), EdDate::Valid(ymd(2020, 10, 30)), "{s}");
        }
        assert_eq!(
            EdDate::parse("2014/02/30"),
            EdDate::Invalid("2014/02/30".into())
        );
        assert_eq!(EdDate::parse("30/10/2020").to_string(), "2020/10/30");
    }

    #[test]
    fn iso_offsets_are_converted_to_vietnam_time() {
        let t = EdDateTime::parse("2018-09-28T17:30:00Z");
        assert_eq!(t.to_string(), "2018/09/29 00:30:00");
        let t = EdDateTime::parse("2018-09-28T10:00:00+07:00");
        assert_eq!(t.to_string(), "2018/09/28 10:00:00");
        assert_eq!(
            EdDateTime::parse("2018/09/28").to_string(),
            "2018/09/28 00:00:00"
        );
        assert!(
            EdDateTime::parse("2018/09/28 25:00:00")
                .datetime()
                .is_none()
        );
    }
}
