//! Which deployments of a service and environment were running at an instant.

use chrono::SecondsFormat;
use serde::Serialize;

use crate::model::{DeployStatus, Deployment, Ts};

/// A deployment in progress at the gate's instant: a second one must wait for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunningDeployment {
    pub id: String,
    pub version: String,
    pub started_at: Ts,
}

impl RunningDeployment {
    pub fn describe(&self) -> String {
        format!(
            "{} (version {}) running since {}",
            self.id,
            self.version,
            self.started_at.to_rfc3339_opts(SecondsFormat::Secs, true)
        )
    }
}

/// The deployments of `service` in the normalized environment `env` that were running
/// at `at`: started at or before it and not finished by then. For a past `--at` that is
/// also one that has finished since (it was running then); a deployment without a
/// finish counts only while its status says running (a canceled one never does).
pub fn running_at<'a>(
    deployments: impl IntoIterator<Item = &'a Deployment>,
    service: &str,
    env: &str,
    normalize: impl Fn(&str) -> String,
    at: Ts,
) -> Vec<RunningDeployment> {
    deployments
        .into_iter()
        .filter(|d| d.service == service && normalize(&d.environment) == env)
        .filter(|d| d.started_at <= at && d.status != DeployStatus::Canceled)
        .filter(|d| match d.finished_at {
            Some(f) => at < f,
            None => d.status == DeployStatus::Running,
        })
        .map(|d| RunningDeployment {
            id: d.id.clone(),
            version: d.version.clone(),
            started_at: d.started_at,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DeployKind, Trigger};
    use chrono::Duration;

    fn t(min: i64) -> Ts {
        "2026-12-07T10:00:00Z".parse::<Ts>().unwrap_or_default() + Duration::minutes(min)
    }

    fn dep(id: &str, env: &str, status: DeployStatus, start: i64, end: Option<i64>) -> Deployment {
        Deployment {
            id: id.into(),
            source: "test".into(),
            service: "api".into(),
            environment: env.into(),
            version: "1.2".into(),
            sha: "abc".into(),
            status,
            started_at: t(start),
            finished_at: end.map(t),
            deployer: "me".into(),
            url: None,
            commits: Vec::new(),
            stages: Vec::new(),
            canary: None,
            trigger: Trigger::Auto,
            kind: DeployKind::Normal,
        }
    }

    fn ids(deps: &[Deployment], service: &str, env: &str, at: i64) -> Vec<String> {
        let norm = |e: &str| crate::model::environment::normalize(e, &Default::default());
        running_at(deps, service, env, norm, t(at))
            .into_iter()
            .map(|r| r.id)
            .collect()
    }

    #[test]
    fn running_means_started_and_not_finished_at_the_instant() {
        let deps = [
            dep("live", "prod", DeployStatus::Running, 0, None),
            dep("done", "production", DeployStatus::Success, 0, Some(10)),
            dep("later", "production", DeployStatus::Running, 30, None),
            dep("gone", "production", DeployStatus::Canceled, 0, None),
            dep("stage", "staging", DeployStatus::Running, 0, None),
        ];
        // At 5 min "done" was still running; "later" had not started.
        assert_eq!(ids(&deps, "api", "production", 5), ["live", "done"]);
        // At its finish it is done (half-open), and at 30 min "later" has started.
        assert_eq!(ids(&deps, "api", "production", 10), ["live"]);
        assert_eq!(ids(&deps, "api", "production", 30), ["live", "later"]);
        assert_eq!(ids(&deps, "api", "staging", 5), ["stage"]);
        assert!(ids(&deps, "web", "production", 5).is_empty());
    }
}
