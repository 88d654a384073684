//! DORA performance levels (DESIGN §3), each from the figure the level is defined on.

use crate::metrics::types::Level;

const HOUR: f64 = 3_600.0;
const DAY: f64 = 86_400.0;
const WEEK: f64 = 7.0 * DAY;
const MONTH: f64 = 30.0 * DAY;

/// From successful production deployments per day: elite ≥ 1, high ≥ 1/7, medium ≥ 1/30.
pub fn frequency(per_day: Option<f64>) -> Option<Level> {
    let d = per_day?;
    Some(if d >= 1.0 {
        Level::Elite
    } else if d >= 1.0 / 7.0 {
        Level::High
    } else if d >= 1.0 / 30.0 {
        Level::Medium
    } else {
        Level::Low
    })
}

/// From the median lead time: elite < 1 day, high < 1 week, medium < 1 month.
pub fn lead_time(p50_seconds: Option<f64>) -> Option<Level> {
    let s = p50_seconds?;
    Some(if s < DAY {
        Level::Elite
    } else if s < WEEK {
        Level::High
    } else if s < MONTH {
        Level::Medium
    } else {
        Level::Low
    })
}

/// From the change failure rate: elite ≤ 5%, high ≤ 10%, medium ≤ 15%.
pub fn change_failure_rate(rate: Option<f64>) -> Option<Level> {
    let r = rate?;
    Some(if r <= 0.05 {
        Level::Elite
    } else if r <= 0.10 {
        Level::High
    } else if r <= 0.15 {
        Level::Medium
    } else {
        Level::Low
    })
}

/// From the median recovery time: elite < 1 hour, high < 1 day, medium < 1 week.
pub fn recovery_time(p50_seconds: Option<f64>) -> Option<Level> {
    let s = p50_seconds?;
    Some(if s < HOUR {
        Level::Elite
    } else if s < DAY {
        Level::High
    } else if s < WEEK {
        Level::Medium
    } else {
        Level::Low
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_belong_to_the_better_level_where_the_design_says_so() {
        assert_eq!(frequency(Some(1.0)), Some(Level::Elite));
        assert_eq!(frequency(Some(1.0 / 7.0)), Some(Level::High));
        assert_eq!(frequency(Some(1.0 / 30.0)), Some(Level::Medium));
        assert_eq!(frequency(Some(0.0)), Some(Level::Low));
        assert_eq!(frequency(None), None);
        // "elite < 1 day": exactly one day is high.
        assert_eq!(lead_time(Some(DAY)), Some(Level::High));
        assert_eq!(lead_time(Some(DAY - 1.0)), Some(Level::Elite));
        assert_eq!(lead_time(Some(MONTH)), Some(Level::Low));
        // "elite ≤ 5%": exactly 5% is elite.
        assert_eq!(change_failure_rate(Some(0.05)), Some(Level::Elite));
        assert_eq!(change_failure_rate(Some(0.1500001)), Some(Level::Low));
        assert_eq!(recovery_time(Some(HOUR)), Some(Level::High));
        assert_eq!(recovery_time(Some(WEEK)), Some(Level::Low));
    }
}
