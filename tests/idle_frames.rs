//! While nothing visible changes, nothing is sent to the terminal: over N clock
//! ticks with a fetch between each two that brings the same data, the loop sends at
//! most the frames the header clock needs (its text turns over once a second).

use std::cell::Cell;
use std::collections::BTreeSet;
use std::time::Duration as StdDuration;

use chrono::{Duration, TimeZone, Utc};
use flightdeck::app::{App, View};
use flightdeck::event::{Event, ShutdownReason, SourceData, SourceEvent, SourceEventKind};
use flightdeck::model::WindowRatios;
use flightdeck::runtime::{drive, Screen};
use flightdeck::sources::EVENT_CHANNEL_CAPACITY;
use flightdeck::ui::{self, Theme};
use ratatui::layout::Rect;
use tokio::sync::mpsc;

const TICKS: i64 = 40;

fn fetched(at: chrono::DateTime<Utc>) -> Event {
    Event::Source(SourceEvent {
        source: "prometheus".into(),
        kind: SourceEventKind::Fetched {
            at,
            data: vec![
                SourceData::Services(vec!["api".into()]),
                SourceData::Ratios {
                    service: "api".into(),
                    ratios: WindowRatios {
                        m5: Some(0.001),
                        ..WindowRatios::default()
                    },
                },
            ],
            warnings: Vec::new(),
        },
    })
}

fn fetching() -> Event {
    Event::Source(SourceEvent {
        source: "prometheus".into(),
        kind: SourceEventKind::Fetching,
    })
}

#[tokio::test(start_paused = true)]
async fn idle_ticks_and_same_data_fetches_send_only_the_frames_the_clock_needs() {
    let start = Utc.with_ymd_and_hms(2026, 3, 2, 14, 0, 0).unwrap();
    let mut app = App::new(
        View {
            tz: chrono_tz::Tz::UTC,
            demo: false,
        },
        flightdeck::metrics::Settings::default(),
        start,
    );
    app.register_source("prometheus", Duration::seconds(1));
    let (tx, mut rx) = mpsc::channel(EVENT_CHANNEL_CAPACITY);
    // Each event well apart (in paused time), so each one gets its own chance to
    // draw: frames are not saved by coalescing events, only by what they change.
    tokio::spawn(async move {
        let gap = StdDuration::from_millis(250);
        for i in 0..TICKS {
            let tick = start + Duration::seconds(i + 1);
            for ev in [
                fetching(),
                fetched(tick - Duration::milliseconds(700)),
                Event::Tick(tick),
            ] {
                tokio::time::sleep(gap).await;
                let _ = tx.send(ev).await;
            }
        }
        tokio::time::sleep(StdDuration::from_secs(1)).await;
        let _ = tx
            .send(Event::Shutdown(ShutdownReason::Signal("test")))
            .await;
    });
    let theme = Theme::new(true, false);
    let mut screen = Screen::default();
    let sent = Cell::new(0usize);
    let clocks = std::cell::RefCell::new(BTreeSet::new());
    let draw = |app: &App| {
        let frame = screen.next_frame(Rect::new(0, 0, 120, 40));
        ui::render(frame, &app.model, &app.derived, &theme);
        let mut bytes = Vec::new();
        screen.paint(&mut bytes);
        if !bytes.is_empty() {
            sent.set(sent.get() + 1);
        }
        clocks
            .borrow_mut()
            .insert(ui::format::clock(app.model.now, app.model.view.tz));
        Ok(())
    };
    drive(&mut app, &mut rx, &[], |_| {}, || false, draw)
        .await
        .expect("drawing never fails here");
    let needed = clocks.borrow().len() + 1; // each clock text, and the first data
    assert!(
        sent.get() <= needed,
        "{} frames sent over {TICKS} ticks; the clock needs {needed}",
        sent.get()
    );
    assert!(
        sent.get() >= TICKS as usize,
        "every clock turn-over is drawn"
    );
}
