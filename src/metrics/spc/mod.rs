//! SPC control charts (DESIGN §3): XmR for per-deployment values, p-charts and u-charts
//! for weekly proportions and rates, limits from a held baseline restarted at each
//! process change, and run rules that name the points that trip them.

pub mod attribute;
pub mod rules;
pub mod segments;
pub mod xmr;

use crate::metrics::settings::RuleSet;
use crate::metrics::types::{ChartKind, Limits, Signal, SpcChart, SpcPoint};
use crate::model::Ts;

pub use attribute::Subgroup;

/// Limits shown where none can be computed: a point whose segment's baseline is too
/// short (an XmR segment of one point, after a process change). NaN, which the report
/// writes as `null`. Weeks without deployments (n = 0) are not points at all:
/// [`attribute_chart`] drops them (no opportunity to fail; u = c/n is undefined).
const UNKNOWN: Limits = Limits {
    center: f64::NAN,
    ucl: f64::NAN,
    lcl: f64::NAN,
};

/// How a chart is built: baseline length, rule set, process-change times and the
/// baseline range the user marked, if any (see [`segments::plan`]).
#[derive(Debug, Clone, Copy)]
pub struct ChartParams<'a> {
    pub baseline: usize,
    pub rules: RuleSet,
    pub changes: &'a [Ts],
    /// `[start, end)`: its points are the baseline instead of the first points.
    pub marked: Option<(Ts, Ts)>,
}

/// An XmR chart of `points` (sorted by time), with its moving-range chart.
pub fn xmr_chart(metric: &'static str, points: &[(Ts, f64)], p: &ChartParams<'_>) -> SpcChart {
    let points: Vec<(Ts, f64)> = points
        .iter()
        .copied()
        .filter(|(_, v)| v.is_finite())
        .collect();
    let ats: Vec<Ts> = points.iter().map(|(t, _)| *t).collect();
    let values: Vec<f64> = points.iter().map(|(_, v)| *v).collect();
    let segments = segments::plan(&ats, p.changes, p.baseline, p.marked, 2);
    let per_point = xmr::limits(&values, &segments);
    let mut chart = assemble(
        metric,
        ChartKind::Xmr,
        &ats,
        &values,
        &per_point,
        &segments,
        p,
    );
    let mr = xmr::moving_range(&values, &segments);
    chart.moving_range = mr.values.iter().any(Option::is_some).then_some(mr);
    chart
}

/// A p-chart (proportions) or u-chart (counts per unit) of weekly subgroups. Weeks
/// with n = 0 (no deployments) are dropped: they had no opportunity, and u = c/n is
/// undefined.
pub fn attribute_chart(
    metric: &'static str,
    kind: ChartKind,
    groups: &[(Ts, Subgroup)],
    p: &ChartParams<'_>,
) -> SpcChart {
    let groups: Vec<(Ts, Subgroup)> = groups
        .iter()
        .copied()
        .filter(|(_, g)| g.n > 0.0 && g.count.is_finite() && g.count >= 0.0)
        .collect();
    let ats: Vec<Ts> = groups.iter().map(|(t, _)| *t).collect();
    let subgroups: Vec<Subgroup> = groups.iter().map(|(_, g)| *g).collect();
    let values: Vec<f64> = subgroups.iter().map(|g| g.count / g.n).collect();
    let segments = segments::plan(&ats, p.changes, p.baseline, p.marked, 1);
    let per_point = attribute::limits(kind, &subgroups, &segments);
    let mut chart = assemble(metric, kind, &ats, &values, &per_point, &segments, p);
    for (point, g) in chart.points.iter_mut().zip(&subgroups) {
        point.counts = Some(*g);
    }
    chart.baseline_counts = segments
        .last()
        .and_then(|seg| subgroups.get(seg.baseline.clone()))
        .map(Subgroup::pooled);
    chart
}

/// Clamps the lower limits of a chart of a metric that cannot go below `floor`
/// (durations, proportions, counts: 0), so the report and the panes never show a
/// limit the data cannot reach. The run rules work on σ and the centre, which the
/// clamp leaves alone: no value can be below a clamped limit.
pub fn floor_lower_limits(chart: &mut SpcChart, floor: f64) {
    let clamp = |l: &mut f64| {
        if *l < floor {
            *l = floor;
        }
    };
    if let Some(l) = chart.lcl.as_mut() {
        clamp(l);
    }
    for p in &mut chart.points {
        clamp(&mut p.limits.lcl);
    }
}

fn assemble(
    metric: &'static str,
    chart: ChartKind,
    ats: &[Ts],
    values: &[f64],
    per_point: &[Option<(Limits, f64)>],
    plan: &[segments::Segment],
    p: &ChartParams<'_>,
) -> SpcChart {
    let segments: Vec<std::ops::Range<usize>> = plan.iter().map(|s| s.points.clone()).collect();
    // z = NaN ("no zone": no run rule judges the point) where the limits are unknown
    // or σ is 0 or not finite. With no spread in the baseline the limits collapse onto
    // the centre and cannot separate signal from noise: judging by float equality with
    // a computed centre (0.1 × 3 averages to 0.10000000000000002) would make every
    // point infinitely far out.
    let z: Vec<f64> = values
        .iter()
        .zip(per_point)
        .map(|(&x, l)| match l {
            Some((l, sigma)) if judgeable(*sigma) => (x - l.center) / sigma,
            _ => f64::NAN,
        })
        .collect();
    let signals = rules::evaluate(values, &z, &segments, p.rules)
        .into_iter()
        .filter_map(|t| {
            Some(Signal {
                rule: t.rule,
                index: t.index,
                at: *ats.get(t.index)?,
                points: t.points,
            })
        })
        .collect();
    let points: Vec<SpcPoint> = ats
        .iter()
        .zip(values)
        .zip(per_point)
        .map(|((&at, &value), l)| SpcPoint {
            at,
            value,
            limits: l.map_or(UNKNOWN, |(l, _)| l),
            counts: None,
            until: None,
        })
        .collect();
    let last = per_point.last().copied().flatten();
    let no_spread = last.is_some_and(|(_, sigma)| !judgeable(sigma));
    let last = last.map(|(l, _)| l);
    SpcChart {
        metric,
        chart,
        center: last.map(|l| l.center),
        ucl: last.map(|l| l.ucl),
        lcl: last.map(|l| l.lcl),
        points,
        signals,
        moving_range: None,
        no_spread,
        provisional: provisional(ats, plan, p),
        baseline_counts: None,
    }
}

/// The latest segment's baseline length when it is shorter than a baseline takes and
/// is not the range the user marked (which is the baseline they chose, however short).
fn provisional(ats: &[Ts], plan: &[segments::Segment], p: &ChartParams<'_>) -> Option<usize> {
    let last = plan.last()?;
    let marked = p.marked.is_some_and(|(a, b)| {
        let from = ats.partition_point(|t| *t < a);
        let to = ats.partition_point(|t| *t < b).max(from);
        last.baseline == (from..to)
    });
    (last.baseline.len() < p.baseline && !marked).then_some(last.baseline.len())
}

/// Whether limits with this σ can judge a point: a spread that is positive and finite.
fn judgeable(sigma: f64) -> bool {
    sigma > 0.0 && sigma.is_finite()
}
