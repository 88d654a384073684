//! Baselines held and restarted: a "process change" annotation starts a new segment,
//! whose limits come from its own baseline and are then held. A range the user marks
//! replaces the first points as the baseline of the segment it lies in; every other
//! segment keeps its automatic baseline.

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
/// Every process change starts a new segment at the first point at or after it, and a
/// segment's baseline is its first `baseline` points (all of them while it has fewer).
/// A marked range `[start, end)` changes two things: a process change strictly inside
/// it (`start < change < end`) cuts nothing (the user declared those points one
/// process), and the segment holding the range takes the range's points as its
/// baseline. Changes at or before `start` and at or after `end` still cut, so the
/// range always lies within one segment; segments before and after it keep their
/// automatic baselines. A marked range holding fewer than `min_points` points cannot
/// give limits: it is ignored (every change cuts, every baseline is automatic).
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
        (from..ats.partition_point(|t| *t < b).max(from), (a, b))
    });
    match marked_points {
        Some((range, (a, b))) if range.len() >= min_points => {
            let kept: Vec<Ts> = changes
                .iter()
                .copied()
                .filter(|c| !(a < *c && *c < b))
                .collect();
            split(ats, &kept)
                .into_iter()
                .map(|points| {
                    if points.start <= range.start && range.end <= points.end {
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
        // Marked [5 h, 8 h): points 5, 6, 7. The change before the range still cuts;
        // the segment holding the range takes it as its baseline, the first segment
        // keeps its automatic one.
        let marked = Some((at(5), at(8)));
        assert_eq!(
            plan(&ats, &change, 3, marked, 2),
            vec![
                Segment {
                    points: 0..4,
                    baseline: 0..3
                },
                Segment {
                    points: 4..10,
                    baseline: 5..8
                }
            ]
        );
        // A change strictly inside the range cuts nothing: the user's range wins.
        let inside = [at(6) + Duration::minutes(30)];
        assert_eq!(
            plan(&ats, &inside, 3, marked, 2),
            vec![Segment {
                points: 0..10,
                baseline: 5..8
            }]
        );
        // A change exactly at the range's start cuts there: the range opens a segment.
        assert_eq!(
            plan(&ats, &[at(5)], 3, marked, 2),
            vec![
                Segment {
                    points: 0..5,
                    baseline: 0..3
                },
                Segment {
                    points: 5..10,
                    baseline: 5..8
                }
            ]
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
        // Ignored altogether: a change inside it still cuts.
        let inside_one = [at(5) + Duration::minutes(30)];
        assert_eq!(
            plan(&ats, &inside_one, 3, one, 2),
            vec![
                Segment {
                    points: 0..6,
                    baseline: 0..3
                },
                Segment {
                    points: 6..10,
                    baseline: 6..9
                }
            ]
        );
    }
}
