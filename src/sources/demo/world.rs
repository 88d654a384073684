//! The demo world: 90 days of history ending at the origin plus the live rollout after
//! it, rendered at any instant as the [`SourceData`] a real source would send.

use crate::event::SourceData;
use crate::model::sanitize::sanitize;
use crate::model::{
    Annotation, AnnotationKind, CanaryOutcome, DeployStatus, Deployment, Incident, SeriesKind,
    StageStatus, Ts, WindowRatios,
};

use super::catalog::{PROFILES, SLO_WINDOW_DAYS};
use super::history::{deployments, Deployments, PROCESS_CHANGE_DAYS};
use super::incidents::incidents;
use super::rng::Rng;
use super::rollout::{LiveRollout, ROLLOUT_DELAY_SECS};
use super::sli::{self, Sli, Step};
use super::{ts, DAY, HOUR};

/// Days of history before the origin.
pub const HISTORY_DAYS: i64 = 90;

/// Origins are kept between 1972 and 9000 so that no date arithmetic can overflow.
const MIN_ORIGIN: i64 = 2 * 365 * DAY;
const MAX_ORIGIN: i64 = 221_845_392_000;

const KINDS: [SeriesKind; 3] = [
    SeriesKind::ErrorRatio,
    SeriesKind::LatencyP99,
    SeriesKind::RequestRate,
];

/// A deterministic demo world for one seed and origin.
#[derive(Debug, Clone)]
pub struct DemoWorld {
    origin: i64,
    seed: u64,
    incidents: Vec<Incident>,
    annotations: Vec<Annotation>,
    live: LiveRollout,
    sli: Sli,
}

fn secs(t: Ts) -> i64 {
    t.timestamp()
}

impl DemoWorld {
    /// Builds the world whose history ends at `origin` (truncated to whole seconds and
    /// kept within years 1972–9000). The same `(seed, origin)` always gives the same world.
    pub fn new(seed: u64, origin: Ts) -> Self {
        let origin = secs(origin).clamp(MIN_ORIGIN, MAX_ORIGIN);
        let data_start = origin - HISTORY_DAYS * DAY;
        let rng = Rng::new(seed);
        let deps = history(seed, origin);
        let incs = incidents(&rng, data_start, origin, &deps);
        let live = LiveRollout::new(&rng, origin, &PROFILES[0], &deps.tips[0], incs.next_key);
        let annotations = vec![
            Annotation {
                at: ts(origin - PROCESS_CHANGE_DAYS * DAY),
                service: Some(sanitize(PROFILES[1].name)),
                text: sanitize("Process change: merge queue and trunk-based releases"),
                kind: AnnotationKind::ProcessChange,
            },
            Annotation {
                at: ts(origin - 60 * DAY + 14 * HOUR),
                service: Some(sanitize(PROFILES[3].name)),
                text: sanitize("Load test at 2x peak traffic (planned)"),
                kind: AnnotationKind::Note,
            },
        ];
        let sli = Sli::new(seed, data_start, origin + ROLLOUT_DELAY_SECS, incs.bumps);
        DemoWorld {
            origin,
            seed,
            incidents: incs.list,
            annotations,
            live,
            sli,
        }
    }

    pub fn origin(&self) -> Ts {
        ts(self.origin)
    }

    /// When the live rollout's first canary step begins.
    pub fn rollout_start(&self) -> Ts {
        ts(self.live.start)
    }

    /// When the live rollout finishes if nobody rolls it back.
    pub fn rollout_finish(&self) -> Ts {
        ts(self.live.finish())
    }

    pub fn live_deployment_id(&self) -> &str {
        self.live.deployment_id()
    }

    pub fn rollback_deployment_id(&self) -> &str {
        self.live.rollback_id()
    }

    /// The services in display order with their SLO targets.
    pub fn services() -> Vec<String> {
        PROFILES.iter().map(|p| sanitize(p.name)).collect()
    }

    /// The full state at `t` with nobody having rolled back.
    pub fn data_at(&self, t: Ts) -> Vec<SourceData> {
        self.data_at_with_rollback(t, None)
    }

    /// The full state at `t` when the user rolled back at `rollback_at` (if at all).
    pub fn data_at_with_rollback(&self, t: Ts, rollback_at: Option<Ts>) -> Vec<SourceData> {
        let t = secs(t);
        let rb = rollback_at.map(secs);
        let mut out = vec![
            SourceData::Services(Self::services()),
            SourceData::Deployments(self.deployments_at(t, rb)),
            SourceData::Incidents(self.incidents_at(t, rb)),
            SourceData::Annotations(
                self.annotations
                    .iter()
                    .filter(|a| secs(a.at) <= t)
                    .cloned()
                    .collect(),
            ),
        ];
        for svc in 0..PROFILES.len() {
            self.push_service(&mut out, svc, t, rb, true);
        }
        out
    }

    /// What changed since the last update: the live deployments and incident, the
    /// series of the live service (of every service when `all_series`) and the window
    /// ratios of every service.
    pub fn update_at(&self, t: Ts, rollback_at: Option<Ts>, all_series: bool) -> Vec<SourceData> {
        let t = secs(t);
        let rb = rollback_at.map(secs);
        let mut out = vec![SourceData::Deployments(self.live.deployments(t, rb))];
        if let Some(inc) = self.live.incident(t, rb) {
            out.push(SourceData::Incidents(vec![inc]));
        }
        for svc in 0..PROFILES.len() {
            self.push_service(&mut out, svc, t, rb, all_series || svc == 0);
        }
        out
    }

    fn push_service(
        &self,
        out: &mut Vec<SourceData>,
        svc: usize,
        t: i64,
        rb: Option<i64>,
        with_series: bool,
    ) {
        let Some(p) = PROFILES.get(svc) else {
            return;
        };
        let steps = self.steps(svc, t, rb);
        if with_series {
            for kind in KINDS {
                let steps = match kind {
                    SeriesKind::LatencyP99 => sli::since(&steps, t - sli::LATENCY_SPAN),
                    _ => &steps[..],
                };
                out.push(SourceData::Series {
                    service: sanitize(p.name),
                    kind,
                    series: sli::series(steps, p.name, kind),
                });
            }
        }
        out.push(SourceData::Ratios {
            service: sanitize(p.name),
            ratios: sli::window_ratios(&steps, t, SLO_WINDOW_DAYS * DAY),
        });
    }

    fn steps(&self, svc: usize, t: i64, rb: Option<i64>) -> Vec<Step> {
        if svc == 0 {
            self.sli
                .steps(svc, t, &|a, b| self.live.mean_share(a, b, rb))
        } else {
            self.sli.steps(svc, t, &|_, _| 0.0)
        }
    }

    /// Window ratios of `service` at `t` (None for an unknown service).
    pub fn ratios_at(&self, service: &str, t: Ts, rollback_at: Option<Ts>) -> Option<WindowRatios> {
        let svc = PROFILES.iter().position(|p| p.name == service)?;
        let t = secs(t);
        let steps = self.steps(svc, t, rollback_at.map(secs));
        Some(sli::window_ratios(&steps, t, SLO_WINDOW_DAYS * DAY))
    }

    /// Whether rolling back `service` at `t` does anything; the warning when not.
    pub fn check_rollback(
        &self,
        service: &str,
        t: Ts,
        rollback_at: Option<Ts>,
    ) -> Result<(), String> {
        self.live
            .check_rollback(service, secs(t), rollback_at.map(secs))
    }

    /// Every deployment as it stood at `t`, sorted by start then id.
    ///
    /// The history is built again from the seed rather than kept: it is sent only at
    /// start and on a refresh, and the app holds it anyway (keeping a second copy
    /// here cost the demo about half a megabyte).
    fn deployments_at(&self, t: i64, rb: Option<i64>) -> Vec<Deployment> {
        let mut out: Vec<Deployment> = self
            .history()
            .into_iter()
            .filter_map(|d| as_of(d, t))
            .collect();
        out.extend(self.live.deployments(t, rb));
        out.sort_by(|a, b| a.started_at.cmp(&b.started_at).then(a.id.cmp(&b.id)));
        out
    }

    /// The history's deployments as they finished, built again from the seed.
    fn history(&self) -> Vec<Deployment> {
        history(self.seed, self.origin).list
    }

    fn incidents_at(&self, t: i64, rb: Option<i64>) -> Vec<Incident> {
        let mut out: Vec<Incident> = self
            .incidents
            .iter()
            .filter(|i| secs(i.created_at) <= t)
            .map(|i| Incident {
                resolved_at: i.resolved_at.filter(|r| secs(*r) <= t),
                ..i.clone()
            })
            .collect();
        out.extend(self.live.incident(t, rb));
        out.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.key.cmp(&b.key)));
        out
    }
}

/// The deployments of the `HISTORY_DAYS` before `origin`: a pure function of the seed
/// (the generator is stateless), so the world can build them again instead of keeping
/// them.
fn history(seed: u64, origin: i64) -> Deployments {
    deployments(&Rng::new(seed), origin - HISTORY_DAYS * DAY, origin)
}

/// A historical deployment as it looked at `t`: absent before it started, running
/// (with its later stages pending) while under way.
fn as_of(mut d: Deployment, t: i64) -> Option<Deployment> {
    if secs(d.started_at) > t {
        return None;
    }
    if d.finished_at.is_some_and(|f| secs(f) <= t) {
        return Some(d);
    }
    d.status = DeployStatus::Running;
    d.finished_at = None;
    for s in d.stages.iter_mut() {
        match (s.started_at.map(secs), s.finished_at.map(secs)) {
            (Some(a), _) if a > t => {
                s.status = StageStatus::Pending;
                s.started_at = None;
                s.finished_at = None;
            }
            (Some(_), Some(b)) if b > t => {
                s.status = StageStatus::Running;
                s.finished_at = None;
            }
            (None, _) => s.status = StageStatus::Pending,
            _ => {}
        }
    }
    if let Some(c) = d.canary.as_mut() {
        c.outcome = CanaryOutcome::InProgress;
        c.traffic_percent = d
            .stages
            .iter()
            .rev()
            .filter(|s| s.started_at.is_some())
            .find_map(|s| {
                s.name
                    .strip_prefix("canary ")?
                    .strip_suffix('%')?
                    .parse()
                    .ok()
            })
            .unwrap_or(0);
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_past_instant_shows_deployments_as_they_were() {
        let origin = 1_741_788_451;
        let world = DemoWorld::new(3, ts(origin));
        let finished = world
            .history()
            .iter()
            .find(|d| d.stages.len() >= 3 && d.status == DeployStatus::Success)
            .cloned();
        let Some(d) = finished else {
            panic!("no finished deployment in the history");
        };
        let start = secs(d.started_at);
        assert!(as_of(d.clone(), start - 1).is_none());
        let mid = as_of(d.clone(), start + 1);
        let Some(mid) = mid else {
            panic!("missing while running");
        };
        assert_eq!(mid.status, DeployStatus::Running);
        assert_eq!(mid.finished_at, None);
        assert!(mid.stages.iter().any(|s| s.status == StageStatus::Running));
        let end = secs(d.finished_at.unwrap_or_default());
        assert_eq!(as_of(d.clone(), end), Some(d));
    }

    #[test]
    fn an_absurd_origin_is_clamped_instead_of_overflowing() {
        let (max, min) = (Ts::MAX_UTC, Ts::MIN_UTC);
        let world = DemoWorld::new(1, max);
        assert!(world.origin().timestamp() <= MAX_ORIGIN);
        assert!(!world.data_at(max).is_empty());
        assert!(!world.data_at(min).is_empty());
        let early = DemoWorld::new(1, min);
        assert!(early.origin().timestamp() >= MIN_ORIGIN);
    }
}
