//! Headless runs of the cockpit's event loop (no terminal): a hung source must not hold
//! up frames or the other sources, and the loop stops on shutdown.

mod common;

use std::cell::RefCell;
use std::time::Duration as StdDuration;

use chrono::{TimeZone, Utc};
use flightdeck::app::{App, Health, View};
use flightdeck::event::{Event, ShutdownReason, SourceData};
use flightdeck::model::Deployment;
use flightdeck::runtime::drive;
use flightdeck::sources::poller::{spawn_poller, Fetched, PollerOptions};
use flightdeck::sources::EVENT_CHANNEL_CAPACITY;
use tokio::sync::{mpsc, watch};

/// A liveness bound, not a speed claim: the run must end at all.
const LIVENESS: StdDuration = StdDuration::from_secs(60);

fn deployment() -> Deployment {
    let at = Utc
        .with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
        .single()
        .expect("valid");
    Deployment {
        source: "fast".into(),
        version: "1.0.0".into(),
        sha: "abc".into(),
        deployer: "ann".into(),
        ..common::deployment("fast:1", "api", at, Some(at + chrono::Duration::minutes(5)))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hung_source_delays_neither_frames_nor_other_sources() {
    let (tx, mut rx) = mpsc::channel(EVENT_CHANNEL_CAPACITY);
    let (stop, shutdown) = watch::channel(false);
    let interval = StdDuration::from_millis(50);
    let hung = spawn_poller(
        "hung",
        PollerOptions::new(interval),
        tx.clone(),
        shutdown.clone(),
        std::future::pending,
    );
    let fast = spawn_poller(
        "fast",
        PollerOptions::new(interval),
        tx.clone(),
        shutdown,
        || async {
            Ok(Fetched {
                data: vec![SourceData::Deployments(vec![deployment()])],
                warnings: Vec::new(),
            })
        },
    );
    let handles = vec![hung, fast];

    let view = View {
        tz: flightdeck::zone::Tz::UTC,
        demo: false,
    };
    let mut app = App::new(view, flightdeck::metrics::Settings::default(), Utc::now());
    for h in &handles {
        app.register_source(&h.id, chrono::Duration::milliseconds(50));
    }

    // Each frame records what it showed; once the fast source's data is on screen
    // while the hung source is still fetching, the test asks the loop to stop.
    let frames = RefCell::new(Vec::new());
    let quit = tx.clone();
    let draw = |app: &App| {
        let hung = app.model.sources.iter().find(|s| s.id == "hung").cloned();
        let shown = !app.model.data.deployments.is_empty();
        let hung_busy = hung
            .as_ref()
            .is_some_and(|s| s.fetching && s.last_ok.is_none());
        frames.borrow_mut().push((shown, hung_busy));
        if shown && hung_busy {
            let _ = quit.try_send(Event::Shutdown(ShutdownReason::Signal("test")));
        }
        Ok(())
    };
    let run = drive(&mut app, &mut rx, &handles, || false, draw);
    tokio::time::timeout(LIVENESS, run)
        .await
        .expect("the loop must stop when asked, whatever the hung source does")
        .expect("drawing never fails here");

    let frames = frames.into_inner();
    assert!(
        frames.len() >= 2,
        "the first frame and at least one more: {frames:?}"
    );
    assert_eq!(
        frames[0],
        (false, false),
        "the first frame comes before any source answers"
    );
    assert!(
        frames.contains(&(true, true)),
        "fast data drawn while the hung source hangs"
    );
    let hung = app
        .model
        .sources
        .iter()
        .find(|s| s.id == "hung")
        .expect("registered");
    assert_eq!(
        hung.health(app.model.now),
        Health::Pending,
        "never answered, never faked"
    );

    let _ = stop.send(true);
    for h in handles {
        tokio::time::timeout(LIVENESS, h.task)
            .await
            .expect("pollers stop on shutdown, even one whose fetch hangs")
            .expect("poller task ends cleanly");
    }
}
