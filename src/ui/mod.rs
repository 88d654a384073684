//! Drawing: pure functions of the model and the derived figures. One file per pane.
//!
//! [`draw`] (or [`render`] into a bare buffer) draws the whole screen: header, the pane
//! grid or the zoomed pane, footer, then the overlay stack. Nothing here mutates state,
//! reads the clock or computes metrics; panes read `Model` and `Derived` only.

mod compact;
#[doc(hidden)]
pub mod fixture;
#[doc(hidden)]
pub mod fleet_fixture;
mod footer;
pub mod format;
pub mod freshness;
mod header;
pub mod layout;
mod overlays;
mod paint;
mod panes;
pub mod text;
pub mod theme;
mod widgets;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;

use crate::app::{Model, PaneId};
use crate::metrics::{Derived, ServiceDerived};

pub use layout::{MIN_HEIGHT, MIN_WIDTH};
pub use text::buffer_to_text;
pub use theme::Theme;

/// What every pane reads: the model, the derived figures and the theme.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub model: &'a Model,
    pub derived: &'a Derived,
    pub theme: &'a Theme,
}

impl<'a> Ctx<'a> {
    /// The selected service's derived figures, if the engine produced any.
    pub fn service(&self) -> Option<&'a ServiceDerived> {
        let name = self.model.selected_service()?;
        self.derived.services.get(name)
    }
    pub fn focused(&self, pane: PaneId) -> bool {
        self.model.ui.focus == pane
    }
    /// A pane's title with its zoom number: "1 Deployments".
    pub fn title(&self, pane: PaneId, rest: &str) -> String {
        if rest.is_empty() {
            format!("{} {}", pane.number(), pane.title())
        } else {
            format!(
                "{} {} {} {}",
                pane.number(),
                pane.title(),
                self.theme.sym(theme::Sym::Separator),
                rest
            )
        }
    }

    /// Draws a pane's box with its title and, at the right of its top border, "STALE
    /// 4m" when its figures come from a stale or failing source (the title gives way
    /// to the mark); returns the inside.
    pub fn pane_box(&self, pane: PaneId, rest: &str, area: Rect, buf: &mut Buffer) -> Rect {
        let mark = freshness::pane_mark(pane, &self.model.sources, self.model.now);
        paint::boxed_marked(
            buf,
            area,
            &self.title(pane, rest),
            mark.map(|m| (m.label(), self.theme.warn())),
            self.focused(pane),
            self.theme,
        )
    }
}

/// Draws the whole cockpit into the frame.
pub fn draw(frame: &mut ratatui::Frame, model: &Model, derived: &Derived, theme: &Theme) {
    render(frame.buffer_mut(), model, derived, theme);
}

/// Draws the whole cockpit into `buf` (its whole area); used by [`draw`], the
/// `snapshot` command and the render benchmark.
pub fn render(buf: &mut Buffer, model: &Model, derived: &Derived, theme: &Theme) {
    let ctx = Ctx {
        model,
        derived,
        theme,
    };
    if model.ui.fleet.open {
        render_fleet(&ctx, buf);
    } else {
        render_cockpit(&ctx, buf);
    }
    enforce_terminal_safety(buf);
    enforce_theme(buf, theme);
}

/// The fleet: header, every service, footer (below 80x24 the list alone).
fn render_fleet(ctx: &Ctx, buf: &mut Buffer) {
    let area = buf.area;
    match layout::screen(area, None) {
        layout::Screen::Full(cockpit) => {
            header::draw(ctx, cockpit.header, buf);
            let body = body_of(&cockpit, area);
            panes::fleet::draw(ctx, body, buf);
            footer::draw(ctx, cockpit.footer, buf);
            overlays::draw(ctx, body, buf);
        }
        layout::Screen::Compact => {
            panes::fleet::draw(ctx, area, buf);
            overlays::draw(ctx, area, buf);
        }
        layout::Screen::TooSmall => compact::too_small(ctx, area, buf),
    }
}

fn render_cockpit(ctx: &Ctx, buf: &mut Buffer) {
    let (ctx, area, model) = (*ctx, buf.area, ctx.model);
    match layout::screen(area, model.ui.zoomed) {
        layout::Screen::Full(cockpit) => {
            header::draw(&ctx, cockpit.header, buf);
            for (pane, rect) in cockpit.panes {
                if rect.area() > 0 {
                    panes::draw(&ctx, pane, rect, buf);
                }
            }
            footer::draw(&ctx, cockpit.footer, buf);
            overlays::draw(&ctx, body_of(&cockpit, area), buf);
        }
        layout::Screen::Compact => {
            compact::draw(&ctx, area, buf);
            overlays::draw(&ctx, area, buf);
            // A review form takes keys: it shows (or says it does not fit) at any size.
            if model.ui.review_form.is_some() {
                panes::draw(&ctx, PaneId::Review, area, buf);
            }
        }
        layout::Screen::TooSmall => compact::too_small(&ctx, area, buf),
    }
}

/// The last line of defence: whatever a pane or widget drew, no cell may hold a
/// character a terminal interprets (ESC, C1, bidi controls…). Text from outside is
/// already [`OutsideText`](crate::model::outside::OutsideText) or sanitized where it
/// enters the model; this makes a forgotten path harmless instead of an exploit.
fn enforce_terminal_safety(buf: &mut Buffer) {
    for cell in buf.content.iter_mut() {
        if !crate::model::sanitize::is_clean(cell.symbol()) {
            cell.set_symbol("\u{fffd}");
        }
    }
}

fn body_of(cockpit: &layout::Cockpit, area: Rect) -> Rect {
    let y = cockpit.header.bottom();
    Rect::new(area.x, y, area.width, cockpit.footer.y.saturating_sub(y))
}

/// Catch-alls applied after drawing: in ASCII mode no cell may hold a byte above 0x7F
/// (API strings can carry é or 日本 even after sanitizing) and the ellipsis of a cut
/// reads `~`; in monochrome no cell may carry a colour, whatever a pane did.
fn enforce_theme(buf: &mut Buffer, theme: &Theme) {
    if !theme.ascii && theme.color {
        return;
    }
    // A wide character (日) covers two cells: both become '?' so columns stay aligned.
    let mut pad_next = false;
    for cell in buf.content.iter_mut() {
        if theme.ascii {
            if pad_next {
                cell.set_symbol("?");
                pad_next = false;
            } else if cell.symbol() == paint::ELLIPSIS {
                // A cut marked by a primitive that has no theme.
                cell.set_symbol("~");
            } else if !cell.symbol().is_ascii() {
                pad_next = paint::width(cell.symbol()) > 1;
                cell.set_symbol("?");
            }
        }
        if !theme.color {
            cell.fg = Color::Reset;
            cell.bg = Color::Reset;
            cell.underline_color = Color::Reset;
        }
    }
}
