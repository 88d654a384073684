//! `h`: each source's health with the reason of its last error, its warnings, and the
//! records it rejected (the data-quality view).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::Doc;
use crate::app::{Health, SourceStatus};
use crate::model::Ts;
use crate::sources::poller::backoff_cap;
use crate::ui::header::round_up;
use crate::ui::theme::Sym;
use crate::ui::{format, Ctx};

/// Rejected records listed per source before "and N more".
const REJECTED_SHOWN: usize = 5;

pub fn draw(ctx: &Ctx, area: Rect, buf: &mut Buffer) {
    let (model, theme) = (ctx.model, ctx.theme);
    let tz = model.view.tz;
    let p = theme.plain();
    let mut doc = Doc::default();
    if !model.config_notes.is_empty() {
        doc.section();
        doc.text(
            format!(
                "{} [[slo_files]]: {} item(s) left out, which flightdeck cannot express:",
                theme.sym(Sym::Stale),
                model.config_notes.len()
            ),
            theme.warn(),
        );
        for n in &model.config_notes {
            doc.text(format!("  {n}"), p);
        }
    }
    if model.sources.is_empty() {
        doc.text("no sources configured", theme.muted());
    }
    for s in &model.sources {
        // j/k scroll by source: what grows above never moves the one on top.
        doc.section();
        let health = s.health(model.now);
        let (sym, style) = theme.health(&health);
        let age = s.age(model.now).map_or_else(
            || "no data yet".to_string(),
            |a| format!("data {}", format::age(a)),
        );
        let state = match &health {
            Health::Stale { since } if s.from_cache => {
                format!(
                    "stale: cached data from {}",
                    format::since(*since, model.now, tz)
                )
            }
            Health::Stale { since } => {
                format!("stale since {}", format::since(*since, model.now, tz))
            }
            other => other.word().to_string(),
        };
        let fetching = if s.fetching {
            format!("  {} fetching", theme.sym(Sym::Fetching))
        } else {
            String::new()
        };
        doc.line(vec![
            (format!("{sym} {}", s.id), theme.bold()),
            (format!("  {state}"), style),
            (
                format!("  {age}{}{fetching}", schedule(s, &health, model.now)),
                theme.muted(),
            ),
        ]);
        if let Some((at, err)) = &s.last_error {
            doc.line(vec![
                (
                    format!("  last error {}: ", format::since(*at, model.now, tz)),
                    theme.muted(),
                ),
                (err.to_string(), theme.bad()),
            ]);
        }
        if let Some(next) = s.retry_not_before.filter(|n| *n > model.now) {
            doc.text(
                format!(
                    "  the server asked to wait (Retry-After): next try {}",
                    format::since(next, model.now, tz)
                ),
                theme.warn(),
            );
        }
        for w in &s.warnings {
            doc.line(vec![
                ("  warning: ".to_string(), theme.warn()),
                (w.to_string(), p),
            ]);
        }
        let rejected: Vec<_> = model
            .data
            .rejected
            .iter()
            .filter(|r| r.source == s.id)
            .collect();
        if !rejected.is_empty() {
            doc.text(
                format!("  {} record(s) rejected:", rejected.len()),
                theme.warn(),
            );
            for r in rejected.iter().take(REJECTED_SHOWN) {
                doc.line(vec![
                    (format!("    {}: ", r.record), theme.muted()),
                    (r.reason.clone(), p),
                ]);
            }
            if rejected.len() > REJECTED_SHOWN {
                doc.text(
                    format!("    and {} more", rejected.len() - REJECTED_SHOWN),
                    theme.muted(),
                );
            }
        }
    }
    doc.blank();
    doc.text("r: refresh every source now", theme.muted());
    doc.show(ctx, area, 90, "Sources", buf);
}

/// When the source asks next, as the poller really plans it: while failing the next
/// try and the backoff's bound, otherwise the interval.
fn schedule(s: &SourceStatus, health: &Health, now: Ts) -> String {
    let Some(interval) = s.interval else {
        return String::new();
    };
    let every = format::duration(interval);
    match (health, s.next_try_in(now)) {
        (Health::Error, Some(wait)) => {
            let cap = interval
                .to_std()
                .map(backoff_cap)
                .ok()
                .and_then(|c| chrono::Duration::from_std(c).ok())
                .map_or_else(String::new, |c| {
                    format!("; backing off up to {}", format::duration(c))
                });
            format!(
                ", next try in {} (every {every}{cap})",
                format::duration(round_up(wait))
            )
        }
        _ => format!(", every {every}"),
    }
}

#[cfg(test)]
mod tests {
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;

    use crate::app::Overlay;
    use crate::ui::{buffer_to_text, fixture, render, Theme};

    #[test]
    fn what_the_slo_files_left_out_is_listed_above_the_sources() {
        let mut model = fixture::model();
        let derived = fixture::derived(&model);
        model.ui.overlays = vec![Overlay::Sources];
        model.config_notes =
            vec!["slos/api.yml:12: latency: a thresholdMetric SLI is not read".to_string()];
        let mut buf = Buffer::empty(Rect::new(0, 0, 120, 40));
        render(&mut buf, &model, &derived, &Theme::new(true, false));
        let text = buffer_to_text(&buf);
        assert!(text.contains("1 item(s) left out"), "{text}");
        assert!(text.contains("slos/api.yml:12: latency"), "{text}");
    }
}
