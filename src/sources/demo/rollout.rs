//! The live rollout of checkout: the story the demo tells an on-call engineer.
//!
//! All times here are demo time, which runs [`super::SPEED`] (60) times faster than
//! the wall clock, so the story plays out in about a minute while the alerts keep the
//! real windows of DESIGN §3. Ten demo minutes (ten seconds) after the origin a new
//! checkout version starts a canary rollout: 5% of traffic for 10 min, 25% for 10 min,
//! then 100% with a 30 min bake. The new version fails most card payments, so the
//! service's error ratio climbs with its traffic share: a few minutes into the 25%
//! step the 1 h burn rate crosses 14.4 with the 5 m one far above it, and the page
//! alert fires — about a quarter of a minute on the wall clock after the canary
//! began. The canary analysis flags it 5 min into the 25% step, but its gate is only
//! advisory and the rollout carries on; half an hour in, the tracker opens an
//! incident linked to the deployment. Pressing `b` rolls back at any point: traffic
//! returns at once to the previous version, a rollback deployment runs for 5 min, the
//! 5 m burn drops within five demo minutes and the 30 m one within thirty, so the
//! page clears within half a wall-clock minute, and the incident (if already open)
//! resolves.
//!
//! Everything here is a pure function of the world and `(t, rollback_at)`, so a
//! rolled-back world is as reproducible as an untouched one.

use crate::model::sanitize::sanitize;
use crate::model::{
    CanaryOutcome, CanaryResult, DeployKind, DeployStatus, Deployment, Incident, Stage,
    StageStatus, Trigger,
};

use super::catalog::{ServiceProfile, DEMO_USER, LIVE_TITLES, PEOPLE};
use super::history::{version_string, Tip, SOURCE};
use super::pipeline::{build_and_test, rollback_pipeline};
use super::rng::Rng;
use super::{ts, HOUR};

/// Seconds from the origin to the first canary step.
pub const ROLLOUT_DELAY_SECS: i64 = 10 * 60;
/// (traffic percent, seconds) of each canary step.
pub const CANARY_STEPS: [(u8, i64); 3] = [(5, 10 * 60), (25, 10 * 60), (100, 30 * 60)];
/// Share of the new version's requests that fail (every saved-card checkout).
pub const NEW_VERSION_ERROR_RATIO: f64 = 0.6;
/// Seconds after the rollout start when the canary analysis says "failed".
pub const VERDICT_AFTER_SECS: i64 = 15 * 60;
/// Seconds after the rollout start when the tracker opens the incident.
pub const INCIDENT_AFTER_SECS: i64 = 30 * 60;
/// How long the rollback deployment runs.
pub const ROLLBACK_SECS: i64 = 5 * 60;
/// Seconds after the rollback finished when the incident is resolved.
const RESOLVE_AFTER_ROLLBACK_SECS: i64 = 15 * 60;

/// The service the live rollout is of.
pub const LIVE_SERVICE: &str = "checkout";

#[derive(Debug, Clone)]
pub struct LiveRollout {
    /// Epoch seconds of the first canary step.
    pub start: i64,
    /// The deployment as it looks once finished; states before are derived from it.
    template: Deployment,
    previous_version: String,
    previous_sha: String,
    rollback_id: String,
    incident_key: String,
}

impl LiveRollout {
    pub fn new(rng: &Rng, origin: i64, profile: &ServiceProfile, tip: &Tip, key: u32) -> Self {
        let mut rng = rng.fork(300);
        let start = origin + ROLLOUT_DELAY_SECS;
        let version = version_string((tip.version.0, tip.version.1 + 1, 0));
        let lo = tip.last_ship.min(origin - 2 * HOUR);
        let commits = LIVE_TITLES
            .iter()
            .enumerate()
            .map(|(i, title)| {
                let merged = rng.range(lo, origin - 20 * 60) - i as i64 * 60;
                let committed = merged - rng.range(HOUR, 20 * HOUR);
                crate::model::Change {
                    sha: rng.hex(40),
                    title: sanitize(&format!("{title} (!{})", rng.range(4800, 4990))),
                    author: sanitize(rng.pick(PEOPLE)),
                    authored_at: ts(committed - rng.range(0, 3 * HOUR)),
                    committed_at: ts(committed),
                    merged_at: Some(ts(merged)),
                }
            })
            .collect::<Vec<_>>();
        let mut commits = commits;
        commits.sort_by_key(|c| c.committed_at);
        let (sha, deployer) = commits
            .last()
            .map(|c| (c.sha.clone(), c.author.clone()))
            .unwrap_or_default();
        let (previous_version, previous_sha) = tip
            .last_success
            .clone()
            .unwrap_or_else(|| (version_string(profile.first_version), rng.hex(40)));
        let name = profile.name;
        let seq = tip.next_seq;
        let mut stages = build_and_test(&mut rng, start);
        let mut at = start;
        for (pct, secs) in CANARY_STEPS {
            stages.push(Stage {
                name: sanitize(&format!("canary {pct}%")),
                status: StageStatus::Success,
                started_at: Some(ts(at)),
                finished_at: Some(ts(at + secs)),
            });
            at += secs;
        }
        let template = Deployment {
            id: sanitize(&format!("{SOURCE}:{name}-{seq}")),
            source: sanitize(SOURCE),
            service: sanitize(name),
            environment: sanitize("production"),
            version: sanitize(&version),
            sha: sanitize(&sha),
            status: DeployStatus::Success,
            started_at: ts(start),
            finished_at: Some(ts(at)),
            deployer: sanitize(&deployer),
            url: Some(sanitize(&format!(
                "https://ci.example.com/shop/{name}/-/pipelines/{}",
                40_000 + seq * 7
            ))),
            commits,
            stages,
            canary: Some(CanaryResult {
                traffic_percent: 100,
                outcome: CanaryOutcome::Failed,
            }),
            trigger: Trigger::Auto,
            kind: DeployKind::Normal,
        };
        LiveRollout {
            start,
            template,
            previous_version,
            previous_sha,
            rollback_id: sanitize(&format!("{SOURCE}:{name}-{}", seq + 1)),
            incident_key: sanitize(&format!("INC-{key}")),
        }
    }

    pub fn deployment_id(&self) -> &str {
        &self.template.id
    }

    pub fn rollback_id(&self) -> &str {
        &self.rollback_id
    }

    /// When the last canary step ends (the rollout is finished).
    pub fn finish(&self) -> i64 {
        self.start + CANARY_STEPS.iter().map(|s| s.1).sum::<i64>()
    }

    /// A rollback only counts once the rollout has started.
    fn effective(&self, rollback_at: Option<i64>) -> Option<i64> {
        rollback_at.filter(|&r| r >= self.start)
    }

    /// (percent, start, end) of each canary step.
    fn steps(&self) -> [(u8, i64, i64); 3] {
        let mut at = self.start;
        CANARY_STEPS.map(|(pct, secs)| {
            let step = (pct, at, at + secs);
            at += secs;
            step
        })
    }

    /// Fraction of traffic on the new version during second `s`.
    pub fn share_at(&self, s: i64, rollback_at: Option<i64>) -> f64 {
        if self.effective(rollback_at).is_some_and(|r| s >= r) || s < self.start {
            return 0.0;
        }
        let pct = self
            .steps()
            .iter()
            .find(|(_, a, b)| *a <= s && s < *b)
            .map_or(100, |st| st.0);
        f64::from(pct) / 100.0
    }

    /// Mean traffic share on the new version over `[a, b)`, integrated exactly over
    /// the piecewise-constant steps.
    pub fn mean_share(&self, a: i64, b: i64, rollback_at: Option<i64>) -> f64 {
        if b <= a || b <= self.start {
            return 0.0;
        }
        let end = self.effective(rollback_at).map_or(b, |r| r.min(b));
        let steps = self.steps();
        let mut bounds: Vec<(i64, i64, f64)> = steps
            .iter()
            .map(|&(pct, s, e)| (s, e, f64::from(pct) / 100.0))
            .collect();
        bounds.push((self.finish(), i64::MAX, 1.0));
        let weighted: f64 = bounds
            .iter()
            .map(|&(s, e, share)| {
                let overlap = (e.min(end) - s.max(a)).max(0);
                overlap as f64 * share
            })
            .sum();
        weighted / (b - a) as f64
    }

    /// The live deployments at `t`: none before the start, the rollout itself, and
    /// the rollback deployment once the user rolled back.
    pub fn deployments(&self, t: i64, rollback_at: Option<i64>) -> Vec<Deployment> {
        if t < self.start {
            return Vec::new();
        }
        let rolled = self.effective(rollback_at).filter(|&r| r <= t);
        let mut d = self.template.clone();
        let steps = self.steps();
        let stop = rolled.unwrap_or(t);
        let mut pct = 5;
        for (stage, &(step_pct, s, e)) in d.stages.iter_mut().skip(2).zip(steps.iter()) {
            if s <= stop {
                pct = step_pct;
            }
            let (status, started, finished) = match rolled {
                _ if e <= stop => (StageStatus::Success, Some(s), Some(e)),
                Some(r) if s <= r => (StageStatus::Canceled, Some(s), Some(r)),
                Some(_) => (StageStatus::Skipped, None, None),
                None if s <= t => (StageStatus::Running, Some(s), None),
                None => (StageStatus::Pending, None, None),
            };
            stage.status = status;
            stage.started_at = started.map(ts);
            stage.finished_at = finished.map(ts);
        }
        let finish = self.finish();
        let (status, finished) = match rolled {
            Some(r) => (DeployStatus::RolledBack, Some(r.min(finish))),
            None if t >= finish => (DeployStatus::Success, Some(finish)),
            None => (DeployStatus::Running, None),
        };
        d.status = status;
        d.finished_at = finished.map(ts);
        let judged = rolled.is_some() || t >= self.start + VERDICT_AFTER_SECS;
        d.canary = Some(CanaryResult {
            traffic_percent: pct,
            outcome: if judged {
                CanaryOutcome::Failed
            } else {
                CanaryOutcome::InProgress
            },
        });
        let mut out = vec![d];
        if let Some(r) = rolled {
            out.push(self.rollback_deployment(r, t));
        }
        out
    }

    fn rollback_deployment(&self, r: i64, t: i64) -> Deployment {
        let done = t >= r + ROLLBACK_SECS;
        Deployment {
            id: self.rollback_id.clone(),
            version: self.previous_version.clone(),
            sha: self.previous_sha.clone(),
            status: if done {
                DeployStatus::Success
            } else {
                DeployStatus::Running
            },
            started_at: ts(r),
            finished_at: done.then(|| ts(r + ROLLBACK_SECS)),
            deployer: sanitize(DEMO_USER),
            commits: Vec::new(),
            stages: rollback_pipeline(r, ROLLBACK_SECS, Some(t)),
            canary: None,
            trigger: Trigger::Manual,
            kind: DeployKind::Rollback,
            ..self.template.clone()
        }
    }

    /// The incident the tracker opens for the bad rollout, unless the user rolled
    /// back before it was opened.
    pub fn incident(&self, t: i64, rollback_at: Option<i64>) -> Option<Incident> {
        let created = self.start + INCIDENT_AFTER_SECS;
        let rolled = self.effective(rollback_at).filter(|&r| r <= t);
        if t < created || rolled.is_some_and(|r| r < created) {
            return None;
        }
        let resolved = rolled
            .map(|r| r + ROLLBACK_SECS + RESOLVE_AFTER_ROLLBACK_SECS)
            .filter(|&res| res <= t);
        Some(Incident {
            key: self.incident_key.clone(),
            service: self.template.service.clone(),
            title: sanitize(&format!(
                "Checkout: card payments failing (HTTP 500) since {}",
                self.template.version
            )),
            severity: sanitize("sev2"),
            created_at: ts(created),
            resolved_at: resolved.map(ts),
            linked_deployment: Some(self.template.id.clone()),
        })
    }

    /// Whether a rollback of `service` at `t` does anything; the reason when not.
    pub fn check_rollback(
        &self,
        service: &str,
        t: i64,
        rollback_at: Option<i64>,
    ) -> Result<(), String> {
        if service != LIVE_SERVICE {
            return Err(sanitize(&format!(
                "nothing to roll back for {service}: no rollout in progress"
            )));
        }
        if t < self.start {
            return Err(format!(
                "nothing to roll back for {LIVE_SERVICE} yet: the rollout has not started"
            ));
        }
        if self.effective(rollback_at).is_some() {
            return Err(format!("{LIVE_SERVICE} is already rolled back"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::catalog::PROFILES;
    use super::*;

    fn rollout() -> LiveRollout {
        let tip = Tip {
            version: (4, 30, 2),
            last_success: Some(("4.30.2".into(), "a".repeat(40))),
            next_seq: 1000,
            last_ship: 1_700_000_000 - 4 * HOUR,
        };
        LiveRollout::new(&Rng::new(1), 1_700_000_000, &PROFILES[0], &tip, 4321)
    }

    /// Lengths of the 5% and 25% steps.
    const A: i64 = CANARY_STEPS[0].1;
    const B: i64 = CANARY_STEPS[1].1;

    #[test]
    fn traffic_share_follows_the_steps() {
        let r = rollout();
        let s = r.start;
        assert_eq!(r.share_at(s - 1, None), 0.0);
        assert_eq!(r.share_at(s, None), 0.05);
        assert_eq!(r.share_at(s + A, None), 0.25);
        assert_eq!(r.share_at(s + A + B, None), 1.0);
        assert_eq!(r.share_at(s + 100_000, None), 1.0);
        assert_eq!(r.share_at(s + A + B + 10, Some(s + A + B + 5)), 0.0);
        // A "rollback" before the start is no rollback at all.
        assert_eq!(r.share_at(s + A + B + 10, Some(s - 5)), 1.0);
    }

    #[test]
    fn mean_share_integrates_the_steps_exactly() {
        let r = rollout();
        let s = r.start;
        // 10 s before the start, 10 s at 5%, over 20 s: 0.5/20 = 0.025.
        assert!((r.mean_share(s - 10, s + 10, None) - 0.025).abs() < 1e-12);
        // Across the 5% → 25% boundary: (5·0.05 + 10·0.25) / 15.
        let want = (5.0 * 0.05 + 10.0 * 0.25) / 15.0;
        assert!((r.mean_share(s + A - 5, s + A + 10, None) - want).abs() < 1e-12);
        // Rolled back 5 s into the 100% step, within a 15 s span starting 5 s before
        // it: 5 s at 25%, 5 s at 100%.
        let full = s + A + B;
        let want = (5.0 * 0.25 + 5.0 * 1.0) / 15.0;
        assert!((r.mean_share(full - 5, full + 10, Some(full + 5)) - want).abs() < 1e-12);
    }

    #[test]
    fn a_rollback_mid_step_cancels_it_and_skips_the_rest() {
        let r = rollout();
        let at = r.start + A + B / 3;
        let d = r.deployments(at + 5, Some(at));
        let stages: Vec<_> = d[0].stages.iter().map(|s| s.status).collect();
        assert_eq!(
            stages,
            [
                StageStatus::Success,
                StageStatus::Success,
                StageStatus::Success,
                StageStatus::Canceled,
                StageStatus::Skipped
            ]
        );
        assert_eq!(d[0].canary.as_ref().map(|c| c.traffic_percent), Some(25));
        assert_eq!(d[1].version, "4.30.2");
        assert_eq!(d[0].version, "4.31.0");
        assert!(d[0]
            .commits
            .iter()
            .all(|c| c.committed_at < d[0].started_at));
    }
}
