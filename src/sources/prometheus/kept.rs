//! What a live poll keeps from the previous ones, so that at a 1 s refresh it asks
//! only what can have changed: each instant window at the pace at which it can move,
//! and each range (chart) query only for the tail since its last point.
//!
//! A past instant (`--at`) never goes through here: it asks everything about then.

use std::collections::HashMap;

use chrono::Duration;

use super::api::{Answer, MatrixSeries, QueryData};
use super::query::from_api_time;
use crate::model::Ts;

/// A kept answer is asked again this much before its pace is up: polls are not
/// exactly one interval apart, and a 30 s pace at a 30 s refresh must still ask
/// every poll rather than every other one.
const PACE_SLACK: Duration = Duration::seconds(1);

/// How long the answer about a window of `window_seconds` is kept before it is asked
/// again. Between two asks a window replaces at most pace ÷ window of its samples:
/// 1 h every 30 s is 0.8 %, 6 h every 2 min 0.6 %, 3 d every 10 min 0.2 %, a 30 d SLO
/// window every 10 min 0.02 % — below a tenth of a percent point of error ratio
/// unless the error rate itself jumps, which the 5 m and 30 m windows (asked every
/// poll) show first and which is what pages. Those two windows also drive the
/// fast-burn alerts, so they are never kept.
pub fn pace(window_seconds: i64) -> Duration {
    match window_seconds {
        w if w <= 1_800 => Duration::zero(),
        w if w <= 3_600 => Duration::seconds(30),
        w if w <= 21_600 => Duration::minutes(2),
        _ => Duration::minutes(10),
    }
}

struct KeptInstant {
    asked_at: Ts,
    answer: Answer<QueryData>,
}

struct KeptRange {
    /// The last evaluation instant asked; the next tail starts there (it is asked
    /// again: samples scraped late may still change it).
    end: Ts,
    answer: Answer<QueryData>,
}

/// Answers kept by query text (the text names the service and window).
#[derive(Default)]
pub struct Kept {
    instants: HashMap<String, KeptInstant>,
    ranges: HashMap<String, KeptRange>,
}

/// What to do for a range query given what is kept.
#[derive(Debug, PartialEq)]
pub enum RangePlan {
    /// Nothing new can be asked: the end has not moved a step.
    Reuse,
    /// Ask `[from, end]` and merge it into the kept series.
    Tail { from: Ts },
    /// Nothing usable kept: ask the whole range.
    Full,
}

impl Kept {
    /// The kept answer to an instant query, while its pace lasts.
    pub fn instant(&self, query: &str, window_seconds: i64, now: Ts) -> Option<Answer<QueryData>> {
        let kept = self.instants.get(query)?;
        let age = now - kept.asked_at;
        (age >= Duration::zero() && age + PACE_SLACK < pace(window_seconds))
            .then(|| kept.answer.clone())
    }

    pub fn keep_instant(&mut self, query: &str, asked_at: Ts, answer: &Answer<QueryData>) {
        self.instants.insert(
            query.to_string(),
            KeptInstant {
                asked_at,
                answer: answer.clone(),
            },
        );
    }

    pub fn plan_range(&self, query: &str, end: Ts) -> RangePlan {
        match self.ranges.get(query) {
            Some(kept) if kept.end == end => RangePlan::Reuse,
            Some(kept) if kept.end < end => RangePlan::Tail { from: kept.end },
            _ => RangePlan::Full,
        }
    }

    pub fn kept_range(&self, query: &str) -> Option<Answer<QueryData>> {
        self.ranges.get(query).map(|k| k.answer.clone())
    }

    /// Keeps a whole range's answer (only a matrix can take a tail later).
    pub fn keep_range(&mut self, query: &str, end: Ts, answer: &Answer<QueryData>) {
        if matches!(answer.data, QueryData::Matrix(_)) {
            self.ranges.insert(
                query.to_string(),
                KeptRange {
                    end,
                    answer: answer.clone(),
                },
            );
        } else {
            self.ranges.remove(query);
        }
    }

    /// Merges a tail `[from, end]` into the kept answer and returns what a whole
    /// range `[start, end]` would have answered; `None` when nothing is kept or the
    /// tail is not a matrix (then the caller asks the whole range).
    pub fn merge_tail(
        &mut self,
        query: &str,
        from: Ts,
        start: Ts,
        end: Ts,
        tail: Answer<QueryData>,
    ) -> Option<Answer<QueryData>> {
        let kept = self.ranges.get_mut(query)?;
        let (QueryData::Matrix(old), QueryData::Matrix(new)) = (&mut kept.answer.data, tail.data)
        else {
            self.ranges.remove(query);
            return None;
        };
        merge_series(old, new, from, start);
        kept.answer.warnings = tail.warnings;
        kept.end = end;
        Some(kept.answer.clone())
    }

    /// Forgets a query whose answer could not be used (rejected, failed).
    pub fn forget(&mut self, query: &str) {
        self.instants.remove(query);
        self.ranges.remove(query);
    }
}

/// `old` becomes what one range query from `start` would return: its points from
/// `from` on are replaced by `new`'s (matched by labels), points before `start` are
/// dropped, and a series left without points is dropped (a whole range query would
/// not return it).
fn merge_series(old: &mut Vec<MatrixSeries>, new: Vec<MatrixSeries>, from: Ts, start: Ts) {
    let at = |p: &super::api::SamplePair| from_api_time(p.0);
    for series in old.iter_mut() {
        series
            .values
            .retain(|p| at(p).is_some_and(|t| t >= start && t < from));
    }
    for tail in new {
        match old.iter_mut().find(|s| s.metric == tail.metric) {
            Some(series) => series.values.extend(tail.values),
            None => old.push(tail),
        }
    }
    old.retain(|s| !s.values.is_empty());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::prometheus::api::SamplePair;
    use chrono::DateTime;
    use std::collections::BTreeMap;

    fn t(s: i64) -> Ts {
        DateTime::from_timestamp(s, 0).unwrap()
    }

    fn series(label: &str, points: &[(i64, f64)]) -> MatrixSeries {
        MatrixSeries {
            metric: BTreeMap::from([("v".to_string(), label.to_string())]),
            values: points
                .iter()
                .map(|(t, v)| SamplePair(*t as f64, v.to_string()))
                .collect(),
        }
    }

    fn points(s: &MatrixSeries) -> Vec<(i64, String)> {
        s.values.iter().map(|p| (p.0 as i64, p.1.clone())).collect()
    }

    /// A whole range asked at once equals the kept range with its tail merged in,
    /// for every way the tail can overlap: re-asked last point, new series, a series
    /// that left the range.
    #[test]
    fn a_merged_tail_equals_the_whole_range() {
        let f = |t: i64| (t % 7) as f64;
        let whole = |label: &str, from: i64, to: i64| {
            let pts: Vec<(i64, f64)> = (from..=to).step_by(60).map(|t| (t, f(t))).collect();
            series(label, &pts)
        };
        for advance in [60, 120, 600] {
            // "a" spans everything; "b" exists only early (leaves the range);
            // "c" appears only in the tail.
            let mut old = vec![whole("a", 0, 3_600), whole("b", 0, 120)];
            let new = vec![
                whole("a", 3_600, 3_600 + advance),
                whole("c", 3_600 + 60, 3_600 + advance),
            ];
            merge_series(&mut old, new, t(3_600), t(advance));
            let expected_a = whole("a", advance, 3_600 + advance);
            assert_eq!(points(&old[0]), points(&expected_a), "advance {advance}");
            let labels: Vec<&str> = old.iter().map(|s| s.metric["v"].as_str()).collect();
            let want_b = advance <= 120;
            assert_eq!(
                labels.contains(&"b"),
                want_b,
                "advance {advance}: {labels:?}"
            );
            assert!(labels.contains(&"c"));
        }
    }

    #[test]
    fn the_last_point_is_replaced_by_its_late_value() {
        let mut old = vec![series("a", &[(0, 1.0), (60, 2.0)])];
        merge_series(
            &mut old,
            vec![series("a", &[(60, 5.0), (120, 6.0)])],
            t(60),
            t(0),
        );
        assert_eq!(
            points(&old[0]),
            vec![(0, "1".into()), (60, "5".into()), (120, "6".into())]
        );
    }

    #[test]
    fn each_window_is_kept_for_its_pace_and_no_longer() {
        let mut kept = Kept::default();
        let answer = Answer {
            data: QueryData::Vector(Vec::new()),
            warnings: Vec::new(),
        };
        for window in [300, 1_800, 3_600, 21_600, 259_200, 2_592_000] {
            let q = format!("q{window}");
            kept.keep_instant(&q, t(1_000), &answer);
            let p = pace(window).num_seconds();
            assert!(kept.instant(&q, window, t(1_000 + p)).is_none(), "{window}");
            // Time going backwards (a clock step) asks again.
            assert!(kept.instant(&q, window, t(999)).is_none(), "{window}");
            if p > 1 {
                assert!(
                    kept.instant(&q, window, t(1_000 + p - 2)).is_some(),
                    "{window}"
                );
            }
        }
        assert_eq!(pace(300), Duration::zero());
        assert_eq!(pace(1_800), Duration::zero());
    }
}
