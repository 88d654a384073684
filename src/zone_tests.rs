use chrono::{DateTime, LocalResult, NaiveDate, TimeZone, Utc};

use super::Tz;

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 instant")
}

fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(h, min, 0))
        .expect("a date")
}

#[test]
fn offsets_and_abbreviations_follow_the_database() {
    let paris = Tz::named("Europe/Paris");
    let winter = utc("2024-01-15T13:02:05Z").with_timezone(&paris);
    assert_eq!(winter.format("%H:%M:%S %Z").to_string(), "14:02:05 CET");
    let summer = utc("2024-07-15T13:02:05Z").with_timezone(&paris);
    assert_eq!(
        summer.format("%H:%M %Z %:z").to_string(),
        "15:02 CEST +02:00"
    );
    let tokyo = utc("2024-07-15T13:02:05Z").with_timezone(&Tz::named("Asia/Tokyo"));
    assert_eq!(tokyo.format("%H:%M %Z").to_string(), "22:02 JST");
    let kolkata = utc("2024-07-15T13:02:05Z").with_timezone(&Tz::named("Asia/Kolkata"));
    assert_eq!(kolkata.format("%H:%M %:z").to_string(), "18:32 +05:30");
    assert_eq!(
        utc("2024-07-15T13:02:05Z")
            .with_timezone(&Tz::UTC)
            .format("%H:%M %Z")
            .to_string(),
        "13:02 UTC"
    );
    // Past the database's last listed transition, its rule for the future holds.
    let later = utc("2101-07-01T12:00:00Z").with_timezone(&Tz::named("Europe/Berlin"));
    assert_eq!(later.format("%H %Z").to_string(), "14 CEST");
    // Before time zones, local mean time.
    let old = utc("1850-01-01T12:00:00Z").with_timezone(&Tz::named("Europe/Berlin"));
    assert_eq!(old.offset().to_string(), "LMT");
}

#[test]
fn a_gap_has_no_local_time_and_a_fold_two_in_order() {
    let berlin = Tz::named("Europe/Berlin");
    assert_eq!(
        berlin.from_local_datetime(&local(2024, 3, 31, 2, 30)),
        LocalResult::None
    );
    let LocalResult::Ambiguous(first, second) =
        berlin.from_local_datetime(&local(2024, 10, 27, 2, 30))
    else {
        panic!("a fold");
    };
    assert_eq!(first.to_utc(), utc("2024-10-27T00:30:00Z"));
    assert_eq!(second.to_utc(), utc("2024-10-27T01:30:00Z"));
    assert_eq!(first.offset().to_string(), "CEST");
    assert_eq!(second.offset().to_string(), "CET");
    let LocalResult::Single(noon) = berlin.from_local_datetime(&local(2024, 10, 27, 12, 0)) else {
        panic!("one noon");
    };
    assert_eq!(noon.to_utc(), utc("2024-10-27T11:00:00Z"));
}

#[test]
fn names_are_checked_and_each_zone_is_kept_once() {
    let err = "Mars/Olympus".parse::<Tz>().expect_err("no such zone");
    assert!(err.contains("Mars/Olympus"), "{err}");
    let berlin = Tz::named("Europe/Berlin");
    let lower: Tz = "europe/berlin".parse().expect("any case");
    assert_eq!(lower, berlin);
    assert_eq!(lower.name(), "Europe/Berlin");
    assert_eq!("UTC".parse::<Tz>(), Ok(Tz::UTC));
    assert_ne!(berlin, Tz::UTC);
}

#[test]
fn instants_beyond_the_database_years_do_not_panic() {
    let berlin = Tz::named("Europe/Berlin");
    for t in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
        let shown = t.with_timezone(&berlin);
        assert_eq!(shown.to_utc(), t);
    }
    let far = local(200_000, 6, 1, 12, 0);
    assert!(berlin.from_local_datetime(&far).single().is_some());
}
