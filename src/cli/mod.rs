//! The command line: parse flags, load the config, and run the chosen command.

mod args;
mod completions;
mod env;
mod gate;
mod output;
mod report;
mod review;
mod review_sync;

pub use args::{
    parse_at, parse_size, Cli, Cmd, GateArgs, GateFormat, ReportArgs, ReportFormat, ReviewCmd,
    Shell, SnapshotArgs,
};

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use color_eyre::eyre::{eyre, Result};

use crate::app::QuitReason;
use crate::config::{self, Config, ConfigSource};
use crate::runtime::{self, RunOptions};
use crate::ui::Theme;

/// The embedded demo's configuration (services, SLOs, calendar).
pub const DEMO_CONFIG: &str = include_str!("../../assets/demo.toml");

/// Exit code for a config the user must fix (distinct from a runtime failure).
const EXIT_CONFIG: u8 = 2;

/// Runs the command line; errors are returned for `main` to print after the terminal
/// is restored.
pub fn run(cli: Cli) -> Result<ExitCode> {
    // Generated from the command line's definition alone: no config is read.
    match cli.command {
        Some(Cmd::Completions { shell }) => return output::emit(&completions::script(shell)),
        Some(Cmd::Man) => return output::emit(&completions::man_page()?),
        _ => {}
    }
    let (config, source) = match config::load(cli.config.as_deref()) {
        Ok(loaded) => loaded,
        // The demo needs nothing from the user's config: a broken one must not keep
        // anyone from looking around while they fix it.
        Err(errors) if cli.demo => {
            eprintln!(
                "flightdeck: ignoring the config ({} error{}) for --demo; `flightdeck doctor` lists them",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            );
            (Config::default(), ConfigSource::None)
        }
        Err(errors) => {
            if errors.len() == 1 {
                output::say(&format!("flightdeck: config error: {}", errors.first()));
            } else {
                output::say(&format!("flightdeck: {} config errors:", errors.len()));
                for e in &errors {
                    output::say(&format!("  {e}"));
                }
            }
            eprintln!(
                "  see config.example.toml for every key; to look around meanwhile, run \
                 `flightdeck --demo` (it needs no config)"
            );
            return Ok(ExitCode::from(EXIT_CONFIG));
        }
    };
    let theme = theme(&cli, &config);
    // Review records live in the user's cache file, demo or not.
    let review_path = config
        .cache
        .path
        .clone()
        .or_else(crate::store::default_path);
    let demo = cli.demo || source == ConfigSource::None;
    if let ConfigSource::File(path) = &source {
        if let Some(warning) = crate::net::secret::credential_warning(path, &config) {
            output::say(&format!("flightdeck: warning: {warning}"));
        }
        // Doctor lists each one; every other command says once that there are some.
        let left_out = config.slo_files_read.notes.len();
        if left_out > 0 && !matches!(cli.command, Some(Cmd::Doctor)) {
            output::say(&format!(
                "flightdeck: warning: {left_out} item(s) of [[slo_files]] left out (flightdeck cannot express them); `flightdeck doctor` lists them"
            ));
        }
    }
    let config = if demo { demo_config(&config)? } else { config };
    let seed = cli.seed.unwrap_or(crate::sources::demo::DEFAULT_SEED);

    match cli.command {
        None => {
            if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
                return Err(eyre!(
                    "the cockpit needs a terminal on stdin and stdout; \
                     for plain text use `flightdeck snapshot` or `flightdeck report`"
                ));
            }
            let reason = runtime::run(RunOptions {
                config,
                demo,
                seed,
                theme,
                mouse: cli.mouse,
            })?;
            if let QuitReason::Shutdown(r) = reason {
                eprintln!("flightdeck: stopped: {}", r.describe());
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Snapshot(args)) => {
            let frame = crate::snapshot::render(&config, demo, seed, &args, theme)?;
            output::emit(&format!("{frame}\n"))
        }
        Some(Cmd::Report(args)) => {
            // A report written to a file is a UTF-8 document whatever the locale; to a
            // terminal, it follows the cockpit's rule (ASCII when asked or not UTF-8).
            let ascii = cli.ascii || (theme.ascii && std::io::stdout().is_terminal());
            report::run(&config, demo, seed, &args, ascii)
        }
        Some(Cmd::Gate(args)) => gate::run(&config, demo, seed, &args),
        Some(Cmd::Review(ReviewCmd::Sync {
            timeout,
            retry_failed,
        })) => {
            let path = review_path.ok_or_else(|| eyre!("no cache path: set [cache] path"))?;
            let wait = std::time::Duration::from_secs(timeout);
            review_sync::run(&config, &path, wait, retry_failed)
        }
        Some(Cmd::Review(cmd)) => {
            let path = review_path.ok_or_else(|| eyre!("no cache path: set [cache] path"))?;
            review::run(&path, &cmd)
        }
        Some(Cmd::Doctor) => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()?;
            let mut out = std::io::stdout();
            let ok = rt.block_on(crate::doctor::run(&config, &source, &mut out));
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Some(Cmd::Completions { .. } | Cmd::Man) => Ok(ExitCode::SUCCESS),
        Some(Cmd::ExportOpenmetrics { days, at }) => {
            let end = at.unwrap_or_else(chrono::Utc::now);
            output::emit(&crate::sources::prometheus::backfill::demo_openmetrics(
                end, days,
            ))
        }
    }
}

/// The demo's config, keeping the user's time zone when they have a config.
fn demo_config(user: &Config) -> Result<Config> {
    let mut demo = config::load_str(DEMO_CONFIG, Path::new("<embedded demo config>"))
        .map_err(|e| eyre!("the embedded demo config is invalid: {e}"))?;
    if user.general.timezone != config::GeneralConfig::default().timezone {
        demo.general.timezone = user.general.timezone.clone();
    }
    Ok(demo)
}

/// Whether error and panic reports must be plain text: the user asked for no colour
/// (`--no-color`, NO_COLOR, TERM=dumb) or stderr is not a terminal. Decided from the raw
/// arguments because the reporter is installed before they are parsed.
pub fn plain_error_output(args: &[std::ffi::OsString]) -> bool {
    args.iter().any(|a| a == "--no-color")
        || env::no_color_requested(env::process_env)
        || !std::io::stderr().is_terminal()
}

/// `--no-color` and `NO_COLOR` win, then `--theme`, then `[theme] name`.
fn theme(cli: &Cli, config: &Config) -> Theme {
    let name = cli.theme.unwrap_or(config.theme.name);
    let color = !(cli.no_color
        || env::no_color_requested(env::process_env)
        || name == config::ThemeName::Mono);
    let ascii = cli.ascii || !env::locale_is_utf8(env::process_env);
    let theme = Theme::new(color, ascii);
    if name == config::ThemeName::Light {
        theme.for_light_background()
    } else {
        theme
    }
}
