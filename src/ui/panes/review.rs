//! Post-release review checklist for the selected deployment. The workflow (checking,
//! notes, action items to the tracker) is a separate piece of work; this pane shows the
//! standard review items read-only, with `UiState::review_cursor`, so the pane exists
//! in the layout and in navigation.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::app::PaneId;
use crate::ui::paint::{fit, put, put_spans, restyle, scroll_offset};
use crate::ui::theme::Sym;
use crate::ui::Ctx;

/// The standard post-release review items, in review order.
pub const ITEMS: &[&str] = &[
    "Rollout reached 100% without rollback",
    "Error ratio back under the SLO limit",
    "p99 latency back to its baseline",
    "Incidents linked to this release triaged",
    "Error budget consumed recorded",
    "Canary analysis result reviewed",
    "DORA figures checked for the window",
    "Action items filed in the tracker",
];

pub fn draw(ctx: &Ctx, area: Rect, buf: &mut Buffer) {
    let (model, theme) = (ctx.model, ctx.theme);
    let selected = model.selected_deployment();
    let version = selected.map_or("", |d| d.version.as_str());
    let inner = ctx.pane_box(PaneId::Review, version, area, buf);
    if inner.height == 0 {
        return;
    }
    if selected.is_none() {
        put(
            buf,
            inner,
            1,
            0,
            "select a deployment to review",
            theme.muted(),
        );
        return;
    }
    // The last row says what this pane is, when there is room for the list too.
    let note = inner.height >= 4;
    let visible = usize::from(inner.height - u16::from(note));
    let cursor = model.ui.review_cursor.min(ITEMS.len() - 1);
    let offset = scroll_offset(cursor, ITEMS.len(), visible);
    let text_w = usize::from(inner.width.saturating_sub(5));
    for (i, item) in ITEMS.iter().enumerate().skip(offset).take(visible) {
        let row = (i - offset) as u16;
        let marker = if i == cursor {
            theme.sym(Sym::Cursor)
        } else {
            " "
        };
        put_spans(
            buf,
            inner,
            0,
            row,
            &[
                (marker, theme.bold()),
                (theme.sym(Sym::Unchecked), theme.muted()),
                (" ", theme.plain()),
                (&fit(item, text_w, theme), theme.plain()),
            ],
        );
        if i == cursor && ctx.focused(PaneId::Review) {
            restyle(
                buf,
                Rect::new(inner.x, inner.y + row, inner.width, 1),
                theme.selection(),
            );
        }
    }
    if note {
        put(
            buf,
            inner,
            1,
            inner.height - 1,
            "read-only preview",
            theme.muted(),
        );
    }
}
