//! The five keys over one window, from a service's history: every figure is a scan of
//! the contiguous rows that finished in the window.

use chrono_tz::Tz;

use crate::metrics::local;
use crate::metrics::percentile::{p50_p90, percentile_in_place};
use crate::metrics::types::{
    ChangeFailureRate, DeploymentFrequency, Dora, LeadTime, RecoveryTime, ReworkRate, Window,
};
use crate::model::DeployStatus;

use super::history::{Recovery, Row};
use super::levels;
use super::History;

/// DORA figures of `history` over `window` (days and weeks in zone `tz`).
pub fn dora(history: &History<'_>, window: Window, tz: Tz) -> Dora {
    let range = history.rows.range(window.start, window.end);
    let rows = &history.rows.rows[range];
    let lead_slice = match (rows.first(), rows.last()) {
        (Some(a), Some(b)) => history
            .lead_times
            .get(a.changes.start..b.changes.end)
            .unwrap_or(&[]),
        _ => &[],
    };
    Dora {
        window,
        deployment_frequency: frequency(rows, window, tz),
        lead_time: lead_time(lead_slice),
        change_failure_rate: change_failure_rate(rows),
        recovery_time: recovery_time(rows),
        rework_rate: rework_rate(rows),
    }
}

fn frequency(rows: &[Row<'_>], window: Window, tz: Tz) -> DeploymentFrequency {
    let days = local::days_in(tz, window.start, window.end);
    let successes = || rows.iter().filter(|r| r.status == DeployStatus::Success);
    let deployments = successes().count() as u32;
    let per_day = (days > 0.0).then(|| f64::from(deployments) / days);
    // Day d (0 = the last) of the window counted back from its end, in local days.
    let weeks = local::week_starts(tz, window.start, window.end).len() - 1;
    let day_starts: Vec<_> = (0..=7 * weeks as u64)
        .map(|d| local::days_back(tz, window.end, d))
        .collect();
    let mut active = vec![false; 7 * weeks];
    for r in successes() {
        let Some(f) = r.finished else { continue };
        // Boundaries descend: count those after `f` to find its day.
        let d = day_starts[1..].partition_point(|&b| b > f);
        if let Some(slot) = active.get_mut(d) {
            *slot = true;
        }
    }
    let mut per_week: Vec<f64> = active
        .chunks(7)
        .map(|w| w.iter().filter(|&&a| a).count() as f64)
        .collect();
    DeploymentFrequency {
        deployments,
        per_day,
        deployment_days_per_week: percentile_in_place(&mut per_week, 0.5),
        level: levels::frequency(per_day),
    }
}

fn lead_time(slice: &[f64]) -> LeadTime {
    let mut values = slice.to_vec();
    let (p50, p90) = p50_p90(&mut values);
    LeadTime {
        changes: slice.len() as u32,
        p50_seconds: p50,
        p90_seconds: p90,
        level: levels::lead_time(p50),
    }
}

fn ratio(n: u32, d: u32) -> Option<f64> {
    (d > 0).then(|| f64::from(n) / f64::from(d))
}

fn change_failure_rate(rows: &[Row<'_>]) -> ChangeFailureRate {
    let (mut failed, mut deployments) = (0u32, 0u32);
    for r in rows.iter().filter(|r| r.counts()) {
        deployments += 1;
        failed += u32::from(r.failed);
    }
    let rate = ratio(failed, deployments);
    ChangeFailureRate {
        failed,
        deployments,
        rate,
        level: levels::change_failure_rate(rate),
    }
}

fn recovery_time(rows: &[Row<'_>]) -> RecoveryTime {
    let mut values = Vec::new();
    let mut ongoing = 0;
    for r in rows.iter().filter(|r| r.counts()) {
        match r.recovery {
            Recovery::Recovered(s) => values.push(s),
            Recovery::Ongoing => ongoing += 1,
            Recovery::NotFailed => {}
        }
    }
    let (p50, p90) = p50_p90(&mut values);
    RecoveryTime {
        failures: values.len() as u32,
        ongoing,
        p50_seconds: p50,
        p90_seconds: p90,
        level: levels::recovery_time(p50),
    }
}

fn rework_rate(rows: &[Row<'_>]) -> ReworkRate {
    let (mut rework, mut deployments) = (0u32, 0u32);
    for r in rows.iter().filter(|r| r.counts()) {
        deployments += 1;
        rework += u32::from(r.remediation);
    }
    ReworkRate {
        rework,
        deployments,
        rate: ratio(rework, deployments),
    }
}
