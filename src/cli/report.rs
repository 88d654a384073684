//! `flightdeck report`: the headless report on the demo or the configured sources.

use std::process::ExitCode;

use chrono::Utc;
use color_eyre::eyre::Result;

use super::{ReportArgs, ReportFormat};
use crate::config::Config;
use crate::headless;
use crate::metrics::Inputs;
use crate::report;

/// Exit code for a mistake in the command line (an unknown service, a bad window):
/// the same as for a config the user must fix.
const EXIT_USAGE: u8 = 2;

/// A user's mistake: one line on stderr, no backtrace, exit code 2.
fn usage_error(message: &str) -> ExitCode {
    let line = format!("flightdeck report: {message}");
    super::output::say(&line);
    ExitCode::from(EXIT_USAGE)
}

/// The report as asked; the markdown in plain ASCII when `ascii` (`--ascii`, or a
/// locale that is not UTF-8: see [`report::to_ascii`]). JSON stays UTF-8, as JSON is.
pub fn run(
    config: &Config,
    demo: bool,
    seed: u64,
    args: &ReportArgs,
    ascii: bool,
) -> Result<ExitCode> {
    let window = match report::parse_window(&args.window) {
        Ok(w) => w,
        Err(e) => return Ok(usage_error(&format!("--window {:?}: {e}", args.window))),
    };
    let at = args.at.unwrap_or_else(Utc::now);
    let app = if demo {
        headless::demo_app(config, seed, at)
    } else {
        headless::live_app(config, at)?
    };
    let data = &app.model.data;
    if let Some(name) = &args.service {
        if !data.services.iter().any(|s| s == name) {
            let known = if data.services.is_empty() {
                "none are configured".to_string()
            } else {
                format!("known services: {}", data.services.join(", "))
            };
            return Ok(usage_error(&format!(
                "--service {name:?}: no such service; {known}"
            )));
        }
    }
    let inputs = Inputs {
        deployments: &data.deployments,
        incidents: &data.incidents,
        ratios: &data.ratios,
        series: &data.series,
        annotations: &data.annotations,
    };
    let mut built = report::build(
        &inputs,
        &data.services,
        &app.settings,
        at,
        window,
        args.service.as_deref(),
    );
    if let Some(reason) = app.model.dora_unavailable() {
        built.dora_unavailable(reason);
    }
    let text = match args.format {
        ReportFormat::Json => format!("{}\n", report::to_json(&built)),
        ReportFormat::Markdown if ascii => report::to_ascii(&report::to_markdown(&built)),
        ReportFormat::Markdown => report::to_markdown(&built),
    };
    super::output::emit(&text)
}
