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

/// What marks text that was cut. Primitives without a theme write it as is; in ASCII
/// mode the final pass (`ui::enforce_theme`) turns it into `~`, so a cut is marked on
/// every terminal.
pub const ELLIPSIS: &str = "…";

/// Writes `s` at column `col` of row `row` of `area`, clipped to the area and the buffer;
/// text that does not fit ends with the ellipsis (never silently cut). Returns the
/// column after the text (relative to `area`).
pub fn put(buf: &mut Buffer, area: Rect, col: u16, row: u16, s: &str, style: Style) -> u16 {
    let area = area.intersection(buf.area);
    if row >= area.height || col >= area.width {
        return col;
    }
    let x = area.x + col;
    let max = usize::from(area.right() - x);
    let shown = cut(s, max, ELLIPSIS);
    let (end, _) = buf.set_stringn(x, area.y + row, &shown, max, style);
    end.saturating_sub(area.x)
}

/// Writes a sequence of styled pieces on one row; returns the column after them. When
/// they do not all fit, the row ends with the ellipsis, even when the cut falls between
/// two pieces (a value whose trend word is dropped is cut text too).
pub fn put_spans(buf: &mut Buffer, area: Rect, col: u16, row: u16, spans: &[(&str, Style)]) -> u16 {
    let clipped = area.intersection(buf.area);
    let room = usize::from(clipped.width.saturating_sub(col));
    if row >= clipped.height || visible_width(spans) <= room {
        return spans
            .iter()
            .fold(col, |c, (s, style)| put(buf, area, c, row, s, *style));
    }
    if room == 0 {
        return col;
    }
    // Everything up to one cell before the edge, then the ellipsis in the style of
    // the piece that was cut.
    let mut left = room - 1;
    let mut c = col;
    for (s, style) in spans {
        let w = width(s);
        if w <= left {
            c = put(buf, area, c, row, s, *style);
            left -= w;
            continue;
        }
        let head = prefix_within(s, left);
        c = put(buf, area, c, row, head.trim_end(), *style);
        return put(buf, area, c, row, ELLIPSIS, *style);
    }
    c
}

/// Width of the pieces without the blanks that end the last of them: padding that
/// does not fit is no cut.
fn visible_width(spans: &[(&str, Style)]) -> usize {
    let total: usize = spans.iter().map(|(s, _)| width(s)).sum();
    let mut trailing = 0;
    for (s, _) in spans.iter().rev() {
        let trimmed = s.trim_end();
        trailing += width(s) - width(trimmed);
        if !trimmed.is_empty() {
            break;
        }
    }
    total - trailing
}

/// The longest prefix of `s` at most `max` cells wide.
fn prefix_within(s: &str, max: usize) -> &str {
    let mut used = 0;
    for (i, ch) in s.char_indices() {
        let w = width(ch.encode_utf8(&mut [0; 4]));
        if used + w > max {
            return &s[..i];
        }
        used += w;
    }
    s
}

/// `s` cut to at most `max` cells, ending with `ellipsis` when it was cut; blanks at
/// its end that do not fit are dropped without one (padding is not text). The one
/// place text is shortened: [`fit`], [`put`] and [`put_spans`] all cut through it.
pub fn cut<'a>(s: &'a str, max: usize, ellipsis: &str) -> Cow<'a, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    let trimmed = s.trim_end();
    if width(trimmed) <= max {
        return Cow::Borrowed(trimmed);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let head = prefix_within(trimmed, max.saturating_sub(width(ellipsis)));
    Cow::Owned(format!("{}{ellipsis}", head.trim_end()))
}

/// Writes `s` so that it ends at the right edge of `area`; returns its start column.
pub fn put_right(buf: &mut Buffer, area: Rect, row: u16, s: &str, style: Style) -> u16 {
    let w = u16::try_from(width(s)).unwrap_or(u16::MAX);
    let col = area.width.saturating_sub(w);
    put(buf, area, col, row, s, style);
    col
}

/// `s` cut to at most `max` cells, with the theme's ellipsis when it was cut.
pub fn fit<'a>(s: &'a str, max: usize, theme: &Theme) -> Cow<'a, str> {
    cut(s, max, theme.sym(Sym::Ellipsis))
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

    fn row_text(buf: &Buffer) -> String {
        crate::ui::text::buffer_to_text(buf)
    }

    #[test]
    fn put_marks_every_cut_and_only_cuts() {
        // Every string at every width: either all of its text is on screen, or the
        // row ends with the ellipsis right after a prefix of it.
        for s in ["checkout", "4.66.0 wait", "日本語 x", "ab  ", "a b c d"] {
            for w in 1..=12u16 {
                let mut buf = Buffer::empty(Rect::new(0, 0, w, 1));
                let area = buf.area;
                put(&mut buf, area, 0, 0, s, Style::new());
                let text = row_text(&buf);
                if width(s.trim_end()) <= usize::from(w) {
                    assert_eq!(text, s.trim_end(), "{s:?} at {w}");
                } else {
                    let head = text.strip_suffix(ELLIPSIS);
                    assert!(
                        head.is_some(),
                        "{s:?} at {w}: cut without ellipsis: {text:?}"
                    );
                    assert!(
                        s.starts_with(head.unwrap_or_default()),
                        "{s:?} at {w}: {text:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn put_spans_marks_a_cut_between_pieces() {
        let p = Style::new();
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 1));
        // "2.4/day ▲" fits, " better" does not: the dropped word is a cut.
        put_spans(
            &mut buf,
            Rect::new(0, 0, 99, 1),
            0,
            0,
            &[("2.4/day", p), (" ▲", p), (" better", p)],
        );
        assert_eq!(row_text(&buf), "2.4/day ▲…");
        // Padding that does not fit is no cut.
        let mut buf = Buffer::empty(Rect::new(0, 0, 9, 1));
        put_spans(
            &mut buf,
            Rect::new(0, 0, 99, 1),
            0,
            0,
            &[("2.4/day", p), (" ▲", p), ("   ", p)],
        );
        assert_eq!(row_text(&buf), "2.4/day ▲");
        // Starting past the edge writes nothing and says nothing.
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 1));
        assert_eq!(
            put_spans(&mut buf, Rect::new(0, 0, 99, 1), 4, 0, &[("x", p)]),
            4
        );
        assert_eq!(row_text(&buf), "");
    }

    #[test]
    fn writes_outside_the_buffer_are_dropped() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 2));
        let big = Rect::new(0, 0, 100, 100);
        assert_eq!(put(&mut buf, big, 2, 1, "hello", Style::new()), 4);
        put(&mut buf, big, 0, 7, "x", Style::new());
        put(&mut buf, big, 9, 0, "x", Style::new());
        assert_eq!(buf[(2, 1)].symbol(), "h");
        assert_eq!(buf[(3, 1)].symbol(), ELLIPSIS);
        let inner = boxed(&mut buf, big, "title", true, &Theme::new(true, false));
        assert_eq!(inner, Rect::new(1, 1, 2, 0));
    }
}
