//! A realistic full cache for the start-up benchmark (`benches/startup.rs`): N days of
//! M services as the cockpit would have cached them after running that long —
//! deployments from GitLab (commits, stages, canaries, failures, rollbacks, hotfixes),
//! incidents from Jira (some linked), and from Prometheus the 5-minute series
//! aggregates of three golden signals, the burn-rate ratios and a deploy marker per
//! deployment. Deterministic (a fixed xorshift seed). Not part of the public API.

use chrono::{Duration, Timelike};

use super::{Cache, StoreError};
use crate::event::SourceData;
use crate::model::*;

/// Twenty service names, as a mid-sized shop might watch.
pub const SERVICE_NAMES: [&str; 20] = [
    "checkout",
    "payments",
    "search",
    "gateway",
    "cart",
    "catalog",
    "accounts",
    "auth",
    "orders",
    "shipping",
    "inventory",
    "pricing",
    "reviews",
    "recommendations",
    "notifications",
    "email",
    "media",
    "analytics",
    "billing",
    "support",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The first `services` names (repeated with a suffix beyond twenty).
pub fn services(services: usize) -> Vec<String> {
    (0..services)
        .map(|i| match i / SERVICE_NAMES.len() {
            0 => SERVICE_NAMES[i].to_string(),
            n => format!("{}-{n}", SERVICE_NAMES[i % SERVICE_NAMES.len()]),
        })
        .collect()
}

/// One service's deployments over `days` before `now`: one to six a working day.
fn deployments(rng: &mut Rng, service: &str, now: Ts, days: u32) -> Vec<Deployment> {
    let mut out = Vec::new();
    for day in (0..i64::from(days)).rev() {
        let per_day = 1 + rng.below(6);
        for _ in 0..per_day {
            let started = now - Duration::days(day) - Duration::hours(8)
                + Duration::minutes(rng.below(9 * 60) as i64);
            if started >= now {
                continue;
            }
            let n = out.len();
            let roll = rng.below(100);
            let status = match roll {
                0..=84 => DeployStatus::Success,
                85..=90 => DeployStatus::Failed,
                91..=94 => DeployStatus::RolledBack,
                _ => DeployStatus::Canceled,
            };
            let kind = match rng.below(40) {
                0 => DeployKind::Hotfix,
                1 => DeployKind::Rollback,
                _ => DeployKind::Normal,
            };
            let took = Duration::minutes(5 + rng.below(35) as i64);
            let finished = (started + took < now).then_some(started + took);
            let commits = (0..1 + rng.below(12))
                .map(|c| {
                    let authored = started - Duration::minutes(60 + rng.below(5 * 24 * 60) as i64);
                    Change {
                        sha: format!("{:016x}{c:04x}", rng.next()),
                        title: format!("{service}: change {n}.{c} to the request handling"),
                        author: format!("dev{}", rng.below(12)),
                        authored_at: authored,
                        committed_at: authored + Duration::minutes(rng.below(120) as i64),
                        merged_at: Some(started - Duration::minutes(rng.below(60) as i64)),
                    }
                })
                .collect();
            let stages = ["build", "test", "canary", "production"]
                .iter()
                .enumerate()
                .map(|(i, name)| Stage {
                    name: (*name).to_string(),
                    status: if status == DeployStatus::Failed && i == 3 {
                        StageStatus::Failed
                    } else {
                        StageStatus::Success
                    },
                    started_at: Some(started + took * i as i32 / 4),
                    finished_at: finished.map(|_| started + took * (i as i32 + 1) / 4),
                })
                .collect();
            out.push(Deployment {
                id: format!("gitlab:{service}-{n}"),
                source: "gitlab".to_string(),
                service: service.to_string(),
                environment: "production".to_string(),
                version: format!("1.{}.{}", n / 20, n % 20),
                sha: format!("{:040x}", u128::from(rng.next())),
                status,
                started_at: started,
                finished_at: finished,
                deployer: format!("dev{}", rng.below(12)),
                url: Some(format!(
                    "https://gitlab.example.com/shop/{service}/-/deployments/{n}"
                )),
                commits,
                stages,
                canary: (rng.below(10) < 3).then(|| CanaryResult {
                    traffic_percent: 100,
                    outcome: if status == DeployStatus::Success {
                        CanaryOutcome::Passed
                    } else {
                        CanaryOutcome::Failed
                    },
                }),
                trigger: if rng.below(5) == 0 {
                    Trigger::Manual
                } else {
                    Trigger::Auto
                },
                kind,
            });
        }
    }
    out
}

/// About one incident a fortnight, half of them linked to the deployment before.
fn incidents(rng: &mut Rng, service: &str, now: Ts, deployments: &[Deployment]) -> Vec<Incident> {
    let mut out = Vec::new();
    for (i, d) in deployments.iter().enumerate() {
        if rng.below(50) != 0 && d.status != DeployStatus::Failed {
            continue;
        }
        let created = d.started_at + Duration::minutes(20 + rng.below(600) as i64);
        if created >= now {
            continue;
        }
        out.push(Incident {
            key: format!("OPS-{service}-{i}"),
            service: service.to_string(),
            title: format!("{service}: elevated error rate"),
            severity: format!("P{}", 1 + rng.below(3)),
            created_at: created,
            resolved_at: Some(created + Duration::minutes(30 + rng.below(270) as i64))
                .filter(|r| *r < now),
            linked_deployment: (rng.below(2) == 0).then(|| d.id.clone()),
        });
    }
    out
}

/// A 5-minute series over `days` before `now` (what the cache keeps of each signal).
fn series(rng: &mut Rng, now: Ts, days: u32, kind: SeriesKind) -> Vec<(Ts, f64)> {
    let points = i64::from(days) * 288;
    (0..points)
        .rev()
        .map(|i| {
            let t = now - Duration::minutes(5 * i);
            let daily =
                1.0 + 0.4 * ((f64::from(t.hour()) - 9.0) / 24.0 * std::f64::consts::TAU).sin();
            let v = match kind {
                SeriesKind::ErrorRatio => 0.0004 + 0.0004 * rng.unit(),
                SeriesKind::LatencyP99 => 0.18 + 0.05 * daily + 0.04 * rng.unit(),
                SeriesKind::RequestRate => 200.0 * daily + 20.0 * rng.unit(),
            };
            (t, v)
        })
        .collect()
}

fn ratios(rng: &mut Rng) -> WindowRatios {
    let mut r = || Some(0.0003 + 0.0006 * rng.unit());
    WindowRatios {
        m5: r(),
        m30: r(),
        h1: r(),
        h6: r(),
        d3: r(),
        slo_window: r(),
        slo_window_request_rate: Some(20.0 + 200.0 * rng.unit()),
    }
}

const KINDS: [SeriesKind; 3] = [
    SeriesKind::ErrorRatio,
    SeriesKind::LatencyP99,
    SeriesKind::RequestRate,
];

/// Fills `cache` with `days` of `services` up to `now`, as three sources (gitlab,
/// jira, prometheus); returns the number of deployments written.
pub fn fill(
    cache: &mut Cache,
    now: Ts,
    days: u32,
    services: &[String],
) -> Result<usize, StoreError> {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut total = 0;
    for service in services {
        let deployments = deployments(&mut rng, service, now, days);
        let incidents = incidents(&mut rng, service, now, &deployments);
        total += deployments.len();
        let markers = deployments
            .iter()
            .filter_map(|d| {
                Some(Annotation {
                    at: d.finished_at?,
                    service: Some(service.clone()),
                    text: "deploy".to_string(),
                    kind: AnnotationKind::DeployMarker,
                })
            })
            .collect();
        let mut prom = vec![
            SourceData::Ratios {
                service: service.clone(),
                ratios: ratios(&mut rng),
            },
            SourceData::Annotations(markers),
        ];
        for kind in KINDS {
            prom.push(SourceData::Series {
                service: service.clone(),
                kind,
                series: Series {
                    query: format!("{kind:?} of {service}"),
                    points: series(&mut rng, now, days, kind),
                },
            });
        }
        cache.save("gitlab", now, &[SourceData::Deployments(deployments)])?;
        cache.save("jira", now, &[SourceData::Incidents(incidents)])?;
        cache.save("prometheus", now, &prom)?;
    }
    cache.save(
        "prometheus",
        now,
        &[SourceData::Services(services.to_vec())],
    )?;
    Ok(total)
}

/// What one Prometheus poll delivers for `services` at `now`: the service list, the
/// burn-rate ratios, three 6-hour charts at a 60 s step (361 points each) and the
/// deploy markers in range.
pub fn live_fetch(now: Ts, services: &[String]) -> Vec<SourceData> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut data = vec![SourceData::Services(services.to_vec())];
    for service in services {
        data.push(SourceData::Ratios {
            service: service.clone(),
            ratios: ratios(&mut rng),
        });
        for kind in KINDS {
            let points = (0..=360)
                .rev()
                .map(|i| {
                    let v = match kind {
                        SeriesKind::ErrorRatio => 0.0004 + 0.0004 * rng.unit(),
                        SeriesKind::LatencyP99 => 0.2 + 0.04 * rng.unit(),
                        SeriesKind::RequestRate => 200.0 + 20.0 * rng.unit(),
                    };
                    (now - Duration::minutes(i), v)
                })
                .collect();
            data.push(SourceData::Series {
                service: service.clone(),
                kind,
                series: Series {
                    query: format!("{kind:?} of {service}"),
                    points,
                },
            });
        }
        data.push(SourceData::Annotations(vec![Annotation {
            at: now - Duration::minutes(40 + rng.below(200) as i64),
            service: Some(service.clone()),
            text: "deploy".to_string(),
            kind: AnnotationKind::DeployMarker,
        }]));
    }
    data
}
