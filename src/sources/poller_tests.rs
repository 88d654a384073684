//! Poller behaviour with real tasks and channels: events in order, refresh, backoff,
//! a hung fetch that blocks nobody, and prompt cancellation.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use tokio::sync::{mpsc, watch};

use super::*;
use crate::event::{Event, SourceCommand};

fn fast(interval_ms: u64) -> PollerOptions {
    PollerOptions {
        interval: StdDuration::from_millis(interval_ms),
        jitter: 0.1,
        max_backoff: StdDuration::from_millis(interval_ms * 4),
        fetch_timeout: StdDuration::from_secs(60),
    }
}

/// Generous liveness bound: the test fails instead of hanging when an event never comes.
/// The poller's announcements of its next attempt are skipped (tested on their own).
async fn next(rx: &mut mpsc::Receiver<Event>) -> (String, SourceEventKind) {
    loop {
        match tokio::time::timeout(StdDuration::from_secs(10), rx.recv()).await {
            Ok(Some(Event::Source(e))) if matches!(e.kind, SourceEventKind::NextAttempt { .. }) => {
            }
            Ok(Some(Event::Source(e))) => return (e.source, e.kind),
            other => panic!("expected a source event, got {other:?}"),
        }
    }
}

/// With tokio's clock paused, a timeout would fire before the waits under test (the
/// clock jumps to the nearest timer), so events are awaited without one.
async fn recv_paused(rx: &mut mpsc::Receiver<Event>) -> (String, SourceEventKind) {
    loop {
        match rx.recv().await {
            Some(Event::Source(e)) if matches!(e.kind, SourceEventKind::NextAttempt { .. }) => {}
            Some(Event::Source(e)) => return (e.source, e.kind),
            other => panic!("expected a source event, got {other:?}"),
        }
    }
}

#[test]
fn delay_doubles_while_failing_and_is_capped() {
    let o = PollerOptions {
        jitter: 0.0,
        ..fast(100)
    };
    assert_eq!(o.delay(0), StdDuration::from_millis(100));
    assert_eq!(o.delay(1), StdDuration::from_millis(200));
    assert_eq!(o.delay(2), StdDuration::from_millis(400));
    assert_eq!(o.delay(9), StdDuration::from_millis(400));
    let j = fast(100);
    for _ in 0..100 {
        let d = j.delay(0);
        assert!(d >= StdDuration::from_millis(100) && d <= StdDuration::from_millis(110));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetches_then_reports_failures_and_recovers() {
    let (tx, mut rx) = mpsc::channel(64);
    let (stop_tx, stop_rx) = watch::channel(false);
    let calls = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&calls);
    let handle = spawn_poller("p", fast(10), tx, stop_rx, move || {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        async move {
            if n == 1 {
                Err(SourceError {
                    kind: SourceErrorKind::Server,
                    message: "boom".into(),
                }
                .into())
            } else {
                Ok(Fetched {
                    data: vec![SourceData::Services(vec![format!("s{n}")])],
                    warnings: vec![],
                })
            }
        }
    });
    let kinds: Vec<&str> = {
        let mut v = Vec::new();
        for _ in 0..6 {
            let (src, kind) = next(&mut rx).await;
            assert_eq!(src, "p");
            v.push(match kind {
                SourceEventKind::Fetching => "fetching",
                SourceEventKind::Fetched { .. } => "fetched",
                SourceEventKind::Failed { .. } => "failed",
                SourceEventKind::Cached { .. } => "cached",
                SourceEventKind::Arrived { .. } => "arrived",
                SourceEventKind::NextAttempt { .. } => "next",
                SourceEventKind::Progress { .. } => "progress",
            });
        }
        v
    };
    assert_eq!(
        kinds,
        ["fetching", "fetched", "fetching", "failed", "fetching", "fetched"]
    );
    let _ = stop_tx.send(true);
    tokio::time::timeout(StdDuration::from_secs(10), handle.task)
        .await
        .expect("poller stops on shutdown")
        .expect("poller task does not panic");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hung_source_blocks_neither_others_nor_shutdown() {
    let (tx, mut rx) = mpsc::channel(256);
    let (stop_tx, stop_rx) = watch::channel(false);
    let hung = spawn_poller("hung", fast(10), tx.clone(), stop_rx.clone(), || async {
        std::future::pending::<()>().await;
        Ok(Fetched::default())
    });
    // The hung source's refreshes are absorbed by its running fetch, not queued.
    for _ in 0..3 {
        let _ = hung.commands.send(SourceCommand::Refresh);
    }
    let healthy = spawn_poller("ok", fast(10), tx, stop_rx, || async {
        Ok(Fetched::default())
    });
    let mut healthy_fetches = 0;
    let mut hung_fetching = 0;
    while healthy_fetches < 5 {
        match next(&mut rx).await {
            (s, SourceEventKind::Fetched { .. }) if s == "ok" => healthy_fetches += 1,
            (s, SourceEventKind::Fetching) if s == "hung" => hung_fetching += 1,
            (s, kind) if s == "hung" => panic!("the hung source reported {kind:?}"),
            _ => {}
        }
    }
    assert_eq!(hung_fetching, 1, "a tick is skipped while the fetch runs");
    let _ = stop_tx.send(true);
    for task in [hung.task, healthy.task] {
        tokio::time::timeout(StdDuration::from_secs(10), task)
            .await
            .expect("shutdown cancels even a hung fetch")
            .expect("no panic");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_fetches_at_once_and_a_hang_times_out() {
    let (tx, mut rx) = mpsc::channel(64);
    let (_stop_tx, stop_rx) = watch::channel(false);
    let options = PollerOptions {
        interval: StdDuration::from_secs(3600),
        fetch_timeout: StdDuration::from_millis(50),
        ..fast(10)
    };
    let calls = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&calls);
    let handle = spawn_poller("slow", options, tx, stop_rx, move || {
        let first = counter.fetch_add(1, Ordering::SeqCst) == 0;
        async move {
            if first {
                std::future::pending::<()>().await;
            }
            Ok(Fetched::default())
        }
    });
    assert!(matches!(next(&mut rx).await.1, SourceEventKind::Fetching));
    match next(&mut rx).await.1 {
        SourceEventKind::Failed { error, .. } => assert_eq!(error.kind, SourceErrorKind::Timeout),
        other => panic!("expected a timeout, got {other:?}"),
    }
    // The next scheduled poll is an hour (or more) away; a refresh does not wait for it.
    let _ = handle.commands.send(SourceCommand::Refresh);
    assert!(matches!(next(&mut rx).await.1, SourceEventKind::Fetching));
    assert!(matches!(
        next(&mut rx).await.1,
        SourceEventKind::Fetched { .. }
    ));
    handle.task.abort();
}

/// A server that answers "429, Retry-After: 120" is not asked again before 120 s —
/// not by the backoff (which would come back after 20 s), not by the cap on it, not
/// by a refresh — and then no later than the hint plus its jitter. Tokio's paused
/// clock makes the times exact and the test instant.
#[tokio::test(start_paused = true)]
async fn a_long_retry_after_is_honoured_past_the_backoff_and_a_refresh() {
    use tokio::time::Instant;
    let (tx, mut rx) = mpsc::channel(64);
    let (_stop_tx, stop_rx) = watch::channel(false);
    let options = PollerOptions {
        interval: StdDuration::from_secs(10),
        jitter: 0.1,
        max_backoff: StdDuration::from_secs(30),
        fetch_timeout: StdDuration::from_secs(600),
    };
    let calls = Arc::new(std::sync::Mutex::new(Vec::<Instant>::new()));
    let log = Arc::clone(&calls);
    let handle = spawn_poller("prom", options, tx, stop_rx, move || {
        let n = {
            let mut log = log.lock().expect("lock");
            log.push(Instant::now());
            log.len()
        };
        async move {
            if n <= 2 {
                Err(FetchError::new(SourceError {
                    kind: SourceErrorKind::RateLimited,
                    message: "HTTP 429 after retries".into(),
                })
                .with_retry_after(Some(StdDuration::from_secs(120))))
            } else {
                Ok(Fetched::default())
            }
        }
    });
    for _ in 0..2 {
        assert!(matches!(
            recv_paused(&mut rx).await.1,
            SourceEventKind::Fetching
        ));
        match recv_paused(&mut rx).await.1 {
            SourceEventKind::Failed { retry_after, .. } => {
                assert_eq!(retry_after, Some(StdDuration::from_secs(120)))
            }
            other => panic!("expected the failure, got {other:?}"),
        }
        // The user presses r at once: the server's wish still wins.
        let _ = handle.commands.send(SourceCommand::Refresh);
    }
    assert!(matches!(
        recv_paused(&mut rx).await.1,
        SourceEventKind::Fetching
    ));
    assert!(matches!(
        recv_paused(&mut rx).await.1,
        SourceEventKind::Fetched { .. }
    ));
    let calls = calls.lock().expect("lock").clone();
    assert_eq!(calls.len(), 3);
    for pair in calls.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            gap >= StdDuration::from_secs(120) && gap <= StdDuration::from_secs(132),
            "next attempt {gap:?} after a Retry-After of 120 s"
        );
    }
    handle.task.abort();
}

#[test]
fn delay_after_failure_is_the_longer_of_backoff_and_hint() {
    let o = PollerOptions {
        jitter: 0.0,
        ..fast(100)
    };
    // No hint: the backoff. A short hint: still the backoff. A long one: the hint,
    // with its jitter above it, whatever the backoff cap.
    assert_eq!(
        o.delay_after_failure(1, None),
        StdDuration::from_millis(200)
    );
    assert_eq!(
        o.delay_after_failure(1, Some(StdDuration::from_millis(50))),
        StdDuration::from_millis(200)
    );
    for _ in 0..100 {
        let d = o.delay_after_failure(9, Some(StdDuration::from_secs(120)));
        assert!(d >= StdDuration::from_secs(120) && d <= StdDuration::from_secs(132));
    }
}

/// The bound on the backoff is a small multiple of the interval, with a floor, for
/// every interval from 1 s to an hour — never the minutes a long outage used to reach.
#[test]
fn the_backoff_is_bounded_by_a_small_multiple_of_the_interval() {
    for secs in [1u64, 2, 5, 10, 30, 60, 300, 3600] {
        let interval = StdDuration::from_secs(secs);
        let o = PollerOptions {
            jitter: 0.0,
            ..PollerOptions::new(interval)
        };
        let cap = backoff_cap(interval);
        assert!(
            cap >= BACKOFF_FLOOR && cap >= interval,
            "{secs}s: cap {cap:?}"
        );
        assert!(
            cap <= (interval * BACKOFF_MULTIPLE).max(BACKOFF_FLOOR),
            "{secs}s: cap {cap:?}"
        );
        // A long outage reaches the cap and stays there.
        assert_eq!(o.delay(30), cap, "{secs}s");
        assert!(o.delay(1) > interval, "{secs}s: no backoff at all");
    }
}

/// A server that fails six times and then answers: every retry comes within the cap
/// (plus its jitter), each failure announces its next try truthfully, and the answer
/// shows the source healthy in the app at once. Tokio's paused clock makes it exact.
#[tokio::test(start_paused = true)]
async fn a_source_that_answers_again_is_healthy_at_the_next_poll() {
    use crate::app::{App, Health, View};
    use tokio::time::Instant;
    let (tx, mut rx) = mpsc::channel(64);
    let (_stop_tx, stop_rx) = watch::channel(false);
    let interval = StdDuration::from_secs(5);
    let options = PollerOptions::new(interval);
    // The promise, written out: a 5 s source waits at most 4 intervals between tries.
    let cap = StdDuration::from_secs(20);
    let calls = Arc::new(std::sync::Mutex::new(Vec::<Instant>::new()));
    let log = Arc::clone(&calls);
    let handle = spawn_poller("prom", options, tx, stop_rx, move || {
        let n = {
            let mut log = log.lock().expect("lock");
            log.push(Instant::now());
            log.len()
        };
        async move {
            if n <= 6 {
                Err(FetchError::new(SourceError {
                    kind: SourceErrorKind::Server,
                    message: "HTTP 503".into(),
                }))
            } else {
                Ok(Fetched::default())
            }
        }
    });
    let view = View {
        tz: crate::zone::Tz::UTC,
        demo: false,
    };
    let mut app = App::new(
        view,
        crate::metrics::Settings::default(),
        chrono::Utc::now(),
    );
    app.register_source(
        "prom",
        chrono::Duration::from_std(interval).expect("interval"),
    );
    let mut failures = 0;
    loop {
        let Some(Event::Source(ev)) = rx.recv().await else {
            panic!("the poller stopped");
        };
        let kind = ev.kind.clone();
        // The app's clock follows the wall clock the poller stamps its events with.
        app.update(Event::Tick(chrono::Utc::now()));
        app.update(Event::Source(ev));
        let status = app.model.sources[0].clone();
        match kind {
            SourceEventKind::Failed { .. } => failures += 1,
            SourceEventKind::NextAttempt { .. } if failures > 0 && failures <= 6 => {
                assert_eq!(status.health(app.model.now), Health::Error);
                let wait = status.next_try_in(app.model.now).expect("a next try");
                let bound = chrono::Duration::from_std(cap.mul_f64(1.1)).expect("cap");
                assert!(
                    wait <= bound,
                    "next try in {wait} after {failures} failures"
                );
            }
            SourceEventKind::Fetched { .. } => break,
            _ => {}
        }
    }
    assert_eq!(failures, 6);
    assert_eq!(app.model.sources[0].health(app.model.now), Health::Ok);
    let calls = calls.lock().expect("lock").clone();
    assert_eq!(calls.len(), 7);
    for (i, pair) in calls.windows(2).enumerate() {
        let gap = pair[1] - pair[0];
        assert!(
            gap <= cap.mul_f64(1.1) + StdDuration::from_millis(1),
            "attempt {} came {gap:?} after the one before (cap {cap:?})",
            i + 2
        );
    }
    // The last waits are at the cap (doubling reached it), so recovery is prompt
    // because of the cap, not because the outage was short.
    let last = calls[6] - calls[5];
    assert!(last >= cap, "the backoff never reached its cap: {last:?}");
    handle.task.abort();
}
