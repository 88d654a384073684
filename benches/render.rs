//! Render cost of a full frame: the fixture cockpit drawn at 200x60 into a fresh buffer
//! and diffed against the previous frame, as `Terminal::draw` does each frame.

use flightdeck::ui::{self, fixture, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

fn main() {
    divan::main();
}

fn frame_200x60(theme: Theme, bencher: divan::Bencher) {
    let model = fixture::model();
    let derived = fixture::derived(&model);
    let area = Rect::new(0, 0, 200, 60);
    let mut previous = Buffer::empty(area);
    ui::render(&mut previous, &model, &derived, &theme);
    let mut current = Buffer::empty(area);
    bencher.bench_local(|| {
        current.reset();
        ui::render(&mut current, &model, &derived, &theme);
        divan::black_box(previous.diff(&current).len())
    });
}

#[divan::bench]
fn draw_and_diff_200x60_color(bencher: divan::Bencher) {
    frame_200x60(Theme::new(true, false), bencher);
}

#[divan::bench]
fn draw_and_diff_200x60_mono_ascii(bencher: divan::Bencher) {
    frame_200x60(Theme::new(false, true), bencher);
}
