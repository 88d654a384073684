//! Calendar arithmetic in the configured zone, correct across DST changes: a "day"
//! back from an instant is a calendar day of local wall-clock time (23 or 25 hours
//! when the clocks change), never a fixed 24 hours.

use crate::zone::Tz;
use chrono::{Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Weekday};

use crate::model::Ts;

/// The UTC instant of a local wall-clock time. In a spring-forward gap the time does
/// not exist: the first instant after the gap is used. In a fall-back overlap the
/// earlier of the two instants is used.
pub fn from_local(tz: Tz, local: NaiveDateTime) -> Ts {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.to_utc(),
        LocalResult::Ambiguous(a, _) => a.to_utc(),
        LocalResult::None => {
            // Gaps are at most a few hours; walk forward in minutes until time exists.
            let mut probe = local;
            for _ in 0..(24 * 60) {
                probe += chrono::Duration::minutes(1);
                if let Some(t) = tz.from_local_datetime(&probe).earliest() {
                    return t.to_utc();
                }
            }
            local.and_utc()
        }
    }
}

/// The instant `days` local calendar days before `end` (same wall-clock time).
pub fn days_back(tz: Tz, end: Ts, days: u64) -> Ts {
    let local = end.with_timezone(&tz).naive_local();
    match local.checked_sub_days(Days::new(days)) {
        Some(l) => from_local(tz, l),
        None => end - chrono::Duration::days(days as i64),
    }
}

/// Local calendar date of an instant.
pub fn local_date(tz: Tz, t: Ts) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

pub fn is_weekend(tz: Tz, t: Ts) -> bool {
    matches!(t.with_timezone(&tz).weekday(), Weekday::Sat | Weekday::Sun)
}

/// Boundaries of the whole weeks of `[start, end)` counted back from `end`: element
/// `k` is the start of the week ending `k` weeks before `end`; the first element is
/// `end` itself. Leftover days at the window's start are not a week.
pub fn week_starts(tz: Tz, start: Ts, end: Ts) -> Vec<Ts> {
    let mut bounds = vec![end];
    for k in 1..=520u64 {
        let b = days_back(tz, end, 7 * k);
        if b < start {
            break;
        }
        bounds.push(b);
    }
    bounds
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn utc(s: &str) -> Ts {
        s.parse::<chrono::DateTime<Utc>>().unwrap_or_default()
    }

    #[test]
    fn a_day_back_across_fall_back_is_25_hours() {
        // Europe/Berlin leaves summer time on 2026-10-25 at 03:00 local.
        let end = utc("2026-10-25T23:00:00Z"); // 2026-10-26 00:00 CET
        let back = days_back(Tz::named("Europe/Berlin"), end, 1);
        assert_eq!(back, utc("2026-10-24T22:00:00Z")); // 2026-10-25 00:00 CEST
        assert_eq!((end - back).num_hours(), 25);
    }

    #[test]
    fn gap_time_moves_forward() {
        // 2026-03-29 02:30 does not exist in Berlin; 03:00 CEST = 01:00Z.
        let local = NaiveDate::from_ymd_opt(2026, 3, 29)
            .and_then(|d| d.and_hms_opt(2, 30, 0))
            .unwrap_or_default();
        assert_eq!(
            from_local(Tz::named("Europe/Berlin"), local),
            utc("2026-03-29T01:00:00Z")
        );
    }

    #[test]
    fn thirty_days_hold_four_weeks() {
        let end = utc("2026-11-30T00:00:00Z");
        let start = end - chrono::Duration::days(30);
        assert_eq!(week_starts(Tz::UTC, start, end).len(), 5);
    }
}

/// The window of `length` ending at `end`. A whole number of days is counted in local
/// calendar days (30 days across a DST change are 719 or 721 hours); any other length
/// is exact.
pub fn window_ending(tz: Tz, end: Ts, length: chrono::Duration) -> crate::metrics::types::Window {
    let secs = length.num_seconds();
    let start = if secs > 0 && secs % 86_400 == 0 {
        days_back(tz, end, (secs / 86_400) as u64)
    } else {
        end - length
    };
    crate::metrics::types::Window { start, end }
}

/// Length of `[start, end)` in days: whole local calendar days counted back from `end`,
/// plus the remainder in 24-hour days.
pub fn days_in(tz: Tz, start: Ts, end: Ts) -> f64 {
    if end <= start {
        return 0.0;
    }
    let mut whole = 0u64;
    let mut edge = end;
    // Bounded: no window is longer than ten years.
    while whole < 3_660 {
        let next = days_back(tz, end, whole + 1);
        if next < start {
            break;
        }
        whole += 1;
        edge = next;
    }
    whole as f64 + (edge - start).num_milliseconds() as f64 / 86_400_000.0
}

#[cfg(test)]
mod window_tests {
    use super::*;

    #[test]
    fn a_week_across_fall_back_is_seven_days_of_169_hours() {
        let end: Ts = "2026-10-31T23:00:00Z".parse().unwrap_or_default(); // Nov 1 00:00 CET
        let w = window_ending(Tz::named("Europe/Berlin"), end, chrono::Duration::days(7));
        assert_eq!((w.end - w.start).num_hours(), 169);
        assert_eq!(days_in(Tz::named("Europe/Berlin"), w.start, w.end), 7.0);
        assert_eq!(
            days_in(Tz::UTC, end - chrono::Duration::hours(36), end),
            1.5
        );
    }
}
