//! The GitLab source at scale (issue 18, "Speed and scale"):
//!
//! - **parse and map**: 100,000 deployment records from JSON bytes (1,000 pages of
//!   100, as the API sends them) to the model, on one thread; the target is at least
//!   200,000 records/s;
//! - **first sync** of a project with 20,000 deployments over 200 pages against the
//!   in-process fake (tests/gitlab_fake), through the real poller and the real event
//!   loop (`runtime::drive`) drawing into a 120x40 `TestBackend` while it syncs: the
//!   longest gap between two frames while syncing is printed, with the requests;
//! - **second start** on the cache the first sync wrote: the requests it makes
//!   (one per project).
//!
//! Run: `cargo bench --bench gitlab` (a filter such as `-- parse` runs one).

#[path = "../tests/gitlab_fake/mod.rs"]
mod gitlab_fake;
#[path = "../tests/hostile/mod.rs"]
mod hostile;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, Utc};
use divan::counter::ItemsCount;
use flightdeck::app::{App, View};
use flightdeck::config::{Config, GitLabAuth, GitLabConfig, GitLabProject};
use flightdeck::event::{Event, ShutdownReason};
use flightdeck::runtime::{CacheRoute, Routes};
use flightdeck::sources::gitlab::api::ApiDeployment;
use flightdeck::sources::gitlab::map::{self, Origin};
use flightdeck::sources::gitlab::GitLabSource;
use flightdeck::sources::kind::HotfixRules;
use flightdeck::sources::poller::{spawn_poller, PollerOptions};
use flightdeck::sources::progress::ProgressSink;
use flightdeck::store::spawn_cache_writer;
use flightdeck::ui::{self, Theme};
use gitlab_fake::{sha, Dep, FakeGitLab, Project, TOKEN};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tokio::sync::{mpsc, watch};

fn main() {
    divan::main();
}

/// The real sizes under `cargo bench`; small ones when `cargo test --all-targets`
/// runs each bench once (divan's test mode).
fn scale(real: usize, test: usize) -> usize {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let testing = std::env::args().any(|a| a == "--test");
    if benchmarking && !testing {
        real
    } else {
        test
    }
}

/// Deployments in the last 90 days (the commits and stages window): these get a
/// compare and a jobs list each in the first sync.
const RECENT: usize = 100;

/// `n` records an hour apart, as the fake lists them: the newest [`RECENT`] in the last
/// days, the others older than the commits window (a long history of which only the
/// recent part is asked for commits and stages), so one poll syncs everything.
fn records(n: usize) -> Vec<serde_json::Value> {
    let now = Utc::now();
    let old = now - Duration::days(flightdeck::sources::gitlab::COMMITS_DAYS + 1);
    (1..=n)
        .map(|i| {
            let at = if i + RECENT > n {
                now - Duration::hours((n - i + 1) as i64)
            } else {
                old - Duration::hours((n - RECENT - i) as i64)
            };
            Dep {
                id: i as u64,
                environment: "production",
                sha: Some(sha(i)),
                status: if i % 10 == 0 { "failed" } else { "success" },
                created: at,
                updated: at + Duration::minutes(5),
                job: Some((at + Duration::seconds(10), Some(at + Duration::minutes(4)))),
            }
            .json()
        })
        .collect()
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn parse_and_map(bencher: divan::Bencher) {
    let n = scale(100_000, 1_000);
    let pages: Vec<Vec<u8>> = records(n)
        .chunks(100)
        .map(|page| serde_json::to_vec(page).expect("json"))
        .collect();
    let aliases = BTreeMap::new();
    let hotfix = HotfixRules::new(Some("hotfix/*"), None);
    let origin = Origin {
        project: "acme/app",
        service: "checkout",
        environment: "production",
        aliases: &aliases,
        hotfix: &hotfix,
    };
    bencher.counter(ItemsCount::new(n)).bench(|| {
        let mut mapped = 0usize;
        for page in &pages {
            let parsed: Vec<ApiDeployment> = serde_json::from_slice(page).expect("parses");
            for record in &parsed {
                mapped += usize::from(map::deployment(record, &origin).is_ok());
            }
        }
        assert_eq!(mapped, n);
        mapped
    });
}

fn config(fake: &FakeGitLab) -> GitLabConfig {
    std::env::set_var("FD_GITLAB_BENCH_TOKEN", TOKEN);
    GitLabConfig {
        url: fake.url.clone(),
        auth: GitLabAuth::PrivateToken,
        token_env: Some("FD_GITLAB_BENCH_TOKEN".into()),
        timeout_seconds: 30,
        max_requests_per_second: 10_000,
        max_in_flight: 8,
        projects: vec![GitLabProject {
            project: "acme/app".into(),
            service: "checkout".into(),
            environments: vec!["production".into()],
            incidents: false,
        }],
        ..Default::default()
    }
}

fn project(n: usize) -> Project {
    Project {
        id: 5,
        path: "acme/app".into(),
        deployments: records(n),
        commits: (0..=n + 1)
            .map(|i| gitlab_fake::commit(i, Utc::now() - Duration::days(1_000)))
            .collect(),
        compare_limit: None,
        jobs: Default::default(),
        issues: Vec::new(),
        merge_requests: Vec::new(),
    }
}

/// What one run of the cockpit measured.
struct Sync {
    requests: usize,
    frames: usize,
    longest_gap: StdDuration,
    took: StdDuration,
    deployments: usize,
}

/// Runs the cockpit's loop with the GitLab poller until its first answer, drawing
/// every frame into a `TestBackend`; every fetch result also goes to the cache.
fn run_cockpit(fake: &FakeGitLab, cache: &std::path::Path) -> Sync {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    fake.with(|s| s.log.clear());
    let started = Instant::now();
    let (app, frames, gap) = rt.block_on(async {
        let (tx, mut rx) = mpsc::channel(flightdeck::sources::EVENT_CHANNEL_CAPACITY);
        let (_stop, shutdown) = watch::channel(false);
        let source = Arc::new(
            GitLabSource::new(&config(fake), &BTreeMap::new())
                .expect("source")
                .with_cache(Some(cache.to_path_buf()))
                .with_progress(ProgressSink::new("gitlab", tx.clone())),
        );
        let handle = spawn_poller(
            "gitlab",
            PollerOptions::new(StdDuration::from_secs(3_600)),
            tx.clone(),
            shutdown,
            move || {
                let source = Arc::clone(&source);
                async move { source.fetch_at(Utc::now()).await }
            },
        );
        // The clock, as the runtime's: a tick a second keeps frames coming.
        let ticks = tx.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(StdDuration::from_secs(1)).await;
                if ticks.send(Event::Tick(Utc::now())).await.is_err() {
                    return;
                }
            }
        });
        let (saves, rx_saves) = mpsc::channel(1_024);
        let writer = spawn_cache_writer(cache.to_path_buf(), 3_650, rx_saves, None);
        let cache_route = CacheRoute::new(saves, tx.clone());
        let view = View {
            tz: flightdeck::zone::Tz::UTC,
            demo: false,
        };
        let mut app = App::new(
            view,
            flightdeck::config::metrics_settings(&Config::default()),
            Utc::now(),
        );
        app.cache_fetches = true;
        app.register_source("gitlab", Duration::seconds(3_600));
        let stop = tx.clone();
        let mut term = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
        let theme = Theme::new(false, false);
        let frames: Arc<Mutex<Vec<Instant>>> = Arc::default();
        let seen = frames.clone();
        let handles = [handle];
        let routes = Routes {
            handles: &handles,
            cache: Some(&cache_route),
            ..Routes::default()
        };
        let mut stopping = false;
        let result = flightdeck::runtime::drive_routed(
            &mut app,
            &mut rx,
            &routes,
            || false,
            |app| {
                // The first answer (or failure) of the poller ends the run.
                let answered = app.model.sources.iter().any(|s| {
                    s.id == "gitlab"
                        && !s.fetching
                        && (s.last_ok.is_some() || s.last_error.is_some())
                });
                if answered && !stopping {
                    stopping = true;
                    let _ = stop.try_send(Event::Shutdown(ShutdownReason::Signal("done")));
                }
                seen.lock().expect("frames").push(Instant::now());
                term.draw(|f| ui::draw(f, &app.model, &app.derived, &theme))
                    .map(drop)
                    .map_err(|never| match never {})
            },
        )
        .await;
        result.expect("the loop runs");
        for h in &handles {
            h.task.abort();
        }
        drop(cache_route);
        tokio::task::spawn_blocking(move || writer.join())
            .await
            .expect("join")
            .expect("writer")
            .expect("saved");
        let frames = frames.lock().expect("frames").clone();
        let gap = frames
            .windows(2)
            .map(|w| w[1] - w[0])
            .max()
            .unwrap_or_default();
        (app, frames.len(), gap)
    });
    Sync {
        requests: fake.with(|s| s.log.len()),
        frames,
        longest_gap: gap,
        took: started.elapsed(),
        deployments: app.model.data.deployments.len(),
    }
}

#[divan::bench(sample_count = 1, sample_size = 1)]
fn first_sync_then_second_start(bencher: divan::Bencher) {
    let n = scale(20_000, 300);
    let fake = FakeGitLab::start(vec![project(n)]);
    let dir = std::env::temp_dir().join(format!("fd-bench-gitlab-{}", std::process::id()));
    bencher.bench_local(|| {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let cache = dir.join("cache.sqlite3");
        let first = run_cockpit(&fake, &cache);
        let listing = fake.with(|s| s.log.iter().filter(|l| l.contains("/deployments?")).count());
        println!(
            "first sync: {} deployments in {:.2?}, {} requests ({} listing pages), {} frames, longest gap between frames {:.0?}",
            first.deployments, first.took, first.requests, listing, first.frames, first.longest_gap
        );
        let second = run_cockpit(&fake, &cache);
        // (Its app is not fed the cache here: the deployments it shows at once come
        // from the cache load, which `benches/startup.rs` measures.)
        println!(
            "second start: {} request(s) for 1 project, in {:.2?}",
            second.requests, second.took
        );
        assert_eq!(second.requests, 1);
        let _ = std::fs::remove_dir_all(&dir);
    });
}
