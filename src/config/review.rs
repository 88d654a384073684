//! `[review]`: the post-release review's checklist templates and thresholds. Each
//! service's tier (`[[services]] tier`) picks a template.

use std::path::PathBuf;

use serde::Deserialize;

use super::{Config, ConfigError, ConfigIssue};
use crate::review::checklist::ReviewSetup;
use crate::review::checks::Thresholds;
use crate::review::outbox::state::Policy;
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
    /// After a create whose answer was lost, how long the tracker's search must keep
    /// finding nothing before the item is created again (Jira's search index lags).
    pub search_window_seconds: f64,
    /// The pause between those searches.
    pub search_every_seconds: f64,
    /// The release ticket a review's summary goes to: an issue key (`REL-12`; GitLab
    /// `#12`), or a query in which `{version}` stands for the reviewed version (Jira: a
    /// JQL, the first match; GitLab: a label).
    pub release_ticket: Option<String>,
    /// Post the review's summary on the release ticket once its decision is recorded.
    pub summary_comment: bool,
    /// Link each action item's issue to its deployment (a Jira remote link).
    pub remote_link: bool,
}

impl Default for ReviewConfig {
    fn default() -> Self {
        let t = Thresholds::default();
        ReviewConfig {
            template_file: None,
            budget_consumed_max: t.budget_consumed_max,
            baseline_tolerance: t.baseline_tolerance,
            search_window_seconds: secs(Policy::default().search_window),
            search_every_seconds: secs(Policy::default().search_every),
            release_ticket: None,
            summary_comment: false,
            remote_link: false,
        }
    }
}

fn secs(d: chrono::Duration) -> f64 {
    d.num_milliseconds() as f64 / 1000.0
}

fn millis(seconds: f64) -> chrono::Duration {
    chrono::Duration::milliseconds((seconds * 1000.0).round() as i64)
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
        let window_ok = in_range(self.search_window_seconds, 0.0, 3600.0);
        if !window_ok {
            issues.push(
                ConfigIssue::new(
                    format!("{path}.search_window_seconds"),
                    "seconds above 0 and at most 3600, like 60",
                )
                .found(self.search_window_seconds.to_string()),
            );
        }
        let every_max = if window_ok {
            self.search_window_seconds
        } else {
            3600.0
        };
        if !in_range(self.search_every_seconds, 0.0, every_max) {
            issues.push(
                ConfigIssue::new(
                    format!("{path}.search_every_seconds"),
                    "seconds above 0 and at most search_window_seconds, like 5",
                )
                .found(self.search_every_seconds.to_string()),
            );
        }
        let ticket = self.release_ticket.as_deref().map(str::trim);
        if ticket == Some("") || ticket.is_some_and(|t| t.chars().any(char::is_control)) {
            issues.push(ConfigIssue::new(
                format!("{path}.release_ticket"),
                "an issue key like \"REL-12\" or a query with {version}, like \"project = REL AND fixVersion = {version}\"",
            ));
        }
        if self.summary_comment && ticket.is_none() {
            issues.push(ConfigIssue::new(
                format!("{path}.release_ticket"),
                "the ticket the summary goes to (summary_comment = true needs it)",
            ));
        }
    }

    /// The outbox's timing: the searches from here, the backoff as built in.
    pub fn outbox_policy(&self) -> Policy {
        Policy {
            search_window: millis(self.search_window_seconds),
            search_every: millis(self.search_every_seconds),
            ..Policy::default()
        }
    }

    /// What the outbox writes besides the action items.
    pub fn write_back(&self) -> crate::review::outbox::WriteBack {
        crate::review::outbox::WriteBack {
            release_ticket: self
                .release_ticket
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string),
            summary_comment: self.summary_comment,
            remote_link: self.remote_link,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(c: &ReviewConfig) -> Vec<String> {
        let mut v = Vec::new();
        c.validate("review", &mut v);
        v.into_iter().map(|i| i.key).collect()
    }

    #[test]
    fn the_search_timing_reaches_the_outbox_and_the_defaults_are_its_own() {
        let c: ReviewConfig =
            toml::from_str("search_window_seconds = 0.3\nsearch_every_seconds = 0.05\n")
                .expect("parses");
        assert!(keys(&c).is_empty(), "{:?}", keys(&c));
        let p = c.outbox_policy();
        assert_eq!(p.search_window, chrono::Duration::milliseconds(300));
        assert_eq!(p.search_every, chrono::Duration::milliseconds(50));
        assert_eq!(p.backoff_max, Policy::default().backoff_max);
        assert_eq!(ReviewConfig::default().outbox_policy(), Policy::default());
    }

    #[test]
    fn a_search_timing_that_cannot_work_names_its_key() {
        let c = ReviewConfig {
            search_window_seconds: 0.0,
            ..ReviewConfig::default()
        };
        assert_eq!(keys(&c), ["review.search_window_seconds"]);
        let c = ReviewConfig {
            search_window_seconds: 10.0,
            search_every_seconds: 30.0,
            ..ReviewConfig::default()
        };
        assert_eq!(keys(&c), ["review.search_every_seconds"]);
    }

    #[test]
    fn a_summary_needs_a_release_ticket_and_the_write_back_follows_the_keys() {
        let mut c = ReviewConfig {
            summary_comment: true,
            ..ReviewConfig::default()
        };
        assert_eq!(keys(&c), vec!["review.release_ticket".to_string()]);
        c.release_ticket = Some("  ".into());
        assert_eq!(keys(&c), vec!["review.release_ticket".to_string()]);
        c.release_ticket = Some(" project = REL AND fixVersion = {version} ".into());
        c.remote_link = true;
        assert!(keys(&c).is_empty());
        let w = c.write_back();
        assert_eq!(
            w.release_ticket.as_deref(),
            Some("project = REL AND fixVersion = {version}")
        );
        assert!(w.summary_comment && w.remote_link);
    }
}
