//! Metrics engine benchmarks (divan): DORA over 1,000,000 synthetic deployments with 5
//! changes each and 10,000 incidents (the histories and figures alone, and the whole
//! of `derive` — linking, per-deployment facts and risk flags, SPC charts over the
//! history); SPC with every run rule over 100,000 points; `derive` at demo size.
//! Target: each under 200 ms on one core. Run: `cargo bench --bench metrics`.
//!
//! `dora_1m_deployments` lays the histories out in fresh memory, as a one-off report
//! does; `dora_1m_rederived` in the memory of the previous build, as the cockpit does
//! on every poll.
//!
//! The DORA benches read the model's `DeploymentLog`, whose columns are kept up to date
//! as data arrives; what that costs is measured too: laying out the columns of 1M
//! deployments at once (a cache load), and a poll's upsert into a log of 1M.

use std::collections::BTreeMap;

use chrono::{Duration, TimeZone, Utc};
use divan::Bencher;
use flightdeck::metrics::dora::{dora, Histories, Scratch};
use flightdeck::metrics::local::window_ending;
use flightdeck::metrics::settings::RuleSet;
use flightdeck::metrics::spc::{xmr_chart, ChartParams};
use flightdeck::metrics::{derive, Dora, Inputs, Settings};
use flightdeck::model::{
    Change, DeployKind, DeployStatus, Deployment, DeploymentLog, Incident, Series, SeriesKind,
    Trigger, Ts, WindowRatios,
};

fn main() {
    divan::main();
}

const DEPLOYMENTS: usize = 1_000_000;
const INCIDENTS: usize = 10_000;
const SERVICES: usize = 10;

fn start() -> Ts {
    Utc.with_ymd_and_hms(2026, 9, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// A cheap deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// 1,000,000 deployments over 60 days (this window and the previous one), 10 services,
/// 5 changes each, a mix of statuses and kinds; 10,000 incidents, some linked explicitly.
fn data() -> (Vec<Deployment>, Vec<Incident>, Ts) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let span_ms = 60 * 86_400_000i64;
    let services: Vec<String> = (0..SERVICES).map(|i| format!("svc{i}")).collect();
    let deployments: Vec<Deployment> = (0..DEPLOYMENTS)
        .map(|i| {
            let r = rng.next();
            let started = start() + Duration::milliseconds(span_ms * i as i64 / DEPLOYMENTS as i64);
            let status = match r % 100 {
                0..=84 => DeployStatus::Success,
                85..=91 => DeployStatus::Failed,
                92..=95 => DeployStatus::RolledBack,
                _ => DeployStatus::Canceled,
            };
            let kind = match (r >> 8) % 50 {
                0 => DeployKind::Rollback,
                1 => DeployKind::Hotfix,
                _ => DeployKind::Normal,
            };
            let commits = (0..5)
                .map(|j| {
                    let at = started - Duration::minutes(((r >> (16 + j * 8)) % 5_000) as i64);
                    Change {
                        sha: format!("{i:x}{j}"),
                        title: String::new(),
                        author: String::new(),
                        authored_at: at,
                        committed_at: at,
                        merged_at: None,
                    }
                })
                .collect();
            Deployment {
                id: format!("d{i}"),
                source: String::new(),
                service: services[i % SERVICES].clone(),
                environment: "production".into(),
                version: String::new(),
                sha: String::new(),
                status,
                started_at: started,
                finished_at: Some(started + Duration::seconds(60 + (r >> 40) as i64 % 900)),
                deployer: String::new(),
                url: None,
                commits,
                stages: Vec::new(),
                canary: None,
                trigger: Trigger::Auto,
                kind,
            }
        })
        .collect();
    let incidents: Vec<Incident> = (0..INCIDENTS)
        .map(|i| {
            let r = rng.next();
            let created = start() + Duration::milliseconds(span_ms * i as i64 / INCIDENTS as i64);
            Incident {
                key: format!("INC-{i}"),
                service: services[(r % SERVICES as u64) as usize].clone(),
                title: String::new(),
                severity: "sev2".into(),
                created_at: created,
                resolved_at: Some(created + Duration::minutes((r >> 16) as i64 % 600)),
                linked_deployment: (r % 10 == 0)
                    .then(|| format!("d{}", (r >> 20) % DEPLOYMENTS as u64)),
            }
        })
        .collect();
    (deployments, incidents, start() + Duration::days(60))
}

/// The 1M-deployment data as the model holds it, handed to `f` with its `now`.
fn with_inputs_1m(f: impl FnOnce(&Inputs<'_>, Ts)) {
    let (deployments, incidents, now) = data();
    let log = DeploymentLog::from(deployments);
    let ratios: BTreeMap<String, WindowRatios> = BTreeMap::new();
    let series: BTreeMap<(String, SeriesKind), Series> = BTreeMap::new();
    let inputs = Inputs {
        deployments: &log,
        incidents: &incidents,
        ratios: &ratios,
        series: &series,
        annotations: &[],
    };
    f(&inputs, now);
}

/// Every service's DORA figures over the window ending at `now` and the one before.
fn both_windows(histories: &Histories<'_>, settings: &Settings, now: Ts) -> Vec<(Dora, Dora)> {
    let tz = settings.calendar.tz;
    let window = window_ending(tz, now, settings.window);
    let previous = window_ending(tz, window.start, settings.window);
    histories
        .services
        .values()
        .map(|h| (dora(h, window, tz), dora(h, previous, tz)))
        .collect()
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn dora_1m_deployments(bencher: Bencher) {
    let settings = Settings::default();
    with_inputs_1m(|inputs, now| {
        bencher.bench_local(|| {
            let histories = Histories::build(inputs, &settings, now);
            divan::black_box(both_windows(&histories, &settings, now))
        });
    });
}

/// The same, as the cockpit does it on every poll: each build laid out in the memory
/// of the previous one ([`Scratch`]), so without faulting in fresh pages.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn dora_1m_rederived(bencher: Bencher) {
    let settings = Settings::default();
    with_inputs_1m(|inputs, now| {
        let mut scratch = Scratch::default();
        scratch.recycle(Histories::build(inputs, &settings, now));
        bencher.bench_local(|| {
            let histories = Histories::build_in(inputs, &settings, now, &mut scratch);
            let figures = both_windows(&histories, &settings, now);
            scratch.recycle(histories);
            divan::black_box(figures)
        });
    });
}

/// Laying out the log and its columns from 1M deployments at once (what loading a
/// cache of that size costs, once; the clone of the input is outside the timing).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn log_1m_deployments_built(bencher: Bencher) {
    let (deployments, _, _) = data();
    bencher
        .with_inputs(|| deployments.clone())
        .bench_local_values(|d| divan::black_box(DeploymentLog::from(d)));
}

/// A poll's worth of change in a log of 1M: 19 deployments replaced in place (running
/// ones finishing) and one new one appended — what keeping the columns up to date
/// costs per poll (on one log, poll after poll: growth is amortized as in the app).
#[divan::bench(sample_count = 20, sample_size = 20)]
fn log_1m_poll_upserted(bencher: Bencher) {
    let (deployments, _, now) = data();
    let mut batch: Vec<Deployment> = deployments[deployments.len() - 19..].to_vec();
    for d in &mut batch {
        d.status = DeployStatus::Success;
    }
    let new = batch[0].clone();
    let mut log = DeploymentLog::from(deployments);
    let mut polls = 0i64;
    bencher.bench_local(|| {
        polls += 1;
        let mut b = batch.clone();
        let mut d = new.clone();
        d.id = format!("new{polls}");
        d.started_at = now + Duration::seconds(polls);
        b.push(d);
        log.upsert(b);
        divan::black_box(log.len())
    });
}

/// Everything `derive` does for the 10 services of the 1M deployments: histories and
/// linking, both windows' figures, each deployment's facts (failure, risk flags,
/// incidents) and every SPC chart over the whole history.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn derive_1m_deployments(bencher: Bencher) {
    let settings = Settings::default();
    let services: Vec<String> = (0..SERVICES).map(|i| format!("svc{i}")).collect();
    with_inputs_1m(|inputs, now| {
        bencher.bench_local(|| divan::black_box(derive(inputs, &services, &settings, now)));
    });
}

/// The figures alone, over histories laid out once: the cost of reading two windows.
#[divan::bench(sample_count = 10)]
fn dora_1m_figures_only(bencher: Bencher) {
    let settings = Settings::default();
    with_inputs_1m(|inputs, now| {
        let histories = Histories::build(inputs, &settings, now);
        bencher.bench_local(|| divan::black_box(both_windows(&histories, &settings, now)));
    });
}

/// What the cockpit runs on every data change: `derive` for 4 services over 90 days of
/// demo-sized data (10 deployments a day each, 3 changes each, 1-minute error-ratio and
/// request-rate series), with budget consumption, risk flags and every SPC chart.
#[divan::bench(sample_count = 20)]
fn derive_4_services_90_days(bencher: Bencher) {
    let services: Vec<String> = ["checkout", "payments", "search", "gateway"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let now = start() + Duration::days(90);
    let mut rng = Rng(7);
    let mut deployments = Vec::new();
    for i in 0..(90 * 10 * services.len()) {
        let r = rng.next();
        let started = start() + Duration::minutes(i as i64 * 90 * 1440 / (90 * 10 * 4) as i64);
        deployments.push(Deployment {
            id: format!("d{i}"),
            source: "demo".into(),
            service: services[i % services.len()].clone(),
            environment: "production".into(),
            version: format!("1.{i}"),
            sha: String::new(),
            status: if r % 10 == 0 {
                DeployStatus::Failed
            } else {
                DeployStatus::Success
            },
            started_at: started,
            finished_at: Some(started + Duration::minutes(5 + (r >> 8) as i64 % 20)),
            deployer: String::new(),
            url: None,
            commits: (0..3)
                .map(|j| Change {
                    sha: format!("{i}-{j}"),
                    title: String::new(),
                    author: String::new(),
                    authored_at: started - Duration::hours(j + 1),
                    committed_at: started - Duration::hours(j + 1),
                    merged_at: None,
                })
                .collect(),
            stages: Vec::new(),
            canary: None,
            trigger: Trigger::Auto,
            kind: DeployKind::Normal,
        });
    }
    let mut series = BTreeMap::new();
    let mut ratios = BTreeMap::new();
    for s in &services {
        let points = |v: f64| Series {
            query: String::new(),
            points: (0..90 * 1440)
                .map(|m| (start() + Duration::minutes(m), v))
                .collect(),
        };
        series.insert((s.clone(), SeriesKind::ErrorRatio), points(0.001));
        series.insert((s.clone(), SeriesKind::RequestRate), points(50.0));
        ratios.insert(
            s.clone(),
            WindowRatios {
                m5: Some(0.001),
                m30: Some(0.001),
                h1: Some(0.001),
                h6: Some(0.001),
                d3: Some(0.001),
                slo_window: Some(0.0005),
                slo_window_request_rate: Some(50.0),
            },
        );
    }
    let settings = Settings::default();
    let log = DeploymentLog::from(deployments);
    let inputs = Inputs {
        deployments: &log,
        incidents: &[],
        ratios: &ratios,
        series: &series,
        annotations: &[],
    };
    bencher.bench_local(|| divan::black_box(derive(&inputs, &services, &settings, now)));
}

#[divan::bench(args = [RuleSet::WesternElectric, RuleSet::Nelson], sample_count = 20)]
fn spc_100k_points(bencher: Bencher, rules: RuleSet) {
    let mut rng = Rng(42);
    let points: Vec<(Ts, f64)> = (0..100_000)
        .map(|i| {
            let noise = (rng.next() % 1_000) as f64 / 100.0;
            // A level shift halfway makes the rules fire, as in real data.
            let level = if i > 50_000 { 60.0 } else { 50.0 };
            (start() + Duration::minutes(i), level + noise)
        })
        .collect();
    let changes = [start() + Duration::minutes(80_000)];
    let params = ChartParams {
        baseline: 20,
        rules,
        changes: &changes,
        marked: None,
    };
    bencher.bench_local(|| divan::black_box(xmr_chart("lead_time", &points, &params)));
}
