//! Cell-level drawing primitives that never panic: every write is clipped to the
//! given area and to the buffer. Panes draw only through these (or through widgets
//! built on them), which is what makes "no panic at any size" hold.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;

use super::theme::{Sym, Theme};

/// Display width of a string in cells.
pub fn width(s: &str) -> usize {
    Span::raw(s).width()
}

/// Writes `s` at column `col` of row `row` of `area`, clipped to the area and the buffer.
/// Returns the column after the text (relative to `area`).
pub fn put(buf: &mut Buffer, area: Rect, col: u16, row: u16, s: &str, style: Style) -> u16 {
    let area = area.intersection(buf.area);
    if row >= area.height || col >= area.width {
        return col;
    }
    let x = area.x + col;
    let max = usize::from(area.right() - x);
    let (end, _) = buf.set_stringn(x, area.y + row, s, max, style);
    end.saturating_sub(area.x)
}

/// Writes a sequence of styled pieces on one row; returns the column after them.
pub fn put_spans(buf: &mut Buffer, area: Rect, col: u16, row: u16, spans: &[(&str, Style)]) -> u16 {
    spans
        .iter()
        .fold(col, |c, (s, style)| put(buf, area, c, row, s, *style))
}

/// Writes `s` so that it ends at the right edge of `area`; returns its start column.
pub fn put_right(buf: &mut Buffer, area: Rect, row: u16, s: &str, style: Style) -> u16 {
    let w = u16::try_from(width(s)).unwrap_or(u16::MAX);
    let col = area.width.saturating_sub(w);
    put(buf, area, col, row, s, style);
    col
}

/// `s` cut to at most `max` cells, with an ellipsis when it was cut.
pub fn fit<'a>(s: &'a str, max: usize, theme: &Theme) -> Cow<'a, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::with_capacity(max + 3);
    let mut used = 0;
    for ch in s.chars() {
        let w = width(ch.encode_utf8(&mut [0; 4]));
        if used + w > max - 1 {
            break;
        }
        used += w;
        out.push(ch);
    }
    out.push_str(theme.sym(Sym::Ellipsis));
    Cow::Owned(out)
}

/// Clears `area` (spaces in `style`), e.g. under an overlay.
pub fn fill(buf: &mut Buffer, area: Rect, style: Style) {
    let area = area.intersection(buf.area);
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            if let Some(cell) = buf.cell_mut((x, y)) {
                cell.reset();
                cell.set_style(style);
            }
        }
    }
}

/// Applies `style` over `area` without changing the symbols (row highlight).
pub fn restyle(buf: &mut Buffer, area: Rect, style: Style) {
    buf.set_style(area.intersection(buf.area), style);
}

/// Draws a box with a title and returns the area inside it. The focused box gets the
/// thick (UTF-8) or `#=` (ASCII) border and, in monochrome, a `[title]*` marker.
pub fn boxed(buf: &mut Buffer, area: Rect, title: &str, focused: bool, theme: &Theme) -> Rect {
    boxed_marked(buf, area, title, None, focused, theme)
}

/// [`boxed`] with a mark at the right of the top border ("STALE 4m") that the title
/// never covers: the title is cut (with an ellipsis) to leave it room.
pub fn boxed_marked(
    buf: &mut Buffer,
    area: Rect,
    title: &str,
    mark: Option<(String, Style)>,
    focused: bool,
    theme: &Theme,
) -> Rect {
    let area = area.intersection(buf.area);
    if area.width < 2 || area.height < 2 {
        return Rect::new(area.x, area.y, 0, 0);
    }
    let b = theme.borders(focused);
    let style = theme.border(focused);
    let (l, r, t, bot) = (area.left(), area.right() - 1, area.top(), area.bottom() - 1);
    for x in l + 1..r {
        buf[(x, t)].set_symbol(b.horizontal).set_style(style);
        buf[(x, bot)].set_symbol(b.horizontal).set_style(style);
    }
    for y in t + 1..bot {
        buf[(l, y)].set_symbol(b.vertical).set_style(style);
        buf[(r, y)].set_symbol(b.vertical).set_style(style);
    }
    buf[(l, t)].set_symbol(b.top_left).set_style(style);
    buf[(r, t)].set_symbol(b.top_right).set_style(style);
    buf[(l, bot)].set_symbol(b.bottom_left).set_style(style);
    buf[(r, bot)].set_symbol(b.bottom_right).set_style(style);

    let mut title_row = Rect::new(l + 1, t, area.width.saturating_sub(3), 1);
    if let Some((mark, mark_style)) = &mark {
        let mark = format!(" {mark} ");
        let col = put_right(buf, title_row, 0, &mark, *mark_style);
        title_row.width = col;
    }
    let max = usize::from(title_row.width.saturating_sub(2));
    let title = fit(title, max, theme);
    let title_style = if focused {
        theme.border(true)
    } else {
        theme.bold()
    };
    if focused && !theme.color {
        put_spans(
            buf,
            title_row,
            0,
            0,
            &[("[", style), (&title, title_style), ("]*", style)],
        );
    } else {
        put_spans(
            buf,
            title_row,
            0,
            0,
            &[(" ", style), (&title, title_style), (" ", style)],
        );
    }
    Rect::new(l + 1, t + 1, area.width - 2, area.height - 2)
}

/// Writes a label into the bottom border of a box drawn at `area`, right-aligned.
pub fn border_note(buf: &mut Buffer, area: Rect, note: &str, style: Style) {
    let area = area.intersection(buf.area);
    if area.width < 4 || area.height < 2 {
        return;
    }
    let row = Rect::new(area.x + 1, area.bottom() - 1, area.width - 2, 1);
    put_right(buf, row, 0, note, style);
}

/// A rectangle of `w`x`h` centred in `area` (clipped to it).
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The first visible row of a list of `len` rows shown `visible` at a time such that
/// `cursor` is on screen. Pure: depends only on its inputs, so no scroll state is kept.
pub fn scroll_offset(cursor: usize, len: usize, visible: usize) -> usize {
    if visible == 0 || len <= visible {
        return 0;
    }
    let cursor = cursor.min(len - 1);
    cursor.saturating_sub(visible - 1).min(len - visible)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scroll_keeps_the_cursor_visible() {
        assert_eq!(scroll_offset(0, 15, 5), 0);
        assert_eq!(scroll_offset(4, 15, 5), 0);
        assert_eq!(scroll_offset(5, 15, 5), 1);
        assert_eq!(scroll_offset(14, 15, 5), 10);
        assert_eq!(scroll_offset(99, 15, 5), 10);
        assert_eq!(scroll_offset(3, 3, 5), 0);
        assert_eq!(scroll_offset(3, 10, 0), 0);
    }

    #[test]
    fn fit_cuts_with_an_ellipsis() {
        let t = Theme::new(false, true);
        assert_eq!(fit("checkout", 8, &t), "checkout");
        assert_eq!(fit("checkout", 5, &t), "chec~");
        assert_eq!(fit("checkout", 0, &t), "");
        assert_eq!(fit("日本語", 4, &t), "日~");
    }

    #[test]
    fn writes_outside_the_buffer_are_dropped() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 2));
        let big = Rect::new(0, 0, 100, 100);
        assert_eq!(put(&mut buf, big, 2, 1, "hello", Style::new()), 4);
        put(&mut buf, big, 0, 7, "x", Style::new());
        put(&mut buf, big, 9, 0, "x", Style::new());
        assert_eq!(buf[(2, 1)].symbol(), "h");
        assert_eq!(buf[(3, 1)].symbol(), "e");
        let inner = boxed(&mut buf, big, "title", true, &Theme::new(true, false));
        assert_eq!(inner, Rect::new(1, 1, 2, 0));
    }
}
