//! A realistic, hand-built cockpit state for snapshot tests and the render benchmark:
//! four services; fifteen recent deployments of `checkout` in every status, with a
//! running canary that is burning budget fast, after fifty days of daily history (so
//! that DORA has a previous window and SPC a full baseline, with one release whose
//! changes waited five days); an earlier bad release that spiked and was rolled back;
//! incidents; error-ratio and p99 series; and the SLO-window error ratios.
//!
//! Only the inputs are hand-built: every derived figure (budget, DORA and its levels,
//! SPC limits and signals, deployment facts) comes from the metrics engine
//! ([`derived`]), so a snapshot can never show a figure that contradicts DESIGN §3.
//! Not part of the public API.

use chrono::{Duration, TimeZone, Utc};

use crate::app::{Model, SourceStatus, View};
use crate::event::{SourceError, SourceErrorKind};
use crate::metrics::*;
use crate::model::*;

/// Friday 2026-11-20 14:30 UTC (15:30 in Paris).
pub fn now() -> Ts {
    Utc.with_ymd_and_hms(2026, 11, 20, 14, 30, 0)
        .single()
        .unwrap_or_default()
}

fn mins(m: i64) -> Duration {
    Duration::minutes(m)
}

struct Spec {
    version: String,
    /// How much older than usual (hours to days before the start) its commits are.
    commits_older: Duration,
    ago_min: i64,
    took_min: i64,
    status: DeployStatus,
    canary: Option<(u8, CanaryOutcome)>,
    deployer: &'static str,
    kind: DeployKind,
    trigger: Trigger,
}

fn spec(
    version: &str,
    ago_min: i64,
    took_min: i64,
    status: DeployStatus,
    deployer: &'static str,
) -> Spec {
    Spec {
        version: version.to_string(),
        commits_older: Duration::zero(),
        ago_min,
        took_min,
        status,
        canary: None,
        deployer,
        kind: DeployKind::Normal,
        trigger: Trigger::Auto,
    }
}

fn checkout_specs() -> Vec<Spec> {
    use DeployStatus::*;
    let mut v = vec![
        spec("v2.8.0", 60 * 24 * 9, 14, Success, "alice"),
        spec("v2.8.1", 60 * 24 * 8, 12, Success, "bob"),
        spec("v2.9.0", 60 * 24 * 7 + 30, 18, Failed, "chen"),
        spec("v2.9.1", 60 * 24 * 7, 11, Success, "chen"),
        spec("v2.10.0", 60 * 24 * 6, 16, Success, "dana"),
        spec("v2.10.1", 60 * 24 * 5, 9, Canceled, "alice"),
        spec("v2.11.0", 60 * 24 * 4, 21, Success, "bob"),
        spec("v2.12.0", 60 * 24 * 3, 15, Success, "erik.lindqvist"),
        spec("v2.12.1", 60 * 24 * 2, 7, Success, "alice"),
        spec("v2.13.0", 60 * 26, 19, Success, "dana"),
        spec("v2.14.0", 60 * 7, 17, Success, "bob"),
        spec("v2.14.1", 60 * 4, 13, Success, "chen"),
        spec("v2.14.2", 130, 12, RolledBack, "dana"),
        spec("v2.14.1", 100, 4, Success, "dana"),
        spec("v2.15.0", 25, 0, Running, "alice"),
    ];
    v[3].kind = DeployKind::Hotfix;
    v[3].trigger = Trigger::Manual;
    v[7].canary = Some((100, CanaryOutcome::Passed));
    v[9].canary = Some((100, CanaryOutcome::Passed));
    v[10].canary = Some((100, CanaryOutcome::Passed));
    v[12].canary = Some((25, CanaryOutcome::Failed));
    v[13].kind = DeployKind::Rollback;
    v[13].trigger = Trigger::Manual;
    v[14].canary = Some((25, CanaryOutcome::InProgress));
    v
}

/// First index of the history's deployments (their ids stay apart from the recent
/// ones, which the snapshots name).
const HISTORY_ID: usize = 100;

/// Fifty days of daily checkout deployments before the recent ones (60 to 11 days
/// ago), one in nine failed; the one 17 days ago shipped changes that waited five days.
fn history_specs() -> Vec<Spec> {
    (0..50)
        .map(|k| {
            let days_ago = 60 - k;
            let status = if k % 9 == 4 {
                DeployStatus::Failed
            } else {
                DeployStatus::Success
            };
            let deployer = ["alice", "bob", "chen", "dana"][k as usize % 4];
            let mut s = spec(
                &format!("v1.{k}.0"),
                60 * 24 * days_ago + 60 * 10,
                10 + k % 7,
                status,
                deployer,
            );
            if days_ago == 17 {
                s.commits_older = Duration::days(5);
            }
            s
        })
        .collect()
}

fn deployment(service: &str, n: usize, s: &Spec, now: Ts) -> Deployment {
    let old = s.commits_older;
    let started = now - mins(s.ago_min);
    let finished = (s.status != DeployStatus::Running).then(|| started + mins(s.took_min));
    let stage = |name: &str, from: i64, to: Option<i64>, status: StageStatus| Stage {
        name: name.to_string(),
        status,
        started_at: Some(started + mins(from)),
        finished_at: to.map(|t| started + mins(t)),
    };
    let stages = if s.status == DeployStatus::Running {
        vec![
            stage("build", 0, Some(4), StageStatus::Success),
            stage("test", 4, Some(9), StageStatus::Success),
            stage("canary 5%", 9, Some(17), StageStatus::Success),
            stage("canary 25%", 17, None, StageStatus::Running),
            Stage {
                name: "full rollout".into(),
                status: StageStatus::Pending,
                started_at: None,
                finished_at: None,
            },
        ]
    } else {
        let last = if s.status == DeployStatus::Success {
            StageStatus::Success
        } else {
            StageStatus::Failed
        };
        vec![
            stage("build", 0, Some(3), StageStatus::Success),
            stage("test", 3, Some(s.took_min / 2), StageStatus::Success),
            stage("rollout", s.took_min / 2, Some(s.took_min), last),
        ]
    };
    let commits = (0..(n % 4 + 1))
        .map(|i| Change {
            sha: format!("{:07x}{:02}", 0xa1b2c3 + n * 97 + i, i),
            title: [
                "Fix cart total rounding",
                "Bump tokio to 1.41",
                "Add retry to payment call",
                "Café menu: accent in names",
            ][i % 4]
                .to_string(),
            author: ["alice", "bob", "chen", "dana"][(n + i) % 4].to_string(),
            authored_at: started - old - Duration::hours(5 + i as i64 * 7),
            committed_at: started - old - Duration::hours(4 + i as i64 * 6),
            merged_at: Some(started - Duration::hours(1)),
        })
        .collect();
    Deployment {
        id: format!("gitlab:{service}-{n}"),
        source: "gitlab".into(),
        service: service.into(),
        environment: environment::PRODUCTION.into(),
        version: s.version.clone(),
        sha: format!("{:08x}{:032x}", 0x9f3c_e01d_u64 + n as u64 * 7919, n),
        status: s.status,
        started_at: started,
        finished_at: finished,
        deployer: s.deployer.into(),
        url: Some(format!(
            "https://gitlab.example.com/shop/{service}/-/deployments/{n}"
        )),
        commits,
        stages,
        canary: s.canary.map(|(traffic_percent, outcome)| CanaryResult {
            traffic_percent,
            outcome,
        }),
        trigger: s.trigger,
        kind: s.kind,
    }
}

/// Error ratio, p99 latency and request rate of checkout over the last four hours, one
/// point a minute: quiet, a spike after v2.14.2 until its rollback, quiet, then the
/// v2.15.0 canary burning; a steady ~120 requests a second (what weighs each ratio in
/// the budget a deployment consumed).
fn series(now: Ts) -> (Series, Series, Series) {
    let mut errors = Vec::new();
    let mut latency = Vec::new();
    let mut requests = Vec::new();
    for m in (0..=240).rev() {
        let t = now - mins(m);
        let wobble = ((m as f64) * 0.7).sin() * 0.5 + 0.5;
        let (e, l) = match m {
            102..=125 => (0.011 + 0.004 * wobble, 0.42 + 0.08 * wobble),
            0..=14 => (0.013 + 0.004 * wobble, 0.31 + 0.05 * wobble),
            _ => (0.0004 + 0.0003 * wobble, 0.17 + 0.03 * wobble),
        };
        errors.push((t, e));
        latency.push((t, if m == 60 { f64::NAN } else { l }));
        requests.push((t, 110.0 + 20.0 * wobble));
    }
    (
        Series {
            query: "checkout:error_ratio".into(),
            points: errors,
        },
        Series {
            query: "checkout:latency_p99".into(),
            points: latency,
        },
        Series {
            query: "checkout:request_rate".into(),
            points: requests,
        },
    )
}

pub fn model() -> Model {
    let now = now();
    let mut m = Model::new(
        View {
            tz: crate::zone::Tz::named("Europe/Paris"),
            demo: true,
        },
        now,
    );
    m.data.services = ["checkout", "cart", "search", "payments"]
        .map(String::from)
        .to_vec();
    let mut deployments: Vec<Deployment> = checkout_specs()
        .iter()
        .enumerate()
        .map(|(n, s)| deployment("checkout", n, s, now))
        .collect();
    deployments.extend(
        history_specs()
            .iter()
            .enumerate()
            .map(|(k, s)| deployment("checkout", HISTORY_ID + k, s, now)),
    );
    for (n, ago) in [(0, 600), (1, 300)] {
        let s = spec("v1.4.0", ago, 8, DeployStatus::Success, "bob");
        deployments.push(deployment("cart", n, &s, now));
    }
    deployments.sort_by(|a, b| (a.started_at, &a.id).cmp(&(b.started_at, &b.id)));
    m.data.deployments = deployments.into();
    m.data.incidents = vec![
        Incident {
            key: "INC-97".into(),
            service: "checkout".into(),
            title: "Checkout 500s after v2.9.0".into(),
            severity: "SEV2".into(),
            created_at: now - mins(60 * 24 * 7 + 5),
            resolved_at: Some(now - mins(60 * 24 * 7 - 40)),
            linked_deployment: None,
        },
        Incident {
            key: "INC-101".into(),
            service: "checkout".into(),
            title: "Payment step times out for 2% of users".into(),
            severity: "SEV2".into(),
            created_at: now - mins(115),
            resolved_at: Some(now - mins(95)),
            linked_deployment: Some("gitlab:checkout-12".into()),
        },
    ];
    // Burning fast over the short windows (the canary), a third of the budget left
    // over the SLO window: the page alert fires and the policy is caution.
    m.data.ratios.insert(
        "checkout".into(),
        WindowRatios {
            m5: Some(0.016_2),
            m30: Some(0.015_1),
            h1: Some(0.014_8),
            h6: Some(0.003_1),
            d3: Some(0.000_9),
            slo_window: Some(0.000_69),
            slo_window_request_rate: Some(120.0),
        },
    );
    let (errors, latency, requests) = series(now);
    m.data
        .series
        .insert(("checkout".into(), SeriesKind::RequestRate), requests);
    m.data
        .series
        .insert(("checkout".into(), SeriesKind::ErrorRatio), errors);
    m.data
        .series
        .insert(("checkout".into(), SeriesKind::LatencyP99), latency);
    m.data.rejected.push(Rejected {
        source: "gitlab".into(),
        record: "deployment 4417".into(),
        reason: "no environment".into(),
    });
    let mut prom = SourceStatus::new("prometheus", Some(Duration::seconds(15)));
    prom.last_ok = Some(now - Duration::seconds(12));
    prom.fetching = true;
    let mut gitlab = SourceStatus::new("gitlab", Some(Duration::seconds(60)));
    gitlab.last_ok = Some(now - mins(28));
    gitlab
        .warnings
        .push("pagination stopped at 20 pages".into());
    let mut jira = SourceStatus::new("jira", Some(Duration::seconds(120)));
    jira.last_ok = Some(now - mins(40));
    jira.last_error = Some((
        now - mins(1),
        SourceError {
            kind: SourceErrorKind::Auth,
            message: "401 Unauthorized: check JIRA_TOKEN".into(),
        },
    ));
    m.sources = vec![prom, gitlab, jira];
    m
}

/// What the cockpit derives from the fixture's data, through the same engine and
/// default settings: no figure here is written by hand.
pub fn derived(model: &Model) -> Derived {
    let data = &model.data;
    let inputs = Inputs {
        deployments: &data.deployments,
        incidents: &data.incidents,
        ratios: &data.ratios,
        series: &data.series,
        annotations: &data.annotations,
    };
    derive(&inputs, &data.services, &Settings::default(), model.now)
}
