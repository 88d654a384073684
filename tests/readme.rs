//! The README is part of the product: what it says about keys and flags must be what
//! the binary does.

use flightdeck::app::command_line::COMMANDS;
use flightdeck::app::keys::KEYS;

const README: &str = include_str!("../README.md");

#[test]
fn the_readme_keys_table_is_the_bound_key_table() {
    for b in KEYS {
        let cells: Vec<String> = b
            .keys
            .split(',')
            .map(|k| format!("`{}`", k.trim()))
            .collect();
        let row = format!(
            "| {} | {} | {} |",
            cells.join(", "),
            b.what,
            b.scope.heading().to_lowercase()
        );
        assert!(README.contains(&row), "README lacks the row {row:?}");
    }
    let rows = README
        .lines()
        .skip_while(|l| !l.starts_with("## Keys"))
        .take_while(|l| !l.starts_with("## Commands"))
        .filter(|l| l.starts_with("| `"))
        .count();
    for (command, what) in COMMANDS {
        let row = format!("| `{command}` | {what} |");
        assert!(README.contains(&row), "README lacks the row {row:?}");
    }
    assert_eq!(
        rows,
        KEYS.len() + COMMANDS.len(),
        "the README lists keys or commands that are not bound"
    );
}

#[test]
fn the_readme_has_no_unfilled_placeholder() {
    for marker in [
        "<!-- SNAPSHOT -->",
        "<!-- KEYS -->",
        "<!-- PERF -->",
        "TODO",
    ] {
        assert!(!README.contains(marker), "README still holds {marker}");
    }
}

/// The README's picture of the cockpit is what `flightdeck snapshot --demo --at` draws
/// today; `scripts/readme-snapshot` rewrites it after a change to the panes.
#[test]
fn the_readme_snapshot_is_the_current_rendering() {
    use flightdeck::{cli, config, headless, snapshot, sources, ui};
    let cfg =
        config::load_str(cli::DEMO_CONFIG, std::path::Path::new("demo.toml")).expect("demo config");
    let at = "2026-11-20T14:00:00Z".parse().expect("instant");
    let app = headless::demo_app(&cfg, sources::demo::DEFAULT_SEED, at);
    let frame = snapshot::render_app(&app, &ui::Theme::new(true, false), 120, 40);
    let block = README
        .split("<!-- snapshot:begin -->\n```text\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```\n<!-- snapshot:end -->").next())
        .expect("README holds the snapshot markers");
    assert!(
        block == frame,
        "README's snapshot is out of date: run scripts/readme-snapshot"
    );
}
