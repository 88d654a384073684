//! Below 80x24: the facts that matter at a glance (selected service, latest
//! deployment, budget and policy, firing alerts, source health, the DORA headline),
//! then as many recent deployments as fit; a "too small" line for anything smaller.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::paint::{put, put_spans};
use super::panes::deployments::canary_text;
use super::theme::Sym;
use super::{format, layout, Ctx};
use crate::metrics::AlertSeverity;

pub fn draw(ctx: &Ctx, area: Rect, buf: &mut Buffer) {
    let (model, theme) = (ctx.model, ctx.theme);
    let mut row = 0;
    let service = model.selected_service().unwrap_or("no service");
    let clock = format::clock(model.now, model.view.tz);
    let demo = if model.view.demo { " DEMO" } else { "" };
    put_spans(
        buf,
        area,
        0,
        row,
        &[
            ("flightdeck", theme.heading()),
            (demo, theme.bold()),
            (" ", theme.plain()),
            (service, theme.border(true)),
            (" ", theme.plain()),
            (&clock, theme.plain()),
        ],
    );
    row += 1;

    let deployments = model.service_deployments();
    match deployments.first() {
        Some(d) => {
            let (sym, style) = theme.status(d.status);
            let age = format::age(model.now - d.started_at);
            let canary = canary_text(d);
            put_spans(
                buf,
                area,
                0,
                row,
                &[
                    ("latest ", theme.muted()),
                    (sym, style),
                    (" ", theme.plain()),
                    (d.status.word(), style),
                    (" ", theme.plain()),
                    (&d.version, theme.bold()),
                    (" ", theme.plain()),
                    (&canary, theme.plain()),
                    (" ", theme.plain()),
                    (&age, theme.muted()),
                ],
            );
        }
        None => {
            put(buf, area, 0, row, "no deployments", theme.muted());
        }
    }
    row += 1;

    let budget = ctx.service().and_then(|s| s.budget.as_ref());
    match budget {
        Some(b) => {
            let left = format::opt_percent(b.remaining, 1);
            let (policy, style) = b
                .policy
                .map_or((format::NA, theme.muted()), |p| (p.word(), theme.policy(p)));
            put_spans(
                buf,
                area,
                0,
                row,
                &[
                    ("budget ", theme.muted()),
                    (&left, style),
                    (" left ", theme.plain()),
                    (policy, style),
                ],
            );
            row += 1;
            if b.alerts.is_empty() {
                put(buf, area, 0, row, "no burn alerts", theme.ok());
                row += 1;
            }
            for alert in &b.alerts {
                let sev = match alert.severity {
                    AlertSeverity::Page => "PAGE",
                    AlertSeverity::Ticket => "TICKET",
                };
                let text = format!(
                    "{sev} {}/{} burn {}",
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
                        (theme.sym(Sym::Up), theme.bad()),
                        (" ", theme.plain()),
                        (&text, theme.bad()),
                    ],
                );
                row += 1;
            }
        }
        None => {
            put(buf, area, 0, row, "no error budget", theme.muted());
            row += 1;
        }
    }

    let mut col = 0;
    for source in &model.sources {
        let health = source.health(model.now);
        let (sym, style) = theme.health(&health);
        col = put_spans(
            buf,
            area,
            col,
            row,
            &[
                (sym, style),
                (" ", theme.plain()),
                (&source.id, theme.plain()),
                (" ", theme.plain()),
                (health.word(), style),
                ("  ", theme.plain()),
            ],
        );
    }
    row += 1;

    if let Some(reason) = model.dora_unavailable() {
        put(buf, area, 0, row, &format!("DORA: {reason}"), theme.muted());
        row += 1;
    } else if let Some(svc) = ctx.service() {
        let d = &svc.dora;
        let freq = d
            .deployment_frequency
            .per_day
            .map_or_else(|| format::NA.to_string(), |v| format!("{v:.1}/day"));
        let c = &d.change_failure_rate;
        let line = format!(
            "DORA {freq}  lead {}  CFR {} ({})  MTTR {}",
            format::opt_secs(d.lead_time.p50_seconds),
            format::opt_percent(c.rate, 1),
            format::of(c.failed, c.deployments),
            format::opt_secs(d.recovery_time.p50_seconds),
        );
        put(buf, area, 0, row, &line, theme.plain());
        row += 1;
    }

    // The rest, up to the hint line, lists the latest deployments.
    let last = area.height.saturating_sub(1);
    let facts = ctx.service().map(|s| &s.facts);
    for d in deployments.iter() {
        if row >= last {
            break;
        }
        let (sym, style) = theme.status(d.status);
        let age = format::age(model.now - d.started_at);
        let failed = facts.and_then(|f| f.get(&d.id)).is_some_and(|f| f.failed);
        put_spans(
            buf,
            area,
            0,
            row,
            &[
                (sym, style),
                (" ", theme.plain()),
                (&format!("{:<12}", d.status.word()), style),
                (&format!("{:<10} ", d.version), theme.bold()),
                (&format!("{:<11} ", d.environment), theme.plain()),
                (&format!("{age:<9} "), theme.muted()),
                (if failed { "FAIL" } else { "" }, theme.bad()),
            ],
        );
        row += 1;
    }
    if area.height > row {
        let need = format!(
            "full cockpit needs {}x{} (have {}x{}); ? help, q quit",
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT,
            area.width,
            area.height
        );
        put(buf, area, 0, area.height - 1, &need, theme.muted());
    }
}

pub fn too_small(ctx: &Ctx, area: Rect, buf: &mut Buffer) {
    // What is needed here is the compact view's size, not the full cockpit's.
    let line = format!(
        "terminal too small: need {}x{}, have {}x{}",
        layout::COMPACT_WIDTH,
        layout::COMPACT_HEIGHT,
        area.width,
        area.height
    );
    // Word-wrapped over the rows there are, so the sizes stay readable when narrow.
    let (mut row, mut col) = (0u16, 0u16);
    for word in line.split(' ') {
        let w = word.len() as u16;
        if col > 0 && col + 1 + w > area.width {
            row += 1;
            col = 0;
        }
        if col > 0 {
            col += 1;
        }
        col = put(buf, area, col, row, word, ctx.theme.bad());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::{buffer_to_text, fixture, render, Theme};

    fn shown(w: u16, h: u16) -> String {
        let model = fixture::model();
        let derived = fixture::derived(&model);
        let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
        render(&mut buf, &model, &derived, &Theme::new(true, false));
        buffer_to_text(&buf)
    }

    /// The facts the compact view exists for, each of which must show whole.
    fn facts() -> Vec<String> {
        let model = fixture::model();
        let derived = fixture::derived(&model);
        let latest = model.service_deployments()[0];
        let budget = derived.services["checkout"]
            .budget
            .clone()
            .unwrap_or_else(|| {
                panic!("the fixture has a budget for checkout");
            });
        vec![
            "checkout".to_string(),
            format!("{} {}", latest.status.word(), latest.version),
            format!("{} left", format::opt_percent(budget.remaining, 1)),
            budget.policy.map_or("", |p| p.word()).to_string(),
        ]
    }

    #[test]
    fn without_a_deployment_source_the_dora_line_says_so() {
        let mut model = fixture::model();
        let derived = fixture::derived(&model);
        model.view.demo = false;
        model.data.deployments = Vec::new().into();
        let every = Some(chrono::Duration::seconds(30));
        model.sources = vec![crate::app::SourceStatus::new("prometheus", every)];
        let text = |model: &crate::app::Model| {
            let mut buf = Buffer::empty(Rect::new(0, 0, 70, 20));
            render(&mut buf, model, &derived, &Theme::new(true, false));
            buffer_to_text(&buf)
        };
        let shown = text(&model);
        assert!(shown.contains("DORA: no deployment source"), "{shown}");
        assert!(!shown.contains("/day"), "{shown}");
        // A configured GitLab that has listed nothing yet is not "no source".
        model
            .sources
            .push(crate::app::SourceStatus::new("gitlab", every));
        let shown = text(&model);
        assert!(shown.contains("DORA: no deployments yet"), "{shown}");
        assert!(!shown.contains("/day"), "{shown}");
    }

    #[test]
    fn the_compact_minimum_is_the_smallest_size_that_shows_the_facts() {
        let (w, h) = (layout::COMPACT_WIDTH, layout::COMPACT_HEIGHT);
        let at_min = shown(w, h);
        for fact in facts() {
            assert!(at_min.contains(&fact), "{w}x{h} lacks {fact:?}:\n{at_min}");
        }
        // One column or one row less, the compact view would lose a fact: the
        // minimum is the true one. Below it, "too small" names the size that works.
        for (lw, lh) in [(w - 1, h), (w, h - 1)] {
            let model = fixture::model();
            let derived = fixture::derived(&model);
            let theme = Theme::new(true, false);
            let ctx = Ctx {
                model: &model,
                derived: &derived,
                theme: &theme,
            };
            let mut buf = Buffer::empty(Rect::new(0, 0, lw, lh));
            draw(&ctx, buf.area, &mut buf);
            let text = buffer_to_text(&buf);
            let lost = facts().into_iter().find(|f| !text.contains(f.as_str()));
            assert!(lost.is_some(), "{lw}x{lh} still shows every fact:\n{text}");
            let flat = shown(lw, lh)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            assert!(flat.contains(&format!("need {w}x{h}")), "{flat}");
            assert!(!flat.contains("80x24"), "{flat}");
        }
    }
}
