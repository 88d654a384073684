//! The flightdeck binary itself (`flightdeck review sync`) drains an outbox into a fake
//! Jira Cloud over HTTP and is killed with SIGKILL at random points, again and again,
//! then allowed to finish: every action item ends as exactly one Jira issue, none
//! lost. The fake lives in this process, so what it stored survives the kills as a
//! remote server's data would, including creates that landed whose answers the killed
//! process never read. Its search lags (eventual consistency), and now and then a
//! create lands but its connection is reset before the answer, or its answer is so late
//! that the kill meets the request in flight.
//!
//! Each item also gets a remote link to its deployment, queued only once the item is
//! sent: the sync must not end before it went out, and a kill must not double it.
//!
//! Runs: `FD_KILL_RUNS` (default 30; CI sets 100).

#[path = "jira_fake/mod.rs"]
mod jira_fake;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use flightdeck::review::outbox::state::{Delivery, Phase};
use flightdeck::review::session::{ActionItem, Category};
use flightdeck::store::review::{OutboxRow, ReviewStore};
use jira_fake::{FakeJira, LostAnswer, Mode, EMAIL, TOKEN};

const ITEMS: usize = 5;
const TOKEN_ENV: &str = "FD_SYNC_KILL_JIRA_TOKEN";

fn config(dir: &Path, cache: &Path, fake: &FakeJira) -> PathBuf {
    let path = dir.join(format!(
        "{}.toml",
        cache.file_stem().and_then(|s| s.to_str()).unwrap_or("c")
    ));
    let text = format!(
        r#"[cache]
path = "{cache}"

[jira]
url = "{url}"
deployment = "cloud"
email = "{EMAIL}"
token_env = "{TOKEN_ENV}"
project = "OPS"
timeout_seconds = 2

[review]
search_window_seconds = 0.3
search_every_seconds = 0.05
remote_link = true
"#,
        cache = cache.display(),
        url = fake.url,
    );
    std::fs::write(&path, text).expect("write the config");
    path
}

fn sync(config: &Path, timeout: u64) -> Child {
    Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["--config"])
        .arg(config)
        .args(["review", "sync", "--timeout", &timeout.to_string()])
        .env(TOKEN_ENV, TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn flightdeck review sync")
}

fn enqueue(cache: &Path, run: usize) {
    let mut store = ReviewStore::open(cache).expect("open the cache");
    let now = Utc::now();
    for n in 0..ITEMS {
        let item = ActionItem {
            uuid: format!("00000000-0000-4000-8000-{run:04}{n:08}"),
            summary: format!("Add a canary gate, run {run} item {n}"),
            owner: None,
            due: None,
            success_criteria: "a canary stage guards 100%".into(),
            category: Category::DeploymentProcess,
            link: Some(format!(
                "https://gitlab.example.com/shop/checkout/-/deployments/{run}"
            )),
        };
        let row = OutboxRow {
            review_id: format!("review-{run}"),
            review_title: "checkout 1.4.2".into(),
            item,
            delivery: Delivery::new(now),
        };
        store.enqueue(&row, now).expect("enqueue");
    }
}

fn outbox(cache: &Path) -> Vec<OutboxRow> {
    ReviewStore::open(cache)
        .expect("open the cache")
        .outbox()
        .expect("read the outbox")
}

#[test]
fn the_binary_killed_at_random_points_of_a_sync_files_each_item_exactly_once() {
    let runs: usize = std::env::var("FD_KILL_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let fake = FakeJira::start(Mode::Cloud);
    fake.with(|s| s.search_lag = 2);
    let dir = std::env::temp_dir().join(format!(
        "fd-sync-kill-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).expect("dir");
    let (mut kills, mut mid_drain, mut in_flight) = (0, 0, 0);
    let (mut duplicates, mut lost) = (0, 0);
    let mut rng: u64 = 0x9e37_79b9_7f4a_7c15;
    for run in 0..runs {
        let cache = dir.join(format!("cache-{run}.sqlite3"));
        let config = config(&dir, &cache, &fake);
        enqueue(&cache, run);
        if run % 7 == 3 {
            // A create that lands but whose connection is reset before the answer.
            fake.with(|s| s.lose_answers.push(LostAnswer::Reset));
        }
        if run % 2 == 1 {
            // A create that lands and is answered too late: the kill meets it in flight.
            fake.with(|s| s.lose_answers.push(LostAnswer::Timeout));
        }
        let labels: Vec<String> = outbox(&cache)
            .iter()
            .map(|r| format!("flightdeck-{}", r.item.uuid))
            .collect();
        for _ in 0..1 + run % 3 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let mut child = sync(&config, 60);
            std::thread::sleep(Duration::from_millis(5 + rng % 150));
            // SIGKILL: no destructor, no flush, mid-whatever.
            let _ = child.kill();
            let _ = child.wait();
            kills += 1;
            let landed = labels
                .iter()
                .filter(|l| !fake.labelled(l).is_empty())
                .count();
            if landed > 0 && landed < ITEMS {
                mid_drain += 1;
            }
            in_flight += outbox(&cache)
                .iter()
                .filter(|r| matches!(r.delivery.phase, Phase::Sending | Phase::Searching { .. }))
                .count();
        }
        let child = sync(&config, 60);
        let started = Instant::now();
        let out = child.wait_with_output().expect("wait for the sync");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "run {run}: the final sync failed ({:?} after {:?}):\n{stdout}\n{}",
            out.status,
            started.elapsed(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.ends_with("sent, 0 failed, 0 still queued\n")
                && !stdout.contains("links: 0 done"),
            "run {run}: {stdout}"
        );
        let rows = outbox(&cache);
        lost += ITEMS - rows.len();
        for row in &rows {
            let label = format!("flightdeck-{}", row.item.uuid);
            let issues = fake.labelled(&label);
            match issues.len() {
                0 => lost += 1,
                1 => {
                    let key = issues[0]["key"].as_str().unwrap_or_default().to_string();
                    // Its link to the deployment went out by the same rules, once.
                    assert_eq!(fake.links_on(&key).len(), 1, "run {run}: {key}'s links");
                    assert_eq!(
                        row.delivery.phase,
                        Phase::Sent { key },
                        "run {run}: {label}"
                    );
                }
                n => duplicates += n - 1,
            }
        }
    }
    eprintln!(
        "sync kill test: {runs} runs × {ITEMS} items through the binary and HTTP, {kills} \
         SIGKILLs ({mid_drain} mid-drain, {in_flight} items caught in flight), \
         {duplicates} duplicates, {lost} lost"
    );
    assert!(
        mid_drain > 0 && in_flight > 0,
        "the kills must hit syncs under way ({mid_drain} mid-drain, {in_flight} in flight)"
    );
    assert_eq!((duplicates, lost), (0, 0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_sync_while_another_flightdeck_sends_leaves_the_items_to_it() {
    let fake = FakeJira::start(Mode::Cloud);
    let dir = std::env::temp_dir().join(format!("fd-sync-busy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let cache = dir.join("cache.sqlite3");
    let _ = std::fs::remove_file(&cache);
    let config = config(&dir, &cache, &fake);
    enqueue(&cache, 0);

    // Another process's sender lock, as a running cockpit holds it.
    let held = flightdeck::store::sender_lock::try_acquire(&cache).expect("the lock is free");
    let out = sync(&config, 10).wait_with_output().expect("sync");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "(pid {}) is sending this outbox",
            std::process::id()
        )),
        "{stdout}"
    );
    assert!(fake.requests("POST", "/issue").is_empty(), "nothing sent");

    drop(held);
    let out = sync(&config, 30).wait_with_output().expect("sync");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.ends_with(&format!("{ITEMS} sent, 0 failed, 0 still queued\n")),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
