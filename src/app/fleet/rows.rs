//! The fleet's rows as a pure function of the model and the derived figures: one
//! summary per service (read off what the engine already derives for every service,
//! never recomputed), filtered, sorted, and rolled up under group lines.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::{FleetSort, GroupBy, ServiceTags};
use crate::app::Model;
use crate::metrics::{AlertSeverity, Derived, Level, Policy};
use crate::model::Deployment;

/// The fastest burn among the budget's windows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Burn {
    /// The window's name ("5m", "1h"…).
    pub window: &'static str,
    pub rate: f64,
}

/// One service's row.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary<'a> {
    pub name: &'a str,
    /// Index into `Data::services` (what Enter selects).
    pub index: usize,
    /// The tag the rows are rolled up by, if the service has one.
    pub group: Option<&'a str>,
    pub policy: Option<Policy>,
    /// Fraction of the error budget left.
    pub remaining: Option<f64>,
    pub burn: Option<Burn>,
    /// The most severe firing burn-rate alert.
    pub alert: Option<AlertSeverity>,
    /// The newest deployment, any environment (the cockpit table's first row).
    pub last: Option<&'a Deployment>,
    /// Successful production deployments per day, and its DORA level.
    pub per_day: Option<f64>,
    pub frequency_level: Option<Level>,
    pub change_failure_rate: Option<f64>,
    pub change_failure_level: Option<Level>,
}

impl Summary<'_> {
    /// How bad it is, larger is worse: the policy band first, then a firing alert
    /// (a page over a ticket), then the budget left. Unknown is never the worst.
    fn badness(&self) -> (u8, u8, f64) {
        let band = self.policy.map_or(0, |p| p as u8 + 1);
        let alert = match self.alert {
            Some(AlertSeverity::Page) => 2,
            Some(AlertSeverity::Ticket) => 1,
            None => 0,
        };
        (band, alert, -self.remaining.unwrap_or(f64::INFINITY))
    }
    fn worse_than(&self, other: &Summary<'_>) -> bool {
        let (a, b) = (self.badness(), other.badness());
        (a.0, a.1).cmp(&(b.0, b.1)).then(a.2.total_cmp(&b.2)) == Ordering::Greater
    }
}

/// A line of the fleet list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    /// A roll-up: its name, how many of the shown services it holds, and its worst
    /// member (index into [`FleetRows::services`]).
    Group {
        name: &'a str,
        members: usize,
        worst: usize,
    },
    /// Index into [`FleetRows::services`].
    Service(usize),
}

/// What the fleet shows.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetRows<'a> {
    /// The services that match the filter, in display order (group by group when
    /// rolled up); the cursor indexes this.
    pub services: Vec<Summary<'a>>,
    pub lines: Vec<Line<'a>>,
    /// Every service known, matched or not.
    pub total: usize,
}

/// What ungrouped services are listed under when others have a group.
pub const UNGROUPED: &str = "(no group)";

/// The fleet's rows for the model's fleet state (sort, roll-up, filter).
pub fn fleet_rows<'a>(model: &'a Model, derived: &'a Derived) -> FleetRows<'a> {
    let ui = &model.ui.fleet;
    let no_tags = ServiceTags::default();
    let tag = |name: &str| model.tags.get(name).unwrap_or(&no_tags);
    let needle = ui.filter.trim().to_lowercase();
    let matches = |name: &str| {
        needle.is_empty()
            || name.to_lowercase().contains(&needle)
            || [GroupBy::Group, GroupBy::Tier]
                .iter()
                .filter_map(|by| tag(name).get(*by))
                .any(|t| t.to_lowercase().contains(&needle))
    };
    let last = last_deployments(model);
    let mut services: Vec<Summary<'a>> = model
        .data
        .services
        .iter()
        .enumerate()
        .filter(|(_, name)| matches(name))
        .map(|(index, name)| {
            let mut s = summary(name, index, derived, last.get(name.as_str()).copied());
            s.group = model.tags.get(name).and_then(|t| t.get(ui.group_by));
            s
        })
        .collect();
    services.sort_by(|a, b| order(ui.sort, a, b));
    let grouped = services.iter().any(|s| s.group.is_some());
    if !grouped {
        let lines = (0..services.len()).map(Line::Service).collect();
        return FleetRows {
            services,
            lines,
            total: model.data.services.len(),
        };
    }
    // Groups in the order of their first member: under the budget sort the group
    // holding the service with the least budget comes first. Stable, so members keep
    // the sort's order within their group.
    let mut first_seen: Vec<Option<&str>> = Vec::new();
    for s in &services {
        if !first_seen.contains(&s.group) {
            first_seen.push(s.group);
        }
    }
    // The ungrouped go last, whatever their order.
    let rank = |g: Option<&str>| match g {
        None => usize::MAX,
        Some(_) => first_seen.iter().position(|x| *x == g).unwrap_or(0),
    };
    services.sort_by_key(|s| rank(s.group));
    let mut lines = Vec::with_capacity(services.len() + first_seen.len());
    let mut i = 0;
    while i < services.len() {
        let group = services[i].group;
        let end = services[i..]
            .iter()
            .position(|s| s.group != group)
            .map_or(services.len(), |n| i + n);
        let worst = (i..end).fold(i, |w, k| {
            if services[k].worse_than(&services[w]) {
                k
            } else {
                w
            }
        });
        lines.push(Line::Group {
            name: group.unwrap_or(UNGROUPED),
            members: end - i,
            worst,
        });
        lines.extend((i..end).map(Line::Service));
        i = end;
    }
    FleetRows {
        services,
        lines,
        total: model.data.services.len(),
    }
}

/// The newest deployment of every service, in one pass from the newest end.
fn last_deployments(model: &Model) -> HashMap<&str, &Deployment> {
    let wanted = model.data.services.len();
    let mut last: HashMap<&str, &Deployment> = HashMap::with_capacity(wanted);
    for d in model.data.deployments.iter().rev() {
        last.entry(d.service.as_str()).or_insert(d);
        if last.len() >= wanted {
            break;
        }
    }
    last
}

fn summary<'a>(
    name: &'a str,
    index: usize,
    derived: &'a Derived,
    last: Option<&'a Deployment>,
) -> Summary<'a> {
    let figures = derived.services.get(name);
    let budget = figures.and_then(|f| f.budget.as_ref());
    let burn = budget.and_then(|b| {
        let r = &b.burn_rates;
        [
            ("5m", r.m5),
            ("30m", r.m30),
            ("1h", r.h1),
            ("6h", r.h6),
            ("3d", r.d3),
        ]
        .into_iter()
        .filter_map(|(window, rate)| {
            Some(Burn {
                window,
                rate: rate?,
            })
        })
        .filter(|b| b.rate.is_finite())
        .reduce(|a, b| if b.rate > a.rate { b } else { a })
    });
    let alert = budget.and_then(|b| {
        let page = b.alerts.iter().any(|a| a.severity == AlertSeverity::Page);
        match (page, b.alerts.is_empty()) {
            (true, _) => Some(AlertSeverity::Page),
            (false, false) => Some(AlertSeverity::Ticket),
            (false, true) => None,
        }
    });
    let dora = figures.map(|f| &f.dora);
    Summary {
        name,
        index,
        group: None,
        policy: budget.and_then(|b| b.policy),
        remaining: budget.and_then(|b| b.remaining),
        burn,
        alert,
        last,
        per_day: dora.and_then(|d| d.deployment_frequency.per_day),
        frequency_level: dora.and_then(|d| d.deployment_frequency.level),
        change_failure_rate: dora.and_then(|d| d.change_failure_rate.rate),
        change_failure_level: dora.and_then(|d| d.change_failure_rate.level),
    }
}

/// The sort's order; what is unknown goes last, ties by name.
fn order(sort: FleetSort, a: &Summary<'_>, b: &Summary<'_>) -> Ordering {
    fn known_first<T>(a: Option<T>, b: Option<T>, cmp: impl Fn(T, T) -> Ordering) -> Ordering {
        match (a, b) {
            (Some(x), Some(y)) => cmp(x, y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
    let by = match sort {
        FleetSort::Budget => known_first(a.remaining, b.remaining, |x, y| x.total_cmp(&y)),
        FleetSort::Burn => known_first(a.burn, b.burn, |x, y| y.rate.total_cmp(&x.rate)),
        FleetSort::LastDeploy => known_first(a.last, b.last, |x, y| {
            (y.started_at, &y.id).cmp(&(x.started_at, &x.id))
        }),
        FleetSort::Name => Ordering::Equal,
    };
    by.then_with(|| a.name.cmp(b.name))
}
