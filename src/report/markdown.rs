//! The report for people: what a release manager hands to a steering committee. A
//! summary table first (one row per service), then each service's DORA figures with
//! the counts behind every rate, its level and its trend against the previous window,
//! its error budget, its SPC signals in the window explained in words, the deployments
//! that need attention and the complete list of the window's deployments (the audit
//! trail). How to read the figures is explained once, at the end.

use std::fmt::Write;

use chrono_tz::Tz;

use crate::metrics::settings::RuleSet;
use crate::metrics::trend::compare;
use crate::metrics::types::{
    AlertSeverity, BurnTrend, ChartKind, RiskFlag, Rule, Signal, SpcChart, Trend, Window,
};
use crate::model::Ts;

use super::build::{ChartContext, DeploymentReport, ReportV1, ServiceReport};
use super::format::{cell, date, duration, length, level, number, percent, time, NA};

/// What the rework rate shows as its level: DORA gives it none, and "n/a" would read
/// as missing data.
const NO_LEVEL: &str = "— (DORA defines none)";

/// At most this many points of one signal are listed one by one.
const LISTED_POINTS: usize = 10;

/// The report as markdown.
pub fn to_markdown(report: &ReportV1) -> String {
    let tz = report.tz;
    let span = length(report.window_length);
    let mut out = String::new();
    let _ = writeln!(out, "# Release health report\n");
    let _ = writeln!(
        out,
        "Generated for {} over the {} from {} to {} (times in {}). \
         Production deployments only; a deployment belongs to the window its finish falls in.\n",
        time(report.generated_at, tz),
        span,
        time(report.window.start, tz),
        time(report.window.end, tz),
        tz.name(),
    );
    if report.services.is_empty() {
        let _ = writeln!(out, "No services are configured.\n");
    } else {
        summary(&mut out, report);
    }
    for s in &report.services {
        service(&mut out, s, report, &span);
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
    how_to_read(&mut out, report);
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

/// "2.43 (elite)": a figure with its level.
fn with_level(figure: String, l: Option<crate::metrics::types::Level>) -> String {
    match l {
        Some(l) => format!("{figure} ({})", l.word()),
        None => figure,
    }
}

/// One table for a steering committee: one row per service.
fn summary(out: &mut String, report: &ReportV1) {
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(
        out,
        "| Service | Deployments / day | Lead time p50 | Change failure rate | Recovery time p50 \
         | Error budget remaining | SPC signals in window | Failed deployments in window |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
    for s in &report.services {
        let d = &s.dora;
        let c = &d.change_failure_rate;
        let b = &s.error_budget;
        let remaining = match b.remaining {
            Some(r) if r < 0.0 => format!("overspent by {}", percent(Some(-r))),
            Some(r) => percent(Some(r)),
            None => "unknown (no SLI data)".into(),
        };
        let budget = match b.policy {
            Some(p) => format!("{remaining}, policy {}", p.word()),
            None => remaining,
        };
        let signals = service_signals(s, report.window);
        let (worse, better) = signals.iter().fold((0, 0), |(w, b), g| match g.verdict() {
            Verdict::Worse => (w + 1, b),
            Verdict::Better => (w, b + 1),
            Verdict::Neither => (w, b),
        });
        let signal_cell = if signals.is_empty() {
            "0".to_string()
        } else {
            format!("{} ({worse} worse, {better} better)", signals.len())
        };
        let failed = s
            .deployments
            .iter()
            .filter(|d| d.failed && d.finished_at.is_some())
            .count();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&s.service),
            with_level(
                number(d.deployment_frequency.per_day, 2),
                d.deployment_frequency.level
            ),
            with_level(duration(d.lead_time.p50_seconds), d.lead_time.level),
            if c.deployments == 0 {
                format!("{NA} (no deployments)")
            } else {
                with_level(
                    format!("{}, {} of {}", percent(c.rate), c.failed, c.deployments),
                    c.level,
                )
            },
            with_level(duration(d.recovery_time.p50_seconds), d.recovery_time.level),
            budget,
            signal_cell,
            failed,
        );
    }
    let _ = writeln!(
        out,
        "\nLevels in brackets are DORA's (elite, high, medium, low). SPC signals count the \
         window's signals, \"worse\" or \"better\" by their direction. Each service's section \
         has the details; \"How to read this report\" at the end explains the figures.\n"
    );
}

fn service(out: &mut String, s: &ServiceReport, report: &ReportV1, span: &str) {
    let tz = report.tz;
    let _ = writeln!(out, "## {} ({})\n", cell(&s.service), s.environment);
    dora(out, s, span, tz);
    budget(out, s);
    spc(out, s, report);
    attention(out, s, tz);
    deployments(out, s, tz);
}

/// How far back a service's history reaches, for its trends.
enum Reach {
    /// It covers the previous window.
    Full,
    /// It starts inside the previous window (at the first finish).
    Partial(Ts),
    /// Nothing finished before the current window: there is no previous window.
    Missing,
}

fn reach(s: &ServiceReport) -> Reach {
    match s.history_start {
        Some(h) if h <= s.previous.window.start => Reach::Full,
        Some(h) if h < s.dora.window.start => Reach::Partial(h),
        _ => Reach::Missing,
    }
}

/// "↑ better (previous: 0.90)" — the arrow shows the direction, the word the meaning.
fn trend(
    reach: &Reach,
    tz: Tz,
    current: Option<f64>,
    previous: Option<f64>,
    higher_is_better: bool,
    show: impl Fn(Option<f64>) -> String,
) -> String {
    let partial = match reach {
        Reach::Missing => return "no history for the previous window".into(),
        Reach::Partial(h) => format!("; history only from {}", date(*h, tz)),
        Reach::Full => String::new(),
    };
    let t = compare(current, previous, higher_is_better);
    match t {
        Trend::Unknown => format!("no comparison (previous: {}{partial})", show(previous)),
        _ => format!(
            "{} {} (previous: {}{partial})",
            t.arrow(current, previous, false),
            t.word(),
            show(previous)
        ),
    }
}

fn dora(out: &mut String, s: &ServiceReport, span: &str, tz: Tz) {
    let (d, p) = (&s.dora, &s.previous);
    let reach = reach(s);
    let _ = writeln!(out, "### DORA\n");
    let _ = writeln!(
        out,
        "| Metric | Value | Counts | Level | Trend vs previous {span} |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    let f = &d.deployment_frequency;
    let _ = writeln!(
        out,
        "| Deployment frequency | {} / day; {} deployment days / week (median) | {} successful deployments in {span} | {} | {} |",
        number(f.per_day, 2),
        number(f.deployment_days_per_week, 1),
        f.deployments,
        level(f.level),
        trend(&reach, tz, f.per_day, p.deployment_frequency.per_day, true, |v| format!(
            "{} / day",
            number(v, 2)
        )),
    );
    let l = &d.lead_time;
    let _ = writeln!(
        out,
        "| Lead time for changes | p50 {}, p90 {} | {} changes | {} | {} |",
        duration(l.p50_seconds),
        duration(l.p90_seconds),
        l.changes,
        level(l.level),
        trend(
            &reach,
            tz,
            l.p50_seconds,
            p.lead_time.p50_seconds,
            false,
            |v| { format!("p50 {}", duration(v)) }
        ),
    );
    let c = &d.change_failure_rate;
    let _ = writeln!(
        out,
        "| Change failure rate | {} | {} of {} deployments failed | {} | {} |",
        percent(c.rate),
        c.failed,
        c.deployments,
        level(c.level),
        trend(&reach, tz, c.rate, p.change_failure_rate.rate, false, |v| {
            let pc = &p.change_failure_rate;
            format!("{}, {} of {}", percent(v), pc.failed, pc.deployments)
        }),
    );
    let r = &d.recovery_time;
    let ongoing = if r.ongoing > 0 {
        format!(" ({} not yet recovered)", r.ongoing)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "| Failed deployment recovery time | p50 {}, p90 {} | {} recovered failure{}{} | {} | {} |",
        duration(r.p50_seconds),
        duration(r.p90_seconds),
        r.failures,
        if r.failures == 1 { "" } else { "s" },
        ongoing,
        level(r.level),
        trend(
            &reach,
            tz,
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
        NO_LEVEL,
        trend(&reach, tz, w.rate, p.rework_rate.rate, false, |v| {
            let pw = &p.rework_rate;
            format!("{}, {} of {}", percent(v), pw.rework, pw.deployments)
        }),
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
        "SLO {} over {}. Error ratio {}: {}. Deployment policy: {}.\n",
        percent(Some(b.slo_target)),
        length(chrono::Duration::seconds(b.window_seconds.round() as i64)),
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
            AlertSeverity::Page => "PAGE",
            AlertSeverity::Ticket => "TICKET",
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
            BurnTrend::Increasing => {
                "increasing (the last hour burns faster than the last 6 hours)"
            }
            BurnTrend::Recovering => {
                "recovering (the last hour burns slower than the last 6 hours)"
            }
            BurnTrend::Steady => "steady",
        };
        let _ = writeln!(out, "\nBurn trend: {word}.");
    }
    out.push('\n');
}

// ---- SPC ------------------------------------------------------------------------

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

/// For every metric the report charts, lower is better: shorter lead times, deploys
/// and recoveries, fewer failures and incidents. An unknown metric is judged neither.
fn lower_is_better(c: &SpcChart) -> Option<bool> {
    match c.metric {
        "lead_time"
        | "deploy_duration"
        | "recovery_time"
        | "change_failure_rate"
        | "incidents_per_deployment" => Some(true),
        _ => None,
    }
}

fn chart_value(c: &SpcChart, v: Option<f64>) -> String {
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
fn apart(c: &SpcChart, value: f64, limit: f64) -> (String, String) {
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

/// "2 of 14 deployments failed", "1 incident in 14 deployments".
fn counts(c: &SpcChart, count: f64, n: f64) -> String {
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

/// The value of point `i`, with its week's counts where they were recovered.
fn point_value(c: &SpcChart, ctx: Option<&ChartContext>, i: usize) -> String {
    let Some(p) = c.points.get(i) else {
        return NA.into();
    };
    let value = chart_value(c, Some(p.value));
    match ctx.and_then(|x| x.weeks.get(i).copied().flatten()) {
        Some(w) => format!("{value} ({})", counts(c, w.counts.count, w.counts.n)),
        None => value,
    }
}

/// Where point `i` is: a weekly chart's week, or a per-deployment chart's finish and
/// the deployment that finished then.
fn point_label(
    c: &SpcChart,
    ctx: Option<&ChartContext>,
    deployments: &[DeploymentReport],
    i: usize,
    tz: Tz,
) -> String {
    let Some(p) = c.points.get(i) else {
        return NA.into();
    };
    if c.chart != ChartKind::Xmr {
        return match ctx.and_then(|x| x.weeks.get(i).copied().flatten()) {
            Some(w) => format!("week from {} to {}", date(p.at, tz), date(w.end, tz)),
            None => format!("week of {}", date(p.at, tz)),
        };
    }
    match deployments.iter().find(|d| d.finished_at == Some(p.at)) {
        Some(d) => format!("{}, {} ({})", time(p.at, tz), cell(&d.version), cell(&d.id)),
        None => time(p.at, tz),
    }
}

/// σ at point `i`: from its upper limit (3σ above the centre) unless a p-chart's
/// limit is clamped at 1; then from the week's n.
fn sigma(c: &SpcChart, ctx: Option<&ChartContext>, i: usize) -> Option<f64> {
    let p = c.points.get(i)?;
    let l = p.limits;
    if !(l.center.is_finite() && l.ucl.is_finite()) {
        return None;
    }
    if c.chart != ChartKind::P || l.ucl < 1.0 {
        return Some((l.ucl - l.center) / 3.0);
    }
    let n = ctx?.weeks.get(i).copied().flatten()?.counts.n;
    Some((l.center * (1.0 - l.center) / n).max(0.0).sqrt())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Above,
    Below,
    Rising,
    Falling,
    /// Rules with no side (alternating, hugging, avoiding the centre).
    Neither,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Worse,
    Better,
    Neither,
}

/// Consecutive or overlapping trips of one rule on one side: one signal for people.
struct Group<'a> {
    chart: &'a SpcChart,
    rule: Rule,
    side: Side,
    /// The trip that completed the pattern last.
    last: &'a Signal,
    trips: usize,
    /// Every point of every trip, sorted.
    points: Vec<usize>,
}

impl Group<'_> {
    fn verdict(&self) -> Verdict {
        match (self.side, lower_is_better(self.chart)) {
            (Side::Above | Side::Rising, Some(true))
            | (Side::Below | Side::Falling, Some(false)) => Verdict::Worse,
            (Side::Below | Side::Falling, Some(true))
            | (Side::Above | Side::Rising, Some(false)) => Verdict::Better,
            _ => Verdict::Neither,
        }
    }
    fn first(&self) -> usize {
        self.points.first().copied().unwrap_or(self.last.index)
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
fn groups<'a>(c: &'a SpcChart, keep: impl Fn(&Signal) -> bool) -> Vec<Group<'a>> {
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
fn service_signals(s: &ServiceReport, window: Window) -> Vec<Group<'_>> {
    s.spc
        .iter()
        .flat_map(|c| groups(c, |sig| window.contains(sig.at)))
        .collect()
}

/// "above the upper limit of 1.6 d", "beyond 2 sigma below the centre (under 9.2 h)".
fn pattern(g: &Group<'_>, ctx: Option<&ChartContext>) -> String {
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
        let (Some(l), Some(sd)) = (limits, sigma(c, ctx, i)) else {
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

fn signal_line(
    g: &Group<'_>,
    ctx: Option<&ChartContext>,
    deployments: &[DeploymentReport],
    tz: Tz,
) -> String {
    let c = g.chart;
    let code = g.rule.code();
    if g.points.len() == 1 {
        let i = g.last.index;
        let mut value = point_value(c, ctx, i);
        if let Some((v, _)) = beyond_limit(g) {
            value = format!("{v}{}", value.find(" (").map_or("", |k| &value[k..]));
        }
        return format!(
            "- **{code}** {}: {}, {}. {}",
            point_label(c, ctx, deployments, i, tz),
            value,
            pattern(g, ctx),
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
                point_label(c, ctx, deployments, i, tz),
                point_value(c, ctx, i)
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
        pattern(g, ctx),
        meaning(g),
        listed.join("; ")
    )
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

fn kind(c: &SpcChart) -> &'static str {
    match c.chart {
        ChartKind::Xmr => "XmR",
        ChartKind::P => "p",
        ChartKind::U => "u",
    }
}

fn rule_set(set: RuleSet) -> &'static str {
    match set {
        RuleSet::WesternElectric => "Western Electric rules 1–4",
        RuleSet::Nelson => "Nelson rules 1–8",
    }
}

fn spc(out: &mut String, s: &ServiceReport, report: &ReportV1) {
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
    for (k, c) in s.spc.iter().enumerate() {
        let ctx = s.charts.get(k);
        let in_window = c.points.iter().filter(|p| window.contains(p.at)).count();
        let recent = groups(c, |sig| window.contains(sig.at)).len();
        let all = recent + groups(c, |sig| !window.contains(sig.at)).len();
        let signals = if all > recent {
            format!("{recent} ({all} in history)")
        } else {
            recent.to_string()
        };
        let centre = match (ctx.and_then(|x| x.baseline_counts), c.chart) {
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
                let of = point_label(c, ctx, &s.deployments, i, tz);
                match ctx.and_then(|x| x.weeks.get(i).copied().flatten()) {
                    Some(w) => format!(" ({of}, {:.0} deployments)", w.counts.n),
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
        } else if let Some(have) = ctx.and_then(|x| x.provisional) {
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
    for (k, c) in s.spc.iter().enumerate() {
        let recent = groups(c, |sig| window.contains(sig.at));
        if recent.is_empty() {
            continue;
        }
        any = true;
        let ctx = s.charts.get(k);
        let better = match lower_is_better(c) {
            Some(true) => " — lower is better",
            Some(false) => " — higher is better",
            None => "",
        };
        let _ = writeln!(out, "**{}**{better}:\n", chart_name(c));
        for g in &recent {
            let _ = writeln!(out, "{}", signal_line(g, ctx, &s.deployments, tz));
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

// ---- Deployments --------------------------------------------------------------------

/// Why a deployment needs attention, most pressing first; empty when it does not.
fn attention_reasons(d: &DeploymentReport) -> Vec<String> {
    let mut why = Vec::new();
    if d.failed {
        why.push("change failure".to_string());
    }
    if d.spike {
        why.push("error spike: likely cause".into());
    }
    if !d.incidents.is_empty() {
        why.push(format!("incidents {}", d.incidents.join(", ")));
    }
    if d.finished_at.is_none() {
        why.push("still running".into());
    }
    for r in &d.risk {
        if matches!(
            r,
            RiskFlag::Freeze | RiskFlag::BudgetFreeze | RiskFlag::Holiday
        ) {
            why.push(r.word().to_string());
        }
    }
    why
}

fn consumed(d: &DeploymentReport) -> String {
    match (d.budget_consumed, d.spike) {
        (v, true) => format!("{} (spike: likely cause)", percent(v)),
        (v, false) => percent(v),
    }
}

fn finished(d: &DeploymentReport, tz: Tz) -> String {
    d.finished_at
        .map_or_else(|| "running".into(), |f| time(f, tz))
}

/// Failed, spiking, incident-linked, running and freeze-time deployments first, in a
/// short table: what a reader must look at.
fn attention(out: &mut String, s: &ServiceReport, tz: Tz) {
    let mut flagged: Vec<(u8, &DeploymentReport, Vec<String>)> = s
        .deployments
        .iter()
        .filter_map(|d| {
            let why = attention_reasons(d);
            let tier = if d.failed {
                0
            } else if d.spike {
                1
            } else if !d.incidents.is_empty() {
                2
            } else if d.finished_at.is_none() {
                3
            } else {
                4
            };
            (!why.is_empty()).then_some((tier, d, why))
        })
        .collect();
    flagged.sort_by_key(|(tier, d, _)| (*tier, d.finished_at.is_none(), d.finished_at));
    let _ = writeln!(out, "### Deployments that need attention\n");
    if flagged.is_empty() {
        let _ = writeln!(
            out,
            "None: no deployment in the window failed, caused an error spike, has an incident, \
             is still running or went out during a freeze or holiday.\n"
        );
        return;
    }
    let _ = writeln!(
        out,
        "| Finished | Version | Deployment id | Status | Why | Budget consumed |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for (_, d, why) in &flagged {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            finished(d, tz),
            cell(&d.version),
            cell(&d.id),
            d.status,
            cell(&why.join("; ")),
            consumed(d),
        );
    }
    out.push('\n');
}

fn deployments(out: &mut String, s: &ServiceReport, tz: Tz) {
    let _ = writeln!(out, "### All deployments in the window\n");
    if s.deployments.is_empty() {
        let _ = writeln!(out, "No production deployment finished in the window.\n");
        return;
    }
    let _ = writeln!(
        out,
        "The audit trail: every production deployment that finished in the window, and any still running.\n"
    );
    let _ = writeln!(
        out,
        "| Finished | Version | Deployment id | Status | Change failure | Risk | Budget consumed | Incidents |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
    for d in &s.deployments {
        let risk: Vec<&str> = d.risk.iter().map(|r| r.word()).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            finished(d, tz),
            cell(&d.version),
            cell(&d.id),
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
            consumed(d),
            if d.incidents.is_empty() {
                "-".into()
            } else {
                cell(&d.incidents.join(", "))
            },
        );
    }
    out.push('\n');
}

// ---- How to read --------------------------------------------------------------------

fn how_to_read(out: &mut String, report: &ReportV1) {
    let _ = writeln!(out, "## How to read this report\n");
    let _ = writeln!(
        out,
        "**DORA figures.** Deployment frequency counts successful production deployments \
         per day (levels: elite ≥ 1 / day, high ≥ 1 / week, medium ≥ 1 / month, low below). \
         Lead time runs from a commit to the successful deployment that first shipped it \
         (elite < 1 day, high < 1 week, medium < 1 month); the first deployment ever seen \
         has no predecessor, so its commits are not counted. A change failure is a \
         deployment that failed, was rolled back, was followed within the failure window by \
         a rollback or hotfix, had an incident linked to it, or failed its canary; each \
         deployment counts once, and canceled ones are not counted (elite ≤ 5%, high ≤ 10%, \
         medium ≤ 15%). Recovery time runs from a failure to the next successful deployment \
         or the incident's resolution; failures not yet recovered are shown apart (elite < \
         1 h, high < 1 day, medium < 1 week). The rework rate (DORA 2024) is the share of \
         rollbacks and hotfixes; DORA defines no levels for it.\n"
    );
    let _ = writeln!(
        out,
        "**Trends** compare each figure with the same figure over the window of the same \
         length just before. Where the service has no deployment that finished before this \
         window, there is nothing to compare with: \"no history for the previous window\". \
         Where its history starts inside the previous window, the comparison says so.\n"
    );
    let _ = writeln!(
        out,
        "**Error budget.** Remaining budget is 1 − error ratio / (1 − SLO). Deployment \
         policy: above 50% normal; 20–50% caution (canary required, longer bake); 5–20% \
         restricted (critical fixes only); 0–5% frozen; overspent: hard freeze (emergency \
         patches only).\n"
    );
    let _ = writeln!(
        out,
        "**Statistical process control.** Each chart covers the whole history the data holds \
         up to the end of the window, not only the window. Its limits come from a baseline (its \
         first {} points, restarted at a process change, or the range configured as the \
         baseline) and are then held, so they do not move as the window slides. A signal \
         means the process changed, not that one value was bad. Lower limits of figures that \
         cannot be negative are shown at 0. Per-deployment charts (XmR) plot one point per \
         deployment, named by its version and id; the weekly p-chart (change failure rate) and \
         u-chart (incidents per deployment) plot one point per whole week, with the counts \
         behind it, and their limits vary with each week's number of deployments. Limits \
         computed from fewer points than a baseline takes are provisional. For every charted \
         figure lower is better, so a signal below the centre (a lead time below its lower \
         limit, say) is good news.\n",
        report.baseline
    );
    let rules: &[Rule] = match report.rules {
        RuleSet::WesternElectric => &[Rule::We1, Rule::We2, Rule::We3, Rule::We4],
        RuleSet::Nelson => &[
            Rule::N1,
            Rule::N2,
            Rule::N3,
            Rule::N4,
            Rule::N5,
            Rule::N6,
            Rule::N7,
            Rule::N8,
        ],
    };
    let _ = writeln!(
        out,
        "Run rules in use: {} (sigma is the spread the baseline shows). Consecutive or \
         overlapping trips of one rule on one side are one signal:\n",
        rule_set(report.rules)
    );
    for r in rules {
        let _ = writeln!(out, "- {}: {}.", r.code(), r.description());
    }
    out.push('\n');
}
