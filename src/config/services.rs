//! `[[services]]`: each watched service, its SLO and its queries.
//!
//! Queries are PromQL templates. `{{window}}` is replaced by a range such as `5m`,
//! `30m`, `1h`, `6h`, `3d` or `30d` (the SLO window); `{{service}}` by the service name.
//! The SLI is either `error_ratio_query` (bad/total), or `good_query` and
//! `total_query` (flightdeck asks for `1 - sum(good) / sum(total)`).

use serde::Deserialize;

use super::ConfigIssue;

/// The placeholder for the range of a window in query templates.
pub const WINDOW_PLACEHOLDER: &str = "{{window}}";
/// The placeholder for the service name in query templates.
pub const SERVICE_PLACEHOLDER: &str = "{{service}}";

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
    /// PromQL giving the error ratio (bad / total) over `{{window}}`.
    #[serde(default)]
    pub error_ratio_query: Option<String>,
    /// PromQL giving the rate of good events over `{{window}}` (with `total_query`).
    #[serde(default)]
    pub good_query: Option<String>,
    /// PromQL giving the rate of all events over `{{window}}` (with `good_query`);
    /// also the request-rate chart when `request_rate_query` is not set.
    #[serde(default)]
    pub total_query: Option<String>,
    /// PromQL giving requests per second: `{{window}}` is `5m` for the chart and the
    /// SLO window for the mean rate the budget a deployment consumed is a share of
    /// (without the placeholder that mean cannot be asked for, and is not).
    #[serde(default)]
    pub request_rate_query: Option<String>,
    /// PromQL giving the p99 latency in seconds (chart).
    #[serde(default)]
    pub latency_p99_query: Option<String>,
    /// PromQL that is above zero at each step where a deployment happened (chart
    /// markers); `{{window}}` is the chart step, e.g.
    /// `changes(app_build_info{service="checkout"}[{{window}}])`.
    #[serde(default)]
    pub deploy_marker_query: Option<String>,
    /// The team (or any grouping) the fleet view rolls the service up under.
    #[serde(default)]
    pub group: Option<String>,
    /// How much the service matters (`low`, `medium`, `high`, `critical`): picks its
    /// post-release review checklist (`lightweight` below high, `detailed` above).
    #[serde(default)]
    pub tier: crate::review::template::Tier,
}

fn default_target() -> f64 {
    0.999
}

fn default_window_days() -> u32 {
    30
}

/// The SLI query of a service, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SliQuery<'a> {
    ErrorRatio(&'a str),
    GoodTotal { good: &'a str, total: &'a str },
}

impl ServiceConfig {
    /// The fleet view's roll-up tags: the group (trimmed; blank reads as none) and the
    /// tier that also picks the review checklist.
    pub fn tags(&self) -> crate::app::fleet::ServiceTags {
        let tag = |t: &Option<String>| {
            t.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| crate::model::outside::OutsideText::line(t).into_string())
        };
        crate::app::fleet::ServiceTags {
            group: tag(&self.group),
            tier: Some(self.tier.word().to_string()),
        }
    }

    /// The SLI, when one is configured.
    pub fn sli(&self) -> Option<SliQuery<'_>> {
        match (&self.error_ratio_query, &self.good_query, &self.total_query) {
            (Some(q), _, _) => Some(SliQuery::ErrorRatio(q)),
            (None, Some(good), Some(total)) => Some(SliQuery::GoodTotal { good, total }),
            _ => None,
        }
    }

    /// True when any PromQL is configured for this service.
    pub fn has_queries(&self) -> bool {
        self.sli().is_some()
            || self.latency_p99_query.is_some()
            || self.request_rate_query.is_some()
            || self.deploy_marker_query.is_some()
    }

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
        self.validate_queries(path, issues);
    }

    fn validate_queries(&self, path: &str, issues: &mut Vec<ConfigIssue>) {
        // total_query alone beside error_ratio_query is fine: it feeds the rate chart.
        if self.error_ratio_query.is_some() && self.good_query.is_some() {
            issues.push(ConfigIssue::new(
                format!("{path}.good_query"),
                "either error_ratio_query, or good_query with total_query, not both",
            ));
        }
        if self.good_query.is_some() != self.total_query.is_some()
            && self.error_ratio_query.is_none()
        {
            let missing = if self.good_query.is_some() {
                "total_query"
            } else {
                "good_query"
            };
            issues.push(ConfigIssue::new(
                format!("{path}.{missing}"),
                "good_query and total_query together (or error_ratio_query alone)",
            ));
        }
        let windowed = [
            ("error_ratio_query", &self.error_ratio_query),
            ("good_query", &self.good_query),
            ("total_query", &self.total_query),
        ];
        for (key, query) in windowed {
            if let Some(q) = query {
                if q.trim().is_empty() {
                    issues.push(ConfigIssue::new(format!("{path}.{key}"), "a PromQL query"));
                } else if !q.contains(WINDOW_PLACEHOLDER) {
                    issues.push(
                        ConfigIssue::new(
                            format!("{path}.{key}"),
                            "PromQL with the {{window}} placeholder, e.g. rate(x[{{window}}])",
                        )
                        .found(format!("{q:?}")),
                    );
                }
            }
        }
        for (key, query) in [
            ("request_rate_query", &self.request_rate_query),
            ("latency_p99_query", &self.latency_p99_query),
            ("deploy_marker_query", &self.deploy_marker_query),
        ] {
            if matches!(query, Some(q) if q.trim().is_empty()) {
                issues.push(ConfigIssue::new(format!("{path}.{key}"), "a PromQL query"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(toml_text: &str) -> ServiceConfig {
        toml::from_str(&format!("name = \"api\"\n{toml_text}")).expect("valid toml")
    }

    fn keys(s: &ServiceConfig) -> Vec<String> {
        let mut v = Vec::new();
        s.validate("services[0]", &mut v);
        v.into_iter().map(|i| i.key).collect()
    }

    #[test]
    fn ratio_query_needs_the_window_placeholder() {
        let s = service("error_ratio_query = 'sum(rate(e[5m]))/sum(rate(t[5m]))'");
        assert_eq!(keys(&s), ["services[0].error_ratio_query"]);
        let s = service("error_ratio_query = 'sum(rate(e[{{window}}]))/sum(rate(t[{{window}}]))'");
        assert!(keys(&s).is_empty());
        assert!(matches!(s.sli(), Some(SliQuery::ErrorRatio(_))));
    }

    #[test]
    fn good_needs_total() {
        let s = service("good_query = 'sum(rate(ok[{{window}}]))'");
        assert_eq!(keys(&s), ["services[0].total_query"]);
        assert_eq!(s.sli(), None);
    }

    #[test]
    fn both_slis_are_rejected() {
        let s = service(
            "error_ratio_query = 'a[{{window}}]'\ngood_query = 'g[{{window}}]'\ntotal_query = 't[{{window}}]'",
        );
        assert_eq!(keys(&s), ["services[0].good_query"]);
    }
}
