//! `[theme]`: the cockpit's colours (`--theme` overrides it; `--no-color` and
//! `NO_COLOR` always win: monochrome).

use serde::Deserialize;

/// A named theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ThemeName {
    /// The 16 ANSI colours, for dark backgrounds.
    #[default]
    Default,
    /// The 16 ANSI colours without yellow or cyan text, for light backgrounds.
    Light,
    /// No colour: bold, reversed and underlined only.
    Mono,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThemeConfig {
    pub name: ThemeName,
}
