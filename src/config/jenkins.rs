//! `[jenkins]`: deployments read from Jenkins deploy jobs, one `[[jenkins.jobs]]` per
//! service and environment.
//!
//! As for Prometheus, no credential lives in this file: `token_env` or `token_cmd` say
//! where the API token comes from, and a URL with `user:pw@` is refused.

use serde::Deserialize;

use super::ConfigIssue;
use crate::model::environment;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JenkinsConfig {
    /// Base URL, with the context path if Jenkins has one (`https://ci.example.com/jenkins`).
    pub url: String,
    /// The Jenkins user the API token belongs to (basic auth `username:token`).
    pub username: Option<String>,
    /// Name of the environment variable that holds the API token.
    pub token_env: Option<String>,
    /// Shell command that prints the API token.
    pub token_cmd: Option<String>,
    /// PEM file with extra CA certificates to trust.
    pub ca_file: Option<std::path::PathBuf>,
    /// Longest time one request may take, body included.
    pub timeout_seconds: u64,
    /// Seconds between polls; defaults to `general.refresh_seconds`.
    pub refresh_seconds: Option<u64>,
    /// How many past builds of each job the first sync reads (newest first).
    pub history_builds: u32,
    pub jobs: Vec<JenkinsJob>,
    /// A deployment whose ref matches this glob is a hotfix (`hotfix/*`; `|` for
    /// alternatives).
    pub hotfix_ref_pattern: Option<String>,
    /// A deployment whose version matches this glob is a hotfix (`*-hotfix*`).
    pub hotfix_version_pattern: Option<String>,
}

impl Default for JenkinsConfig {
    fn default() -> Self {
        JenkinsConfig {
            url: String::new(),
            username: None,
            token_env: None,
            token_cmd: None,
            ca_file: None,
            timeout_seconds: 30,
            refresh_seconds: None,
            history_builds: 500,
            hotfix_ref_pattern: None,
            hotfix_version_pattern: None,
            jobs: Vec::new(),
        }
    }
}

/// One deploy job: which service it deploys, and where its environment and version
/// are read.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JenkinsJob {
    /// Full name with folders, `/`-separated: "team/deploy/checkout". A multibranch
    /// branch keeps Jenkins's own encoding of `/`: "team/checkout/release%2F1.2".
    pub job: String,
    pub service: String,
    /// A fixed environment for every build of the job.
    pub environment: Option<String>,
    /// Or: the build parameter that names the environment.
    pub environment_param: Option<String>,
    /// The build parameter that holds the version; without it, a branch job's name
    /// that holds a digit ("release%2F1.2" → "release/1.2"), else the build's
    /// display name.
    pub version_param: Option<String>,
}

impl JenkinsJob {
    /// The environment the job's name implies ("deploy-prod" → "production"), used
    /// when neither `environment` nor `environment_param` is set.
    pub fn environment_from_name(&self) -> Option<String> {
        let last = self.job.rsplit('/').next().unwrap_or("");
        let none = Default::default();
        last.split(['-', '_', '.', ' '])
            .map(|word| environment::normalize(word, &none))
            .find(|env| KNOWN_ENVIRONMENTS.contains(&env.as_str()))
    }
}

/// Environments a job name may imply (the normalized forms of the built-in aliases).
const KNOWN_ENVIRONMENTS: &[&str] = &["production", "staging", "development"];

impl JenkinsConfig {
    /// True when the config says how to obtain a credential (file-permission warning).
    pub fn has_credentials(&self) -> bool {
        self.token_env.is_some() || self.token_cmd.is_some()
    }

    pub fn validate(&self, path: &str, issues: &mut Vec<ConfigIssue>) {
        let key = |k: &str| format!("{path}.{k}");
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            issues.push(
                ConfigIssue::new(
                    key("url"),
                    "an http:// or https:// URL (with Jenkins's context path, if any)",
                )
                .found(format!("{:?}", self.url)),
            );
        } else if super::prometheus::url_has_userinfo(&self.url) {
            issues.push(ConfigIssue::new(
                key("url"),
                "a URL without credentials (use username with token_env or token_cmd)",
            ));
        }
        self.validate_auth(path, issues);
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
        if !(1..=100_000).contains(&self.history_builds) {
            issues.push(
                ConfigIssue::new(
                    key("history_builds"),
                    "a number of builds between 1 and 100000",
                )
                .found(self.history_builds.to_string()),
            );
        }
        if self.jobs.is_empty() {
            issues.push(ConfigIssue::new(
                key("jobs"),
                "at least one [[jenkins.jobs]] with job and service",
            ));
        }
        for (i, job) in self.jobs.iter().enumerate() {
            let at = format!("{path}.jobs[{i}]");
            job.validate(&at, issues);
            if let Some(first) = self.jobs[..i].iter().position(|o| o.job == job.job) {
                issues.push(
                    ConfigIssue::new(
                        format!("{at}.job"),
                        format!("a job no other entry names (jobs[{first}] already reads it)"),
                    )
                    .found(format!("{:?}", job.job)),
                );
            }
        }
    }

    fn validate_auth(&self, path: &str, issues: &mut Vec<ConfigIssue>) {
        let key = |k: &str| format!("{path}.{k}");
        let sources = usize::from(self.token_env.is_some()) + usize::from(self.token_cmd.is_some());
        let has_user = self
            .username
            .as_deref()
            .is_some_and(|u| !u.trim().is_empty());
        if sources > 1 {
            issues.push(ConfigIssue::new(
                key("token_env"),
                "only one of token_env or token_cmd",
            ));
        }
        if sources > 0 && !has_user {
            issues.push(ConfigIssue::new(
                key("username"),
                "the Jenkins user the API token belongs to",
            ));
        }
        if sources == 0 && self.username.is_some() {
            issues.push(ConfigIssue::new(
                key("username"),
                "token_env or token_cmd with it (the API token of this user)",
            ));
        }
        super::credentials::validate_secret_keys(
            &key,
            self.token_env.as_deref(),
            self.token_cmd.as_deref(),
            "pass show jenkins",
            issues,
        );
    }
}

impl JenkinsJob {
    fn validate(&self, at: &str, issues: &mut Vec<ConfigIssue>) {
        let key = |k: &str| format!("{at}.{k}");
        let segments: Vec<&str> = self.job.split('/').collect();
        if self.job.trim().is_empty() || segments.iter().any(|s| s.trim().is_empty()) {
            issues.push(
                ConfigIssue::new(
                    key("job"),
                    "a job's full name, folders separated by / (\"team/deploy/checkout\")",
                )
                .found(format!("{:?}", self.job)),
            );
        } else if segments.first() == Some(&"job") {
            issues.push(
                ConfigIssue::new(
                    key("job"),
                    "the job's full name, not its URL path (\"a/b\", not \"job/a/job/b\")",
                )
                .found(format!("{:?}", self.job)),
            );
        }
        if self.service.trim().is_empty() {
            issues.push(ConfigIssue::new(
                key("service"),
                "the name of the service this job deploys",
            ));
        }
        match (&self.environment, &self.environment_param) {
            (Some(_), Some(_)) => issues.push(ConfigIssue::new(
                key("environment"),
                "either environment or environment_param, not both",
            )),
            (None, None) if self.environment_from_name().is_none() => {
                issues.push(ConfigIssue::new(
                    key("environment"),
                    "environment (\"production\") or environment_param (a build parameter), \
                     since the job's name names no environment",
                ))
            }
            _ => {}
        }
        for (name, value) in [
            ("environment", &self.environment),
            ("environment_param", &self.environment_param),
            ("version_param", &self.version_param),
        ] {
            if matches!(value, Some(v) if v.trim().is_empty()) {
                issues.push(ConfigIssue::new(key(name), "a non-empty name"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn job(name: &str) -> JenkinsJob {
        JenkinsJob {
            job: name.into(),
            service: "checkout".into(),
            environment: Some("production".into()),
            ..Default::default()
        }
    }

    fn base() -> JenkinsConfig {
        JenkinsConfig {
            url: "https://ci.example.com/jenkins".into(),
            username: Some("bot".into()),
            token_env: Some("JENKINS_TOKEN".into()),
            jobs: vec![job("team/deploy/checkout")],
            ..Default::default()
        }
    }

    fn issues(c: &JenkinsConfig) -> Vec<String> {
        let mut v = Vec::new();
        c.validate("jenkins", &mut v);
        v.into_iter().map(|i| i.key).collect()
    }

    #[test]
    fn a_plain_section_is_valid() {
        assert!(issues(&base()).is_empty(), "{:?}", issues(&base()));
    }

    #[test]
    fn a_token_needs_its_user_and_one_source() {
        let mut c = base();
        c.username = None;
        assert_eq!(issues(&c), ["jenkins.username"]);
        c.username = Some("bot".into());
        c.token_cmd = Some("pass show jenkins".into());
        assert_eq!(issues(&c), ["jenkins.token_env"]);
        c.token_env = Some("11abcdef0123456789abcdef0123456789".into());
        c.token_cmd = None;
        assert!(issues(&c).is_empty(), "a hex token is a valid name pattern");
        c.token_env = Some("jenkins token".into());
        assert_eq!(issues(&c), ["jenkins.token_env"]);
    }

    #[test]
    fn job_names_are_full_names_not_url_paths() {
        let mut c = base();
        c.jobs = vec![job("job/team/job/deploy"), job("team//x"), job("a/b")];
        c.jobs.push(job("a/b"));
        assert_eq!(
            issues(&c),
            [
                "jenkins.jobs[0].job",
                "jenkins.jobs[1].job",
                "jenkins.jobs[3].job"
            ]
        );
    }

    #[test]
    fn the_environment_comes_from_one_place() {
        let mut c = base();
        c.jobs[0].environment_param = Some("TARGET".into());
        assert_eq!(issues(&c), ["jenkins.jobs[0].environment"]);
        c.jobs[0].environment = None;
        assert!(issues(&c).is_empty());
        c.jobs[0].environment_param = None;
        assert_eq!(issues(&c), ["jenkins.jobs[0].environment"]);
        c.jobs[0].job = "team/deploy-prod".into();
        assert!(issues(&c).is_empty(), "the job name says production");
        assert_eq!(
            c.jobs[0].environment_from_name().as_deref(),
            Some("production")
        );
    }

    #[test]
    fn mistakes_name_file_line_and_key() {
        let text = "[jenkins]\nurl = \"https://ci\"\nusername = \"bot\"\ntoken_env = \"T\"\n\n\
                    [[jenkins.jobs]]\njob = \"job/a/job/b\"\nservice = \"api\"\nenvironment = \"prod\"\n";
        let e = crate::config::load_str(text, Path::new("/etc/fd.toml")).expect_err("rejected");
        let e = e.first();
        assert_eq!(e.key.as_deref(), Some("jenkins.jobs[0].job"));
        assert_eq!(e.line, Some(7));
        assert!(e.to_string().starts_with("/etc/fd.toml:7:"), "{e}");
        let e = crate::config::load_str("[jenkins]\nhistory_build = 3\n", Path::new("x.toml"))
            .expect_err("unknown key");
        assert_eq!(e.first().line, Some(2));
        assert!(e.first().message.contains("history_build"), "{}", e.first());
    }

    /// The example documents the section commented out (it would poll a made-up
    /// server otherwise); uncommented, it must load.
    #[test]
    fn the_example_section_is_valid_when_uncommented() {
        let text = include_str!("../../config.example.toml");
        let block: String = text
            .lines()
            .skip_while(|l| !l.starts_with("# [jenkins]"))
            .take_while(|l| l.starts_with('#'))
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| !l.starts_with(' '))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(block.contains("[[jenkins.jobs]]"), "{block}");
        let config = crate::config::load_str(&block, Path::new("example"))
            .unwrap_or_else(|e| panic!("the example's [jenkins] must load: {e}\n{block}"));
        let jenkins = config.jenkins.expect("a [jenkins] section");
        assert!(jenkins.jobs.len() >= 2);
    }
}
