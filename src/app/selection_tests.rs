//! Selections follow their ids when data arrives: the table keeps its deployment, the
//! picker its service, whatever lands above them.

use crate::model::{DeployStatus, Deployment};
use crossterm::event::{Event as Input, KeyCode, KeyEvent, KeyModifiers};

use crate::app::tests::{deployment, t};
use crate::app::{App, Overlay, View};
use crate::event::{Event, SourceData, SourceEvent, SourceEventKind};

fn deliver(app: &mut App, data: Vec<SourceData>) {
    app.update(Event::Source(SourceEvent {
        source: "demo".to_string(),
        kind: SourceEventKind::Fetched {
            at: t(100),
            data,
            warnings: Vec::new(),
        },
    }));
}

fn key(app: &mut App, code: KeyCode) {
    app.update(Event::Input(Input::Key(KeyEvent::new(
        code,
        KeyModifiers::NONE,
    ))));
}

/// Five api deployments ("d0" oldest … "d4" newest) and one of web.
fn loaded() -> App {
    let view = View {
        tz: crate::zone::Tz::UTC,
        demo: true,
    };
    let mut app = App::new(view, crate::metrics::Settings::default(), t(100));
    let mut list: Vec<Deployment> = (0..5)
        .map(|i| deployment(&format!("d{i}"), "api", i * 10))
        .collect();
    list.push(deployment("w", "web", 3));
    deliver(
        &mut app,
        vec![
            SourceData::Services(vec!["api".into(), "web".into()]),
            SourceData::Deployments(list),
        ],
    );
    app
}

fn selected(app: &App) -> Option<String> {
    app.model.selected_deployment().map(|d| d.id.clone())
}

/// Whatever row is selected, new deployments on top (the live demo's), an older one
/// below, an update of the selected one and another service's deployment all leave
/// the same deployment selected.
#[test]
fn the_table_follows_its_deployment_when_rows_arrive() {
    for row in 0..5 {
        let mut app = loaded();
        for _ in 0..row {
            key(&mut app, KeyCode::Down);
        }
        let before = selected(&app).expect("a selection");
        assert_eq!(before, format!("d{}", 4 - row));
        let mut updated = deployment(&before, "api", (4 - row as i64) * 10);
        updated.status = DeployStatus::Failed;
        deliver(
            &mut app,
            vec![SourceData::Deployments(vec![
                deployment("n1", "api", 60),
                deployment("n2", "api", 70),
                deployment("old", "api", -10),
                deployment("w2", "web", 80),
                updated,
            ])],
        );
        assert_eq!(selected(&app), Some(before.clone()), "row {row}");
        // The new rows are really above it: the cursor moved, not the data.
        assert_eq!(app.model.ui.deploy_cursor, row + 2, "row {row}");
        // And the detail and the review show the same deployment as the table.
        key(&mut app, KeyCode::Enter);
        assert_eq!(
            app.model.ui.overlays.last(),
            Some(&Overlay::Deployment(before)),
            "row {row}"
        );
    }
}

/// The cached copy of the data arriving under the live one moves nothing either.
#[test]
fn cached_rows_below_or_above_keep_the_selection() {
    let mut app = loaded();
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    let before = selected(&app);
    app.update(Event::Source(SourceEvent {
        source: "demo".to_string(),
        kind: SourceEventKind::Cached {
            at: t(50),
            data: vec![SourceData::Deployments(vec![
                deployment("c-new", "api", 90),
                deployment("c-old", "api", -90),
            ])],
        },
    }));
    assert_eq!(selected(&app), before);
}

/// The picker's cursor stays on its service while services arrive.
#[test]
fn the_picker_follows_its_service_when_services_arrive() {
    let mut app = loaded();
    key(&mut app, KeyCode::Char('s'));
    key(&mut app, KeyCode::Down);
    let target = |app: &App| match app.model.ui.overlays.last() {
        Some(Overlay::ServicePicker { filter, cursor }) => app
            .model
            .picker_matches(filter)
            .get(*cursor)
            .and_then(|&i| app.model.data.services.get(i).cloned()),
        _ => None,
    };
    assert_eq!(target(&app).as_deref(), Some("web"));
    deliver(
        &mut app,
        vec![
            SourceData::Services(vec!["admin".into(), "zeta".into()]),
            SourceData::Deployments(vec![deployment("a1", "aaa", 1)]),
        ],
    );
    assert_eq!(target(&app).as_deref(), Some("web"));
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.model.selected_service(), Some("web"));
}

/// The source details overlay scrolls by source: the source at its top stays there
/// while the one above it gains an error and warnings.
#[test]
fn the_sources_overlay_keeps_its_top_source_when_one_above_grows() {
    use crate::event::{SourceError, SourceErrorKind};
    use crate::ui::{buffer_to_text, fixture, render, Theme};
    let mut model = fixture::model();
    // Long enough to scroll at 80x24.
    if let Some(last) = model.sources.last_mut() {
        last.warnings = (0..30)
            .map(|i| format!("partial answer {i}").into())
            .collect();
    }
    model.ui.overlays = vec![Overlay::Sources];
    model.ui.overlay_scroll = crate::app::OverlayScroll::Top(1);
    let top_row = |model: &crate::app::Model| {
        let derived = fixture::derived(model);
        let mut buf = ratatui::buffer::Buffer::empty(ratatui::layout::Rect::new(0, 0, 80, 24));
        render(&mut buf, model, &derived, &Theme::new(false, false));
        let text = buffer_to_text(&buf);
        let lines: Vec<&str> = text.lines().collect();
        let title = lines
            .iter()
            .position(|l| l.contains("Sources]"))
            .unwrap_or_else(|| panic!("no sources overlay:\n{text}"));
        lines
            .get(title + 1)
            .map(|l| l.to_string())
            .unwrap_or_default()
    };
    let second = model.sources[1].id.clone();
    assert!(top_row(&model).contains(&second), "{}", top_row(&model));
    let first = &mut model.sources[0];
    first.last_error = Some((
        model.now,
        SourceError {
            kind: SourceErrorKind::Server,
            message: "HTTP 503".into(),
        },
    ));
    first.warnings = (0..5).map(|i| format!("slow answer {i}").into()).collect();
    assert!(top_row(&model).contains(&second), "{}", top_row(&model));
}
