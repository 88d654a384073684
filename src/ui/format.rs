//! How figures read on screen: durations "3h 12m", ages "5m ago", percentages, rates
//! "3 of 42", clock times in the configured zone. A value that cannot be computed is
//! "n/a", never 0.

use crate::zone::Tz;
use chrono::Duration;

use crate::model::Ts;

/// What a missing figure reads as.
pub const NA: &str = "n/a";

/// A duration in whole seconds as its two largest units: "42s", "12m 4s", "3h 12m", "2d 4h".
/// Negative durations (clock skew between sources) read as "0s".
pub fn secs(total: i64) -> String {
    let s = total.max(0);
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{sec}s"),
        (0, 0, _) if sec == 0 => format!("{m}m"),
        (0, 0, _) => format!("{m}m {sec}s"),
        (0, _, 0) => format!("{h}h"),
        (0, _, _) => format!("{h}h {m}m"),
        (_, 0, _) => format!("{d}d"),
        _ => format!("{d}d {h}h"),
    }
}

pub fn duration(d: Duration) -> String {
    secs(d.num_seconds())
}

/// [`duration`] without the space, for narrow table columns: "12m15s", "1h5m".
pub fn duration_compact(d: Duration) -> String {
    duration(d).replace(' ', "")
}

/// Seconds as a float (metrics output) to a duration; non-finite values read "n/a".
pub fn secs_f64(v: f64) -> String {
    if v.is_finite() {
        secs(v.round().clamp(i64::MIN as f64, i64::MAX as f64) as i64)
    } else {
        NA.to_string()
    }
}

pub fn opt_secs(v: Option<f64>) -> String {
    v.map_or_else(|| NA.to_string(), secs_f64)
}

/// How long ago: "just now", "42s ago", "5m ago", "3h ago", "2d ago" (one unit: ages
/// are glanced at, not read).
pub fn age(d: Duration) -> String {
    let s = d.num_seconds();
    if s < 1 {
        return "just now".to_string();
    }
    match s {
        0..=59 => format!("{s}s ago"),
        60..=3599 => format!("{}m ago", s / 60),
        3600..=86_399 => format!("{}h ago", s / 3600),
        _ => format!("{}d ago", s / 86_400),
    }
}

/// A fraction as a percentage with `decimals` places: 0.0712 → "7.1%".
pub fn percent(fraction: f64, decimals: usize) -> String {
    if fraction.is_finite() {
        let text = format!("{:.*}%", decimals, fraction * 100.0);
        // A tiny negative value rounds to "-0.00%": zero has no sign.
        match text.strip_prefix('-') {
            Some(rest) if rest.chars().all(|c| matches!(c, '0' | '.' | '%')) => rest.to_string(),
            _ => text,
        }
    } else {
        NA.to_string()
    }
}

pub fn opt_percent(fraction: Option<f64>, decimals: usize) -> String {
    fraction.map_or_else(|| NA.to_string(), |f| percent(f, decimals))
}

/// Numerator and denominator, as every rate is shown: "3 of 42".
pub fn of(numerator: u32, denominator: u32) -> String {
    format!("{numerator} of {denominator}")
}

/// A burn rate: "16.2x"; "--" when unknown.
pub fn burn(rate: Option<f64>) -> String {
    match rate {
        Some(r) if r.is_finite() && r >= 100.0 => format!("{r:.0}x"),
        Some(r) if r.is_finite() => format!("{r:.1}x"),
        _ => "--".to_string(),
    }
}

/// A number with few significant digits: 0.042, 1.4, 23, 1200.
pub fn number(v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() {
        NA.to_string()
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 0.1 || a == 0.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// Wall-clock time in the configured zone with the zone's abbreviation: "14:32:05 CET".
pub fn clock(t: Ts, tz: Tz) -> String {
    t.with_timezone(&tz).format("%H:%M:%S %Z").to_string()
}

/// Hours and minutes in the configured zone: "14:02".
pub fn hm(t: Ts, tz: Tz) -> String {
    t.with_timezone(&tz).format("%H:%M").to_string()
}

/// A past instant for "stale since": "14:02" when it is today in the configured zone,
/// "Nov 28 14:02" otherwise (a cache days old must not read as this afternoon).
pub fn since(t: Ts, now: Ts, tz: Tz) -> String {
    let (local, today) = (t.with_timezone(&tz), now.with_timezone(&tz));
    if local.date_naive() == today.date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%b %d %H:%M").to_string()
    }
}

/// Date and time in the configured zone: "2026-11-22 14:02 CET".
pub fn date_time(t: Ts, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string()
}

/// A value of an SPC metric, in the metric's unit.
pub fn spc_value(metric: &str, v: f64) -> String {
    match metric {
        "lead_time" | "deploy_duration" | "recovery_time" => secs_f64(v),
        "change_failure_rate" => percent(v, 1),
        _ => number(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn since_names_the_day_only_when_it_is_not_today_in_the_zone() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 15, 0, 0).unwrap();
        // 23:30 UTC on the 27th is already the 28th in Berlin.
        let late = Utc.with_ymd_and_hms(2026, 11, 27, 23, 30, 0).unwrap();
        assert_eq!(since(late, now, tz), "00:30");
        let days_old = Utc.with_ymd_and_hms(2026, 11, 25, 13, 2, 0).unwrap();
        assert_eq!(since(days_old, now, tz), "Nov 25 14:02");
        assert_eq!(duration_compact(Duration::seconds(735)), "12m15s");
        assert_eq!(percent(-0.000_001, 2), "0.00%");
        assert_eq!(percent(-0.02, 1), "-2.0%");
    }

    #[test]
    fn durations_show_their_two_largest_units() {
        assert_eq!(secs(42), "42s");
        assert_eq!(secs(12 * 60 + 4), "12m 4s");
        assert_eq!(secs(5 * 60), "5m");
        assert_eq!(secs(3 * 3600 + 12 * 60 + 59), "3h 12m");
        assert_eq!(secs(2 * 86_400 + 4 * 3600 + 7), "2d 4h");
        assert_eq!(secs(86_400 + 30), "1d");
        assert_eq!(secs(-5), "0s");
        assert_eq!(secs_f64(f64::NAN), "n/a");
        assert_eq!(secs_f64(89.6), "1m 30s");
    }

    #[test]
    fn ages_use_one_unit() {
        assert_eq!(age(Duration::seconds(0)), "just now");
        assert_eq!(age(Duration::seconds(-3)), "just now");
        assert_eq!(age(Duration::seconds(59)), "59s ago");
        assert_eq!(age(Duration::seconds(299)), "4m ago");
        assert_eq!(age(Duration::hours(26)), "1d ago");
    }

    #[test]
    fn rates_and_percentages() {
        assert_eq!(percent(0.0712, 1), "7.1%");
        assert_eq!(percent(-0.1234, 1), "-12.3%");
        assert_eq!(opt_percent(None, 1), "n/a");
        assert_eq!(of(3, 42), "3 of 42");
        assert_eq!(burn(Some(16.24)), "16.2x");
        assert_eq!(burn(Some(250.0)), "250x");
        assert_eq!(burn(None), "--");
        assert_eq!(number(0.042), "0.042");
        assert_eq!(number(23.4), "23.4");
    }

    #[test]
    fn clock_uses_the_configured_zone() {
        let t = chrono::Utc.with_ymd_and_hms(2026, 1, 15, 13, 2, 5).single();
        let t = t.unwrap_or_default();
        assert_eq!(
            clock(t, crate::zone::Tz::named("Europe/Paris")),
            "14:02:05 CET"
        );
        assert_eq!(clock(t, crate::zone::Tz::UTC), "13:02:05 UTC");
        assert_eq!(hm(t, crate::zone::Tz::named("Asia/Tokyo")), "22:02");
    }
}
