//! Command-line arguments (clap). Every subcommand has `--help`.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};

/// A release-health cockpit for the terminal: deployments, error budgets, DORA, SPC.
///
/// With no config file (or with --demo) it runs on an embedded, live demo.
#[derive(Debug, Parser)]
#[command(name = "flightdeck", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Cmd>,

    /// Config file (default: the platform config dir, e.g. ~/.config/flightdeck/config.toml)
    #[arg(long, global = true, env = "FLIGHTDECK_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Run on the embedded demo even when a config exists
    #[arg(long, global = true)]
    pub demo: bool,

    /// ASCII only: no box drawing, no braille, no byte above 0x7F (automatic when the
    /// locale is not UTF-8)
    #[arg(long, global = true)]
    pub ascii: bool,

    /// Monochrome (also when NO_COLOR is set); every status still reads as a word
    #[arg(long, global = true)]
    pub no_color: bool,

    /// Colours: default (16 colours, dark background), light (light background) or
    /// mono; overrides `[theme] name` in the config
    #[arg(long, global = true, value_enum, value_name = "NAME")]
    pub theme: Option<crate::config::ThemeName>,

    /// Seed of the demo data (the same seed gives the same demo)
    #[arg(long, global = true, value_name = "N")]
    pub seed: Option<u64>,

    /// Capture the mouse: the wheel scrolls the deployments table (hold Shift to select
    /// text in most terminals). Off by default so copying a version or key just works.
    #[arg(long)]
    pub mouse: bool,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Print one rendered frame as plain text and exit
    Snapshot(SnapshotArgs),
    /// Print the release-health report (DORA, error budget, SPC) as JSON or markdown
    Report(ReportArgs),
    /// May this service be deployed now? Exit 0 deploy, 1 hold (reasons one a line),
    /// 2 could not decide (fails closed; see --fail-open) or a usage mistake
    Gate(GateArgs),
    /// Check the config and reach every configured source
    Doctor,
    /// Print a shell completion script (e.g. `source <(flightdeck completions bash)`)
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the man page (roff), e.g. `flightdeck man > flightdeck.1`
    Man,
    /// Post-release reviews: list them, export one, verify the audit chain.
    #[command(subcommand)]
    Review(ReviewCmd),
    /// Print the demo's history as OpenMetrics (used by scripts/live-demo)
    #[command(hide = true)]
    ExportOpenmetrics {
        /// Days of history
        #[arg(long, default_value_t = 30)]
        days: u32,
        /// End of the history (RFC 3339; default: now)
        #[arg(long, value_parser = parse_at)]
        at: Option<DateTime<Utc>>,
    },
}

/// Shells `flightdeck completions` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// `flightdeck review …`: read the review records in the cache file (`[cache] path`).
#[derive(Debug, Subcommand)]
pub enum ReviewCmd {
    /// Every review: id, when, what, template, checks and action items.
    List,
    /// One review's record: the checklist with evidence, findings, action items with
    /// their tracker keys.
    Export {
        /// The review's id (or a unique prefix of it).
        id: String,
        #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
        format: ReportFormat,
    },
    /// Checks the audit log's hash chain; exits 1 and names the first broken record
    /// when any record was edited, deleted or moved.
    Verify,
    /// Sends the queued action items to the tracker without the cockpit (from cron or a
    /// pipeline): exits 0 when every item is sent, 1 when some failed or are still
    /// being retried when the time is up.
    Sync {
        /// Give up waiting after this many seconds (items stay queued for the next run).
        #[arg(long, default_value_t = 120)]
        timeout: u64,
        /// Also retry the items that failed (after you fixed what their reason names).
        #[arg(long)]
        retry_failed: bool,
    },
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// Frame size as WIDTHxHEIGHT
    #[arg(long, default_value = "120x40", value_parser = parse_size)]
    pub size: (u16, u16),
    /// Render the demo at this instant (RFC 3339); the same instant gives the same bytes
    #[arg(long, value_parser = parse_at)]
    pub at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
    pub format: ReportFormat,
    /// End of the window (RFC 3339; default: now)
    #[arg(long, value_parser = parse_at)]
    pub at: Option<DateTime<Utc>>,
    /// Window length, e.g. 30d, 12h, 2w
    #[arg(long, default_value = "30d")]
    pub window: String,
    /// Only this service
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GateFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct GateArgs {
    /// The service to deploy
    #[arg(long, value_name = "NAME")]
    pub service: String,
    /// The environment to deploy to (aliases such as prod are normalized)
    #[arg(long, value_name = "NAME", default_value = "production")]
    pub env: String,
    /// Output format (JSON: the flightdeck.gate.v1 schema)
    #[arg(long, value_enum, default_value_t = GateFormat::Text)]
    pub format: GateFormat,
    /// Decide as of this instant (RFC 3339; default: now)
    #[arg(long, value_parser = parse_at)]
    pub at: Option<DateTime<Utc>>,
    /// The change is a critical fix: a RESTRICTED error budget lets it through
    #[arg(long)]
    pub critical_fix: bool,
    /// When the gate cannot decide (a source down, no SLO data), allow the deploy with
    /// a warning instead of exit 2
    #[arg(long)]
    pub fail_open: bool,
}

/// Parses `120x40` into (width, height).
pub fn parse_size(s: &str) -> Result<(u16, u16), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("expected WIDTHxHEIGHT such as 120x40, got {s:?}"))?;
    let parse = |v: &str, what: &str| {
        v.trim()
            .parse::<u16>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| format!("{what} must be a number from 1 to 1000, got {v:?}"))
    };
    Ok((parse(w, "width")?, parse(h, "height")?))
}

/// Parses an RFC 3339 instant (`2026-11-22T14:00:00Z`, offsets allowed).
pub fn parse_at(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("expected an RFC 3339 time such as 2026-11-22T14:00:00Z ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes_parse_and_reject() {
        assert_eq!(parse_size("120x40"), Ok((120, 40)));
        assert_eq!(parse_size("80X24"), Ok((80, 24)));
        assert!(parse_size("120").is_err());
        assert!(parse_size("0x10").is_err());
        assert!(parse_size("axb").is_err());
    }

    #[test]
    fn instants_parse_with_offsets() {
        let t = parse_at("2026-11-22T15:00:00+01:00").expect("valid RFC 3339");
        assert_eq!(t.to_rfc3339(), "2026-11-22T14:00:00+00:00");
        assert!(parse_at("yesterday").is_err());
    }

    #[test]
    fn global_flags_work_after_subcommands() {
        let cli = Cli::try_parse_from([
            "flightdeck",
            "snapshot",
            "--demo",
            "--ascii",
            "--size",
            "80x24",
        ])
        .expect("valid command line");
        assert!(cli.demo && cli.ascii);
        match cli.command {
            Some(Cmd::Snapshot(a)) => assert_eq!(a.size, (80, 24)),
            other => panic!("expected snapshot, got {other:?}"),
        }
    }
}
