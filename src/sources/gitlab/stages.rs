//! Stage durations from a pipeline's jobs (API-NOTES §2.5). REST has no stage
//! object: a stage runs from its jobs' earliest start to their latest finish. Of a
//! retried job only the latest attempt counts; a manual job nobody started is
//! pending, so its stage is not finished.

use std::collections::BTreeMap;

use super::api::ApiJob;
use super::map::time;
use crate::model::{Stage, StageStatus};

/// The stages of a pipeline from its jobs (any order, retried attempts included), in
/// pipeline order (a stage's jobs are created before the next stage's: lowest job id
/// first). Jobs without an id or a stage name are left out.
pub fn from_jobs(jobs: &[ApiJob]) -> Vec<Stage> {
    // The latest attempt of each job: the highest id of a (stage, name).
    let mut latest: BTreeMap<(&str, &str), &ApiJob> = BTreeMap::new();
    for job in jobs {
        let (Some(id), Some(stage)) = (job.id, non_empty(&job.stage)) else {
            continue;
        };
        let name = non_empty(&job.name).unwrap_or("");
        let slot = latest.entry((stage, name)).or_insert(job);
        if slot.id.is_some_and(|kept| kept < id) {
            *slot = job;
        }
    }
    // stage name → (lowest job id, its jobs)
    let mut by_stage: BTreeMap<&str, (u64, Vec<&ApiJob>)> = BTreeMap::new();
    for ((stage, _), job) in latest {
        let id = job.id.unwrap_or(u64::MAX);
        let entry = by_stage.entry(stage).or_insert((id, Vec::new()));
        entry.0 = entry.0.min(id);
        entry.1.push(job);
    }
    let mut ordered: Vec<(u64, &str, Vec<&ApiJob>)> = by_stage
        .into_iter()
        .map(|(name, (first, jobs))| (first, name, jobs))
        .collect();
    ordered.sort_by_key(|(first, _, _)| *first);
    ordered
        .into_iter()
        .map(|(_, name, jobs)| stage(name, &jobs))
        .collect()
}

fn stage(name: &str, jobs: &[&ApiJob]) -> Stage {
    let statuses: Vec<StageStatus> = jobs.iter().map(|j| job_status(j)).collect();
    let any = |s: StageStatus| statuses.contains(&s);
    let status = [
        StageStatus::Running,
        StageStatus::Failed,
        StageStatus::Canceled,
        StageStatus::Pending,
    ]
    .into_iter()
    .find(|s| any(*s))
    .unwrap_or(if statuses.iter().all(|s| *s == StageStatus::Skipped) {
        StageStatus::Skipped
    } else {
        StageStatus::Success
    });
    let started_at = jobs
        .iter()
        .filter_map(|j| time(&j.started_at).ok().flatten())
        .min();
    let finished_at = match status {
        StageStatus::Running | StageStatus::Pending => None,
        _ => jobs
            .iter()
            .filter_map(|j| time(&j.finished_at).ok().flatten())
            .max(),
    };
    Stage {
        name: name.to_string(),
        status,
        started_at,
        finished_at,
    }
}

/// GitLab's job statuses. `manual` and `scheduled` wait for someone or something:
/// pending. A failure that is allowed does not fail the stage.
fn job_status(job: &ApiJob) -> StageStatus {
    match job.status.as_deref() {
        Some("success") => StageStatus::Success,
        Some("failed") if job.allow_failure == Some(true) => StageStatus::Success,
        Some("failed") => StageStatus::Failed,
        Some("canceled" | "canceling") => StageStatus::Canceled,
        Some("skipped") => StageStatus::Skipped,
        Some("running") => StageStatus::Running,
        _ => StageStatus::Pending,
    }
}

fn non_empty(s: &Option<crate::model::outside::OutsideText>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn job(id: u64, stage: &str, name: &str, status: &str, span: Option<(u32, u32)>) -> ApiJob {
        let at = |m: u32| Some(format!("2026-03-01T12:{m:02}:00Z").as_str().into());
        ApiJob {
            id: Some(id),
            stage: Some(stage.into()),
            name: Some(name.into()),
            status: Some(status.into()),
            started_at: span.and_then(|(s, _)| at(s)),
            finished_at: span.and_then(|(_, f)| at(f)),
            ..Default::default()
        }
    }

    fn at(m: u32) -> Option<DateTime<Utc>> {
        Some(
            DateTime::parse_from_rfc3339(&format!("2026-03-01T12:{m:02}:00Z"))
                .expect("time")
                .with_timezone(&Utc),
        )
    }

    #[test]
    fn a_stage_runs_from_its_earliest_start_to_its_latest_finish_in_pipeline_order() {
        // Jobs come sorted by id desc, as GitLab lists them.
        let jobs = [
            job(9, "deploy", "deploy: [eu]", "success", Some((20, 31))),
            job(8, "deploy", "deploy: [us]", "success", Some((21, 26))),
            job(5, "test", "lint", "success", Some((10, 12))),
            job(4, "test", "unit", "success", Some((9, 18))),
            job(2, "build", "build", "success", Some((1, 8))),
        ];
        let stages = from_jobs(&jobs);
        let names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["build", "test", "deploy"]);
        assert_eq!(
            (stages[1].started_at, stages[1].finished_at),
            (at(9), at(18))
        );
        assert_eq!(
            (stages[2].started_at, stages[2].finished_at),
            (at(20), at(31))
        );
        assert!(stages.iter().all(|s| s.status == StageStatus::Success));
    }

    #[test]
    fn a_retried_job_counts_by_its_latest_attempt_only() {
        let jobs = [
            job(3, "test", "unit", "failed", Some((0, 5))),
            job(7, "test", "unit", "success", Some((10, 14))),
        ];
        let stages = from_jobs(&jobs);
        assert_eq!(stages.len(), 1);
        assert_eq!(stages[0].status, StageStatus::Success);
        assert_eq!(
            (stages[0].started_at, stages[0].finished_at),
            (at(10), at(14))
        );
        // Whatever the order they are listed in.
        let reversed: Vec<ApiJob> = jobs.iter().rev().cloned().collect();
        assert_eq!(from_jobs(&reversed), stages);
    }

    #[test]
    fn a_manual_job_not_started_leaves_its_stage_pending_and_unfinished() {
        let jobs = [
            job(5, "deploy", "deploy", "manual", None),
            job(4, "deploy", "smoke", "success", Some((3, 4))),
        ];
        let stages = from_jobs(&jobs);
        assert_eq!(stages[0].status, StageStatus::Pending);
        assert_eq!(stages[0].finished_at, None);
        assert_eq!(stages[0].started_at, at(3));
    }

    #[test]
    fn the_stage_status_is_its_worst_jobs() {
        use StageStatus::*;
        let mut allowed = job(2, "s", "b", "failed", Some((0, 1)));
        allowed.allow_failure = Some(true);
        let cases: Vec<(Vec<ApiJob>, StageStatus)> = vec![
            (
                vec![
                    job(1, "s", "a", "running", Some((0, 0))),
                    job(2, "s", "b", "failed", Some((0, 1))),
                ],
                Running,
            ),
            (
                vec![
                    job(1, "s", "a", "success", Some((0, 1))),
                    job(2, "s", "b", "failed", Some((0, 1))),
                ],
                Failed,
            ),
            (
                vec![job(1, "s", "a", "success", Some((0, 1))), allowed],
                Success,
            ),
            (
                vec![
                    job(1, "s", "a", "canceled", None),
                    job(2, "s", "b", "success", Some((0, 1))),
                ],
                Canceled,
            ),
            (
                vec![
                    job(1, "s", "a", "skipped", None),
                    job(2, "s", "b", "skipped", None),
                ],
                Skipped,
            ),
            (
                vec![
                    job(1, "s", "a", "skipped", None),
                    job(2, "s", "b", "success", Some((0, 1))),
                ],
                Success,
            ),
            (vec![job(1, "s", "a", "created", None)], Pending),
        ];
        for (jobs, expected) in cases {
            assert_eq!(from_jobs(&jobs)[0].status, expected, "{jobs:?}");
        }
        assert!(from_jobs(&[]).is_empty());
    }
}
