//! Deployment risk flags (DESIGN §3): weekend, holiday, outside the change window,
//! during a freeze, during a budget-policy freeze, large batch, manual trigger. Judged
//! at the deployment's start, in the calendar's zone (so correct across DST changes).

use chrono::{Datelike, Timelike};

use crate::model::{Deployment, Trigger, Ts};

use super::local;
use super::settings::{Calendar, ChangeWindow, Freeze};
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
    if is_holiday(calendar, at) {
        out.push(RiskFlag::Holiday);
    }
    if outside_change_window(calendar, at) {
        out.push(RiskFlag::OutsideChangeWindow);
    }
    if freezes_at(calendar, &dep.service, at).next().is_some() {
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

/// Whether `at` falls on a configured holiday (a local date in the calendar's zone).
pub fn is_holiday(calendar: &Calendar, at: Ts) -> bool {
    !calendar.holidays.is_empty()
        && calendar
            .holidays
            .contains(&local::local_date(calendar.tz, at))
}

/// Whether `at` is outside every change window; never when none is configured.
pub fn outside_change_window(calendar: &Calendar, at: Ts) -> bool {
    !calendar.change_windows.is_empty()
        && !calendar
            .change_windows
            .iter()
            .any(|w| in_window(w, calendar, at))
}

/// The freezes `[start, end)` that hold `service` at `at` (its own and every-service ones).
pub fn freezes_at<'a>(
    calendar: &'a Calendar,
    service: &'a str,
    at: Ts,
) -> impl Iterator<Item = &'a Freeze> + 'a {
    calendar.freezes.iter().filter(move |f| {
        f.start <= at && at < f.end && f.service.as_ref().is_none_or(|s| s == service)
    })
}

/// Whether `at` falls in a change window, judged on the local wall clock of the
/// calendar's zone (so a window means the same hours in summer and in winter, and
/// the night the clocks change is judged like any other).
///
/// A window opens at `start` on each listed local day and closes at the next `end`:
/// - `start < end`: `[start, end)` on a listed day.
/// - `end < start` (overnight): `[start, midnight)` on a listed day and `[midnight,
///   end)` on the day after it — the hours after midnight belong to the window that
///   opened the previous local day, so with `days = ["fri"]` and 22:00–02:00, Saturday
///   01:00 is inside and Friday 01:00 is not.
/// - `end == start`: a whole day, from `start` on a listed day to `start` the day
///   after ("00:00"–"00:00" is the whole listed day, 23 or 25 hours on the night the
///   clocks change), never an empty window.
fn in_window(w: &ChangeWindow, calendar: &Calendar, at: Ts) -> bool {
    let local = at.with_timezone(&calendar.tz);
    let time = local.time().with_nanosecond(0).unwrap_or(local.time());
    let day = local.weekday();
    if w.start < w.end {
        w.days.contains(&day) && w.start <= time && time < w.end
    } else {
        // Overnight or a whole day: from `start` today, or until `end` (exclusive)
        // after midnight in the window the previous local day opened.
        (w.days.contains(&day) && time >= w.start) || (w.days.contains(&day.pred()) && time < w.end)
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
    use crate::model::{DeployKind, DeployStatus};
    use crate::zone::Tz;
    use chrono::{NaiveDate, NaiveTime, Weekday};

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
            tz: Tz::named("Europe/Berlin"),
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

    /// A Berlin calendar with one change window and nothing else.
    fn one_window(days: &[Weekday], start: &str, end: &str) -> Calendar {
        let hm = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").unwrap_or_default();
        Calendar {
            tz: Tz::named("Europe/Berlin"),
            holidays: Vec::new(),
            change_windows: vec![ChangeWindow {
                days: days.to_vec(),
                start: hm(start),
                end: hm(end),
            }],
            freezes: Vec::new(),
        }
    }

    /// Whether a deployment starting at `at` (UTC) is inside the change window.
    fn inside(calendar: &Calendar, at: &str) -> bool {
        !flags(&dep(at), calendar, 20, Some(0), None).contains(&RiskFlag::OutsideChangeWindow)
    }

    #[test]
    fn after_midnight_belongs_to_the_window_opened_the_day_before() {
        // Fridays 22:00–02:00 in Berlin (CET, UTC+1 in November). 2026-11-20 is a Friday.
        let c = one_window(&[Weekday::Fri], "22:00", "02:00");
        // Sat 01:00 local: in the window Friday opened.
        assert!(inside(&c, "2026-11-21T00:00:00Z"));
        // Fri 01:00 local: the tail of a Thursday window, and Thursday is not listed.
        assert!(!inside(&c, "2026-11-20T00:00:00Z"));
        // Fri 21:59 outside, 22:00 inside; Sat 01:59 inside, 02:00 outside.
        assert!(!inside(&c, "2026-11-20T20:59:00Z"));
        assert!(inside(&c, "2026-11-20T21:00:00Z"));
        assert!(inside(&c, "2026-11-21T00:59:00Z"));
        assert!(!inside(&c, "2026-11-21T01:00:00Z"));
        // Sat 22:30 local: Saturday opens no window.
        assert!(!inside(&c, "2026-11-21T21:30:00Z"));
    }

    #[test]
    fn start_equal_to_end_is_a_whole_day() {
        // "00:00"–"00:00" Monday to Friday: every instant of those local days.
        let weekdays = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ];
        let c = one_window(&weekdays, "00:00", "00:00");
        assert!(inside(&c, "2026-11-22T23:00:00Z")); // Mon 23 Nov 00:00 local
        assert!(inside(&c, "2026-11-18T11:00:00Z")); // Wed 12:00
        assert!(inside(&c, "2026-11-20T22:59:00Z")); // Fri 23:59
        assert!(!inside(&c, "2026-11-20T23:00:00Z")); // Sat 00:00
        assert!(!inside(&c, "2026-11-22T22:59:00Z")); // Sun 23:59
                                                      // "09:00"–"09:00" on Mondays: Monday 09:00 to Tuesday 09:00.
        let c = one_window(&[Weekday::Mon], "09:00", "09:00");
        assert!(!inside(&c, "2026-11-23T07:59:00Z")); // Mon 08:59
        assert!(inside(&c, "2026-11-23T08:00:00Z")); // Mon 09:00
        assert!(inside(&c, "2026-11-24T07:59:00Z")); // Tue 08:59
        assert!(!inside(&c, "2026-11-24T08:00:00Z")); // Tue 09:00
    }

    #[test]
    fn overnight_windows_follow_the_wall_clock_on_dst_nights() {
        // Berlin falls back on Sun 2026-10-25 at 03:00 CEST → 02:00 CET: the night
        // is 25 hours and 02:00–03:00 happens twice. Saturdays 22:00–03:00 open at
        // 20:00Z and close at 03:00 CET = 02:00Z: 6 hours, not 5.
        let c = one_window(&[Weekday::Sat], "22:00", "03:00");
        assert!(!inside(&c, "2026-10-24T19:59:00Z")); // Sat 21:59 CEST
        assert!(inside(&c, "2026-10-24T20:00:00Z")); // Sat 22:00 CEST
        assert!(inside(&c, "2026-10-25T00:30:00Z")); // Sun 02:30 CEST
        assert!(inside(&c, "2026-10-25T01:30:00Z")); // Sun 02:30 CET, the second time
        assert!(inside(&c, "2026-10-25T01:59:00Z")); // Sun 02:59 CET
        assert!(!inside(&c, "2026-10-25T02:00:00Z")); // Sun 03:00 CET
                                                      // Berlin springs forward on Sun 2026-03-29 at 02:00 CET → 03:00 CEST.
                                                      // Saturdays 22:00–04:00 open at 21:00Z and close at 04:00 CEST = 02:00Z: 5
                                                      // hours, not 6.
        let c = one_window(&[Weekday::Sat], "22:00", "04:00");
        assert!(inside(&c, "2026-03-28T21:00:00Z")); // Sat 22:00 CET
        assert!(inside(&c, "2026-03-29T00:59:00Z")); // Sun 01:59 CET
        assert!(inside(&c, "2026-03-29T01:00:00Z")); // Sun 03:00 CEST
        assert!(inside(&c, "2026-03-29T01:59:00Z")); // Sun 03:59 CEST
        assert!(!inside(&c, "2026-03-29T02:00:00Z")); // Sun 04:00 CEST
        assert!(!inside(&c, "2026-03-29T02:30:00Z")); // Sun 04:30 CEST
                                                      // A whole Sunday on the fall-back night is 25 hours of local day.
        let c = one_window(&[Weekday::Sun], "00:00", "00:00");
        assert!(!inside(&c, "2026-10-24T21:59:00Z")); // Sat 23:59 CEST
        assert!(inside(&c, "2026-10-24T22:00:00Z")); // Sun 00:00 CEST
        assert!(inside(&c, "2026-10-25T22:59:00Z")); // Sun 23:59 CET
        assert!(!inside(&c, "2026-10-25T23:00:00Z")); // Mon 00:00 CET
    }

    #[test]
    fn todays_policy_is_not_charged_to_old_deployments() {
        let d = dep("2026-12-01T10:00:00Z");
        assert!(budget_policy_applies(&d, utc("2026-12-01T20:00:00Z")));
        assert!(!budget_policy_applies(&d, utc("2026-12-05T20:00:00Z")));
    }
}
