//! The incidents of the demo's history and the disturbances they leave in the SLIs.
//!
//! A script covers every case the linking rules must handle: an incident before any
//! deployment, explicit links, unlinked incidents that only the time-window rule can
//! attach, two incidents that overlap, and some still open at the origin. A few random
//! minor incidents fill the quarter.

use crate::model::sanitize::sanitize;
use crate::model::{DeployStatus, Deployment, Incident};

use super::catalog::PROFILES;
use super::history::Deployments;
use super::rng::Rng;
use super::{ts, DAY, HOUR};

/// A stretch of time in which a service served extra errors and slower responses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bump {
    pub start: i64,
    pub end: i64,
    /// Added to the error ratio while it lasts.
    pub extra_ratio: f64,
    /// Multiplies the p99 latency while it lasts.
    pub latency_factor: f64,
}

#[derive(Debug, Clone)]
pub struct Incidents {
    /// Sorted by created_at, then key.
    pub list: Vec<Incident>,
    /// Per service (index into PROFILES).
    pub bumps: Vec<Vec<Bump>>,
    /// The number the next incident key gets (the live rollout's incident).
    pub next_key: u32,
}

struct Draft {
    service: usize,
    title: String,
    severity: &'static str,
    created: i64,
    resolved: Option<i64>,
    linked: Option<String>,
}

const MINOR_TITLES: [[&str; 2]; 4] = [
    [
        "Checkout: slow address autocomplete",
        "Checkout: promo codes rejected intermittently",
    ],
    [
        "Payments: PSP webhook delays",
        "Payments: 3DS challenge page errors",
    ],
    [
        "Search: timeouts on facet queries",
        "Search: stale results after reindex",
    ],
    [
        "Gateway: 503s during node rotation",
        "Gateway: rate limiter false positives",
    ],
];

fn latest_before<'a>(deps: &'a [Deployment], service: &str, t: i64) -> Option<&'a Deployment> {
    deps.iter()
        .filter(|d| d.service == service && d.is_production())
        .filter(|d| d.status == DeployStatus::Success)
        .filter(|d| d.finished_at.is_some_and(|f| f.timestamp() < t))
        .max_by_key(|d| d.finished_at)
}

/// Generates the incidents between `data_start` and `origin`.
pub fn incidents(rng: &Rng, data_start: i64, origin: i64, deps: &Deployments) -> Incidents {
    let mut rng = rng.fork(200);
    let mut drafts: Vec<Draft> = Vec::new();
    let mut bumps: Vec<Vec<Bump>> = vec![Vec::new(); PROFILES.len()];
    let mut add_bump = |svc: usize, start: i64, end: i64, extra: f64, latency: f64| {
        if let Some(list) = bumps.get_mut(svc) {
            list.push(Bump {
                start,
                end,
                extra_ratio: extra,
                latency_factor: latency,
            });
        }
    };

    // Before any deployment at all: the linking rule has nothing to attach it to.
    drafts.push(Draft {
        service: 3,
        title: "Gateway: TLS certificate for api.example.com expires in 7 days".into(),
        severity: "sev3",
        created: data_start + 3 * HOUR,
        resolved: Some(data_start + 2 * DAY),
        linked: None,
    });

    if let Some((id, finished, recovered)) = &deps.marks.rolled_back {
        let created = finished + 8 * 60;
        let resolved = recovered + 12 * 60;
        add_bump(0, finished - 180, *recovered, 0.16, 1.8);
        drafts.push(Draft {
            service: 0,
            title: "Checkout: 502s on cart update after release".into(),
            severity: "sev2",
            created,
            resolved: Some(resolved),
            linked: Some(id.clone()),
        });
        // A second, overlapping incident on another service (mobile clients gave up).
        add_bump(3, created + 15 * 60, resolved + 40 * 60, 0.0012, 1.2);
        drafts.push(Draft {
            service: 3,
            title: "Gateway: elevated 499s from mobile clients".into(),
            severity: "sev3",
            created: created + 15 * 60,
            resolved: Some(resolved + 40 * 60),
            linked: None,
        });
    }

    if let Some((id, finished)) = &deps.marks.canary_failed {
        // 5% of traffic at ~15% errors for the few minutes the canary ran.
        add_bump(0, finished - 180, *finished, 0.05 * 0.15, 1.05);
        drafts.push(Draft {
            service: 0,
            title: "Checkout: canary aborted, 5xx on /pay".into(),
            severity: "sev3",
            created: finished + 4 * 60,
            resolved: Some(finished + 35 * 60),
            linked: Some(id.clone()),
        });
    }

    // Sev1 hours after a payments release; unlinked in the tracker, so only the
    // time-window rule connects it to that release.
    if let Some(d) = latest_before(&deps.list, "payments", origin - 12 * DAY) {
        let finished = d.finished_at.map(|f| f.timestamp()).unwrap_or(origin);
        let created = finished + 2 * HOUR;
        let resolved = created + 55 * 60;
        add_bump(1, created - 600, resolved, 0.03, 3.0);
        drafts.push(Draft {
            service: 1,
            title: "Payments: card authorizations timing out at the PSP".into(),
            severity: "sev1",
            created,
            resolved: Some(resolved),
            linked: None,
        });
    }

    drafts.push(Draft {
        service: 2,
        title: "Search: relevance regression for multi-word queries".into(),
        severity: "sev3",
        created: origin - 26 * HOUR,
        resolved: None,
        linked: None,
    });

    let recent = latest_before(&deps.list, "payments", origin - 5 * HOUR);
    add_bump(1, origin - 5 * HOUR, origin + 30 * DAY, 0.00015, 1.1);
    drafts.push(Draft {
        service: 1,
        title: "Payments: refund webhooks retrying, backlog growing".into(),
        severity: "sev3",
        created: origin - 5 * HOUR,
        resolved: None,
        linked: recent.map(|d| d.id.clone()),
    });

    for _ in 0..6 {
        let service = rng.range(0, 3) as usize;
        let Some(profile) = PROFILES.get(service) else {
            continue;
        };
        let day = rng.range(2, 85);
        let created = (origin - day * DAY).div_euclid(DAY) * DAY + rng.range(9 * HOUR, 20 * HOUR);
        if created < data_start + 2 * DAY || created > origin - 3 * DAY {
            continue;
        }
        let resolved = created + rng.range(20 * 60, 150 * 60);
        let titles = MINOR_TITLES[service.min(3)];
        let linked = latest_before(&deps.list, profile.name, created)
            .filter(|d| {
                d.finished_at
                    .is_some_and(|f| created - f.timestamp() < 12 * HOUR)
            })
            .filter(|_| rng.chance(0.5))
            .map(|d| d.id.clone());
        add_bump(
            service,
            created - 300,
            resolved,
            profile.base_ratio * 5.0,
            1.3,
        );
        drafts.push(Draft {
            service,
            title: rng.pick(&titles).to_string(),
            severity: if rng.chance(0.8) { "sev3" } else { "sev2" },
            created,
            resolved: Some(resolved),
            linked,
        });
    }

    drafts.sort_by_key(|d| d.created);
    let mut key = rng.range(4100, 4400) as u32;
    let list = drafts
        .into_iter()
        .map(|d| {
            key += rng.range(1, 35) as u32;
            Incident {
                key: sanitize(&format!("INC-{key}")),
                service: sanitize(PROFILES.get(d.service).map_or("", |p| p.name)),
                title: sanitize(&d.title),
                severity: sanitize(d.severity),
                created_at: ts(d.created),
                resolved_at: d.resolved.map(ts),
                linked_deployment: d.linked.map(|l| sanitize(&l)),
            }
        })
        .collect();
    for list in bumps.iter_mut() {
        list.sort_by_key(|b| b.start);
    }
    Incidents {
        list,
        bumps,
        next_key: key + rng.range(1, 20) as u32,
    }
}
