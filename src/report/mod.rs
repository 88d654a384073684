//! The headless report (DESIGN §4): `flightdeck.report.v1` as JSON or markdown. The
//! JSON keys are a stable interface; a figure that cannot be computed is `null`,
//! never 0. The markdown form is the same report for people.

mod ascii;
mod build;
mod format;
mod markdown;

pub use ascii::to_ascii;
pub use build::{build, DeploymentReport, ReportV1, ServiceReport, SCHEMA};
pub use markdown::to_markdown;

/// The `--window` flag: "30d", "12h", "2w" (see [`crate::metrics::duration`]).
pub use crate::metrics::duration::{parse_duration as parse_window, DurationError};

/// The report as pretty-printed JSON (NaN and missing figures are `null`).
pub fn to_json(report: &ReportV1) -> String {
    // Serializing plain structs of numbers, strings and options cannot fail; an
    // error here would be a bug, reported in the output rather than by a panic.
    serde_json::to_string_pretty(report)
        .unwrap_or_else(|e| format!("{{\"schema\": \"{SCHEMA}\", \"error\": \"{e}\"}}"))
}
