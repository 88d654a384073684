//! Trend arrows: a figure against the same figure over the previous window, and whether
//! the move is good. Each DORA figure knows which direction is better.

use super::types::{Dora, Trend};

/// Relative change below which two values count as the same (1%): a trend arrow for
/// rounding noise would send people hunting for nothing.
const SAME_WITHIN: f64 = 0.01;

/// Compares `current` with `previous`; `higher_is_better` says which way is good.
pub fn compare(current: Option<f64>, previous: Option<f64>, higher_is_better: bool) -> Trend {
    let (Some(c), Some(p)) = (current, previous) else {
        return Trend::Unknown;
    };
    if !c.is_finite() || !p.is_finite() {
        return Trend::Unknown;
    }
    let scale = c.abs().max(p.abs());
    if scale == 0.0 || (c - p).abs() <= SAME_WITHIN * scale {
        return Trend::Same;
    }
    if (c > p) == higher_is_better {
        Trend::Better
    } else {
        Trend::Worse
    }
}

/// The trends of the headline DORA figures, in the order the DORA pane shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoraTrends {
    pub deployment_frequency: Trend,
    pub lead_time: Trend,
    pub change_failure_rate: Trend,
    pub recovery_time: Trend,
    pub rework_rate: Trend,
}

/// Trend of every headline figure: more deployments per day is better; shorter lead
/// and recovery times and lower failure and rework rates are better.
pub fn dora_trends(current: &Dora, previous: &Dora) -> DoraTrends {
    DoraTrends {
        deployment_frequency: compare(
            current.deployment_frequency.per_day,
            previous.deployment_frequency.per_day,
            true,
        ),
        lead_time: compare(
            current.lead_time.p50_seconds,
            previous.lead_time.p50_seconds,
            false,
        ),
        change_failure_rate: compare(
            current.change_failure_rate.rate,
            previous.change_failure_rate.rate,
            false,
        ),
        recovery_time: compare(
            current.recovery_time.p50_seconds,
            previous.recovery_time.p50_seconds,
            false,
        ),
        rework_rate: compare(current.rework_rate.rate, previous.rework_rate.rate, false),
    }
}

impl Trend {
    /// Arrow for the direction of the move plus a word for its meaning; `ascii` for
    /// terminals without Unicode. The word keeps the meaning when colour is off.
    pub fn arrow(self, current: Option<f64>, previous: Option<f64>, ascii: bool) -> &'static str {
        let up = matches!((current, previous), (Some(c), Some(p)) if c > p);
        match (self, up, ascii) {
            (Trend::Unknown, _, _) => "",
            (Trend::Same, _, false) => "→",
            (Trend::Same, _, true) => "=",
            (_, true, false) => "↑",
            (_, false, false) => "↓",
            (_, true, true) => "^",
            (_, false, true) => "v",
        }
    }
    pub fn word(self) -> &'static str {
        match self {
            Trend::Better => "better",
            Trend::Worse => "worse",
            Trend::Same => "same",
            Trend::Unknown => "no comparison",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_and_meaning() {
        assert_eq!(compare(Some(2.0), Some(1.0), true), Trend::Better);
        assert_eq!(compare(Some(2.0), Some(1.0), false), Trend::Worse);
        assert_eq!(compare(Some(0.5), Some(1.0), false), Trend::Better);
        assert_eq!(compare(Some(1.0), Some(1.005), true), Trend::Same);
        assert_eq!(compare(Some(0.0), Some(0.0), true), Trend::Same);
        assert_eq!(compare(None, Some(1.0), true), Trend::Unknown);
        assert_eq!(compare(Some(1.0), None, true), Trend::Unknown);
    }

    #[test]
    fn arrows() {
        let t = compare(Some(3.0), Some(1.0), false);
        assert_eq!(t.arrow(Some(3.0), Some(1.0), false), "↑");
        assert_eq!(t.arrow(Some(3.0), Some(1.0), true), "^");
        assert_eq!(t.word(), "worse");
    }
}
