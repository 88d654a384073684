//! DORA definitions (DESIGN §3) against hand-computed examples, including the edge
//! cases other tools get wrong, and property tests of the rates.

use std::collections::BTreeMap;

use chrono::{Duration, TimeZone, Utc};
use chrono_tz::Tz;
use flightdeck::metrics::budget::remaining;
use flightdeck::metrics::{derive, Inputs, Level, ServiceDerived, Settings};
use flightdeck::model::{
    CanaryOutcome, CanaryResult, Change, DeployKind, DeployStatus, Deployment, Incident, Trigger,
    Ts,
};
use proptest::prelude::*;

/// 2026-11-01 00:00 UTC plus `h` hours.
fn t(h: f64) -> Ts {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
        + Duration::seconds((h * 3600.0) as i64)
}

/// The instant the 30-day window [Nov 1, Dec 1) ends.
fn now() -> Ts {
    t(30.0 * 24.0)
}

fn change(sha: &str, committed: Ts) -> Change {
    Change {
        sha: sha.into(),
        title: String::new(),
        author: String::new(),
        authored_at: committed - Duration::hours(1),
        committed_at: committed,
        merged_at: None,
    }
}

fn dep(id: &str, start_h: f64, minutes: i64, status: DeployStatus) -> Deployment {
    Deployment {
        id: id.into(),
        source: "test".into(),
        service: "api".into(),
        environment: "production".into(),
        version: id.into(),
        sha: id.into(),
        status,
        started_at: t(start_h),
        finished_at: Some(t(start_h) + Duration::minutes(minutes)),
        deployer: "ci".into(),
        url: None,
        commits: Vec::new(),
        stages: Vec::new(),
        canary: None,
        trigger: Trigger::Auto,
        kind: DeployKind::Normal,
    }
}

fn kind(mut d: Deployment, k: DeployKind) -> Deployment {
    d.kind = k;
    d
}

fn incident(key: &str, created_h: f64, resolved_h: Option<f64>, link: Option<&str>) -> Incident {
    Incident {
        key: key.into(),
        service: "api".into(),
        title: String::new(),
        severity: "sev2".into(),
        created_at: t(created_h),
        resolved_at: resolved_h.map(t),
        linked_deployment: link.map(str::to_string),
    }
}

fn run_with(
    deps: &[Deployment],
    incs: &[Incident],
    settings: &Settings,
    at: Ts,
) -> (ServiceDerived, Vec<String>) {
    let ratios = BTreeMap::new();
    let series = BTreeMap::new();
    let inputs = Inputs {
        deployments: deps,
        incidents: incs,
        ratios: &ratios,
        series: &series,
        annotations: &[],
    };
    let d = derive(&inputs, &["api".to_string()], settings, at);
    let unlinked = d.unlinked_incidents.clone();
    let s = d.services.get("api").cloned();
    (s.unwrap_or_else(|| panic!("api derived")), unlinked)
}

fn run(deps: &[Deployment], incs: &[Incident]) -> ServiceDerived {
    run_with(deps, incs, &Settings::default(), now()).0
}

#[test]
fn zero_deployments_give_zero_frequency_and_no_rates() {
    let s = run(&[], &[]);
    let d = &s.dora;
    assert_eq!(d.deployment_frequency.deployments, 0);
    assert_eq!(d.deployment_frequency.per_day, Some(0.0));
    assert_eq!(d.deployment_frequency.deployment_days_per_week, Some(0.0));
    assert_eq!(d.deployment_frequency.level, Some(Level::Low));
    assert_eq!(
        (
            d.lead_time.changes,
            d.lead_time.p50_seconds,
            d.lead_time.level
        ),
        (0, None, None)
    );
    assert_eq!(
        (
            d.change_failure_rate.deployments,
            d.change_failure_rate.rate
        ),
        (0, None)
    );
    assert_eq!(d.change_failure_rate.level, None);
    assert_eq!(
        (d.recovery_time.failures, d.recovery_time.p50_seconds),
        (0, None)
    );
    assert_eq!(d.rework_rate.rate, None);
}

#[test]
fn one_deployment_charges_none_of_its_commits() {
    // The first deployment ever seen ships a year of history: not lead times.
    let mut d1 = dep("d1", 24.0, 10, DeployStatus::Success);
    d1.commits = vec![
        change("old", t(-365.0 * 24.0)),
        change("older", t(-400.0 * 24.0)),
    ];
    let s = run(&[d1], &[]);
    let d = &s.dora;
    assert_eq!(d.deployment_frequency.deployments, 1);
    assert_eq!(d.deployment_frequency.per_day, Some(1.0 / 30.0));
    assert_eq!(d.deployment_frequency.level, Some(Level::Medium));
    assert_eq!(d.lead_time.changes, 0);
    assert_eq!(d.lead_time.p50_seconds, None);
    assert_eq!(
        (
            d.change_failure_rate.failed,
            d.change_failure_rate.deployments
        ),
        (0, 1)
    );
    assert_eq!(d.change_failure_rate.rate, Some(0.0));
    assert_eq!(s.facts.get("d1").map(|f| f.changes_counted), Some(false));
}

#[test]
fn lead_time_counts_changes_once_from_the_previous_success() {
    // d1 (first, not counted); f fails carrying c2; d2 ships c2 and c3, and lists c1
    // again (cumulative source) — c1 was shipped by d1 and is not counted again.
    let mut d1 = dep("d1", 24.0, 10, DeployStatus::Success);
    d1.commits = vec![change("c1", t(0.0))];
    let mut f = dep("f", 48.0, 10, DeployStatus::Failed);
    f.commits = vec![change("c2", t(40.0))];
    let mut d2 = dep("d2", 50.0, 60, DeployStatus::Success); // finishes at 51 h
    d2.commits = vec![
        change("c1", t(0.0)),
        change("c2", t(40.0)),
        change("c3", t(49.0)),
    ];
    let s = run(&[d1, f, d2], &[]);
    let lt = &s.dora.lead_time;
    // Lead times: 51 − 40 = 11 h and 51 − 49 = 2 h. p50 = 6.5 h; p90: h = 0.9 → 2 + 0.9·9 = 10.1 h.
    assert_eq!(lt.changes, 2);
    assert_eq!(lt.p50_seconds, Some(6.5 * 3600.0));
    assert!(
        lt.p90_seconds
            .is_some_and(|v| (v - 10.1 * 3600.0).abs() < 1e-6),
        "{lt:?}"
    );
    assert_eq!(lt.level, Some(Level::Elite));
    // Basis "authored" (one hour earlier for each) adds an hour to each.
    let mut settings = Settings::default();
    settings.lead_time_basis = flightdeck::metrics::settings::LeadTimeBasis::Authored;
    let mut d1 = dep("d1", 24.0, 10, DeployStatus::Success);
    d1.commits = vec![change("c1", t(0.0))];
    let mut d2 = dep("d2", 50.0, 60, DeployStatus::Success);
    d2.commits = vec![change("c3", t(49.0))];
    let (s, _) = run_with(&[d1, d2], &[], &settings, now());
    assert_eq!(s.dora.lead_time.p50_seconds, Some(3.0 * 3600.0));
}

#[test]
fn a_rollback_then_a_hotfix_is_one_failure() {
    let d1 = dep("d1", 100.0, 10, DeployStatus::Success); // finishes 100:10
    let r = kind(
        dep("r", 100.5, 5, DeployStatus::Success),
        DeployKind::Rollback,
    ); // finishes 100:35
    let h = kind(
        dep("h", 102.0, 20, DeployStatus::Success),
        DeployKind::Hotfix,
    );
    let s = run(&[d1, r, h], &[]);
    let c = &s.dora.change_failure_rate;
    assert_eq!((c.failed, c.deployments), (1, 3));
    assert_eq!(c.rate, Some(1.0 / 3.0));
    assert_eq!(s.facts.get("d1").map(|f| f.failed), Some(true));
    assert_eq!(s.facts.get("r").map(|f| f.failed), Some(false));
    assert_eq!(s.facts.get("h").map(|f| f.failed), Some(false));
    let w = &s.dora.rework_rate;
    assert_eq!((w.rework, w.deployments), (2, 3));
    // Recovered when the rollback finished: 100:35 − 100:10 = 25 min.
    let rt = &s.dora.recovery_time;
    assert_eq!((rt.failures, rt.ongoing), (1, 0));
    assert_eq!(rt.p50_seconds, Some(1500.0));
    assert_eq!(rt.level, Some(Level::Elite));
}

#[test]
fn a_hotfix_after_the_failure_window_charges_nothing() {
    let d1 = dep("d1", 100.0, 10, DeployStatus::Success);
    let h = kind(
        dep("h", 125.0, 20, DeployStatus::Success),
        DeployKind::Hotfix,
    );
    let s = run(&[d1, h], &[]);
    assert_eq!(s.dora.change_failure_rate.failed, 0);
}

#[test]
fn four_causes_charge_one_deployment_once_and_canceled_ones_are_excluded() {
    let mut d1 = dep("d1", 100.0, 10, DeployStatus::RolledBack);
    d1.canary = Some(CanaryResult {
        traffic_percent: 5,
        outcome: CanaryOutcome::Failed,
    });
    let r = kind(
        dep("r", 100.5, 5, DeployStatus::Success),
        DeployKind::Rollback,
    );
    let c = dep("c", 101.0, 5, DeployStatus::Canceled);
    let incs = [incident("INC-1", 100.3, Some(101.0), Some("d1"))];
    let s = run(&[d1, r, c], &incs);
    let cfr = &s.dora.change_failure_rate;
    assert_eq!((cfr.failed, cfr.deployments), (1, 2));
    assert!(cfr.rate.is_some_and(|r| r <= 1.0));
}

#[test]
fn incidents_link_explicitly_first_then_to_the_latest_earlier_deployment() {
    let d1 = dep("d1", 100.0, 10, DeployStatus::Success);
    let d2 = dep("d2", 110.0, 10, DeployStatus::Success); // finishes 110:10
    let c = dep("c", 111.0, 5, DeployStatus::Canceled);
    let incs = [
        // Created after d2 and the canceled c: links to d2, not c, not d1.
        incident("INC-1", 112.0, Some(113.0), None),
        // Names d1 explicitly: wins over the window rule.
        incident("INC-2", 112.5, Some(113.0), Some("d1")),
        // Created more than 24 h after the last deployment: unlinked.
        incident("INC-3", 140.0, Some(141.0), None),
        // Names a deployment nobody knows: unlinked, not guessed.
        incident("INC-4", 112.0, None, Some("gitlab:999")),
    ];
    let (s, unlinked) = run_with(&[d1, d2, c], &incs, &Settings::default(), now());
    assert_eq!(
        s.facts.get("d2").map(|f| f.incidents.clone()),
        Some(vec!["INC-1".to_string()])
    );
    assert_eq!(
        s.facts.get("d1").map(|f| f.incidents.clone()),
        Some(vec!["INC-2".to_string()])
    );
    assert_eq!(s.facts.get("c").map(|f| f.incidents.len()), Some(0));
    assert_eq!(unlinked, vec!["INC-3".to_string(), "INC-4".to_string()]);
    assert_eq!(s.dora.change_failure_rate.failed, 2);
}

#[test]
fn an_incident_before_any_deployment_is_unlinked() {
    let d1 = dep("d1", 100.0, 10, DeployStatus::Success);
    let incs = [incident("INC-0", 50.0, Some(60.0), None)];
    let (s, unlinked) = run_with(&[d1], &incs, &Settings::default(), now());
    assert_eq!(unlinked, vec!["INC-0".to_string()]);
    assert_eq!(s.dora.change_failure_rate.failed, 0);
}

#[test]
fn overlapping_incidents_fail_a_deployment_once_from_first_to_last() {
    // d1 finishes at 100:10; incidents open at 101 and 102, resolved at 105 and 103.
    // Failure = min(100:10, 101) = 100:10; recovery = latest resolution 105 (the next
    // success at 110 is later): 4 h 50 min.
    let d1 = dep("d1", 100.0, 10, DeployStatus::Success);
    let d2 = dep("d2", 110.0, 0, DeployStatus::Success);
    let incs = [
        incident("INC-1", 101.0, Some(105.0), None),
        incident("INC-2", 102.0, Some(103.0), None),
    ];
    let s = run(&[d1, d2], &incs);
    assert_eq!(s.dora.change_failure_rate.failed, 1);
    assert_eq!(
        s.dora.recovery_time.p50_seconds,
        Some(4.0 * 3600.0 + 50.0 * 60.0)
    );
    // An explicit link to an incident opened before the finish moves the failure back.
    let d1 = dep("d1", 100.0, 60, DeployStatus::Success); // finishes 101
    let incs = [incident("INC-1", 100.5, Some(102.0), Some("d1"))];
    let s = run(&[d1], &incs);
    assert_eq!(s.dora.recovery_time.p50_seconds, Some(1.5 * 3600.0));
}

#[test]
fn an_unrecovered_failure_is_ongoing_and_out_of_the_percentiles() {
    let d1 = dep("d1", 700.0, 10, DeployStatus::Failed);
    let s = run(&[d1], &[]);
    let rt = &s.dora.recovery_time;
    assert_eq!((rt.failures, rt.ongoing, rt.p50_seconds), (0, 1, None));
    assert_eq!(s.dora.change_failure_rate.rate, Some(1.0));
}

#[test]
fn windows_cut_through_deployments_by_their_finish() {
    let start = now() - Duration::days(30); // t(0)
    let mut d0 = dep("d0", -100.0, 10, DeployStatus::Success);
    d0.commits = vec![change("a", t(-101.0))];
    // Starts before the window, finishes in it: it belongs to this window.
    let mut d1 = dep("d1", -1.0, 120, DeployStatus::Success); // finishes t(1)
    d1.commits = vec![change("b", start - Duration::hours(3))];
    // Starts in the window, finishes after `now`: running at `now`, in no window.
    let d2 = dep("d2", 719.0, 120, DeployStatus::Success);
    let s = run(&[d0, d1, d2], &[]);
    assert_eq!(s.dora.deployment_frequency.deployments, 1);
    assert_eq!(s.dora.lead_time.changes, 1);
    assert_eq!(s.dora.lead_time.p50_seconds, Some(4.0 * 3600.0));
    assert_eq!(s.dora.change_failure_rate.deployments, 1);
    // d0 belongs to the previous window.
    assert_eq!(s.dora_previous.deployment_frequency.deployments, 1);
    assert_eq!(s.dora_previous.lead_time.changes, 0);
}

#[test]
fn deployment_days_per_week_use_local_days_across_dst() {
    // Berlin leaves summer time on 2026-10-25. A 7-day window ending 2026-11-01 00:00
    // CET is 169 hours long. 22:30Z and 23:30Z on Oct 25 are 23:30 on the 25th and
    // 00:30 on the 26th in Berlin: two deployment days (one in UTC).
    let mut settings = Settings::default();
    settings.calendar.tz = Tz::Europe__Berlin;
    settings.window = Duration::days(7);
    let at: Ts = "2026-10-31T23:00:00Z".parse().unwrap_or_default();
    let mk = |id: &str, s: &str| {
        let mut d = dep(id, 0.0, 0, DeployStatus::Success);
        d.started_at = s.parse().unwrap_or_default();
        d.finished_at = Some(d.started_at);
        d
    };
    let deps = [
        mk("a", "2026-10-25T22:30:00Z"),
        mk("b", "2026-10-25T23:30:00Z"),
    ];
    let (s, _) = run_with(&deps, &[], &settings, at);
    let f = &s.dora.deployment_frequency;
    assert_eq!(f.deployments, 2);
    assert_eq!(f.deployment_days_per_week, Some(2.0));
    assert_eq!(f.per_day, Some(2.0 / 7.0));
    assert_eq!(
        s.dora.window.end - s.dora.window.start,
        Duration::hours(169)
    );
    let mut utc = settings.clone();
    utc.calendar.tz = Tz::UTC;
    // In UTC (window ending at UTC midnight) both fall on Oct 25: one day.
    let (s, _) = run_with(
        &deps,
        &[],
        &utc,
        "2026-11-01T00:00:00Z".parse().unwrap_or_default(),
    );
    assert_eq!(
        s.dora.deployment_frequency.deployment_days_per_week,
        Some(1.0)
    );
}

#[test]
fn a_report_in_the_past_does_not_see_the_future() {
    let d1 = dep("d1", 100.0, 10, DeployStatus::Failed);
    let d2 = dep("d2", 200.0, 10, DeployStatus::Success);
    // At t(150): d1 failed and not yet recovered; d2 does not exist.
    let (s, _) = run_with(
        &[d1.clone(), d2.clone()],
        &[],
        &Settings::default(),
        t(150.0),
    );
    assert_eq!(s.dora.recovery_time.ongoing, 1);
    assert!(!s.facts.contains_key("d2"));
    let s = run(&[d1, d2], &[]);
    assert_eq!(s.dora.recovery_time.p50_seconds, Some(100.0 * 3600.0));
}

fn status_of(n: u8) -> DeployStatus {
    match n % 5 {
        0 => DeployStatus::Success,
        1 => DeployStatus::Failed,
        2 => DeployStatus::RolledBack,
        3 => DeployStatus::Canceled,
        _ => DeployStatus::Running,
    }
}

fn kind_of(n: u8) -> DeployKind {
    match n % 4 {
        0 => DeployKind::Rollback,
        1 => DeployKind::Hotfix,
        _ => DeployKind::Normal,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn rates_are_fractions_and_failures_never_exceed_deployments(
        raw in proptest::collection::vec((0u32..1500, 0u32..600, any::<u8>(), any::<u8>(), 0usize..4), 0..60),
        incs in proptest::collection::vec((0u32..1500, proptest::option::of(0u32..48), proptest::option::of(0usize..60)), 0..20),
    ) {
        let mut deps: Vec<Deployment> = raw.iter().enumerate().map(|(i, (start, mins, st, k, c))| {
            let mut d = kind(dep(&format!("d{i}"), f64::from(*start) - 600.0, i64::from(*mins), status_of(*st)), kind_of(*k));
            d.commits = (0..*c).map(|j| change(&format!("c{i}-{j}"), d.started_at - Duration::hours(j as i64))).collect();
            d
        }).collect();
        deps.sort_by(|a, b| a.started_at.cmp(&b.started_at).then(a.id.cmp(&b.id)));
        let mut incs: Vec<Incident> = incs.iter().enumerate().map(|(i, (c, r, link))| {
            let created = f64::from(*c) - 600.0;
            incident(&format!("INC-{i}"), created, r.map(|r| created + f64::from(r)), link.map(|l| format!("d{l}")).as_deref())
        }).collect();
        incs.sort_by_key(|i| i.created_at);
        let s = run(&deps, &incs);
        for d in [&s.dora, &s.dora_previous] {
            let c = &d.change_failure_rate;
            prop_assert!(c.failed <= c.deployments);
            prop_assert!(c.rate.is_none_or(|r| (0.0..=1.0).contains(&r)));
            prop_assert_eq!(c.rate.is_none(), c.deployments == 0);
            let w = &d.rework_rate;
            prop_assert!(w.rework <= w.deployments);
            prop_assert!(w.rate.is_none_or(|r| (0.0..=1.0).contains(&r)));
            prop_assert!(d.recovery_time.failures + d.recovery_time.ongoing <= c.failed);
            prop_assert!(d.lead_time.p50_seconds.is_none_or(|v| v >= 0.0));
            prop_assert!(d.lead_time.p50_seconds <= d.lead_time.p90_seconds);
            prop_assert!(d.deployment_frequency.deployment_days_per_week.is_none_or(|v| (0.0..=7.0).contains(&v)));
        }
    }

    #[test]
    fn remaining_budget_falls_as_errors_rise(a in 0.0f64..0.1, b in 0.0f64..0.1, target in 0.9f64..0.99999) {
        let budget = 1.0 - target;
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let (r_lo, r_hi) = (remaining(lo, budget), remaining(hi, budget));
        prop_assert!(r_lo.is_some() && r_hi.is_some());
        prop_assert!(r_hi <= r_lo);
        prop_assert!(r_lo.is_some_and(|r| r <= 1.0));
    }
}
