//! A service's "Statistical process control" section: one table row per chart (its
//! points, centre, limits and signals), notes on charts whose limits need a word, then
//! the window's signals of each chart explained, and a line on earlier ones.

use std::fmt::Write;

use crate::metrics::types::{ChartKind, SpcChart};
use crate::report::build::{ReportV1, ServiceReport};
use crate::report::format::date;

use super::rule_set;
use super::spc_signals::{groups, lower_is_better, Group};
use super::spc_values::{chart_value, counts, point_label};
use super::spc_wording::signal_line;

pub(super) fn spc(out: &mut String, s: &ServiceReport, report: &ReportV1) {
    let (tz, window) = (report.tz, report.window);
    let _ = writeln!(out, "### Statistical process control\n");
    let _ = writeln!(
        out,
        "Run rules: {}. Each chart spans the service's history up to the window's end; \
         signals are counted in the window, with the history's total beside them.\n",
        rule_set(report.rules)
    );
    let _ = writeln!(
        out,
        "| Chart | Type | Points | Centre | Upper limit | Lower limit | Signals in window |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    let mut notes: Vec<String> = Vec::new();
    for c in &s.spc {
        let in_window = c.points.iter().filter(|p| window.contains(p.at)).count();
        let recent = groups(c, |sig| window.contains(sig.at)).len();
        let all = recent + groups(c, |sig| !window.contains(sig.at)).len();
        let signals = if all > recent {
            format!("{recent} ({all} in history)")
        } else {
            recent.to_string()
        };
        let centre = match (c.baseline_counts, c.chart) {
            (Some(b), ChartKind::P | ChartKind::U) if b.n > 0.0 => format!(
                "{} ({} in the baseline weeks)",
                chart_value(c, c.center),
                counts(c, b.count, b.n)
            ),
            _ => chart_value(c, c.center),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} ({} in window) | {} | {} | {} | {} |",
            chart_name(c),
            kind(c),
            c.points.len(),
            in_window,
            centre,
            chart_value(c, c.ucl),
            chart_value(c, c.lcl),
            signals
        );
        let mut note: Vec<String> = Vec::new();
        if c.chart != ChartKind::Xmr && c.center.is_some() {
            let latest = c.points.len().checked_sub(1);
            let week = latest.map(|i| {
                let of = point_label(c, &s.deployments, i, tz);
                match c.points[i].counts {
                    Some(w) => format!(" ({of}, {:.0} deployments)", w.n),
                    None => format!(" ({of})"),
                }
            });
            note.push(format!(
                "its limits vary with each week's number of deployments; the table shows the \
                 latest week's{}",
                week.unwrap_or_default()
            ));
        }
        if c.no_spread {
            note.push(
                "its baseline has no variation (every baseline value is the same), so the \
                 limits sit on the centre and cannot judge points; no rule is applied to them"
                    .into(),
            );
        } else if c.center.is_none() && !c.points.is_empty() {
            note.push("too few points for limits yet".into());
        } else if let Some(have) = c.provisional {
            note.push(format!(
                "provisional limits: the baseline holds {have} of the {} points it takes, so \
                 the limits will move as points arrive",
                report.baseline
            ));
        }
        if !note.is_empty() {
            notes.push(format!("{}: {}.", chart_name(c), note.join("; ")));
        }
    }
    out.push('\n');
    for n in &notes {
        let _ = writeln!(out, "- {n}");
    }
    if !notes.is_empty() {
        out.push('\n');
    }
    let mut any = false;
    for c in &s.spc {
        let recent = groups(c, |sig| window.contains(sig.at));
        if recent.is_empty() {
            continue;
        }
        any = true;
        let better = match lower_is_better(c) {
            Some(true) => " — lower is better",
            Some(false) => " — higher is better",
            None => "",
        };
        let _ = writeln!(out, "**{}**{better}:\n", chart_name(c));
        for g in &recent {
            let _ = writeln!(out, "{}", signal_line(g, &s.deployments, tz));
        }
        let earlier = groups(c, |sig| sig.at < window.start);
        if let (Some(a), Some(b)) = (earlier.first(), earlier.last()) {
            let from = c.points.get(a.first()).map(|p| date(p.at, tz));
            let to = c.points.get(b.last.index).map(|p| date(p.at, tz));
            let when = match (from, to) {
                (Some(a), Some(b)) if a == b => format!("on {a}"),
                (Some(a), Some(b)) => format!("from {a} to {b}"),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "- Before the window: {} signal{} {when} ({}).",
                earlier.len(),
                if earlier.len() == 1 { "" } else { "s" },
                rule_tally(&earlier)
            );
        }
        out.push('\n');
    }
    if !any {
        let _ = writeln!(out, "No chart signals in the window.\n");
    }
}

fn chart_name(c: &SpcChart) -> &'static str {
    match c.metric {
        "lead_time" => "Lead time per deployment (median)",
        "deploy_duration" => "Deploy duration",
        "recovery_time" => "Recovery time per failure",
        "change_failure_rate" => "Change failure rate per week",
        "incidents_per_deployment" => "Incidents per deployment, per week",
        other => other,
    }
}

fn kind(c: &SpcChart) -> &'static str {
    match c.chart {
        ChartKind::Xmr => "XmR",
        ChartKind::P => "p",
        ChartKind::U => "u",
    }
}

/// "WE1 ×3, WE3 ×1".
fn rule_tally(groups: &[Group<'_>]) -> String {
    let mut tally: Vec<(&str, usize)> = Vec::new();
    for g in groups {
        match tally.iter_mut().find(|(code, _)| *code == g.rule.code()) {
            Some((_, n)) => *n += 1,
            None => tally.push((g.rule.code(), 1)),
        }
    }
    tally.sort_unstable();
    tally
        .iter()
        .map(|(code, n)| format!("{code} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
