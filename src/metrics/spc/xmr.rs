//! XmR (individuals and moving range) chart: centre `X̄`, limits `X̄ ± 2.66·mR̄`,
//! moving-range upper limit `3.267·mR̄`, σ = mR̄ / 1.128 for the run rules. Limits come
//! from the first `baseline` points of each segment and are then held.

use std::ops::Range;

use crate::metrics::types::{Limits, MovingRange};

/// Limits and σ of one XmR baseline; `None` with fewer than two points.
pub fn baseline_limits(values: &[f64]) -> Option<(Limits, f64, f64)> {
    if values.len() < 2 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let mr_bar =
        values.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>() / (values.len() - 1) as f64;
    let limits = Limits {
        center: mean,
        ucl: mean + 2.66 * mr_bar,
        lcl: mean - 2.66 * mr_bar,
    };
    Some((limits, mr_bar / 1.128, mr_bar))
}

/// Per-point limits and σ for every segment. A segment too short for a baseline holds
/// the previous segment's limits; before any baseline exists, none are known.
pub fn limits(
    values: &[f64],
    segments: &[Range<usize>],
    baseline: usize,
) -> (Vec<Option<(Limits, f64)>>, Option<f64>) {
    let mut out = vec![None; values.len()];
    let mut held: Option<(Limits, f64, f64)> = None;
    for seg in segments {
        let base_end = (seg.start + baseline.max(2)).min(seg.end);
        if let Some(l) = values.get(seg.start..base_end).and_then(baseline_limits) {
            held = Some(l);
        }
        for i in seg.clone() {
            if let Some(slot) = out.get_mut(i) {
                *slot = held.map(|(l, s, _)| (l, s));
            }
        }
    }
    (out, held.map(|(_, _, mr)| mr))
}

/// The moving-range chart: `values[i] = |x[i+1] − x[i]|`, with the last baseline's mR̄.
pub fn moving_range(values: &[f64], mr_bar: f64) -> MovingRange {
    MovingRange {
        values: values.windows(2).map(|w| (w[1] - w[0]).abs()).collect(),
        center: mr_bar,
        ucl: 3.267 * mr_bar,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_by_hand() {
        // x = 10, 12, 11, 13: X̄ = 11.5; mR = 2, 1, 2 → mR̄ = 5/3.
        let (l, sigma, mr) = baseline_limits(&[10.0, 12.0, 11.0, 13.0]).unwrap_or((
            Limits {
                center: 0.0,
                ucl: 0.0,
                lcl: 0.0,
            },
            0.0,
            0.0,
        ));
        assert!((l.center - 11.5).abs() < 1e-12);
        assert!((mr - 5.0 / 3.0).abs() < 1e-12);
        assert!((l.ucl - (11.5 + 2.66 * 5.0 / 3.0)).abs() < 1e-12);
        assert!((l.lcl - (11.5 - 2.66 * 5.0 / 3.0)).abs() < 1e-12);
        assert!((sigma - 5.0 / 3.0 / 1.128).abs() < 1e-12);
        let chart = moving_range(&[10.0, 12.0, 11.0, 13.0], mr);
        assert_eq!(chart.values, vec![2.0, 1.0, 2.0]);
        assert!((chart.ucl - 3.267 * 5.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn limits_are_held_after_the_baseline() {
        // Baseline of 3: 1, 2, 3 → X̄ 2, mR̄ 1. Later points do not move the limits.
        let values = [1.0, 2.0, 3.0, 100.0, 200.0];
        let (per_point, _) = limits(&values, std::slice::from_ref(&(0..5)), 3);
        let last = per_point[4].map(|(l, _)| l.center);
        assert_eq!(last, Some(2.0));
    }

    #[test]
    fn a_new_segment_restarts_the_baseline() {
        let values = [1.0, 2.0, 3.0, 10.0, 12.0, 14.0];
        let (per_point, _) = limits(&values, &[0..3, 3..6], 20);
        assert_eq!(per_point[0].map(|(l, _)| l.center), Some(2.0));
        assert_eq!(per_point[5].map(|(l, _)| l.center), Some(12.0));
    }

    #[test]
    fn one_point_has_no_limits() {
        assert!(baseline_limits(&[5.0]).is_none());
        let (per_point, mr) = limits(&[5.0], std::slice::from_ref(&(0..1)), 20);
        assert_eq!(per_point, vec![None]);
        assert_eq!(mr, None);
    }
}
