//! Colours, symbols and border characters. Two switches decide everything: `color`
//! (16 ANSI colours, or none at all for NO_COLOR / --no-color) and `ascii` (no byte
//! above 0x7F, for terminals whose locale is not UTF-8). Every status is drawn as a
//! symbol *and* a word, so nothing depends on colour alone.

use ratatui::style::{Color, Modifier, Style};

use crate::app::Health;
use crate::metrics::{BurnTrend, Level, Policy};
use crate::model::DeployStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// 16-colour palette when true; monochrome (plain, bold, reversed, underlined) when false.
    pub color: bool,
    /// ASCII only: no braille, no box drawing, no byte above 0x7F.
    pub ascii: bool,
    /// Colours for a light background: no yellow or cyan text, which vanish on white.
    pub light: bool,
}

/// The characters a box is drawn with.
#[derive(Debug, Clone, Copy)]
pub struct BorderChars {
    pub top_left: &'static str,
    pub top_right: &'static str,
    pub bottom_left: &'static str,
    pub bottom_right: &'static str,
    pub horizontal: &'static str,
    pub vertical: &'static str,
}

const PLAIN: BorderChars = BorderChars {
    top_left: "┌",
    top_right: "┐",
    bottom_left: "└",
    bottom_right: "┘",
    horizontal: "─",
    vertical: "│",
};
const THICK: BorderChars = BorderChars {
    top_left: "┏",
    top_right: "┓",
    bottom_left: "┗",
    bottom_right: "┛",
    horizontal: "━",
    vertical: "┃",
};
const ASCII_PLAIN: BorderChars = BorderChars {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    horizontal: "-",
    vertical: "|",
};
// The focused pane reads as focused in ASCII monochrome too: '=' instead of '-'.
const ASCII_FOCUS: BorderChars = BorderChars {
    top_left: "#",
    top_right: "#",
    bottom_left: "#",
    bottom_right: "#",
    horizontal: "=",
    vertical: "|",
};

/// Symbols whose glyph depends on the ASCII switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sym {
    Ok,
    Fail,
    Rollback,
    Running,
    Canceled,
    Stale,
    Pending,
    Up,
    Down,
    Flat,
    Ellipsis,
    /// A point that trips a run rule.
    Signal,
    /// Vertical deployment marker in charts.
    Marker,
    /// Horizontal reference line in charts.
    HLine,
    /// Dashed horizontal line (control limits).
    Dashed,
    Cursor,
    Unchecked,
    Separator,
    GaugeFull,
    GaugeEmpty,
    Fetching,
}

impl Theme {
    pub fn new(color: bool, ascii: bool) -> Self {
        Theme {
            color,
            ascii,
            light: false,
        }
    }

    /// The same theme for a light background.
    pub fn for_light_background(self) -> Self {
        Theme {
            light: true,
            ..self
        }
    }

    fn pick(&self, colored: Style, mono: Style) -> Style {
        if !self.color {
            mono
        } else if self.light {
            // Text colours that read on white; backgrounds (the badge) stay.
            let fg = colored.fg.map(|c| match c {
                Color::Yellow => Color::Magenta,
                Color::Cyan => Color::Blue,
                Color::DarkGray => Color::Black,
                other => other,
            });
            Style { fg, ..colored }
        } else {
            colored
        }
    }

    pub fn plain(&self) -> Style {
        Style::new()
    }
    pub fn ok(&self) -> Style {
        self.pick(Style::new().fg(Color::Green), Style::new())
    }
    pub fn warn(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Yellow),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }
    pub fn bad(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }
    pub fn info(&self) -> Style {
        self.pick(Style::new().fg(Color::Cyan), Style::new())
    }
    pub fn muted(&self) -> Style {
        self.pick(Style::new().fg(Color::DarkGray), Style::new())
    }
    pub fn bold(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    pub fn heading(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Blue).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::UNDERLINED),
        )
    }
    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.pick(
                Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
                Style::new().add_modifier(Modifier::BOLD),
            )
        } else {
            self.muted()
        }
    }
    pub fn selection(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    /// A badge (DEMO, level): reversed so it reads in monochrome.
    pub fn badge(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Black).bg(Color::Yellow),
            Style::new().add_modifier(Modifier::REVERSED),
        )
    }
    pub fn chart(&self) -> Style {
        self.pick(Style::new().fg(Color::Cyan), Style::new())
    }
    pub fn chart_alt(&self) -> Style {
        self.pick(Style::new().fg(Color::Magenta), Style::new())
    }

    pub fn borders(&self, focused: bool) -> &'static BorderChars {
        match (self.ascii, focused) {
            (false, false) => &PLAIN,
            (false, true) => &THICK,
            (true, false) => &ASCII_PLAIN,
            (true, true) => &ASCII_FOCUS,
        }
    }

    pub fn sym(&self, sym: Sym) -> &'static str {
        let (utf8, ascii) = match sym {
            Sym::Ok => ("✓", "+"),
            Sym::Fail => ("✗", "x"),
            Sym::Rollback => ("↺", "<"),
            Sym::Running => ("●", "*"),
            Sym::Canceled => ("○", "o"),
            Sym::Stale => ("!", "!"),
            // Not "…": that is the mark of cut text.
            Sym::Pending => ("◦", "."),
            Sym::Up => ("▲", "^"),
            Sym::Down => ("▼", "v"),
            Sym::Flat => ("►", "="),
            Sym::Ellipsis => ("…", "~"),
            Sym::Signal => ("◆", "X"),
            Sym::Marker => ("│", "|"),
            Sym::HLine => ("─", "-"),
            Sym::Dashed => ("┄", "-"),
            Sym::Cursor => ("›", ">"),
            Sym::Unchecked => ("[ ]", "[ ]"),
            Sym::Separator => ("·", "|"),
            Sym::GaugeFull => ("█", "#"),
            Sym::GaugeEmpty => ("░", "."),
            Sym::Fetching => ("↻", "@"),
        };
        if self.ascii {
            ascii
        } else {
            utf8
        }
    }

    /// Symbol and style of a deployment status (the word comes from `DeployStatus::word`).
    pub fn status(&self, status: DeployStatus) -> (&'static str, Style) {
        match status {
            DeployStatus::Running => (self.sym(Sym::Running), self.info()),
            DeployStatus::Success => (self.sym(Sym::Ok), self.ok()),
            DeployStatus::Failed => (self.sym(Sym::Fail), self.bad()),
            DeployStatus::RolledBack => (self.sym(Sym::Rollback), self.warn()),
            DeployStatus::Canceled => (self.sym(Sym::Canceled), self.muted()),
        }
    }

    pub fn health(&self, health: &Health) -> (&'static str, Style) {
        match health {
            Health::Pending => (self.sym(Sym::Pending), self.muted()),
            Health::Ok => (self.sym(Sym::Ok), self.ok()),
            Health::Stale { .. } => (self.sym(Sym::Stale), self.warn()),
            Health::Error => (self.sym(Sym::Fail), self.bad()),
        }
    }

    pub fn policy(&self, policy: Policy) -> Style {
        match policy {
            Policy::Normal => self.ok(),
            Policy::Caution => self.warn(),
            Policy::Restricted | Policy::Frozen | Policy::HardFreeze => self.bad(),
        }
    }

    pub fn level(&self, level: Option<Level>) -> Style {
        match level {
            Some(Level::Elite) | Some(Level::High) => self.ok(),
            Some(Level::Medium) => self.warn(),
            Some(Level::Low) => self.bad(),
            None => self.muted(),
        }
    }

    /// Arrow and style of a burn trend: increasing burn is bad.
    pub fn burn_trend(&self, trend: BurnTrend) -> (&'static str, Style) {
        match trend {
            BurnTrend::Increasing => (self.sym(Sym::Up), self.bad()),
            BurnTrend::Recovering => (self.sym(Sym::Down), self.ok()),
            BurnTrend::Steady => (self.sym(Sym::Flat), self.plain()),
        }
    }
}

#[cfg(test)]
mod ellipsis_tests {
    use super::*;

    #[test]
    fn only_the_ellipsis_looks_like_cut_text() {
        use Sym::*;
        let all = [
            Ok, Fail, Rollback, Running, Canceled, Stale, Pending, Up, Down, Flat, Ellipsis,
            Signal, Marker, HLine, Dashed, Cursor, Unchecked, Separator, GaugeFull, GaugeEmpty,
            Fetching,
        ];
        for ascii in [false, true] {
            let t = Theme::new(true, ascii);
            let cut = t.sym(Ellipsis);
            for s in all.into_iter().filter(|s| *s != Ellipsis) {
                assert_ne!(t.sym(s), cut, "{s:?} reads as cut text (ascii {ascii})");
                assert!(!t.sym(s).contains('…'), "{s:?}");
            }
        }
    }
}

#[cfg(test)]
mod light_tests {
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::style::Color;

    use super::Theme;
    use crate::ui::{fixture, render};

    #[test]
    fn the_light_theme_draws_no_text_that_vanishes_on_white() {
        let model = fixture::model();
        let derived = fixture::derived(&model);
        let colours = |theme: Theme| {
            let mut buf = Buffer::empty(Rect::new(0, 0, 120, 40));
            render(&mut buf, &model, &derived, &theme);
            buf.content.iter().map(|c| c.fg).collect::<Vec<_>>()
        };
        let dark = colours(Theme::new(true, false));
        assert!(dark.contains(&Color::Yellow) && dark.contains(&Color::Cyan));
        let light = colours(Theme::new(true, false).for_light_background());
        for pale in [Color::Yellow, Color::Cyan, Color::White, Color::DarkGray] {
            assert!(
                !light.contains(&pale),
                "{pale:?} text on a light background"
            );
        }
        assert!(light.iter().any(|c| *c != Color::Reset), "still in colour");
    }
}
