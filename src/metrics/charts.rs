//! Which values each SPC metric charts (the ids of `app::model::SpcMetric`): lead time,
//! deploy duration and recovery time per deployment (XmR); change failure rate per week
//! (p-chart) and incidents per deployment per week (u-chart).
//!
//! **The charted span is the whole history up to the window's end**, not the window:
//! every production deployment the data holds that finished before the window ends
//! (the demo holds 90 days; the cache keeps `retention_days`). A control chart needs
//! its baseline (`spc_baseline` points, 20 by default) before it can judge anything,
//! and its limits must stay put while the window slides: computed from the window
//! alone, a 30-day window would give the weekly charts 4 points (a 20-point baseline
//! never reached, 8-in-a-row never possible) and the XmR limits would move every time
//! the window moved. So each segment (every process-change annotation starts one)
//! takes its baseline from its own first points, held afterwards; the segment holding
//! the range the user marked (`spc_baseline_start` / `spc_baseline_end`) takes that
//! range instead, and process changes strictly inside the range cut nothing (see
//! `spc::segments::plan`). A segment too short for limits has none (its points are
//! not judged), never the previous segment's. The points a chart shows and reports
//! (its `points`, the indices of its signals) are those of the whole charted span,
//! oldest first, the window's being the last of them.
//!
//! Weekly points are 7-local-day blocks counted back from the window's end, over the
//! whole history: the oldest block that starts before the first deployment is
//! partial, and like the leftover days of a window it is not a week.

use crate::model::log::seconds_between;
use crate::model::{AnnotationKind, Incident, Ts};

use super::dora::{History, Recovery};
use super::local;
use super::percentile::percentile_in_place;
use super::settings::Settings;
use super::spc::{attribute_chart, floor_lower_limits, xmr_chart, ChartParams, Subgroup};
use super::types::{ChartKind, SpcChart, Window};
use super::Inputs;

/// Every SPC chart of one service over its history up to the end of `window`.
pub fn charts(
    inputs: &Inputs<'_>,
    service: &str,
    history: &History,
    window: Window,
    settings: &Settings,
) -> Vec<SpcChart> {
    let changes: Vec<Ts> = inputs
        .annotations
        .iter()
        .filter(|a| a.kind == AnnotationKind::ProcessChange && a.at < window.end)
        .filter(|a| a.service.as_deref().is_none_or(|s| s == service))
        .map(|a| a.at)
        .collect();
    let params = ChartParams {
        baseline: settings.spc_baseline,
        rules: settings.rules,
        changes: &changes,
        marked: settings.spc_baseline_range,
    };
    let rows = 0..history.position_before(window.end);
    let mut lead = Vec::new();
    let mut duration = Vec::new();
    let mut recovery = Vec::new();
    let mut buffer: Vec<f64> = Vec::new();
    for r in rows.clone().filter(|&r| history.counts(r)) {
        let Some(finished) = history.finished_at(r) else {
            continue;
        };
        let slice = history.lead_times_of(r);
        if !slice.is_empty() {
            // One buffer for every row's median, not an allocation each.
            buffer.clear();
            buffer.extend_from_slice(slice);
            if let Some(median) = percentile_in_place(&mut buffer, 0.5) {
                lead.push((finished, median));
            }
        }
        let secs = seconds_between(history.started_ms[r], history.finished_ms[r]);
        duration.push((finished, secs));
        if let Recovery::Recovered(s) = history.recovery_of(r) {
            recovery.push((finished, s));
        }
    }
    // Weeks back from the window's end to the first deployment of the history.
    let first = history
        .started_ms
        .get(rows)
        .and_then(|s| s.iter().copied().min());
    let bounds = first
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map_or_else(Vec::new, |f| {
            local::week_starts(settings.calendar.tz, f, window.end)
        });
    let (failures, incidents) = weekly(inputs.incidents, service, history, &bounds);
    let mut charts = vec![
        xmr_chart("lead_time", &lead, &params),
        xmr_chart("deploy_duration", &duration, &params),
        xmr_chart("recovery_time", &recovery, &params),
        attribute_chart("change_failure_rate", ChartKind::P, &failures, &params),
        attribute_chart(
            "incidents_per_deployment",
            ChartKind::U,
            &incidents,
            &params,
        ),
    ];
    // Durations, proportions and counts cannot be negative: neither can their limits.
    for chart in &mut charts {
        floor_lower_limits(chart, 0.0);
        stamp_week_ends(chart, &bounds);
    }
    charts
}

/// Gives each weekly point of `chart` the end of its week (`bounds` are the week
/// starts, descending: the week starting at `bounds[k]` ends at `bounds[k - 1]`).
fn stamp_week_ends(chart: &mut SpcChart, bounds: &[Ts]) {
    for point in chart.points.iter_mut().filter(|p| p.counts.is_some()) {
        // Descending: searched with the order reversed.
        point.until = bounds
            .binary_search_by(|b| point.at.cmp(b))
            .ok()
            .and_then(|k| k.checked_sub(1))
            .map(|k| bounds[k]);
    }
}

type Weekly = Vec<(Ts, Subgroup)>;

/// Per whole week (oldest first, stamped with its start): failed of counted
/// deployments, and incidents created per counted deployment. `bounds` are the week
/// starts counted back from the end ([`local::week_starts`]), descending.
fn weekly(
    incidents: &[Incident],
    service: &str,
    history: &History,
    bounds: &[Ts],
) -> (Weekly, Weekly) {
    let mut failures = Vec::new();
    let mut per_deploy = Vec::new();
    for pair in bounds.windows(2).rev() {
        let (start, end) = (pair[1], pair[0]);
        let (mut n, mut failed) = (0.0, 0.0);
        for r in history.range(start, end).filter(|&r| history.counts(r)) {
            n += 1.0;
            if history.failed(r) {
                failed += 1.0;
            }
        }
        let first = incidents.partition_point(|i| i.created_at < start);
        let count = incidents[first..]
            .iter()
            .take_while(|i| i.created_at < end)
            .filter(|i| i.service == service)
            .count() as f64;
        failures.push((start, Subgroup { count: failed, n }));
        per_deploy.push((start, Subgroup { count, n }));
    }
    (failures, per_deploy)
}
