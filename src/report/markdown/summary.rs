//! The "Summary" section: one table for a steering committee, one row per service
//! with its DORA figures and levels, error budget, SPC signals and failed deployments.

use std::fmt::Write;

use crate::metrics::types::Level;
use crate::report::build::ReportV1;
use crate::report::format::{cell, duration, number, percent, NA};

use super::spc_signals::{service_signals, Verdict};

/// One table for a steering committee: one row per service.
pub(super) fn summary(out: &mut String, report: &ReportV1) {
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
        if let Some(reason) = s.dora_unavailable {
            let none = format!("{NA} ({reason})");
            let _ = writeln!(
                out,
                "| {} | {none} | {none} | {none} | {none} | {budget} | {signal_cell} | {none} |",
                cell(&s.service),
            );
            continue;
        }
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

/// "2.43 (elite)": a figure with its level.
fn with_level(figure: String, l: Option<Level>) -> String {
    match l {
        Some(l) => format!("{figure} ({})", l.word()),
        None => figure,
    }
}
