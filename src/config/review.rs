//! `[review]`: the post-release review's checklist templates and thresholds. Each
//! service's tier (`[[services]] tier`) picks a template.

use std::path::PathBuf;

use serde::Deserialize;

use super::{Config, ConfigError, ConfigIssue};
use crate::review::checklist::ReviewSetup;
use crate::review::checks::Thresholds;
use crate::review::template::Templates;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewConfig {
    /// A TOML file of `[templates.NAME]` over the bundled `lightweight` and `detailed`.
    pub template_file: Option<PathBuf>,
    /// Budget consumed by a deployment at or above this fraction fails its check.
    pub budget_consumed_max: f64,
    /// The error ratio at the end of the bake may exceed its baseline by this fraction.
    pub baseline_tolerance: f64,
}

impl Default for ReviewConfig {
    fn default() -> Self {
        let t = Thresholds::default();
        ReviewConfig {
            template_file: None,
            budget_consumed_max: t.budget_consumed_max,
            baseline_tolerance: t.baseline_tolerance,
        }
    }
}

impl ReviewConfig {
    pub fn validate(&self, path: &str, issues: &mut Vec<ConfigIssue>) {
        let in_range = |v: f64, lo: f64, hi: f64| v.is_finite() && v > lo && v <= hi;
        if !in_range(self.budget_consumed_max, 0.0, 1.0) {
            issues.push(
                ConfigIssue::new(
                    format!("{path}.budget_consumed_max"),
                    "a fraction of the budget above 0 and at most 1, like 0.05",
                )
                .found(self.budget_consumed_max.to_string()),
            );
        }
        if !(self.baseline_tolerance.is_finite() && (0.0..=10.0).contains(&self.baseline_tolerance))
        {
            issues.push(
                ConfigIssue::new(
                    format!("{path}.baseline_tolerance"),
                    "a fraction from 0 to 10, like 0.2",
                )
                .found(self.baseline_tolerance.to_string()),
            );
        }
    }
}

/// How reviews are set up: the templates (reading `template_file`; a mistake in it
/// names its file, line and key), each service's tier, the thresholds, and the
/// engine's bake and baseline.
pub fn review_setup(config: &Config) -> Result<ReviewSetup, ConfigError> {
    let templates = match &config.review.template_file {
        Some(path) => Templates::with_user_file(path)?,
        None => Templates::default(),
    };
    let engine = super::metrics_settings(config);
    Ok(ReviewSetup {
        templates,
        tiers: config
            .services
            .iter()
            .map(|s| (s.name.trim().to_string(), s.tier))
            .collect(),
        thresholds: Thresholds {
            bake: engine.bake,
            baseline: engine.baseline,
            budget_consumed_max: config.review.budget_consumed_max,
            baseline_tolerance: config.review.baseline_tolerance,
        },
    })
}
