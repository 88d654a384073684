//! The five keys over one window, from a service's history: every figure is a scan of
//! the contiguous rows that finished in the window.

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::metrics::local;
use crate::metrics::percentile::{p50_p90, percentile_in_place};
use crate::metrics::types::{
    ChangeFailureRate, DeploymentFrequency, Dora, LeadTime, RecoveryTime, ReworkRate, Window,
};
use crate::model::{DeployStatus, Ts};

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

/// Deployments per day over the window's length in local days, and the median over
/// the window's whole weeks of the deployment days in each week.
///
/// Weeks are 7-local-day blocks counted back from the window's end (the leftover days
/// at its start are in no week). A week's deployment days are the distinct local
/// calendar dates (in `tz`) on which its successful production deployments finished.
/// A block that does not start at local midnight touches 8 dates (the same weekday at
/// both ends, each partly); it still holds at most 7 days' worth, so the count is
/// capped at 7.
fn frequency(rows: &[Row<'_>], window: Window, tz: Tz) -> DeploymentFrequency {
    let days = local::days_in(tz, window.start, window.end);
    let successes = || rows.iter().filter(|r| r.status == DeployStatus::Success);
    let deployments = successes().count() as u32;
    let per_day = (days > 0.0).then(|| f64::from(deployments) / days);
    // bounds[k] is the start of the week ending k weeks before the end (bounds[0] is
    // the end itself); they descend.
    let bounds = local::week_starts(tz, window.start, window.end);
    let weeks = bounds.len() - 1;
    let mut per_week = vec![0.0f64; weeks];
    // Rows are sorted by finish: each week's dates arrive in order, so counting the
    // changes of date counts the distinct dates, and a date is looked up only when a
    // finish passes the end of the current one.
    let mut current: Option<(usize, NaiveDate)> = None;
    let mut date_end: Option<Ts> = None;
    let mut date = NaiveDate::MIN;
    for f in successes().filter_map(|r| r.finished) {
        // The week of `f`: the number of bounds after it, less one.
        let week = bounds[1..].partition_point(|&b| b > f);
        if week >= weeks {
            continue;
        }
        if date_end.is_none_or(|e| f >= e) {
            date = local::local_date(tz, f);
            date_end = date
                .succ_opt()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| local::from_local(tz, d));
        }
        if current != Some((week, date)) {
            current = Some((week, date));
            per_week[week] += 1.0;
        }
    }
    for w in &mut per_week {
        *w = w.min(7.0);
    }
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
