//! A service's "Error budget" section: SLO, error ratio, remaining budget and the
//! deployment policy it sets, burn rates, firing alerts and the burn trend.

use std::fmt::Write;

use crate::metrics::types::{AlertSeverity, BurnTrend};
use crate::report::build::ServiceReport;
use crate::report::format::{length, number, percent, NA};

pub(super) fn budget(out: &mut String, s: &ServiceReport) {
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
