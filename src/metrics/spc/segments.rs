//! Baselines held and restarted: a "process change" annotation starts a new segment,
//! whose limits come from its own first points and are then held.

use std::ops::Range;

use crate::model::Ts;

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
}
