//! What issue 14 asks to report about the review outbox, through the real store and
//! worker:
//!
//! - **committing one action item durably**: `ReviewStore::enqueue`, one immediate
//!   transaction with `synchronous=FULL` (the fsync is the cost);
//! - **draining 1,000 items** against the in-process tracker double under 429 bursts
//!   (a third of creates start a burst of three 429s with Retry-After 2 ms) and
//!   eventually consistent search: time, and the request count printed once. That no
//!   item was created twice or lost is asserted after each drain, outside the timing.
//!
//! Run: `cargo bench --bench review`. Caches live in a temporary directory.

#[path = "../tests/tracker_double/mod.rs"]
mod tracker_double;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use chrono::Utc;
use flightdeck::review::outbox::state::{Delivery, Phase, Policy};
use flightdeck::review::outbox::worker::{self, ReviewEvent};
use flightdeck::review::session::{ActionItem, Category};
use flightdeck::review::tracker::Tracker;
use flightdeck::store::review::{OutboxRow, ReviewStore};
use tokio::sync::mpsc;
use tracker_double::FakeTracker;

/// The drain's size: 1,000 under `cargo bench`, a small one when `cargo test
/// --all-targets` runs each bench once (divan's test mode).
fn items() -> usize {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let testing = std::env::args().any(|a| a == "--test");
    if benchmarking && !testing {
        1_000
    } else {
        20
    }
}

static RUN: AtomicUsize = AtomicUsize::new(0);

fn fresh_cache() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("flightdeck-bench-review-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    dir.join(format!(
        "cache-{}.sqlite3",
        RUN.fetch_add(1, Ordering::SeqCst)
    ))
}

fn row(n: usize) -> OutboxRow {
    OutboxRow {
        review_id: "review".into(),
        review_title: "release 2.4.1".into(),
        item: ActionItem {
            uuid: format!("00000000-0000-4000-8000-{n:012}"),
            summary: format!("Action item {n}"),
            owner: Some("alice".into()),
            due: Some("2026-12-31".into()),
            success_criteria: "checked in the next review".into(),
            category: Category::DeploymentProcess,
            link: None,
        },
        delivery: Delivery::new(Utc::now()),
    }
}

fn main() {
    divan::main();
    let _ = std::fs::remove_dir_all(
        std::env::temp_dir().join(format!("flightdeck-bench-review-{}", std::process::id())),
    );
}

#[divan::bench(sample_count = 50, sample_size = 1)]
fn commit_one_item_durably(bencher: divan::Bencher) {
    let mut store = ReviewStore::open(&fresh_cache()).expect("open");
    let mut n = 0;
    bencher.bench_local(|| {
        n += 1;
        store.enqueue(&row(n), Utc::now()).expect("enqueue")
    });
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn drain_1000_items_under_429_bursts(bencher: divan::Bencher) {
    let n = items();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    bencher
        .with_inputs(|| {
            let path = fresh_cache();
            let mut store = ReviewStore::open(&path).expect("open");
            for i in 0..n {
                store.enqueue(&row(i), Utc::now()).expect("enqueue");
            }
            let tracker = FakeTracker::new();
            tracker.random_faults(333, 7);
            tracker.search_lag(2);
            (store, tracker, path)
        })
        .bench_local_values(|(store, tracker, path)| {
            rt.block_on(drain(store, tracker.clone(), n));
            check(&path, &tracker, n);
        });
}

async fn drain(store: ReviewStore, tracker: Arc<FakeTracker>, n: usize) {
    let policy = Policy {
        backoff_base: chrono::Duration::milliseconds(1),
        backoff_max: chrono::Duration::milliseconds(20),
        search_window: chrono::Duration::milliseconds(20),
        search_every: chrono::Duration::milliseconds(3),
    };
    let (_tx, rx) = mpsc::unbounded_channel();
    let (etx, mut erx) = mpsc::channel(100_000);
    let t: Arc<dyn Tracker> = tracker;
    let task = worker::spawn(store, Some(t), policy, worker::system_clock(), rx, etx);
    let mut done = std::collections::BTreeSet::new();
    while let Some(ev) = erx.recv().await {
        if let ReviewEvent::Delivery { uuid, phase, .. } = ev {
            if phase.is_final() {
                done.insert(uuid);
            }
        }
        if done.len() == n {
            break;
        }
    }
    task.abort();
}

/// Exactly one issue per item and the key stored; the request count, printed once.
fn check(path: &std::path::Path, tracker: &FakeTracker, n: usize) {
    let rows = ReviewStore::open(path)
        .expect("open")
        .outbox()
        .expect("outbox");
    assert_eq!(rows.len(), n);
    for r in &rows {
        let label = format!("flightdeck-{}", r.item.uuid);
        assert_eq!(tracker.count(&label), 1, "{label}");
        assert!(
            matches!(r.delivery.phase, Phase::Sent { .. }),
            "{:?}",
            r.delivery
        );
    }
    assert_eq!(tracker.issues().len(), n, "no duplicate");
    static PRINTED: std::sync::Once = std::sync::Once::new();
    PRINTED.call_once(|| {
        eprintln!(
            "drain of {n} items: {} requests ({} creates, {} searches), no duplicate",
            tracker.requests(),
            tracker.creates.load(Ordering::SeqCst),
            tracker.searches.load(Ordering::SeqCst)
        );
    });
}
