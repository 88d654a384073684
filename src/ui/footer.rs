//! Footer: key hints from the one key table, dropped from the end when narrow.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::paint::{put_spans, width};
use super::Ctx;
use crate::app::keys::FOOTER;

pub fn draw(ctx: &Ctx, area: Rect, buf: &mut Buffer) {
    let theme = ctx.theme;
    let mut col: u16 = 0;
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
