use crossterm::event::{Event as Input, KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::event::Event;
use crate::review::session::Category;
use crate::review::template::Tier;
use crate::ui::fixture;

fn app() -> App {
    let mut app = App::new(
        fixture::model().view.clone(),
        crate::metrics::Settings::default(),
        fixture::now(),
    );
    app.model = fixture::model();
    app.model
        .review
        .setup
        .tiers
        .insert("checkout".into(), Tier::Critical);
    app.refresh_derived();
    app
}

fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
    app.update(Event::Input(Input::Key(KeyEvent::new(
        code,
        KeyModifiers::NONE,
    ))))
}

fn type_text(app: &mut App, s: &str) {
    for c in s.chars() {
        assert!(press(app, KeyCode::Char(c)).is_empty());
    }
}

fn reviewed() -> App {
    let mut a = app();
    press(&mut a, KeyCode::Char('v'));
    assert_eq!(a.model.ui.focus, PaneId::Review);
    a
}

fn review_commands(cmds: Vec<Command>) -> Vec<ReviewCommand> {
    cmds.into_iter()
        .map(|c| match c {
            Command::Review(r) => *r,
            other => panic!("not a review command: {other:?}"),
        })
        .collect()
}

#[test]
fn forms_need_a_review_and_open_zoomed_over_the_pane() {
    let mut a = app();
    a.model.ui.focus = PaneId::Review;
    press(&mut a, KeyCode::Char('F'));
    assert!(a.model.ui.review_form.is_none());
    assert_eq!(
        a.model.ui.flash.as_deref(),
        Some("press v to start a review first")
    );
    let mut a = reviewed();
    a.model.ui.zoomed = Some(PaneId::Budget);
    press(&mut a, KeyCode::Char('F'));
    assert!(a.model.ui.review_form.is_some());
    assert_eq!(a.model.ui.zoomed, Some(PaneId::Review));
    // Keys now type: `q` does not quit, `:` does not open the command line.
    type_text(&mut a, "q:");
    let form = a.model.ui.review_form.as_ref().expect("open");
    assert_eq!(form.value(FieldId::Text), "q:");
    assert!(a.quit.is_none() && a.model.ui.command.is_none());
    // Esc asks (something was typed), y discards; the zoom comes back.
    press(&mut a, KeyCode::Esc);
    assert!(a.model.ui.review_form.is_some());
    press(&mut a, KeyCode::Char('y'));
    assert!(a.model.ui.review_form.is_none());
    assert_eq!(a.model.ui.zoomed, Some(PaneId::Budget));
    assert!(a.model.review.sessions[0].findings.is_empty());
}

#[test]
fn a_finding_is_saved_with_its_category_and_audited() {
    let mut a = reviewed();
    press(&mut a, KeyCode::Char('F'));
    type_text(&mut a, "flaky payment test");
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Right);
    press(&mut a, KeyCode::Right);
    press(&mut a, KeyCode::Right);
    let cmds = review_commands(press(&mut a, KeyCode::Enter));
    let [ReviewCommand::Save { session, audit }] = cmds.as_slice() else {
        panic!("one save: {cmds:?}");
    };
    assert_eq!(audit.kind, "finding");
    assert_eq!(audit.detail, "test gap: flaky payment test");
    assert_eq!(session.findings.len(), 1);
    assert_eq!(session.findings[0].category, Category::TestGap);
    assert_eq!(session.findings[0].text, "flaky payment test");
    assert_eq!(a.model.review.sessions[0], *session);
    assert!(a.model.ui.review_form.is_none());
}

#[test]
fn a_note_goes_on_the_manual_item_under_the_cursor_only() {
    let mut a = reviewed();
    let checks = &a.model.review.sessions[0].checks;
    let auto = checks.iter().position(|c| c.auto.is_some()).expect("auto");
    let manual = checks
        .iter()
        .position(|c| c.auto.is_none())
        .expect("manual");
    let manual_id = checks[manual].id.clone();
    a.model.ui.review_cursor = auto;
    press(&mut a, KeyCode::Char('n'));
    assert!(a.model.ui.review_form.is_none());
    a.model.ui.review_cursor = manual;
    press(&mut a, KeyCode::Char('n'));
    type_text(&mut a, "checked with SRE");
    let cmds = review_commands(press(&mut a, KeyCode::Enter));
    let [ReviewCommand::Save { session, audit }] = cmds.as_slice() else {
        panic!("one save: {cmds:?}");
    };
    assert_eq!(audit.kind, "note");
    assert_eq!(audit.detail, format!("{manual_id}: checked with SRE"));
    assert_eq!(
        session.checks[manual].note.as_deref(),
        Some("checked with SRE")
    );
    // Opened again, the note is there to edit.
    press(&mut a, KeyCode::Char('n'));
    let form = a.model.ui.review_form.as_ref().expect("open");
    assert_eq!(form.value(FieldId::Text), "checked with SRE");
}

#[test]
fn a_decision_is_the_outcome_and_the_reason() {
    let mut a = reviewed();
    press(&mut a, KeyCode::Char('d'));
    press(&mut a, KeyCode::Right);
    press(&mut a, KeyCode::Tab);
    // Empty reason: refused, the message in the footer, the form still open.
    assert!(press(&mut a, KeyCode::Enter).is_empty());
    assert_eq!(
        a.model.ui.flash.as_deref(),
        Some("Reason: must not be empty")
    );
    type_text(&mut a, "error ratio up 3x");
    let cmds = review_commands(press(&mut a, KeyCode::Enter));
    let [ReviewCommand::Save { session, audit }] = cmds.as_slice() else {
        panic!("one save: {cmds:?}");
    };
    assert_eq!(audit.kind, "decision");
    assert_eq!(
        session.decision.as_deref(),
        Some("roll back: error ratio up 3x")
    );
}

#[test]
fn an_action_item_is_enqueued_then_listed_in_the_session() {
    let mut a = reviewed();
    let d = a.model.selected_deployment().expect("selected").clone();
    press(&mut a, KeyCode::Char('a'));
    type_text(&mut a, "Alert on checkout 5xx");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "557058:abc");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "2026-12-31");
    press(&mut a, KeyCode::Tab);
    a.update(Event::Input(Input::Paste("alert fires\nin staging".into())));
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Left);
    let cmds = review_commands(press(&mut a, KeyCode::Enter));
    let [ReviewCommand::Enqueue {
        review_id,
        review_title,
        item,
    }, ReviewCommand::Save { session, audit }] = cmds.as_slice()
    else {
        panic!("enqueue then save: {cmds:?}");
    };
    assert_eq!(review_id, &session.id);
    assert_eq!(review_title, &session.target.title());
    assert_eq!(item.summary, "Alert on checkout 5xx");
    assert_eq!(item.owner.as_deref(), Some("557058:abc"));
    assert_eq!(item.due.as_deref(), Some("2026-12-31"));
    assert_eq!(item.success_criteria, "alert fires in staging");
    assert_eq!(item.category, Category::Capacity);
    let expected_link = d.url.clone().unwrap_or(format!("deployment {}", d.id));
    assert_eq!(item.link.as_deref(), Some(expected_link.as_str()));
    assert_eq!(item.uuid.len(), 36);
    assert_eq!(session.actions, vec![item.clone()]);
    assert_eq!(audit.kind, "action");
    // The cursor reaches the item below the checklist.
    press(&mut a, KeyCode::Char('G'));
    let n = a.model.review.checklist_len(&d.id, &d.service);
    assert_eq!(a.model.ui.review_cursor, n);
}

#[test]
fn r_retries_only_a_failed_item() {
    use crate::review::outbox::state::Resume;
    let mut a = reviewed();
    press(&mut a, KeyCode::Char('a'));
    type_text(&mut a, "x");
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "y");
    press(&mut a, KeyCode::Enter);
    let uuid = a.model.review.sessions[0].actions[0].uuid.clone();
    press(&mut a, KeyCode::Char('G'));
    assert!(press(&mut a, KeyCode::Char('R')).is_empty(), "pending");
    a.update(Event::Review(
        crate::review::outbox::ReviewEvent::Delivery {
            review_id: a.model.review.sessions[0].id.clone(),
            uuid: uuid.clone(),
            phase: Phase::Failed {
                reason: "403".into(),
                resume: Resume::Create,
            },
            last_error: None,
        },
    ));
    let cmds = review_commands(press(&mut a, KeyCode::Char('R')));
    assert_eq!(cmds, vec![ReviewCommand::Retry { uuid }]);
    // On a checklist row, R says where to go.
    press(&mut a, KeyCode::Char('g'));
    assert!(press(&mut a, KeyCode::Char('R')).is_empty());
}

#[test]
fn a_retried_items_last_error_is_kept_until_it_settles() {
    let mut a = reviewed();
    let delivery = |phase: Phase, last_error: Option<&str>| {
        Event::Review(crate::review::outbox::ReviewEvent::Delivery {
            review_id: "r".into(),
            uuid: "u1".into(),
            phase,
            last_error: last_error.map(str::to_string),
        })
    };
    a.update(delivery(Phase::Pending, Some("503 busy")));
    assert_eq!(
        a.model.review.retrying.get("u1").map(String::as_str),
        Some("503 busy")
    );
    a.update(delivery(
        Phase::Sent {
            key: "OPS-1".into(),
        },
        Some("503 busy"),
    ));
    assert!(
        a.model.review.retrying.is_empty(),
        "a sent item waits no more"
    );
}

#[test]
fn ctrl_c_in_a_form_with_changes_asks_first_and_quits_when_pressed_again() {
    let ctrl_c = || {
        Event::Input(Input::Key(KeyEvent::new(
            KeyCode::Char('c'),
            KeyModifiers::CONTROL,
        )))
    };
    let mut a = reviewed();
    press(&mut a, KeyCode::Char('F'));
    type_text(&mut a, "flaky test");
    a.update(ctrl_c());
    assert!(a.quit.is_none(), "typed text is not lost to one Ctrl-C");
    assert!(a
        .model
        .ui
        .review_form
        .as_ref()
        .is_some_and(|f| f.confirm_discard));
    a.update(ctrl_c());
    assert!(a.quit.is_some(), "the second Ctrl-C quits");

    // An untouched form does not stand in the way.
    let mut a = reviewed();
    press(&mut a, KeyCode::Char('F'));
    a.update(ctrl_c());
    assert!(a.quit.is_some());
}

/// In ASCII mode (a locale that is not UTF-8) nothing the review draws may leave
/// ASCII: its title, its key note, its rows and items, open forms included.
#[test]
fn a_whole_review_draws_in_ascii_only_when_asked() {
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    let mut a = reviewed();
    press(&mut a, KeyCode::Char('F'));
    type_text(&mut a, "flaky test");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('d'));
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "kept");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('a'));
    type_text(&mut a, "canary gate");
    for _ in 0..3 {
        press(&mut a, KeyCode::Tab);
    }
    type_text(&mut a, "done");
    press(&mut a, KeyCode::Enter);
    let uuid = a.model.review.sessions[0].actions[0].uuid.clone();
    a.model.review.retrying.insert(uuid, "503 busy".into());
    let ascii = crate::ui::Theme::new(false, true);
    for zoomed in [None, Some(PaneId::Review)] {
        a.model.ui.zoomed = zoomed;
        for (w, h) in [(80, 24), (120, 40)] {
            let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
            crate::ui::render(&mut buf, &a.model, &a.derived, &ascii);
            let text = crate::ui::buffer_to_text(&buf);
            // The painter turns what is not ASCII into `?`: the separators must be
            // the theme's own `|`, not a `·` shown as `?`.
            assert!(text.is_ascii(), "{w}x{h} zoomed {zoomed:?}:\n{text}");
            if zoomed.is_some() {
                for part in [
                    "| detailed",
                    "| space tick",
                    "canary gate",
                    "pending, retrying |",
                ] {
                    assert!(text.contains(part), "{w}x{h} lacks {part:?}:\n{text}");
                }
            }
        }
    }
    // And an open form.
    press(&mut a, KeyCode::Char('F'));
    let mut buf = Buffer::empty(Rect::new(0, 0, 80, 24));
    crate::ui::render(&mut buf, &a.model, &a.derived, &ascii);
    assert!(crate::ui::buffer_to_text(&buf).is_ascii());
}
