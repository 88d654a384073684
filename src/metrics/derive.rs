//! The engine's entry point: every figure for every service at one instant.

use std::collections::{BTreeMap, HashMap};

use crate::model::{DeployStatus, SeriesKind, Ts};

use super::budget::error_budget;
use super::charts::charts;
use super::consumed::{consumption, ConsumptionParams, Traffic};
use super::dora::{dora, Histories, History, Link, Scratch};
use super::local;
use super::risk;
use super::settings::Settings;
use super::types::{DeploymentFacts, UnlinkedIncident, Window};
use super::{Derived, Inputs, ServiceDerived};

/// Derives every figure for every service in `services` as known at `now`, over the
/// window of `settings.window` ending at `now` (in local days when whole days) and the
/// one before it.
pub fn derive(inputs: &Inputs<'_>, services: &[String], settings: &Settings, now: Ts) -> Derived {
    derive_in(inputs, services, settings, now, &mut Scratch::default())
}

/// [`derive`], reusing the memory `scratch` kept from the previous derive and keeping
/// this one's for the next (what the cockpit does on every poll).
pub fn derive_in(
    inputs: &Inputs<'_>,
    services: &[String],
    settings: &Settings,
    now: Ts,
    scratch: &mut Scratch,
) -> Derived {
    let histories = Histories::build_in(inputs, settings, now, scratch);
    let window = local::window_ending(settings.calendar.tz, now, settings.window);
    let empty = History::default();
    let derived = services
        .iter()
        .map(|service| {
            let history = histories.services.get(service.as_str()).unwrap_or(&empty);
            let d = service_derived(inputs, service, history, &histories, settings, window, now);
            (service.clone(), d)
        })
        .collect();
    let unlinked_incidents = inputs
        .incidents
        .iter()
        .zip(&histories.links)
        .filter(|(i, _)| window.contains(i.created_at) && services.contains(&i.service))
        .filter_map(|(i, l)| match l {
            Some(Link::Unlinked { why, named }) => Some(UnlinkedIncident {
                key: i.key.clone(),
                why: *why,
                named: named
                    .zip(i.linked_deployment.clone())
                    .map(|(n, id)| (id, n)),
            }),
            _ => None,
        })
        .collect();
    scratch.recycle(histories);
    Derived {
        at: Some(now),
        services: derived,
        unlinked_incidents,
    }
}

fn service_derived(
    inputs: &Inputs<'_>,
    service: &str,
    history: &History,
    histories: &Histories<'_>,
    settings: &Settings,
    window: Window,
    now: Ts,
) -> ServiceDerived {
    let tz = settings.calendar.tz;
    let slo = settings.slo(service);
    let budget = inputs
        .ratios
        .get(service)
        .map(|r| error_budget(slo, r, &settings.policy));
    let policy_now = budget.as_ref().and_then(|b| b.policy);
    ServiceDerived {
        service: service.to_string(),
        dora: dora(history, window, tz),
        dora_previous: dora(
            history,
            local::window_ending(tz, window.start, settings.window),
            tz,
        ),
        budget,
        spc: charts(inputs, service, history, window, settings),
        facts: facts(
            inputs, service, history, histories, settings, now, policy_now,
        ),
    }
}

/// Facts of every deployment of the service started before `now`, any environment.
fn facts(
    inputs: &Inputs<'_>,
    service: &str,
    history: &History,
    histories: &Histories<'_>,
    settings: &Settings,
    now: Ts,
    policy_now: Option<crate::metrics::types::Policy>,
) -> BTreeMap<String, DeploymentFacts> {
    let mut incidents: HashMap<usize, Vec<String>> = HashMap::new();
    for (inc, link) in inputs.incidents.iter().zip(&histories.links) {
        if let Some(d) = link.and_then(Link::deployment) {
            incidents.entry(d).or_default().push(inc.key.clone());
        }
    }
    let key = |k| (service.to_string(), k);
    let traffic = match (
        inputs.series.get(&key(SeriesKind::ErrorRatio)),
        inputs.series.get(&key(SeriesKind::RequestRate)),
    ) {
        (Some(ratio), Some(rate)) => Some(Traffic::new(ratio, rate)),
        _ => None,
    };
    let slo = settings.slo(service);
    let params = ConsumptionParams {
        budget: super::budget::budget(slo.target),
        slo_window: slo.window,
        bake: settings.bake,
        baseline: settings.baseline,
        spike_factor: settings.spike_factor,
    };
    // Depends only on the service and `now`: once, not per deployment. The source's
    // mean rate over the SLO window when it gave one, else the series if it spans it.
    let window_seconds = slo.window.num_milliseconds() as f64 / 1000.0;
    let window_requests = inputs
        .ratios
        .get(service)
        .and_then(|r| r.slo_window_request_rate)
        .filter(|r| r.is_finite() && *r > 0.0)
        .map(|rate| rate * window_seconds)
        .or_else(|| {
            traffic
                .as_ref()
                .and_then(|t| t.window_requests(now, slo.window))
        });
    let of_service = histories
        .deployments_of
        .get(service)
        .copied()
        .unwrap_or(&[]);
    // In id order, so that the map below is laid out from a sorted list (its sort
    // finds one run) instead of sorting the large (id, facts) pairs themselves. Each
    // id is read once, in memory order, into a key whose first eight bytes decide most
    // comparisons without following a pointer (see [`id_prefix`]).
    let mut keyed: Vec<(u64, &str, usize)> = of_service
        .iter()
        .filter_map(|&i| {
            let i = i as usize;
            let id = inputs.deployments.get(i)?.id.as_str();
            Some((id_prefix(id), id, i))
        })
        .collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)).then(a.2.cmp(&b.2)));
    let mut out = Vec::with_capacity(keyed.len());
    for (_, _, i) in keyed {
        let Some(dep) = inputs.deployments.get(i) else {
            continue;
        };
        let row = histories.row(history, i);
        let policy = policy_now.filter(|_| risk::budget_policy_applies(dep, now));
        let production = dep.is_production() && dep.status != DeployStatus::Canceled;
        let c = traffic.as_ref().filter(|_| production).map(|t| {
            consumption(
                t,
                dep.started_at,
                row.and_then(|r| history.finished_at(r)),
                now,
                &params,
                window_requests,
            )
        });
        // A production row's batch is what lead time counts; any other deployment
        // (staging…, canceled) has no production history: its own distinct commits.
        let batch = match row {
            Some(r) => history.batch_of(r).map(|b| b as usize),
            None => Some(distinct_commits(dep)),
        };
        out.push((
            dep.id.clone(),
            DeploymentFacts {
                // As the change failure rate counts it: a running deployment (even
                // with a failed canary) is not yet a change failure.
                failed: row.is_some_and(|r| history.counted_failure(r)),
                risk: risk::flags(dep, &settings.calendar, settings.large_batch, batch, policy),
                budget_consumed: c.and_then(|c| c.consumed),
                spike: c.is_some_and(|c| c.spike),
                incidents: incidents.remove(&i).unwrap_or_default(),
                changes_counted: row.is_some_and(|r| history.changes_counted(r)),
            },
        ));
    }
    // Built in one go from the list (sorted, then laid out), not by an insert each.
    out.into_iter().collect()
}

/// Distinct commit shas of one deployment.
fn distinct_commits(dep: &crate::model::Deployment) -> usize {
    let mut shas: Vec<&str> = dep.commits.iter().map(|c| c.sha.as_str()).collect();
    shas.sort_unstable();
    shas.dedup();
    shas.len()
}

/// The first eight bytes of an id, zero-padded, big-endian: ids in this order are in
/// string order wherever their prefixes differ (a shorter id is padded with zeros,
/// which sort first, as a prefix does), and equal prefixes fall back to the strings.
fn id_prefix(id: &str) -> u64 {
    let mut b = [0u8; 8];
    let n = id.len().min(8);
    b[..n].copy_from_slice(&id.as_bytes()[..n]);
    u64::from_be_bytes(b)
}
