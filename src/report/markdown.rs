//! The report for people: what a release manager hands to a steering committee. Every
//! rate shows the counts behind it, every figure its DORA level and its trend against
//! the previous window, and every SPC signal says what it means.

use std::fmt::Write;

use chrono_tz::Tz;

use crate::metrics::trend::compare;
use crate::metrics::types::{ChartKind, Dora, SpcChart, Trend};

use super::build::{ReportV1, ServiceReport};
use super::format::{cell, duration, level, number, percent, time, NA};

/// The report as markdown.
pub fn to_markdown(report: &ReportV1) -> String {
    let tz = report.tz;
    let mut out = String::new();
    let days = report.window.seconds() / 86_400.0;
    let _ = writeln!(out, "# Release health report\n");
    let _ = writeln!(
        out,
        "Generated for {} over the {} days from {} to {} (times in {}). \
         Production deployments only; a deployment belongs to the window its finish falls in.\n",
        time(report.generated_at, tz),
        number(Some(days), 0),
        time(report.window.start, tz),
        time(report.window.end, tz),
        tz.name(),
    );
    if report.services.is_empty() {
        let _ = writeln!(out, "No services are configured.");
    }
    for s in &report.services {
        service(&mut out, s, tz);
    }
    if !report.unlinked_incidents.is_empty() {
        let _ = writeln!(out, "## Incidents linked to no deployment\n");
        let _ = writeln!(
            out,
            "Neither the tracker nor the link window tie them to a counted production \
             deployment, so they are not counted as change failures.\n"
        );
        let window = link_window(report.link_window);
        for u in &report.unlinked_incidents {
            let _ = writeln!(out, "- {}: {}.", cell(&u.key), cell(&u.reason(&window)));
        }
        out.push('\n');
    }
    out
}

/// "24 h", "90 min", "2 d": the link window as configured.
fn link_window(d: chrono::Duration) -> String {
    let secs = d.num_seconds();
    if secs % 86_400 == 0 && secs >= 2 * 86_400 {
        format!("{} d", secs / 86_400)
    } else if secs % 3_600 == 0 {
        format!("{} h", secs / 3_600)
    } else if secs % 60 == 0 {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    }
}

fn service(out: &mut String, s: &ServiceReport, tz: Tz) {
    let _ = writeln!(out, "## {} ({})\n", cell(&s.service), s.environment);
    dora(out, &s.dora, &s.previous);
    budget(out, s);
    spc(out, &s.spc, tz);
    deployments(out, s, tz);
}

/// "↑ better (was 0.90)" — the arrow shows the direction, the word the meaning.
fn trend(
    current: Option<f64>,
    previous: Option<f64>,
    higher_is_better: bool,
    show: impl Fn(Option<f64>) -> String,
) -> String {
    let t = compare(current, previous, higher_is_better);
    match t {
        Trend::Unknown => format!("no comparison (previous: {})", show(previous)),
        _ => format!(
            "{} {} (previous: {})",
            t.arrow(current, previous, false),
            t.word(),
            show(previous)
        ),
    }
}

fn dora(out: &mut String, d: &Dora, p: &Dora) {
    let _ = writeln!(out, "### DORA\n");
    let _ = writeln!(
        out,
        "| Metric | Value | Counts | Level | Trend vs previous window |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    let f = &d.deployment_frequency;
    let _ = writeln!(
        out,
        "| Deployment frequency | {} / day; {} deployment days / week (median) | {} successful deployments | {} | {} |",
        number(f.per_day, 2),
        number(f.deployment_days_per_week, 1),
        f.deployments,
        level(f.level),
        trend(f.per_day, p.deployment_frequency.per_day, true, |v| format!("{} / day", number(v, 2))),
    );
    let l = &d.lead_time;
    let _ = writeln!(
        out,
        "| Lead time for changes | p50 {}, p90 {} | {} changes | {} | {} |",
        duration(l.p50_seconds),
        duration(l.p90_seconds),
        l.changes,
        level(l.level),
        trend(l.p50_seconds, p.lead_time.p50_seconds, false, |v| format!(
            "p50 {}",
            duration(v)
        )),
    );
    let c = &d.change_failure_rate;
    let _ = writeln!(
        out,
        "| Change failure rate | {} | {} of {} deployments failed | {} | {} |",
        percent(c.rate),
        c.failed,
        c.deployments,
        level(c.level),
        trend(c.rate, p.change_failure_rate.rate, false, percent),
    );
    let r = &d.recovery_time;
    let ongoing = if r.ongoing > 0 {
        format!(" ({} not yet recovered)", r.ongoing)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "| Failed deployment recovery time | p50 {}, p90 {} | {} recovered failures{} | {} | {} |",
        duration(r.p50_seconds),
        duration(r.p90_seconds),
        r.failures,
        ongoing,
        level(r.level),
        trend(
            r.p50_seconds,
            p.recovery_time.p50_seconds,
            false,
            |v| format!("p50 {}", duration(v))
        ),
    );
    let w = &d.rework_rate;
    let _ = writeln!(
        out,
        "| Deployment rework rate | {} | {} of {} deployments were rollbacks or hotfixes | {} | {} |\n",
        percent(w.rate),
        w.rework,
        w.deployments,
        NA,
        trend(w.rate, p.rework_rate.rate, false, percent),
    );
    let _ = writeln!(
        out,
        "A change failure is a deployment that failed, was rolled back, was followed within the \
         failure window by a rollback or hotfix, had an incident linked to it, or failed its \
         canary; each deployment counts once. The first deployment ever seen has no predecessor, \
         so its commits are not counted as lead times.\n"
    );
}

fn budget(out: &mut String, s: &ServiceReport) {
    let b = &s.error_budget;
    let _ = writeln!(out, "### Error budget\n");
    let remaining = match b.remaining {
        Some(r) if r < 0.0 => format!("overspent by {} of the budget", percent(Some(-r))),
        Some(r) => format!("{} of the budget remaining", percent(Some(r))),
        None => "remaining budget unknown (no SLI data)".into(),
    };
    let policy = b.policy.map_or_else(
        || NA.to_string(),
        |p| format!("**{}** — {}", p.word(), p.meaning()),
    );
    let _ = writeln!(
        out,
        "SLO {} over {} days. Error ratio {}: {}. Deployment policy: {}.\n",
        percent(Some(b.slo_target)),
        number(Some(b.window_seconds / 86_400.0), 0),
        percent(b.error_ratio),
        remaining,
        policy,
    );
    let r = &b.burn_rates;
    let _ = writeln!(
        out,
        "| Burn rate | 5m | 30m | 1h | 6h | 3d |\n|---|---|---|---|---|---|"
    );
    let _ = writeln!(
        out,
        "| × budget | {} | {} | {} | {} | {} |\n",
        number(r.m5, 2),
        number(r.m30, 2),
        number(r.h1, 2),
        number(r.h6, 2),
        number(r.d3, 2)
    );
    if b.alerts.is_empty() {
        let _ = writeln!(out, "No burn-rate alert is firing.");
    }
    for a in &b.alerts {
        let what = match a.severity {
            crate::metrics::types::AlertSeverity::Page => "PAGE",
            crate::metrics::types::AlertSeverity::Ticket => "TICKET",
        };
        let _ = writeln!(
            out,
            "- **{what}**: burning {}× the budget over both {} and {}.",
            number(Some(a.burn), 1),
            a.long,
            a.short
        );
    }
    if let Some(t) = s.burn_trend {
        let word = match t {
            crate::metrics::types::BurnTrend::Increasing => {
                "increasing (the last hour burns faster than the last 6 hours)"
            }
            crate::metrics::types::BurnTrend::Recovering => {
                "recovering (the last hour burns slower than the last 6 hours)"
            }
            crate::metrics::types::BurnTrend::Steady => "steady",
        };
        let _ = writeln!(out, "\nBurn trend: {word}.");
    }
    out.push('\n');
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

fn chart_value(c: &SpcChart, v: Option<f64>) -> String {
    match (c.chart, c.metric) {
        (ChartKind::P, _) => percent(v),
        (ChartKind::U, _) => number(v, 2),
        _ => duration(v),
    }
}

fn spc(out: &mut String, charts: &[SpcChart], tz: Tz) {
    let _ = writeln!(out, "### Statistical process control\n");
    let _ = writeln!(
        out,
        "Each chart covers the whole history the data holds up to the end of the window, not only \
         the window, and its points are numbered from the oldest. Limits come from its baseline \
         (its first points, restarted at a process change, or the range configured as the \
         baseline) and are then held, so they do not move as the window slides; a signal means \
         the process changed, not that one value was bad. Lower limits of figures that cannot \
         be negative are shown at 0.\n"
    );
    let _ = writeln!(
        out,
        "| Chart | Type | Points | Centre | Upper limit | Lower limit | Signals |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for c in charts {
        let kind = match c.chart {
            ChartKind::Xmr => "XmR",
            ChartKind::P => "p",
            ChartKind::U => "u",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            chart_name(c),
            kind,
            c.points.len(),
            chart_value(c, c.center),
            chart_value(c, c.ucl),
            chart_value(c, c.lcl),
            c.signals.len()
        );
    }
    out.push('\n');
    for c in charts.iter().filter(|c| !c.signals.is_empty()) {
        let _ = writeln!(out, "{}:\n", chart_name(c));
        for s in &c.signals {
            let value = c.points.get(s.index).map(|p| chart_value(c, Some(p.value)));
            let points: Vec<String> = s.points.iter().map(|i| (i + 1).to_string()).collect();
            let _ = writeln!(
                out,
                "- {} at point {} ({}, value {}): {} — points {}.",
                s.rule.code(),
                s.index + 1,
                time(s.at, tz),
                value.unwrap_or_else(|| NA.into()),
                s.rule.description(),
                points.join(", ")
            );
        }
        out.push('\n');
    }
}

fn deployments(out: &mut String, s: &ServiceReport, tz: Tz) {
    let _ = writeln!(out, "### Deployments\n");
    if s.deployments.is_empty() {
        let _ = writeln!(out, "No production deployment finished in the window.\n");
        return;
    }
    let _ = writeln!(
        out,
        "| Finished | Version | Status | Change failure | Risk | Budget consumed | Incidents |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for d in &s.deployments {
        let risk: Vec<&str> = d.risk.iter().map(|r| r.word()).collect();
        let consumed = match (d.budget_consumed, d.spike) {
            (v, true) => format!("{} (spike: likely cause)", percent(v)),
            (v, false) => percent(v),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            d.finished_at
                .map_or_else(|| "running".into(), |f| time(f, tz)),
            cell(&d.version),
            d.status,
            if d.failed {
                "yes"
            } else if d.finished_at.is_none() {
                "not yet (running)"
            } else {
                "no"
            },
            if risk.is_empty() {
                "-".into()
            } else {
                risk.join(", ")
            },
            consumed,
            if d.incidents.is_empty() {
                "-".into()
            } else {
                cell(&d.incidents.join(", "))
            },
        );
    }
    out.push('\n');
}
