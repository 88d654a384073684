//! `[prometheus]`: the PromQL store (Prometheus, Thanos, Mimir, VictoriaMetrics).
//!
//! Credentials never live in this file: `auth` names *where* the secret comes from (an
//! environment variable or a command such as `pass show prom`), so the config can be
//! shared and committed. A token in the URL (`https://user:pw@…`) is rejected.

use serde::Deserialize;

use super::ConfigIssue;

/// How requests authenticate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    #[default]
    None,
    /// `Authorization: Bearer <secret>`.
    Bearer,
    /// `Authorization: Basic <username:secret>` (Grafana Cloud: instance id + token).
    Basic,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrometheusConfig {
    /// Base URL, e.g. `http://127.0.0.1:9090` (no credentials in it).
    pub url: String,
    /// Prefix before `/api/v1` (Mimir: `/prometheus`; empty for Prometheus and Thanos).
    pub path_prefix: String,
    /// Tenant sent in `tenant_header` (Mimir, Thanos with `--query.tenant-header`).
    pub tenant: Option<String>,
    pub tenant_header: String,
    pub auth: AuthKind,
    /// Basic auth user name.
    pub username: Option<String>,
    /// Name of the environment variable that holds the token or password.
    pub token_env: Option<String>,
    /// Shell command that prints the token or password (`pass show prom`).
    pub token_cmd: Option<String>,
    /// PEM file with extra CA certificates to trust.
    pub ca_file: Option<std::path::PathBuf>,
    pub connect_timeout_seconds: u64,
    /// Longest wait for the next bytes of an answer.
    pub read_timeout_seconds: u64,
    /// Longest time one request may take, body included.
    pub timeout_seconds: u64,
    /// Seconds between polls; defaults to `general.refresh_seconds`.
    pub refresh_seconds: Option<u64>,
    /// How far back the golden-signal charts reach, in hours.
    pub range_hours: u32,
    /// Resolution of the charts, in seconds (raised when the range would need more
    /// than 11,000 points, Prometheus's limit).
    pub step_seconds: u64,
}

impl Default for PrometheusConfig {
    fn default() -> Self {
        PrometheusConfig {
            url: String::new(),
            path_prefix: String::new(),
            tenant: None,
            tenant_header: "X-Scope-OrgID".to_string(),
            auth: AuthKind::None,
            username: None,
            token_env: None,
            token_cmd: None,
            ca_file: None,
            connect_timeout_seconds: 5,
            read_timeout_seconds: 30,
            timeout_seconds: 30,
            refresh_seconds: None,
            range_hours: 6,
            step_seconds: 60,
        }
    }
}

impl PrometheusConfig {
    /// True when the config says how to obtain a credential (used for the
    /// file-permission warning).
    pub fn has_credentials(&self) -> bool {
        self.auth != AuthKind::None
    }

    pub fn validate(&self, path: &str, issues: &mut Vec<ConfigIssue>) {
        let key = |k: &str| format!("{path}.{k}");
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            issues.push(
                ConfigIssue::new(key("url"), "an http:// or https:// URL")
                    .found(format!("{:?}", self.url)),
            );
        } else if url_has_userinfo(&self.url) {
            issues.push(ConfigIssue::new(
                key("url"),
                "a URL without credentials (use auth with token_env or token_cmd)",
            ));
        }
        if !self.path_prefix.is_empty()
            && (!self.path_prefix.starts_with('/') || self.path_prefix.ends_with('/'))
        {
            issues.push(
                ConfigIssue::new(
                    key("path_prefix"),
                    "empty, or a path that starts with / and does not end with / (Mimir: \"/prometheus\")",
                )
                .found(format!("{:?}", self.path_prefix)),
            );
        }
        if !is_header_name(&self.tenant_header) {
            issues.push(
                ConfigIssue::new(
                    key("tenant_header"),
                    "an HTTP header name like X-Scope-OrgID",
                )
                .found(format!("{:?}", self.tenant_header)),
            );
        }
        if matches!(&self.tenant, Some(t) if t.trim().is_empty() || t.contains(['\r', '\n'])) {
            issues.push(ConfigIssue::new(
                key("tenant"),
                "a non-empty tenant id on one line",
            ));
        }
        self.validate_auth(path, issues);
        for (name, value, max) in [
            ("connect_timeout_seconds", self.connect_timeout_seconds, 300),
            ("read_timeout_seconds", self.read_timeout_seconds, 3_600),
            ("timeout_seconds", self.timeout_seconds, 3_600),
            ("step_seconds", self.step_seconds, 86_400),
        ] {
            if !(1..=max).contains(&value) {
                issues.push(
                    ConfigIssue::new(key(name), format!("seconds between 1 and {max}"))
                        .found(value.to_string()),
                );
            }
        }
        if let Some(r) = self.refresh_seconds {
            if !(1..=86_400).contains(&r) {
                issues.push(
                    ConfigIssue::new(key("refresh_seconds"), "seconds between 1 and 86400")
                        .found(r.to_string()),
                );
            }
        }
        if !(1..=24 * 31).contains(&self.range_hours) {
            issues.push(
                ConfigIssue::new(key("range_hours"), "hours between 1 and 744")
                    .found(self.range_hours.to_string()),
            );
        }
    }

    fn validate_auth(&self, path: &str, issues: &mut Vec<ConfigIssue>) {
        let key = |k: &str| format!("{path}.{k}");
        let sources = usize::from(self.token_env.is_some()) + usize::from(self.token_cmd.is_some());
        match self.auth {
            AuthKind::None => {
                if sources > 0 || self.username.is_some() {
                    issues.push(
                        ConfigIssue::new(
                            key("auth"),
                            "\"bearer\" or \"basic\" when token_env, token_cmd or username is set",
                        )
                        .found("\"none\""),
                    );
                }
            }
            AuthKind::Bearer | AuthKind::Basic => {
                if sources != 1 {
                    issues.push(ConfigIssue::new(
                        key("auth"),
                        "exactly one of token_env (an environment variable name) or token_cmd (a command printing the secret)",
                    ));
                }
                if self.auth == AuthKind::Basic
                    && self.username.as_deref().is_none_or(|u| u.trim().is_empty())
                {
                    issues.push(ConfigIssue::new(
                        key("username"),
                        "a user name for basic auth",
                    ));
                }
            }
        }
        super::credentials::validate_secret_keys(
            &key,
            self.token_env.as_deref(),
            self.token_cmd.as_deref(),
            "pass show prom",
            issues,
        );
    }
}

pub(super) fn url_has_userinfo(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.contains('@')
}

fn is_header_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issues(c: &PrometheusConfig) -> Vec<String> {
        let mut v = Vec::new();
        c.validate("prometheus", &mut v);
        v.into_iter().map(|i| i.key).collect()
    }

    fn base() -> PrometheusConfig {
        PrometheusConfig {
            url: "http://127.0.0.1:9090".into(),
            ..Default::default()
        }
    }

    #[test]
    fn plain_url_is_valid() {
        assert!(issues(&base()).is_empty());
    }

    #[test]
    fn credentials_in_url_are_rejected() {
        let c = PrometheusConfig {
            url: "https://u:secret@prom.example/".into(),
            ..base()
        };
        assert_eq!(issues(&c), ["prometheus.url"]);
    }

    #[test]
    fn bearer_needs_one_secret_source() {
        let mut c = PrometheusConfig {
            auth: AuthKind::Bearer,
            ..base()
        };
        assert_eq!(issues(&c), ["prometheus.auth"]);
        c.token_env = Some("PROM_TOKEN".into());
        assert!(issues(&c).is_empty());
        c.token_cmd = Some("pass show prom".into());
        assert_eq!(issues(&c), ["prometheus.auth"]);
    }

    #[test]
    fn basic_needs_username_and_env_must_be_a_name() {
        let c = PrometheusConfig {
            auth: AuthKind::Basic,
            token_env: Some("glc_eyJrIjoi...".into()),
            ..base()
        };
        assert_eq!(issues(&c), ["prometheus.username", "prometheus.token_env"]);
    }

    #[test]
    fn prefix_must_be_a_clean_path() {
        let c = PrometheusConfig {
            path_prefix: "prometheus/".into(),
            ..base()
        };
        assert_eq!(issues(&c), ["prometheus.path_prefix"]);
    }
}
