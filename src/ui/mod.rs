//! Drawing: pure functions of the model and the derived figures. One file per pane.

use crate::app::Model;
use crate::metrics::Derived;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
    pub ascii: bool,
}

impl Theme {
    pub fn new(color: bool, ascii: bool) -> Self {
        Theme { color, ascii }
    }
}

pub fn draw(frame: &mut ratatui::Frame, model: &Model, derived: &Derived, theme: &Theme) {
    let _ = (frame, model, derived, theme);
}

pub mod text {
    use ratatui::buffer::Buffer;
    pub fn buffer_to_text(buf: &Buffer) -> String {
        let mut out = String::new();
        for y in 0..buf.area.height {
            let mut line = String::new();
            for x in 0..buf.area.width {
                line.push_str(buf[(x, y)].symbol());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}
