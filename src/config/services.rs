//! `[[services]]`: each watched service, its SLO and its queries.

use serde::Deserialize;

use super::ConfigIssue;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    pub name: String,
    /// SLO target as a fraction, e.g. 0.999.
    #[serde(default = "default_target")]
    pub slo_target: f64,
    /// SLO window in days.
    #[serde(default = "default_window_days")]
    pub slo_window_days: u32,
}

fn default_target() -> f64 {
    0.999
}

fn default_window_days() -> u32 {
    30
}

impl ServiceConfig {
    pub fn validate(&self, path: &str, issues: &mut Vec<ConfigIssue>) {
        if self.name.trim().is_empty() {
            issues.push(ConfigIssue::new(
                format!("{path}.name"),
                "a non-empty service name",
            ));
        }
        if !(self.slo_target > 0.0 && self.slo_target < 1.0) {
            issues.push(
                ConfigIssue::new(
                    format!("{path}.slo_target"),
                    "a fraction between 0 and 1 (exclusive), like 0.999",
                )
                .found(self.slo_target.to_string()),
            );
        }
        if self.slo_window_days == 0 || self.slo_window_days > 400 {
            issues.push(
                ConfigIssue::new(format!("{path}.slo_window_days"), "days between 1 and 400")
                    .found(self.slo_window_days.to_string()),
            );
        }
    }
}
