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
            tz: flightdeck::zone::Tz::UTC,
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
    drive(&mut app, &mut rx, &[], || false, draw)
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

/// A fetch that straddles a clock tick (it starts just before the tick and answers
/// just after) is drawn once, finished: never a frame with its indicator on, and one
/// frame per tick in all. A fetch that hangs past the grace still lets the tick draw.
#[tokio::test(start_paused = true)]
async fn a_fetch_straddling_the_tick_is_drawn_once_finished() {
    let start = Utc.with_ymd_and_hms(2026, 3, 2, 14, 0, 0).unwrap();
    let mut app = App::new(
        View {
            tz: flightdeck::zone::Tz::UTC,
            demo: false,
        },
        flightdeck::metrics::Settings::default(),
        start,
    );
    app.register_source("prometheus", Duration::seconds(1));
    let (tx, mut rx) = mpsc::channel(EVENT_CHANNEL_CAPACITY);
    tokio::spawn(async move {
        let ms = StdDuration::from_millis;
        let _ = tx.send(fetched(start)).await;
        for i in 0..TICKS {
            let tick = start + Duration::seconds(i + 1);
            tokio::time::sleep(ms(900)).await;
            let _ = tx.send(fetching()).await;
            tokio::time::sleep(ms(60)).await;
            let _ = tx.send(Event::Tick(tick)).await;
            tokio::time::sleep(ms(40)).await;
            let _ = tx.send(fetched(tick - Duration::milliseconds(60))).await;
        }
        // One fetch that hangs: the tick is drawn all the same, indicator on.
        tokio::time::sleep(ms(500)).await;
        let _ = tx.send(fetching()).await;
        tokio::time::sleep(ms(500)).await;
        let _ = tx
            .send(Event::Tick(start + Duration::seconds(TICKS + 1)))
            .await;
        tokio::time::sleep(StdDuration::from_secs(2)).await;
        let _ = tx
            .send(Event::Shutdown(ShutdownReason::Signal("test")))
            .await;
    });
    let theme = Theme::new(true, false);
    let mut screen = Screen::default();
    let frames = std::cell::RefCell::new(Vec::new());
    let draw = |app: &App| {
        let frame = screen.next_frame(Rect::new(0, 0, 120, 40));
        ui::render(frame, &app.model, &app.derived, &theme);
        let mut bytes = Vec::new();
        screen.paint(&mut bytes);
        if !bytes.is_empty() {
            let fetching = app.model.sources.iter().any(|s| s.fetching);
            frames.borrow_mut().push((app.model.now, fetching));
        }
        Ok(())
    };
    drive(&mut app, &mut rx, &[], || false, draw)
        .await
        .expect("drawing never fails here");
    let frames = frames.into_inner();
    let straddled = &frames[..frames.len() - 1];
    assert!(
        straddled.iter().all(|(_, fetching)| !fetching),
        "a frame showed a fetch that answered within the grace: {frames:?}"
    );
    // The first frame, the first data, then one frame per tick.
    assert!(
        straddled.len() <= TICKS as usize + 2,
        "{} frames for {TICKS} ticks: {frames:?}",
        straddled.len()
    );
    assert_eq!(
        frames.last(),
        Some(&(start + Duration::seconds(TICKS + 1), true)),
        "the tick during a hung fetch is drawn, indicator on"
    );
}

/// A resize, even back to the same size, has the next frame repaint every cell (the
/// terminal may have reflowed or cleared the old ones), and only that frame.
#[tokio::test(start_paused = true)]
async fn a_resize_repaints_the_next_frame_whole_and_only_it() {
    let start = Utc
        .with_ymd_and_hms(2026, 12, 7, 3, 0, 0)
        .single()
        .expect("start");
    let mut app = App::new(
        View {
            tz: flightdeck::zone::Tz::UTC,
            demo: false,
        },
        flightdeck::metrics::Settings::default(),
        start,
    );
    let (tx, mut rx) = mpsc::channel(EVENT_CHANNEL_CAPACITY);
    tokio::spawn(async move {
        let s = StdDuration::from_secs;
        tokio::time::sleep(s(1)).await;
        let _ = tx
            .send(Event::Input(crossterm::event::Event::Resize(120, 40)))
            .await;
        tokio::time::sleep(s(1)).await;
        let _ = tx.send(Event::Tick(start + Duration::seconds(2))).await;
        tokio::time::sleep(s(1)).await;
        let _ = tx
            .send(Event::Shutdown(ShutdownReason::Signal("test")))
            .await;
    });
    let theme = Theme::new(true, false);
    let mut screen = Screen::default();
    let sizes = std::cell::RefCell::new(Vec::new());
    let draw = |app: &App| {
        if app.resized {
            screen.invalidate();
        }
        let frame = screen.next_frame(Rect::new(0, 0, 120, 40));
        ui::render(frame, &app.model, &app.derived, &theme);
        let mut bytes = Vec::new();
        screen.paint(&mut bytes);
        sizes.borrow_mut().push((app.resized, bytes.len()));
        Ok(())
    };
    drive(&mut app, &mut rx, &[], || false, draw)
        .await
        .expect("drawing never fails here");
    let sizes = sizes.into_inner();
    // The first frame (whole), the resize's (whole again), the tick's (a few cells).
    assert!(sizes.len() >= 3, "{sizes:?}");
    let (first, resized, tick) = (sizes[0], sizes[1], sizes[2]);
    assert!(
        resized.0 && !tick.0,
        "only the resize's frame repaints: {sizes:?}"
    );
    assert!(
        resized.1 * 2 > first.1 && tick.1 * 10 < resized.1,
        "the resize's frame is drawn whole, the tick's is not: {sizes:?}"
    );
}
