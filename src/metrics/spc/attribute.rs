//! Attribute charts with varying sample sizes: the p-chart for proportions
//! (`p̄ = Σd/Σn`, limits `p̄ ± 3·sqrt(p̄(1−p̄)/nᵢ)` clamped to [0, 1]) and the u-chart for
//! counts per unit (`ū = Σc/Σn`, limits `ū ± 3·sqrt(ū/nᵢ)`, never below 0). The centre
//! comes from each segment's baseline and is held; the limits vary with each nᵢ.

use crate::metrics::types::{ChartKind, Limits};

use super::segments::Segment;

/// One subgroup: `count` defects (p: failures, u: incidents) in `n` units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Subgroup {
    pub count: f64,
    pub n: f64,
}

impl Subgroup {
    /// The subgroups pooled: their counts and units summed.
    pub fn pooled(groups: &[Subgroup]) -> Subgroup {
        groups
            .iter()
            .fold(Subgroup { count: 0.0, n: 0.0 }, |s, g| Subgroup {
                count: s.count + g.count,
                n: s.n + g.n,
            })
    }
}

/// Per-point limits and σᵢ for a p- or u-chart. Each segment's centre comes from its
/// own baseline only; a segment whose baseline holds no units has no centre, and its
/// points' limits are unknown (`None`), never the previous segment's. σᵢ is 0 where
/// the centre is (p̄ = 0 or 1, ū = 0): the caller treats such points as unjudgeable.
pub fn limits(
    kind: ChartKind,
    groups: &[Subgroup],
    segments: &[Segment],
) -> Vec<Option<(Limits, f64)>> {
    let mut out = vec![None; groups.len()];
    for seg in segments {
        let base = Subgroup::pooled(groups.get(seg.baseline.clone()).unwrap_or(&[]));
        let Some(c) = (base.n > 0.0).then(|| base.count / base.n) else {
            continue;
        };
        for i in seg.points.clone() {
            let Some(g) = groups.get(i).filter(|g| g.n > 0.0) else {
                continue;
            };
            let sigma = match kind {
                ChartKind::P => (c * (1.0 - c) / g.n).max(0.0).sqrt(),
                _ => (c / g.n).max(0.0).sqrt(),
            };
            let upper = c + 3.0 * sigma;
            let limits = Limits {
                center: c,
                ucl: if kind == ChartKind::P {
                    upper.min(1.0)
                } else {
                    upper
                },
                lcl: (c - 3.0 * sigma).max(0.0),
            };
            if let Some(slot) = out.get_mut(i) {
                *slot = Some((limits, sigma));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(n: usize) -> Segment {
        Segment {
            points: 0..n,
            baseline: 0..n,
        }
    }

    #[test]
    fn p_chart_upper_limit_is_clamped_at_one() {
        // 1 failure in 2 deployments, then 1 of 1: p̄ = 2/3. For n = 1:
        // σ = sqrt(2/3 · 1/3 / 1) = 0.4714, p̄ + 3σ = 2.081 → clamped to 1; p̄ − 3σ < 0 → 0.
        let g = [
            Subgroup { count: 1.0, n: 2.0 },
            Subgroup { count: 1.0, n: 1.0 },
        ];
        let l = limits(ChartKind::P, &g, &[whole(2)]);
        let (second, sigma) = l[1].unwrap_or((
            Limits {
                center: 0.0,
                ucl: 0.0,
                lcl: 1.0,
            },
            0.0,
        ));
        assert!((second.center - 2.0 / 3.0).abs() < 1e-12);
        assert!((sigma - (2.0f64 / 9.0).sqrt()).abs() < 1e-12);
        assert_eq!(second.ucl, 1.0);
        assert_eq!(second.lcl, 0.0);
        // The same numbers on a u-chart are not clamped at 1: ū + 3·sqrt(ū / 1) = 3.116.
        let u = limits(ChartKind::U, &g, &[whole(2)]);
        let ucl = u[1].map(|(l, _)| l.ucl).unwrap_or(0.0);
        assert!((ucl - (2.0 / 3.0 + 3.0 * (2.0f64 / 3.0).sqrt())).abs() < 1e-12);
    }

    #[test]
    fn p_chart_by_hand() {
        // 2/10, 1/20, 3/10: p̄ = 6/40 = 0.15.
        let g = [
            Subgroup {
                count: 2.0,
                n: 10.0,
            },
            Subgroup {
                count: 1.0,
                n: 20.0,
            },
            Subgroup {
                count: 3.0,
                n: 10.0,
            },
        ];
        let l = limits(ChartKind::P, &g, &[whole(3)]);
        let (first, s0) = l[0].unwrap_or((
            Limits {
                center: 0.0,
                ucl: 0.0,
                lcl: 0.0,
            },
            0.0,
        ));
        let sigma10 = (0.15f64 * 0.85 / 10.0).sqrt();
        assert!((first.center - 0.15).abs() < 1e-12);
        assert!((s0 - sigma10).abs() < 1e-12);
        assert!((first.ucl - (0.15 + 3.0 * sigma10)).abs() < 1e-12);
        // 0.15 − 3·0.1129 < 0: clamped to 0.
        assert_eq!(first.lcl, 0.0);
        // n = 20 gives narrower limits.
        let second = l[1].map(|(l, _)| l.ucl).unwrap_or(0.0);
        assert!(second < first.ucl);
    }

    #[test]
    fn u_chart_by_hand() {
        // 4 incidents in 8 deployments, 2 in 4: ū = 0.5; n = 8 → σ = 0.25.
        let g = [
            Subgroup { count: 4.0, n: 8.0 },
            Subgroup { count: 2.0, n: 4.0 },
        ];
        let l = limits(ChartKind::U, &g, &[whole(2)]);
        let (first, sigma) = l[0].unwrap_or((
            Limits {
                center: 0.0,
                ucl: 0.0,
                lcl: 0.0,
            },
            0.0,
        ));
        assert!((first.center - 0.5).abs() < 1e-12);
        assert!((sigma - 0.25).abs() < 1e-12);
        assert!((first.ucl - 1.25).abs() < 1e-12);
        assert_eq!(first.lcl, 0.0);
    }

    #[test]
    fn a_segment_without_units_in_its_baseline_has_no_limits() {
        // Segment 1: 1 of 10 → p̄ 0.1. Segment 2's baseline has n = 0 (only possible
        // when called directly: the chart drops such weeks): unknown, not 0.1.
        let g = [
            Subgroup {
                count: 1.0,
                n: 10.0,
            },
            Subgroup { count: 0.0, n: 0.0 },
            Subgroup {
                count: 1.0,
                n: 10.0,
            },
        ];
        let segs = [
            Segment {
                points: 0..1,
                baseline: 0..1,
            },
            Segment {
                points: 1..3,
                baseline: 1..2,
            },
        ];
        let l = limits(ChartKind::P, &g, &segs);
        assert_eq!(l[0].map(|(l, _)| l.center), Some(0.1));
        assert_eq!(l[1], None);
        assert_eq!(l[2], None);
    }
}
