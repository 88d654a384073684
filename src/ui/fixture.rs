//! A realistic, hand-built cockpit state for snapshot tests and the render benchmark:
//! four services; fifteen deployments of `checkout` in every status, with a running
//! canary that is burning budget fast; an earlier bad release that spiked and was
//! rolled back; incidents; error-ratio and p99 series; and hand-written derived figures
//! (budget with a page alert, DORA now and before, an SPC chart with signals).
//! Not part of the public API.

use std::collections::BTreeMap;

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
    version: &'static str,
    ago_min: i64,
    took_min: i64,
    status: DeployStatus,
    canary: Option<(u8, CanaryOutcome)>,
    deployer: &'static str,
    kind: DeployKind,
    trigger: Trigger,
}

const fn spec(
    version: &'static str,
    ago_min: i64,
    took_min: i64,
    status: DeployStatus,
    deployer: &'static str,
) -> Spec {
    Spec {
        version,
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

fn deployment(service: &str, n: usize, s: &Spec, now: Ts) -> Deployment {
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
            authored_at: started - Duration::hours(5 + i as i64 * 7),
            committed_at: started - Duration::hours(4 + i as i64 * 6),
            merged_at: Some(started - Duration::hours(1)),
        })
        .collect();
    Deployment {
        id: format!("gitlab:{service}-{n}"),
        source: "gitlab".into(),
        service: service.into(),
        environment: environment::PRODUCTION.into(),
        version: s.version.into(),
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

/// Error ratio and p99 latency of checkout over the last four hours, one point a minute:
/// quiet, a spike after v2.14.2 until its rollback, quiet, then the v2.15.0 canary burning.
fn series(now: Ts) -> (Series, Series) {
    let mut errors = Vec::new();
    let mut latency = Vec::new();
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
    )
}

pub fn model() -> Model {
    let now = now();
    let mut m = Model::new(
        View {
            tz: chrono_tz::Europe::Paris,
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
    let (errors, latency) = series(now);
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

fn dora(now: Ts, days: i64, scale: f64) -> Dora {
    let window = Window {
        start: now - Duration::days(days),
        end: now,
    };
    Dora {
        window,
        deployment_frequency: DeploymentFrequency {
            deployments: (42.0 * scale) as u32,
            per_day: Some(1.4 * scale),
            deployment_days_per_week: Some(5.0),
            level: Some(Level::Elite),
        },
        lead_time: LeadTime {
            changes: (118.0 * scale) as u32,
            p50_seconds: Some(11_520.0 / scale),
            p90_seconds: Some(187_200.0 / scale),
            level: Some(Level::High),
        },
        change_failure_rate: ChangeFailureRate {
            failed: 3,
            deployments: (42.0 * scale) as u32,
            rate: Some(3.0 / (42.0 * scale)),
            level: Some(Level::Medium),
        },
        recovery_time: RecoveryTime {
            failures: 2,
            ongoing: u32::from(scale > 1.0),
            p50_seconds: Some(2_700.0),
            p90_seconds: Some(6_300.0),
            level: Some(Level::Elite),
        },
        rework_rate: ReworkRate {
            rework: 2,
            deployments: (42.0 * scale) as u32,
            rate: Some(2.0 / (42.0 * scale)),
        },
    }
}

fn spc(now: Ts) -> SpcChart {
    let hours = [
        4.0, 5.5, 3.0, 6.0, 4.5, 5.0, 7.0, 3.5, 4.0, 6.5, 5.0, 4.5, 5.5, 6.0, 3.0, 4.0, 5.0, 14.5,
        5.0, 4.0, 6.0, 9.5, 10.0, 5.0, 4.5,
    ];
    let limits = Limits {
        center: 5.0 * 3600.0,
        ucl: 11.2 * 3600.0,
        lcl: 0.0,
    };
    let points: Vec<SpcPoint> = hours
        .iter()
        .enumerate()
        .map(|(i, h)| SpcPoint {
            at: now - Duration::days(25 - i as i64),
            value: h * 3600.0,
            limits,
            counts: None,
            until: None,
        })
        .collect();
    // One segment: a range at every point but the first; mR̄ 2.3 h, UCL 7.6 h (the
    // 9.5 h ranges into and out of the 14.5 h point are beyond it).
    let values: Vec<Option<f64>> = std::iter::once(None)
        .chain(
            points
                .windows(2)
                .map(|w| Some((w[1].value - w[0].value).abs())),
        )
        .collect();
    let mr_ucl = 7.6 * 3600.0;
    let beyond: Vec<usize> = values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_some_and(|v| v > mr_ucl))
        .map(|(i, _)| i)
        .collect();
    SpcChart {
        metric: "lead_time",
        chart: ChartKind::Xmr,
        center: Some(limits.center),
        ucl: Some(limits.ucl),
        lcl: Some(limits.lcl),
        signals: vec![
            Signal {
                rule: Rule::We1,
                index: 17,
                at: points[17].at,
                points: vec![17],
            },
            Signal {
                rule: Rule::We2,
                index: 22,
                at: points[22].at,
                points: vec![21, 22],
            },
        ],
        points,
        moving_range: Some(MovingRange {
            values,
            center: Some(2.3 * 3600.0),
            ucl: Some(mr_ucl),
            beyond,
        }),
        no_spread: false,
        provisional: None,
        baseline_counts: None,
    }
}

pub fn derived(model: &Model) -> Derived {
    let now = model.now;
    let mut facts = BTreeMap::new();
    for d in model
        .data
        .deployments
        .iter()
        .filter(|d| d.service == "checkout")
    {
        let mut risk = Vec::new();
        if d.trigger == Trigger::Manual {
            risk.push(RiskFlag::Manual);
        }
        if d.version == "v2.12.0" {
            risk.extend([RiskFlag::Weekend, RiskFlag::LargeBatch]);
        }
        if d.version == "v2.15.0" {
            risk.push(RiskFlag::BudgetFreeze);
        }
        let bad = matches!(d.status, DeployStatus::Failed | DeployStatus::RolledBack);
        let incidents = match d.version.as_str() {
            "v2.14.2" => vec!["INC-101".to_string()],
            "v2.9.0" => vec!["INC-97".to_string()],
            _ => Vec::new(),
        };
        facts.insert(
            d.id.clone(),
            DeploymentFacts {
                failed: bad,
                risk,
                budget_consumed: match d.version.as_str() {
                    "v2.14.2" => Some(0.083),
                    "v2.15.0" => None,
                    _ => Some(0.002),
                },
                spike: d.version == "v2.14.2" || d.version == "v2.15.0",
                incidents,
                changes_counted: d.version != "v2.8.0",
            },
        );
    }
    let checkout = ServiceDerived {
        service: "checkout".into(),
        dora: dora(now, 30, 1.0),
        dora_previous: dora(now - Duration::days(30), 30, 0.8),
        budget: Some(ErrorBudget {
            slo_target: 0.999,
            window_seconds: 30.0 * 86_400.0,
            error_ratio: Some(0.000_69),
            remaining: Some(0.31),
            policy: Some(Policy::Caution),
            burn_rates: BurnRates {
                m5: Some(16.2),
                m30: Some(15.1),
                h1: Some(14.8),
                h6: Some(3.1),
                d3: Some(0.9),
            },
            alerts: vec![BurnAlert {
                severity: AlertSeverity::Page,
                long: "1h",
                short: "5m",
                burn: 14.8,
            }],
            trend: Some(BurnTrend::Increasing),
        }),
        spc: vec![spc(now)],
        facts,
    };
    let mut services = BTreeMap::new();
    services.insert("checkout".to_string(), checkout);
    Derived {
        at: Some(now),
        services,
        unlinked_incidents: Vec::new(),
    }
}
