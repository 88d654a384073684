//! A buffer as plain text: what `flightdeck snapshot` prints and what tests compare.

use ratatui::buffer::Buffer;

use super::paint::width;

/// Rows joined by '\n', trailing spaces trimmed. The cell hidden behind a wide
/// character (日) is skipped so the text lines up as on screen.
pub fn buffer_to_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::with_capacity(usize::from(area.width + 1) * usize::from(area.height));
    for y in area.top()..area.bottom() {
        let start = out.len();
        let mut skip = 0;
        for x in area.left()..area.right() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let symbol = buf[(x, y)].symbol();
            out.push_str(symbol);
            skip = width(symbol).saturating_sub(1);
        }
        let trimmed = out[start..].trim_end_matches(' ').len();
        out.truncate(start + trimmed);
        if y + 1 < area.bottom() {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn rows_are_trimmed_and_wide_characters_line_up() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 6, 2));
        buf.set_string(0, 0, "ab", Style::new());
        buf.set_string(0, 1, "日x", Style::new());
        assert_eq!(buffer_to_text(&buf), "ab\n日x");
    }
}
