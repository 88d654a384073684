//! `[prometheus]`: the PromQL store (Prometheus, Thanos, Mimir, VictoriaMetrics).

use serde::Deserialize;

use super::ConfigIssue;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrometheusConfig {
    pub url: String,
}

impl PrometheusConfig {
    pub fn validate(&self, path: &str, issues: &mut Vec<ConfigIssue>) {
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            issues.push(
                ConfigIssue::new(format!("{path}.url"), "an http:// or https:// URL")
                    .found(format!("{:?}", self.url)),
            );
        }
    }
}
