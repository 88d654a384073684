//! A process draining the outbox is killed with SIGKILL at random points, again and
//! again, then allowed to finish: every action item ends as exactly one issue, none
//! lost. The tracker is a file (an append with fsync is "the write landed"), so what
//! landed survives the kill exactly as on a remote server, including a create that
//! landed whose answer the killed process never read.
//!
//! The child is this test binary re-run with `FD_KILL_CHILD_CACHE` set. Runs:
//! `FD_KILL_RUNS` (default 30; CI may raise it).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use flightdeck::review::outbox::state::{Delivery, Phase, Policy};
use flightdeck::review::outbox::worker::{self, ReviewEvent};
use flightdeck::review::session::{ActionItem, Category};
use flightdeck::review::tracker::{OutgoingItem, Tracker, TrackerError, TrackerFuture, TrackerKey};
use flightdeck::store::review::{OutboxRow, ReviewStore};
use tokio::sync::mpsc;

const ITEMS: usize = 20;

/// A tracker whose issues are lines `KEY LABEL` of a file.
struct FileTracker {
    path: PathBuf,
}

fn issues(path: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(k, l)| (k.to_string(), l.to_string()))
        .collect()
}

impl Tracker for FileTracker {
    fn id(&self) -> &str {
        "file"
    }
    fn create<'a>(&'a self, item: &'a OutgoingItem) -> TrackerFuture<'a, TrackerKey> {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(1)).await;
            let key = format!("OPS-{}", issues(&self.path).len() + 1);
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
                .map_err(|e| io_error(&e))?;
            // One write: the line is there whole or not at all.
            f.write_all(format!("{key} {}\n", item.label).as_bytes())
                .and_then(|()| f.sync_data())
                .map_err(|e| io_error(&e))?;
            // Landed; a kill from here on loses the answer.
            tokio::time::sleep(Duration::from_millis(1)).await;
            Ok(TrackerKey(key))
        })
    }
    fn find_by_label<'a>(&'a self, label: &'a str) -> TrackerFuture<'a, Vec<TrackerKey>> {
        Box::pin(async move {
            Ok(issues(&self.path)
                .into_iter()
                .filter(|(_, l)| l == label)
                .map(|(k, _)| TrackerKey(k))
                .collect())
        })
    }
    fn comment<'a>(&'a self, _: &'a TrackerKey, _: &'a str) -> TrackerFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }
}

fn io_error(e: &std::io::Error) -> TrackerError {
    TrackerError {
        landed: flightdeck::review::tracker::Landed::Maybe,
        message: e.to_string().into(),
        retry_after: None,
        permanent: false,
    }
}

/// The child: drains the outbox of the cache it is given, exits 0 when every item is
/// final. Does nothing in a normal test run.
#[test]
fn child_drain() {
    let (Ok(cache), Ok(file)) = (
        std::env::var("FD_KILL_CHILD_CACHE"),
        std::env::var("FD_KILL_CHILD_ISSUES"),
    ) else {
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let store = ReviewStore::open(Path::new(&cache)).expect("open");
        let tracker: Arc<dyn Tracker> = Arc::new(FileTracker { path: file.into() });
        let policy = Policy {
            backoff_base: chrono::Duration::milliseconds(1),
            backoff_max: chrono::Duration::milliseconds(10),
            search_window: chrono::Duration::milliseconds(15),
            search_every: chrono::Duration::milliseconds(3),
        };
        let (_tx, rx) = mpsc::unbounded_channel();
        let (etx, mut erx) = mpsc::channel(10_000);
        let _task = worker::spawn(
            store,
            Some(tracker),
            policy,
            worker::system_clock(),
            rx,
            etx,
        );
        let mut states = std::collections::BTreeMap::new();
        while let Some(ev) = erx.recv().await {
            if let ReviewEvent::Delivery { uuid, phase, .. } = ev {
                states.insert(uuid, phase);
            }
            if states.len() == ITEMS && states.values().all(Phase::is_final) {
                std::process::exit(0);
            }
        }
    });
}

fn spawn_child(cache: &Path, file: &Path) -> Child {
    Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "child_drain",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("FD_KILL_CHILD_CACHE", cache)
        .env("FD_KILL_CHILD_ISSUES", file)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("spawn the child")
}

#[test]
fn kill_9_at_random_points_of_a_sync_loses_and_duplicates_nothing() {
    if std::env::var("FD_KILL_CHILD_CACHE").is_ok() {
        return;
    }
    let runs: usize = std::env::var("FD_KILL_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let dir = std::env::temp_dir().join(format!(
        "fd-kill-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).expect("dir");
    let (mut kills_total, mut duplicates, mut lost) = (0, 0, 0);
    // Kills that hit a drain under way (some items landed, not all), and items found
    // in flight (sending or searching) by the next start.
    let (mut mid_drain, mut in_flight) = (0, 0);
    let mut rng: u64 = 0x2545_f491_4f6c_dd1d;
    for run in 0..runs {
        let cache = dir.join(format!("cache-{run}.sqlite3"));
        let file = dir.join(format!("issues-{run}.txt"));
        let mut store = ReviewStore::open(&cache).expect("open");
        let now = Utc::now();
        for n in 0..ITEMS {
            let item = ActionItem {
                uuid: format!("00000000-0000-4000-8000-{run:04}{n:08}"),
                summary: format!("item {n}"),
                owner: None,
                due: None,
                success_criteria: "done".into(),
                category: Category::TestGap,
                link: None,
            };
            let row = OutboxRow {
                review_id: "r".into(),
                review_title: "release".into(),
                item,
                delivery: Delivery::new(now),
            };
            store.enqueue(&row, now).expect("enqueue");
        }
        drop(store);
        // A few kills at random points of the drain, then one run to the end.
        let kills = 1 + run % 3;
        for _ in 0..kills {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let mut child = spawn_child(&cache, &file);
            std::thread::sleep(Duration::from_millis(5 + rng % 60));
            // SIGKILL: no destructor, no flush, mid-whatever.
            let _ = child.kill();
            let _ = child.wait();
            kills_total += 1;
            let landed = issues(&file).len();
            if landed > 0 && landed < ITEMS {
                mid_drain += 1;
            }
            let rows = ReviewStore::open(&cache)
                .expect("open")
                .outbox()
                .expect("outbox");
            in_flight += rows
                .iter()
                .filter(|r| matches!(r.delivery.phase, Phase::Sending | Phase::Searching { .. }))
                .count();
        }
        let mut child = spawn_child(&cache, &file);
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                assert!(
                    status.success(),
                    "run {run}: the final drain failed: {status}"
                );
                break;
            }
            assert!(Instant::now() < deadline, "run {run}: the drain hangs");
            std::thread::sleep(Duration::from_millis(10));
        }
        let landed = issues(&file);
        let rows = ReviewStore::open(&cache)
            .expect("open")
            .outbox()
            .expect("outbox");
        for row in &rows {
            let label = format!("flightdeck-{}", row.item.uuid);
            let with: Vec<&(String, String)> = landed.iter().filter(|(_, l)| *l == label).collect();
            match with.len() {
                0 => lost += 1,
                1 => assert_eq!(
                    row.delivery.phase,
                    Phase::Sent {
                        key: with[0].0.clone()
                    },
                    "run {run}: {label}"
                ),
                _ => duplicates += with.len() - 1,
            }
        }
        lost += ITEMS - rows.len();
    }
    eprintln!(
        "kill test: {runs} runs × {ITEMS} items, {kills_total} SIGKILLs ({mid_drain} mid-drain, \
         {in_flight} items caught in flight), {duplicates} duplicates, {lost} lost"
    );
    assert!(
        mid_drain > 0 && in_flight > 0,
        "the kills must hit drains under way"
    );
    assert_eq!((duplicates, lost), (0, 0));
}
