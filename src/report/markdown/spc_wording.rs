//! One signal explained in a line: its rule, where it is, its values against the limit
//! or sigma line it crossed, the pattern in words and what it means for the business.

use crate::zone::Tz;

use crate::metrics::types::{Rule, SpcChart};
use crate::report::build::DeploymentReport;
use crate::report::format::{date, NA};

use super::spc_signals::{Group, Side, Verdict};
use super::spc_values::{apart, chart_value, point_label, point_value, sigma};

/// At most this many points of one signal are listed one by one.
const LISTED_POINTS: usize = 10;

pub(super) fn signal_line(g: &Group<'_>, deployments: &[DeploymentReport], tz: Tz) -> String {
    let c = g.chart;
    let code = g.rule.code();
    if g.points.len() == 1 {
        let i = g.last.index;
        let mut value = point_value(c, i);
        if let Some((v, _)) = beyond_limit(g) {
            value = format!("{v}{}", value.find(" (").map_or("", |k| &value[k..]));
        }
        return format!(
            "- **{code}** {}: {}, {}. {}",
            point_label(c, deployments, i, tz),
            value,
            pattern(g),
            meaning(g)
        );
    }
    let first = c.points.get(g.first()).map(|p| p.at);
    let last = g.points.last().and_then(|&i| c.points.get(i)).map(|p| p.at);
    let span = match (first, last) {
        (Some(a), Some(b)) if date(a, tz) == date(b, tz) => format!("on {}", date(a, tz)),
        (Some(a), Some(b)) => format!("from {} to {}", date(a, tz), date(b, tz)),
        _ => String::new(),
    };
    let trips = if g.trips > 1 {
        format!(", tripped {} times", g.trips)
    } else {
        String::new()
    };
    let listed: Vec<String> = g
        .points
        .iter()
        .take(LISTED_POINTS)
        .map(|&i| {
            format!(
                "{} {}",
                point_label(c, deployments, i, tz),
                point_value(c, i)
            )
        })
        .collect();
    let more = g.points.len().saturating_sub(LISTED_POINTS);
    let more = if more > 0 {
        format!("; and {more} more")
    } else {
        String::new()
    };
    format!(
        "- **{code}** {span}, {} points{trips}: {}. {} Points: {}{more}.",
        g.points.len(),
        pattern(g),
        meaning(g),
        listed.join("; ")
    )
}

/// "above the upper limit of 1.6 d", "beyond 2 sigma below the centre (under 9.2 h)".
fn pattern(g: &Group<'_>) -> String {
    let c = g.chart;
    let i = g.last.index;
    let limits = c.points.get(i).map(|p| p.limits);
    let centre = chart_value(c, limits.map(|l| l.center));
    let n = g.points.len();
    let side = match g.side {
        Side::Above => "above",
        Side::Below => "below",
        Side::Rising => "rising",
        Side::Falling => "falling",
        Side::Neither => "",
    };
    // The k-sigma line on the signal's side at its last point.
    let line = |k: f64| {
        let (Some(l), Some(sd)) = (limits, sigma(c, i)) else {
            return String::new();
        };
        let v = match g.side {
            Side::Below => l.center - k * sd,
            _ => l.center + k * sd,
        };
        let word = if g.side == Side::Below {
            "under"
        } else {
            "over"
        };
        format!(": {word} {} (centre {centre})", chart_value(c, Some(v)))
    };
    match g.rule {
        Rule::We1 | Rule::N1 => {
            let limit = beyond_limit(g).map_or_else(|| NA.to_string(), |(_, l)| l);
            let which = if g.side == Side::Below {
                "lower"
            } else {
                "upper"
            };
            let what = if n == 1 {
                "a point".to_string()
            } else {
                format!("{n} points in a row")
            };
            format!("{what} beyond 3 sigma, {side} the {which} limit of {limit} (centre {centre})")
        }
        Rule::We2 | Rule::N5 => {
            format!(
                "2 of 3 points beyond 2 sigma {side} the centre{}",
                line(2.0)
            )
        }
        Rule::We3 | Rule::N6 => {
            format!(
                "4 of 5 points beyond 1 sigma {side} the centre{}",
                line(1.0)
            )
        }
        Rule::We4 | Rule::N2 => format!("{n} points in a row {side} the centre ({centre})"),
        Rule::N3 => format!("{n} points in a row steadily {side}"),
        Rule::N4 => format!("{n} points in a row alternating up and down"),
        Rule::N7 => format!("{n} points in a row within 1 sigma of the centre ({centre})"),
        Rule::N8 => format!("{n} points in a row beyond 1 sigma, on both sides of the centre"),
    }
}

/// What the signal means for the business.
fn meaning(g: &Group<'_>) -> String {
    let what = noun(g.chart);
    match (g.rule, g.verdict()) {
        (Rule::N7, _) => format!(
            "Steadier than the baseline: good news if {what} became more consistent; \
             otherwise the limits are stale."
        ),
        (Rule::N4 | Rule::N8, _) => {
            "Neither better nor worse: a sign of two processes mixed (teams, pipelines, \
             shifts)."
                .into()
        }
        (_, Verdict::Worse) => {
            format!("Worse: higher {what} than the process normally gives; look for the cause.")
        }
        (_, Verdict::Better) => format!(
            "Better: lower {what} is good news; if it lasts, the process has improved \
             (consider a new baseline)."
        ),
        (_, Verdict::Neither) => "A change in the process.".into(),
    }
}

/// The point of a rule-1 group and the limit it crossed, told apart.
fn beyond_limit(g: &Group<'_>) -> Option<(String, String)> {
    if !matches!(g.rule, Rule::We1 | Rule::N1) {
        return None;
    }
    let p = g.chart.points.get(g.last.index)?;
    let limit = if g.side == Side::Below {
        p.limits.lcl
    } else {
        p.limits.ucl
    };
    Some(apart(g.chart, p.value, limit))
}

/// What the chart measures, in a sentence's words.
fn noun(c: &SpcChart) -> &'static str {
    match c.metric {
        "lead_time" => "lead time",
        "deploy_duration" => "deploy duration",
        "recovery_time" => "recovery time",
        "change_failure_rate" => "change failure rate",
        "incidents_per_deployment" => "incidents per deployment",
        other => other,
    }
}
