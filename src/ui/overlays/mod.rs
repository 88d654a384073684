//! Views drawn over the panes, bottom of the stack first so the top one wins: help,
//! deployment detail, service picker, source health.

mod deployment;
mod help;
mod service_picker;

mod sources;
mod wrap;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::paint::{border_note, boxed, centered, fill, put_spans};
use super::Ctx;
use crate::app::{Overlay, OverlayScroll};

pub fn draw(ctx: &Ctx, area: Rect, buf: &mut Buffer) {
    for overlay in &ctx.model.ui.overlays {
        match overlay {
            Overlay::Help => help::draw(ctx, area, buf),
            Overlay::Deployment(id) => deployment::draw(ctx, id, area, buf),
            Overlay::ServicePicker { filter, cursor } => {
                service_picker::draw(ctx, filter, *cursor, area, buf)
            }
            Overlay::Sources => sources::draw(ctx, area, buf),
        }
    }
}

/// A scrollable block of styled lines (help, detail, sources).
///
/// A doc made of sections (one per source) scrolls by section: the scroll position
/// names a section, not a row, so a section that grows (an error, warnings) never
/// moves the ones below it on screen.
#[derive(Default)]
pub struct Doc {
    lines: Vec<wrap::Line>,
    /// Index in `lines` where each section starts.
    sections: Vec<usize>,
}

impl Doc {
    /// Starts a section at the next line.
    pub fn section(&mut self) {
        self.sections.push(self.lines.len());
    }
    pub fn line(&mut self, spans: Vec<(String, Style)>) {
        self.lines.push(spans);
    }
    pub fn text(&mut self, s: impl Into<String>, style: Style) {
        self.lines.push(vec![(s.into(), style)]);
    }
    pub fn blank(&mut self) {
        self.lines.push(Vec::new());
    }

    /// Draws the doc in a centred overlay box, scrolled by `scroll` (clamped so the
    /// last page stays full).
    pub fn show(&self, ctx: &Ctx, area: Rect, max_w: u16, title: &str, buf: &mut Buffer) {
        // Borders and a cell of padding on each side.
        let text_w = usize::from(max_w.min(area.width).saturating_sub(4));
        // Wrapped rows, and the row each section starts at.
        let mut lines: Vec<wrap::Line> = Vec::new();
        let mut starts = Vec::with_capacity(self.sections.len());
        for (i, l) in self.lines.iter().enumerate() {
            starts.extend(
                self.sections
                    .iter()
                    .filter(|&&s| s == i)
                    .map(|_| lines.len()),
            );
            lines.extend(wrap::wrap(l, text_w));
        }
        let h = u16::try_from(lines.len())
            .unwrap_or(u16::MAX)
            .saturating_add(2);
        let outer = centered(area, max_w, h);
        fill(buf, outer, Style::new());
        let inner = boxed(buf, outer, title, true, ctx.theme);
        let inner = Rect::new(
            inner.x + 1,
            inner.y,
            inner.width.saturating_sub(2),
            inner.height,
        );
        let visible = usize::from(inner.height);
        let max_scroll = lines.len().saturating_sub(visible);
        // A doc of sections scrolls by section from the top; from the end, by line.
        let scroll = match (ctx.model.ui.overlay_scroll, starts.len()) {
            (OverlayScroll::Top(n), k) if k > 0 => {
                starts[usize::from(n).min(k - 1)].min(max_scroll)
            }
            (s, _) => s.offset(max_scroll),
        };
        for (row, spans) in lines.iter().skip(scroll).take(visible).enumerate() {
            let pieces: Vec<(&str, Style)> =
                spans.iter().map(|(s, st)| (s.as_str(), *st)).collect();
            put_spans(buf, inner, 0, row as u16, &pieces);
        }
        let note = if max_scroll > 0 {
            format!(" {}/{} j/k scroll, Esc close ", scroll + 1, max_scroll + 1)
        } else {
            " Esc close ".to_string()
        };
        border_note(buf, outer, &note, ctx.theme.muted());
    }
}
