//! Footer: the last action's one-line answer (the flash), then key hints from the one
//! key table; when narrow, the least important hints are dropped (by rank).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::paint::{fit, put, put_spans, width};
use super::theme::Sym;
use super::Ctx;
use crate::app::keys::{offered, FOOTER};

/// Cells one hint takes: key, space, word, two spaces.
fn hint_width(key: &str, what: &str) -> usize {
    width(key) + width(what) + 3
}

/// The hints that fit in `room` cells, in the table's order: the lowest ranks first
/// claim the room, so a narrow footer keeps what the README points at.
pub fn hints(room: usize, demo: bool) -> Vec<(&'static str, &'static str)> {
    let mut by_rank: Vec<usize> = (0..FOOTER.len())
        .filter(|&i| offered(FOOTER[i].0, demo))
        .collect();
    by_rank.sort_by_key(|&i| FOOTER[i].2);
    let mut used = 0;
    let mut kept = vec![false; FOOTER.len()];
    for i in by_rank {
        let (key, what, _) = FOOTER[i];
        // The last hint's trailing spaces may fall off the edge.
        let need = hint_width(key, what);
        if used + need - 2 > room {
            // Strict priority: a shorter, less important hint never displaces one
            // that ranks above it.
            break;
        }
        used += need;
        kept[i] = true;
    }
    FOOTER
        .iter()
        .zip(kept)
        .filter(|(_, k)| *k)
        .map(|((key, what, _), _)| (*key, *what))
        .collect()
}

pub fn draw(ctx: &Ctx, area: Rect, buf: &mut Buffer) {
    let theme = ctx.theme;
    let mut col: u16 = 0;
    if let Some(flash) = &ctx.model.ui.flash {
        // The answer to what the user just pressed matters more than the hints.
        let text = format!("{} {flash}", theme.sym(Sym::Cursor));
        let shown = fit(&text, usize::from(area.width), theme);
        col = put(buf, area, 0, 0, &shown, theme.bold());
        col = col.saturating_add(3);
    }
    let room = usize::from(area.width.saturating_sub(col));
    for (key, what) in hints(room, ctx.model.view.demo) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(room: usize, demo: bool) -> Vec<&'static str> {
        hints(room, demo).into_iter().map(|(k, _)| k).collect()
    }

    #[test]
    fn a_narrow_footer_keeps_what_the_readme_points_at() {
        // 80 columns: quit, help, refresh and (in the demo) rollback always stay.
        for demo in [false, true] {
            let k = keys(80, demo);
            for must in ["q", "?", "r"] {
                assert!(k.contains(&must), "demo={demo}: {k:?} lacks {must}");
            }
            assert_eq!(k.contains(&"b"), demo, "demo={demo}: {k:?}");
        }
        // Whatever the width, a hint is kept only if every lower rank is kept too.
        for room in 0..140 {
            let k = keys(room, true);
            for (key, _, rank) in FOOTER {
                if k.contains(key) {
                    for (other, _, r) in FOOTER {
                        if r < rank {
                            assert!(k.contains(other), "{room}: {key} kept, {other} dropped");
                        }
                    }
                }
            }
            let used: usize = hints(room, true)
                .iter()
                .map(|(k, w)| hint_width(k, w))
                .sum();
            assert!(used.saturating_sub(2) <= room, "{room}: {used}");
        }
        // Wide enough, every hint, in the table's order.
        let all: Vec<&str> = FOOTER.iter().map(|(k, _, _)| *k).collect();
        assert_eq!(keys(200, true), all);
    }
}
