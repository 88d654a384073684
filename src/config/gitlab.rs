//! `[gitlab]`: deployments (and the commits they ship) from GitLab REST v4, on
//! gitlab.com or a self-hosted instance, also one served under a path
//! (`https://git.example.com/gitlab`).
//!
//! Like `[prometheus]`, the file never holds the token: `token_env` names a variable,
//! `token_cmd` a command that prints it.

use serde::{Deserialize, Deserializer};

use super::base_url::BaseUrl;
use super::ConfigIssue;

/// How the token is sent. Both work for personal, project and group tokens; OAuth
/// tokens need `bearer`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GitLabAuth {
    /// `PRIVATE-TOKEN: <token>`.
    #[default]
    PrivateToken,
    /// `Authorization: Bearer <token>`.
    Bearer,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GitLabConfig {
    /// Base URL of the instance, with its path when served under one; `/api/v4` is
    /// appended.
    pub url: String,
    pub auth: GitLabAuth,
    /// Name of the environment variable that holds the token.
    pub token_env: Option<String>,
    /// Shell command that prints the token (`pass show gitlab`).
    pub token_cmd: Option<String>,
    /// PEM file with extra CA certificates to trust.
    pub ca_file: Option<std::path::PathBuf>,
    /// Longest time one request may take, body included.
    pub timeout_seconds: u64,
    /// Seconds between polls; defaults to `general.refresh_seconds`.
    pub refresh_seconds: Option<u64>,
    /// Requests started per second, at most (GitLab.com allows 2,000/min per user).
    pub max_requests_per_second: u32,
    /// Requests awaiting their answer at once, at most.
    pub max_in_flight: usize,
    /// Read merged merge requests so each shipped commit has its `merged_at`
    /// (merge-based lead time); one request per poll and one per new merge request.
    pub merge_requests: bool,
    pub projects: Vec<GitLabProject>,
    /// A deployment whose ref matches this glob is a hotfix (`hotfix/*`; `|` for
    /// alternatives).
    pub hotfix_ref_pattern: Option<String>,
    /// A deployment whose version matches this glob is a hotfix (`*-hotfix*`).
    pub hotfix_version_pattern: Option<String>,
    /// The project (full path or id) the review's action items are filed in as GitLab
    /// issues, when `[jira]` names no `project`.
    pub issues_project: Option<String>,
}

impl Default for GitLabConfig {
    fn default() -> Self {
        GitLabConfig {
            url: String::new(),
            auth: GitLabAuth::PrivateToken,
            token_env: None,
            token_cmd: None,
            ca_file: None,
            timeout_seconds: 30,
            refresh_seconds: None,
            max_requests_per_second: 25,
            max_in_flight: 4,
            merge_requests: false,
            hotfix_ref_pattern: None,
            hotfix_version_pattern: None,
            issues_project: None,
            projects: Vec::new(),
        }
    }
}

/// One project whose deployments belong to one service.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitLabProject {
    /// A numeric id (`42`) or the full path (`group/sub/project`); URL-encoded in
    /// requests.
    #[serde(deserialize_with = "id_or_path")]
    pub project: String,
    /// The service these deployments are shown under.
    pub service: String,
    /// GitLab environment names to read (each normalized through the aliases).
    #[serde(default = "default_environments")]
    pub environments: Vec<String>,
    /// Also read the project's incidents (issues of type incident) for recovery time
    /// and change failure rate.
    #[serde(default)]
    pub incidents: bool,
}

fn default_environments() -> Vec<String> {
    vec!["production".to_string()]
}

/// `project = 42` and `project = "group/app"` are both accepted.
fn id_or_path<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum IdOrPath {
        Id(u64),
        Path(String),
    }
    match IdOrPath::deserialize(d) {
        Ok(IdOrPath::Id(n)) => Ok(n.to_string()),
        Ok(IdOrPath::Path(p)) => Ok(p),
        Err(_) => Err(serde::de::Error::custom(
            "expected a project id (42) or its full path (\"group/project\")",
        )),
    }
}

impl GitLabConfig {
    /// True when the config says how to obtain a token (file-permission warning).
    pub fn has_credentials(&self) -> bool {
        self.token_env.is_some() || self.token_cmd.is_some()
    }

    pub fn validate(&self, path: &str, issues: &mut Vec<ConfigIssue>) {
        let key = |k: &str| format!("{path}.{k}");
        BaseUrl {
            example: "https://gitlab.com",
            api_path: "/api/v4",
        }
        .validate(&self.url, &key("url"), issues);
        if self.token_env.is_some() && self.token_cmd.is_some() {
            issues.push(ConfigIssue::new(
                key("token_cmd"),
                "one of token_env or token_cmd, not both",
            ));
        }
        super::credentials::validate_secret_keys(
            &key,
            self.token_env.as_deref(),
            self.token_cmd.as_deref(),
            "pass show gitlab",
            issues,
        );
        issues.extend(ConfigIssue::out_of_range(
            key("timeout_seconds"),
            self.timeout_seconds,
            1..=3_600,
            "seconds between 1 and 3600",
        ));
        if let Some(r) = self.refresh_seconds {
            issues.extend(ConfigIssue::out_of_range(
                key("refresh_seconds"),
                r,
                1..=86_400,
                "seconds between 1 and 86400",
            ));
        }
        if !(1..=1_000).contains(&self.max_requests_per_second) {
            issues.push(
                ConfigIssue::new(key("max_requests_per_second"), "between 1 and 1000")
                    .found(self.max_requests_per_second.to_string()),
            );
        }
        if !(1..=64).contains(&self.max_in_flight) {
            issues.push(
                ConfigIssue::new(key("max_in_flight"), "between 1 and 64")
                    .found(self.max_in_flight.to_string()),
            );
        }
        if self.projects.is_empty() {
            issues.push(ConfigIssue::new(
                key("projects"),
                "at least one [[gitlab.projects]] with project and service",
            ));
        }
        for (i, p) in self.projects.iter().enumerate() {
            p.validate(&key(&format!("projects[{i}]")), issues);
            let same = self.projects[..i].iter().position(|o| {
                o.project == p.project && o.environments.iter().any(|e| p.environments.contains(e))
            });
            if let Some(first) = same {
                issues.push(
                    ConfigIssue::new(
                        key(&format!("projects[{i}].project")),
                        format!(
                            "a project and environment read once (projects[{first}] already reads it)"
                        ),
                    )
                    .found(format!("{:?}", p.project)),
                );
            }
        }
    }

    /// The REST base: `url` (its path kept) + `/api/v4`.
    pub fn api_base(&self) -> String {
        format!("{}/api/v4", self.url.trim_end_matches('/'))
    }
}

impl GitLabProject {
    fn validate(&self, path: &str, issues: &mut Vec<ConfigIssue>) {
        let key = |k: &str| format!("{path}.{k}");
        let p = self.project.trim();
        if p.is_empty() || p != self.project || p.starts_with('/') || p.ends_with('/') {
            issues.push(
                ConfigIssue::new(
                    key("project"),
                    "a project id (42) or its full path (\"group/project\"), without leading or trailing / or spaces",
                )
                .found(format!("{:?}", self.project)),
            );
        }
        if self.service.trim().is_empty() {
            issues.push(ConfigIssue::new(
                key("service"),
                "the name of the service these deployments belong to",
            ));
        }
        if self.environments.is_empty() {
            issues.push(ConfigIssue::new(
                key("environments"),
                "at least one GitLab environment name, like [\"production\"]",
            ));
        }
        for (i, env) in self.environments.iter().enumerate() {
            if env.trim().is_empty() || self.environments[..i].contains(env) {
                issues.push(
                    ConfigIssue::new(
                        key(&format!("environments[{i}]")),
                        "a non-empty environment name listed once",
                    )
                    .found(format!("{env:?}")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issues(c: &GitLabConfig) -> Vec<String> {
        let mut v = Vec::new();
        c.validate("gitlab", &mut v);
        v.into_iter().map(|i| i.key).collect()
    }

    fn base() -> GitLabConfig {
        GitLabConfig {
            url: "https://git.example.com/gitlab".into(),
            token_env: Some("GITLAB_TOKEN".into()),
            projects: vec![GitLabProject {
                project: "group/app".into(),
                service: "checkout".into(),
                environments: default_environments(),
                incidents: false,
            }],
            ..Default::default()
        }
    }

    #[test]
    fn a_url_with_a_path_is_kept_and_gets_api_v4() {
        assert!(issues(&base()).is_empty(), "{:?}", issues(&base()));
        assert_eq!(base().api_base(), "https://git.example.com/gitlab/api/v4");
        let slash = GitLabConfig {
            url: "https://gitlab.com/".into(),
            ..base()
        };
        assert_eq!(slash.api_base(), "https://gitlab.com/api/v4");
    }

    #[test]
    fn every_bad_url_is_named() {
        for url in [
            "gitlab.com",
            "https://",
            "https://u:tok@gitlab.com",
            "https://gitlab.com/?x=1",
            "https://gitlab.com/api/v4",
        ] {
            let c = GitLabConfig {
                url: url.into(),
                ..base()
            };
            assert_eq!(issues(&c), ["gitlab.url"], "{url}");
        }
    }

    #[test]
    fn both_token_sources_and_a_token_as_env_name_are_rejected() {
        let c = GitLabConfig {
            token_env: Some("glpat-abc.def".into()),
            token_cmd: Some("pass show gitlab".into()),
            ..base()
        };
        assert_eq!(issues(&c), ["gitlab.token_cmd", "gitlab.token_env"]);
    }

    #[test]
    fn projects_are_checked_one_by_one() {
        let mut c = base();
        c.projects.push(GitLabProject {
            project: "/group/app".into(),
            service: " ".into(),
            environments: vec!["production".into(), "".into(), "production".into()],
            incidents: false,
        });
        c.projects.push(c.projects[0].clone());
        assert_eq!(
            issues(&c),
            [
                "gitlab.projects[1].project",
                "gitlab.projects[1].service",
                "gitlab.projects[1].environments[1]",
                "gitlab.projects[1].environments[2]",
                "gitlab.projects[2].project",
            ]
        );
        c.projects.clear();
        assert_eq!(issues(&c), ["gitlab.projects"]);
    }

    #[test]
    fn a_project_is_an_id_or_a_path_and_environments_default_to_production() {
        let p: GitLabProject =
            toml::from_str("project = 42\nservice = \"api\"").expect("an id parses");
        assert_eq!(p.project, "42");
        assert_eq!(p.environments, ["production"]);
        let p: GitLabProject = toml::from_str(
            "project = \"g/sub/app\"\nservice = \"api\"\nenvironments = [\"prod-eu\"]",
        )
        .expect("a path parses");
        assert_eq!(p.project, "g/sub/app");
        assert_eq!(p.environments, ["prod-eu"]);
        let e = toml::from_str::<GitLabProject>("project = 4.5\nservice = \"api\"")
            .expect_err("a float is neither");
        assert!(e.to_string().contains("full path"), "{e}");
    }
}
