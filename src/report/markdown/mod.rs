//! The report for people: what a release manager hands to a steering committee. A
//! summary table first (one row per service), then each service's DORA figures with
//! the counts behind every rate, its level and its trend against the previous window,
//! its error budget, its SPC signals in the window explained in words, the deployments
//! that need attention and the complete list of the window's deployments (the audit
//! trail). How to read the figures is explained once, at the end.
//!
//! This module holds the entry point, the order of the sections and the helpers
//! several sections share; each section is rendered by its own file.

mod attention;
mod budget;
mod deployments;
mod dora;
mod explain;
mod incidents;
mod spc;
mod spc_signals;
mod spc_values;
mod spc_wording;
mod summary;

use std::fmt::Write;

use crate::zone::Tz;

use crate::metrics::settings::RuleSet;

use super::build::{DeploymentReport, ReportV1, ServiceReport};
use super::format::{cell, length, percent, time};

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
        summary::summary(&mut out, report);
    }
    for s in &report.services {
        service(&mut out, s, report, &span);
    }
    if !report.unlinked_incidents.is_empty() {
        incidents::unlinked(&mut out, report);
    }
    explain::how_to_read(&mut out, report);
    out
}

/// One service's sections, in the order a reader needs them.
fn service(out: &mut String, s: &ServiceReport, report: &ReportV1, span: &str) {
    let tz = report.tz;
    let _ = writeln!(out, "## {} ({})\n", cell(&s.service), s.environment);
    dora::dora(out, s, span, tz);
    budget::budget(out, s);
    spc::spc(out, s, report);
    attention::attention(out, s, tz);
    deployments::deployments(out, s, tz);
}

/// The run rules' name, in the SPC section and in "How to read this report".
pub(super) fn rule_set(set: RuleSet) -> &'static str {
    match set {
        RuleSet::WesternElectric => "Western Electric rules 1–4",
        RuleSet::Nelson => "Nelson rules 1–8",
    }
}

/// A deployment's budget consumed, and whether its error spike makes it the likely cause.
pub(super) fn consumed(d: &DeploymentReport) -> String {
    match (d.budget_consumed, d.spike) {
        (v, true) => format!("{} (spike: likely cause)", percent(v)),
        (v, false) => percent(v),
    }
}

/// A deployment's finish, or "running".
pub(super) fn finished(d: &DeploymentReport, tz: Tz) -> String {
    d.finished_at
        .map_or_else(|| "running".into(), |f| time(f, tz))
}
