//! The pieces of one historical deployment: the commits it ships and the pipeline
//! stages it ran, with realistic durations and the outcome the history planned for it.

use crate::model::sanitize::sanitize;
use crate::model::{CanaryOutcome, CanaryResult, Change, DeployStatus, Stage, StageStatus};

use super::catalog::{ServiceProfile, GENERIC_TITLES, PEOPLE};
use super::rng::Rng;
use super::ts;

const HOUR: i64 = 3600;

/// How a planned deployment ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// The deploy job itself failed (image pull, helm timeout): no traffic harmed.
    Failed,
    /// Canary analysis at 5% found elevated errors and aborted the rollout.
    CanaryFailed,
    Canceled,
    /// Finished, looked fine, and was rolled back afterwards.
    RolledBack,
}

/// The stages a deployment ran and what they add up to.
#[derive(Debug, Clone)]
pub struct Pipeline {
    pub stages: Vec<Stage>,
    pub finished: i64,
    pub canary: Option<CanaryResult>,
    pub status: DeployStatus,
}

/// `n` commits merged in `(after, before)`, each committed hours to days before its
/// merge and sometimes authored earlier still (a rebase keeps the author date).
/// `review_scale` shortens the review wait (a team that adopted a merge queue).
pub fn commits(
    rng: &mut Rng,
    profile: &ServiceProfile,
    n: usize,
    after: i64,
    before: i64,
    review_scale: f64,
) -> Vec<Change> {
    let hi = before;
    let mut lo = after.max(before - 5 * 24 * HOUR);
    if lo > hi - 600 {
        lo = hi - HOUR;
    }
    let mut out: Vec<Change> = (0..n)
        .map(|_| {
            let merged = rng.range(lo, hi);
            // Squaring the uniform skews waits toward short ones with a long tail.
            let wait = rng.unit().powi(2) * profile.review_hours * review_scale;
            let committed = merged - 900 - (wait * HOUR as f64) as i64;
            let authored = if rng.chance(0.3) {
                committed - rng.range(600, 8 * HOUR)
            } else {
                committed
            };
            let direct_push = rng.chance(0.06);
            let title = if rng.chance(0.7) {
                rng.pick(profile.titles)
            } else {
                rng.pick(GENERIC_TITLES)
            };
            let mr = rng.range(1200, 4800);
            Change {
                sha: rng.hex(40),
                title: sanitize(&format!("{title} (!{mr})")),
                author: sanitize(rng.pick(PEOPLE)),
                authored_at: ts(authored),
                committed_at: ts(if direct_push { merged } else { committed }),
                merged_at: (!direct_push).then(|| ts(merged)),
            }
        })
        .collect();
    out.sort_by(|a, b| a.committed_at.cmp(&b.committed_at).then(a.sha.cmp(&b.sha)));
    out
}

fn stage(name: &str, status: StageStatus, from: i64, to: Option<i64>) -> Stage {
    Stage {
        name: sanitize(name),
        status,
        started_at: Some(ts(from)),
        finished_at: to.map(ts),
    }
}

fn skipped(name: &str) -> Stage {
    Stage {
        name: sanitize(name),
        status: StageStatus::Skipped,
        started_at: None,
        finished_at: None,
    }
}

/// Build and test, which ran before the deploy job started at `start`.
pub fn build_and_test(rng: &mut Rng, start: i64) -> Vec<Stage> {
    let test = rng.range(4 * 60, 14 * 60);
    let build = rng.range(2 * 60, 6 * 60);
    let test_start = start - test - rng.range(5, 40);
    vec![
        stage(
            "build",
            StageStatus::Success,
            test_start - build,
            Some(test_start),
        ),
        stage("test", StageStatus::Success, test_start, Some(start - 1)),
    ]
}

/// The deploy stage names of a service.
pub fn deploy_stage_names(canary: bool) -> &'static [&'static str] {
    if canary {
        &["canary 5%", "canary 25%", "canary 100%"]
    } else {
        &["deploy"]
    }
}

/// The whole pipeline of a deployment whose deploy job starts at `start`.
pub fn pipeline(rng: &mut Rng, canary: bool, start: i64, outcome: Outcome) -> Pipeline {
    let mut stages = build_and_test(rng, start);
    let names = deploy_stage_names(canary);
    // The stage where things stop, if they stop.
    let stop_at = match outcome {
        Outcome::Success | Outcome::RolledBack => None,
        Outcome::CanaryFailed | Outcome::Canceled => Some(0),
        Outcome::Failed => Some(rng.range(0, names.len() as i64 - 1) as usize),
    };
    let mut at = start;
    for (i, name) in names.iter().enumerate() {
        let full = if canary && i < 2 {
            rng.range(4 * 60, 8 * 60)
        } else {
            rng.range(60, 4 * 60)
        };
        match stop_at {
            Some(s) if i > s => stages.push(skipped(name)),
            Some(s) if i == s => {
                let (status, cut) = match outcome {
                    Outcome::Canceled => (StageStatus::Canceled, rng.range(30, 90)),
                    _ => (StageStatus::Failed, full / 2 + 20),
                };
                stages.push(stage(name, status, at, Some(at + cut)));
                at += cut;
            }
            _ => {
                stages.push(stage(name, StageStatus::Success, at, Some(at + full)));
                at += full;
            }
        }
    }
    let (status, canary_result) = match outcome {
        Outcome::Success => (DeployStatus::Success, passed(canary)),
        Outcome::RolledBack => (DeployStatus::RolledBack, passed(canary)),
        Outcome::Failed => (DeployStatus::Failed, None),
        Outcome::Canceled => (DeployStatus::Canceled, None),
        Outcome::CanaryFailed => (
            DeployStatus::Failed,
            Some(CanaryResult {
                traffic_percent: 5,
                outcome: CanaryOutcome::Failed,
            }),
        ),
    };
    Pipeline {
        stages,
        finished: at,
        canary: canary_result,
        status,
    }
}

fn passed(canary: bool) -> Option<CanaryResult> {
    canary.then_some(CanaryResult {
        traffic_percent: 100,
        outcome: CanaryOutcome::Passed,
    })
}

/// A rollback job: one stage that re-pins the previous version.
pub fn rollback_pipeline(start: i64, seconds: i64, done_by: Option<i64>) -> Vec<Stage> {
    let end = start + seconds;
    match done_by {
        Some(now) if now < end => vec![stage("rollback", StageStatus::Running, start, None)],
        _ => vec![stage("rollback", StageStatus::Success, start, Some(end))],
    }
}

#[cfg(test)]
mod tests {
    use super::super::catalog::PROFILES;
    use super::*;

    #[test]
    fn commits_precede_the_deadline_and_are_sorted() {
        let mut rng = Rng::new(3);
        let before = 1_700_000_000;
        let cs = commits(&mut rng, &PROFILES[0], 25, before - 86_400, before, 1.0);
        assert_eq!(cs.len(), 25);
        for c in &cs {
            assert!(c.committed_at <= ts(before));
            assert!(c.authored_at <= c.committed_at);
            if let Some(m) = c.merged_at {
                assert!(c.committed_at <= m && m <= ts(before));
            }
        }
        assert!(cs
            .windows(2)
            .all(|w| w[0].committed_at <= w[1].committed_at));
    }

    #[test]
    fn a_failed_canary_stops_at_five_percent() {
        let mut rng = Rng::new(5);
        let p = pipeline(&mut rng, true, 1_700_000_000, Outcome::CanaryFailed);
        let names: Vec<_> = p
            .stages
            .iter()
            .map(|s| (s.name.as_str(), s.status))
            .collect();
        assert_eq!(
            names,
            vec![
                ("build", StageStatus::Success),
                ("test", StageStatus::Success),
                ("canary 5%", StageStatus::Failed),
                ("canary 25%", StageStatus::Skipped),
                ("canary 100%", StageStatus::Skipped),
            ]
        );
        assert_eq!(p.status, DeployStatus::Failed);
        assert_eq!(p.canary.map(|c| c.outcome), Some(CanaryOutcome::Failed));
    }

    #[test]
    fn a_successful_deploy_ends_after_its_last_stage() {
        let mut rng = Rng::new(9);
        let start = 1_700_000_000;
        let p = pipeline(&mut rng, false, start, Outcome::Success);
        let last = p.stages.last().and_then(|s| s.finished_at);
        assert_eq!(last, Some(ts(p.finished)));
        assert!(p.finished > start);
        assert!(p.canary.is_none());
    }
}
