//! `s` or `/`: pick a service by typing part of its name.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::Doc;
use crate::ui::theme::Sym;
use crate::ui::Ctx;

/// Services whose name contains `filter` (case-insensitive), in display order.
pub fn draw(ctx: &Ctx, filter: &str, cursor: usize, area: Rect, buf: &mut Buffer) {
    let (model, theme) = (ctx.model, ctx.theme);
    let found: Vec<&str> = model
        .picker_matches(filter)
        .into_iter()
        .filter_map(|i| model.data.services.get(i).map(String::as_str))
        .collect();
    let mut doc = Doc::default();
    doc.line(vec![
        ("filter: ".to_string(), theme.muted()),
        (filter.to_string(), theme.bold()),
        ("_".to_string(), theme.selection()),
    ]);
    doc.blank();
    if found.is_empty() {
        doc.text("no service matches", theme.muted());
    }
    let cursor = cursor.min(found.len().saturating_sub(1));
    for (i, name) in found.iter().enumerate() {
        let current = model.selected_service() == Some(*name);
        let mut spans = if i == cursor {
            vec![(
                format!("{} {name}", theme.sym(Sym::Cursor)),
                theme.selection(),
            )]
        } else {
            vec![(format!("  {name}"), theme.plain())]
        };
        if current {
            spans.push(("  (shown)".to_string(), theme.muted()));
        }
        doc.line(spans);
    }
    doc.blank();
    doc.text("Enter choose, Esc cancel", theme.muted());
    doc.show(ctx, area, 44, "Pick a service", buf);
}
