//! Render cost of a full frame at 200x60, drawn into a fresh buffer and painted
//! against the compact copy of the previous frame, as the cockpit's screen
//! (`runtime::Screen`) does each frame: on the small fixture, and on
//! the embedded demo at full size (four services, 90 days, the live rollout running);
//! and the fleet view of 500 services, with and without deriving their figures.

use chrono::{DateTime, Utc};
use flightdeck::app::App;
use flightdeck::config;
use flightdeck::headless;
use flightdeck::runtime::Screen;
use flightdeck::ui::{self, fixture, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

fn main() {
    divan::main();
}

fn bench_frame(
    model: &flightdeck::app::Model,
    derived: &flightdeck::metrics::Derived,
    theme: Theme,
    bencher: divan::Bencher,
) {
    let area = Rect::new(0, 0, 200, 60);
    let mut screen = Screen::default();
    let mut out = Vec::new();
    ui::render(screen.next_frame(area), model, derived, &theme);
    screen.paint(&mut out);
    bencher.bench_local(|| {
        out.clear();
        ui::render(screen.next_frame(area), model, derived, &theme);
        screen.paint(&mut out);
        divan::black_box(out.len())
    });
}

/// Painting a whole 200x60 frame of the demo on a cleared screen (a start or a
/// resize): the diff against blank and the bytes of every cell.
#[divan::bench]
fn demo_200x60_paint_whole(bencher: divan::Bencher) {
    let app = demo();
    let theme = Theme::new(true, false);
    let mut out = Vec::new();
    bencher.bench_local(|| {
        let mut screen = Screen::default();
        ui::render(
            screen.next_frame(Rect::new(0, 0, 200, 60)),
            &app.model,
            &app.derived,
            &theme,
        );
        out.clear();
        screen.paint(&mut out);
        divan::black_box(out.len())
    });
}

fn demo() -> App {
    let cfg = config::load_str(
        flightdeck::cli::DEMO_CONFIG,
        std::path::Path::new("demo.toml"),
    )
    .expect("demo config");
    let at: DateTime<Utc> = "2026-11-20T14:00:00Z".parse().expect("instant");
    headless::demo_app(&cfg, flightdeck::sources::demo::DEFAULT_SEED, at)
}

#[divan::bench]
fn fixture_200x60_color(bencher: divan::Bencher) {
    let model = fixture::model();
    let derived = fixture::derived(&model);
    bench_frame(&model, &derived, Theme::new(true, false), bencher);
}

#[divan::bench]
fn fixture_200x60_mono_ascii(bencher: divan::Bencher) {
    let model = fixture::model();
    let derived = fixture::derived(&model);
    bench_frame(&model, &derived, Theme::new(false, true), bencher);
}

#[divan::bench]
fn demo_200x60_color(bencher: divan::Bencher) {
    let app = demo();
    bench_frame(&app.model, &app.derived, Theme::new(true, false), bencher);
}

#[divan::bench]
fn demo_200x60_mono_ascii(bencher: divan::Bencher) {
    let app = demo();
    bench_frame(&app.model, &app.derived, Theme::new(false, true), bencher);
}

/// The fleet view of 500 services at 120x40: what a poll costs it, the engine deriving
/// every service's figures, then the fleet's rows built and the frame drawn and diffed.
#[divan::bench]
fn fleet_500_derive_and_draw(bencher: divan::Bencher) {
    use flightdeck::ui::fleet_fixture;
    let model = fleet_fixture::model(500);
    let theme = Theme::new(true, false);
    let area = Rect::new(0, 0, 120, 40);
    let mut previous = Buffer::empty(area);
    ui::render(
        &mut previous,
        &model,
        &fleet_fixture::derived(&model),
        &theme,
    );
    let mut current = Buffer::empty(area);
    bencher.bench_local(|| {
        let derived = fleet_fixture::derived(&model);
        current.reset();
        ui::render(&mut current, &model, &derived, &theme);
        divan::black_box(previous.diff(&current).len())
    });
}

/// The fleet view of 500 services drawn alone (figures already derived), 120x40.
#[divan::bench]
fn fleet_500_draw(bencher: divan::Bencher) {
    use flightdeck::ui::fleet_fixture;
    let model = fleet_fixture::model(500);
    let derived = fleet_fixture::derived(&model);
    let theme = Theme::new(true, false);
    let area = Rect::new(0, 0, 120, 40);
    let mut previous = Buffer::empty(area);
    ui::render(&mut previous, &model, &derived, &theme);
    let mut current = Buffer::empty(area);
    bencher.bench_local(|| {
        current.reset();
        ui::render(&mut current, &model, &derived, &theme);
        divan::black_box(previous.diff(&current).len())
    });
}
