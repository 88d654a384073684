//! The review through the cockpit's own loop: a key starts a review, the app's
//! command goes to the review worker by the runtime's routes, the worker stores the
//! session and its audit record, and what it reports comes back as an event.

use std::time::Duration;

use crossterm::event::{Event as Input, KeyCode, KeyEvent, KeyModifiers};
use flightdeck::app::App;
use flightdeck::event::Event;
use flightdeck::review::audit;
use flightdeck::review::outbox::state::Policy;
use flightdeck::review::outbox::worker;
use flightdeck::runtime::{drive_routed, Routes};
use flightdeck::store::review::ReviewStore;
use flightdeck::ui::fixture;
use tokio::sync::mpsc;

fn key(c: char) -> Event {
    Event::Input(Input::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_started_review_is_stored_with_its_audit_record_through_the_loop() {
    let dir = std::env::temp_dir().join(format!("fd-review-runtime-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("cache.sqlite3");
    let _ = std::fs::remove_file(&path);

    let model = fixture::model();
    let mut app = App::new(
        model.view.clone(),
        flightdeck::metrics::Settings::default(),
        fixture::now(),
    );
    app.model = model;
    app.refresh_derived();
    let selected = app
        .model
        .selected_deployment()
        .expect("selected")
        .id
        .clone();

    let (tx, mut rx) = mpsc::channel(1024);
    let (commands, worker_rx) = mpsc::unbounded_channel();
    let (review_tx, mut review_rx) = mpsc::channel(64);
    let store = ReviewStore::open(&path).expect("open");
    let task = worker::spawn(
        store,
        None,
        Policy::default(),
        worker::system_clock(),
        worker_rx,
        review_tx,
    );
    // The worker's events reach the app's channel, as the runtime forwards them.
    let forward = tx.clone();
    tokio::spawn(async move {
        while let Some(ev) = review_rx.recv().await {
            if forward.send(Event::Review(ev)).await.is_err() {
                break;
            }
        }
    });
    // Start a review, go to its last item (a manual one), tick it.
    for c in ['v', 'G', ' '] {
        tx.send(key(c)).await.expect("send");
    }
    let routes = Routes {
        handles: &[],
        review: Some(&commands),
        cache: None,
    };
    let driving = drive_routed(&mut app, &mut rx, &routes, || false, |_| Ok(()));
    let quit_later = {
        let tx = tx.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let _ = tx.send(key('q')).await;
        }
    };
    let (result, ()) = tokio::time::timeout(Duration::from_secs(60), async {
        tokio::join!(driving, quit_later)
    })
    .await
    .expect("the loop ends");
    result.expect("no draw error");

    // The app holds the session it started, and the stored one is the same.
    let started = app
        .model
        .review
        .session_of(&selected)
        .expect("started")
        .clone();
    let mut stored = None;
    for _ in 0..600 {
        let s = ReviewStore::open(&path).expect("open");
        if let Some(found) = s.session(&started.id).expect("read") {
            if s.audit().expect("audit").len() >= 2 {
                stored = Some(found);
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let stored = stored.expect("the worker stored the review");
    assert_eq!(stored.id, started.id);
    assert_eq!(stored.template, started.template);
    let records = ReviewStore::open(&path)
        .expect("open")
        .audit()
        .expect("audit");
    assert_eq!(records[0].kind, "start");
    assert_eq!(records[1].kind, "check");
    assert!(
        stored.checks.last().expect("items").checked,
        "the tick is stored"
    );
    assert!(records.iter().all(|r| r.review_id == started.id));
    audit::verify(&records).expect("an intact chain");
    task.abort();
}
