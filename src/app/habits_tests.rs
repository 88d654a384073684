//! `:` commands, paste and `y` driven through `App::update` as keys arrive, on the
//! hand-built fixture.

use crossterm::event::{Event as Input, KeyCode, KeyEvent, KeyModifiers};

use super::{App, View};
use crate::event::{Command, Event};
use crate::metrics::Settings;
use crate::ui::fixture;

fn app() -> App {
    let view = View {
        tz: crate::zone::Tz::UTC,
        demo: true,
    };
    let mut app = App::new(view, Settings::default(), fixture::now());
    app.model = fixture::model();
    app.derived = fixture::derived(&app.model);
    app
}

fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
    app.update(Event::Input(Input::Key(KeyEvent::new(
        code,
        KeyModifiers::NONE,
    ))))
}

fn type_command(app: &mut App, text: &str) -> Vec<Command> {
    press(app, KeyCode::Char(':'));
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
    press(app, KeyCode::Enter)
}

#[test]
fn service_env_window_and_quit_commands_do_what_they_say() {
    let mut a = app();
    a.open_fleet();
    type_command(&mut a, "service sear");
    assert_eq!(a.model.selected_service(), Some("search"));
    assert!(!a.model.ui.fleet.open, "the command opens the cockpit");
    type_command(&mut a, "service checkout");
    assert_eq!(a.model.selected_service(), Some("checkout"));
    // Ambiguous and unknown names select nothing and say why.
    type_command(&mut a, "service c");
    assert_eq!(a.model.selected_service(), Some("checkout"));
    assert!(a
        .model
        .ui
        .flash
        .as_deref()
        .is_some_and(|f| f.contains("match")));
    type_command(&mut a, "service nope");
    let flash = a.model.ui.flash.clone().unwrap_or_default();
    assert!(
        flash.contains("no service matches") && flash.contains("cart"),
        "{flash}"
    );

    let all = a.model.service_deployments().len();
    type_command(&mut a, "env staging");
    assert!(
        a.model.service_deployments().is_empty(),
        "the fixture deploys to production only"
    );
    type_command(&mut a, "env prod");
    assert_eq!(
        a.model.service_deployments().len(),
        all,
        "prod is production"
    );
    // A configured alias means what it means to the sources.
    a.model
        .env_aliases
        .insert("live".into(), "production".into());
    type_command(&mut a, "env live");
    assert_eq!(a.model.ui.environment.as_deref(), Some("production"));
    assert_eq!(a.model.service_deployments().len(), all);
    type_command(&mut a, "env all");
    assert_eq!(a.model.ui.environment, None);

    type_command(&mut a, "window 7d");
    a.refresh_derived();
    let dora = &a.derived.services["checkout"].dora;
    assert_eq!(
        dora.window.end - dora.window.start,
        chrono::Duration::days(7)
    );

    type_command(&mut a, "frobnicate");
    let flash = a.model.ui.flash.clone().unwrap_or_default();
    assert!(flash.contains("unknown command :frobnicate"), "{flash}");
    assert!(a.quit.is_none());
    assert_eq!(type_command(&mut a, "q"), vec![Command::Quit]);
}

#[test]
fn the_command_line_edits_cancels_and_takes_paste() {
    let mut a = app();
    press(&mut a, KeyCode::Char(':'));
    // Keys are text while it is open: q does not quit, j does not move.
    for c in "qj".chars() {
        press(&mut a, KeyCode::Char(c));
    }
    assert!(a.quit.is_none());
    press(&mut a, KeyCode::Home);
    a.update(Event::Input(Input::Paste("service sea\x1b[2J\n".into())));
    press(&mut a, KeyCode::End);
    press(&mut a, KeyCode::Backspace);
    press(&mut a, KeyCode::Backspace);
    // The escape sequence goes whole, the line break becomes a space.
    let line = a.model.ui.command.clone().unwrap_or_default();
    assert_eq!(line.text(), "service sea ");
    press(&mut a, KeyCode::Esc);
    assert!(a.model.ui.command.is_none(), "Esc cancels");
    assert_eq!(a.model.selected_service(), Some("checkout"), "nothing ran");
}

#[test]
fn y_copies_version_then_sha_then_url_of_the_selected_deployment() {
    let mut a = app();
    let d = a
        .model
        .selected_deployment()
        .cloned()
        .expect("a deployment");
    let mut copied = Vec::new();
    for _ in 0..4 {
        press(&mut a, KeyCode::Char('y'));
        copied.push(a.model.ui.clip.text.clone());
        let flash = a.model.ui.flash.clone().unwrap_or_default();
        assert!(flash.contains("OSC 52"), "the footer says how: {flash}");
    }
    let url = d.url.clone().expect("the fixture has URLs");
    assert_eq!(
        copied,
        [d.version.clone(), d.sha.clone(), url, d.version.clone()]
    );
    assert_eq!(a.model.ui.clip.seq, 4, "each press is one write");
    // Another deployment starts again at its version.
    press(&mut a, KeyCode::Char('j'));
    press(&mut a, KeyCode::Char('y'));
    let next = a.model.selected_deployment().expect("a second deployment");
    assert_eq!(a.model.ui.clip.text, next.version);
}
