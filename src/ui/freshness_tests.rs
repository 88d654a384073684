//! Which panes a source's health marks, and that the mark reaches the screen.

use chrono::Duration;

use super::*;
use crate::app::SourceStatus;
use crate::event::{SourceError, SourceErrorKind};
use crate::ui::{fixture, render, Theme};

const KINDS: [Feeds; 5] = [
    Feeds::DEPLOYMENTS,
    Feeds::INCIDENTS,
    Feeds::SERIES,
    Feeds::RATIOS,
    Feeds::ANNOTATIONS,
];

/// The health states a source can be in at `now`, each with the age of its data.
fn states(now: Ts, feeds: Feeds) -> Vec<(&'static str, SourceStatus, Option<Duration>)> {
    let base = || {
        let mut s = SourceStatus::new("src", Some(Duration::seconds(10)));
        s.feeds = feeds;
        s
    };
    let error = SourceError {
        kind: SourceErrorKind::Server,
        message: "HTTP 503".into(),
    };
    let mut ok = base();
    ok.last_ok = Some(now - Duration::seconds(5));
    let mut old = base();
    old.last_ok = Some(now - Duration::seconds(95));
    let mut failing = base();
    failing.last_ok = Some(now - Duration::seconds(12));
    failing.last_error = Some((now - Duration::seconds(2), error.clone()));
    let mut recovered = failing.clone();
    recovered.last_ok = Some(now - Duration::seconds(1));
    let mut cached = base();
    cached.last_ok = Some(now - Duration::hours(3));
    cached.from_cache = true;
    vec![
        ("ok", ok, None),
        ("old", old, Some(Duration::seconds(95))),
        ("failing", failing, Some(Duration::seconds(12))),
        ("recovered", recovered, None),
        ("cached", cached, Some(Duration::hours(3))),
        ("pending", base(), None),
    ]
}

/// Every pane × every kind of data × every health: marked exactly when the source fed
/// the pane and is stale or failing, with the age of its data.
#[test]
fn a_pane_is_marked_exactly_when_a_source_feeding_it_is_stale_or_failing() {
    let now = fixture::now();
    for pane in PaneId::ALL {
        for kind in KINDS {
            for (name, status, age) in states(now, kind) {
                let feeds_pane = kind.intersects(pane_feeds(pane));
                let expected = age.filter(|_| feeds_pane).map(|age| StaleMark {
                    age,
                    source: "src".into(),
                });
                assert_eq!(
                    pane_mark(pane, &[status], now),
                    expected,
                    "{pane:?} fed {kind:?}, source {name}"
                );
            }
        }
    }
}

/// Every pane is fed by something, and a source that fed everything marks every pane.
#[test]
fn every_pane_reads_some_data_and_the_oldest_stale_source_wins() {
    let now = fixture::now();
    let all = KINDS.iter().fold(Feeds::default(), |a, k| a.union(*k));
    let mut young = states(now, all)[2].1.clone();
    young.id = "young".into();
    let mut old = states(now, all)[1].1.clone();
    old.id = "old".into();
    for pane in PaneId::ALL {
        assert_ne!(pane_feeds(pane), Feeds::default(), "{pane:?}");
        let mark = pane_mark(pane, &[young.clone(), old.clone()], now);
        assert_eq!(mark.map(|m| m.source), Some("old".to_string()), "{pane:?}");
    }
}

#[test]
fn the_label_says_stale_and_the_age() {
    for (secs, want) in [
        (0, "STALE 0s"),
        (59, "STALE 59s"),
        (240, "STALE 4m"),
        (7200, "STALE 2h"),
        (200_000, "STALE 2d"),
    ] {
        let mark = StaleMark {
            age: Duration::seconds(secs),
            source: "s".into(),
        };
        assert_eq!(mark.label(), want);
    }
}

/// On screen, at the smallest full layout and a large one, in colour and without:
/// every pane's title carries the word and the age while its source fails, and none
/// does once it answers again.
#[test]
fn every_pane_title_shows_the_mark_at_80x24_and_120x40() {
    let now = fixture::now();
    let all = KINDS.iter().fold(Feeds::default(), |a, k| a.union(*k));
    let mut model = fixture::model();
    for s in &mut model.sources {
        s.feeds = Feeds::default();
    }
    let mut failing = states(now, all)[2].1.clone();
    failing.id = "prom".into();
    model.sources.push(failing.clone());
    let derived = fixture::derived(&model);
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        for color in [true, false] {
            let theme = Theme::new(color, false);
            let mut buf = ratatui::buffer::Buffer::empty(ratatui::layout::Rect::new(0, 0, w, h));
            render(&mut buf, &model, &derived, &theme);
            let text = crate::ui::buffer_to_text(&buf);
            // Each box's top border, from its left corner to its right one.
            let tops: Vec<&str> = text
                .lines()
                .flat_map(|l| l.split_inclusive(['┐', '┓']))
                .collect();
            for pane in PaneId::ALL {
                let number = pane.number();
                let top = tops
                    .iter()
                    .find(|t| {
                        ["┌ ", "┏ ", "┏["]
                            .iter()
                            .any(|corner| t.contains(&format!("{corner}{number}")))
                    })
                    .unwrap_or_else(|| panic!("{w}x{h}: no box for pane {number}:\n{text}"));
                assert!(
                    top.contains("STALE 12s"),
                    "{w}x{h} color={color}: pane {number} not marked: {top}\n{text}"
                );
            }
        }
    }
    // The source answers again: no pane is marked.
    let last = model.sources.len() - 1;
    model.sources[last].last_ok = Some(now);
    let mut buf = ratatui::buffer::Buffer::empty(ratatui::layout::Rect::new(0, 0, 120, 40));
    render(&mut buf, &model, &derived, &Theme::new(true, false));
    let text = crate::ui::buffer_to_text(&buf);
    assert!(!text.contains("STALE"), "{text}");
}

/// The fleet view's rows are every service's budget, burn, deployments and DORA: its
/// title is marked while a source feeding any of those fails, and only then (a
/// source of charts alone does not mark it).
#[test]
fn the_fleet_title_shows_the_mark_while_a_source_behind_its_rows_fails() {
    let now = fixture::now();
    for kind in KINDS {
        let mut model = fixture::model();
        for s in &mut model.sources {
            s.feeds = Feeds::default();
        }
        let mut failing = states(now, kind)[2].1.clone();
        failing.id = "prom".into();
        model.sources.push(failing);
        model.ui.fleet.open = true;
        let derived = fixture::derived(&model);
        let mut buf = ratatui::buffer::Buffer::empty(ratatui::layout::Rect::new(0, 0, 80, 24));
        render(&mut buf, &model, &derived, &Theme::new(false, false));
        let text = crate::ui::buffer_to_text(&buf);
        let top = text
            .lines()
            .find(|l| l.contains("Fleet"))
            .unwrap_or_else(|| panic!("no fleet box:\n{text}"));
        assert_eq!(
            top.contains("STALE 12s"),
            kind.intersects(fleet_feeds()),
            "{kind:?}: {top}"
        );
    }
}
