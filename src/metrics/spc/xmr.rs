//! XmR (individuals and moving range) chart: centre `X̄`, σ = mR̄ / d₂ with d₂ = 1.128
//! (the estimate of σ from moving ranges of two), limits `X̄ ± 3σ` — that is
//! `X̄ ± 2.6596·mR̄`, the exact value the textbook rounds to 2.66 — and moving-range
//! upper limit `3.267·mR̄` (D₄). The run rules' zones use the same σ, so a point is
//! "beyond 3 sigma" (rule 1) exactly when it is outside the drawn limits; with 2.66 a
//! point between 2.6596·mR̄ and 2.66·mR̄ would be a signal inside the limits. Limits
//! come from each segment's own baseline and are then held; so does the moving-range
//! chart's, which takes no range across a process change.

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

/// Per-point limits and σ for every segment, each from that segment's own baseline
/// only. A segment whose baseline is too short (one point) has no limits: its points'
/// limits are unknown (`None`), never the previous segment's, which a process change
/// declared obsolete.
pub fn limits(values: &[f64], segments: &[Segment]) -> Vec<Option<(Limits, f64)>> {
    let mut out = vec![None; values.len()];
    for seg in segments {
        let own = values
            .get(seg.baseline.clone())
            .and_then(baseline_limits)
            .map(|(l, s, _)| (l, s));
        for slot in out.get_mut(seg.points.clone()).into_iter().flatten() {
            *slot = own;
        }
    }
    out
}

/// The moving-range chart, segment by segment: `values[i] = |x[i] − x[i−1]|` for
/// every point but the first of each segment (no range is taken across a process
/// change, whose jump is the change, not noise); each segment's mR̄ comes from the
/// moving ranges within its baseline and its upper limit is `D₄·mR̄`. `beyond` lists
/// the points whose moving range exceeds its segment's upper limit; a segment whose
/// mR̄ is unknown or 0 (no variation in the baseline) judges none. `center` and `ucl`
/// are the last segment's.
pub fn moving_range(values: &[f64], segments: &[Segment]) -> MovingRange {
    let mut mr: Vec<Option<f64>> = vec![None; values.len()];
    let mut beyond = Vec::new();
    let mut last: Option<f64> = None;
    for seg in segments {
        let seg_end = seg.points.end.min(values.len());
        let range = |i: usize| (values[i] - values[i - 1]).abs();
        for (i, slot) in mr
            .iter_mut()
            .enumerate()
            .take(seg_end)
            .skip(seg.points.start + 1)
        {
            *slot = Some(range(i));
        }
        let mr_bar = values
            .get(seg.baseline.clone())
            .and_then(baseline_limits)
            .map(|(_, _, m)| m);
        if let Some(m) = mr_bar.filter(|m| *m > 0.0 && m.is_finite()) {
            let ucl = D4 * m;
            beyond.extend((seg.points.start + 1..seg_end).filter(|&i| range(i) > ucl));
        }
        last = mr_bar;
    }
    MovingRange {
        values: mr,
        center: last,
        ucl: last.map(|m| D4 * m),
        beyond,
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
        let seg = Segment {
            points: 0..4,
            baseline: 0..4,
        };
        let chart = moving_range(&[10.0, 12.0, 11.0, 13.0], &[seg]);
        assert_eq!(chart.values, vec![None, Some(2.0), Some(1.0), Some(2.0)]);
        assert_eq!(chart.center, Some(mr));
        assert!(chart
            .ucl
            .is_some_and(|u| (u - 3.267 * 5.0 / 3.0).abs() < 1e-12));
        assert!(chart.beyond.is_empty());
    }

    #[test]
    fn limits_are_held_after_the_baseline() {
        // Baseline of 3: 1, 2, 3 → X̄ 2, mR̄ 1. Later points do not move the limits.
        let values = [1.0, 2.0, 3.0, 100.0, 200.0];
        let seg = Segment {
            points: 0..5,
            baseline: 0..3,
        };
        let per_point = limits(&values, &[seg]);
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
        let per_point = limits(&values, &segs);
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
        let per_point = limits(&[5.0], std::slice::from_ref(&seg));
        assert_eq!(per_point, vec![None]);
        let mr = moving_range(&[5.0], &[seg]);
        assert_eq!(mr.values, vec![None]);
        assert_eq!(mr.center, None);
    }

    #[test]
    fn a_one_point_segment_does_not_hold_the_previous_limits() {
        // 1, 2, 3 | change | 50: the last point's segment has a one-point baseline, so
        // its limits are unknown, not the first segment's X̄ = 2.
        let segs = [
            Segment {
                points: 0..3,
                baseline: 0..3,
            },
            Segment {
                points: 3..4,
                baseline: 3..4,
            },
        ];
        let per_point = limits(&[1.0, 2.0, 3.0, 50.0], &segs);
        assert_eq!(per_point[2].map(|(l, _)| l.center), Some(2.0));
        assert_eq!(per_point[3], None);
    }

    #[test]
    fn moving_ranges_restart_at_each_segment() {
        // 10, 12, 10 | 30, 31, 40: no range across the cut (30 − 10 would be 20).
        // Segment 1: mR = 2, 2 → mR̄ 2, UCL 6.534. Segment 2 (baseline 30, 31): mR̄ 1,
        // UCL 3.267; its range 9 (31 → 40) is beyond it.
        let segs = [
            Segment {
                points: 0..3,
                baseline: 0..3,
            },
            Segment {
                points: 3..6,
                baseline: 3..5,
            },
        ];
        let mr = moving_range(&[10.0, 12.0, 10.0, 30.0, 31.0, 40.0], &segs);
        assert_eq!(
            mr.values,
            vec![None, Some(2.0), Some(2.0), None, Some(1.0), Some(9.0)]
        );
        assert_eq!(mr.center, Some(1.0));
        assert_eq!(mr.ucl, Some(3.267));
        assert_eq!(mr.beyond, vec![5]);
    }
}
