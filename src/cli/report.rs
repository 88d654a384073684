//! `flightdeck report`: the headless report on the demo or the configured sources.

use std::process::ExitCode;

use chrono::Utc;
use color_eyre::eyre::{eyre, Result};

use super::{ReportArgs, ReportFormat};
use crate::config::Config;
use crate::headless;
use crate::metrics::Inputs;
use crate::report;

pub fn run(config: &Config, demo: bool, seed: u64, args: &ReportArgs) -> Result<ExitCode> {
    let window =
        report::parse_window(&args.window).map_err(|e| eyre!("--window {:?}: {e}", args.window))?;
    let at = args.at.unwrap_or_else(Utc::now);
    let app = if demo {
        headless::demo_app(config, seed, at)
    } else {
        headless::live_app(config)?
    };
    let data = &app.model.data;
    if let Some(name) = &args.service {
        if !data.services.iter().any(|s| s == name) {
            return Err(eyre!(
                "no service named {name:?}; known services: {}",
                data.services.join(", ")
            ));
        }
    }
    let inputs = Inputs {
        deployments: &data.deployments,
        incidents: &data.incidents,
        ratios: &data.ratios,
        series: &data.series,
        annotations: &data.annotations,
    };
    let built = report::build(
        &inputs,
        &data.services,
        &app.settings,
        at,
        window,
        args.service.as_deref(),
    );
    let text = match args.format {
        ReportFormat::Json => format!("{}\n", report::to_json(&built)),
        ReportFormat::Markdown => report::to_markdown(&built),
    };
    super::output::emit(&text)
}
