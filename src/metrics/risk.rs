//! Deployment risk flags (DESIGN §3): weekend, holiday, outside the change window,
//! during a freeze, during a budget-policy freeze, large batch, manual trigger. Judged
//! at the deployment's start, in the calendar's zone (so correct across DST changes).

use chrono::{Datelike, Timelike};

use crate::model::{Deployment, Trigger, Ts};

use super::local;
use super::settings::{Calendar, ChangeWindow};
use super::types::{Policy, RiskFlag};

/// Risk flags of a deployment. `batch` is the number of changes it ships as lead time
/// counts them (distinct, since the previous successful production deployment; see
/// `dora::Row::batch`), `None` when unknown — then it is never a large batch (the
/// first deployment seen lists history, not a batch). `budget_policy` is the
/// error-budget policy that applied when it started, if known (see
/// [`budget_policy_applies`]).
pub fn flags(
    dep: &Deployment,
    calendar: &Calendar,
    large_batch: usize,
    batch: Option<usize>,
    budget_policy: Option<Policy>,
) -> Vec<RiskFlag> {
    let at = dep.started_at;
    let mut out = Vec::new();
    if local::is_weekend(calendar.tz, at) {
        out.push(RiskFlag::Weekend);
    }
    if !calendar.holidays.is_empty()
        && calendar
            .holidays
            .contains(&local::local_date(calendar.tz, at))
    {
        out.push(RiskFlag::Holiday);
    }
    if !calendar.change_windows.is_empty()
        && !calendar
            .change_windows
            .iter()
            .any(|w| in_window(w, calendar, at))
    {
        out.push(RiskFlag::OutsideChangeWindow);
    }
    if calendar.freezes.iter().any(|f| {
        f.start <= at && at < f.end && f.service.as_ref().is_none_or(|s| *s == dep.service)
    }) {
        out.push(RiskFlag::Freeze);
    }
    if matches!(budget_policy, Some(Policy::Frozen | Policy::HardFreeze)) {
        out.push(RiskFlag::BudgetFreeze);
    }
    if batch.is_some_and(|n| n > large_batch) {
        out.push(RiskFlag::LargeBatch);
    }
    if dep.trigger == Trigger::Manual {
        out.push(RiskFlag::Manual);
    }
    out
}

/// Whether `at` falls in a change window: its local weekday is allowed and its local
/// time is in `[start, end)`; a window whose end is before its start runs overnight.
fn in_window(w: &ChangeWindow, calendar: &Calendar, at: Ts) -> bool {
    let local = at.with_timezone(&calendar.tz);
    let time = local.time().with_nanosecond(0).unwrap_or(local.time());
    if !w.days.contains(&local.weekday()) {
        return false;
    }
    if w.start <= w.end {
        w.start <= time && time < w.end
    } else {
        time >= w.start || time < w.end
    }
}

/// The budget policy is only known now (the sources deliver current ratios, not their
/// history). The remaining budget over a 30-day window moves slowly, so the current
/// policy is applied to deployments still running or started within the last day, and
/// to none older: an old deployment is never charged with today's freeze.
pub fn budget_policy_applies(dep: &Deployment, now: Ts) -> bool {
    dep.finished_at.is_none_or(|f| f >= now) || now - dep.started_at < chrono::Duration::hours(24)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::settings::Freeze;
    use crate::model::{DeployKind, DeployStatus};
    use chrono::{NaiveDate, NaiveTime, Weekday};
    use chrono_tz::Tz;

    fn utc(s: &str) -> Ts {
        s.parse().unwrap_or_default()
    }

    fn dep(at: &str) -> Deployment {
        Deployment {
            id: "d".into(),
            source: "test".into(),
            service: "api".into(),
            environment: "production".into(),
            version: "1".into(),
            sha: "abc".into(),
            status: DeployStatus::Success,
            started_at: utc(at),
            finished_at: Some(utc(at) + chrono::Duration::minutes(5)),
            deployer: "me".into(),
            url: None,
            commits: Vec::new(),
            stages: Vec::new(),
            canary: None,
            trigger: Trigger::Auto,
            kind: DeployKind::Normal,
        }
    }

    fn calendar() -> Calendar {
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default();
        Calendar {
            tz: Tz::Europe__Berlin,
            holidays: vec![NaiveDate::from_ymd_opt(2026, 10, 3).unwrap_or_default()],
            change_windows: vec![ChangeWindow {
                days: vec![
                    Weekday::Mon,
                    Weekday::Tue,
                    Weekday::Wed,
                    Weekday::Thu,
                    Weekday::Fri,
                ],
                start: t(9),
                end: t(17),
            }],
            freezes: vec![Freeze {
                name: "year end".into(),
                start: utc("2026-12-20T00:00:00Z"),
                end: utc("2027-01-02T00:00:00Z"),
                service: Some("api".into()),
            }],
        }
    }

    #[test]
    fn local_time_decides_across_dst() {
        // Monday 2026-10-26 08:30 UTC is 09:30 CET (winter time since the 25th): inside.
        assert!(flags(&dep("2026-10-26T08:30:00Z"), &calendar(), 20, Some(0), None).is_empty());
        // Monday 2026-10-19 07:30 UTC is 09:30 CEST (summer time): inside.
        assert!(flags(&dep("2026-10-19T07:30:00Z"), &calendar(), 20, Some(0), None).is_empty());
        // Monday 2026-10-26 07:30 UTC is 08:30 CET: outside, though it is 09:30 a week earlier.
        assert_eq!(
            flags(&dep("2026-10-26T07:30:00Z"), &calendar(), 20, Some(0), None),
            vec![RiskFlag::OutsideChangeWindow]
        );
    }

    #[test]
    fn weekend_holiday_freeze_batch_manual() {
        // Saturday 2026-10-03 is also German Unity Day.
        let f = flags(&dep("2026-10-03T10:00:00Z"), &calendar(), 20, Some(0), None);
        assert_eq!(
            f,
            vec![
                RiskFlag::Weekend,
                RiskFlag::Holiday,
                RiskFlag::OutsideChangeWindow
            ]
        );
        // Friday 2026-10-02 23:30 UTC is already Saturday in Berlin.
        let f = flags(&dep("2026-10-02T23:30:00Z"), &calendar(), 20, Some(0), None);
        assert!(
            f.contains(&RiskFlag::Weekend) && f.contains(&RiskFlag::Holiday),
            "{f:?}"
        );
        let mut d = dep("2026-12-21T10:00:00Z");
        d.trigger = Trigger::Manual;
        d.commits = (0..21)
            .map(|i| crate::model::Change {
                sha: i.to_string(),
                title: String::new(),
                author: String::new(),
                authored_at: d.started_at,
                committed_at: d.started_at,
                merged_at: None,
            })
            .collect();
        // The batch is what lead time counts (21 distinct new changes), not the list.
        let f = flags(&d, &calendar(), 20, Some(21), Some(Policy::Frozen));
        assert_eq!(
            f,
            vec![
                RiskFlag::Freeze,
                RiskFlag::BudgetFreeze,
                RiskFlag::LargeBatch,
                RiskFlag::Manual
            ]
        );
        // The freeze is for "api" only.
        d.service = "web".into();
        assert!(!flags(&d, &calendar(), 20, Some(21), None).contains(&RiskFlag::Freeze));
        // 21 commits listed, but 20 of them shipped before: not a large batch.
        assert!(!flags(&d, &calendar(), 20, Some(1), None).contains(&RiskFlag::LargeBatch));
        assert!(!flags(&d, &calendar(), 20, None, None).contains(&RiskFlag::LargeBatch));
    }

    #[test]
    fn todays_policy_is_not_charged_to_old_deployments() {
        let d = dep("2026-12-01T10:00:00Z");
        assert!(budget_policy_applies(&d, utc("2026-12-01T20:00:00Z")));
        assert!(!budget_policy_applies(&d, utc("2026-12-05T20:00:00Z")));
    }
}
