//! The "Incidents linked to no deployment" section: incidents neither the tracker nor
//! the link window tie to a counted production deployment, each with the reason.

use std::fmt::Write;

use crate::report::build::ReportV1;
use crate::report::format::cell;

/// The section; the caller renders it only when there are such incidents.
pub(super) fn unlinked(out: &mut String, report: &ReportV1) {
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
