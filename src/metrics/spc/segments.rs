//! Baselines held and restarted: a "process change" annotation starts a new segment,
//! whose limits come from its own first points and are then held. A range the user
//! marks replaces the first points as the baseline of the segment it lies in.

use std::ops::Range;

use crate::model::Ts;

/// A run of points sharing one held baseline: `baseline` (indices into the chart's
/// points, within `points`) gives the limits that hold over all of `points`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub points: Range<usize>,
    pub baseline: Range<usize>,
}

/// The segments of a chart of points at `ats` (sorted by time).
///
/// Without a marked range: a new segment starts at each process change, and each
/// segment's baseline is its first `baseline` points (all of them while it has
/// fewer). With a marked range `[start, end)`: the points in it are the baseline of
/// the first segment, which runs from the first point up to the first process change
/// at or after `end` (changes before `end` are superseded by the user's choice); later
/// changes start segments with automatic baselines as usual. A marked range holding
/// fewer than `min_points` points cannot give limits; the automatic baseline is used.
pub fn plan(
    ats: &[Ts],
    changes: &[Ts],
    baseline: usize,
    marked: Option<(Ts, Ts)>,
    min_points: usize,
) -> Vec<Segment> {
    let baseline = baseline.max(1);
    let auto = |points: Range<usize>| Segment {
        baseline: points.start..(points.start + baseline).min(points.end),
        points,
    };
    let marked_points = marked.map(|(a, b)| {
        let from = ats.partition_point(|t| *t < a);
        (from..ats.partition_point(|t| *t < b).max(from), b)
    });
    match marked_points {
        Some((range, end)) if range.len() >= min_points => {
            let later: Vec<Ts> = changes.iter().copied().filter(|c| *c >= end).collect();
            split(ats, &later)
                .into_iter()
                .enumerate()
                .map(|(k, points)| {
                    if k == 0 {
                        Segment {
                            points,
                            baseline: range.clone(),
                        }
                    } else {
                        auto(points)
                    }
                })
                .collect()
        }
        _ => split(ats, changes).into_iter().map(auto).collect(),
    }
}

/// Splits points (sorted by time) into segments: a new one starts at the first point
/// at or after each change time. Empty segments are dropped.
pub fn split(ats: &[Ts], changes: &[Ts]) -> Vec<Range<usize>> {
    let mut cuts: Vec<usize> = changes
        .iter()
        .map(|c| ats.partition_point(|t| t < c))
        .filter(|&i| i > 0 && i < ats.len())
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut segments = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for c in cuts {
        segments.push(start..c);
        start = c;
    }
    if start < ats.len() {
        segments.push(start..ats.len());
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn changes_cut_at_the_next_point() {
        let t0 = Utc.timestamp_opt(0, 0).single().unwrap_or_default();
        let ats: Vec<Ts> = (0..6).map(|h| t0 + Duration::hours(h)).collect();
        let change = t0 + Duration::minutes(150); // between points 2 and 3
        assert_eq!(split(&ats, &[change]), vec![0..3, 3..6]);
        // A change before every point or after every point cuts nothing.
        assert_eq!(
            split(&ats, &[t0 - Duration::hours(1), t0 + Duration::hours(9)]),
            vec![0..6]
        );
        assert!(split(&[], &[change]).is_empty());
    }

    #[test]
    fn baselines_are_the_first_points_or_the_marked_range() {
        let t0 = Utc.timestamp_opt(0, 0).single().unwrap_or_default();
        let ats: Vec<Ts> = (0..10).map(|h| t0 + Duration::hours(h)).collect();
        let at = |h: i64| t0 + Duration::hours(h);
        // A change before point 4: segments [0, 4) and [4, 10), baselines of 3 points.
        let change = [at(4) - Duration::minutes(1)];
        assert_eq!(
            plan(&ats, &change, 3, None, 2),
            vec![
                Segment {
                    points: 0..4,
                    baseline: 0..3
                },
                Segment {
                    points: 4..10,
                    baseline: 4..7
                }
            ]
        );
        // Marked [5 h, 8 h): points 5, 6, 7. The change before its end is superseded.
        let marked = Some((at(5), at(8)));
        assert_eq!(
            plan(&ats, &change, 3, marked, 2),
            vec![Segment {
                points: 0..10,
                baseline: 5..8
            }]
        );
        // A change after the range still starts a new (automatic) baseline.
        let later = [at(9) - Duration::minutes(1)];
        assert_eq!(
            plan(&ats, &later, 3, marked, 2),
            vec![
                Segment {
                    points: 0..9,
                    baseline: 5..8
                },
                Segment {
                    points: 9..10,
                    baseline: 9..10
                }
            ]
        );
        // A marked range with a single point cannot give XmR limits: automatic.
        let one = Some((at(5), at(6)));
        assert_eq!(
            plan(&ats, &[], 3, one, 2),
            vec![Segment {
                points: 0..10,
                baseline: 0..3
            }]
        );
    }
}
