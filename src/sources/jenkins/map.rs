//! A Jenkins build → a [`Deployment`] (DESIGN §2), or a [`Rejected`] record with the
//! reason when a field the model needs is missing.
//!
//! - `timestamp` is when the build was scheduled (the start is not exported), so it is
//!   read as the start; the finish is `timestamp + duration`.
//! - A build with a null `result` (or `building: true`) is running: no finish yet.
//! - SUCCESS → success; FAILURE and UNSTABLE → failed (an unstable deploy did not
//!   deploy cleanly); ABORTED and NOT_BUILT → canceled (left out of the change failure
//!   rate, as DESIGN §3 asks of canceled deployments).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration};

use super::api::{Build, Entry, RunDescription, StageDescription};
use super::path::display_name;
use crate::config::JenkinsJob;
use crate::model::outside::OutsideText;
use crate::model::{
    environment, Change, DeployKind, DeployStatus, Deployment, Rejected, Stage, StageStatus,
    Trigger, Ts,
};

/// The source id in events, the header and every record.
pub const SOURCE: &str = "jenkins";

/// What one build became.
pub type Mapped = Result<Deployment, Rejected>;

/// The model's id of a build: unique across jobs and sources.
pub fn deployment_id(job: &str, number: u64) -> String {
    OutsideText::line(&format!("{SOURCE}:{job}#{number}")).into_string()
}

/// Maps one build of `job`. `aliases` are `[environments.aliases]`.
pub fn map_build(job: &JenkinsJob, build: &Build, aliases: &BTreeMap<String, String>) -> Mapped {
    let name = display_name(&job.job);
    let reject = |record: String, reason: String| Rejected {
        source: SOURCE.to_string(),
        record: OutsideText::line(&record).into_string(),
        reason: OutsideText::line(&reason).into_string(),
    };
    let Some(number) = build.number else {
        return Err(reject(
            format!("job {name}, a build"),
            "no build number".into(),
        ));
    };
    let record = format!("job {name} #{number}");
    let started_at = match build.timestamp.and_then(from_ms) {
        Some(t) => t,
        None => {
            return Err(reject(
                record,
                "no timestamp (when it was scheduled)".into(),
            ))
        }
    };
    let running = build.result.is_none() || build.building == Some(true);
    let status = if running {
        DeployStatus::Running
    } else {
        match build.result.as_deref().map(status_of) {
            Some(Some(s)) => s,
            _ => {
                return Err(reject(
                    record,
                    format!(
                        "unknown result {:?}",
                        build.result.as_deref().unwrap_or_default()
                    ),
                ))
            }
        }
    };
    let finished_at = if running {
        None
    } else {
        match build.duration {
            Some(ms) if ms >= 0 => Some(started_at + Duration::milliseconds(ms)),
            _ => return Err(reject(record, "finished, but no duration".into())),
        }
    };
    let params = parameters(build);
    let environment = match (&job.environment, &job.environment_param) {
        (Some(env), _) => env.clone(),
        (None, Some(param)) => match params.get(param.as_str()) {
            Some(v) if !v.trim().is_empty() => v.clone(),
            _ => {
                return Err(reject(
                    record,
                    format!("no build parameter {param} (environment_param)"),
                ))
            }
        },
        (None, None) => match job.environment_from_name() {
            Some(env) => env,
            None => return Err(reject(record, "the job's name names no environment".into())),
        },
    };
    let version = match &job.version_param {
        Some(param) => match params.get(param.as_str()) {
            Some(v) if !v.trim().is_empty() => v.clone(),
            _ => {
                return Err(reject(
                    record,
                    format!("no build parameter {param} (version_param)"),
                ))
            }
        },
        None => version_from_name(&job.job)
            .or_else(|| build.display_name.as_ref().map(|d| d.to_string()))
            .unwrap_or_else(|| format!("#{number}")),
    };
    let commits = commits(build);
    let sha = revision(build)
        .or_else(|| commits.last().map(|c| c.sha.clone()))
        .unwrap_or_default();
    let (deployer, trigger) = cause(build);
    Ok(Deployment {
        id: deployment_id(&job.job, number),
        source: SOURCE.to_string(),
        service: OutsideText::line(&job.service).into_string(),
        environment: environment::normalize(&OutsideText::line(&environment), aliases),
        version: OutsideText::line(&version).into_string(),
        sha,
        status,
        started_at,
        finished_at,
        deployer,
        url: build.url.as_ref().map(|u| u.to_string()),
        commits,
        stages: Vec::new(),
        canary: None,
        trigger,
        kind: DeployKind::Normal,
    })
}

fn status_of(result: &str) -> Option<DeployStatus> {
    Some(match result {
        "SUCCESS" => DeployStatus::Success,
        "FAILURE" | "UNSTABLE" => DeployStatus::Failed,
        "ABORTED" | "NOT_BUILT" => DeployStatus::Canceled,
        _ => return None,
    })
}

fn from_ms(ms: i64) -> Option<Ts> {
    (ms > 0)
        .then(|| DateTime::from_timestamp_millis(ms))
        .flatten()
}

/// Build parameters by name (`actions[].parameters`), values as text.
fn parameters(build: &Build) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for p in build
        .actions
        .iter()
        .flatten()
        .filter_map(|a| a.parameters.as_ref())
        .flatten()
    {
        let (Some(name), Some(value)) = (&p.name, &p.value) else {
            continue;
        };
        let text = match value {
            serde_json::Value::String(s) => OutsideText::line(s).into_string(),
            serde_json::Value::Bool(_) | serde_json::Value::Number(_) => value.to_string(),
            _ => continue,
        };
        out.insert(name.to_string(), text);
    }
    out
}

/// A multibranch branch's name as its version when it holds a digit
/// (`release%2F1.2` → `release/1.2`); `None` for names like `main` or `deploy`.
fn version_from_name(job: &str) -> Option<String> {
    let last = job.rsplit('/').next()?;
    let shown = display_name(last);
    (last.contains("%2F") && shown.chars().any(|c| c.is_ascii_digit())).then_some(shown)
}

/// The revision the git plugin built (`lastBuiltRevision.SHA1`).
fn revision(build: &Build) -> Option<String> {
    build
        .actions
        .iter()
        .flatten()
        .filter_map(|a| a.last_built_revision.as_ref()?.sha1.as_ref())
        .map(|s| s.to_string())
        .find(|s| !s.is_empty())
}

/// Who started it: a user (manual) or anything else (an SCM push, a timer, an
/// upstream job: automatic).
fn cause(build: &Build) -> (String, Trigger) {
    let user = build
        .actions
        .iter()
        .flatten()
        .filter_map(|a| a.causes.as_ref())
        .flatten()
        .find_map(|c| c.user_name.as_ref().or(c.user_id.as_ref()));
    match user {
        Some(u) => (u.to_string(), Trigger::Manual),
        None => (SOURCE.to_string(), Trigger::Auto),
    }
}

/// The commits of both change-set shapes (freestyle `changeSet`, pipeline
/// `changeSets`), each once. An entry without an id or a time (`timestamp: -1`)
/// cannot give a lead time and is left out.
fn commits(build: &Build) -> Vec<Change> {
    let entries = build
        .change_set
        .iter()
        .chain(build.change_sets.iter().flatten())
        .flat_map(|s| s.items.iter());
    let mut out: Vec<Change> = Vec::new();
    for entry in entries {
        let Some(change) = change(entry) else {
            continue;
        };
        if !out.iter().any(|c| c.sha == change.sha) {
            out.push(change);
        }
    }
    out
}

fn change(entry: &Entry) -> Option<Change> {
    let sha = entry.commit_id.as_ref().filter(|s| !s.is_empty())?;
    let at = entry.timestamp.and_then(from_ms)?;
    Some(Change {
        sha: sha.to_string(),
        title: entry
            .msg
            .as_ref()
            .map(|m| m.to_string())
            .unwrap_or_default(),
        author: entry
            .author
            .as_ref()
            .and_then(|a| a.full_name.as_ref())
            .map(|n| n.to_string())
            .unwrap_or_default(),
        authored_at: at,
        committed_at: at,
        merged_at: None,
    })
}

/// How many change-set entries [`commits`] had to leave out (no id or no time).
pub fn commits_without_time(build: &Build) -> usize {
    build
        .change_set
        .iter()
        .chain(build.change_sets.iter().flatten())
        .flat_map(|s| s.items.iter())
        .filter(|e| change(e).is_none())
        .count()
}

/// A run's stages from `wfapi/describe`; a stage still running has no finish.
pub fn stages(description: &RunDescription) -> Vec<Stage> {
    description.stages.iter().map(stage).collect()
}

fn stage(s: &StageDescription) -> Stage {
    let status = match s.status.as_deref().unwrap_or("") {
        "SUCCESS" => StageStatus::Success,
        "FAILED" | "UNSTABLE" => StageStatus::Failed,
        "ABORTED" => StageStatus::Canceled,
        "IN_PROGRESS" => StageStatus::Running,
        "PAUSED_PENDING_INPUT" => StageStatus::Pending,
        _ => StageStatus::Skipped,
    };
    let started_at = s.start_time_millis.and_then(from_ms);
    let finished_at = match (status, started_at, s.duration_millis) {
        (StageStatus::Running | StageStatus::Pending, _, _) => None,
        (_, Some(start), Some(ms)) if ms >= 0 => Some(start + Duration::milliseconds(ms)),
        _ => None,
    };
    Stage {
        name: s
            .name
            .as_ref()
            .map(|n| n.to_string())
            .unwrap_or_else(|| "stage".into()),
        status,
        started_at,
        finished_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job() -> JenkinsJob {
        JenkinsJob {
            job: "team/deploy/checkout".into(),
            service: "checkout".into(),
            environment_param: Some("TARGET".into()),
            version_param: Some("VERSION".into()),
            ..Default::default()
        }
    }

    fn build(json: serde_json::Value) -> Build {
        serde_json::from_value(json).expect("a build")
    }

    fn finished(result: &str) -> Build {
        build(serde_json::json!({
            "number": 7, "result": result, "building": false,
            "timestamp": 1_700_000_000_000_i64, "duration": 90_000,
            "actions": [{"parameters": [{"name": "TARGET", "value": "prd"},
                                        {"name": "VERSION", "value": "1.4.0"}]}]
        }))
    }

    #[test]
    fn every_result_maps_to_one_status() {
        let none = BTreeMap::new();
        for (result, status) in [
            ("SUCCESS", DeployStatus::Success),
            ("FAILURE", DeployStatus::Failed),
            ("UNSTABLE", DeployStatus::Failed),
            ("ABORTED", DeployStatus::Canceled),
            ("NOT_BUILT", DeployStatus::Canceled),
        ] {
            let d = map_build(&job(), &finished(result), &none).expect(result);
            assert_eq!(d.status, status, "{result}");
            assert_eq!(d.environment, "production");
            assert_eq!(d.version, "1.4.0");
            assert_eq!(
                d.finished_at.expect("finished") - d.started_at,
                Duration::seconds(90)
            );
        }
        let odd = map_build(&job(), &finished("WEIRD"), &none).expect_err("unknown");
        assert!(odd.reason.contains("WEIRD"), "{}", odd.reason);
        assert_eq!(odd.record, "job team/deploy/checkout #7");
    }

    #[test]
    fn a_missing_parameter_or_time_rejects_with_the_reason() {
        let none = BTreeMap::new();
        let mut b = finished("SUCCESS");
        b.actions.clear();
        let r = map_build(&job(), &b, &none).expect_err("no TARGET");
        assert!(r.reason.contains("TARGET"), "{}", r.reason);
        let mut b = finished("SUCCESS");
        b.timestamp = None;
        assert!(map_build(&job(), &b, &none).is_err());
    }

    #[test]
    fn versions_come_from_a_branch_name_or_the_display_name() {
        assert_eq!(
            version_from_name("team/checkout/release%2F1.2").as_deref(),
            Some("release/1.2")
        );
        assert_eq!(version_from_name("team/checkout/main"), None);
        assert_eq!(version_from_name("team/deploy-2"), None);
    }
}
