//! The fleet view never panics at any size, whatever its state (cursor past the end,
//! a filter matching nothing, every sort and roll-up, the command line open, every
//! theme), and keeps the ASCII and monochrome promises of the cockpit.

use flightdeck::app::command_line::CommandLine;
use flightdeck::app::fleet::{FleetSort, GroupBy};
use flightdeck::app::{Model, Overlay};
use flightdeck::metrics::Derived;
use flightdeck::ui::{self, fleet_fixture, Theme};
use proptest::prelude::*;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;

fn draw(model: &Model, derived: &Derived, theme: Theme, w: u16, h: u16) -> Buffer {
    let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
    ui::render(&mut buf, model, derived, &theme);
    buf
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn the_fleet_draws_at_any_size_in_any_state(
        n in 0usize..30,
        w in 1u16..=200,
        h in 1u16..=60,
        cursor in 0usize..40,
        sort in 0usize..4,
        group in 0u8..3,
        filter in "[a-z-]{0,4}",
        typing in any::<bool>(),
        command in proptest::option::of("[a-z :7]{0,90}"),
        help in any::<bool>(),
        theme in 0u8..4,
    ) {
        let mut model = fleet_fixture::model(n);
        let derived = fleet_fixture::derived(&model);
        let ui = &mut model.ui;
        ui.fleet.cursor = cursor;
        ui.fleet.sort = FleetSort::ALL[sort];
        ui.fleet.group_by = [GroupBy::Group, GroupBy::Tier, GroupBy::None][usize::from(group)];
        ui.fleet.filter = filter;
        ui.fleet.typing = typing;
        ui.command = command.map(|text| {
            // The cursor in the middle of whatever was typed.
            let mut line = CommandLine::with_text(usize::MAX, &text);
            for _ in 0..line.len() / 2 {
                line.left();
            }
            line
        });
        if help {
            ui.overlays.push(Overlay::Help);
        }
        let theme = match theme {
            0 => Theme::new(true, false),
            1 => Theme::new(true, false).for_light_background(),
            2 => Theme::new(false, false),
            _ => Theme::new(false, true),
        };
        let buf = draw(&model, &derived, theme, w, h);
        if theme.ascii {
            prop_assert!(buf.content.iter().all(|c| c.symbol().is_ascii()));
        }
        if !theme.color {
            prop_assert!(buf.content.iter().all(|c| c.fg == Color::Reset && c.bg == Color::Reset));
        }
    }
}

/// 500 services at every width and a spread of heights.
#[test]
fn five_hundred_services_draw_at_every_size() {
    let mut model = fleet_fixture::model(500);
    let derived = fleet_fixture::derived(&model);
    model.ui.fleet.cursor = 499;
    for w in 1..=200 {
        for h in (1..=60).step_by(9) {
            draw(&model, &derived, Theme::new(true, false), w, h);
        }
    }
}
