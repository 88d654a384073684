//! Durations written by people: `30m`, `24h`, `7d`, `90s`, `2w`. Used by the config
//! (`[metrics]`) and the `report --window` flag.

use std::fmt;

use chrono::Duration;

/// The longest duration accepted: ten years is far beyond any window, and it keeps
/// the arithmetic in range.
pub const MAX_DAYS: i64 = 3_650;

/// Why a duration text was not understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError {
    pub text: String,
    /// The text is a duration, only longer than [`MAX_DAYS`]: the message says the
    /// limit instead of calling it malformed.
    pub too_long: bool,
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.too_long {
            return write!(
                f,
                "{:?} is too long: at most {MAX_DAYS}d (ten years)",
                self.text
            );
        }
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
        too_long: false,
    };
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit())
        .filter(|&i| i > 0)
        .ok_or_else(err)?;
    let (number, unit) = t.split_at(split);
    // Digits too many for an i64 are a duration too, just a far too long one.
    let too_long = || DurationError {
        text: text.to_string(),
        too_long: true,
    };
    let n: i64 = number.parse().map_err(|_| too_long())?;
    let unit_seconds: i64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return Err(err()),
    };
    if n <= 0 {
        return Err(err());
    }
    if n.saturating_mul(unit_seconds) > MAX_DAYS * 86_400 {
        return Err(too_long());
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
    fn a_duration_past_the_limit_is_told_the_limit_not_called_malformed() {
        assert_eq!(parse_duration("3650d"), Ok(Duration::days(MAX_DAYS)));
        for long in ["3651d", "100000d", "99999999999999999999999d", "522w"] {
            let e = parse_duration(long).expect_err(long);
            assert!(e.too_long, "{long}: {e}");
            let m = e.to_string();
            assert!(m.contains("at most 3650d"), "{long}: {m}");
            assert!(!m.contains("positive whole number"), "{long}: {m}");
        }
        // Zero and garbage are still malformed, not too long.
        for bad in ["0d", "3y", "h"] {
            assert!(!parse_duration(bad).expect_err(bad).too_long, "{bad}");
        }
    }

    #[test]
    fn formats_back() {
        for text in ["30m", "1d", "2w", "90s", "36h"] {
            let d = parse_duration(text).unwrap_or_default();
            assert_eq!(format_duration(d), text);
        }
    }
}
