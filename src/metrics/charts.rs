//! Which values each SPC metric charts (the ids of `app::model::SpcMetric`): lead time,
//! deploy duration and recovery time per deployment (XmR); change failure rate per week
//! (p-chart) and incidents per deployment per week (u-chart), over the window's whole
//! weeks counted back from its end.

use chrono_tz::Tz;

use crate::model::{AnnotationKind, Incident, Ts};

use super::dora::{History, Recovery};
use super::local;
use super::percentile::percentile_in_place;
use super::settings::Settings;
use super::spc::{attribute_chart, xmr_chart, ChartParams, Subgroup};
use super::types::{ChartKind, SpcChart, Window};
use super::Inputs;

/// Every SPC chart of one service over `window`.
pub fn charts(
    inputs: &Inputs<'_>,
    service: &str,
    history: &History<'_>,
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
    };
    let rows = &history.rows.rows[history.rows.range(window.start, window.end)];
    let mut lead = Vec::new();
    let mut duration = Vec::new();
    let mut recovery = Vec::new();
    for row in rows.iter().filter(|r| r.counts()) {
        let Some(finished) = row.finished else {
            continue;
        };
        if let Some(slice) = history.lead_times.get(row.changes.clone()) {
            let mut v = slice.to_vec();
            if let Some(median) = percentile_in_place(&mut v, 0.5) {
                lead.push((finished, median));
            }
        }
        let secs = (finished - row.started).num_milliseconds() as f64 / 1000.0;
        duration.push((finished, secs.max(0.0)));
        if let Recovery::Recovered(s) = row.recovery {
            recovery.push((finished, s));
        }
    }
    let (failures, incidents) = weekly(
        inputs.incidents,
        service,
        history,
        window,
        settings.calendar.tz,
    );
    vec![
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
    ]
}

type Weekly = Vec<(Ts, Subgroup)>;

/// Per whole week (oldest first, stamped with its start): failed of counted
/// deployments, and incidents created per counted deployment.
fn weekly(
    incidents: &[Incident],
    service: &str,
    history: &History<'_>,
    window: Window,
    tz: Tz,
) -> (Weekly, Weekly) {
    let bounds = local::week_starts(tz, window.start, window.end);
    let mut failures = Vec::new();
    let mut per_deploy = Vec::new();
    for pair in bounds.windows(2).rev() {
        let (start, end) = (pair[1], pair[0]);
        let rows = &history.rows.rows[history.rows.range(start, end)];
        let (mut n, mut failed) = (0.0, 0.0);
        for r in rows.iter().filter(|r| r.counts()) {
            n += 1.0;
            if r.failed {
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
