//! Error budget (DESIGN §3): the error ratio over the SLO window against the budget
//! `1 − target`, burn rates over the standard windows, the multiwindow multi-burn-rate
//! alerts of the SRE workbook, the deployment policy and the burn trend. The ratios
//! come from the sources (`WindowRatios`); a missing ratio stays `None`, never 0.
//!
//! Every threshold of this module sits on an exact decimal (14.4×, 6×, 1×, 50%, 20%,
//! 5%, 0), and so do the inputs: `1 − 0.999` is 0.0010000000000000009 in binary
//! floating point, and `0.0144 / 0.001` is 14.399999999999999. Left alone, an error
//! ratio of exactly 14.4× the budget would not page and exactly half the budget left
//! would read "normal". So the budget and every quotient computed from it are rounded
//! to [`SIGNIFICANT`] significant digits, once, here ([`budget`], [`burn_rate`],
//! [`remaining`]) — far finer than any SLI can be measured, coarse enough to erase the
//! representation error — and every comparison then works on exact decimals.

use crate::model::WindowRatios;

use super::settings::{PolicyBands, Slo};
use super::types::{AlertSeverity, BurnAlert, BurnRates, BurnTrend, ErrorBudget, Policy};

/// The alert table of the SRE workbook for a 30-day SLO: (severity, threshold, long
/// window, short window). Both windows must burn at or above the threshold.
const ALERTS: [(AlertSeverity, f64, &str, &str); 3] = [
    (AlertSeverity::Page, 14.4, "1h", "5m"),
    (AlertSeverity::Page, 6.0, "6h", "30m"),
    (AlertSeverity::Ticket, 1.0, "3d", "6h"),
];

/// Significant digits kept in the budget, burn rates and remaining budget.
pub const SIGNIFICANT: usize = 12;

/// `x` rounded to [`SIGNIFICANT`] significant digits (non-finite values unchanged).
pub fn round_significant(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    // Decimal formatting rounds correctly at any magnitude (no overflowing scale
    // factor for tiny or huge values); this runs a handful of times per service.
    format!("{x:.prec$e}", prec = SIGNIFICANT - 1)
        .parse()
        .unwrap_or(x)
}

/// The error budget `1 − target`, rounded (0.999 gives exactly 0.001).
pub fn budget(target: f64) -> f64 {
    round_significant(1.0 - target)
}

/// The error budget of one service from its window ratios.
pub fn error_budget(slo: &Slo, ratios: &WindowRatios, bands: &PolicyBands) -> ErrorBudget {
    let budget = budget(slo.target);
    let burn = |r: Option<f64>| burn_rate(r, budget);
    let burn_rates = BurnRates {
        m5: burn(ratios.m5),
        m30: burn(ratios.m30),
        h1: burn(ratios.h1),
        h6: burn(ratios.h6),
        d3: burn(ratios.d3),
    };
    let error_ratio = ratios.slo_window.filter(|r| r.is_finite());
    let remaining = error_ratio.and_then(|r| remaining(r, budget));
    ErrorBudget {
        slo_target: slo.target,
        window_seconds: slo.window.num_seconds() as f64,
        error_ratio,
        remaining,
        policy: remaining.map(|r| policy(r, bands)),
        burn_rates,
        alerts: alerts(&burn_rates),
        trend: trend(burn_rates.h1, burn_rates.h6),
    }
}

/// `error_ratio / budget`, rounded; `None` without a ratio or without a budget.
pub fn burn_rate(error_ratio: Option<f64>, budget: f64) -> Option<f64> {
    let r = error_ratio.filter(|r| r.is_finite())?;
    (budget > 0.0).then(|| round_significant(r / budget))
}

/// `1 − error_ratio / budget`, rounded: 1 untouched, 0 spent, below 0 overspent. An
/// error ratio equal to the budget leaves exactly 0 (hard freeze), not 8.9e-16.
pub fn remaining(error_ratio: f64, budget: f64) -> Option<f64> {
    let burn = burn_rate(Some(error_ratio), budget)?;
    // `+ 0.0` turns a negative zero into zero.
    Some(round_significant(1.0 - burn) + 0.0)
}

/// The deployment policy for what remains: > 50% normal, 20–50% caution, 5–20%
/// restricted, 0–5% frozen, ≤ 0 hard freeze (default bands).
pub fn policy(remaining: f64, bands: &PolicyBands) -> Policy {
    if remaining > bands.normal_above {
        Policy::Normal
    } else if remaining > bands.caution_above {
        Policy::Caution
    } else if remaining > bands.restricted_above {
        Policy::Restricted
    } else if remaining > 0.0 {
        Policy::Frozen
    } else {
        Policy::HardFreeze
    }
}

fn window_burn(rates: &BurnRates, name: &str) -> Option<f64> {
    match name {
        "5m" => rates.m5,
        "30m" => rates.m30,
        "1h" => rates.h1,
        "6h" => rates.h6,
        "3d" => rates.d3,
        _ => None,
    }
}

/// Every alert whose long and short windows both burn at or above its threshold.
/// A page over a pair does not hide a ticket: each row of the table is reported.
pub fn alerts(rates: &BurnRates) -> Vec<BurnAlert> {
    ALERTS
        .iter()
        .filter_map(|&(severity, threshold, long, short)| {
            let l = window_burn(rates, long)?;
            let s = window_burn(rates, short)?;
            (l >= threshold && s >= threshold).then_some(BurnAlert {
                severity,
                long,
                short,
                burn: l.min(s),
            })
        })
        .collect()
}

/// The 1 h burn against the 6 h burn (DESIGN §3), exactly: higher is increasing,
/// lower is recovering, equal (both 0 included) is steady. No tolerance band: any
/// difference is a direction. The burn rates compared are those rounded to
/// [`SIGNIFICANT`] digits, so representation error alone (0.0001 + 0.0002 against
/// 0.0003) does not turn equal burns into a trend.
pub fn trend(h1: Option<f64>, h6: Option<f64>) -> Option<BurnTrend> {
    let (a, b) = (h1?, h6?);
    match a.partial_cmp(&b)? {
        std::cmp::Ordering::Greater => Some(BurnTrend::Increasing),
        std::cmp::Ordering::Less => Some(BurnTrend::Recovering),
        std::cmp::Ordering::Equal => Some(BurnTrend::Steady),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn slo() -> Slo {
        Slo {
            target: 0.999,
            window: Duration::days(30),
        }
    }
    const BANDS: PolicyBands = PolicyBands {
        normal_above: 0.5,
        caution_above: 0.2,
        restricted_above: 0.05,
    };

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn remaining_and_policy_from_the_window_ratio() {
        // Budget 0.001; 0.0004 spent → 60% left → normal.
        let r = WindowRatios {
            slo_window: Some(0.0004),
            ..Default::default()
        };
        let b = error_budget(&slo(), &r, &BANDS);
        assert!(close(b.remaining, 0.6));
        assert_eq!(b.policy, Some(Policy::Normal));
        assert_eq!(b.window_seconds, 2_592_000.0);
        // 0.0015 → 1 − 1.5 = −0.5: overspent, hard freeze.
        let r = WindowRatios {
            slo_window: Some(0.0015),
            ..Default::default()
        };
        let b = error_budget(&slo(), &r, &BANDS);
        assert!(close(b.remaining, -0.5));
        assert_eq!(b.policy, Some(Policy::HardFreeze));
    }

    #[test]
    fn bands_edges() {
        assert_eq!(policy(0.5, &BANDS), Policy::Caution);
        assert_eq!(policy(0.2, &BANDS), Policy::Restricted);
        assert_eq!(policy(0.05, &BANDS), Policy::Frozen);
        assert_eq!(policy(0.0, &BANDS), Policy::HardFreeze);
        assert_eq!(policy(0.51, &BANDS), Policy::Normal);
    }

    #[test]
    fn missing_ratios_stay_missing() {
        let b = error_budget(&slo(), &WindowRatios::default(), &BANDS);
        assert_eq!(b.error_ratio, None);
        assert_eq!(b.remaining, None);
        assert_eq!(b.policy, None);
        assert_eq!(b.burn_rates, BurnRates::default());
        assert!(b.alerts.is_empty());
        assert_eq!(b.trend, None);
    }

    #[test]
    fn page_needs_both_windows() {
        // 1 h burns 15×, 5 m only 10×: no fast page. 6 h and 30 m at 7×: slow page.
        let r = WindowRatios {
            m5: Some(0.010),
            m30: Some(0.007),
            h1: Some(0.015),
            h6: Some(0.007),
            d3: Some(0.0005),
            slo_window: Some(0.0002),
            ..Default::default()
        };
        let b = error_budget(&slo(), &r, &BANDS);
        assert_eq!(b.alerts.len(), 1, "{:?}", b.alerts);
        assert_eq!(b.alerts[0].severity, AlertSeverity::Page);
        assert_eq!((b.alerts[0].long, b.alerts[0].short), ("6h", "30m"));
        assert!((b.alerts[0].burn - 7.0).abs() < 1e-9);
        assert_eq!(b.trend, Some(BurnTrend::Increasing));
    }

    #[test]
    fn every_alert_above_its_threshold() {
        let r = WindowRatios {
            m5: Some(0.0145),
            m30: Some(0.0145),
            h1: Some(0.0145),
            h6: Some(0.0145),
            d3: Some(0.0145),
            slo_window: None,
            ..Default::default()
        };
        let b = error_budget(&slo(), &r, &BANDS);
        let names: Vec<_> = b.alerts.iter().map(|a| (a.severity, a.long)).collect();
        assert_eq!(
            names,
            vec![
                (AlertSeverity::Page, "1h"),
                (AlertSeverity::Page, "6h"),
                (AlertSeverity::Ticket, "3d")
            ]
        );
        assert_eq!(b.trend, Some(BurnTrend::Steady));
    }

    fn slo_of(target: f64) -> Slo {
        Slo {
            target,
            window: Duration::days(30),
        }
    }

    fn severities(b: &ErrorBudget) -> Vec<(AlertSeverity, &'static str)> {
        b.alerts.iter().map(|a| (a.severity, a.long)).collect()
    }

    #[test]
    fn the_budget_is_an_exact_decimal() {
        // 1 − 0.999 is 0.0010000000000000009 in binary; the budget is 0.001.
        assert_eq!(budget(0.999), 0.001);
        assert_eq!(budget(0.9995), 0.0005);
        assert_eq!(budget(0.99), 0.01);
        assert_eq!(budget(0.9999), 0.0001);
        assert_eq!(round_significant(14.399999999999999), 14.4);
        assert_eq!(round_significant(-0.0), 0.0);
        assert!(round_significant(f64::NAN).is_nan());
        assert_eq!(
            round_significant(1.234_567_890_123_4e-300),
            1.234_567_890_12e-300
        );
    }

    /// Each alert threshold met exactly, through `error_budget`, for several targets:
    /// (target, ratio at 14.4×, ratio at 6×, ratio at 1×). Just below each, nothing.
    #[test]
    fn alerts_fire_at_exactly_their_thresholds() {
        for (target, fast, slow, ticket) in [
            (0.999, 0.0144, 0.006, 0.001),
            (0.9995, 0.0072, 0.003, 0.0005),
            (0.99, 0.144, 0.06, 0.01),
            (0.9999, 0.00144, 0.0006, 0.0001),
        ] {
            let only = |windows: [Option<f64>; 5]| WindowRatios {
                m5: windows[0],
                m30: windows[1],
                h1: windows[2],
                h6: windows[3],
                d3: windows[4],
                slo_window: None,
                ..Default::default()
            };
            let b = error_budget(
                &slo_of(target),
                &only([Some(fast), None, Some(fast), None, None]),
                &BANDS,
            );
            assert_eq!(b.burn_rates.h1, Some(14.4), "{target}");
            assert_eq!(
                severities(&b),
                vec![(AlertSeverity::Page, "1h")],
                "{target}"
            );
            let b = error_budget(
                &slo_of(target),
                &only([None, Some(slow), None, Some(slow), None]),
                &BANDS,
            );
            assert_eq!(b.burn_rates.h6, Some(6.0), "{target}");
            assert_eq!(
                severities(&b),
                vec![(AlertSeverity::Page, "6h")],
                "{target}"
            );
            let b = error_budget(
                &slo_of(target),
                &only([None, None, None, Some(ticket), Some(ticket)]),
                &BANDS,
            );
            assert_eq!(b.burn_rates.d3, Some(1.0), "{target}");
            assert_eq!(
                severities(&b),
                vec![(AlertSeverity::Ticket, "3d")],
                "{target}"
            );
            // 0.1% below each threshold: silent.
            let below = |r: f64| Some(r * 0.999);
            let b = error_budget(
                &slo_of(target),
                &WindowRatios {
                    m5: below(fast),
                    m30: below(slow),
                    h1: below(fast),
                    h6: below(ticket),
                    d3: below(ticket),
                    slo_window: None,
                    ..Default::default()
                },
                &BANDS,
            );
            assert!(b.alerts.is_empty(), "{target}: {:?}", b.alerts);
        }
    }

    /// Each policy band edge met exactly, through `error_budget`: (target, ratio, the
    /// remaining budget it leaves, policy). Exactly 50% is caution, exactly 20%
    /// restricted, exactly 5% frozen, exactly 0 a hard freeze.
    #[test]
    fn policy_bands_at_exactly_their_edges() {
        for (target, ratio, left, policy) in [
            (0.999, 0.0005, 0.5, Policy::Caution),
            (0.999, 0.0004999, 0.5001, Policy::Normal),
            (0.999, 0.0008, 0.2, Policy::Restricted),
            (0.999, 0.00095, 0.05, Policy::Frozen),
            (0.999, 0.001, 0.0, Policy::HardFreeze),
            (0.999, 0.000999, 0.001, Policy::Frozen),
            (0.9995, 0.00025, 0.5, Policy::Caution),
            (0.9995, 0.0004, 0.2, Policy::Restricted),
            (0.9995, 0.000475, 0.05, Policy::Frozen),
            (0.9995, 0.0005, 0.0, Policy::HardFreeze),
            (0.99, 0.005, 0.5, Policy::Caution),
            (0.99, 0.0095, 0.05, Policy::Frozen),
            (0.99, 0.01, 0.0, Policy::HardFreeze),
            (0.9999, 0.00005, 0.5, Policy::Caution),
            (0.9999, 0.0001, 0.0, Policy::HardFreeze),
        ] {
            let r = WindowRatios {
                slo_window: Some(ratio),
                ..Default::default()
            };
            let b = error_budget(&slo_of(target), &r, &BANDS);
            assert_eq!(b.remaining, Some(left), "{target} {ratio}");
            assert_eq!(b.policy, Some(policy), "{target} {ratio}");
        }
    }

    #[test]
    fn the_trend_is_the_exact_direction_of_the_hour_against_six_hours() {
        // Any difference is a direction: 5% above is increasing, 5% below recovering.
        assert_eq!(trend(Some(1.05), Some(1.0)), Some(BurnTrend::Increasing));
        assert_eq!(trend(Some(0.95), Some(1.0)), Some(BurnTrend::Recovering));
        assert_eq!(trend(Some(1.0), Some(3.0)), Some(BurnTrend::Recovering));
        assert_eq!(trend(Some(0.5), Some(0.0)), Some(BurnTrend::Increasing));
        assert_eq!(trend(Some(0.0), Some(0.5)), Some(BurnTrend::Recovering));
        // Equal, both zero included: steady.
        assert_eq!(trend(Some(1.0), Some(1.0)), Some(BurnTrend::Steady));
        assert_eq!(trend(Some(0.0), Some(0.0)), Some(BurnTrend::Steady));
        assert_eq!(trend(None, Some(3.0)), None);
        assert_eq!(trend(Some(3.0), None), None);
    }

    #[test]
    fn equal_burns_are_steady_despite_binary_representation() {
        // 0.0001 + 0.0002 is 0.00030000000000000003 in binary, a hair above 0.0003;
        // both burn 0.3× a 0.001 budget once rounded: steady, not increasing.
        let h1 = 0.0001 + 0.0002;
        assert!(h1 > 0.0003);
        let r = |h1: f64, h6: f64| WindowRatios {
            h1: Some(h1),
            h6: Some(h6),
            ..Default::default()
        };
        let b = error_budget(&slo(), &r(h1, 0.0003), &BANDS);
        assert_eq!((b.burn_rates.h1, b.burn_rates.h6), (Some(0.3), Some(0.3)));
        assert_eq!(b.trend, Some(BurnTrend::Steady));
        // 1.05× against 1×, through the budget: increasing; and the reverse recovering.
        let b = error_budget(&slo(), &r(0.00105, 0.001), &BANDS);
        assert_eq!((b.burn_rates.h1, b.burn_rates.h6), (Some(1.05), Some(1.0)));
        assert_eq!(b.trend, Some(BurnTrend::Increasing));
        let b = error_budget(&slo(), &r(0.001, 0.00105), &BANDS);
        assert_eq!(b.trend, Some(BurnTrend::Recovering));
        // No errors in either window: steady.
        let b = error_budget(&slo(), &r(0.0, 0.0), &BANDS);
        assert_eq!(b.trend, Some(BurnTrend::Steady));
    }
}
