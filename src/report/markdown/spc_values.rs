//! A chart's figures in words: values in the chart's unit (with more decimals where a
//! value and its limit would read the same), the counts behind a weekly point, where
//! a point is (its week, or its deployment) and sigma at a point.

use crate::zone::Tz;

use crate::metrics::types::{ChartKind, SpcChart};
use crate::report::build::DeploymentReport;
use crate::report::format::{cell, date, duration, number, percent, time, NA};

pub(super) fn chart_value(c: &SpcChart, v: Option<f64>) -> String {
    match c.chart {
        ChartKind::P => percent(v),
        ChartKind::U => number(v, 2),
        ChartKind::Xmr => duration(v),
    }
}

/// `v` with `extra` more decimals than [`chart_value`] gives it.
fn precise(c: &SpcChart, v: f64, extra: usize) -> String {
    match c.chart {
        ChartKind::P => format!("{:.*}%", 1 + extra, v * 100.0),
        ChartKind::U => number(Some(v), 2 + extra),
        ChartKind::Xmr if v.abs() < 60.0 => format!("{v:.extra$} s"),
        ChartKind::Xmr if v.abs() < 3_600.0 => format!("{:.extra$} min", v / 60.0),
        ChartKind::Xmr if v.abs() < 86_400.0 => format!("{:.*} h", 1 + extra, v / 3_600.0),
        ChartKind::Xmr => format!("{:.*} d", 1 + extra, v / 86_400.0),
    }
}

/// A value and a limit, with enough decimals to tell them apart: "33.3%" above an
/// upper limit of "33.3%" reads as a contradiction.
pub(super) fn apart(c: &SpcChart, value: f64, limit: f64) -> (String, String) {
    let (a, b) = (chart_value(c, Some(value)), chart_value(c, Some(limit)));
    if a != b || value == limit {
        return (a, b);
    }
    for extra in 1..=3 {
        let (a, b) = (precise(c, value, extra), precise(c, limit, extra));
        if a != b {
            return (a, b);
        }
    }
    (a, b)
}

/// "2 of 14 deployments failed", "1 incident in 14 deployments".
pub(super) fn counts(c: &SpcChart, count: f64, n: f64) -> String {
    let plural = |k: f64, one: &str, many: &str| {
        if k == 1.0 {
            format!("1 {one}")
        } else {
            format!("{k:.0} {many}")
        }
    };
    match c.chart {
        ChartKind::P => format!(
            "{count:.0} of {}",
            plural(n, "deployment failed", "deployments failed")
        ),
        _ => format!(
            "{} in {}",
            plural(count, "incident", "incidents"),
            plural(n, "deployment", "deployments")
        ),
    }
}

/// The value of point `i`, with its week's counts on a weekly chart.
pub(super) fn point_value(c: &SpcChart, i: usize) -> String {
    let Some(p) = c.points.get(i) else {
        return NA.into();
    };
    let value = chart_value(c, Some(p.value));
    match p.counts {
        Some(w) => format!("{value} ({})", counts(c, w.count, w.n)),
        None => value,
    }
}

/// Where point `i` is: a weekly chart's week, or a per-deployment chart's finish and
/// the deployment that finished then.
pub(super) fn point_label(
    c: &SpcChart,
    deployments: &[DeploymentReport],
    i: usize,
    tz: Tz,
) -> String {
    let Some(p) = c.points.get(i) else {
        return NA.into();
    };
    if c.chart != ChartKind::Xmr {
        return match p.until {
            Some(end) => format!("week from {} to {}", date(p.at, tz), date(end, tz)),
            None => format!("week of {}", date(p.at, tz)),
        };
    }
    // Points are kept to the millisecond; a source's finish may have finer digits.
    let ms = p.at.timestamp_millis();
    match deployments
        .iter()
        .find(|d| d.finished_at.map(|f| f.timestamp_millis()) == Some(ms))
    {
        Some(d) => format!("{}, {} ({})", time(p.at, tz), cell(&d.version), cell(&d.id)),
        None => time(p.at, tz),
    }
}

/// σ at point `i`: from its upper limit (3σ above the centre) unless a p-chart's
/// limit is clamped at 1; then from the week's n.
pub(super) fn sigma(c: &SpcChart, i: usize) -> Option<f64> {
    let p = c.points.get(i)?;
    let l = p.limits;
    if !(l.center.is_finite() && l.ucl.is_finite()) {
        return None;
    }
    if c.chart != ChartKind::P || l.ucl < 1.0 {
        return Some((l.ucl - l.center) / 3.0);
    }
    let n = p.counts?.n;
    Some((l.center * (1.0 - l.center) / n).max(0.0).sqrt())
}
