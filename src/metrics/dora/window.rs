//! The five keys over one window, from a service's history: every figure is a scan of
//! the contiguous rows that finished in the window.

use crate::zone::Tz;
use chrono::NaiveDate;

use crate::metrics::local;
use crate::metrics::percentile::{p50_p90, p50_p90_of, percentile_in_place};
use crate::metrics::types::{
    ChangeFailureRate, DeploymentFrequency, Dora, LeadTime, RecoveryTime, ReworkRate, Window,
};

use super::levels;
use super::History;

/// DORA figures of `history` over `window` (days and weeks in zone `tz`), from the
/// history's columns: a window is a contiguous run of a few bytes per row.
pub fn dora(history: &History, window: Window, tz: Tz) -> Dora {
    let range = history.range(window.start, window.end);
    let lead_slice = history.lead_times_of_rows(range.clone());
    let flags = history.flags.get(range.clone()).unwrap_or(&[]);
    let finished = history.finished_ms.get(range.clone()).unwrap_or(&[]);
    let recovery = history.recovery.get(range).unwrap_or(&[]);
    Dora {
        window,
        deployment_frequency: frequency(flags, finished, window, tz),
        lead_time: lead_time(lead_slice),
        change_failure_rate: change_failure_rate(flags),
        recovery_time: recovery_time(flags, recovery),
        rework_rate: rework_rate(flags),
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
fn frequency(flags: &[u8], finished: &[i64], window: Window, tz: Tz) -> DeploymentFrequency {
    let days = local::days_in(tz, window.start, window.end);
    let successes = || {
        flags
            .iter()
            .zip(finished)
            .filter(|(&f, _)| f & History::SUCCESS != 0)
            .map(|(_, &ms)| ms)
    };
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
    let mut date = NaiveDate::MIN;
    // The bounds and date ends in epoch milliseconds (finishes are whole ones): an
    // instant `b` is after a finish `f` iff `b` is after `f`'s millisecond.
    let after = super::table::ms_ceil;
    let bounds_ms: Vec<i64> = bounds.iter().map(|&b| after(b)).collect();
    let mut date_end_ms: Option<i64> = None;
    for ms in successes() {
        // The week of `f`: the number of bounds after it, less one.
        let week = bounds_ms[1..].partition_point(|&b| b > ms);
        if week >= weeks {
            continue;
        }
        if date_end_ms.is_none_or(|e| ms >= e) {
            let Some(f) = chrono::DateTime::from_timestamp_millis(ms) else {
                continue;
            };
            date = local::local_date(tz, f);
            date_end_ms = date
                .succ_opt()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| after(local::from_local(tz, d)));
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
    // Read in place: a window's lead times are a slice of the history's.
    let (p50, p90) = p50_p90_of(slice);
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

fn change_failure_rate(flags: &[u8]) -> ChangeFailureRate {
    let (mut failed, mut deployments) = (0u32, 0u32);
    for &f in flags.iter().filter(|&&f| f & History::COUNTS != 0) {
        deployments += 1;
        failed += u32::from(f & History::FAILED != 0);
    }
    let rate = ratio(failed, deployments);
    ChangeFailureRate {
        failed,
        deployments,
        rate,
        level: levels::change_failure_rate(rate),
    }
}

fn recovery_time(flags: &[u8], recovery: &[f64]) -> RecoveryTime {
    let mut values = Vec::new();
    let mut ongoing = 0;
    for (&f, &s) in flags.iter().zip(recovery) {
        if f & History::COUNTS == 0 {
            continue;
        }
        if f & History::RECOVERED != 0 {
            values.push(s);
        } else if f & History::ONGOING != 0 {
            ongoing += 1;
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

fn rework_rate(flags: &[u8]) -> ReworkRate {
    let (mut rework, mut deployments) = (0u32, 0u32);
    for &f in flags.iter().filter(|&&f| f & History::COUNTS != 0) {
        deployments += 1;
        rework += u32::from(f & History::REMEDIATION != 0);
    }
    ReworkRate {
        rework,
        deployments,
        rate: ratio(rework, deployments),
    }
}
