//! Chart signals grouped for people: consecutive or overlapping trips of one rule on
//! one side are one signal, with a side (above, below, rising, ...) and a verdict
//! (worse, better, neither) from whether lower is better for the chart's figure.

use crate::metrics::types::{Rule, Signal, SpcChart, Window};
use crate::report::build::ServiceReport;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Above,
    Below,
    Rising,
    Falling,
    /// Rules with no side (alternating, hugging, avoiding the centre).
    Neither,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    Worse,
    Better,
    Neither,
}

/// Consecutive or overlapping trips of one rule on one side: one signal for people.
pub(super) struct Group<'a> {
    pub(super) chart: &'a SpcChart,
    pub(super) rule: Rule,
    pub(super) side: Side,
    /// The trip that completed the pattern last.
    pub(super) last: &'a Signal,
    pub(super) trips: usize,
    /// Every point of every trip, sorted.
    pub(super) points: Vec<usize>,
}

impl Group<'_> {
    pub(super) fn verdict(&self) -> Verdict {
        match (self.side, lower_is_better(self.chart)) {
            (Side::Above | Side::Rising, Some(true))
            | (Side::Below | Side::Falling, Some(false)) => Verdict::Worse,
            (Side::Below | Side::Falling, Some(true))
            | (Side::Above | Side::Rising, Some(false)) => Verdict::Better,
            _ => Verdict::Neither,
        }
    }
    pub(super) fn first(&self) -> usize {
        self.points.first().copied().unwrap_or(self.last.index)
    }
}

/// For every metric the report charts, lower is better: shorter lead times, deploys
/// and recoveries, fewer failures and incidents. An unknown metric is judged neither.
pub(super) fn lower_is_better(c: &SpcChart) -> Option<bool> {
    match c.metric {
        "lead_time"
        | "deploy_duration"
        | "recovery_time"
        | "change_failure_rate"
        | "incidents_per_deployment" => Some(true),
        _ => None,
    }
}

fn side_of(c: &SpcChart, s: &Signal) -> Side {
    let value = |i: usize| c.points.get(i).map(|p| p.value);
    match s.rule {
        Rule::N3 => {
            let first = s.points.first().and_then(|&i| value(i));
            match (first, value(s.index)) {
                (Some(a), Some(b)) if b > a => Side::Rising,
                (Some(a), Some(b)) if b < a => Side::Falling,
                _ => Side::Neither,
            }
        }
        Rule::N4 | Rule::N7 | Rule::N8 => Side::Neither,
        _ => match c.points.get(s.index) {
            Some(p) if p.value > p.limits.center => Side::Above,
            Some(p) if p.value < p.limits.center => Side::Below,
            _ => Side::Neither,
        },
    }
}

/// Groups the signals of a chart (sorted by index) that pass `keep`.
pub(super) fn groups<'a>(c: &'a SpcChart, keep: impl Fn(&Signal) -> bool) -> Vec<Group<'a>> {
    let mut out: Vec<Group<'a>> = Vec::new();
    for s in c.signals.iter().filter(|s| keep(s)) {
        let side = side_of(c, s);
        let start = s.points.iter().copied().min().unwrap_or(s.index);
        let open = out
            .iter_mut()
            .rev()
            .find(|g| g.rule == s.rule && g.side == side);
        match open {
            Some(g) if g.points.last().is_some_and(|&l| start <= l + 1) => {
                g.points.extend(s.points.iter().copied());
                g.points.push(s.index);
                g.points.sort_unstable();
                g.points.dedup();
                g.last = s;
                g.trips += 1;
            }
            _ => {
                let mut points = s.points.clone();
                points.push(s.index);
                points.sort_unstable();
                points.dedup();
                out.push(Group {
                    chart: c,
                    rule: s.rule,
                    side,
                    last: s,
                    trips: 1,
                    points,
                });
            }
        }
    }
    out.sort_by_key(|g| (g.first(), g.last.index));
    out
}

/// The window's signals of every chart of a service, grouped.
pub(super) fn service_signals(s: &ServiceReport, window: Window) -> Vec<Group<'_>> {
    s.spc
        .iter()
        .flat_map(|c| groups(c, |sig| window.contains(sig.at)))
        .collect()
}
