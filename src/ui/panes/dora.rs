//! The five DORA keys as tiles: value, the counts behind it, level badge, and a trend
//! arrow against the previous window (arrow = direction of the figure, style and word
//! = whether that direction is good).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::app::PaneId;
use crate::metrics::{Dora, Level, Trend};
use crate::ui::paint::{put, width};
use crate::ui::theme::{Sym, Theme};
use crate::ui::widgets::tile::Tile;
use crate::ui::{format, Ctx};

use super::dora_detail;

/// The arrow (direction) and the verdict (better/worse) of `current` against
/// `previous`; the verdict is the metrics engine's.
fn compare(current: Option<f64>, previous: Option<f64>, lower_is_better: bool) -> (Sym, Trend) {
    let trend = crate::metrics::trend::compare(current, previous, !lower_is_better);
    let arrow = match (trend, current, previous) {
        (Trend::Better | Trend::Worse, Some(c), Some(p)) if c > p => Sym::Up,
        (Trend::Better | Trend::Worse, _, _) => Sym::Down,
        _ => Sym::Flat,
    };
    (arrow, trend)
}

/// The verdict's word, the mark that stands for it where the word does not fit, and
/// its style: better and worse differ in shape, not only in colour.
fn trend_look(trend: Trend, theme: &Theme) -> (&'static str, &'static str, Style) {
    match trend {
        Trend::Better => ("better", theme.sym(Sym::Ok), theme.ok()),
        Trend::Worse => ("worse", theme.sym(Sym::Fail), theme.bad()),
        Trend::Same => ("same", "", theme.plain()),
        Trend::Unknown => ("new", "?", theme.muted()),
    }
}

fn badge(level: Option<Level>) -> &'static str {
    match level {
        Some(Level::Elite) => "[ELITE]",
        Some(Level::High) => "[HIGH]",
        Some(Level::Medium) => "[MEDIUM]",
        Some(Level::Low) => "[LOW]",
        None => "[n/a]",
    }
}

/// Narrow tiles share a row between badge and counts: a shorter badge leaves the
/// counts room.
fn short_badge(badge: &'static str) -> &'static str {
    match badge {
        "[MEDIUM]" => "[MED]",
        "[no level]" => "[--]",
        other => other,
    }
}

struct TileData {
    name: (&'static str, &'static str),
    value: String,
    /// Longest form first (see `Tile::counts`).
    counts: Vec<String>,
    level: Option<Level>,
    badge: &'static str,
    current: Option<f64>,
    previous: Option<f64>,
    lower_is_better: bool,
}

fn tiles(cur: &Dora, prev: &Dora) -> [TileData; 5] {
    let days = (cur.window.seconds() / 86_400.0).round();
    let f = &cur.deployment_frequency;
    let freq_value = match f.per_day {
        Some(d) if d >= 1.0 => format!("{d:.1}/day"),
        Some(d) => format!("{:.1}/week", d * 7.0),
        None => format::NA.to_string(),
    };
    let dpw = f
        .deployment_days_per_week
        .map(|d| (format!(", {d:.1} days/wk"), format!(", {d:.1} d/wk")));
    let (dpw_long, dpw_short) = dpw.unwrap_or_default();
    let n = f.deployments;
    let freq_counts = vec![
        format!("{n} in {days:.0}d{dpw_long}"),
        format!("{n} in {days:.0}d{dpw_short}"),
        format!("{n} in {days:.0}d"),
        format!("n={n}"),
    ];
    let l = &cur.lead_time;
    let p90 = format::opt_secs(l.p90_seconds);
    let lead_counts = vec![
        format!("{} changes, p90 {p90}", l.changes),
        format!("{} chg, p90 {p90}", l.changes),
        format!("{} changes", l.changes),
        format!("n={}", l.changes),
    ];
    let c = &cur.change_failure_rate;
    let r = &cur.recovery_time;
    let recovery_counts = if r.ongoing > 0 {
        vec![
            format!("{} recovered, {} ongoing", r.failures, r.ongoing),
            format!("{} rec, {} ongoing", r.failures, r.ongoing),
            format!("n={}+{} open", r.failures, r.ongoing),
            format!("n={}+{}", r.failures, r.ongoing),
        ]
    } else {
        vec![
            format!("{} recovered", r.failures),
            format!("n={}", r.failures),
        ]
    };
    let w = &cur.rework_rate;
    [
        TileData {
            name: ("Deploy frequency", "Deploys"),
            value: freq_value,
            counts: freq_counts,
            level: f.level,
            badge: badge(f.level),
            current: f.per_day,
            previous: prev.deployment_frequency.per_day,
            lower_is_better: false,
        },
        TileData {
            name: ("Lead time p50", "Lead time"),
            value: format::opt_secs(l.p50_seconds),
            counts: lead_counts,
            level: l.level,
            badge: badge(l.level),
            current: l.p50_seconds,
            previous: prev.lead_time.p50_seconds,
            lower_is_better: true,
        },
        TileData {
            name: ("Change failure rate", "Change fail"),
            value: format::opt_percent(c.rate, 1),
            counts: vec![
                format::of(c.failed, c.deployments),
                format!("{}/{}", c.failed, c.deployments),
            ],
            level: c.level,
            badge: badge(c.level),
            current: c.rate,
            previous: prev.change_failure_rate.rate,
            lower_is_better: true,
        },
        TileData {
            name: ("Recovery time p50", "Recovery"),
            value: format::opt_secs(r.p50_seconds),
            counts: recovery_counts,
            level: r.level,
            badge: badge(r.level),
            current: r.p50_seconds,
            previous: prev.recovery_time.p50_seconds,
            lower_is_better: true,
        },
        TileData {
            name: ("Rework rate", "Rework"),
            value: format::opt_percent(w.rate, 1),
            counts: vec![
                format::of(w.rework, w.deployments),
                format!("{}/{}", w.rework, w.deployments),
            ],
            level: None,
            // DORA defines no levels for rework.
            badge: "[no level]",
            current: w.rate,
            previous: prev.rework_rate.rate,
            lower_is_better: true,
        },
    ]
}

/// Rows a tile uses when it has them all (name, value, counts, badge).
const TILE_ROWS: u16 = 4;

/// What the pane says instead of tiles when there are no deployments to count: the
/// reason first, then what would give figures.
pub fn unavailable_lines(reason: &str) -> [String; 3] {
    if reason == crate::app::NO_DEPLOYMENTS_YET {
        return [
            format!("{reason}: the deployment sources have listed none so far"),
            "DORA counts deployments; figures appear with the first one".to_string(),
            "the header says whether each source answered".to_string(),
        ];
    }
    [
        format!("{reason}: none of the configured sources lists deployments"),
        "DORA counts deployments; Prometheus deploy markers only mark the charts".to_string(),
        "configure [gitlab], or run with --demo to see DORA on demo data".to_string(),
    ]
}

pub fn draw(ctx: &Ctx, area: Rect, buf: &mut Buffer) {
    let theme = ctx.theme;
    if let Some(reason) = ctx.model.dora_unavailable() {
        let inner = ctx.pane_box(PaneId::Dora, "production", area, buf);
        for (row, line) in unavailable_lines(reason).iter().enumerate() {
            let style = if row == 0 {
                theme.warn()
            } else {
                theme.muted()
            };
            put(buf, inner, 1, row as u16, line, style);
        }
        return;
    }
    let Some(svc) = ctx.service() else {
        let inner = ctx.pane_box(PaneId::Dora, "", area, buf);
        put(buf, inner, 1, 0, "no DORA figures yet", theme.muted());
        return;
    };
    let days = (svc.dora.window.seconds() / 86_400.0).round();
    let inner = ctx.pane_box(
        PaneId::Dora,
        &format!("production, last {days:.0}d vs previous"),
        area,
        buf,
    );
    if inner.width < 5 || inner.height == 0 {
        return;
    }
    // Zoomed with room to spare: the tiles keep their natural height and the detail
    // (both windows side by side, every count, the level bands) fills the rest.
    let zoomed = ctx.model.ui.zoomed == Some(PaneId::Dora);
    let tiles_h = TILE_ROWS + 1;
    let tiles_area = if zoomed && inner.height >= tiles_h + dora_detail::ROWS {
        let detail = Rect::new(
            inner.x + 1,
            inner.y + tiles_h,
            inner.width.saturating_sub(2),
            inner.height - tiles_h,
        );
        let tz = ctx.model.view.tz;
        dora_detail::draw(&svc.dora, &svc.dora_previous, tz, detail, buf, theme);
        Rect::new(inner.x, inner.y, inner.width, TILE_ROWS)
    } else {
        inner
    };
    let inner = tiles_area;
    let tile_w = inner.width / 5;
    for (i, t) in tiles(&svc.dora, &svc.dora_previous).iter().enumerate() {
        let x = inner.x + 1 + i as u16 * tile_w;
        let w = if i == 4 {
            inner.right().saturating_sub(x)
        } else {
            tile_w.saturating_sub(1)
        };
        let rect = Rect::new(x, inner.y, w.saturating_sub(1), inner.height);
        let (arrow, trend) = compare(t.current, t.previous, t.lower_is_better);
        let (word, mark, trend_style) = trend_look(trend, theme);
        let name = if width(t.name.0) <= usize::from(rect.width) {
            t.name.0
        } else {
            t.name.1
        };
        Tile {
            name,
            value: &t.value,
            value_style: theme.bold(),
            arrow: theme.sym(arrow),
            trend_word: word,
            trend_mark: mark,
            trend_style,
            counts: &t.counts,
            badge: if rect.width < 18 {
                short_badge(t.badge)
            } else {
                t.badge
            },
            badge_style: theme.level(t.level),
        }
        .render(rect, buf, theme);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_deployment_source_the_pane_says_so_instead_of_zeros() {
        let mut model = crate::ui::fixture::model();
        let derived = crate::ui::fixture::derived(&model);
        let theme = Theme::new(false, false);
        let shown = |model: &crate::app::Model, zoom: bool| {
            let mut model = model.clone();
            model.ui.zoomed = zoom.then_some(PaneId::Dora);
            let ctx = Ctx {
                model: &model,
                derived: &derived,
                theme: &theme,
            };
            let mut buf = Buffer::empty(Rect::new(0, 0, 100, 20));
            draw(&ctx, buf.area, &mut buf);
            crate::ui::buffer_to_text(&buf)
        };
        // The demo delivers deployments: figures.
        assert!(shown(&model, false).contains("[ELITE]"));
        // A real config whose sources list none: the reason, never "0.0/week [LOW]".
        model.view.demo = false;
        model.data.deployments = Vec::new().into();
        let every = Some(chrono::Duration::seconds(30));
        model.sources = vec![crate::app::SourceStatus::new("prometheus", every)];
        for zoom in [false, true] {
            let text = shown(&model, zoom);
            assert!(text.contains("no deployment source"), "{text}");
            for figure in ["/week", "/day", "[LOW]", "[ELITE]", "n/a"] {
                assert!(!text.contains(figure), "{figure} in {text}");
            }
        }
        // A configured GitLab that has listed nothing yet is not "no source".
        model
            .sources
            .push(crate::app::SourceStatus::new("gitlab", every));
        for zoom in [false, true] {
            let text = shown(&model, zoom);
            assert!(text.contains("no deployments yet"), "{text}");
            assert!(!text.contains("no deployment source"), "{text}");
            for figure in ["/week", "/day", "[LOW]", "[ELITE]", "n/a"] {
                assert!(!text.contains(figure), "{figure} in {text}");
            }
        }
    }

    #[test]
    fn better_and_worse_differ_without_colour_at_every_width() {
        // A tile at any width shows, beside the arrow, the verdict's word or a mark
        // that differs between better and worse, never a bare arrow.
        for ascii in [false, true] {
            let theme = Theme::new(false, ascii);
            let (better, worse) = (
                trend_look(Trend::Better, &theme),
                trend_look(Trend::Worse, &theme),
            );
            assert_ne!(better.1, worse.1);
            // From the width that holds value, arrow and mark; below it the cut is marked.
            for w in 10..=30u16 {
                let mut seen = Vec::new();
                for (trend, arrow) in [(Trend::Better, Sym::Up), (Trend::Worse, Sym::Up)] {
                    let (word, mark, style) = trend_look(trend, &theme);
                    let mut buf = Buffer::empty(Rect::new(0, 0, w, 4));
                    Tile {
                        name: "Lead time",
                        value: "10h 12m",
                        value_style: Style::new(),
                        arrow: theme.sym(arrow),
                        trend_word: word,
                        trend_mark: mark,
                        trend_style: style,
                        counts: &[],
                        badge: "[ELITE]",
                        badge_style: Style::new(),
                    }
                    .render(buf.area, &mut buf, &theme);
                    let text = crate::ui::buffer_to_text(&buf);
                    seen.push(text.lines().nth(1).unwrap_or_default().to_string());
                }
                assert_ne!(seen[0], seen[1], "width {w} ascii {ascii}: {seen:?}");
            }
        }
    }

    #[test]
    fn trend_direction_and_goodness() {
        assert_eq!(
            compare(Some(2.0), Some(1.0), false),
            (Sym::Up, Trend::Better)
        );
        assert_eq!(compare(Some(2.0), Some(1.0), true), (Sym::Up, Trend::Worse));
        assert_eq!(
            compare(Some(0.5), Some(1.0), true),
            (Sym::Down, Trend::Better)
        );
        assert_eq!(
            compare(Some(1.0), Some(1.005), true),
            (Sym::Flat, Trend::Same)
        );
        assert_eq!(compare(None, Some(1.0), true), (Sym::Flat, Trend::Unknown));
        assert_eq!(
            compare(Some(0.0), Some(0.0), true),
            (Sym::Flat, Trend::Same)
        );
    }
}
