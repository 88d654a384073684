//! `[jira]`: Jira Cloud (REST v3) or Data Center (REST v2) as the tracker action items
//! go to, and as a source of incidents (one JQL per service).
//!
//! The file never holds the token: `token_env` names a variable, `token_cmd` a command
//! that prints it. Cloud takes `email` + API token (Basic); Data Center a personal
//! access token (Bearer), which Jira refuses as a Basic password (API-NOTES §4.1).

use serde::Deserialize;

use super::base_url::BaseUrl;
use super::ConfigIssue;

/// Which Jira answers at `url`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JiraDeployment {
    /// Asked of `GET /rest/api/2/serverInfo` (`deploymentType`) at the first request.
    #[default]
    Auto,
    Cloud,
    DataCenter,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JiraConfig {
    /// Base URL of the site (`https://acme.atlassian.net`, or a DC instance with its
    /// context path); `/rest/api/N` is appended.
    pub url: String,
    pub deployment: JiraDeployment,
    /// The account's email (Cloud only: Basic auth is email + API token).
    pub email: Option<String>,
    /// Name of the environment variable that holds the API token (Cloud) or PAT (DC).
    pub token_env: Option<String>,
    /// Shell command that prints the token (`pass show jira`).
    pub token_cmd: Option<String>,
    /// PEM file with extra CA certificates to trust.
    pub ca_file: Option<std::path::PathBuf>,
    /// Longest time one request may take, body included.
    pub timeout_seconds: u64,
    /// Seconds between incident polls; defaults to `general.refresh_seconds`.
    pub refresh_seconds: Option<u64>,
    /// Project key action items are created in (`OPS`).
    pub project: Option<String>,
    /// Issue type of action items, by name.
    pub issue_type: String,
    /// Field holding an incident's severity (`customfield_10042`); the priority's name
    /// when unset or empty.
    pub severity_field: Option<String>,
    /// Field holding the deployment id an incident was caused by (an explicit link,
    /// DESIGN §3).
    pub deployment_field: Option<String>,
    /// A label `<prefix><deployment id>` links an incident to that deployment.
    pub deployment_label_prefix: String,
    /// Incidents per service.
    pub incidents: Vec<JiraIncidents>,
}

impl Default for JiraConfig {
    fn default() -> Self {
        JiraConfig {
            url: String::new(),
            deployment: JiraDeployment::Auto,
            email: None,
            token_env: None,
            token_cmd: None,
            ca_file: None,
            timeout_seconds: 30,
            refresh_seconds: None,
            project: None,
            issue_type: "Task".to_string(),
            severity_field: None,
            deployment_field: None,
            deployment_label_prefix: "deploy:".to_string(),
            incidents: Vec::new(),
        }
    }
}

/// The incidents of one service: the issues a JQL finds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JiraIncidents {
    pub service: String,
    /// A bounded JQL (Cloud refuses `order by …` alone), e.g.
    /// `project = OPS AND issuetype = Incident AND component = checkout`.
    pub jql: String,
}

impl JiraConfig {
    /// True when the config says how to obtain a token (file-permission warning).
    pub fn has_credentials(&self) -> bool {
        self.token_env.is_some() || self.token_cmd.is_some()
    }

    pub fn validate(&self, path: &str, issues: &mut Vec<ConfigIssue>) {
        let key = |k: &str| format!("{path}.{k}");
        BaseUrl {
            example: "https://acme.atlassian.net",
            api_path: "/rest/api",
        }
        .validate(&self.url, &key("url"), issues);
        if self.token_env.is_some() && self.token_cmd.is_some() {
            issues.push(ConfigIssue::new(
                key("token_cmd"),
                "one of token_env or token_cmd, not both",
            ));
        }
        if !self.has_credentials() {
            issues.push(ConfigIssue::new(
                key("token_env"),
                "token_env or token_cmd: Jira needs an API token (Cloud) or a personal access token (Data Center)",
            ));
        }
        super::credentials::validate_secret_keys(
            &key,
            self.token_env.as_deref(),
            self.token_cmd.as_deref(),
            "pass show jira",
            issues,
        );
        match (&self.email, self.deployment) {
            (None, JiraDeployment::Cloud) => issues.push(ConfigIssue::new(
                key("email"),
                "the account's email: Jira Cloud authenticates with email + API token",
            )),
            (Some(e), _) if !e.contains('@') || e.trim() != e => issues.push(
                ConfigIssue::new(key("email"), "an email address, like bot@example.com")
                    .found(format!("{e:?}")),
            ),
            _ => {}
        }
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
        if let Some(p) = &self.project {
            if p.is_empty() || !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                issues.push(
                    ConfigIssue::new(key("project"), "a project key, like OPS")
                        .found(format!("{p:?}")),
                );
            }
        }
        if self.issue_type.trim().is_empty() {
            issues.push(ConfigIssue::new(
                key("issue_type"),
                "an issue type name, like Task",
            ));
        }
        for (name, field) in [
            ("severity_field", &self.severity_field),
            ("deployment_field", &self.deployment_field),
        ] {
            if matches!(field, Some(f) if f.trim().is_empty() || f.contains(char::is_whitespace)) {
                issues.push(ConfigIssue::new(
                    key(name),
                    "a field id, like customfield_10042 or priority",
                ));
            }
        }
        for (i, inc) in self.incidents.iter().enumerate() {
            let k = |f: &str| key(&format!("incidents[{i}].{f}"));
            if inc.service.trim().is_empty() {
                issues.push(ConfigIssue::new(
                    k("service"),
                    "the name of the service these incidents belong to",
                ));
            }
            if !is_bounded(&inc.jql) {
                issues.push(
                    ConfigIssue::new(
                        k("jql"),
                        "a bounded JQL with a condition, like project = OPS AND issuetype = Incident (Jira Cloud refuses ORDER BY alone)",
                    )
                    .found(format!("{:?}", inc.jql)),
                );
            }
        }
    }
}

/// A JQL with a condition before any `ORDER BY` (Cloud's "bounded query").
fn is_bounded(jql: &str) -> bool {
    let lower = jql.to_ascii_lowercase();
    let head = lower.split("order by").next().unwrap_or("");
    !head.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issues(c: &JiraConfig) -> Vec<String> {
        let mut v = Vec::new();
        c.validate("jira", &mut v);
        v.into_iter().map(|i| i.key).collect()
    }

    fn base() -> JiraConfig {
        toml::from_str(
            "url = \"https://acme.atlassian.net\"\nemail = \"bot@acme.com\"\ntoken_env = \"JIRA_TOKEN\"\nproject = \"OPS\"\n[[incidents]]\nservice = \"checkout\"\njql = \"project = OPS AND issuetype = Incident\"\n",
        )
        .expect("parses")
    }

    #[test]
    fn a_complete_section_is_valid_with_defaults() {
        let c = base();
        assert!(issues(&c).is_empty(), "{:?}", issues(&c));
        assert_eq!(c.deployment, JiraDeployment::Auto);
        assert_eq!(c.issue_type, "Task");
        assert_eq!(c.deployment_label_prefix, "deploy:");
    }

    #[test]
    fn each_mistake_names_its_key() {
        let c = JiraConfig {
            url: "https://acme.atlassian.net/rest/api/3".into(),
            deployment: JiraDeployment::Cloud,
            email: None,
            token_env: Some("not a name".into()),
            project: Some("OPS-1".into()),
            severity_field: Some(" ".into()),
            incidents: vec![JiraIncidents {
                service: "".into(),
                jql: "ORDER BY created DESC".into(),
            }],
            ..base()
        };
        assert_eq!(
            issues(&c),
            [
                "jira.url",
                "jira.token_env",
                "jira.email",
                "jira.project",
                "jira.severity_field",
                "jira.incidents[0].service",
                "jira.incidents[0].jql",
            ]
        );
        let none = JiraConfig {
            token_env: None,
            ..base()
        };
        assert_eq!(issues(&none), ["jira.token_env"]);
    }

    #[test]
    fn the_deployment_kind_is_spelled_in_kebab_case() {
        let c: JiraConfig = toml::from_str(
            "url = \"https://jira.example.com/jira\"\ndeployment = \"data-center\"\ntoken_cmd = \"pass show jira\"",
        )
        .expect("parses");
        assert_eq!(c.deployment, JiraDeployment::DataCenter);
        assert!(issues(&c).is_empty(), "{:?}", issues(&c));
    }

    /// The example documents the section commented out (it would poll a made-up
    /// site otherwise); uncommented, it must load.
    #[test]
    fn the_example_section_is_valid_when_uncommented() {
        let text = include_str!("../../config.example.toml");
        let block: String = text
            .lines()
            .skip_while(|l| !l.starts_with("# [jira]"))
            .take_while(|l| l.starts_with('#'))
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| !l.starts_with(' '))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(block.contains("[[jira.incidents]]"), "{block}");
        let config = crate::config::load_str(&block, std::path::Path::new("example"))
            .unwrap_or_else(|e| panic!("the example's [jira] must load: {e}\n{block}"));
        let jira = config.jira.expect("a [jira] section");
        assert_eq!(jira.incidents.len(), 1);
        assert_eq!(jira.severity_field.as_deref(), Some("customfield_10042"));
    }
}
