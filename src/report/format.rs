//! How figures read in the markdown report: durations in the largest sensible unit,
//! rates as percentages, missing figures as "n/a" (never 0).

use crate::zone::Tz;

use crate::metrics::types::Level;
use crate::model::Ts;

pub const NA: &str = "n/a";

/// Drops the sign of a figure that rounds to zero: "-0.000%" and "-0" read as a
/// negative value where there is none.
fn unsigned_zero(text: String) -> String {
    match text.strip_prefix('-') {
        Some(rest) if !rest.chars().any(|c| c.is_ascii_digit() && c != '0') => rest.to_string(),
        _ => text,
    }
}

/// "45 s", "12 min", "3.2 h", "1.5 d"; a negative duration keeps its sign and unit
/// ("-15.0 h", not "-54145 s").
pub fn duration(seconds: Option<f64>) -> String {
    let Some(s) = seconds.filter(|s| s.is_finite()) else {
        return NA.into();
    };
    if s < 0.0 {
        return unsigned_zero(format!("-{}", duration(Some(-s))));
    }
    if s < 60.0 {
        format!("{s:.0} s")
    } else if s < 3_600.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 86_400.0 {
        format!("{:.1} h", s / 3_600.0)
    } else {
        format!("{:.1} d", s / 86_400.0)
    }
}

/// A fraction as a percentage with enough digits for SLOs ("99.95%", "8.1%").
pub fn percent(fraction: Option<f64>) -> String {
    match fraction.filter(|f| f.is_finite()) {
        Some(f) => {
            let p = f * 100.0;
            unsigned_zero(if p != 0.0 && p.abs() < 1.0 {
                format!("{p:.3}%")
            } else if (p - p.round()).abs() < 1e-9 {
                format!("{p:.0}%")
            } else {
                // One decimal, more where one would round up to 100%: an SLO of
                // 99.99% must not read "100.0%".
                let mut text = format!("{p:.1}%");
                for decimals in 2..=6 {
                    if !text.trim_start_matches('-').starts_with("100.0") {
                        break;
                    }
                    text = format!("{p:.decimals$}%");
                }
                text
            })
        }
        None => NA.into(),
    }
}

pub fn number(value: Option<f64>, decimals: usize) -> String {
    match value.filter(|v| v.is_finite()) {
        Some(v) => unsigned_zero(format!("{v:.decimals$}")),
        None => NA.into(),
    }
}

pub fn level(level: Option<Level>) -> &'static str {
    level.map_or(NA, Level::word)
}

/// A time in the report's zone: "2026-11-23 14:05 CET".
pub fn time(t: Ts, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string()
}

/// A local calendar date: "2026-11-23".
pub fn date(t: Ts, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d").to_string()
}

/// A window's length as given: "30 days", "12 hours", "1 day", "90 minutes" (the
/// largest unit that divides it, so 36 h stays "36 hours", never "1.5 days").
pub fn length(d: chrono::Duration) -> String {
    let secs = d.num_seconds();
    let (n, unit) = if secs != 0 && secs % 86_400 == 0 {
        (secs / 86_400, "day")
    } else if secs != 0 && secs % 3_600 == 0 {
        (secs / 3_600, "hour")
    } else if secs != 0 && secs % 60 == 0 {
        (secs / 60, "minute")
    } else {
        (secs, "second")
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// Table cells must not break the table.
pub fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_figures() {
        assert_eq!(duration(Some(45.0)), "45 s");
        assert_eq!(duration(Some(720.0)), "12 min");
        assert_eq!(duration(Some(11_520.0)), "3.2 h");
        assert_eq!(duration(Some(129_600.0)), "1.5 d");
        assert_eq!(duration(None), "n/a");
        assert_eq!(percent(Some(0.081)), "8.1%");
        assert_eq!(percent(Some(0.9999)), "99.99%");
        assert_eq!(percent(Some(0.9995)), "99.95%");
        assert_eq!(percent(Some(0.999)), "99.9%");
        assert_eq!(percent(Some(0.120_04)), "12.0%");
        assert_eq!(percent(Some(0.039_5)), "4.0%");
        assert_eq!(percent(Some(0.0)), "0%");
        assert_eq!(percent(Some(0.0004)), "0.040%");
        assert_eq!(percent(Some(-0.5)), "-50%");
        assert_eq!(percent(None), "n/a");
        assert_eq!(cell("a|b"), "a\\|b");
    }

    #[test]
    fn window_lengths_as_given() {
        use chrono::Duration;
        assert_eq!(length(Duration::hours(12)), "12 hours");
        assert_eq!(length(Duration::hours(36)), "36 hours");
        assert_eq!(length(Duration::hours(24)), "1 day");
        assert_eq!(length(Duration::days(30)), "30 days");
        assert_eq!(length(Duration::weeks(2)), "14 days");
        assert_eq!(length(Duration::minutes(90)), "90 minutes");
        assert_eq!(length(Duration::seconds(45)), "45 seconds");
    }

    #[test]
    fn no_negative_zero_and_signed_durations() {
        assert_eq!(percent(Some(-0.0)), "0%");
        assert_eq!(percent(Some(-0.000_000_1)), "0.000%");
        assert_eq!(percent(Some(-0.000_04)), "-0.004%");
        assert_eq!(number(Some(-0.001), 2), "0.00");
        assert_eq!(number(Some(-0.01), 2), "-0.01");
        assert_eq!(duration(Some(-54_145.0)), "-15.0 h");
        assert_eq!(duration(Some(-0.2)), "0 s");
        assert_eq!(duration(Some(-90.0)), "-2 min");
    }
}
