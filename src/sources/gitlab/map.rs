//! GitLab records → the domain model (DESIGN §2). Pure functions: a record that lacks
//! a field the model needs is rejected with the reason, never half-used.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::api::{ApiCommit, ApiDeployment, ApiJob};
use crate::model::environment::normalize;
use crate::model::outside::OutsideText;
use crate::model::{Change, DeployStatus, Deployment, Rejected, Stage, StageStatus, Trigger, Ts};

/// The source id of GitLab deployments in events, ids and the header.
pub const SOURCE_ID: &str = "gitlab";

/// Where a record was read: what the config says about it.
#[derive(Debug, Clone)]
pub struct Origin<'a> {
    pub project: &'a str,
    pub service: &'a str,
    /// The environment name the request asked for (used when a record has none).
    pub environment: &'a str,
    pub aliases: &'a BTreeMap<String, String>,
    /// Which refs and versions are hotfixes.
    pub hotfix: &'a crate::sources::kind::HotfixRules,
}

/// The model's id of a GitLab deployment (deployment ids are unique per instance).
pub fn deployment_id(id: u64) -> String {
    format!("{SOURCE_ID}:{id}")
}

/// A deployment record mapped, or rejected with the reason.
pub fn deployment(d: &ApiDeployment, origin: &Origin<'_>) -> Result<Deployment, Rejected> {
    let record = match d.id {
        Some(id) => format!("{} deployment {id}", origin.project),
        None => format!("{} deployment without id", origin.project),
    };
    let reject = |reason: String| Rejected {
        source: SOURCE_ID.to_string(),
        record: OutsideText::line(&record).into_string(),
        reason: OutsideText::line(&reason).into_string(),
    };
    let id = d.id.ok_or_else(|| reject("no id".into()))?;
    let sha = non_empty(&d.sha).ok_or_else(|| reject("no sha".into()))?;
    let status_word = non_empty(&d.status).ok_or_else(|| reject("no status".into()))?;
    let status =
        status(status_word).ok_or_else(|| reject(format!("unknown status {status_word:?}")))?;
    let job = d.deployable.as_ref();
    let created = time(&d.created_at).map_err(|e| reject(format!("created_at {e}")))?;
    let updated = time(&d.updated_at).map_err(|e| reject(format!("updated_at {e}")))?;
    let job_started = job
        .map(|j| time(&j.started_at))
        .transpose()
        .map_err(|e| reject(format!("deployable.started_at {e}")))?
        .flatten();
    let job_finished = job
        .map(|j| time(&j.finished_at))
        .transpose()
        .map_err(|e| reject(format!("deployable.finished_at {e}")))?
        .flatten();
    let started_at = job_started
        .or(created)
        .ok_or_else(|| reject("no start time (created_at)".into()))?;
    // No top-level finished_at exists: the job's finish, else (no job: a deployment
    // made through the API) the last update of a finished record.
    let finished_at = match status {
        DeployStatus::Running => None,
        _ => Some(
            job_finished
                .or(updated)
                .ok_or_else(|| reject("finished, but no finish time".into()))?
                .max(started_at),
        ),
    };
    let version = version(d, sha);
    let hotfix = origin.hotfix.is_hotfix(non_empty(&d.git_ref), &version);
    let environment = non_empty(&d.environment.as_ref().and_then(|e| e.name.clone()))
        .map_or_else(|| origin.environment.to_string(), str::to_string);
    Ok(Deployment {
        id: deployment_id(id),
        source: SOURCE_ID.to_string(),
        service: OutsideText::line(origin.service).into_string(),
        environment: normalize(&environment, origin.aliases),
        version,
        sha: sha.to_string(),
        status,
        started_at,
        finished_at,
        deployer: non_empty(&d.user.as_ref().and_then(|u| u.username.clone()))
            .unwrap_or("unknown")
            .to_string(),
        url: job
            .and_then(|j| j.web_url.as_ref())
            .map(|u| u.0.to_string()),
        commits: Vec::new(),
        stages: job.map(stage).into_iter().collect(),
        canary: None,
        trigger: Trigger::Auto,
        // A rollback is known only beside the other deployments (the source's).
        kind: crate::sources::kind::kind(false, hotfix),
    })
}

/// GitLab's deployment statuses. `blocked` waits for an approval or a manual job:
/// not finished. `skipped` never shipped anything.
pub fn status(word: &str) -> Option<DeployStatus> {
    Some(match word {
        "created" | "running" | "blocked" => DeployStatus::Running,
        "success" => DeployStatus::Success,
        "failed" => DeployStatus::Failed,
        "canceled" | "skipped" => DeployStatus::Canceled,
        _ => return None,
    })
}

/// A tag deploys its name; a branch deploys `ref@short-sha`, so two deploys of `main`
/// are told apart.
fn version(d: &ApiDeployment, sha: &str) -> String {
    let short: String = sha.chars().take(8).collect();
    let is_tag = d.deployable.as_ref().and_then(|j| j.tag) == Some(true);
    match non_empty(&d.git_ref) {
        Some(r) if is_tag => r.to_string(),
        Some(r) => OutsideText::line(&format!("{r}@{short}")).into_string(),
        None => short,
    }
}

/// The deploy job as the deployment's one known stage (pipeline jobs come later).
fn stage(job: &ApiJob) -> Stage {
    let name = non_empty(&job.stage)
        .or(non_empty(&job.name))
        .unwrap_or("deploy");
    Stage {
        name: name.to_string(),
        status: match job.status.as_deref() {
            Some("success") => StageStatus::Success,
            Some("failed") => StageStatus::Failed,
            Some("canceled") => StageStatus::Canceled,
            Some("skipped" | "manual") => StageStatus::Skipped,
            Some("running") => StageStatus::Running,
            _ => StageStatus::Pending,
        },
        started_at: time(&job.started_at).ok().flatten(),
        finished_at: time(&job.finished_at).ok().flatten(),
    }
}

/// A commit of a compare or commits list; `None` without an id or dates.
pub fn change(c: &ApiCommit) -> Option<Change> {
    let sha = non_empty(&c.id)?;
    let committed = time(&c.committed_date)
        .ok()
        .flatten()
        .or(time(&c.created_at).ok().flatten())?;
    let authored = time(&c.authored_date).ok().flatten().unwrap_or(committed);
    Some(Change {
        sha: sha.to_string(),
        title: c.title.as_deref().unwrap_or("").to_string(),
        author: c.author_name.as_deref().unwrap_or("").to_string(),
        authored_at: authored,
        committed_at: committed,
        merged_at: None,
    })
}

fn non_empty(s: &Option<OutsideText>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// An optional ISO 8601 time; present but unreadable is an error (named).
pub(super) fn time(s: &Option<OutsideText>) -> Result<Option<Ts>, String> {
    match non_empty(s) {
        None => Ok(None),
        Some(t) => DateTime::parse_from_rfc3339(t)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| format!("is not an ISO 8601 time: {t:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DeployKind;

    fn origin(aliases: &BTreeMap<String, String>) -> Origin<'_> {
        static NO_HOTFIX: crate::sources::kind::HotfixRules = crate::sources::kind::HotfixRules {
            ref_pattern: None,
            version_pattern: None,
        };
        Origin {
            project: "group/app",
            service: "checkout",
            environment: "production",
            aliases,
            hotfix: &NO_HOTFIX,
        }
    }

    /// The documented example record (API-NOTES §2.4).
    fn documented() -> ApiDeployment {
        serde_json::from_str(
            r#"{"id":41,"iid":1,"ref":"main","sha":"99d03678b90d914dbb1b109132516d71a4a03ea8",
  "created_at":"2016-08-11T07:36:40.222Z","updated_at":"2016-08-11T07:38:12.414Z","status":"success",
  "user":{"id":1,"name":"Administrator","username":"root","state":"active"},
  "environment":{"id":9,"name":"prod","external_url":"https://about.gitlab.com"},
  "deployable":{"id":657,"status":"success","stage":"deploy","name":"deploy","ref":"main","tag":false,
    "created_at":"2016-08-11T07:36:27.357Z","started_at":null,"finished_at":"2016-08-11T07:36:39.851Z",
    "web_url":"https://gitlab.example.com/group/app/-/jobs/657",
    "pipeline":{"id":36,"status":"success"},"user":{"id":1},"runner":null,"coverage":null}}"#,
        )
        .expect("the documented record parses")
    }

    fn at(s: &str) -> Ts {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn the_documented_record_maps_field_by_field() {
        let none = BTreeMap::new();
        let d = deployment(&documented(), &origin(&none)).expect("maps");
        assert_eq!(d.id, "gitlab:41");
        assert_eq!(d.source, "gitlab");
        assert_eq!(d.service, "checkout");
        assert_eq!(d.environment, "production", "prod is an alias");
        assert_eq!(d.version, "main@99d03678");
        assert_eq!(d.status, DeployStatus::Success);
        // No job start: the deployment's creation.
        assert_eq!(d.started_at, at("2016-08-11T07:36:40.222Z"));
        // The job's finish, not updated_at; never before the start.
        assert_eq!(d.finished_at, Some(at("2016-08-11T07:36:40.222Z")));
        assert_eq!(d.deployer, "root");
        assert_eq!(
            d.url.as_deref(),
            Some("https://gitlab.example.com/group/app/-/jobs/657")
        );
        assert_eq!(d.stages.len(), 1);
        assert_eq!(d.stages[0].status, StageStatus::Success);
    }

    #[test]
    fn finish_is_the_jobs_and_updated_at_only_without_a_job() {
        let none = BTreeMap::new();
        let mut r = documented();
        r.created_at = Some("2016-08-11T07:30:00Z".into());
        let d = deployment(&r, &origin(&none)).expect("maps");
        assert_eq!(d.finished_at, Some(at("2016-08-11T07:36:39.851Z")));
        r.deployable = None;
        let d = deployment(&r, &origin(&none)).expect("maps");
        assert_eq!(d.finished_at, Some(at("2016-08-11T07:38:12.414Z")));
        assert_eq!(d.url, None);
        assert!(d.stages.is_empty());
        r.status = Some("running".into());
        let d = deployment(&r, &origin(&none)).expect("maps");
        assert_eq!(d.finished_at, None);
    }

    #[test]
    fn every_status_maps_and_an_unknown_one_is_rejected() {
        for (word, expected) in [
            ("created", DeployStatus::Running),
            ("running", DeployStatus::Running),
            ("blocked", DeployStatus::Running),
            ("success", DeployStatus::Success),
            ("failed", DeployStatus::Failed),
            ("canceled", DeployStatus::Canceled),
            ("skipped", DeployStatus::Canceled),
        ] {
            assert_eq!(status(word), Some(expected), "{word}");
        }
        let none = BTreeMap::new();
        let mut r = documented();
        r.status = Some("exploded".into());
        let e = deployment(&r, &origin(&none)).expect_err("unknown status");
        assert!(e.reason.contains("exploded"), "{}", e.reason);
    }

    #[test]
    fn a_record_missing_a_required_field_is_rejected_with_the_reason() {
        let none = BTreeMap::new();
        type Breaker = fn(&mut ApiDeployment);
        let cases: Vec<(&str, Breaker)> = vec![
            ("no sha", |r| r.sha = None),
            ("no sha", |r| r.sha = Some("  ".into())),
            ("no id", |r| r.id = None),
            ("no status", |r| r.status = None),
            ("created_at is not an ISO 8601 time", |r| {
                r.created_at = Some("yesterday".into())
            }),
            ("no start time", |r| {
                r.created_at = None;
                r.deployable = None;
            }),
        ];
        for (reason, break_it) in cases {
            let mut r = documented();
            break_it(&mut r);
            let e = deployment(&r, &origin(&none)).expect_err(reason);
            assert!(e.reason.starts_with(reason), "{reason}: {e:?}");
            assert_eq!(e.source, "gitlab");
            assert!(e.record.starts_with("group/app deployment"), "{e:?}");
        }
    }

    #[test]
    fn a_hotfix_is_known_by_the_configured_ref_or_version_pattern() {
        let none = BTreeMap::new();
        let rules = crate::sources::kind::HotfixRules::new(Some("hotfix/*"), Some("*-hf*"));
        let origin = Origin {
            hotfix: &rules,
            ..origin(&none)
        };
        let mut r = documented();
        assert_eq!(
            deployment(&r, &origin).expect("maps").kind,
            DeployKind::Normal
        );
        r.git_ref = Some("hotfix/login".into());
        assert_eq!(
            deployment(&r, &origin).expect("maps").kind,
            DeployKind::Hotfix
        );
        r.git_ref = Some("v1.4.2-hf1".into());
        if let Some(j) = r.deployable.as_mut() {
            j.tag = Some(true);
        }
        assert_eq!(
            deployment(&r, &origin).expect("maps").kind,
            DeployKind::Hotfix
        );
    }

    #[test]
    fn a_tag_deploys_its_name() {
        let none = BTreeMap::new();
        let mut r = documented();
        r.git_ref = Some("v1.4.2".into());
        if let Some(j) = r.deployable.as_mut() {
            j.tag = Some(true);
        }
        assert_eq!(
            deployment(&r, &origin(&none)).expect("maps").version,
            "v1.4.2"
        );
    }

    #[test]
    fn a_commit_takes_authored_and_committed_dates() {
        let c: ApiCommit = serde_json::from_str(
            r#"{"id":"abc","title":"fix","author_name":"Ann","authored_date":"2026-01-01T10:00:00+02:00","committed_date":"2026-01-02T00:00:00Z","created_at":"2026-01-02T00:00:00Z"}"#,
        )
        .expect("parses");
        let ch = change(&c).expect("maps");
        assert_eq!(ch.authored_at, at("2026-01-01T08:00:00Z"));
        assert_eq!(ch.committed_at, at("2026-01-02T00:00:00Z"));
        assert_eq!(change(&ApiCommit::default()), None);
    }
}
