//! DORA definitions (DESIGN §3) against hand-computed examples, including the edge
//! cases other tools get wrong, and property tests of the rates.

mod common;

use std::collections::BTreeMap;

use chrono::{Duration, TimeZone, Utc};
use flightdeck::metrics::budget::remaining;
use flightdeck::metrics::dora::Scratch;
use flightdeck::metrics::{
    derive, derive_in, Derived, Inputs, Level, NamedLink, NoMatch, RiskFlag, ServiceDerived,
    Settings, UnlinkedIncident,
};
use flightdeck::model::{
    CanaryOutcome, CanaryResult, Change, DeployKind, DeployStatus, Deployment, DeploymentLog,
    Incident, Ts,
};
use flightdeck::zone::Tz;
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
    let start = t(start_h);
    Deployment {
        status,
        ..common::deployment(id, "api", start, Some(start + Duration::minutes(minutes)))
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

/// Keys of the unlinked incidents.
fn keys(unlinked: &[UnlinkedIncident]) -> Vec<String> {
    unlinked.iter().map(|u| u.key.clone()).collect()
}

fn at(s: &str) -> Ts {
    s.parse().unwrap_or_default()
}

/// A deployment from `start` to `finish` (RFC 3339).
fn dep_at(id: &str, start: &str, finish: &str, status: DeployStatus) -> Deployment {
    let mut d = dep(id, 0.0, 0, status);
    d.started_at = at(start);
    d.finished_at = Some(at(finish));
    d
}

fn failed_ids(s: &ServiceDerived) -> Vec<String> {
    s.facts
        .iter()
        .filter(|(_, f)| f.failed)
        .map(|(id, _)| id.clone())
        .collect()
}

fn run_with(
    deps: &[Deployment],
    incs: &[Incident],
    settings: &Settings,
    at: Ts,
) -> (ServiceDerived, Vec<String>) {
    let (s, unlinked) = run_full(deps, incs, settings, at);
    (s, keys(&unlinked))
}

fn run_full(
    deps: &[Deployment],
    incs: &[Incident],
    settings: &Settings,
    at: Ts,
) -> (ServiceDerived, Vec<UnlinkedIncident>) {
    let d = derived_in(deps, incs, settings, at, &mut Scratch::default());
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

/// `lead_time_basis = "merged"`: from each change's merge (GitLab merge requests),
/// from its commit where no merge is known; the commit-based figure is unchanged.
#[test]
fn merge_based_lead_time_counts_from_the_merge_and_leaves_the_commit_basis_alone() {
    let deployments = || {
        let mut d1 = dep("d1", 24.0, 10, DeployStatus::Success);
        d1.commits = vec![change("c1", t(0.0))];
        let mut d2 = dep("d2", 50.0, 60, DeployStatus::Success); // finishes at 51 h
        let mut merged = change("c2", t(40.0));
        merged.merged_at = Some(t(48.0));
        d2.commits = vec![merged, change("c3", t(45.0))];
        vec![d1, d2]
    };
    let mut settings = Settings::default();
    let (s, _) = run_with(&deployments(), &[], &settings, now());
    // Commits: 51 − 40 = 11 h and 51 − 45 = 6 h; p50 8.5 h.
    assert_eq!(s.dora.lead_time.p50_seconds, Some(8.5 * 3600.0));
    settings.lead_time_basis = flightdeck::metrics::settings::LeadTimeBasis::Merged;
    let (s, _) = run_with(&deployments(), &[], &settings, now());
    // Merged: 51 − 48 = 3 h; c3 has no merge, so 6 h from its commit; p50 4.5 h.
    assert_eq!(s.dora.lead_time.changes, 2);
    assert_eq!(s.dora.lead_time.p50_seconds, Some(4.5 * 3600.0));
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
        // Names a deployment nobody knows: the window rule decides instead (d2).
        incident("INC-4", 112.0, None, Some("gitlab:999")),
        // Names a deployment nobody knows, and none finished in the 24 h before it.
        incident("INC-5", 150.0, None, Some("gitlab:998")),
    ];
    let (s, unlinked) = run_with(&[d1, d2, c], &incs, &Settings::default(), now());
    assert_eq!(
        s.facts.get("d2").map(|f| f.incidents.clone()),
        Some(vec!["INC-1".to_string(), "INC-4".to_string()])
    );
    assert_eq!(
        s.facts.get("d1").map(|f| f.incidents.clone()),
        Some(vec!["INC-2".to_string()])
    );
    assert_eq!(s.facts.get("c").map(|f| f.incidents.len()), Some(0));
    assert_eq!(unlinked, vec!["INC-3".to_string(), "INC-5".to_string()]);
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
    settings.calendar.tz = Tz::named("Europe/Berlin");
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

// ---- Remediation: which deployment a rollback or hotfix repairs ------------------

#[test]
fn a_rollback_starting_as_the_bad_deployment_finishes_charges_only_that_one() {
    // The demo's shape: 4.70.1 (d0) is healthy; 4.71.0 (d1) runs 10:00–10:30 and is
    // marked rolled back at the instant the rollback starts (10:30). The rollback
    // repairs d1 — the latest deployment that *started* before it — not d0, the
    // latest one that *finished* strictly before it. One failure in three.
    let d0 = dep_at(
        "d0",
        "2026-11-10T08:00:00Z",
        "2026-11-10T08:20:00Z",
        DeployStatus::Success,
    );
    let d1 = dep_at(
        "d1",
        "2026-11-10T10:00:00Z",
        "2026-11-10T10:30:00Z",
        DeployStatus::RolledBack,
    );
    let r = kind(
        dep_at(
            "r",
            "2026-11-10T10:30:00Z",
            "2026-11-10T10:35:00Z",
            DeployStatus::Success,
        ),
        DeployKind::Rollback,
    );
    let s = run(&[d0, d1, r], &[]);
    let c = &s.dora.change_failure_rate;
    assert_eq!((c.failed, c.deployments), (1, 3));
    assert_eq!(failed_ids(&s), vec!["d1".to_string()]);
    // Recovered when the rollback finished: 10:35 − 10:30 = 5 min.
    assert_eq!(s.dora.recovery_time.p50_seconds, Some(300.0));
}

#[test]
fn a_rollback_started_while_the_bad_deployment_runs_charges_only_that_one() {
    // d1 runs 10:00–10:22 and ends rolled back; the rollback starts at 10:20, while d1
    // still runs. d1 failed by its own status: one failure, d0 untouched.
    let d0 = dep_at(
        "d0",
        "2026-11-10T08:00:00Z",
        "2026-11-10T08:20:00Z",
        DeployStatus::Success,
    );
    let d1 = dep_at(
        "d1",
        "2026-11-10T10:00:00Z",
        "2026-11-10T10:22:00Z",
        DeployStatus::RolledBack,
    );
    let r = kind(
        dep_at(
            "r",
            "2026-11-10T10:20:00Z",
            "2026-11-10T10:30:00Z",
            DeployStatus::Success,
        ),
        DeployKind::Rollback,
    );
    let s = run(&[d0, d1, r], &[]);
    let c = &s.dora.change_failure_rate;
    assert_eq!((c.failed, c.deployments), (1, 3));
    assert_eq!(failed_ids(&s), vec!["d1".to_string()]);
    let w = &s.dora.rework_rate;
    assert_eq!((w.rework, w.deployments), (1, 3));
    // From d1's finish (10:22) to the rollback's (10:30): 8 min.
    assert_eq!(s.dora.recovery_time.p50_seconds, Some(480.0));
}

#[test]
fn a_bad_hotfix_rolled_back_is_a_failure_of_the_hotfix() {
    // d0 (Nov 8) is two days older than the hotfix h: h repairs nothing. The
    // rollback r an hour after h repairs h, so h is the failure — not d0, and not
    // nothing. One failure in three; two of three are rework.
    let d0 = dep_at(
        "d0",
        "2026-11-08T08:00:00Z",
        "2026-11-08T08:20:00Z",
        DeployStatus::Success,
    );
    let h = kind(
        dep_at(
            "h",
            "2026-11-10T10:00:00Z",
            "2026-11-10T10:10:00Z",
            DeployStatus::Success,
        ),
        DeployKind::Hotfix,
    );
    let r = kind(
        dep_at(
            "r",
            "2026-11-10T11:00:00Z",
            "2026-11-10T11:05:00Z",
            DeployStatus::Success,
        ),
        DeployKind::Rollback,
    );
    let s = run(&[d0, h, r], &[]);
    let c = &s.dora.change_failure_rate;
    assert_eq!((c.failed, c.deployments), (1, 3));
    assert_eq!(failed_ids(&s), vec!["h".to_string()]);
    assert_eq!(s.dora.rework_rate.rework, 2);
    // h failed at 10:10, the rollback recovered at 11:05: 55 min.
    assert_eq!(s.dora.recovery_time.p50_seconds, Some(3300.0));
}

#[test]
fn the_failure_window_is_half_open_at_exactly_24_hours() {
    // d1 finishes 2026-11-10 10:00. A hotfix starting exactly 24 h later repairs
    // nothing; one starting a second earlier charges d1.
    let d1 = dep_at(
        "d1",
        "2026-11-10T09:50:00Z",
        "2026-11-10T10:00:00Z",
        DeployStatus::Success,
    );
    let late = kind(
        dep_at(
            "h",
            "2026-11-11T10:00:00Z",
            "2026-11-11T10:05:00Z",
            DeployStatus::Success,
        ),
        DeployKind::Hotfix,
    );
    let s = run(&[d1.clone(), late], &[]);
    assert_eq!(s.dora.change_failure_rate.failed, 0);
    let in_time = kind(
        dep_at(
            "h",
            "2026-11-11T09:59:59Z",
            "2026-11-11T10:05:00Z",
            DeployStatus::Success,
        ),
        DeployKind::Hotfix,
    );
    let s = run(&[d1, in_time], &[]);
    assert_eq!(failed_ids(&s), vec!["d1".to_string()]);
}

// ---- Linking -------------------------------------------------------------------

#[test]
fn the_link_window_excludes_the_finish_instant_and_exactly_24_hours() {
    // d1 finishes 2026-11-10 10:00:00.000. An incident links to a deployment that
    // finished strictly before it was opened, within 24 h: (10:00, next day 10:00).
    let d1 = dep_at(
        "d1",
        "2026-11-10T09:50:00Z",
        "2026-11-10T10:00:00Z",
        DeployStatus::Success,
    );
    let mk = |key: &str, created: &str| {
        let mut i = incident(key, 0.0, None, None);
        i.created_at = at(created);
        i
    };
    let incs = [
        // Opened at the very instant d1 finished: d1 had not finished before it.
        mk("AT-FINISH", "2026-11-10T10:00:00Z"),
        // Half a millisecond later: the finish (a whole millisecond) is before it.
        mk("HALF-MS", "2026-11-10T10:00:00.000500Z"),
        mk("ONE-MS", "2026-11-10T10:00:00.001Z"),
        mk("LAST-SECOND", "2026-11-11T09:59:59Z"),
        mk("AT-24H", "2026-11-11T10:00:00Z"),
    ];
    let (s, unlinked) = run_full(
        std::slice::from_ref(&d1),
        &incs,
        &Settings::default(),
        now(),
    );
    assert_eq!(
        s.facts.get("d1").map(|f| f.incidents.clone()),
        Some(vec![
            "HALF-MS".to_string(),
            "ONE-MS".to_string(),
            "LAST-SECOND".to_string()
        ])
    );
    assert_eq!(
        unlinked,
        vec![
            UnlinkedIncident {
                key: "AT-FINISH".into(),
                why: NoMatch::NoEarlierDeployment,
                named: None
            },
            UnlinkedIncident {
                key: "AT-24H".into(),
                why: NoMatch::OutsideWindow,
                named: None
            }
        ]
    );
    // With d0 finished an hour earlier, the incident opened as d1 finished links to
    // d0, the latest deployment finished before it (1 h, within 24 h).
    let d0 = dep_at(
        "d0",
        "2026-11-10T08:50:00Z",
        "2026-11-10T09:00:00Z",
        DeployStatus::Success,
    );
    let incs = [mk("AT-FINISH", "2026-11-10T10:00:00Z")];
    let (s, unlinked) = run_full(&[d0, d1], &incs, &Settings::default(), now());
    assert_eq!(
        s.facts.get("d0").map(|f| f.incidents.clone()),
        Some(vec!["AT-FINISH".to_string()])
    );
    assert_eq!(s.facts.get("d1").map(|f| f.incidents.len()), Some(0));
    assert_eq!(failed_ids(&s), vec!["d0".to_string()]);
    assert!(unlinked.is_empty(), "{unlinked:?}");
}

#[test]
fn explicit_links_to_uncounted_deployments_fall_back_to_the_window_rule() {
    let d1 = dep("d1", 100.0, 10, DeployStatus::Success); // finishes 100:10
    let mut staging = dep("s1", 101.0, 10, DeployStatus::Success);
    staging.environment = "staging".into();
    let canceled = dep("c1", 102.0, 10, DeployStatus::Canceled);
    let incs = [
        // Named a staging deployment: the window rule links it to d1.
        incident("INC-1", 103.0, Some(104.0), Some("s1")),
        // Named a canceled one: the same.
        incident("INC-2", 103.5, Some(104.0), Some("c1")),
        // Named an unknown id, 4 days after d1: unlinked, with both reasons.
        incident("INC-3", 200.0, Some(201.0), Some("nope")),
        // Named the staging deployment, long after: unlinked.
        incident("INC-4", 210.0, Some(211.0), Some("s1")),
    ];
    let (s, unlinked) = run_full(&[d1, staging, canceled], &incs, &Settings::default(), now());
    assert_eq!(
        s.facts.get("d1").map(|f| f.incidents.clone()),
        Some(vec!["INC-1".to_string(), "INC-2".to_string()])
    );
    assert_eq!(s.facts.get("s1").map(|f| f.incidents.len()), Some(0));
    let c = &s.dora.change_failure_rate;
    assert_eq!((c.failed, c.deployments), (1, 1));
    assert_eq!(
        unlinked,
        vec![
            UnlinkedIncident {
                key: "INC-3".into(),
                why: NoMatch::OutsideWindow,
                named: Some(("nope".into(), NamedLink::Unknown)),
            },
            UnlinkedIncident {
                key: "INC-4".into(),
                why: NoMatch::OutsideWindow,
                named: Some(("s1".into(), NamedLink::NotProduction)),
            },
        ]
    );
    assert_eq!(
        unlinked[1].reason("24 h"),
        "no production deployment of its service finished in the 24 h before it was opened; \
         the tracker named a non-production deployment, s1, which is not counted"
    );
}

#[test]
fn an_incident_of_a_service_without_deployments_is_unlinked() {
    let d1 = dep("d1", 100.0, 10, DeployStatus::Success);
    let mut inc = incident("WEB-1", 101.0, Some(102.0), None);
    inc.service = "web".into();
    let ratios = BTreeMap::new();
    let series = BTreeMap::new();
    let deps = [d1];
    let incs = [inc];
    let inputs = Inputs {
        deployments: &DeploymentLog::from(deps.to_vec()),
        incidents: &incs,
        ratios: &ratios,
        series: &series,
        annotations: &[],
    };
    let services = ["api".to_string(), "web".to_string()];
    let d = derive(&inputs, &services, &Settings::default(), now());
    assert_eq!(
        d.unlinked_incidents,
        vec![UnlinkedIncident {
            key: "WEB-1".into(),
            why: NoMatch::NoEarlierDeployment,
            named: None
        }]
    );
    // api's deployment an hour earlier is another service's: not charged.
    let api = d
        .services
        .get("api")
        .map(|s| s.dora.change_failure_rate.failed);
    assert_eq!(api, Some(0));
    let web = d.services.get("web").map(|s| &s.dora);
    assert_eq!(
        web.map(|w| (
            w.change_failure_rate.deployments,
            w.change_failure_rate.rate
        )),
        Some((0, None))
    );
    assert_eq!(web.map(|w| w.recovery_time.failures), Some(0));
}

// ---- Change failures and recovery: edge cases -----------------------------------

#[test]
fn a_failed_canary_alone_is_a_change_failure_once_finished() {
    // d1 finished "success" but its canary failed: a change failure. d2 is still
    // running with a failed canary: not yet in the denominator, so not yet failed.
    let mut d1 = dep("d1", 100.0, 10, DeployStatus::Success);
    d1.canary = Some(CanaryResult {
        traffic_percent: 10,
        outcome: CanaryOutcome::Failed,
    });
    let mut d2 = dep("d2", 719.0, 0, DeployStatus::Running);
    d2.finished_at = None;
    d2.canary = d1.canary.clone();
    let s = run(&[d1, d2], &[]);
    let c = &s.dora.change_failure_rate;
    assert_eq!((c.failed, c.deployments), (1, 1));
    assert_eq!(s.facts.get("d1").map(|f| f.failed), Some(true));
    assert_eq!(s.facts.get("d2").map(|f| f.failed), Some(false));
}

#[test]
fn recovery_ends_at_the_next_success_when_it_comes_before_the_resolution() {
    // d1 finishes 100:10; INC-1 (linked by the window) opens at 101 and is resolved
    // at 110; d2 succeeds at 103:00. Recovery = 103:00 − 100:10 = 2 h 50 min.
    let d1 = dep("d1", 100.0, 10, DeployStatus::Success);
    let d2 = dep("d2", 102.5, 30, DeployStatus::Success);
    let incs = [incident("INC-1", 101.0, Some(110.0), None)];
    let s = run(&[d1, d2], &incs);
    let rt = &s.dora.recovery_time;
    assert_eq!((rt.failures, rt.ongoing), (1, 0));
    assert_eq!(rt.p50_seconds, Some(2.0 * 3600.0 + 50.0 * 60.0));
}

#[test]
fn a_rollback_that_succeeds_before_the_bad_deployment_is_marked_finished_recovers_it() {
    // d1 starts 100:00 and is marked rolled back only at 101:00; the rollback started
    // 100:10 and succeeded at 100:20. When d1's failure is recorded the service is
    // already recovered: one failure, recovered in 0 s — not ongoing until some later
    // success (the next to *finish* after 101:00 is none).
    let d0 = dep("d0", 50.0, 10, DeployStatus::Success);
    let d1 = dep("d1", 100.0, 60, DeployStatus::RolledBack);
    let mut rb = dep("rb", 100.0 + 10.0 / 60.0, 10, DeployStatus::Success);
    rb.kind = DeployKind::Rollback;
    let s = run(&[d0, d1, rb], &[]);
    assert_eq!(failed_ids(&s), ["d1"]);
    let rt = &s.dora.recovery_time;
    assert_eq!((rt.failures, rt.ongoing), (1, 0));
    assert_eq!(rt.p50_seconds, Some(0.0));
}

#[test]
fn a_success_that_started_before_the_failure_and_finished_after_it_recovers_it() {
    // d2 (long) starts 99:00 and succeeds at 102:00; d1 starts 100:00 and fails at
    // 100:30. d2 replaced d1's version when it finished: recovery 1 h 30 min.
    let d0 = dep("d0", 50.0, 10, DeployStatus::Success);
    let d2 = dep("d2", 99.0, 180, DeployStatus::Success);
    let d1 = dep("d1", 100.0, 30, DeployStatus::Failed);
    let s = run(&[d0, d2, d1], &[]);
    let rt = &s.dora.recovery_time;
    assert_eq!((rt.failures, rt.ongoing), (1, 0));
    assert_eq!(rt.p50_seconds, Some(1.5 * 3600.0));
}

// ---- Deployment frequency: calendar days and weeks ------------------------------

#[test]
fn deployment_days_are_local_calendar_dates() {
    // Berlin; --at Friday 2026-11-20 14:00Z (15:00 CET); a 7-day window: one week,
    // [Fri 13 Nov 15:00, Fri 20 Nov 15:00) local. Deployments finish (local) Fri 13
    // 16:00, Mon 16 14:30 and 15:30, Fri 20 10:00: three calendar dates (13, 16, 20).
    // Days of 24 h counted back from 15:00 would split Monday in two and say four.
    let mut settings = Settings::default();
    settings.calendar.tz = Tz::named("Europe/Berlin");
    settings.window = Duration::days(7);
    let mk = |id: &str, finish: &str| dep_at(id, finish, finish, DeployStatus::Success);
    let deps = [
        mk("a", "2026-11-13T15:00:00Z"),
        mk("b", "2026-11-16T13:30:00Z"),
        mk("c", "2026-11-16T14:30:00Z"),
        mk("d", "2026-11-20T09:00:00Z"),
    ];
    let (s, _) = run_with(&deps, &[], &settings, at("2026-11-20T14:00:00Z"));
    let f = &s.dora.deployment_frequency;
    assert_eq!(f.deployments, 4);
    assert_eq!(f.deployment_days_per_week, Some(3.0));
}

#[test]
fn the_weekly_median_ignores_the_two_leftover_days_of_a_30_day_window() {
    // UTC, window [Nov 1, Dec 1): weeks [Nov 24, Dec 1), [17, 24), [10, 17), [3, 10);
    // Nov 1 and 2 are in no week. Deployment dates: Nov 1 ×2, Nov 2 ×2 (ignored);
    // week 0: Nov 25 ×2, 27, 29 → 3 days; week 1: Nov 20 → 1; week 2: Nov 10, 11, 12,
    // 13, 14 → 5; week 3: none → 0. Median of [0, 1, 3, 5] = 2. Counting the leftover
    // days into the oldest week would give [2, 1, 3, 5] → 2.5.
    let day = |d: u32, h: u32| {
        Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0)
            .single()
            .unwrap_or_default()
    };
    let dates = [
        (1, 9),
        (1, 15),
        (2, 9),
        (2, 15),
        (10, 12),
        (11, 12),
        (12, 12),
        (13, 12),
        (14, 12),
        (20, 12),
        (25, 9),
        (25, 15),
        (27, 12),
        (29, 12),
    ];
    let deps: Vec<Deployment> = dates
        .iter()
        .enumerate()
        .map(|(i, &(d, h))| {
            let mut x = dep(&format!("d{i}"), 0.0, 0, DeployStatus::Success);
            x.started_at = day(d, h);
            x.finished_at = Some(day(d, h) + Duration::minutes(5));
            x
        })
        .collect();
    let s = run(&deps, &[]);
    let f = &s.dora.deployment_frequency;
    assert_eq!(f.deployments, 14);
    assert_eq!(f.per_day, Some(14.0 / 30.0));
    assert_eq!(f.deployment_days_per_week, Some(2.0));
}

#[test]
fn a_30_day_window_across_dst_is_30_days_for_per_day() {
    // Berlin leaves summer time on Oct 25. 30 local days back from Fri 2026-11-20
    // 15:00 CET is Oct 21 15:00 CEST: 721 hours, still 30 days. 15 deployments → 0.5.
    let mut settings = Settings::default();
    settings.calendar.tz = Tz::named("Europe/Berlin");
    let end = at("2026-11-20T14:00:00Z");
    let deps: Vec<Deployment> = (0..15)
        .map(|i| {
            let mut d = dep(&format!("d{i}"), 0.0, 0, DeployStatus::Success);
            d.started_at = end - Duration::hours(2 + 48 * i);
            d.finished_at = Some(d.started_at + Duration::minutes(10));
            d
        })
        .rev()
        .collect();
    let (s, _) = run_with(&deps, &[], &settings, end);
    assert_eq!(
        s.dora.window.end - s.dora.window.start,
        Duration::hours(721)
    );
    assert_eq!(s.dora.window.start, at("2026-10-21T13:00:00Z"));
    let f = &s.dora.deployment_frequency;
    assert_eq!(f.deployments, 15);
    assert_eq!(f.per_day, Some(0.5));
}

// ---- Risk: large batch ----------------------------------------------------------

#[test]
fn a_large_batch_is_counted_as_lead_time_counts_changes() {
    // Threshold 20. d1 is the first deployment seen: 30 commits of history, batch
    // unknown, no flag. d2 lists 25 commits, 22 of them shipped by d1: a batch of 3.
    // f fails with 21 new commits: a large batch. d3 (running, no commits of its
    // own) ships f's 21 pending commits: a large batch too.
    let commits = |prefix: &str, n: usize, h: f64| -> Vec<Change> {
        (0..n)
            .map(|i| change(&format!("{prefix}{i}"), t(h)))
            .collect()
    };
    let mut d1 = dep("d1", 100.0, 10, DeployStatus::Success);
    d1.commits = commits("old", 30, 0.0);
    let mut d2 = dep("d2", 200.0, 10, DeployStatus::Success);
    d2.commits = commits("old", 22, 0.0);
    d2.commits.extend(commits("new", 3, 150.0));
    let mut f = dep("f", 300.0, 10, DeployStatus::Failed);
    f.commits = commits("big", 21, 250.0);
    let mut d3 = dep("d3", 719.0, 0, DeployStatus::Running);
    d3.finished_at = None;
    let s = run(&[d1, d2, f, d3], &[]);
    let large = |id: &str| {
        s.facts
            .get(id)
            .map(|f| f.risk.contains(&RiskFlag::LargeBatch))
    };
    assert_eq!(large("d1"), Some(false));
    assert_eq!(large("d2"), Some(false));
    assert_eq!(large("f"), Some(true));
    assert_eq!(large("d3"), Some(true));
    assert_eq!(s.dora.lead_time.changes, 3);
}

// ---- Non-default thresholds, through the engine ---------------------------------

#[test]
fn a_2_hour_failure_window_charges_only_remediations_within_2_hours() {
    // d1 finishes 2026-11-10 10:00; a rollback of 5 minutes starts at `start`.
    let d1 = dep_at(
        "d1",
        "2026-11-10T09:50:00Z",
        "2026-11-10T10:00:00Z",
        DeployStatus::Success,
    );
    let rollback = |start: &str, finish: &str| {
        kind(
            dep_at("r", start, finish, DeployStatus::Success),
            DeployKind::Rollback,
        )
    };
    let two_hours = Settings {
        failure_window: Duration::hours(2),
        ..Settings::default()
    };
    // 3 h after the finish: outside 2 h, d1 is not failed (0 of 2; rework 1 of 2).
    let late = rollback("2026-11-10T13:00:00Z", "2026-11-10T13:05:00Z");
    let (s, _) = run_with(&[d1.clone(), late.clone()], &[], &two_hours, now());
    let c = &s.dora.change_failure_rate;
    assert_eq!((c.failed, c.deployments), (0, 2));
    assert_eq!(s.dora.rework_rate.rework, 1);
    assert_eq!(s.dora.recovery_time.failures, 0);
    // The same rollback with the default 24 h charges d1: recovered at 13:05, 3 h 5 min.
    let (s, _) = run_with(&[d1.clone(), late], &[], &Settings::default(), now());
    assert_eq!(failed_ids(&s), vec!["d1".to_string()]);
    assert_eq!(s.dora.recovery_time.p50_seconds, Some(11_100.0));
    // 1 h after the finish: inside 2 h, d1 failed, recovered at 11:05 (65 min).
    let (s, _) = run_with(
        &[
            d1.clone(),
            rollback("2026-11-10T11:00:00Z", "2026-11-10T11:05:00Z"),
        ],
        &[],
        &two_hours,
        now(),
    );
    let c = &s.dora.change_failure_rate;
    assert_eq!((c.failed, c.deployments), (1, 2));
    assert_eq!(failed_ids(&s), vec!["d1".to_string()]);
    assert_eq!(s.dora.recovery_time.p50_seconds, Some(3_900.0));
    // Half-open at the new length: exactly 2 h later is too late, a second less is not.
    let (s, _) = run_with(
        &[
            d1.clone(),
            rollback("2026-11-10T12:00:00Z", "2026-11-10T12:05:00Z"),
        ],
        &[],
        &two_hours,
        now(),
    );
    assert_eq!(s.dora.change_failure_rate.failed, 0);
    let (s, _) = run_with(
        &[d1, rollback("2026-11-10T11:59:59Z", "2026-11-10T12:05:00Z")],
        &[],
        &two_hours,
        now(),
    );
    assert_eq!(failed_ids(&s), vec!["d1".to_string()]);
}

#[test]
fn a_6_hour_link_window_links_only_incidents_within_6_hours() {
    // d1 finishes 2026-11-10 10:00; nothing is deployed after it.
    let d1 = dep_at(
        "d1",
        "2026-11-10T09:50:00Z",
        "2026-11-10T10:00:00Z",
        DeployStatus::Success,
    );
    let mk = |key: &str, created: &str, resolved: &str| {
        let mut i = incident(key, 0.0, None, None);
        i.created_at = at(created);
        i.resolved_at = Some(at(resolved));
        i
    };
    let incs = [
        mk("IN-5H", "2026-11-10T15:00:00Z", "2026-11-10T18:00:00Z"),
        mk(
            "LAST-SECOND",
            "2026-11-10T15:59:59Z",
            "2026-11-10T17:00:00Z",
        ),
        mk("AT-6H", "2026-11-10T16:00:00Z", "2026-11-10T19:00:00Z"),
        mk("AT-30H", "2026-11-11T16:00:00Z", "2026-11-11T20:00:00Z"),
    ];
    let six_hours = Settings {
        incident_link_window: Duration::hours(6),
        ..Settings::default()
    };
    let (s, unlinked) = run_with(std::slice::from_ref(&d1), &incs, &six_hours, now());
    assert_eq!(
        s.facts.get("d1").map(|f| f.incidents.clone()),
        Some(vec!["IN-5H".to_string(), "LAST-SECOND".to_string()])
    );
    assert_eq!(unlinked, vec!["AT-6H".to_string(), "AT-30H".to_string()]);
    // Failed at 10:00 (its finish, before both incidents), recovered at the latest
    // resolution of its incidents, 18:00: 8 h.
    assert_eq!(s.dora.change_failure_rate.failed, 1);
    assert_eq!(s.dora.recovery_time.p50_seconds, Some(8.0 * 3600.0));
    // The default 24 h also links AT-6H: recovered at 19:00, 9 h.
    let (s, unlinked) = run_with(
        std::slice::from_ref(&d1),
        &incs,
        &Settings::default(),
        now(),
    );
    assert_eq!(unlinked, vec!["AT-30H".to_string()]);
    assert_eq!(s.dora.recovery_time.p50_seconds, Some(9.0 * 3600.0));
    // A 48 h window links all four: recovered at Nov 11 20:00, 34 h.
    let two_days = Settings {
        incident_link_window: Duration::hours(48),
        ..Settings::default()
    };
    let (s, unlinked) = run_with(&[d1], &incs, &two_days, now());
    assert!(unlinked.is_empty(), "{unlinked:?}");
    assert_eq!(s.facts.get("d1").map(|f| f.incidents.len()), Some(4));
    assert_eq!(s.dora.recovery_time.p50_seconds, Some(34.0 * 3600.0));
}

#[test]
fn a_large_batch_threshold_of_3_flags_batches_of_4_not_3() {
    // d1 is the first deployment seen (10 commits of history, batch unknown). d2
    // ships 4 new commits; d3 lists 5, two of them shipped by d2: a batch of 3.
    let commits = |prefix: &str, n: usize, h: f64| -> Vec<Change> {
        (0..n)
            .map(|i| change(&format!("{prefix}{i}"), t(h)))
            .collect()
    };
    let mut d1 = dep("d1", 100.0, 10, DeployStatus::Success);
    d1.commits = commits("old", 10, 0.0);
    let mut d2 = dep("d2", 200.0, 10, DeployStatus::Success);
    d2.commits = commits("a", 4, 150.0);
    let mut d3 = dep("d3", 300.0, 10, DeployStatus::Success);
    d3.commits = commits("a", 2, 150.0);
    d3.commits.extend(commits("b", 3, 250.0));
    let deps = [d1, d2, d3];
    let large = |s: &ServiceDerived| -> Vec<String> {
        s.facts
            .iter()
            .filter(|(_, f)| f.risk.contains(&RiskFlag::LargeBatch))
            .map(|(id, _)| id.clone())
            .collect()
    };
    let three = Settings {
        large_batch: 3,
        ..Settings::default()
    };
    let (s, _) = run_with(&deps, &[], &three, now());
    // More than 3: d2 (4) only; d3's 3 is at the threshold, d1's 10 unknown.
    assert_eq!(large(&s), vec!["d2".to_string()]);
    assert_eq!(s.dora.lead_time.changes, 7);
    // Threshold 2: d2 and d3. The default 20: none.
    let two = Settings {
        large_batch: 2,
        ..Settings::default()
    };
    let (s, _) = run_with(&deps, &[], &two, now());
    assert_eq!(large(&s), vec!["d2".to_string(), "d3".to_string()]);
    let (s, _) = run_with(&deps, &[], &Settings::default(), now());
    assert!(large(&s).is_empty());
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

/// Raw proptest draws: (start h, minutes, status, kind, commits) per deployment.
type RawDeployments = Vec<(u32, u32, u8, u8, usize)>;
/// (created h, resolved after h, linked deployment) per incident.
type RawIncidents = Vec<(u32, Option<u32>, Option<usize>)>;

/// Deployments and incidents of `api` from proptest draws, sorted as the model keeps
/// them. Commit shas repeat across deployments (`c{i % 7}-{j}`), so that dedup and
/// "already shipped" are exercised.
fn drawn(raw: &RawDeployments, incs: &RawIncidents) -> (Vec<Deployment>, Vec<Incident>) {
    let mut deps: Vec<Deployment> = raw
        .iter()
        .enumerate()
        .map(|(i, (start, mins, st, k, c))| {
            let mut d = kind(
                dep(
                    &format!("d{i}"),
                    f64::from(*start) - 600.0,
                    i64::from(*mins),
                    status_of(*st),
                ),
                kind_of(*k),
            );
            d.commits = (0..*c)
                .map(|j| {
                    change(
                        &format!("c{}-{j}", i % 7),
                        d.started_at - Duration::hours(j as i64),
                    )
                })
                .collect();
            d
        })
        .collect();
    deps.sort_by(|a, b| a.started_at.cmp(&b.started_at).then(a.id.cmp(&b.id)));
    let mut incs: Vec<Incident> = incs
        .iter()
        .enumerate()
        .map(|(i, (c, r, link))| {
            let created = f64::from(*c) - 600.0;
            incident(
                &format!("INC-{i}"),
                created,
                r.map(|r| created + f64::from(r)),
                link.map(|l| format!("d{l}")).as_deref(),
            )
        })
        .collect();
    incs.sort_by_key(|i| i.created_at);
    (deps, incs)
}

/// `api` derived at `at`, in the memory `scratch` kept (and keeping this derive's).
fn derived_in(
    deps: &[Deployment],
    incs: &[Incident],
    settings: &Settings,
    at: Ts,
    scratch: &mut Scratch,
) -> Derived {
    let ratios = BTreeMap::new();
    let series = BTreeMap::new();
    let inputs = Inputs {
        deployments: &DeploymentLog::from(deps.to_vec()),
        incidents: incs,
        ratios: &ratios,
        series: &series,
        annotations: &[],
    };
    derive_in(&inputs, &["api".to_string()], settings, at, scratch)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// A derive laid out in the memory of an earlier one (as the cockpit derives on
    /// every poll) gives exactly what a fresh one gives: nothing of the earlier data
    /// survives in the recycled buffers.
    #[test]
    fn a_recycled_scratch_derives_what_a_fresh_one_does(
        first in proptest::collection::vec((0u32..1500, 0u32..600, any::<u8>(), any::<u8>(), 0usize..4), 0..60),
        first_incs in proptest::collection::vec((0u32..1500, proptest::option::of(0u32..48), proptest::option::of(0usize..60)), 0..20),
        second in proptest::collection::vec((0u32..1500, 0u32..600, any::<u8>(), any::<u8>(), 0usize..4), 0..60),
        second_incs in proptest::collection::vec((0u32..1500, proptest::option::of(0u32..48), proptest::option::of(0usize..60)), 0..20),
    ) {
        let (a, a_incs) = drawn(&first, &first_incs);
        let (b, b_incs) = drawn(&second, &second_incs);
        let mut scratch = Scratch::default();
        let settings = Settings::default();
        derived_in(&a, &a_incs, &settings, now(), &mut scratch);
        let recycled = derived_in(&b, &b_incs, &settings, now(), &mut scratch);
        let fresh = derived_in(&b, &b_incs, &settings, now(), &mut Scratch::default());
        // Compared as text: limits without data are NaN, which equals nothing.
        prop_assert_eq!(format!("{recycled:?}"), format!("{fresh:?}"));
    }

    #[test]
    fn rates_are_fractions_and_failures_never_exceed_deployments(
        raw in proptest::collection::vec((0u32..1500, 0u32..600, any::<u8>(), any::<u8>(), 0usize..4), 0..60),
        incs in proptest::collection::vec((0u32..1500, proptest::option::of(0u32..48), proptest::option::of(0usize..60)), 0..20),
    ) {
        let (deps, incs) = drawn(&raw, &incs);
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

// ---- The demo's rollback, end to end ----------------------------------------------

#[test]
fn rolling_back_the_demo_rollout_adds_one_failure_not_two() {
    use flightdeck::event::SourceData;
    use flightdeck::sources::demo::rollout::{CANARY_STEPS, ROLLBACK_SECS, ROLLOUT_DELAY_SECS};
    use flightdeck::sources::demo::{DemoWorld, DEFAULT_SEED};
    let origin = at("2026-11-20T14:00:00Z");
    let world = DemoWorld::new(DEFAULT_SEED, origin);
    // Rolled back 200 s into the 100% step; looked at a minute after the rollback
    // deployment finished (the rollout, left alone, would still be running).
    let full = ROLLOUT_DELAY_SECS + CANARY_STEPS[0].1 + CANARY_STEPS[1].1;
    let rb = origin + Duration::seconds(full + 200);
    let now = rb + Duration::seconds(ROLLBACK_SECS + 60);
    assert!(full + 200 + ROLLBACK_SECS + 60 < full + CANARY_STEPS[2].1);
    let derive_at = |rollback: Option<Ts>| {
        let mut deps = Vec::new();
        let mut incs = Vec::new();
        for d in world.data_at_with_rollback(now, rollback) {
            match d {
                SourceData::Deployments(d) => deps.extend(d),
                SourceData::Incidents(i) => incs.extend(i),
                _ => {}
            }
        }
        deps.sort_by(|a, b| a.started_at.cmp(&b.started_at).then(a.id.cmp(&b.id)));
        incs.sort_by_key(|i| i.created_at);
        let ratios = BTreeMap::new();
        let series = BTreeMap::new();
        let inputs = Inputs {
            deployments: &DeploymentLog::from(deps.to_vec()),
            incidents: &incs,
            ratios: &ratios,
            series: &series,
            annotations: &[],
        };
        let d = derive(
            &inputs,
            &["checkout".to_string()],
            &Settings::default(),
            now,
        );
        let s = d.services.get("checkout").cloned();
        (s.unwrap_or_else(|| panic!("checkout derived")), deps)
    };
    let (before, _) = derive_at(None);
    let (after, deps) = derive_at(Some(rb));
    let (b, a) = (
        &before.dora.change_failure_rate,
        &after.dora.change_failure_rate,
    );
    let live = world.live_deployment_id();
    // The rollback charges nobody: the only deployment whose flag may change is the
    // rollout it rolls back (a failure by its own status now), and the count moves
    // by exactly that.
    let changed: Vec<&String> = after
        .facts
        .iter()
        .filter(|(id, f)| before.facts.get(*id).is_some_and(|g| g.failed != f.failed))
        .map(|(id, _)| id)
        .collect();
    assert!(changed.iter().all(|id| id.as_str() == live), "{changed:?}");
    let flag = |s: &ServiceDerived| u32::from(s.facts.get(live).is_some_and(|f| f.failed));
    assert_eq!(flag(&after), 1);
    assert_eq!(a.failed, b.failed + flag(&after) - flag(&before));
    // The finished rollback joins the denominator, as does the rollout if it was
    // still running without the rollback.
    assert_eq!(a.deployments, b.deployments + 2 - flag(&before));
    assert_eq!(
        after
            .facts
            .get(world.rollback_deployment_id())
            .map(|f| f.failed),
        Some(false)
    );
    // The healthy deployment the rollback restores stays healthy.
    let previous = deps
        .iter()
        .filter(|d| {
            d.service == "checkout"
                && d.is_production()
                && d.status == DeployStatus::Success
                && d.finished_at.is_some_and(|f| f < rb)
        })
        .max_by_key(|d| d.finished_at);
    let previous = previous.map(|d| d.id.clone()).unwrap_or_default();
    assert_eq!(after.facts.get(&previous).map(|f| f.failed), Some(false));
}
