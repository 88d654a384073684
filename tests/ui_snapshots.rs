//! Snapshots of every pane (zoomed) and the whole cockpit at 80x24 and 120x40, the
//! monochrome ASCII variant, the overlays and the small-terminal fallbacks, drawn with
//! ratatui's TestBackend from the hand-built fixture in `flightdeck::ui::fixture`.

use flightdeck::app::{Model, Overlay, PaneId, SpcMetric};
use flightdeck::metrics::Derived;
use flightdeck::ui::{self, fixture, Theme};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn text(model: &Model, derived: &Derived, theme: Theme, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    terminal
        .draw(|frame| ui::draw(frame, model, derived, &theme))
        .expect("draw");
    ui::buffer_to_text(terminal.backend().buffer())
}

fn setup() -> (Model, Derived) {
    let model = fixture::model();
    let derived = fixture::derived(&model);
    (model, derived)
}

const COLOR: Theme = Theme {
    color: true,
    ascii: false,
    light: false,
};
const MONO_ASCII: Theme = Theme {
    color: false,
    ascii: true,
    light: false,
};

#[test]
fn whole_cockpit() {
    let (model, derived) = setup();
    for (w, h) in [(80, 24), (120, 40)] {
        insta::assert_snapshot!(
            format!("cockpit_{w}x{h}"),
            text(&model, &derived, COLOR, w, h)
        );
        insta::assert_snapshot!(
            format!("cockpit_{w}x{h}_mono_ascii"),
            text(&model, &derived, MONO_ASCII, w, h)
        );
    }
}

#[test]
fn every_pane_zoomed() {
    let (mut model, derived) = setup();
    for pane in PaneId::ALL {
        model.ui.zoomed = Some(pane);
        model.ui.focus = pane;
        let name = pane.title().to_lowercase().replace(' ', "_");
        for (w, h) in [(80, 24), (120, 40)] {
            insta::assert_snapshot!(
                format!("pane_{name}_{w}x{h}"),
                text(&model, &derived, COLOR, w, h)
            );
        }
    }
}

#[test]
fn deployments_scroll_keeps_the_cursor_visible() {
    let (mut model, derived) = setup();
    model.ui.deploy_cursor = 12;
    insta::assert_snapshot!(
        "cockpit_80x24_cursor_12",
        text(&model, &derived, COLOR, 80, 24)
    );
}

#[test]
fn overlays() {
    let (mut model, derived) = setup();
    let cases = [
        ("help", Overlay::Help),
        ("detail", Overlay::Deployment("gitlab:checkout-12".into())),
        ("detail_missing", Overlay::Deployment("gitlab:gone".into())),
        (
            "picker",
            Overlay::ServicePicker {
                filter: "c".into(),
                cursor: 1,
            },
        ),
        ("sources", Overlay::Sources),
    ];
    for (name, overlay) in cases {
        model.ui.overlays = vec![overlay];
        insta::assert_snapshot!(
            format!("overlay_{name}_120x40"),
            text(&model, &derived, COLOR, 120, 40)
        );
    }
    model.ui.overlays = vec![Overlay::Deployment("gitlab:checkout-12".into())];
    insta::assert_snapshot!(
        "overlay_detail_80x24_ascii",
        text(&model, &derived, MONO_ASCII, 80, 24)
    );
    model.ui.overlay_scroll = flightdeck::app::OverlayScroll::Top(10);
    insta::assert_snapshot!(
        "overlay_detail_80x24_scrolled",
        text(&model, &derived, COLOR, 80, 24)
    );
}

#[test]
fn small_terminals() {
    let (model, derived) = setup();
    for (w, h) in [(1, 1), (20, 5), (60, 20), (79, 23)] {
        insta::assert_snapshot!(
            format!("small_{w}x{h}"),
            text(&model, &derived, COLOR, w, h)
        );
    }
}

#[test]
fn missing_data_reads_as_missing() {
    let (mut model, _) = setup();
    model.ui.spc_metric = SpcMetric::DeployDuration;
    model.ui.service = 1; // cart: deployments but no derived figures
    insta::assert_snapshot!(
        "cockpit_80x24_no_derived",
        text(&model, &Derived::default(), COLOR, 80, 24)
    );
    let empty = Model::new(model.view.clone(), model.now);
    insta::assert_snapshot!(
        "cockpit_80x24_empty",
        text(&empty, &Derived::default(), COLOR, 80, 24)
    );
}

#[test]
fn fleet_view() {
    use flightdeck::ui::fleet_fixture;
    for n in [3, 500] {
        let mut model = fleet_fixture::model(n);
        let derived = fleet_fixture::derived(&model);
        // On the large fleet, a cursor far down: the list scrolls and says where it is.
        model.ui.fleet.cursor = if n > 3 { 45 } else { 1 };
        for (w, h) in [(80, 24), (120, 40)] {
            insta::assert_snapshot!(
                format!("fleet_{n}_{w}x{h}"),
                text(&model, &derived, COLOR, w, h)
            );
        }
    }
    let mut model = fleet_fixture::model(500);
    let derived = fleet_fixture::derived(&model);
    model.ui.fleet.filter = "no such service".into();
    insta::assert_snapshot!(
        "fleet_500_80x24_nothing_matches",
        text(&model, &derived, COLOR, 80, 24)
    );
    model.ui.fleet.filter = "checkout".into();
    model.ui.fleet.typing = true;
    model.ui.fleet.group_by = flightdeck::app::fleet::GroupBy::None;
    insta::assert_snapshot!(
        "fleet_500_80x24_filtered_mono_ascii",
        text(&model, &derived, MONO_ASCII, 80, 24)
    );
}

/// The app on the fixture with a review started on the selected deployment, driven by
/// keys as a user would (so the snapshots show what the keys really open).
mod review {
    use crossterm::event::{Event as Input, KeyCode, KeyEvent, KeyModifiers};
    use flightdeck::app::{App, PaneId};
    use flightdeck::event::Event;
    use flightdeck::review::outbox::state::{Phase, Resume};
    use flightdeck::review::outbox::ReviewEvent;
    use flightdeck::ui::fixture;

    use super::{text, COLOR, MONO_ASCII};

    pub fn press(app: &mut App, code: KeyCode) {
        app.update(Event::Input(Input::Key(KeyEvent::new(
            code,
            KeyModifiers::NONE,
        ))));
    }

    pub fn type_text(app: &mut App, s: &str) {
        for c in s.chars() {
            press(app, KeyCode::Char(c));
        }
    }

    pub fn reviewed() -> App {
        let mut app = App::new(
            fixture::model().view.clone(),
            flightdeck::metrics::Settings::default(),
            fixture::now(),
        );
        app.model = fixture::model();
        app.refresh_derived();
        press(&mut app, KeyCode::Char('v'));
        app
    }

    fn shot(app: &App, w: u16, h: u16) -> String {
        text(&app.model, &app.derived, COLOR, w, h)
    }

    /// An action item form refused: an empty success criteria, a past due date, a
    /// summary over Jira's 255 characters, each said on its field.
    #[test]
    fn an_open_form_with_its_messages() {
        let mut app = reviewed();
        press(&mut app, KeyCode::Char('a'));
        type_text(
            &mut app,
            &format!("Alert on checkout 5xx {}", "x".repeat(240)),
        );
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "2020-01-31");
        press(&mut app, KeyCode::Enter);
        for (w, h) in [(80, 24), (120, 40)] {
            insta::assert_snapshot!(format!("review_form_action_{w}x{h}"), shot(&app, w, h));
        }
        // Esc with text typed asks first.
        press(&mut app, KeyCode::Esc);
        insta::assert_snapshot!("review_form_confirm_80x24", shot(&app, 80, 24));
        // Any other key goes back to the form (and is not typed).
        press(&mut app, KeyCode::Char('n'));
        assert!(
            !app.model
                .ui
                .review_form
                .as_ref()
                .expect("open")
                .confirm_discard
        );
        // Below 80x24 the form still shows over the compact view, or says it cannot.
        insta::assert_snapshot!("review_form_60x20", shot(&app, 60, 20));
        insta::assert_snapshot!("review_form_30x8", shot(&app, 30, 8));
        insta::assert_snapshot!(
            "review_form_80x24_mono_ascii",
            text(&app.model, &app.derived, MONO_ASCII, 80, 24)
        );
    }

    /// A finding, a decision and four action items, one in each delivery state (the
    /// failure's reason carries an escape sequence: it shows harmless).
    #[test]
    fn items_in_each_state() {
        let mut app = reviewed();
        press(&mut app, KeyCode::Char('F'));
        type_text(&mut app, "no alert on the canary's 5xx");
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Left);
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Char('d'));
        press(&mut app, KeyCode::Right);
        press(&mut app, KeyCode::Right);
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "keep, add the alert");
        press(&mut app, KeyCode::Enter);
        for summary in [
            "Alert on canary 5xx",
            "Runbook for rollback",
            "Load test checkout",
            "Pin the TLS library",
        ] {
            press(&mut app, KeyCode::Char('a'));
            type_text(&mut app, summary);
            for _ in 0..3 {
                press(&mut app, KeyCode::Tab);
            }
            type_text(&mut app, "done when verified");
            press(&mut app, KeyCode::Enter);
        }
        let session = app.model.review.sessions[0].clone();
        assert_eq!(session.actions.len(), 4);
        let phases = [
            Phase::Pending,
            Phase::Sending,
            Phase::Sent {
                key: "OPS-12".into(),
            },
            Phase::Failed {
                reason: "403: \u{1b}[31mproject OPS\u{1b}[0m: you cannot create issues here".into(),
                resume: Resume::Create,
            },
        ];
        for (item, phase) in session.actions.iter().zip(phases) {
            app.update(Event::Review(ReviewEvent::Delivery {
                review_id: session.id.clone(),
                uuid: item.uuid.clone(),
                phase,
                last_error: None,
            }));
        }
        press(&mut app, KeyCode::Char('G'));
        app.model.ui.zoomed = Some(PaneId::Review);
        for (w, h) in [(80, 24), (120, 40)] {
            insta::assert_snapshot!(format!("review_items_{w}x{h}"), shot(&app, w, h));
        }
        app.model.ui.zoomed = None;
        insta::assert_snapshot!("review_items_cockpit_80x24", shot(&app, 80, 24));
    }
}
