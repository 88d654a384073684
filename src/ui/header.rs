//! Header: name, DEMO badge, service selector and clock on the first line; each
//! source's health (symbol + word + data age) on the second.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::paint::{put, put_right, put_spans, width};
use super::theme::Sym;
use super::{format, Ctx};
use crate::app::{Health, Model};

pub fn draw(ctx: &Ctx, area: Rect, buf: &mut Buffer) {
    let (model, theme) = (ctx.model, ctx.theme);
    let clock = format::clock(model.now, model.view.tz);
    let clock_col = put_right(buf, area, 0, &clock, theme.bold());
    // A firing page alert is shown whatever the focus, zoom or selected service; it
    // keeps its place before the clock and the service list gives way to it.
    let pages = page_alert_text(&firing_pages(ctx));
    let mut right_edge = clock_col.saturating_sub(1);
    if let Some(text) = pages {
        let room = Rect::new(area.x, area.y, right_edge, 1);
        let text = format!("{} {text}", theme.sym(Sym::Up));
        right_edge = put_right(buf, room, 0, &text, theme.bad()).saturating_sub(1);
    }
    // Everything left of the clock (and of the alert) is clipped one cell before it.
    let left = Rect::new(area.x, area.y, right_edge, area.height.min(1));
    let mut col = put(buf, left, 0, 0, "flightdeck", theme.heading());
    if model.view.demo {
        // The demo's clock runs fast (its story fits in a minute): say so.
        let speed = format!(
            " {}{} time",
            if theme.ascii { "x" } else { "×" },
            crate::sources::demo::SPEED
        );
        col = put_spans(
            buf,
            left,
            col,
            0,
            &[
                (" ", theme.plain()),
                (" DEMO ", theme.badge()),
                (&speed, theme.bold()),
            ],
        );
    }
    col = put(buf, left, col, 0, "  ", theme.plain());
    if model.data.services.is_empty() {
        put(buf, left, col, 0, "no services yet", theme.muted());
    }
    for (i, name) in model.data.services.iter().enumerate() {
        if i == model.ui.service {
            col = put_spans(
                buf,
                left,
                col,
                0,
                &[
                    ("[", theme.bold()),
                    (name, theme.border(true)),
                    ("] ", theme.bold()),
                ],
            );
        } else {
            col = put_spans(
                buf,
                left,
                col,
                0,
                &[(name, theme.plain()), (" ", theme.plain())],
            );
        }
    }
    // The hint whole or not at all: cut short it reads as a stray bracket.
    let hint = " [/] service";
    if model.data.services.len() > 1 && usize::from(col) + hint.len() <= usize::from(left.width) {
        put(buf, left, col, 0, hint, theme.muted());
    }

    if area.height < 2 {
        return;
    }
    let mut col = 0;
    for source in &model.sources {
        let health = source.health(model.now);
        let (sym, style) = theme.health(&health);
        let tz = model.view.tz;
        let mut detail = match &health {
            Health::Ok => source
                .age(model.now)
                .map(format::duration)
                .unwrap_or_default(),
            Health::Stale { since } => format!("since {}", format::since(*since, model.now, tz)),
            // What is on screen is as old as the last good fetch.
            Health::Error => source.last_ok.map_or_else(
                || "no data".to_string(),
                |at| format!("data from {}", format::since(at, model.now, tz)),
            ),
            Health::Pending => String::new(),
        };
        if let (Health::Error, Some(wait)) = (&health, source.next_try_in(model.now)) {
            // Say when the cockpit will know more: the backoff or the server's wait.
            detail = format!(
                "{detail} {} next try in {}",
                theme.sym(Sym::Separator),
                format::duration(round_up(wait))
            );
        }
        if !source.warnings.is_empty() {
            let n = source.warnings.len();
            let s = if n == 1 { "" } else { "s" };
            detail = format!("{detail} {n} warning{s}").trim_start().to_string();
        }
        // Records the source could not use: counted here, listed under `h`.
        let rejected = rejected_count(model, &source.id);
        if rejected > 0 {
            detail = format!("{detail} {rejected} rejected")
                .trim_start()
                .to_string();
        }
        if let Some((records, pages)) = source.progress {
            // A long sync: how far it got, and that what it read is already shown.
            let so_far = crate::sources::progress::short(records, pages);
            detail = format!("{detail} {so_far}").trim_start().to_string();
        }
        let fetching = if source.fetching {
            if theme.ascii {
                " @"
            } else {
                " ↻"
            }
        } else {
            // The indicator's slot stays when it is off, so that a fetch starting or
            // ending never shifts the line (nor redraws the sources after it).
            "  "
        };
        let piece_w = width(sym)
            + width(&source.id)
            + width(health.word())
            + width(&detail)
            + width(fetching)
            + 5;
        if usize::from(col) + piece_w > usize::from(area.width) && col > 0 {
            // Not enough room for this source: say how many are left out.
            put(buf, area, col, 1, theme.sym(Sym::Ellipsis), theme.muted());
            break;
        }
        col = put_spans(
            buf,
            area,
            col,
            1,
            &[
                (sym, style),
                (" ", theme.plain()),
                (&source.id, theme.plain()),
                (" ", theme.plain()),
                (health.word(), style),
            ],
        );
        if !detail.is_empty() {
            col = put_spans(
                buf,
                area,
                col,
                1,
                &[(" ", theme.plain()), (&detail, theme.muted())],
            );
        }
        col = put_spans(
            buf,
            area,
            col,
            1,
            &[(fetching, theme.info()), ("  ", theme.plain())],
        );
    }
    if model.sources.is_empty() {
        put(buf, area, 0, 1, "no sources configured", theme.muted());
    } else if usize::from(col) + 17 <= usize::from(area.width) {
        put(buf, area, col, 1, "h: source details", theme.muted());
    }
}

/// Whole seconds, rounded up: a wait of 11.4 s reads "12s", never "0s" while waiting.
pub(super) fn round_up(wait: chrono::Duration) -> chrono::Duration {
    let ms = wait.num_milliseconds().max(0);
    chrono::Duration::seconds((ms + 999) / 1000)
}

/// The services whose page alert fires, in display order.
pub(super) fn firing_pages<'a>(ctx: &Ctx<'a>) -> Vec<&'a str> {
    let derived = &ctx.derived.services;
    ctx.model
        .data
        .services
        .iter()
        .filter(|name| {
            derived.get(name.as_str()).is_some_and(|s| {
                s.budget.as_ref().is_some_and(|b| {
                    b.alerts
                        .iter()
                        .any(|a| a.severity == crate::metrics::AlertSeverity::Page)
                })
            })
        })
        .map(String::as_str)
        .collect()
}

/// "PAGE checkout", "PAGE checkout, search"; `None` when nothing pages.
pub(super) fn page_alert_text(services: &[&str]) -> Option<String> {
    (!services.is_empty()).then(|| format!("PAGE {}", services.join(", ")))
}

#[cfg(test)]
#[path = "header_tests.rs"]
mod tests;

/// How many records source `id` delivered that could not be used (the data-quality
/// view under `h` lists them).
fn rejected_count(model: &Model, id: &str) -> usize {
    model
        .data
        .rejected
        .iter()
        .filter(|r| r.source == id)
        .count()
}
