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
