//! What the issue asks to report, through the cockpit's real path, reproducibly:
//!
//! - **start-up to the first frame that shows the cache**, from a cache of 90 days ×
//!   20 services (≈ 7,000 deployments with commits and stages, incidents, 1.5 M
//!   5-minute series buckets, ratios, deploy markers): `Cache::open` + load, replayed
//!   as `Cached` events through a channel (`store::send_cached`, as the runtime does),
//!   each applied by `App::update`, then derive and a frame drawn at 120x40 into a
//!   `TestBackend` — the frame is checked to show cached deployments;
//! - **poll-to-frame**: one `Fetched` event of 20 services (ratios, three 6-hour
//!   charts each, markers) on top of that state → the copy handed to the cache
//!   writer, applied, derived, frame drawn. (The network part, poll to event against
//!   a real Prometheus, is printed by `tests/prometheus_live.rs`.)
//!
//! - **the embedded demo's data**: its 90-day world generated, then its data at an
//!   instant and one live update (what `flightdeck` with no config computes first).
//!
//! Run: `cargo bench --bench startup` (or `scripts/measure`). The cache is filled once
//! in a temporary directory (not timed) and removed at the end.

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{Duration, TimeZone, Utc};
use flightdeck::app::{App, View};
use flightdeck::event::{Event, SourceEvent, SourceEventKind};
use flightdeck::model::Ts;
use flightdeck::sources::EVENT_CHANNEL_CAPACITY;
use flightdeck::store::{fixture, send_cached, Cache};
use flightdeck::ui::{self, Theme};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const DAYS: u32 = 90;
const SERVICES: usize = 20;
const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

fn now() -> Ts {
    Utc.with_ymd_and_hms(2026, 11, 20, 14, 30, 0)
        .single()
        .unwrap_or_default()
}

/// Days and services of the cache: the real size under `cargo bench` (which passes
/// `--bench`), a small one when `cargo test --all-targets` runs each bench once to
/// check that it works (divan's test mode).
fn size() -> (u32, usize) {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let testing = std::env::args().any(|a| a == "--test");
    if benchmarking && !testing {
        (DAYS, SERVICES)
    } else {
        (3, 2)
    }
}

fn dir() -> PathBuf {
    std::env::temp_dir().join(format!("flightdeck-bench-startup-{}", std::process::id()))
}

/// The filled cache, made once per run.
fn cache_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let path = dir().join("cache.sqlite3");
        let _ = std::fs::remove_dir_all(dir());
        let mut cache = Cache::open(&path).expect("cache opens");
        let (days, services) = size();
        let names = fixture::services(services);
        let deployments = fixture::fill(&mut cache, now(), days, &names).expect("cache fills");
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        eprintln!(
            "cache: {days} days × {services} services, {deployments} deployments, {} MiB",
            bytes / (1024 * 1024)
        );
        path
    })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn new_app() -> App {
    let view = View {
        tz: flightdeck::zone::Tz::UTC,
        demo: false,
    };
    let mut app = App::new(view, flightdeck::metrics::Settings::default(), now());
    for id in ["gitlab", "jira", "prometheus"] {
        app.register_source(id, Duration::seconds(30));
    }
    app
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal")
}

fn draw(term: &mut Terminal<TestBackend>, app: &App, theme: &Theme) {
    term.draw(|frame| ui::draw(frame, &app.model, &app.derived, theme))
        .expect("draws");
}

/// Start to the first frame with the cached data on it.
fn start_from_cache(rt: &tokio::runtime::Runtime, theme: &Theme) -> (App, Terminal<TestBackend>) {
    let mut app = new_app();
    let mut term = terminal();
    let events = rt.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::channel(EVENT_CHANNEL_CAPACITY);
        let load = tokio::spawn(send_cached(cache_path().clone(), tx));
        let mut events = Vec::new();
        while let Some(ev) = rx.recv().await {
            events.push(ev);
        }
        load.await.expect("task").expect("cache loads");
        events
    });
    for ev in events {
        app.update(ev);
    }
    app.refresh_derived();
    draw(&mut term, &app, theme);
    (app, term)
}

fn main() {
    // Fill before timing, and check once that the frame really shows the cache.
    let rt = runtime();
    let theme = Theme::new(true, false);
    let (app, term) = start_from_cache(&rt, &theme);
    let (days, services) = size();
    assert!(
        app.model.data.deployments.len() >= days as usize * services,
        "the cache was replayed"
    );
    let screen: String = term
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    let lines: Vec<String> = screen
        .chars()
        .collect::<Vec<_>>()
        .chunks(usize::from(WIDTH))
        .map(|l| l.iter().collect())
        .collect();
    // Cached deployments in the table, marked stale (not live) in the header.
    assert!(
        screen.contains("✓ success") && screen.contains("gitlab stale since"),
        "the first frame shows the cached state:\n{}",
        lines.join("\n")
    );
    drop((app, term, rt));
    divan::main();
    let _ = std::fs::remove_dir_all(dir());
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn first_frame_from_cache_90d_x20(bencher: divan::Bencher) {
    let rt = runtime();
    let theme = Theme::new(true, false);
    cache_path();
    bencher.bench_local(|| start_from_cache(&rt, &theme));
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn poll_to_frame_20_services(bencher: divan::Bencher) {
    let rt = runtime();
    let theme = Theme::new(true, false);
    let (mut app, mut term) = start_from_cache(&rt, &theme);
    let at = now() + Duration::seconds(15);
    let data = fixture::live_fetch(at, &fixture::services(size().1));
    bencher
        .with_inputs(|| {
            Event::Source(SourceEvent {
                source: "prometheus".into(),
                kind: SourceEventKind::Fetched {
                    at,
                    data: data.clone(),
                    warnings: Vec::new(),
                },
            })
        })
        .bench_local_values(|event| {
            // With the cache on, the app copies each fetch into a `Command::Cache`.
            app.cache_fetches = true;
            let commands = app.update(event);
            app.refresh_derived();
            draw(&mut term, &app, &theme);
            commands
        });
}

/// The disk part alone (open, migrate check, read, decode), for where the time goes.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn cache_open_and_load_only(bencher: divan::Bencher) {
    let path = cache_path();
    bencher.bench_local(|| {
        Cache::open(path)
            .and_then(|c| c.load())
            .expect("cache loads")
    });
}

/// The embedded demo's first data: its 90-day world generated (what `flightdeck` with
/// no config does before its first frame) …
#[divan::bench(sample_count = 10, sample_size = 1)]
fn demo_world_built() -> flightdeck::sources::demo::DemoWorld {
    flightdeck::sources::demo::DemoWorld::new(flightdeck::sources::demo::DEFAULT_SEED, now())
}

/// … and its data at an instant laid out as the source's events (deployments,
/// incidents, series, ratios), and one live tick's update of the rollout.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn demo_data_at_and_one_update(bencher: divan::Bencher) {
    let world =
        flightdeck::sources::demo::DemoWorld::new(flightdeck::sources::demo::DEFAULT_SEED, now());
    bencher.bench_local(|| {
        let data = world.data_at(now());
        let update = world.update_at(now() + Duration::seconds(100), None, false);
        (data, update)
    });
}
