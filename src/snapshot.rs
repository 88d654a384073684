//! `flightdeck snapshot`: one frame rendered as plain text, for incident channels, the
//! README and tests. On the demo with `--at`, the same instant gives the same bytes.

use chrono::Utc;
use color_eyre::eyre::Result;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::app::App;
use crate::cli::SnapshotArgs;
use crate::config::Config;
use crate::headless;
use crate::ui::{self, Theme};

/// Renders the frame the cockpit would show at `--at` (default now): the demo, or the
/// configured sources after one round of fetches about that instant.
pub fn render(
    config: &Config,
    demo: bool,
    seed: u64,
    args: &SnapshotArgs,
    theme: Theme,
) -> Result<String> {
    let at = args.at.unwrap_or_else(Utc::now);
    let app = if demo {
        headless::demo_app(config, seed, at)
    } else {
        headless::live_app(config, at)?
    };
    let (w, h) = args.size;
    Ok(render_app(&app, &theme, w, h))
}

/// Draws the app into an off-screen buffer and returns it as text.
pub fn render_app(app: &App, theme: &Theme, width: u16, height: u16) -> String {
    let mut buf = Buffer::empty(Rect::new(0, 0, width, height));
    ui::render(&mut buf, &app.model, &app.derived, theme);
    ui::buffer_to_text(&buf)
}
