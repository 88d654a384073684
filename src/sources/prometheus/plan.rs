//! What one fetch asks: every query of every service, services that share a template
//! folded into one grouped query (see `grouped.rs`), in the order the answers are
//! wanted — service by service, the fastest windows first — so the first services
//! can be shown while the slow windows (3 d, the SLO window) are still being read.

use std::collections::HashMap;

use chrono::Duration;

use super::api::{Answer, QueryData};
use super::grouped::{grouped_query, grouping, plain_name};
use super::query::{render, sli_query, BURN_WINDOWS};
use crate::config::{ServiceConfig, SERVICE_PLACEHOLDER};
use crate::model::SeriesKind;
use crate::sources::FetchError;

/// Which answer of a service a query gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum What {
    /// The error ratio over the n-th window: the five burn windows, then the SLO window.
    Window(usize),
    /// The mean request rate over the SLO window.
    SloRate,
    Chart(SeriesKind),
    Markers,
}

impl What {
    /// Asked in this order within a service: the windows that page first, then the
    /// charts, then the slower windows that take the server longest to read.
    fn rank(self) -> u8 {
        match self {
            What::Window(0) => 0,
            What::Window(1) => 1,
            What::Chart(_) | What::Markers => 2,
            What::Window(n) => 2 + n as u8,
            What::SloRate => 9,
        }
    }

    pub fn is_range(self) -> bool {
        matches!(self, What::Chart(_) | What::Markers)
    }
}

/// One request of a fetch.
#[derive(Debug, Clone, PartialEq)]
pub struct Ask {
    pub what: What,
    /// The PromQL sent.
    pub query: String,
    /// The window in seconds (instant queries keep their answer at its pace).
    pub window: i64,
    /// The services (indices) this answers for.
    pub members: Vec<usize>,
    /// For a grouped query, the label its answer is split by.
    pub split: Option<String>,
}

/// The query of `what` for one service, rendered for `name` (the real name, or the
/// placeholder to get the template shared by services).
pub fn query_for(
    service: &ServiceConfig,
    what: What,
    name: &str,
    step: Duration,
) -> Option<String> {
    let sli = service.sli();
    let slo_window = slo_window(service);
    match what {
        What::Window(n) => {
            let window = BURN_WINDOWS.get(n).copied().unwrap_or(slo_window);
            sli.map(|s| sli_query(&s, window, name))
        }
        What::SloRate => {
            sli.as_ref()?;
            request_rate_query(service, name, slo_window, true)
        }
        What::Chart(SeriesKind::ErrorRatio) => sli.map(|s| sli_query(&s, 300, name)),
        What::Chart(SeriesKind::LatencyP99) => service
            .latency_p99_query
            .as_ref()
            .map(|q| render(q, 300, name)),
        What::Chart(SeriesKind::RequestRate) => request_rate_query(service, name, 300, false),
        What::Markers => service
            .deploy_marker_query
            .as_ref()
            .map(|q| render(q, step.num_seconds(), name)),
    }
}

pub fn slo_window(service: &ServiceConfig) -> i64 {
    i64::from(service.slo_window_days) * 86_400
}

/// Everything a service asks, in [`What::rank`] order.
const ALL: [What; 11] = [
    What::Window(0),
    What::Window(1),
    What::Chart(SeriesKind::ErrorRatio),
    What::Chart(SeriesKind::LatencyP99),
    What::Chart(SeriesKind::RequestRate),
    What::Markers,
    What::Window(2),
    What::Window(3),
    What::Window(4),
    What::Window(5),
    What::SloRate,
];

/// The asks of one fetch. `group` folds services sharing a template into one query
/// (a live poll and a past instant alike; off only to compare the two in tests).
pub fn plan(services: &[ServiceConfig], step: Duration, group: bool) -> Vec<Ask> {
    let mut asks: Vec<Ask> = Vec::new();
    // Shared templates: (what, template) → index in `asks`.
    let mut shared: HashMap<(What, String), usize> = HashMap::new();
    for (index, service) in services.iter().enumerate() {
        for what in ALL {
            let Some(own) = query_for(service, what, &service.name, step) else {
                continue;
            };
            let window = match what {
                What::Window(n) => BURN_WINDOWS.get(n).copied().unwrap_or(slo_window(service)),
                What::SloRate => slo_window(service),
                _ => 0,
            };
            let template = query_for(service, what, SERVICE_PLACEHOLDER, step)
                .filter(|_| group && plain_name(&service.name));
            if let Some(template) = template {
                if let Some(&at) = shared.get(&(what, template.clone())) {
                    asks[at].members.push(index);
                    continue;
                }
                shared.insert((what, template), asks.len());
            }
            asks.push(Ask {
                what,
                query: own,
                window,
                members: vec![index],
                split: None,
            });
        }
    }
    let mut unfolded = Vec::new();
    for ((what, template), at) in shared {
        let ask = &mut asks[at];
        if ask.members.len() < 2 {
            continue;
        }
        match grouping(&template) {
            Some(g) => {
                let names: Vec<&str> = ask
                    .members
                    .iter()
                    .map(|&i| services[i].name.as_str())
                    .collect();
                ask.query = grouped_query(&template, &g, &names);
                ask.split = Some(g.label);
            }
            None => {
                // Not groupable: one query per member after all.
                for i in ask.members.split_off(1) {
                    if let Some(query) = query_for(&services[i], what, &services[i].name, step) {
                        unfolded.push(Ask {
                            what,
                            query,
                            window: ask.window,
                            members: vec![i],
                            split: None,
                        });
                    }
                }
            }
        }
    }
    asks.extend(unfolded);
    // Service by service (a grouped query with its first service), fastest first.
    asks.sort_by_key(|a| (a.members[0], a.what.rank()));
    asks
}

/// The part of a grouped answer that is `name`'s: its series, as its own query would
/// have answered. Warnings stay with the first member (`first`), so they show once.
pub fn split_answer(
    answer: &Result<Answer<QueryData>, FetchError>,
    label: &str,
    name: &str,
    first: bool,
) -> Result<Answer<QueryData>, FetchError> {
    let answer = answer.as_ref().map_err(Clone::clone)?;
    let own = |metric: &std::collections::BTreeMap<String, String>| {
        metric.get(label).map(String::as_str) == Some(name)
    };
    let data = match &answer.data {
        QueryData::Vector(v) => {
            QueryData::Vector(v.iter().filter(|s| own(&s.metric)).cloned().collect())
        }
        QueryData::Matrix(m) => {
            QueryData::Matrix(m.iter().filter(|s| own(&s.metric)).cloned().collect())
        }
        other => other.clone(),
    };
    Ok(Answer {
        data,
        warnings: if first {
            answer.warnings.clone()
        } else {
            Vec::new()
        },
    })
}

/// The request-rate query of `service` over `window` seconds: its `request_rate_query`,
/// else the sum of its `total_query`; `None` when it has neither, or when `over_window`
/// and its template has no `{{window}}` (a fixed range cannot be asked about another
/// window: it would answer with its last minutes as the month's).
fn request_rate_query(
    service: &ServiceConfig,
    name: &str,
    window: i64,
    over_window: bool,
) -> Option<String> {
    let (template, summed) = match (&service.request_rate_query, &service.total_query) {
        (Some(q), _) => (q, false),
        (None, Some(q)) => (q, true),
        (None, None) => return None,
    };
    if over_window && !template.contains(crate::config::WINDOW_PLACEHOLDER) {
        return None;
    }
    let query = render(template, window, name);
    Some(if summed {
        format!("sum({query})")
    } else {
        query
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(name: &str, label: &str) -> ServiceConfig {
        toml::from_str(&format!(
            r#"name = "{name}"
error_ratio_query = 'sum(rate(e{{{label}="{{{{service}}}}"}}[{{{{window}}}}])) / sum(rate(t{{{label}="{{{{service}}}}"}}[{{{{window}}}}]))'
request_rate_query = 'sum(rate(t{{{label}="{{{{service}}}}"}}[{{{{window}}}}]))'
latency_p99_query = 'histogram_quantile(0.99, sum by (le) (rate(b{{{label}="{{{{service}}}}"}}[{{{{window}}}}])))'
deploy_marker_query = 'changes(build_info{{{label}="{{{{service}}}}"}}[{{{{window}}}}])'
"#
        ))
        .expect("service parses")
    }

    fn fleet(n: usize) -> Vec<ServiceConfig> {
        (0..n)
            .map(|i| service(&format!("svc-{i}"), "service"))
            .collect()
    }

    /// Requests per full fetch do not grow with the fleet where the template allows
    /// grouping: 3 or 500 services ask the same ten grouped queries; only the deploy
    /// markers (not aggregated: their series are the selector's) stay per service.
    #[test]
    fn a_fleet_asks_one_query_per_window_and_chart() {
        let step = Duration::seconds(60);
        for n in [3, 500] {
            let asks = plan(&fleet(n), step, true);
            let grouped = asks.iter().filter(|a| a.split.is_some()).count();
            let alone: Vec<&Ask> = asks.iter().filter(|a| a.split.is_none()).collect();
            assert_eq!(grouped, 10, "{n} services");
            assert_eq!(alone.len(), n, "{n} services: one marker query each");
            assert!(alone.iter().all(|a| a.what == What::Markers));
            for ask in asks.iter().filter(|a| a.split.is_some()) {
                assert_eq!(ask.members.len(), n);
                assert_eq!(ask.split.as_deref(), Some("service"));
            }
            // Without grouping, eleven each.
            assert_eq!(plan(&fleet(n), step, false).len(), 11 * n);
        }
    }

    /// Every service gets every answer it would get alone, once.
    #[test]
    fn each_service_is_answered_once_for_each_of_its_queries() {
        let mut services = fleet(4);
        services.push(service("odd|name", "service"));
        services.push(service("other-label", "app"));
        let asks = plan(&services, Duration::seconds(60), true);
        for (i, _) in services.iter().enumerate() {
            let mut whats: Vec<String> = asks
                .iter()
                .filter(|a| a.members.contains(&i))
                .map(|a| format!("{:?}", a.what))
                .collect();
            whats.sort();
            let before = whats.len();
            whats.dedup();
            assert_eq!(before, 11, "service {i}");
            assert_eq!(whats.len(), 11, "service {i}");
        }
        // The odd name and the other label are asked alone.
        for i in [4, 5] {
            assert!(asks
                .iter()
                .filter(|a| a.members.contains(&i))
                .all(|a| a.members == [i] && a.split.is_none()));
        }
    }

    #[test]
    fn a_service_is_asked_its_fast_windows_first() {
        let asks = plan(&fleet(1), Duration::seconds(60), true);
        let order: Vec<What> = asks.iter().map(|a| a.what).collect();
        assert_eq!(order[..2], [What::Window(0), What::Window(1)]);
        assert_eq!(order.last(), Some(&What::SloRate));
    }
}
