//! The Rust guest kit's helpers, tested natively.

use truc_guest::dates::*;

fn ymd(s: &str) -> Option<String> {
    parse_date(s).map(|d| format_date(&d))
}

#[test]
fn every_accepted_form_reads_the_same_day() {
    for s in [
        "2018/09/28",
        "28/09/2018",
        "2018-09-28",
        "2018-09-28T10:00:00+07:00",
        "28/9/2018",
    ] {
        assert_eq!(ymd(s).as_deref(), Some("2018/09/28"), "{s}");
    }
}

#[test]
fn impossible_days_are_refused() {
    assert_eq!(ymd("2014/02/30"), None);
    assert_eq!(ymd("2023/02/29"), None);
    assert_eq!(ymd("2024/02/29").as_deref(), Some("2024/02/29"));
    assert_eq!(ymd("2024/13/01"), None);
    assert_eq!(ymd("yesterday"), None);
}

#[test]
fn times_are_read_and_zones_dropped() {
    let dt = parse_date_time("2015/09/20 11:08:36").unwrap();
    assert_eq!((dt.hour, dt.minute, dt.second), (11, 8, 36));
    let dt = parse_date_time("2015-09-20T11:08:36.250Z").unwrap();
    assert_eq!((dt.hour, dt.minute, dt.second), (11, 8, 36));
    assert!(parse_date_time("2015/09/20 25:00:00").is_none());
    assert_eq!(format_date_time(&dt), "2015/09/20 11:08:36");
    assert_eq!(format_iso_date_time(&dt), "2015-09-20T11:08:36+07:00");
}
