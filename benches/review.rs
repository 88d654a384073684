//! What issue 14 asks to report about the review outbox, through the real store and
//! worker:
//!
//! - **committing one action item durably**: `ReviewStore::enqueue`, one immediate
//!   transaction with `synchronous=FULL` (the fsync is the cost);
//! - **draining 1,000 items over HTTP**: the real Jira Cloud adapter (`JiraTracker`,
//!   the shared HTTP client, its retries honouring `Retry-After`) against the
//!   in-process fake Jira (`tests/jira_fake`) on a loopback port. Every third create
//!   request (outside a burst) starts a burst of three 429s (`Retry-After: 0`, Jira's unit being whole
//!   seconds), every 50th issue created loses its answer (a 502 after it landed: the
//!   label search settles it) and search lags two searches behind. The time, and the
//!   request count by kind printed once; that each item is exactly one issue and that
//!   none is lost is asserted after each drain, outside the timing;
//! - the same drain against the in-process tracker double (no HTTP): the worker's own
//!   cost.
//!
//! Run: `cargo bench --bench review`. Caches live in a temporary directory.

#[path = "../tests/jira_fake/mod.rs"]
mod jira_fake;
#[path = "../tests/tracker_double/mod.rs"]
mod tracker_double;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use chrono::Utc;
use flightdeck::config::{JiraConfig, JiraDeployment};
use flightdeck::net::{HttpClient, HttpSettings, RetryPolicy};
use flightdeck::review::outbox::state::{Delivery, Phase, Policy};
use flightdeck::review::outbox::worker::{self, ReviewEvent};
use flightdeck::review::session::{ActionItem, Category};
use flightdeck::review::tracker::Tracker;
use flightdeck::sources::jira::{JiraClient, JiraTracker};
use flightdeck::store::review::{OutboxRow, ReviewStore};
use jira_fake::{FakeJira, LostAnswer, Mode};
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

const TOKEN_ENV: &str = "FD_BENCH_JIRA_TOKEN";

/// The real Jira Cloud adapter aimed at the fake, with quick client retries.
fn jira_tracker(fake: &FakeJira) -> Arc<dyn Tracker> {
    std::env::set_var(TOKEN_ENV, jira_fake::TOKEN);
    let cfg = JiraConfig {
        url: fake.url.clone(),
        deployment: JiraDeployment::Cloud,
        email: Some(jira_fake::EMAIL.into()),
        token_env: Some(TOKEN_ENV.into()),
        project: Some("OPS".into()),
        ..JiraConfig::default()
    };
    let http = HttpClient::new(HttpSettings {
        total_timeout: std::time::Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: std::time::Duration::from_millis(1),
            max_delay: std::time::Duration::from_millis(20),
            max_retry_after: std::time::Duration::from_secs(2),
        },
        ..HttpSettings::default()
    })
    .expect("client");
    Arc::new(JiraTracker::with_client(JiraClient::with_http(http, &cfg)))
}

#[divan::bench(sample_count = 1, sample_size = 1)]
fn drain_1000_items_over_http_under_429_bursts(bencher: divan::Bencher) {
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
            let fake = FakeJira::start(Mode::Cloud);
            fake.with(|s| {
                s.burst = Some((3, 3));
                s.retry_after = Some(0);
                s.lose_every = Some((50, LostAnswer::BadGateway));
                s.search_lag = 2;
            });
            (store, fake, path)
        })
        .bench_local_values(|(store, fake, path)| {
            rt.block_on(drain(store, jira_tracker(&fake), n));
            check_http(&path, &fake, n);
        });
}

/// Exactly one fake Jira issue per item, its key stored; the requests, printed once.
fn check_http(path: &std::path::Path, fake: &FakeJira, n: usize) {
    let rows = ReviewStore::open(path)
        .expect("open")
        .outbox()
        .expect("outbox");
    assert_eq!(rows.len(), n);
    for r in &rows {
        let label = format!("flightdeck-{}", r.item.uuid);
        let issues = fake.labelled(&label);
        assert_eq!(issues.len(), 1, "{label}");
        assert_eq!(
            r.delivery.phase,
            Phase::Sent {
                key: issues[0]["key"].as_str().expect("key").to_string()
            }
        );
    }
    assert_eq!(fake.with(|s| s.issues.len()), n, "no duplicate");
    static PRINTED: std::sync::Once = std::sync::Once::new();
    PRINTED.call_once(|| {
        let (total, creates, limited, searches) = fake.with(|s| {
            let searches = s
                .log
                .iter()
                .filter(|l| l.target.contains("search/jql"))
                .count();
            let creates = s
                .log
                .iter()
                .filter(|l| l.method == "POST" && l.target.ends_with("/issue"))
                .count();
            (s.log.len(), creates, s.answered_429, searches)
        });
        eprintln!(
            "HTTP drain of {n} items: {total} requests ({creates} creates, {limited} answered 429, {searches} label searches), no duplicate, none lost"
        );
    });
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn drain_1000_items_under_429_bursts_in_memory(bencher: divan::Bencher) {
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

async fn drain(store: ReviewStore, tracker: Arc<dyn Tracker>, n: usize) {
    let policy = Policy {
        backoff_base: chrono::Duration::milliseconds(1),
        backoff_max: chrono::Duration::milliseconds(20),
        search_window: chrono::Duration::milliseconds(20),
        search_every: chrono::Duration::milliseconds(3),
    };
    let (_tx, rx) = mpsc::unbounded_channel();
    let (etx, mut erx) = mpsc::channel(100_000);
    let task = worker::spawn(
        store,
        Some(tracker),
        policy,
        worker::system_clock(),
        rx,
        etx,
    );
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
