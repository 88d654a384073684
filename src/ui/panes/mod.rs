//! The six panes. Each draws its own box (title with its zoom number) and content, as
//! a pure function of the context and its rectangle.

mod budget;
pub mod deployments;
mod dora;
mod dora_detail;
pub mod fleet;
pub(crate) mod review;
mod review_form;
mod review_items;
mod signals;
mod spc;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::Ctx;
use crate::app::PaneId;

pub fn draw(ctx: &Ctx, pane: PaneId, area: Rect, buf: &mut Buffer) {
    match pane {
        PaneId::Deployments => deployments::draw(ctx, area, buf),
        PaneId::Budget => budget::draw(ctx, area, buf),
        PaneId::Dora => dora::draw(ctx, area, buf),
        PaneId::Spc => spc::draw(ctx, area, buf),
        PaneId::Signals => signals::draw(ctx, area, buf),
        PaneId::Review => review::draw(ctx, area, buf),
    }
}
