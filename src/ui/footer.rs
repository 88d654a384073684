//! Footer: the last action's one-line answer (the flash), then key hints from the one
//! key table; when narrow, the least important hints are dropped (by rank).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::paint::{fit, put, put_spans, width};
use super::theme::Sym;
use super::Ctx;
use crate::app::keys::{acts_on, offered, Hint, KEYS};

/// Cells one hint takes: key, space, word, two spaces.
fn hint_width(key: &str, what: &str) -> usize {
    width(key) + width(what) + 3
}

/// The footer's hints on the screen shown (the fleet or the cockpit), in the table's
/// order.
pub fn offered_hints(demo: bool, fleet: bool) -> Vec<Hint> {
    KEYS.iter()
        .filter(|b| acts_on(b.scope, fleet))
        .filter_map(|b| b.hint)
        .filter(|h| offered(h.key, demo))
        .collect()
}

/// The hints that fit in `room` cells, in the table's order: the lowest ranks first
/// claim the room, so a narrow footer keeps what the README points at.
pub fn hints(room: usize, demo: bool, fleet: bool) -> Vec<(&'static str, &'static str)> {
    let all = offered_hints(demo, fleet);
    let mut by_rank: Vec<usize> = (0..all.len()).collect();
    by_rank.sort_by_key(|&i| all[i].rank);
    let mut used = 0;
    let mut kept = vec![false; all.len()];
    for i in by_rank {
        let Hint { key, word, .. } = all[i];
        // The last hint's trailing spaces may fall off the edge.
        let need = hint_width(key, word);
        if used + need - 2 > room {
            // Strict priority: a shorter, less important hint never displaces one
            // that ranks above it.
            break;
        }
        used += need;
        kept[i] = true;
    }
    all.iter()
        .zip(kept)
        .filter(|(_, k)| *k)
        .map(|(h, _)| (h.key, h.word))
        .collect()
}

/// While a review form is open every other key types: the footer offers the form's.
pub fn form_hints() -> Vec<(&'static str, &'static str)> {
    KEYS.iter()
        .filter(|b| b.scope == crate::app::keys::Scope::Form)
        .filter_map(|b| b.hint)
        .map(|h| (h.key, h.word))
        .collect()
}

pub fn draw(ctx: &Ctx, area: Rect, buf: &mut Buffer) {
    let theme = ctx.theme;
    if let Some(line) = &ctx.model.ui.command {
        draw_command_line(ctx, line, area, buf);
        return;
    }
    let mut col: u16 = 0;
    if let Some(flash) = &ctx.model.ui.flash {
        // The answer to what the user just pressed matters more than the hints.
        let text = format!("{} {flash}", theme.sym(Sym::Cursor));
        let shown = fit(&text, usize::from(area.width), theme);
        col = put(buf, area, 0, 0, &shown, theme.bold());
        col = col.saturating_add(3);
    }
    let room = usize::from(area.width.saturating_sub(col));
    let shown = if ctx.model.ui.review_form.is_some() {
        form_hints()
    } else {
        hints(room, ctx.model.view.demo, ctx.model.ui.fleet.open)
    };
    for (key, what) in shown {
        col = put_spans(
            buf,
            area,
            col,
            0,
            &[
                (key, theme.selection()),
                (" ", theme.plain()),
                (what, theme.muted()),
                ("  ", theme.plain()),
            ],
        );
    }
}

/// `:` and the text typed, the cell under the cursor reversed; a long line scrolls
/// so the cursor stays on screen.
fn draw_command_line(
    ctx: &Ctx,
    line: &crate::app::command_line::CommandLine,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = ctx.theme;
    let chars: Vec<char> = line.text().chars().collect();
    let room = usize::from(area.width.saturating_sub(2)).max(1);
    let first = line.cursor().saturating_sub(room - 1);
    let shown: String = chars.iter().skip(first).take(room).collect();
    let col = put(buf, area, 0, 0, ":", theme.bold());
    put(buf, area, col, 0, &shown, theme.plain());
    let under = chars
        .get(line.cursor())
        .map_or(" ".to_string(), |c| c.to_string());
    let at: String = chars[first..line.cursor().min(chars.len())]
        .iter()
        .collect();
    let x = col.saturating_add(u16::try_from(width(&at)).unwrap_or(u16::MAX));
    put(buf, area, x, 0, &under, theme.selection());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(room: usize, demo: bool, fleet: bool) -> Vec<&'static str> {
        hints(room, demo, fleet)
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    }

    #[test]
    fn a_narrow_footer_keeps_what_the_readme_points_at() {
        for fleet in [false, true] {
            // 80 columns: quit, help, refresh and (in the demo's cockpit) rollback
            // always stay.
            for demo in [false, true] {
                let k = keys(80, demo, fleet);
                for must in ["q", "?", "r"] {
                    assert!(k.contains(&must), "demo={demo}: {k:?} lacks {must}");
                }
                assert_eq!(k.contains(&"b"), demo && !fleet, "demo={demo}: {k:?}");
            }
            // Whatever the width, a hint is kept only if every lower rank is kept too.
            let all = offered_hints(true, fleet);
            for room in 0..140 {
                let k = keys(room, true, fleet);
                for h in &all {
                    if k.contains(&h.key) {
                        for other in &all {
                            if other.rank < h.rank {
                                assert!(
                                    k.contains(&other.key),
                                    "{room}: {} kept, {} dropped",
                                    h.key,
                                    other.key
                                );
                            }
                        }
                    }
                }
                let used: usize = hints(room, true, fleet)
                    .iter()
                    .map(|(k, w)| hint_width(k, w))
                    .sum();
                assert!(used.saturating_sub(2) <= room, "{room}: {used}");
            }
            // Wide enough, every hint, in the table's order.
            let every: Vec<&str> = all.iter().map(|h| h.key).collect();
            assert_eq!(keys(200, true, fleet), every);
        }
    }

    #[test]
    fn each_screen_offers_only_its_own_keys() {
        let cockpit = keys(200, true, false);
        let fleet = keys(200, true, true);
        assert!(cockpit.contains(&"Tab") && !fleet.contains(&"Tab"));
        assert!(fleet.contains(&"o") && !cockpit.contains(&"o"));
    }
}
