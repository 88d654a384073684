//! Durations written by people: `30m`, `24h`, `7d`, `90s`, `2w`. Used by the config
//! (`[metrics]`) and the `report --window` flag.

use std::fmt;

use chrono::Duration;

/// Why a duration text was not understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError {
    pub text: String,
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a duration: expected a positive whole number followed by s, m, h, d or w (e.g. \"30m\", \"24h\", \"7d\")",
            self.text
        )
    }
}

impl std::error::Error for DurationError {}

/// Parses `<positive integer><unit>` with unit s, m, h, d or w. Zero is rejected: no
/// threshold of flightdeck means anything at zero length.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let err = || DurationError {
        text: text.to_string(),
    };
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit())
        .filter(|&i| i > 0)
        .ok_or_else(err)?;
    let (number, unit) = t.split_at(split);
    let n: i64 = number.parse().map_err(|_| err())?;
    let unit_seconds: i64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return Err(err()),
    };
    // Ten years is far beyond any window; it also keeps the multiplication in range.
    if n <= 0 || n.saturating_mul(unit_seconds) > 10 * 366 * 86_400 {
        return Err(err());
    }
    Ok(Duration::seconds(n * unit_seconds))
}

/// The shortest text for a duration that [`parse_duration`] reads back.
pub fn format_duration(d: Duration) -> String {
    let s = d.num_seconds();
    for (unit, len) in [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60)] {
        if s != 0 && s % len == 0 {
            return format!("{}{unit}", s / len);
        }
    }
    format!("{s}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse_duration("30m"), Ok(Duration::minutes(30)));
        assert_eq!(parse_duration("24h"), Ok(Duration::hours(24)));
        assert_eq!(parse_duration(" 7d "), Ok(Duration::days(7)));
        assert_eq!(parse_duration("2w"), Ok(Duration::days(14)));
        assert_eq!(parse_duration("90s"), Ok(Duration::seconds(90)));
    }

    #[test]
    fn rejects_nonsense() {
        for bad in [
            "",
            "h",
            "30",
            "0d",
            "-3h",
            "3 h",
            "1.5h",
            "3y",
            "99999999999999d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} accepted");
        }
        let msg = parse_duration("3y").map_err(|e| e.to_string());
        assert!(msg.is_err_and(|m| m.contains("\"3y\"") && m.contains("24h")));
    }

    #[test]
    fn formats_back() {
        for text in ["30m", "1d", "2w", "90s", "36h"] {
            let d = parse_duration(text).unwrap_or_default();
            assert_eq!(format_duration(d), text);
        }
    }
}
