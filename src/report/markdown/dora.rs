//! A service's "DORA" section: the four keys and the rework rate, each with the counts
//! behind it, its level and its trend against the previous window of the same length.

use std::fmt::Write;

use crate::zone::Tz;

use crate::metrics::trend::compare;
use crate::metrics::types::Trend;
use crate::model::Ts;
use crate::report::build::ServiceReport;
use crate::report::format::{date, duration, level, number, percent};

/// What the rework rate shows as its level: DORA gives it none, and "n/a" would read
/// as missing data.
const NO_LEVEL: &str = "— (DORA defines none)";

pub(super) fn dora(out: &mut String, s: &ServiceReport, span: &str, tz: Tz) {
    let (d, p) = (&s.dora, &s.previous);
    let reach = reach(s);
    let _ = writeln!(out, "### DORA\n");
    if let Some(reason) = s.dora_unavailable {
        let _ = writeln!(
            out,
            "Not computed: {reason}. DORA counts deployments, and none of the configured \
             sources lists them (deploy markers from Prometheus only mark the charts). \
             Run with `--demo` to see the figures on demo data.\n"
        );
        return;
    }
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
