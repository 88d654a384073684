//! The review outbox end to end against the in-process tracker double: every action
//! item ends as exactly one tracker issue under 429 bursts, timeouts after the write
//! landed, 5xx, resets and eventually consistent search; a worker dropped at any step
//! and started again on the reopened cache resumes without loss or duplicate.

mod tracker_double;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use flightdeck::review::outbox::state::{Phase, Policy};
use flightdeck::review::outbox::worker::{self, ReviewCommand, ReviewEvent};
use flightdeck::review::session::{ActionItem, Category};
use flightdeck::review::tracker::Tracker;
use flightdeck::store::review::ReviewStore;
use tokio::sync::mpsc;
use tracker_double::{FakeTracker, Fault};

/// Fast enough for tests, same shape as the default: backoff doubles, the search
/// window spans several searches.
fn policy() -> Policy {
    Policy {
        backoff_base: chrono::Duration::milliseconds(1),
        backoff_max: chrono::Duration::milliseconds(20),
        search_window: chrono::Duration::milliseconds(30),
        search_every: chrono::Duration::milliseconds(3),
    }
}

fn item(n: usize) -> ActionItem {
    ActionItem {
        uuid: format!("00000000-0000-4000-8000-{n:012}"),
        summary: format!("Add an alert on queue depth #{n}"),
        owner: Some("alice".into()),
        due: Some("2026-12-31".into()),
        success_criteria: "the alert fires in the staging drill".into(),
        category: Category::MonitoringGap,
        link: Some("https://gitlab.example/deploy/41".into()),
    }
}

struct Running {
    commands: mpsc::UnboundedSender<ReviewCommand>,
    events: mpsc::Receiver<ReviewEvent>,
    task: tokio::task::JoinHandle<()>,
}

fn start(path: &Path, tracker: Arc<FakeTracker>) -> Running {
    let store = ReviewStore::open(path).expect("open the cache");
    let (tx, rx) = mpsc::unbounded_channel();
    let (etx, erx) = mpsc::channel(10_000);
    let tracker: Arc<dyn Tracker> = tracker;
    let task = worker::spawn(
        store,
        Some(tracker),
        policy(),
        worker::system_clock(),
        rx,
        etx,
    );
    Running {
        commands: tx,
        events: erx,
        task,
    }
}

fn enqueue(r: &Running, items: impl Iterator<Item = ActionItem>) {
    for i in items {
        r.commands
            .send(ReviewCommand::Enqueue {
                review_id: "review-1".into(),
                review_title: "deployment d1 (checkout 2.4.1)".into(),
                item: i,
            })
            .expect("worker alive");
    }
}

/// Waits (bounded, as a guard against a hang, not a timing assertion) until every
/// one of `n` items reported a final state; returns the states by UUID.
async fn until_final(r: &mut Running, n: usize) -> BTreeMap<String, Phase> {
    let mut states = BTreeMap::new();
    let wait = async {
        while let Some(ev) = r.events.recv().await {
            if let ReviewEvent::Delivery { uuid, phase, .. } = ev {
                states.insert(uuid, phase);
            }
            if states.len() == n && states.values().all(Phase::is_final) {
                return;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), wait)
        .await
        .expect("the outbox drains");
    states
}

/// Every item: exactly one issue with its label, and the stored key is that issue's.
fn assert_exactly_once(path: &Path, tracker: &FakeTracker, n: usize) {
    let rows = ReviewStore::open(path)
        .expect("open")
        .outbox()
        .expect("outbox");
    assert_eq!(rows.len(), n, "nothing lost from the outbox");
    let issues = tracker.issues();
    for row in rows {
        let label = format!("flightdeck-{}", row.item.uuid);
        let with_label: Vec<_> = issues.iter().filter(|i| i.label == label).collect();
        assert_eq!(with_label.len(), 1, "{label}: {with_label:?}");
        assert_eq!(
            row.delivery.phase,
            Phase::Sent {
                key: with_label[0].key.clone()
            },
            "{label}"
        );
    }
    assert_eq!(issues.len(), n, "no issue without an item");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_item_lands_once_under_every_fault() {
    let dir = tempdir();
    let path = dir.join("cache.sqlite3");
    let tracker = FakeTracker::new();
    tracker.search_lag(3);
    tracker.search_429_burst(4);
    tracker.script(&[
        Fault::TimeoutAfterLanding,
        Fault::ServerError,
        Fault::RateLimited,
        Fault::RateLimited,
        Fault::RateLimited,
        Fault::ResetLanded,
        Fault::ResetNotLanded,
    ]);
    tracker.random_faults(300, 42);
    // Enough items that the worker is busy and searches late (what found that the
    // search window alone, in time, was not enough).
    let n = 300;
    let mut r = start(&path, tracker.clone());
    enqueue(&r, (0..n).map(item));
    let states = until_final(&mut r, n).await;
    assert!(
        states.values().all(|p| matches!(p, Phase::Sent { .. })),
        "{states:?}"
    );
    assert_exactly_once(&path, &tracker, n);
    assert!(tracker.searches.load(std::sync::atomic::Ordering::SeqCst) > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_that_timed_out_after_landing_is_found_not_repeated() {
    let dir = tempdir();
    let path = dir.join("cache.sqlite3");
    let tracker = FakeTracker::new();
    // The search misses it twice (eventual consistency) before it shows.
    tracker.search_lag(2);
    tracker.script(&[Fault::TimeoutAfterLanding]);
    let mut r = start(&path, tracker.clone());
    enqueue(&r, std::iter::once(item(1)));
    let states = until_final(&mut r, 1).await;
    assert_eq!(
        states.values().next(),
        Some(&Phase::Sent {
            key: "OPS-1".into()
        })
    );
    assert_eq!(tracker.creates.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_exactly_once(&path, &tracker, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_then_success_creates_once_after_the_search_window() {
    let dir = tempdir();
    let path = dir.join("cache.sqlite3");
    let tracker = FakeTracker::new();
    tracker.script(&[Fault::ServerError]);
    let mut r = start(&path, tracker.clone());
    enqueue(&r, std::iter::once(item(1)));
    until_final(&mut r, 1).await;
    assert_eq!(tracker.creates.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert!(tracker.searches.load(std::sync::atomic::Ordering::SeqCst) >= 2);
    assert_exactly_once(&path, &tracker, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_refusal_is_shown_with_its_reason_and_kept_for_a_retry() {
    let dir = tempdir();
    let path = dir.join("cache.sqlite3");
    let tracker = FakeTracker::new();
    tracker.script(&[Fault::Forbidden]);
    let mut r = start(&path, tracker.clone());
    enqueue(&r, std::iter::once(item(7)));
    let states = until_final(&mut r, 1).await;
    let phase = states.values().next().expect("a state");
    assert_eq!(phase.describe(), "failed: 403 Forbidden on project OPS");
    assert_eq!(tracker.issues().len(), 0);
    // Kept: a restart still shows it failed, and a retry sends it.
    r.task.abort();
    let _ = r.task.await;
    let mut r = start(&path, tracker.clone());
    r.commands
        .send(ReviewCommand::Retry { uuid: item(7).uuid })
        .expect("alive");
    let mut sent = false;
    let wait = async {
        while let Some(ev) = r.events.recv().await {
            if let ReviewEvent::Delivery {
                phase: Phase::Sent { .. },
                ..
            } = ev
            {
                sent = true;
                return;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), wait)
        .await
        .expect("sent");
    assert!(sent);
    assert_exactly_once(&path, &tracker, 1);
}

/// The worker is dropped while its create hangs (landed or not) at every item of a
/// queue, the cache reopened and the worker started again: each item still ends as
/// exactly one issue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_dropped_mid_request_resumes_without_loss_or_duplicate() {
    let n = 6;
    for landed in [true, false] {
        for step in 0..n {
            let dir = tempdir();
            let path = dir.join("cache.sqlite3");
            let first = FakeTracker::new();
            let hang = if landed {
                Fault::HangAfterLanding
            } else {
                Fault::HangBeforeLanding
            };
            let mut faults = vec![Fault::None; step];
            faults.push(hang);
            first.script(&faults);
            let r = start(&path, first.clone());
            enqueue(&r, (0..n).map(item));
            tokio::time::timeout(Duration::from_secs(60), first.hung.notified())
                .await
                .expect("the scripted call hangs");
            r.task.abort();
            let _ = r.task.await;
            // The tracker keeps what landed; a new worker on the reopened cache.
            let second = FakeTracker::sharing_issues_of(&first);
            second.search_lag(1);
            let mut r = start(&path, second.clone());
            until_final(&mut r, n).await;
            assert_exactly_once(&path, &second, n);
        }
    }
}

/// A summary with escape sequences and 400 characters reaches the tracker sanitized
/// and bounded; the label stays the item's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_summary_reaches_the_tracker_sanitized_and_bounded() {
    let dir = tempdir();
    let path = dir.join("cache.sqlite3");
    let tracker = FakeTracker::new();
    let mut r = start(&path, tracker.clone());
    let mut hostile = item(9);
    hostile.summary = format!("\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[2J{}", "x".repeat(400));
    enqueue(&r, std::iter::once(hostile));
    until_final(&mut r, 1).await;
    let issues = tracker.issues();
    let summary = &issues[0].summary;
    assert!(
        !summary.contains('\u{1b}') && !summary.contains('\u{7}'),
        "{summary:?}"
    );
    assert!(
        summary.chars().count() <= 300,
        "{}",
        summary.chars().count()
    );
    assert_exactly_once(&path, &tracker, 1);
}

/// Enqueueing the same item twice (a command repeated after a restart) sends it once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_item_queued_twice_is_sent_once() {
    let dir = tempdir();
    let path = dir.join("cache.sqlite3");
    let tracker = FakeTracker::new();
    let mut r = start(&path, tracker.clone());
    enqueue(&r, [item(3), item(3)].into_iter());
    until_final(&mut r, 1).await;
    // Let the second command be handled too.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_exactly_once(&path, &tracker, 1);
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "flightdeck-outbox-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
