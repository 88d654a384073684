//! The cache writer skips a fetch that brought exactly what is stored, and what the
//! sources delivered still survives a `kill -9` within one refresh interval: a child
//! process (this test binary, re-run as the child) hands fetches to the writer and is
//! killed; the parent reopens the cache and finds the last one.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration as StdDuration;

use chrono::DateTime;
use flightdeck::event::SourceData;
use flightdeck::model::{Ts, WindowRatios};
use flightdeck::store::{spawn_cache_writer, Cache};
use tokio::sync::mpsc;

/// The child's cache path, set only when the parent runs this binary as the child.
const CHILD_ENV: &str = "FLIGHTDECK_DURABILITY_CHILD_CACHE";
/// The shortest refresh interval the cockpit allows.
const REFRESH: StdDuration = StdDuration::from_secs(1);

fn temp_db(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fd-durable-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join("cache.db")
}

fn t(s: i64) -> Ts {
    DateTime::from_timestamp(1_800_000_000 + s, 0).expect("time")
}

fn fetch(m5: f64) -> Vec<SourceData> {
    vec![
        SourceData::Services(vec!["api".into()]),
        SourceData::Ratios {
            service: "api".into(),
            ratios: WindowRatios {
                m5: Some(m5),
                ..WindowRatios::default()
            },
        },
    ]
}

/// The `at` and 5 m ratio the cache holds for source `prom`.
fn stored(path: &Path) -> Option<(Ts, Option<f64>)> {
    let cache = Cache::open(path).expect("reopen");
    let (_, at, data) = cache
        .load()
        .expect("load")
        .into_iter()
        .find(|(s, _, _)| s == "prom")?;
    let m5 = data.iter().find_map(|d| match d {
        SourceData::Ratios { ratios, .. } => Some(ratios.m5),
        _ => None,
    })?;
    Some((at, m5))
}

#[test]
fn an_unchanged_fetch_is_not_written_and_a_changed_one_is() {
    let path = temp_db("skip");
    let (tx, rx) = mpsc::channel(16);
    let writer = spawn_cache_writer(path.clone(), 30, rx, None);
    for s in 0..5 {
        tx.blocking_send(("prom".into(), t(s), fetch(0.25)))
            .expect("send");
    }
    tx.blocking_send(("prom".into(), t(9), fetch(0.5)))
        .expect("send");
    tx.blocking_send(("prom".into(), t(10), fetch(0.5)))
        .expect("send");
    drop(tx);
    writer.join().expect("writer").expect("saves");
    // The watermark is the `at` of the last fetch written: the repeats were not.
    assert_eq!(stored(&path), Some((t(9), Some(0.5))));
}

/// Run as the child: hands three fetches to the writer (the second a repeat), says
/// so, and waits to be killed.
#[test]
fn durability_child() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let (tx, rx) = mpsc::channel(16);
    let _writer = spawn_cache_writer(PathBuf::from(path), 30, rx, None);
    tx.blocking_send(("prom".into(), t(0), fetch(0.25)))
        .expect("send");
    tx.blocking_send(("prom".into(), t(1), fetch(0.25)))
        .expect("send");
    tx.blocking_send(("prom".into(), t(2), fetch(0.75)))
        .expect("send");
    println!("delivered");
    loop {
        std::thread::sleep(StdDuration::from_secs(60));
    }
}

#[test]
fn what_was_delivered_survives_a_kill_9_within_one_refresh() {
    let path = temp_db("kill");
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "durability_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("stdout");
    let delivered = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|l| l.contains("delivered"));
    assert!(delivered, "the child never delivered its fetches");
    std::thread::sleep(REFRESH);
    child.kill().expect("kill -9"); // SIGKILL on Unix: no destructor, no flush.
    child.wait().expect("reap");
    assert_eq!(
        stored(&path),
        Some((t(2), Some(0.75))),
        "the last fetch delivered before the kill is in the cache"
    );
    let _ = std::fs::remove_dir_all(path.parent().expect("dir"));
}
