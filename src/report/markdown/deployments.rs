//! A service's "All deployments in the window" section: the audit trail, every
//! production deployment that finished in the window and any still running.

use std::fmt::Write;

use crate::zone::Tz;

use crate::report::build::ServiceReport;
use crate::report::format::cell;

use super::{consumed, finished};

pub(super) fn deployments(out: &mut String, s: &ServiceReport, tz: Tz) {
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
