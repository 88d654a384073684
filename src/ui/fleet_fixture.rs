//! A fleet of `n` services for the fleet view's snapshots and benchmark: each with a
//! few weeks of production deployments and its SLO-window error ratios, spread by a
//! fixed arithmetic (no randomness) over every policy band, alert and status. Only
//! the inputs are made here; the figures come from the metrics engine ([`derived`]).
//! Not part of the public API.

use chrono::Duration;

use crate::app::fleet::ServiceTags;
use crate::app::{Model, SourceStatus, View};
use crate::metrics::{derive, Derived, Inputs, Settings};
use crate::model::*;

const WORDS: [&str; 12] = [
    "checkout", "payments", "search", "cart", "gateway", "auth", "ledger", "catalog", "billing",
    "orders", "shipping", "reviews",
];

/// The name of service `i` of `n`: plain words while they last, then numbered.
fn name(i: usize, n: usize) -> String {
    if n <= WORDS.len() {
        WORDS[i].to_string()
    } else {
        format!("{}-{:03}", WORDS[i % WORDS.len()], i)
    }
}

/// A fraction in [0, 1) from `i` and a salt, the same on every run.
fn spread(i: usize, salt: u64) -> f64 {
    let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt;
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 32;
    (x % 10_000) as f64 / 10_000.0
}

/// `n` services at the fixture's instant, grouped into five teams and three tiers.
pub fn model(n: usize) -> Model {
    let now = super::fixture::now();
    let mut m = Model::new(
        View {
            tz: crate::zone::Tz::named("Europe/Paris"),
            demo: false,
        },
        now,
    );
    m.ui.fleet.open = true;
    m.data.services = (0..n).map(|i| name(i, n)).collect();
    let mut deployments = Vec::new();
    for (i, service) in m.data.services.iter().enumerate() {
        m.tags.insert(
            service.clone(),
            ServiceTags {
                group: Some(format!("team-{}", ["a", "b", "c", "d", "e"][i % 5])),
                tier: Some(format!("tier-{}", i % 3 + 1)),
            },
        );
        // Budget spent from 0 to 130% over the SLO window (0.999: 0.1% budget), and
        // short windows burning from nothing to a page.
        let spent = spread(i, 1) * 1.3;
        let burn = spread(i, 2).powi(3) * 20.0;
        let budget = 0.001;
        m.data.ratios.insert(
            service.clone(),
            WindowRatios {
                m5: Some(burn * budget),
                m30: Some(burn * 0.9 * budget),
                h1: Some(burn * 0.8 * budget),
                h6: Some(burn * 0.4 * budget),
                d3: Some(spent * budget),
                slo_window: Some(spent * budget),
                slo_window_request_rate: Some(50.0),
            },
        );
        let count = 2 + (spread(i, 3) * 8.0) as usize;
        for k in 0..count {
            let ago =
                Duration::minutes(((k as f64 + spread(i, 4 + k as u64)) * 60.0 * 70.0) as i64 + 7);
            let status = match (k, (spread(i, 20 + k as u64) * 10.0) as u32) {
                (0, 0) => DeployStatus::Running,
                (_, 1) => DeployStatus::Failed,
                (_, 2) => DeployStatus::RolledBack,
                _ => DeployStatus::Success,
            };
            deployments.push(deployment(service, i, k, now - ago, status));
        }
    }
    deployments.sort_by(|a, b| (a.started_at, &a.id).cmp(&(b.started_at, &b.id)));
    m.data.deployments = deployments.into();
    for id in ["prometheus", "gitlab"] {
        let mut s = SourceStatus::new(id, Some(Duration::seconds(30)));
        s.last_ok = Some(now - Duration::seconds(5));
        m.sources.push(s);
    }
    m
}

fn deployment(service: &str, i: usize, k: usize, started: Ts, status: DeployStatus) -> Deployment {
    let finished = (status != DeployStatus::Running).then(|| started + Duration::minutes(12));
    Deployment {
        id: format!("gitlab:{service}-{k}"),
        source: "gitlab".into(),
        service: service.into(),
        environment: environment::PRODUCTION.into(),
        version: format!("v{}.{}.{}", 1 + i % 4, 20 - k, i % 7),
        sha: format!("{:040x}", i * 1000 + k),
        status,
        started_at: started,
        finished_at: finished,
        deployer: "alice".into(),
        url: Some(format!(
            "https://gitlab.example.com/shop/{service}/-/deployments/{k}"
        )),
        commits: vec![Change {
            sha: format!("{:07x}", i * 100 + k),
            title: "Change".into(),
            author: "bob".into(),
            authored_at: started - Duration::hours(6),
            committed_at: started - Duration::hours(5),
            merged_at: Some(started - Duration::hours(1)),
        }],
        stages: Vec::new(),
        canary: None,
        trigger: Trigger::Auto,
        kind: DeployKind::Normal,
    }
}

/// Every service's figures through the engine, with default settings.
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
