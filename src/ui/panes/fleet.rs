//! The fleet view's painter: lays out the rows `app::fleet::rows` computes. Wide
//! screens get one line per service; narrower ones two (the figures, then the last
//! deployment and the DORA headline), so 80 columns lose no column.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::app::fleet::rows::{fleet_rows, FleetRows, Line, Summary};
use crate::metrics::{AlertSeverity, Level, Policy};
use crate::ui::paint::{border_note, boxed_marked, fit, put, put_spans, scroll_offset};
use crate::ui::theme::{Sym, Theme};
use crate::ui::{format, freshness, Ctx};

/// Inside width from which a service takes one line.
const WIDE: u16 = 118;
/// Column widths (cells, with the gap after each).
const CURSOR: usize = 2;
const POLICY: usize = 14;
const BUDGET: usize = 8;
const BURN: usize = 9;
const ALERT: usize = 9;
const STATUS: usize = 14;
const VERSION: usize = 9;
const AGE: usize = 8;
const DEPLOYS: usize = 16;
/// "12.5% medium" and a cell to spare.
const CHANGE_FAIL: usize = 13;
/// Room a narrow group line keeps for "worst: NAME" after the figures.
const WORST: usize = 18;
/// The second line of a narrow row starts under the name.
const INDENT: usize = 4;

pub fn draw(ctx: &Ctx, area: Rect, buf: &mut Buffer) {
    let (model, theme) = (ctx.model, ctx.theme);
    let rows = fleet_rows(model, ctx.derived);
    let ui = &model.ui.fleet;
    let title = format!(
        "Fleet {sep} {} services {sep} sorted by {} {sep} rolled up by {}",
        rows.total,
        ui.sort.word(),
        ui.group_by.word(),
        sep = theme.sym(Sym::Separator)
    );
    // Its rows are made of every service's figures: stale as soon as one source
    // behind them is, like any pane.
    let mark = freshness::feeds_mark(freshness::fleet_feeds(), &model.sources, model.now);
    let inner = boxed_marked(
        buf,
        area,
        &title,
        mark.map(|m| (m.label(), theme.warn())),
        true,
        theme,
    );
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let mut top = 0;
    if ui.typing || !ui.filter.is_empty() {
        let caret = if ui.typing { "_" } else { "" };
        let help = if ui.typing {
            "  Enter keeps it, Esc clears it"
        } else {
            "  / edits, Esc clears"
        };
        put_spans(
            buf,
            inner,
            0,
            0,
            &[
                ("filter: ", theme.muted()),
                (&ui.filter, theme.bold()),
                (caret, theme.selection()),
                (help, theme.muted()),
            ],
        );
        top += 1;
    }
    let wide = inner.width >= WIDE;
    let name_w = name_width(inner.width, wide);
    top += column_heads(buf, inner, top, wide, name_w, theme);
    let list = Rect::new(
        inner.x,
        inner.y + top,
        inner.width,
        inner.height.saturating_sub(top),
    );
    if rows.services.is_empty() {
        let empty = if rows.total == 0 {
            "no services yet".to_string()
        } else {
            format!(
                "no service matches \"{}\" ({} in all): Esc clears the filter",
                ui.filter, rows.total
            )
        };
        put(buf, list, CURSOR as u16, 0, &empty, theme.muted());
        return;
    }
    let height = if wide { 1 } else { 2 };
    let cursor = ui.cursor.min(rows.services.len() - 1);
    let window = window(&rows, cursor, height, usize::from(list.height));
    for (row, (line, sub)) in window.shown.iter().enumerate() {
        let row = row as u16;
        match line {
            Line::Group {
                name,
                members,
                worst,
            } => {
                let worst = &rows.services[*worst];
                group_line(ctx, buf, list, row, name, *members, worst, name_w);
            }
            Line::Service(i) => {
                let s = &rows.services[*i];
                let selected = *i == cursor;
                if *sub == 0 {
                    figures_line(ctx, buf, list, row, s, selected, name_w);
                    if wide {
                        let col = (CURSOR + name_w + POLICY + BUDGET + BURN + ALERT) as u16;
                        deploy_line(ctx, buf, list, col, row, s);
                    }
                } else {
                    deploy_line(ctx, buf, list, INDENT as u16, row, s);
                }
            }
        }
    }
    let note = if rows.services.len() == rows.total {
        format!(
            " {}-{} of {} ",
            window.first + 1,
            window.last + 1,
            rows.total
        )
    } else {
        format!(
            " {}-{} of {} matching ({} in all) ",
            window.first + 1,
            window.last + 1,
            rows.services.len(),
            rows.total
        )
    };
    border_note(buf, area, &note, theme.muted());
}

/// The name column's width: what the fixed columns leave, within reason.
fn name_width(width: u16, wide: bool) -> usize {
    let fixed = CURSOR + POLICY + BUDGET + BURN + ALERT;
    let fixed = if wide {
        fixed + STATUS + VERSION + AGE + DEPLOYS + CHANGE_FAIL
    } else {
        fixed + WORST
    };
    usize::from(width).saturating_sub(fixed).clamp(8, 30)
}

/// Draws the column heads from `row`; returns the rows used.
fn column_heads(
    buf: &mut Buffer,
    area: Rect,
    row: u16,
    wide: bool,
    name_w: usize,
    theme: &Theme,
) -> u16 {
    let first = format!(
        "{:CURSOR$}{:<name_w$}{:<POLICY$}{:<BUDGET$}{:<BURN$}{:<ALERT$}",
        "", "SERVICE", "POLICY", "LEFT", "BURN", "ALERT"
    );
    let second = format!(
        "{:<STATUS$}{:<VERSION$}{:<AGE$}{:<DEPLOYS$}CHANGE FAIL",
        "LAST DEPLOY", "VERSION", "AGE", "DEPLOYS"
    );
    if wide {
        put(
            buf,
            area,
            0,
            row,
            &format!("{first}{second}"),
            theme.muted(),
        );
        1
    } else {
        put(buf, area, 0, row, &first, theme.muted());
        put(buf, area, INDENT as u16, row + 1, &second, theme.muted());
        2
    }
}

/// The lines on screen and the services they show (first and last, 0-based).
struct Window<'r, 'a> {
    shown: Vec<(&'r Line<'a>, u8)>,
    first: usize,
    last: usize,
}

/// The screen rows that keep the cursor's service whole on screen: each line
/// expanded into its rows (a service takes `height`, a group line one).
fn window<'r, 'a>(
    rows: &'r FleetRows<'a>,
    cursor: usize,
    height: u8,
    visible: usize,
) -> Window<'r, 'a> {
    let mut expanded: Vec<(&Line, u8)> = Vec::with_capacity(rows.lines.len() * 2);
    let mut cursor_end = 0;
    for line in &rows.lines {
        let n = match line {
            Line::Group { .. } => 1,
            Line::Service(_) => height,
        };
        for sub in 0..n {
            expanded.push((line, sub));
        }
        if *line == Line::Service(cursor) {
            cursor_end = expanded.len() - 1;
        }
    }
    let (offset, take) = span(&expanded, cursor_end, visible);
    // Scrolled into a group, its line stays on top as a sticky header: the rows under
    // it then say whose they are, as they do right under the group line.
    let group_above = |offset: usize| {
        expanded
            .get(offset)
            .filter(|(l, _)| matches!(l, Line::Service(_)))
            .and_then(|_| {
                expanded[..offset]
                    .iter()
                    .rev()
                    .find(|(l, _)| matches!(l, Line::Group { .. }))
                    .copied()
            })
    };
    let rows_from = |offset: usize, take: usize| expanded.iter().copied().skip(offset).take(take);
    let sticky = (visible >= 3 && group_above(offset).is_some())
        .then(|| span(&expanded, cursor_end, visible - 1))
        .and_then(|(offset, take)| group_above(offset).map(|g| (g, offset, take)));
    let shown: Vec<(&Line, u8)> = match sticky {
        Some((group, offset, take)) => std::iter::once(group)
            .chain(rows_from(offset, take))
            .collect(),
        None => rows_from(offset, take).collect(),
    };
    let services = shown.iter().filter_map(|(l, sub)| match l {
        Line::Service(i) if *sub == 0 => Some(*i),
        _ => None,
    });
    let (first, last) = services.fold((usize::MAX, 0), |(f, l), i| (f.min(i), l.max(i)));
    Window {
        shown,
        first: first.min(last),
        last,
    }
}

/// The first expanded row shown and how many, keeping the cursor's service whole.
fn span(expanded: &[(&Line, u8)], cursor_end: usize, visible: usize) -> (usize, usize) {
    let mut offset = scroll_offset(cursor_end, expanded.len(), visible);
    // Never start on a service's second row, cut from its name (nor end on a first
    // row cut from its second).
    let mut take = visible;
    if expanded.get(offset).is_some_and(|(_, sub)| *sub > 0) {
        offset += 1;
        take -= 1;
    }
    (offset, take)
}

/// Policy band as symbol and word.
fn policy_cell(theme: &Theme, policy: Option<Policy>) -> (String, Style) {
    match policy {
        Some(p) => {
            let sym = match p {
                Policy::Normal => Sym::Ok,
                Policy::Caution => Sym::Stale,
                Policy::Restricted | Policy::Frozen | Policy::HardFreeze => Sym::Fail,
            };
            (format!("{} {}", theme.sym(sym), p.word()), theme.policy(p))
        }
        None => (format!("- {}", format::NA), theme.muted()),
    }
}

fn alert_cell(theme: &Theme, s: &Summary) -> (String, Style) {
    match s.alert {
        Some(AlertSeverity::Page) => (format!("{} PAGE", theme.sym(Sym::Up)), theme.bad()),
        Some(AlertSeverity::Ticket) => (format!("{} TICKET", theme.sym(Sym::Up)), theme.warn()),
        None if s.policy.is_some() || s.remaining.is_some() => {
            (format!("{} none", theme.sym(Sym::Ok)), theme.ok())
        }
        None => (format::NA.to_string(), theme.muted()),
    }
}

fn burn_cell(theme: &Theme, s: &Summary) -> (String, Style) {
    match s.burn {
        Some(b) => {
            let style = if b.rate >= 1.0 {
                theme.warn()
            } else {
                theme.plain()
            };
            (
                format!("{} {}", format::burn(Some(b.rate)), b.window),
                style,
            )
        }
        None => (format::NA.to_string(), theme.muted()),
    }
}

fn pad(s: &str, w: usize, theme: &Theme) -> String {
    let shown = fit(s, w.saturating_sub(1), theme);
    let used = crate::ui::paint::width(&shown);
    format!("{shown}{}", " ".repeat(w.saturating_sub(used)))
}

/// Cursor, name, policy, budget left, fastest burn, alert.
fn figures_line(
    ctx: &Ctx,
    buf: &mut Buffer,
    area: Rect,
    row: u16,
    s: &Summary,
    selected: bool,
    name_w: usize,
) {
    let theme = ctx.theme;
    let (cursor, name_style) = if selected {
        (theme.sym(Sym::Cursor), theme.selection())
    } else {
        ("", theme.bold())
    };
    put(buf, area, 0, row, cursor, theme.bold());
    put(
        buf,
        area,
        CURSOR as u16,
        row,
        &fit(s.name, name_w.saturating_sub(1), theme),
        name_style,
    );
    figures(ctx, buf, area, (CURSOR + name_w) as u16, row, s);
}

/// Policy, budget left, fastest burn and alert from column `col`.
fn figures(ctx: &Ctx, buf: &mut Buffer, area: Rect, col: u16, row: u16, s: &Summary) {
    let theme = ctx.theme;
    let (policy, policy_style) = policy_cell(theme, s.policy);
    let budget = format::opt_percent(s.remaining, 1);
    let (burn, burn_style) = burn_cell(theme, s);
    let (alert, alert_style) = alert_cell(theme, s);
    put_spans(
        buf,
        area,
        col,
        row,
        &[
            (&pad(&policy, POLICY, theme), policy_style),
            (&pad(&budget, BUDGET, theme), policy_style),
            (&pad(&burn, BURN, theme), burn_style),
            (&pad(&alert, ALERT, theme), alert_style),
        ],
    );
}

/// Last deployment (status, version, age) and the DORA headline from column `col`.
fn deploy_line(ctx: &Ctx, buf: &mut Buffer, area: Rect, col: u16, row: u16, s: &Summary) {
    let (model, theme) = (ctx.model, ctx.theme);
    let (status, status_style, version, age) = match s.last {
        Some(d) => {
            let (sym, style) = theme.status(d.status);
            (
                format!("{sym} {}", d.status.word()),
                style,
                d.version.as_str(),
                format::age(model.now - d.started_at),
            )
        }
        None => (
            "no deployments".to_string(),
            theme.muted(),
            "",
            String::new(),
        ),
    };
    let (deploys, cfr) = if model.dora_unavailable().is_some() {
        (format::NA.to_string(), format::NA.to_string())
    } else {
        let freq = match s.per_day {
            Some(d) if d >= 1.0 => format!("{d:.1}/day"),
            Some(d) => format!("{:.1}/week", d * 7.0),
            None => format::NA.to_string(),
        };
        (
            format!("{freq} {}", level_word(s.frequency_level)),
            format!(
                "{} {}",
                format::opt_percent(s.change_failure_rate, 1),
                level_word(s.change_failure_level)
            ),
        )
    };
    put_spans(
        buf,
        area,
        col,
        row,
        &[
            (&pad(&status, STATUS, theme), status_style),
            (&pad(version, VERSION, theme), theme.bold()),
            (&pad(&age, AGE, theme), theme.muted()),
            (
                &pad(&deploys, DEPLOYS, theme),
                theme.level(s.frequency_level),
            ),
            (&cfr, theme.level(s.change_failure_level)),
        ],
    );
}

fn level_word(level: Option<Level>) -> &'static str {
    level.map_or("", Level::word)
}

/// A roll-up: its name and size, then its worst member's figures and name.
#[allow(clippy::too_many_arguments)]
fn group_line(
    ctx: &Ctx,
    buf: &mut Buffer,
    area: Rect,
    row: u16,
    name: &str,
    members: usize,
    worst: &Summary,
    name_w: usize,
) {
    let theme = ctx.theme;
    let head = format!("{} ({members})", name);
    put(
        buf,
        area,
        0,
        row,
        &fit(&head, CURSOR + name_w - 1, theme),
        theme.heading(),
    );
    figures(ctx, buf, area, (CURSOR + name_w) as u16, row, worst);
    let col = (CURSOR + name_w + POLICY + BUDGET + BURN + ALERT) as u16;
    put(
        buf,
        area,
        col,
        row,
        &format!("worst: {}", worst.name),
        theme.muted(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fleet::rows::FleetRows;

    fn rows_of(n: usize) -> FleetRows<'static> {
        FleetRows {
            services: Vec::new(),
            lines: (0..n).map(Line::Service).collect(),
            total: n,
        }
    }

    #[test]
    fn the_window_keeps_the_cursor_whole_and_counts_what_it_shows() {
        let rows = rows_of(500);
        let w = window(&rows, 0, 2, 19);
        assert_eq!((w.first, w.last), (0, 9));
        let w = window(&rows, 40, 2, 19);
        // The cursor's two rows are the last two shown.
        assert_eq!(
            w.shown.last().map(|(l, s)| (**l, *s)),
            Some((Line::Service(40), 1))
        );
        assert_eq!(w.last, 40);
        assert_eq!(w.shown.first().map(|(_, s)| *s), Some(0), "no orphan row");
        let w = window(&rows, 499, 1, 20);
        assert_eq!((w.first, w.last), (480, 499));
    }
}
