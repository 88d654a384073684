//! `flightdeck gate`: one round of the sources (or the demo) at an instant, the engine's
//! figures for the service, and the gate's decision as the exit code.

use std::process::ExitCode;

use chrono::Utc;
use color_eyre::eyre::Result;

use super::{GateArgs, GateFormat};
use crate::config::Config;
use crate::gate::{self, GateFacts, GateOptions, GateReport, SourceState};
use crate::headless;
use crate::model::environment;
use crate::store::CACHE_SOURCE_ID;

/// Exit code for a mistake in the command line, the same as "could not decide": a
/// pipeline must not deploy on it.
const EXIT_USAGE: u8 = 2;

pub fn run(config: &Config, demo: bool, seed: u64, args: &GateArgs) -> Result<ExitCode> {
    let at = args.at.unwrap_or_else(Utc::now);
    let app = if demo {
        headless::demo_app(config, seed, at)
    } else {
        headless::live_app(config, at)?
    };
    let data = &app.model.data;
    if !data.services.contains(&args.service) {
        let known = if data.services.is_empty() {
            "none are configured".to_string()
        } else {
            format!("known services: {}", data.services.join(", "))
        };
        let line = format!(
            "flightdeck gate: --service {:?}: no such service; {known}",
            args.service
        );
        super::output::say(&line);
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    let aliases = &config.environments.aliases;
    let normalize = |e: &str| environment::normalize(e, aliases);
    let env = normalize(&args.env);
    let running = gate::running_at(data.deployments.iter(), &args.service, &env, normalize, at);
    // The cache only speeds up a start: the live sources are asked whatever it holds.
    let sources: Vec<SourceState> = app
        .model
        .sources
        .iter()
        .filter(|s| s.id != CACHE_SOURCE_ID)
        .map(|s| {
            let health = s.health(app.model.now);
            let error = match health {
                crate::app::Health::Error => {
                    s.last_error.as_ref().map(|(_, e)| e.message.to_string())
                }
                _ => None,
            };
            SourceState {
                id: s.id.clone(),
                health,
                error,
            }
        })
        .collect();
    let budget = app
        .derived
        .services
        .get(&args.service)
        .and_then(|d| d.budget.as_ref());
    let facts = GateFacts {
        service: &args.service,
        at,
        budget,
        calendar: &app.settings.calendar,
        running: &running,
        sources: &sources,
    };
    let options = GateOptions {
        critical_fix: args.critical_fix,
        fail_open: args.fail_open,
    };
    let decision = gate::decide(&facts, options);
    let report = GateReport::new(decision, &args.service, &env, at, budget, &sources);
    let text = match args.format {
        GateFormat::Text => gate::to_text(&report),
        GateFormat::Json => gate::to_json(&report),
    };
    super::output::emit(&text)?;
    Ok(ExitCode::from(report.exit_code))
}
