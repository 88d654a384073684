//! Many instances started at once on a cache that does not exist yet: every one of
//! them starts, the schema is built once and is the schema, and every save lands.
//!
//! A real process race: the test binary runs itself again, once per instance, with
//! only [`one_instance_of_the_race`] selected; each child does what the cockpit does
//! at start (replay the cache and start the writer, at the same time) and saves one
//! fetch. The children wait for a start signal so that they all open together.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration as StdDuration;

use flightdeck::event::{Event, SourceData, SourceEvent, SourceEventKind};
use flightdeck::store::{send_cached, spawn_cache_writer, Cache, CacheState};

/// How many instances start at once (the 3-in-8 failure needed only two).
const INSTANCES: usize = 16;
/// Fresh caches raced in turn, so one lucky schedule cannot pass the test.
const ROUNDS: usize = 3;

const PATH_VAR: &str = "FLIGHTDECK_TEST_RACE_CACHE";
const ID_VAR: &str = "FLIGHTDECK_TEST_RACE_ID";
const GO_VAR: &str = "FLIGHTDECK_TEST_RACE_GO";

fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fd-race-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Every table, index and column definition, as SQLite itself records them.
fn schema_of(path: &Path) -> Vec<(String, String, Option<String>)> {
    let conn = rusqlite::Connection::open(path).expect("raw open");
    let mut stmt = conn
        .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        .expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[test]
fn many_instances_started_at_once_share_a_fresh_cache() {
    let reference = fresh_dir("reference").join("cache.sqlite3");
    drop(Cache::open(&reference).expect("a lone open works"));
    let expected_schema = schema_of(&reference);
    let me = std::env::current_exe().expect("the test binary");
    for round in 0..ROUNDS {
        let dir = fresh_dir(&format!("round{round}"));
        let path = dir.join("data").join("cache.sqlite3");
        let go = dir.join("go");
        let children: Vec<_> = (0..INSTANCES)
            .map(|i| {
                Command::new(&me)
                    .args([
                        "--exact",
                        "race::one_instance_of_the_race",
                        "--ignored",
                        "--nocapture",
                        "--test-threads=1",
                    ])
                    .env(PATH_VAR, &path)
                    .env(ID_VAR, format!("instance-{i}"))
                    .env(GO_VAR, &go)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn an instance")
            })
            .collect();
        std::fs::write(&go, b"").expect("start signal");
        let failures: Vec<String> = children
            .into_iter()
            .enumerate()
            .filter_map(|(i, child)| {
                let out = child.wait_with_output().expect("instance ends");
                let text = String::from_utf8_lossy(&out.stdout).into_owned()
                    + &String::from_utf8_lossy(&out.stderr);
                // The harness says "1 passed" only when the child test really ran.
                (!out.status.success() || !text.contains("1 passed"))
                    .then(|| format!("instance {i}: {text}"))
            })
            .collect();
        assert!(
            failures.is_empty(),
            "round {round}: {} of {INSTANCES} instances failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
        assert_eq!(schema_of(&path), expected_schema, "round {round}");
        let Ok(CacheState::Readable {
            version,
            current,
            sources,
        }) = Cache::inspect(&path)
        else {
            panic!("round {round}: the cache is not readable")
        };
        assert_eq!(version, current, "round {round}: fully migrated");
        let mut saved: Vec<String> = sources.into_iter().map(|(s, _)| s).collect();
        saved.sort();
        let mut expected: Vec<String> = (0..INSTANCES).map(|i| format!("instance-{i}")).collect();
        expected.sort();
        assert_eq!(
            saved, expected,
            "round {round}: every instance's save landed"
        );
    }
}

/// One instance of the race above; run only by it (it is ignored otherwise).
#[test]
#[ignore = "a child process of many_instances_started_at_once_share_a_fresh_cache"]
fn one_instance_of_the_race() {
    let (Some(path), Some(id), Some(go)) = (
        std::env::var_os(PATH_VAR).map(PathBuf::from),
        std::env::var(ID_VAR).ok(),
        std::env::var_os(GO_VAR).map(PathBuf::from),
    ) else {
        panic!("run by many_instances_started_at_once_share_a_fresh_cache only");
    };
    while !go.exists() {
        std::thread::sleep(StdDuration::from_millis(1));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (events, mut rx) = tokio::sync::mpsc::channel(64);
    // As the cockpit starts: the replay and the writer open the cache at once.
    let (saves, writer) = rt.block_on(async {
        let load = tokio::spawn(send_cached(path.clone(), events.clone()));
        let (saves, queue) = tokio::sync::mpsc::channel(8);
        let writer = spawn_cache_writer(path.clone(), 90, queue, Some(events));
        let fetch = vec![SourceData::Services(vec![id.clone()])];
        saves
            .send((id.clone(), chrono::Utc::now(), fetch))
            .await
            .expect("writer alive");
        let _ = load.await.expect("load task");
        (saves, writer)
    });
    drop(saves);
    let written = writer.join().expect("writer thread");
    let mut problems = Vec::new();
    while let Ok(Event::Source(SourceEvent { source, kind })) = rx.try_recv() {
        if let SourceEventKind::Failed { error, .. } = kind {
            problems.push(format!("{source}: {error}"));
        }
    }
    assert!(
        problems.is_empty() && written.is_ok(),
        "{id}: {problems:?} {written:?}"
    );
}
