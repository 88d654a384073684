//! The header: a firing page alert whatever the focus, and when a failing source tries
//! next.

use chrono::Duration;

use crate::app::{Overlay, PaneId, SourceStatus};
use crate::event::{SourceError, SourceErrorKind};
use crate::ui::{fixture, render, Theme};

fn header_rows(
    model: &crate::app::Model,
    derived: &crate::metrics::Derived,
    w: u16,
) -> (String, String) {
    let mut buf = ratatui::buffer::Buffer::empty(ratatui::layout::Rect::new(0, 0, w, 24));
    render(&mut buf, model, derived, &Theme::new(false, false));
    let text = crate::ui::buffer_to_text(&buf);
    let mut lines = text.lines().map(str::to_string);
    (
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
    )
}

/// Every focus, zoom, overlay and selected service: the page of checkout is on the
/// first line, at 80 columns and at 120.
#[test]
fn a_firing_page_alert_shows_whatever_the_focus() {
    let base = fixture::model();
    let derived = fixture::derived(&base);
    let overlays = [
        None,
        Some(Overlay::Help),
        Some(Overlay::Sources),
        Some(Overlay::ServicePicker {
            filter: String::new(),
            cursor: 1,
        }),
    ];
    for focus in PaneId::ALL {
        for zoomed in [None, Some(focus)] {
            for overlay in &overlays {
                for service in 0..base.data.services.len() {
                    let mut model = base.clone();
                    model.ui.focus = focus;
                    model.ui.zoomed = zoomed;
                    model.ui.overlays = overlay.iter().cloned().collect();
                    model.ui.service = service;
                    for w in [80, 120] {
                        let (top, _) = header_rows(&model, &derived, w);
                        assert!(
                            top.contains("PAGE checkout"),
                            "{w} cols, focus {focus:?}, zoom {zoomed:?}, {overlay:?}, service {service}: {top}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn no_page_alert_no_page_in_the_header() {
    let model = fixture::model();
    let mut derived = fixture::derived(&model);
    for s in derived.services.values_mut() {
        if let Some(b) = s.budget.as_mut() {
            b.alerts
                .retain(|a| a.severity != crate::metrics::AlertSeverity::Page);
        }
    }
    let (top, _) = header_rows(&model, &derived, 120);
    assert!(!top.contains("PAGE"), "{top}");
}

/// A failing source says when it tries next, rounded up, and stops saying so once
/// that moment has passed; a healthy one never says it.
#[test]
fn a_failing_source_says_when_it_tries_next() {
    let mut model = fixture::model();
    let now = model.now;
    let mut prom = SourceStatus::new("prom", Some(Duration::seconds(5)));
    prom.last_ok = Some(now - Duration::seconds(40));
    prom.last_error = Some((
        now - Duration::seconds(1),
        SourceError {
            kind: SourceErrorKind::Server,
            message: "HTTP 503".into(),
        },
    ));
    prom.next_attempt = Some(now + Duration::milliseconds(11_300));
    model.sources = vec![prom.clone()];
    let derived = fixture::derived(&model);
    let (_, health) = header_rows(&model, &derived, 120);
    assert!(health.contains("prom error"), "{health}");
    assert!(health.contains("next try in 12s"), "{health}");
    prom.next_attempt = Some(now - Duration::seconds(1));
    model.sources = vec![prom.clone()];
    let (_, health) = header_rows(&model, &derived, 120);
    assert!(!health.contains("next try"), "{health}");
    // Answered again: healthy, no next try shown even if one is planned.
    prom.last_ok = Some(now);
    prom.next_attempt = Some(now + Duration::seconds(5));
    model.sources = vec![prom];
    let (_, health) = header_rows(&model, &derived, 120);
    assert!(
        health.contains("prom ok") && !health.contains("next try"),
        "{health}"
    );
}

/// The source details overlay (`h`) says the real next wait while failing, with the
/// backoff's bound, not "every 5s".
#[test]
fn the_source_details_say_the_real_next_wait() {
    let mut model = fixture::model();
    let now = model.now;
    let mut prom = SourceStatus::new("prom", Some(Duration::seconds(5)));
    prom.last_ok = Some(now - Duration::seconds(80));
    prom.last_error = Some((
        now - Duration::seconds(1),
        SourceError {
            kind: SourceErrorKind::Server,
            message: "HTTP 503".into(),
        },
    ));
    prom.next_attempt = Some(now + Duration::seconds(19));
    model.sources = vec![prom];
    model.ui.overlays = vec![Overlay::Sources];
    let derived = fixture::derived(&model);
    let mut buf = ratatui::buffer::Buffer::empty(ratatui::layout::Rect::new(0, 0, 120, 40));
    render(&mut buf, &model, &derived, &Theme::new(false, false));
    let text = crate::ui::buffer_to_text(&buf);
    let cap = crate::sources::poller::backoff_cap(std::time::Duration::from_secs(5));
    assert!(text.contains("next try in 19s"), "{text}");
    assert!(
        text.contains(&format!("backing off up to {}s", cap.as_secs())),
        "{text}"
    );
}

/// A fetch starting or ending changes only its indicator's two cells: nothing after
/// it on the line moves (a shift would redraw the rest of the line every poll), at
/// every width and for every source of the fixture.
#[test]
fn the_fetch_indicator_never_shifts_the_sources_line() {
    let base = fixture::model();
    let derived = fixture::derived(&base);
    for w in [60, 80, 100, 120, 160, 200] {
        for i in 0..base.sources.len() {
            let mut on = base.clone();
            on.sources[i].fetching = true;
            let mut off = base.clone();
            off.sources[i].fetching = false;
            let (_, a) = header_rows(&on, &derived, w);
            let (_, b) = header_rows(&off, &derived, w);
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            let differing = (0..a.len().max(b.len()))
                .filter(|&c| a.get(c).unwrap_or(&' ') != b.get(c).unwrap_or(&' '))
                .count();
            assert!(
                differing <= 1,
                "width {w}, source {i}: {differing} cells differ\n{}\n{}",
                a.iter().collect::<String>(),
                b.iter().collect::<String>()
            );
        }
    }
}

/// Records a source rejected are counted on its header line, and only on its own.
#[test]
fn rejected_records_are_counted_on_their_source() {
    let mut model = fixture::model();
    let derived = fixture::derived(&model);
    let first = model.sources[0].id.clone();
    assert!(model.data.rejected.iter().all(|r| r.source != first));
    // The part of the status line that belongs to the first source.
    let segment = |line: &str, model: &crate::app::Model| -> String {
        let at = line.find(&first).expect("the source is on the line");
        let rest = &line[at..];
        let end = model
            .sources
            .get(1)
            .and_then(|s| rest.find(&s.id))
            .unwrap_or(rest.len());
        rest[..end].to_string()
    };
    let (_, before) = header_rows(&model, &derived, 120);
    assert!(!segment(&before, &model).contains("rejected"), "{before}");
    for n in 0..3 {
        model.data.rejected.push(crate::model::Rejected {
            source: first.clone(),
            record: format!("deployment {n}"),
            reason: "no sha".to_string(),
        });
    }
    let (_, after) = header_rows(&model, &derived, 120);
    assert!(segment(&after, &model).contains("3 rejected"), "{after}");
    assert_eq!(
        after.matches("rejected").count(),
        before.matches("rejected").count() + 1,
        "{after}"
    );
}

/// A long first sync shows how far it got on its source's line, and the line goes
/// back to the source's age when the fetch ends.
#[test]
fn a_long_sync_shows_records_and_pages_on_its_source_line() {
    let base = fixture::model();
    let derived = fixture::derived(&base);
    let mut model = base.clone();
    let mut gitlab = SourceStatus::new("gitlab", Some(Duration::seconds(30)));
    gitlab.fetching = true;
    gitlab.progress = Some((12_300, 123));
    model.sources.insert(0, gitlab);
    let (_, line) = header_rows(&model, &derived, 120);
    assert!(line.contains("gitlab"), "{line}");
    assert!(line.contains("syncing 12,300 rec/123 pg"), "{line}");
    model.sources[0].progress = None;
    let (_, line) = header_rows(&model, &derived, 120);
    assert!(!line.contains("syncing"), "{line}");
}
