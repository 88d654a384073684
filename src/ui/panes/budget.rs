//! Error budget of the selected service: remaining share as a gauge (overspent said in
//! words), the deployment policy and what it means, firing burn alerts, the burn trend,
//! and the burn rates per window with the alert thresholds (SRE workbook, 30 d).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::app::PaneId;
use crate::metrics::{AlertSeverity, BurnTrend, ErrorBudget};
use crate::ui::paint::{fit, put, put_spans, width};
use crate::ui::widgets::gauge::gauge;
use crate::ui::{format, Ctx};

/// Page when both windows burn at least this fast (long window, short window).
const PAGE_FAST: f64 = 14.4;
const PAGE_SLOW: f64 = 6.0;

pub fn draw(ctx: &Ctx, area: Rect, buf: &mut Buffer) {
    let theme = ctx.theme;
    let service = ctx.model.selected_service().unwrap_or("");
    let inner = ctx.pane_box(PaneId::Budget, service, area, buf);
    if inner.height == 0 {
        return;
    }
    // Left padding only: the burn-rate table needs every column at 80x24.
    let inner = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(1),
        inner.height,
    );
    match ctx.service().and_then(|s| s.budget.as_ref()) {
        Some(budget) => draw_budget(ctx, budget, inner, buf),
        None => {
            put(
                buf,
                inner,
                0,
                0,
                "no SLO data for this service",
                theme.muted(),
            );
        }
    }
}

fn draw_budget(ctx: &Ctx, b: &ErrorBudget, area: Rect, buf: &mut Buffer) {
    let theme = ctx.theme;
    let p = theme.plain();
    let mut row = 0u16;
    let policy_style = b.policy.map_or(theme.muted(), |pol| theme.policy(pol));

    // Gauge with the figure beside it.
    let (label, label_style) = match b.remaining {
        Some(r) if r < 0.0 => (format!("{} OVERSPENT", format::percent(r, 1)), theme.bad()),
        Some(r) => (format!("{} left", format::percent(r, 1)), policy_style),
        None => ("budget n/a".to_string(), theme.muted()),
    };
    let label_w = label.len() as u16 + 1;
    let bar_w = area.width.saturating_sub(label_w).min(30);
    gauge(
        buf,
        Rect::new(area.x, area.y, bar_w, 1),
        b.remaining.unwrap_or(0.0),
        policy_style,
        theme,
    );
    let gap = if bar_w > 0 { 1 } else { 0 };
    put(buf, area, bar_w + gap, row, &label, label_style);
    row += 1;

    match b.policy {
        Some(pol) => {
            let word = pol.word().to_uppercase();
            let one_line = width(&word) + width(pol.meaning()) + 9 <= usize::from(area.width);
            let meaning = if one_line { pol.meaning() } else { "" };
            let colon = if one_line { ": " } else { "" };
            put_spans(
                buf,
                area,
                0,
                row,
                &[
                    ("policy ", theme.muted()),
                    (&word, policy_style),
                    (colon, p),
                    (meaning, p),
                ],
            );
            if !one_line {
                row += 1;
                put(
                    buf,
                    area,
                    0,
                    row,
                    &fit(pol.meaning(), usize::from(area.width), theme),
                    p,
                );
            }
        }
        None => {
            put(buf, area, 0, row, "policy n/a", theme.muted());
        }
    }
    row += 1;

    if b.alerts.is_empty() {
        put(buf, area, 0, row, "no burn alerts firing", theme.ok());
        row += 1;
    }
    for alert in &b.alerts {
        let (sev, style) = match alert.severity {
            AlertSeverity::Page => ("PAGE", theme.bad()),
            AlertSeverity::Ticket => ("TICKET", theme.warn()),
        };
        let detail = format!(
            " {}/{} burn {}",
            alert.long,
            alert.short,
            format::burn(Some(alert.burn))
        );
        put_spans(
            buf,
            area,
            0,
            row,
            &[
                (theme.sym(crate::ui::theme::Sym::Up), style),
                (" ", p),
                (sev, style),
                (&detail, p),
            ],
        );
        row += 1;
    }

    if let Some(trend) = b.trend {
        let (arrow, style) = theme.burn_trend(trend);
        let word = match trend {
            BurnTrend::Increasing => "increasing",
            BurnTrend::Recovering => "recovering",
            BurnTrend::Steady => "steady",
        };
        let vs = format!(
            " (1h {} vs 6h {})",
            format::burn(b.burn_rates.h1),
            format::burn(b.burn_rates.h6)
        );
        // The comparison is detail: shown only when it fits whole.
        let room = usize::from(area.width).saturating_sub(width(word) + width(arrow) + 6);
        let vs = if width(&vs) <= room {
            vs
        } else {
            String::new()
        };
        put_spans(
            buf,
            area,
            0,
            row,
            &[
                ("burn ", theme.muted()),
                (arrow, style),
                (" ", p),
                (word, style),
                (&vs, theme.muted()),
            ],
        );
        row += 1;
    }

    // Burn rates per window, each against the threshold of the alert it feeds.
    let r = &b.burn_rates;
    let windows = [
        ("5m", r.m5, PAGE_FAST),
        ("30m", r.m30, PAGE_SLOW),
        ("1h", r.h1, PAGE_FAST),
        ("6h", r.h6, PAGE_SLOW),
        ("3d", r.d3, 1.0),
    ];
    let cell_w = (area.width / 5).clamp(6, 7);
    let per_row = (area.width / cell_w).max(1);
    let mut i = 0;
    while i < windows.len() && row + 1 < area.height {
        let chunk = &windows[i..(i + usize::from(per_row)).min(windows.len())];
        for (j, (name, rate, limit)) in chunk.iter().enumerate() {
            let x = j as u16 * cell_w;
            let style = match rate {
                Some(v) if *v >= *limit => theme.bad(),
                Some(v) if *v >= 1.0 => theme.warn(),
                Some(_) => theme.ok(),
                None => theme.muted(),
            };
            put(buf, area, x, row, name, theme.muted());
            put(buf, area, x, row + 1, &format::burn(*rate), style);
        }
        i += chunk.len();
        row += 2;
    }
    let window_days = (b.window_seconds / 86_400.0).round();
    let slo = format!(
        "SLO {} over {window_days:.0}d, errors {}",
        format::percent(b.slo_target, 2),
        format::opt_percent(b.error_ratio, 3)
    );
    if row < area.height {
        put(
            buf,
            area,
            0,
            row,
            &fit(&slo, usize::from(area.width), theme),
            theme.muted(),
        );
        row += 1;
    }
    if row < area.height {
        put(
            buf,
            area,
            0,
            row,
            &fit(
                "page >=14.4x 1h+5m or >=6x 6h+30m; ticket >=1x 3d+6h",
                usize::from(area.width),
                theme,
            ),
            theme.muted(),
        );
    }
    row += 2;
    draw_consumed(ctx, area, row, buf);
}

/// Zoomed (or tall): the budget each recent deployment consumed, newest first.
fn draw_consumed(ctx: &Ctx, area: Rect, mut row: u16, buf: &mut Buffer) {
    let theme = ctx.theme;
    if row + 1 >= area.height {
        return;
    }
    let Some(facts) = ctx.service().map(|s| &s.facts) else {
        return;
    };
    put(
        buf,
        area,
        0,
        row,
        "budget consumed by deployment",
        theme.heading(),
    );
    row += 1;
    for d in ctx.model.service_deployments() {
        if row >= area.height {
            break;
        }
        let Some(consumed) = facts.get(&d.id).and_then(|f| f.budget_consumed) else {
            continue;
        };
        let style = if consumed >= 0.05 {
            theme.bad()
        } else {
            theme.plain()
        };
        let figure = format!("{:>7}", format::percent(consumed, 2));
        put_spans(
            buf,
            area,
            0,
            row,
            &[
                (&figure, style),
                ("  ", theme.plain()),
                (&d.version, theme.bold()),
            ],
        );
        row += 1;
    }
}
