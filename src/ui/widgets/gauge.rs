//! A one-row horizontal gauge. UTF-8 uses eighth blocks for a finer edge; ASCII uses
//! `#` and `.`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::ui::paint::put;
use crate::ui::theme::{Sym, Theme};

const EIGHTHS: [&str; 8] = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/// Fills `fraction` (clamped to [0, 1]) of the first row of `area`.
pub fn gauge(buf: &mut Buffer, area: Rect, fraction: f64, style: Style, theme: &Theme) {
    let w = u32::from(area.width);
    let f = if fraction.is_finite() {
        fraction.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let eighths = (f * f64::from(w * 8)).round() as u32;
    let (full, part) = (eighths / 8, eighths % 8);
    for col in 0..area.width {
        let c = u32::from(col);
        let (sym, st) = if c < full {
            (theme.sym(Sym::GaugeFull), style)
        } else if c == full && part > 0 && !theme.ascii {
            (EIGHTHS[part as usize], style)
        } else {
            (theme.sym(Sym::GaugeEmpty), theme.muted())
        };
        put(buf, area, col, 0, sym, st);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::text::buffer_to_text;

    #[test]
    fn fills_the_share_and_clamps() {
        let t = Theme::new(false, true);
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 1));
        gauge(&mut buf, Rect::new(0, 0, 10, 1), 0.34, Style::new(), &t);
        assert_eq!(buffer_to_text(&buf), "###.......");
        gauge(&mut buf, Rect::new(0, 0, 10, 1), -0.5, Style::new(), &t);
        assert_eq!(buffer_to_text(&buf), "..........");
        gauge(&mut buf, Rect::new(0, 0, 10, 1), 7.0, Style::new(), &t);
        assert_eq!(buffer_to_text(&buf), "##########");
    }
}
