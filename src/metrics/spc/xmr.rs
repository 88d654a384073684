//! XmR (individuals and moving range) chart: centre `X̄`, σ = mR̄ / d₂ with d₂ = 1.128
//! (the estimate of σ from moving ranges of two), limits `X̄ ± 3σ` — that is
//! `X̄ ± 2.6596·mR̄`, the exact value the textbook rounds to 2.66 — and moving-range
//! upper limit `3.267·mR̄` (D₄). The run rules' zones use the same σ, so a point is
//! "beyond 3 sigma" (rule 1) exactly when it is outside the drawn limits; with 2.66 a
//! point between 2.6596·mR̄ and 2.66·mR̄ would be a signal inside the limits. Limits
//! come from each segment's baseline and are then held.

use crate::metrics::types::{Limits, MovingRange};

use super::segments::Segment;

/// d₂ for subgroups of two: σ = mR̄ / d₂.
pub const D2: f64 = 1.128;
/// D₄ for subgroups of two: the moving-range chart's upper limit is D₄·mR̄.
pub const D4: f64 = 3.267;

/// Limits, σ and mR̄ of one XmR baseline; `None` with fewer than two points.
pub fn baseline_limits(values: &[f64]) -> Option<(Limits, f64, f64)> {
    if values.len() < 2 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let mr_bar =
        values.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>() / (values.len() - 1) as f64;
    let sigma = mr_bar / D2;
    let limits = Limits {
        center: mean,
        ucl: mean + 3.0 * sigma,
        lcl: mean - 3.0 * sigma,
    };
    Some((limits, sigma, mr_bar))
}

/// Per-point limits and σ for every segment, and the last baseline's mR̄. A segment
/// whose baseline is too short (one point) holds the previous segment's limits;
/// before any baseline exists, none are known.
pub fn limits(values: &[f64], segments: &[Segment]) -> (Vec<Option<(Limits, f64)>>, Option<f64>) {
    let mut out = vec![None; values.len()];
    let mut held: Option<(Limits, f64, f64)> = None;
    for seg in segments {
        if let Some(l) = values.get(seg.baseline.clone()).and_then(baseline_limits) {
            held = Some(l);
        }
        for i in seg.points.clone() {
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
        ucl: D4 * mr_bar,
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
        // σ = (5/3) / 1.128 = 1.477541…; limits 11.5 ± 3σ = 11.5 ± 4.432624….
        assert!((sigma - 5.0 / 3.0 / 1.128).abs() < 1e-12);
        assert!((l.ucl - 15.932_624_113_475_18).abs() < 1e-9, "{l:?}");
        assert!((l.lcl - 7.067_375_886_524_82).abs() < 1e-9, "{l:?}");
        let chart = moving_range(&[10.0, 12.0, 11.0, 13.0], mr);
        assert_eq!(chart.values, vec![2.0, 1.0, 2.0]);
        assert!((chart.ucl - 3.267 * 5.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn limits_are_held_after_the_baseline() {
        // Baseline of 3: 1, 2, 3 → X̄ 2, mR̄ 1. Later points do not move the limits.
        let values = [1.0, 2.0, 3.0, 100.0, 200.0];
        let seg = Segment {
            points: 0..5,
            baseline: 0..3,
        };
        let (per_point, _) = limits(&values, &[seg]);
        let last = per_point[4].map(|(l, _)| l.center);
        assert_eq!(last, Some(2.0));
    }

    #[test]
    fn a_new_segment_restarts_the_baseline() {
        let values = [1.0, 2.0, 3.0, 10.0, 12.0, 14.0];
        let segs = [
            Segment {
                points: 0..3,
                baseline: 0..3,
            },
            Segment {
                points: 3..6,
                baseline: 3..6,
            },
        ];
        let (per_point, _) = limits(&values, &segs);
        assert_eq!(per_point[0].map(|(l, _)| l.center), Some(2.0));
        assert_eq!(per_point[5].map(|(l, _)| l.center), Some(12.0));
    }

    #[test]
    fn one_point_has_no_limits() {
        assert!(baseline_limits(&[5.0]).is_none());
        let seg = Segment {
            points: 0..1,
            baseline: 0..1,
        };
        let (per_point, mr) = limits(&[5.0], &[seg]);
        assert_eq!(per_point, vec![None]);
        assert_eq!(mr, None);
    }
}
