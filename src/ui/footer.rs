//! Footer: the last action's one-line answer (the flash), then key hints from the one
//! key table, dropped from the end when narrow.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::paint::{fit, put, put_spans, width};
use super::theme::Sym;
use super::Ctx;
use crate::app::keys::FOOTER;

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
    for (key, what) in FOOTER {
        let need = width(key) + width(what) + 3;
        if usize::from(col) + need > usize::from(area.width) {
            break;
        }
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
