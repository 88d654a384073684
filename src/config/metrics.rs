//! `[metrics]` and `[calendar]`: thresholds and calendars of the metrics engine.
//! Owned by the metrics engine; converted into `metrics::Settings`.

use serde::Deserialize;

use super::ConfigIssue;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {}

impl MetricsConfig {
    pub fn validate(&self, _path: &str, _issues: &mut Vec<ConfigIssue>) {}
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalendarConfig {}

impl CalendarConfig {
    pub fn validate(&self, _path: &str, _issues: &mut Vec<ConfigIssue>) {}
}
