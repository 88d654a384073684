//! Properties of drawing the whole cockpit: it never panics at any size from 1x1 to
//! 250x80 (every theme, with and without zoom and overlays); ASCII mode writes no byte
//! above 0x7F even for non-ASCII API strings; monochrome writes no colour.

use flightdeck::app::{Model, Overlay, PaneId, SpcMetric};
use flightdeck::metrics::Derived;
use flightdeck::ui::{self, fixture, Theme};
use proptest::prelude::*;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;

fn draw(model: &Model, derived: &Derived, theme: Theme, w: u16, h: u16) -> Buffer {
    let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
    ui::render(&mut buf, model, derived, &theme);
    buf
}

fn overlay(i: u8) -> Option<Overlay> {
    match i {
        1 => Some(Overlay::Help),
        2 => Some(Overlay::Deployment("gitlab:checkout-14".into())),
        3 => Some(Overlay::ServicePicker {
            filter: "ar".into(),
            cursor: 7,
        }),
        4 => Some(Overlay::Sources),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn drawing_never_panics(
        w in 1u16..=250,
        h in 1u16..=80,
        color in any::<bool>(),
        ascii in any::<bool>(),
        zoom in 0usize..=6,
        ov in 0u8..=4,
        cursor in 0usize..40,
        metric in 0usize..5,
        service in 0usize..6,
        scroll in 0u16..60,
    ) {
        let mut model = fixture::model();
        let derived = fixture::derived(&model);
        model.ui.zoomed = PaneId::ALL.get(zoom).copied();
        model.ui.focus = PaneId::ALL[cursor % 6];
        model.ui.overlays = overlay(ov).into_iter().collect();
        model.ui.deploy_cursor = cursor;
        model.ui.review_cursor = cursor;
        model.ui.spc_metric = SpcMetric::ALL[metric];
        model.ui.service = service;
        model.ui.overlay_scroll = flightdeck::app::OverlayScroll::Top(scroll);
        draw(&model, &derived, Theme::new(color, ascii), w, h);
        draw(&Model::new(model.view.clone(), model.now), &Derived::default(), Theme::new(color, ascii), w, h);
    }
}

/// Every size at once, for the default theme: cheap enough to run exhaustively.
#[test]
fn every_size_draws_without_panic() {
    let model = fixture::model();
    let derived = fixture::derived(&model);
    for w in 1..=250 {
        for h in (1..=80).step_by(7) {
            draw(&model, &derived, Theme::new(true, false), w, h);
        }
    }
}

/// API strings with accents and CJK (already sanitized, but not ASCII) must not leak
/// into an ASCII terminal.
#[test]
fn ascii_mode_writes_only_ascii() {
    let mut model = fixture::model();
    model.data.services[0] = "café-日本".into();
    let mut deployments = model.data.deployments.to_vec();
    for d in &mut deployments {
        d.version = "v2.15.0-ü".into();
        d.deployer = "José 山田".into();
        if d.service == "checkout" {
            d.service = "café-日本".into();
        }
    }
    model.data.deployments = deployments.into();
    let derived = fixture::derived(&model);
    for (w, h, overlay) in [
        (120, 40, None),
        (80, 24, Some(Overlay::Help)),
        (60, 20, None),
        (
            120,
            40,
            Some(Overlay::Deployment("gitlab:checkout-14".into())),
        ),
    ] {
        model.ui.overlays = overlay.into_iter().collect();
        let buf = draw(&model, &derived, Theme::new(true, true), w, h);
        let text = ui::buffer_to_text(&buf);
        assert!(
            text.is_ascii(),
            "non-ASCII in ASCII mode at {w}x{h}:\n{text}"
        );
        assert!(
            text.contains("caf?-????"),
            "the service name shows with placeholders:\n{text}"
        );
    }
}

#[test]
fn monochrome_has_no_colour_and_still_says_every_status() {
    let mut model = fixture::model();
    let derived = fixture::derived(&model);
    model.ui.deploy_cursor = 1;
    let buf = draw(&model, &derived, Theme::new(false, false), 120, 40);
    for cell in &buf.content {
        assert_eq!(
            (cell.fg, cell.bg),
            (Color::Reset, Color::Reset),
            "coloured cell {cell:?}"
        );
    }
    let text = ui::buffer_to_text(&buf);
    for word in [
        "running",
        "success",
        "rolled back",
        "canceled",
        "PAGE",
        "CAUTION",
        "increasing",
        "error",
        "stale",
    ] {
        assert!(text.contains(word), "{word} missing in monochrome:\n{text}");
    }
    // The focused pane is marked in the title, not only by the border colour.
    assert!(text.contains("[1 Deployments · checkout]*"), "{text}");
}

/// A token whose every prefix is unambiguous: where a piece of it shows, the rest of
/// it, or the mark of a cut, must follow.
const TOKEN: &str = "Zyxwvutsrqponmlkjih";

/// Each place in `row` where the token starts but does not end, with what follows.
fn cuts_without_ellipsis(row: &str, ellipsis: char) -> Vec<String> {
    let mut bad = Vec::new();
    for (i, _) in row.match_indices(&TOKEN[..3]) {
        let rest = &row[i..];
        let shown = TOKEN
            .chars()
            .zip(rest.chars())
            .take_while(|(a, b)| a == b)
            .count();
        if shown < TOKEN.len() {
            let next = rest.chars().nth(shown);
            if next != Some(ellipsis) {
                bad.push(rest.chars().take(shown + 1).collect());
            }
        }
    }
    bad
}

/// A model whose outside strings (service, version, deployer, source warning, flash)
/// are all too long for their places at small sizes.
fn long_strings_model() -> Model {
    let mut model = fixture::model();
    model.data.services[0] = format!("{TOKEN}-svc");
    let mut deployments = model.data.deployments.to_vec();
    for d in &mut deployments {
        d.version = format!("{TOKEN}-v");
        d.deployer = format!("{TOKEN} Deployer");
        if d.service == "checkout" {
            d.service = format!("{TOKEN}-svc");
        }
    }
    model.data.deployments = deployments.into();
    model.ui.flash = Some(format!("rollback of {TOKEN} requested"));
    model
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Text is never cut silently: at any size, zoomed or not, every row in which
    /// a piece of the token shows either shows all of it or marks the cut.
    #[test]
    fn every_cut_text_ends_with_the_ellipsis(
        w in 20u16..=160,
        h in 3u16..=50,
        ascii in any::<bool>(),
        zoom in 0usize..=6,
        cursor in 0usize..12,
    ) {
        let mut model = long_strings_model();
        let derived = fixture::derived(&model);
        model.ui.zoomed = PaneId::ALL.get(zoom).copied();
        model.ui.deploy_cursor = cursor;
        let buf = draw(&model, &derived, Theme::new(true, ascii), w, h);
        let text = ui::buffer_to_text(&buf);
        let ellipsis = if ascii { '~' } else { '…' };
        for row in text.lines() {
            let bad = cuts_without_ellipsis(row, ellipsis);
            prop_assert!(bad.is_empty(), "{w}x{h}: cut without {ellipsis}: {bad:?} in {row:?}\n{text}");
        }
    }
}

#[test]
fn the_footer_at_80x24_offers_what_the_readme_points_at_and_b_only_in_the_demo() {
    let mut model = fixture::model();
    let derived = fixture::derived(&model);
    for demo in [true, false] {
        model.view.demo = demo;
        let buf = draw(&model, &derived, Theme::new(true, false), 80, 24);
        let text = ui::buffer_to_text(&buf);
        let footer = text.lines().last().unwrap_or_default();
        for hint in ["q quit", "? help", "r refresh"] {
            assert!(
                footer.contains(hint),
                "demo={demo}: {footer:?} lacks {hint}"
            );
        }
        assert_eq!(
            footer.contains("b rollback"),
            demo,
            "demo={demo}: {footer:?}"
        );
        model.ui.overlays = vec![Overlay::Help];
        let buf = draw(&model, &derived, Theme::new(true, false), 120, 40);
        let help = ui::buffer_to_text(&buf);
        assert_eq!(help.contains("roll back the live rollout"), demo, "{help}");
        model.ui.overlays.clear();
    }
}

/// The help overlay's scroll position as its border note says it: "3/12".
fn help_position(app: &flightdeck::app::App, w: u16, h: u16) -> (usize, usize) {
    let buf = draw(&app.model, &app.derived, Theme::new(true, false), w, h);
    let text = ui::buffer_to_text(&buf);
    let note = text
        .lines()
        .find_map(|l| {
            l.split(" j/k scroll")
                .next()
                .filter(|_| l.contains(" j/k scroll"))
        })
        .unwrap_or_else(|| panic!("the help does not scroll at {w}x{h}:\n{text}"));
    let pos = note.rsplit(' ').next().unwrap_or_default();
    let (at, of) = pos.split_once('/').unwrap_or_default();
    (at.parse().unwrap_or(0), of.parse().unwrap_or(0))
}

#[test]
fn every_scroll_key_the_help_names_moves_the_help() {
    use crossterm::event::{Event as Input, KeyCode, KeyEvent, KeyModifiers};
    use flightdeck::event::{Command, Event};
    let model = fixture::model();
    let mut app = flightdeck::app::App::new(model.view.clone(), Default::default(), model.now);
    app.model = model;
    let press = |app: &mut flightdeck::app::App, code: KeyCode, mods: KeyModifiers| {
        app.update(Event::Input(Input::Key(KeyEvent::new(code, mods))))
    };
    let none = KeyModifiers::NONE;
    press(&mut app, KeyCode::Char('?'), none);
    let (w, h) = (80, 24);
    let (top, last) = help_position(&app, w, h);
    assert_eq!(top, 1);
    assert!(last > 6, "the help must be longer than a page here: {last}");
    // (key, where it must take the help from the top)
    #[allow(clippy::type_complexity)]
    let moves: [(KeyCode, KeyModifiers, fn(usize) -> bool); 8] = [
        (KeyCode::Char('j'), none, |p| p == 2),
        (KeyCode::Down, none, |p| p == 2),
        (KeyCode::PageDown, none, |p| p > 2),
        (KeyCode::Char('d'), KeyModifiers::CONTROL, |p| p > 2),
        (KeyCode::Char('G'), none, |p| p > 2),
        (KeyCode::End, none, |p| p > 2),
        (KeyCode::Char('g'), none, |p| p == 1),
        (KeyCode::Home, none, |p| p == 1),
    ];
    for (code, mods, ok) in moves {
        press(&mut app, KeyCode::Char('g'), none);
        let commands = press(&mut app, code, mods);
        assert!(
            !commands.contains(&Command::Quit),
            "{code:?} {mods:?} quit the help"
        );
        let (at, of) = help_position(&app, w, h);
        assert!(ok(at), "{code:?} {mods:?} left the help at {at}/{of}");
        if matches!(code, KeyCode::Char('G') | KeyCode::End) {
            assert_eq!(at, of, "{code:?} must reach the end");
        }
    }
    // And back up: k, Up, PgUp, Ctrl-U each move up from the end.
    for (code, mods) in [
        (KeyCode::Char('k'), none),
        (KeyCode::Up, none),
        (KeyCode::PageUp, none),
        (KeyCode::Char('u'), KeyModifiers::CONTROL),
    ] {
        press(&mut app, KeyCode::End, none);
        press(&mut app, code, mods);
        let (at, of) = help_position(&app, w, h);
        assert!(
            at < of,
            "{code:?} {mods:?} did not move up from the end ({at}/{of})"
        );
    }
    assert!(app.quit.is_none());
}
