//! Headless app tests: events in, state and commands out — no terminal involved.

use chrono::{Duration, TimeZone, Utc};
use crossterm::event::{Event as Input, KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::event::{Command, Event, SourceCommand, SourceData, SourceError, SourceErrorKind};
use crate::event::{SourceEvent, SourceEventKind};
use crate::model::{DeployKind, DeployStatus, Deployment, Trigger};

/// 2026-11-20 12:00 UTC plus `min` minutes (shared with the other app tests).
pub(super) fn t(min: i64) -> Ts {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
        .single()
        .expect("valid date")
        + Duration::minutes(min)
}

/// A five-minute production success of `service` started at minute `started`.
pub(super) fn deployment(id: &str, service: &str, started: i64) -> Deployment {
    Deployment {
        id: id.to_string(),
        source: "test".to_string(),
        service: service.to_string(),
        environment: "production".to_string(),
        version: format!("v{id}"),
        sha: "abc".to_string(),
        status: DeployStatus::Success,
        started_at: t(started),
        finished_at: Some(t(started + 5)),
        deployer: "ann".to_string(),
        url: None,
        commits: Vec::new(),
        stages: Vec::new(),
        canary: None,
        trigger: Trigger::Auto,
        kind: DeployKind::Normal,
    }
}

fn app() -> App {
    let view = View {
        tz: crate::zone::Tz::UTC,
        demo: true,
    };
    App::new(view, crate::metrics::Settings::default(), t(100))
}

fn fetched(app: &mut App, source: &str, at: Ts, data: Vec<SourceData>) {
    app.update(Event::Source(SourceEvent {
        source: source.to_string(),
        kind: SourceEventKind::Fetched {
            at,
            data,
            warnings: vec!["\x1b]0;title\x07partial".into()],
        },
    }));
}

fn key(app: &mut App, code: KeyCode) -> Vec<Command> {
    app.update(Event::Input(Input::Key(KeyEvent::new(
        code,
        KeyModifiers::NONE,
    ))))
}

fn loaded() -> App {
    let mut a = app();
    fetched(
        &mut a,
        "demo",
        t(100),
        vec![
            SourceData::Services(vec!["api".into(), "web".into()]),
            SourceData::Deployments(vec![
                deployment("1", "api", 0),
                deployment("3", "api", 20),
                deployment("2", "api", 10),
                deployment("9", "web", 5),
            ]),
        ],
    );
    a
}

#[test]
fn deployments_are_sorted_and_upserted() {
    let mut a = loaded();
    let ids: Vec<_> = a
        .model
        .data
        .deployments
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    assert_eq!(ids, ["1", "9", "2", "3"]);
    let mut changed = deployment("2", "api", 10);
    changed.status = DeployStatus::Failed;
    fetched(
        &mut a,
        "demo",
        t(101),
        vec![SourceData::Deployments(vec![changed])],
    );
    assert_eq!(a.model.data.deployments.len(), 4);
    let two = a
        .model
        .data
        .deployments
        .iter()
        .find(|d| d.id == "2")
        .expect("kept");
    assert_eq!(two.status, DeployStatus::Failed);
}

#[test]
fn table_lists_selected_service_newest_first() {
    let a = loaded();
    let ids: Vec<_> = a
        .model
        .service_deployments()
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    assert_eq!(ids, ["3", "2", "1"]);
    assert_eq!(
        a.model.selected_deployment().map(|d| d.id.as_str()),
        Some("3")
    );
}

#[test]
fn cursor_moves_and_clamps() {
    let mut a = loaded();
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Down);
    assert_eq!(a.model.ui.deploy_cursor, 2);
    key(&mut a, KeyCode::Char('g'));
    assert_eq!(a.model.ui.deploy_cursor, 0);
    key(&mut a, KeyCode::End);
    assert_eq!(a.model.ui.deploy_cursor, 2);
    key(&mut a, KeyCode::Char(']'));
    assert_eq!(a.model.selected_service(), Some("web"));
    assert_eq!(
        a.model.ui.deploy_cursor, 0,
        "a new service starts at its newest row"
    );
}

#[test]
fn enter_opens_detail_and_esc_closes() {
    let mut a = loaded();
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.model.ui.overlays, vec![Overlay::Deployment("2".into())]);
    // Keys in an overlay do not move the table.
    key(&mut a, KeyCode::Char('j'));
    assert_eq!(a.model.ui.deploy_cursor, 1);
    key(&mut a, KeyCode::Esc);
    assert!(a.model.ui.overlays.is_empty());
}

#[test]
fn focus_cycles_and_number_keys_zoom() {
    let mut a = loaded();
    key(&mut a, KeyCode::Tab);
    assert_eq!(a.model.ui.focus, PaneId::Budget);
    key(&mut a, KeyCode::BackTab);
    key(&mut a, KeyCode::BackTab);
    assert_eq!(a.model.ui.focus, PaneId::Review);
    key(&mut a, KeyCode::Char('5'));
    assert_eq!(
        (a.model.ui.focus, a.model.ui.zoomed),
        (PaneId::Spc, Some(PaneId::Spc))
    );
    key(&mut a, KeyCode::Char('5'));
    assert_eq!(a.model.ui.zoomed, None);
    key(&mut a, KeyCode::Enter);
    assert_eq!(
        a.model.ui.zoomed,
        Some(PaneId::Spc),
        "Enter zooms panes without rows"
    );
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.model.ui.zoomed, None);
}

#[test]
fn help_toggles_and_quit_keys_quit() {
    let mut a = loaded();
    key(&mut a, KeyCode::Char('?'));
    assert_eq!(a.model.ui.overlays, vec![Overlay::Help]);
    key(&mut a, KeyCode::Char('?'));
    assert!(a.model.ui.overlays.is_empty());
    assert_eq!(key(&mut a, KeyCode::Char('q')), vec![Command::Quit]);
    assert_eq!(a.quit, Some(QuitReason::User));

    let mut b = loaded();
    key(&mut b, KeyCode::Char('?'));
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(
        b.update(Event::Input(Input::Key(ctrl_c))),
        vec![Command::Quit]
    );
}

fn ctrl(app: &mut App, c: char) -> Vec<Command> {
    let k = KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
    app.update(Event::Input(Input::Key(k)))
}

#[test]
fn ctrl_d_scrolls_inside_overlays_and_quits_everywhere_else() {
    for open in ['?', 'h'] {
        let mut a = loaded();
        key(&mut a, KeyCode::Char(open));
        assert!(
            ctrl(&mut a, 'd').is_empty(),
            "{open}: Ctrl-D quit an overlay"
        );
        assert!(a.quit.is_none());
        assert_eq!(a.model.ui.overlay_scroll, OverlayScroll::Top(5));
        ctrl(&mut a, 'u');
        assert_eq!(a.model.ui.overlay_scroll, OverlayScroll::Top(0));
        // G and End anchor at the end; k steps up from there, g back to the top.
        for end in [KeyCode::Char('G'), KeyCode::End] {
            key(&mut a, KeyCode::Char('g'));
            key(&mut a, end);
            assert_eq!(a.model.ui.overlay_scroll, OverlayScroll::End(0));
        }
        key(&mut a, KeyCode::Char('k'));
        assert_eq!(a.model.ui.overlay_scroll, OverlayScroll::End(1));
        key(&mut a, KeyCode::Home);
        assert_eq!(a.model.ui.overlay_scroll, OverlayScroll::Top(0));
        key(&mut a, KeyCode::Esc);
        assert_eq!(ctrl(&mut a, 'd'), vec![Command::Quit], "{open}");
    }
    // The service picker takes typing, not scrolling: Ctrl-D still quits there.
    let mut a = loaded();
    key(&mut a, KeyCode::Char('s'));
    assert_eq!(ctrl(&mut a, 'd'), vec![Command::Quit]);
}

#[test]
fn an_overlay_scrolled_from_the_end_stays_inside_it() {
    // 30 lines shown 10 at a time: the last page starts at line 20.
    let max = 20;
    assert_eq!(OverlayScroll::End(0).offset(max), 20);
    assert_eq!(OverlayScroll::End(0).up(3).offset(max), 17);
    assert_eq!(OverlayScroll::End(2).down(9).offset(max), 20);
    assert_eq!(OverlayScroll::End(99).offset(max), 0);
    assert_eq!(OverlayScroll::Top(99).offset(max), 20);
    assert_eq!(OverlayScroll::Top(4).up(9).offset(max), 0);
}

#[test]
fn picker_filters_and_selects() {
    let mut a = loaded();
    key(&mut a, KeyCode::Char('/'));
    for c in "WE".chars() {
        key(&mut a, KeyCode::Char(c));
    }
    assert_eq!(
        a.model.ui.overlays,
        vec![Overlay::ServicePicker {
            filter: "WE".into(),
            cursor: 0
        }]
    );
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.model.selected_service(), Some("web"));
    assert!(a.model.ui.overlays.is_empty());
    // 'q' typed into the filter is text, not quit.
    key(&mut a, KeyCode::Char('s'));
    assert!(key(&mut a, KeyCode::Char('q')).is_empty());
    assert!(a.quit.is_none());
}

#[test]
fn refresh_and_rollback_become_commands() {
    let mut a = loaded();
    assert_eq!(key(&mut a, KeyCode::Char('r')), vec![Command::RefreshAll]);
    assert_eq!(
        key(&mut a, KeyCode::Char('b')),
        vec![Command::ToSource {
            source: "demo".into(),
            command: SourceCommand::Rollback {
                service: "api".into()
            }
        }]
    );
    a.model.view.demo = false;
    assert!(
        key(&mut a, KeyCode::Char('b')).is_empty(),
        "no rollback outside the demo"
    );
    assert!(a.model.ui.flash.is_some());
}

#[test]
fn source_health_follows_events() {
    let mut a = loaded();
    a.register_source("prometheus", Duration::seconds(30));
    let prom = |a: &App| {
        a.model
            .sources
            .iter()
            .find(|s| s.id == "prometheus")
            .cloned()
    };
    assert_eq!(prom(&a).map(|s| s.health(t(100))), Some(Health::Pending));
    fetched(&mut a, "prometheus", t(100), Vec::new());
    let status = prom(&a).expect("registered");
    assert_eq!(status.health(t(101)), Health::Ok);
    assert_eq!(
        status.health(t(102)),
        Health::Stale { since: t(100) },
        "older than 3 intervals"
    );
    assert!(status
        .warnings
        .iter()
        .all(|w| crate::model::sanitize::is_clean(w)));
    a.update(Event::Source(SourceEvent {
        source: "prometheus".into(),
        kind: SourceEventKind::Failed {
            at: t(103),
            error: SourceError {
                kind: SourceErrorKind::Auth,
                message: "401\x1b[2J".into(),
            },
            retry_after: None,
        },
    }));
    let status = prom(&a).expect("registered");
    assert_eq!(status.health(t(103)), Health::Error);
    let (_, err) = status.last_error.expect("error kept");
    assert!(crate::model::sanitize::is_clean(&err.message));
}

#[test]
fn cached_data_is_stale_until_a_live_fetch() {
    let mut a = app();
    a.update(Event::Source(SourceEvent {
        source: "gitlab".into(),
        kind: SourceEventKind::Cached {
            at: t(99),
            data: vec![SourceData::Deployments(vec![deployment("1", "api", 0)])],
        },
    }));
    let s = a
        .model
        .sources
        .iter()
        .find(|s| s.id == "gitlab")
        .cloned()
        .expect("created");
    assert_eq!(s.health(t(99)), Health::Stale { since: t(99) });
    assert_eq!(a.model.data.deployments.len(), 1);
    fetched(&mut a, "gitlab", t(100), Vec::new());
    let s = a
        .model
        .sources
        .iter()
        .find(|s| s.id == "gitlab")
        .cloned()
        .expect("created");
    assert_eq!(s.health(t(100)), Health::Ok);
}

#[test]
fn shutdown_event_quits() {
    let mut a = loaded();
    let cmds = a.update(Event::Shutdown(crate::event::ShutdownReason::InputClosed));
    assert_eq!(cmds, vec![Command::Quit]);
    assert!(matches!(a.quit, Some(QuitReason::Shutdown(_))));
}

#[test]
fn picker_filter_is_case_insensitive_substring() {
    let mut a = app();
    let names = ["checkout", "Search", "cart"].map(String::from).to_vec();
    fetched(&mut a, "demo", t(100), vec![SourceData::Services(names)]);
    assert_eq!(a.model.picker_matches("C"), vec![0, 1, 2]);
    assert_eq!(a.model.picker_matches("ar"), vec![1, 2]);
    assert!(a.model.picker_matches("zzz").is_empty());
}

fn source<'a>(a: &'a App, id: &str) -> &'a SourceStatus {
    a.model
        .sources
        .iter()
        .find(|s| s.id == id)
        .expect("source known")
}

fn event(a: &mut App, id: &str, kind: SourceEventKind) {
    a.update(Event::Source(SourceEvent {
        source: id.into(),
        kind,
    }));
}

/// The cache replay runs beside the first poll: when it loses the race, what it holds
/// may only fill gaps — live deployments, series and ratios stay as fetched.
#[test]
fn a_late_cached_event_never_replaces_live_data() {
    use crate::model::{Series, SeriesKind, WindowRatios};
    let mut a = app();
    let live_ratios = WindowRatios {
        m5: Some(0.004),
        ..Default::default()
    };
    let live_series = Series {
        query: "live".into(),
        points: vec![(t(100), 2.0)],
    };
    let mut running = deployment("1", "api", 90);
    running.status = DeployStatus::Running;
    fetched(
        &mut a,
        "prometheus",
        t(100),
        vec![
            SourceData::Deployments(vec![deployment("1", "api", 90)]),
            SourceData::Ratios {
                service: "api".into(),
                ratios: live_ratios,
            },
            SourceData::Series {
                service: "api".into(),
                kind: SeriesKind::ErrorRatio,
                series: live_series.clone(),
            },
        ],
    );
    let cached_series = Series {
        query: "cached".into(),
        points: vec![(t(50), 9.0)],
    };
    event(
        &mut a,
        "prometheus",
        SourceEventKind::Cached {
            at: t(60),
            data: vec![
                // An older state of the live deployment, and one the live fetch lacks.
                SourceData::Deployments(vec![running, deployment("0", "api", 10)]),
                SourceData::Ratios {
                    service: "api".into(),
                    ratios: WindowRatios::default(),
                },
                SourceData::Series {
                    service: "api".into(),
                    kind: SeriesKind::ErrorRatio,
                    series: cached_series.clone(),
                },
                SourceData::Series {
                    service: "api".into(),
                    kind: SeriesKind::LatencyP99,
                    series: cached_series.clone(),
                },
            ],
        },
    );
    let d = &a.model.data;
    assert_eq!(d.ratios.get("api"), Some(&live_ratios));
    assert_eq!(
        d.series.get(&("api".to_string(), SeriesKind::ErrorRatio)),
        Some(&live_series)
    );
    assert_eq!(
        d.series.get(&("api".to_string(), SeriesKind::LatencyP99)),
        Some(&cached_series),
        "a series the live fetch did not bring is filled in"
    );
    let ids: Vec<(&str, DeployStatus)> = d
        .deployments
        .iter()
        .map(|x| (x.id.as_str(), x.status))
        .collect();
    assert_eq!(
        ids,
        [("0", DeployStatus::Success), ("1", DeployStatus::Success)]
    );
    let s = source(&a, "prometheus");
    assert_eq!(s.last_ok, Some(t(100)));
    assert!(!s.from_cache, "still live, not stale-from-cache");
    assert_eq!(s.health(t(100)), Health::Ok);
}

/// The first poll shows each answer as it arrives: a part fills the windows it
/// answers and keeps the ones it has not answered yet (from the cache), and the whole
/// fetch that follows is the truth, a window without data included.
#[test]
fn an_arrived_part_updates_only_the_windows_it_answers() {
    use crate::model::WindowRatios;
    let ratios = |r: WindowRatios| SourceData::Ratios {
        service: "api".into(),
        ratios: r,
    };
    let mut a = app();
    let cached = WindowRatios {
        m5: Some(0.5),
        d3: Some(0.03),
        slo_window: Some(0.001),
        ..Default::default()
    };
    event(
        &mut a,
        "prometheus",
        SourceEventKind::Cached {
            at: t(60),
            data: vec![ratios(cached)],
        },
    );
    let part = WindowRatios {
        m5: Some(0.004),
        m30: Some(0.002),
        ..Default::default()
    };
    event(
        &mut a,
        "prometheus",
        SourceEventKind::Arrived {
            data: vec![ratios(part)],
        },
    );
    let shown = WindowRatios {
        m5: Some(0.004),
        m30: Some(0.002),
        d3: Some(0.03),
        slo_window: Some(0.001),
        ..Default::default()
    };
    assert_eq!(a.model.data.ratios.get("api"), Some(&shown));
    let whole = WindowRatios {
        m5: Some(0.004),
        m30: Some(0.002),
        slo_window: Some(0.002),
        ..Default::default()
    };
    fetched(&mut a, "prometheus", t(100), vec![ratios(whole)]);
    assert_eq!(
        a.model.data.ratios.get("api"),
        Some(&whole),
        "the whole fetch replaces: its 3d window has no data"
    );
}

/// Warnings belong to the last successful fetch: a failure keeps them (they still
/// describe the data on screen), the next success replaces them.
#[test]
fn warnings_stay_until_the_next_successful_fetch() {
    let mut a = app();
    let warn = |w: &[&str]| SourceEventKind::Fetched {
        at: t(100),
        data: Vec::new(),
        warnings: w.iter().map(|s| (*s).into()).collect(),
    };
    event(
        &mut a,
        "prometheus",
        warn(&["api: partial response", "web: no data"]),
    );
    assert_eq!(a.model.warning_count(), 2);
    event(
        &mut a,
        "prometheus",
        SourceEventKind::Failed {
            at: t(101),
            error: SourceError {
                kind: SourceErrorKind::RateLimited,
                message: "HTTP 429 after retries".into(),
            },
            retry_after: Some(std::time::Duration::from_secs(120)),
        },
    );
    let s = source(&a, "prometheus");
    assert_eq!(s.warnings, ["api: partial response", "web: no data"]);
    assert_eq!(s.retry_not_before, Some(t(103)));
    event(
        &mut a,
        "prometheus",
        SourceEventKind::Cached {
            at: t(90),
            data: Vec::new(),
        },
    );
    assert_eq!(a.model.warning_count(), 2, "the cache does not touch them");
    event(&mut a, "prometheus", warn(&["api: partial response"]));
    let s = source(&a, "prometheus");
    assert_eq!(s.warnings, ["api: partial response"]);
    assert_eq!(s.retry_not_before, None);
    event(&mut a, "prometheus", warn(&[]));
    assert_eq!(a.model.warning_count(), 0);
}

/// Cache problems show as the `cache` source: an error until it recovers, and once
/// recovered it is "ok" for good (it is not polled, so it never goes stale).
#[test]
fn cache_failures_show_as_a_source_that_never_goes_stale() {
    let mut a = app();
    // The events carry the wall clock; the app's clock must not be ahead of it.
    a.update(Event::Tick(Utc::now() - Duration::minutes(1)));
    a.update(crate::store::failure_event("cannot read the cache".into()));
    let s = source(&a, crate::store::CACHE_SOURCE_ID);
    assert_eq!(s.health(a.model.now), Health::Error);
    assert_eq!(
        s.last_error.as_ref().map(|(_, e)| e.kind),
        Some(SourceErrorKind::Storage)
    );
    a.update(crate::store::recovered_event());
    let s = source(&a, crate::store::CACHE_SOURCE_ID);
    let later = s.last_ok.expect("recovered") + Duration::days(365);
    assert_eq!(s.health(later), Health::Ok);
    assert_eq!(
        s.interval, None,
        "the cache is not polled: no interval to show"
    );
}

#[test]
fn configured_services_show_before_any_source_answers_and_are_not_doubled() {
    let mut a = app();
    a.register_services(["checkout".to_string(), "search".to_string()]);
    assert_eq!(a.model.data.services, ["checkout", "search"]);
    assert_eq!(a.model.selected_service(), Some("checkout"));
    // The source's own list later adds only what is new, in its order.
    a.update(Event::Source(SourceEvent {
        source: "prometheus".to_string(),
        kind: SourceEventKind::Fetched {
            at: t(1),
            data: vec![SourceData::Services(vec!["search".into(), "cart".into()])],
            warnings: Vec::new(),
        },
    }));
    assert_eq!(a.model.data.services, ["checkout", "search", "cart"]);
}

/// The clock alone re-derives every `DERIVE_EVERY` ticks, however far each tick moves
/// the model's clock (the demo's runs x60): its CPU use does not grow with its speed.
#[test]
fn the_clock_alone_re_derives_every_few_ticks_whatever_its_speed() {
    let mut a = loaded();
    a.refresh_derived();
    let first = a.derived.at;
    assert_eq!(first, Some(t(100)));
    for i in 1..=DERIVE_EVERY {
        a.update(Event::Tick(t(100 + i64::from(i))));
        a.refresh_derived();
        let want = if i < DERIVE_EVERY {
            first
        } else {
            Some(t(100 + i64::from(i)))
        };
        assert_eq!(a.derived.at, want, "after {i} ticks of a minute each");
    }
}

/// A key as the help writes it ("Ctrl-D", "PgUp", "1-6") as the events it stands for.
fn key_events(name: &str) -> Vec<KeyEvent> {
    let plain = |code| vec![KeyEvent::new(code, KeyModifiers::NONE)];
    if let Some(c) = name.strip_prefix("Ctrl-") {
        let c = c.to_ascii_lowercase().chars().next().unwrap_or(' ');
        return vec![KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)];
    }
    match name {
        "Tab" => plain(KeyCode::Tab),
        "Shift-Tab" => vec![KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)],
        "Down" => plain(KeyCode::Down),
        "Up" => plain(KeyCode::Up),
        "Home" => plain(KeyCode::Home),
        "End" => plain(KeyCode::End),
        "PgDn" => plain(KeyCode::PageDown),
        "PgUp" => plain(KeyCode::PageUp),
        "Enter" => plain(KeyCode::Enter),
        "Esc" => plain(KeyCode::Esc),
        "Space" => plain(KeyCode::Char(' ')),
        "Left" => plain(KeyCode::Left),
        "Right" => plain(KeyCode::Right),
        "Backspace" => plain(KeyCode::Backspace),
        "Delete" => plain(KeyCode::Delete),
        "1-6" => ('1'..='6').flat_map(|c| plain(KeyCode::Char(c))).collect(),
        one if one.chars().count() == 1 => plain(KeyCode::Char(one.chars().next().unwrap_or(' '))),
        other => panic!("the help names a key this test cannot press: {other:?}"),
    }
}

#[test]
fn every_key_the_help_names_does_something() {
    use crate::app::keys::Scope;
    for b in crate::app::keys::KEYS {
        let (keys, what) = (b.keys, b.what);
        let in_overlays = what.starts_with("in overlays");
        for name in keys.split(", ") {
            for k in key_events(name) {
                // A state where the key has something to do: a cursor in the middle of
                // the list, a zoomed pane (Esc), two services ([ ]), the demo (b); or an
                // open help for the keys that act in overlays; on the fleet, a filter
                // (Esc) and the cursor in the middle.
                let mut a = loaded();
                a.model.ui.deploy_cursor = 1;
                a.model.ui.zoomed = Some(PaneId::Budget);
                if b.scope == Scope::Fleet {
                    a.open_fleet();
                    let down = matches!(name, "j" | "Down" | "PgDn" | "G" | "End");
                    a.model.ui.fleet.cursor = if down { 0 } else { 1 };
                    if name == "Esc" {
                        a.model.ui.fleet.filter = "we".into();
                    }
                }
                if what.starts_with("review pane") {
                    a.model.ui.focus = PaneId::Review;
                }
                if b.scope == Scope::Form {
                    // An action item form, some text typed, the cursor inside it.
                    a.model.ui.zoomed = None;
                    key(&mut a, KeyCode::Char('v'));
                    key(&mut a, KeyCode::Char('a'));
                    for c in "ab cd".chars() {
                        key(&mut a, KeyCode::Char(c));
                    }
                    key(&mut a, KeyCode::Left);
                    assert!(a.model.ui.review_form.is_some(), "{name}: a form is open");
                }
                if in_overlays {
                    key(&mut a, KeyCode::Char('?'));
                    a.model.ui.overlay_scroll = OverlayScroll::Top(6);
                }
                let before = a.model.ui.clone();
                let commands = a.update(Event::Input(Input::Key(k)));
                assert!(
                    !commands.is_empty() || a.model.ui != before,
                    "{name} ({what}) did nothing"
                );
            }
        }
    }
}
