//! Configuration: a bundled default, the user's TOML over it, then flags. Each section
//! lives in its own file and validates itself; [`load`] turns every problem into an
//! error naming the file, line, key and what was expected.

mod base_url;
mod credentials;
mod general;
mod gitlab;
mod issue;
mod jenkins;
mod jira;
mod load;
mod metrics;
mod prometheus;
mod review;
mod services;
mod slo_files;
mod theme;

pub use general::{CacheConfig, EnvironmentsConfig, GeneralConfig};
pub use gitlab::{GitLabAuth, GitLabConfig, GitLabProject};
pub use issue::{ConfigError, ConfigErrors, ConfigIssue};
pub use jenkins::{JenkinsConfig, JenkinsJob};
pub use jira::{JiraConfig, JiraDeployment, JiraIncidents};
pub use load::{default_path, load, load_str, parse_toml, read_slo_files, ConfigSource};
pub use metrics::{CalendarConfig, MetricsConfig};
pub use prometheus::{AuthKind, PrometheusConfig};
pub use review::{review_setup, ReviewConfig};
pub use services::{ServiceConfig, SliQuery, SERVICE_PLACEHOLDER, WINDOW_PLACEHOLDER};
pub use slo_files::{SloFilesConfig, SloFilesRead, SloFormat, SloNote, SloSummary};
pub use theme::{ThemeConfig, ThemeName};

use serde::Deserialize;

/// The metrics engine's settings from the config (thresholds, calendar, SLOs).
pub fn metrics_settings(config: &Config) -> crate::metrics::Settings {
    metrics::settings(config)
}

/// Each service's group and tier, for the fleet view's roll-ups.
/// What the config read but left out, one safe line each (file paths and SLO names
/// come from files the user may not have written).
pub fn notes(config: &Config) -> Vec<String> {
    config
        .slo_files_read
        .notes
        .iter()
        .map(|n| crate::model::outside::OutsideText::line(&n.to_string()).into_string())
        .collect()
}

pub fn service_tags(config: &Config) -> crate::app::fleet::TagMap {
    config
        .services
        .iter()
        .map(|s| (s.name.clone(), s.tags()))
        .collect()
}

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub general: GeneralConfig,
    pub environments: EnvironmentsConfig,
    pub cache: CacheConfig,
    pub metrics: MetricsConfig,
    pub calendar: CalendarConfig,
    pub prometheus: Option<PrometheusConfig>,
    pub gitlab: Option<GitLabConfig>,
    pub jenkins: Option<JenkinsConfig>,
    pub jira: Option<JiraConfig>,
    pub services: Vec<ServiceConfig>,
    /// SLOs read from Sloth and OpenSLO files, added to `services` by [`load`].
    pub slo_files: Vec<SloFilesConfig>,
    pub theme: ThemeConfig,
    pub review: ReviewConfig,
    /// What `slo_files` read and left out (not a key: filled in by [`load`]).
    #[serde(skip)]
    pub slo_files_read: SloFilesRead,
}

impl Config {
    /// Every semantic problem, each with the dotted key it concerns.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut issues = Vec::new();
        self.general.validate("general", &mut issues);
        self.cache.validate("cache", &mut issues);
        self.metrics.validate("metrics", &mut issues);
        self.calendar.validate("calendar", &mut issues);
        self.review.validate("review", &mut issues);
        if let Some(p) = &self.prometheus {
            p.validate("prometheus", &mut issues);
        }
        if let Some(g) = &self.gitlab {
            g.validate("gitlab", &mut issues);
        }
        if let Some(j) = &self.jenkins {
            j.validate("jenkins", &mut issues);
        }
        if let Some(j) = &self.jira {
            j.validate("jira", &mut issues);
        }
        for (i, f) in self.slo_files.iter().enumerate() {
            f.validate(&format!("slo_files[{i}]"), &mut issues);
        }
        for (i, s) in self.services.iter().enumerate() {
            s.validate(&format!("services[{i}]"), &mut issues);
            // Services are keyed by name everywhere (ratios, series, SLOs, cache).
            let name = s.name.trim();
            if let Some(first) = self.services[..i]
                .iter()
                .position(|o| !name.is_empty() && o.name.trim() == name)
            {
                issues.push(
                    ConfigIssue::new(
                        format!("services[{i}].name"),
                        format!(
                            "a name no other service has (services[{first}] is already {name:?})"
                        ),
                    )
                    .found(format!("{:?}", s.name)),
                );
            }
        }
        issues
    }
}
