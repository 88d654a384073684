//! The embedded demo source: determinism, a history that exercises every metric, the
//! live rollout's story (stages, page alert, rollback) and the source task contract.

use std::collections::BTreeMap;

use chrono::{Duration, TimeZone, Utc};

use flightdeck::event::SourceData;
use flightdeck::metrics::budget::{alerts, burn_rate};
use flightdeck::metrics::{AlertSeverity, BurnRates};
use flightdeck::model::sanitize::is_clean;
use flightdeck::model::{
    CanaryOutcome, DeployKind, DeployStatus, Deployment, Incident, Series, SeriesKind, Trigger, Ts,
    WindowRatios,
};
use flightdeck::sources::demo::rollout::{
    CANARY_STEPS, INCIDENT_AFTER_SECS, ROLLBACK_SECS, ROLLOUT_DELAY_SECS,
};
use flightdeck::sources::demo::{DemoWorld, DEFAULT_SEED, SERVICES, SNAPSHOT_LEAD, SPEED};

fn origin() -> Ts {
    Utc.with_ymd_and_hms(2025, 3, 12, 14, 7, 31)
        .single()
        .unwrap_or_default()
}

struct View {
    services: Vec<String>,
    deployments: Vec<Deployment>,
    incidents: Vec<Incident>,
    series: BTreeMap<(String, SeriesKind), Series>,
    ratios: BTreeMap<String, WindowRatios>,
    annotations: usize,
}

fn view(data: Vec<SourceData>) -> View {
    let mut v = View {
        services: Vec::new(),
        deployments: Vec::new(),
        incidents: Vec::new(),
        series: BTreeMap::new(),
        ratios: BTreeMap::new(),
        annotations: 0,
    };
    for d in data {
        match d {
            SourceData::Services(s) => v.services = s,
            SourceData::Deployments(d) => v.deployments.extend(d),
            SourceData::Incidents(i) => v.incidents.extend(i),
            SourceData::Series {
                service,
                kind,
                series,
            } => {
                v.series.insert((service, kind), series);
            }
            SourceData::Ratios { service, ratios } => {
                v.ratios.insert(service, ratios);
            }
            SourceData::Annotations(a) => v.annotations += a.len(),
            SourceData::Rejected(_) | SourceData::SyncState(_) => {}
        }
    }
    v
}

fn secs(n: i64) -> Duration {
    Duration::seconds(n)
}

/// The page condition of the SRE workbook: burn ≥ 14.4 over both 1 h and 5 m.
const PAGE_BURN: f64 = 14.4;
const CHECKOUT_BUDGET: f64 = 1.0 - 0.999;

fn burns(world: &DemoWorld, t: Ts, rollback: Option<Ts>) -> (f64, f64) {
    let r = world.ratios_at("checkout", t, rollback).unwrap_or_default();
    let burn = |x: Option<f64>| x.map_or(f64::NAN, |x| x / CHECKOUT_BUDGET);
    (burn(r.h1), burn(r.m5))
}

/// Demo time from the origin to the start of each canary step, and to the finish.
const D: i64 = ROLLOUT_DELAY_SECS;
const A: i64 = CANARY_STEPS[0].1;
const B: i64 = CANARY_STEPS[1].1;
const C: i64 = CANARY_STEPS[2].1;

/// One wall-clock minute, in demo seconds.
const WALL_MINUTE: i64 = 60 * SPEED as i64;

/// Whether checkout's page alert fires at `t`, judged by the engine's alert table
/// (DESIGN §3: 1 h and 5 m at 14.4, or 6 h and 30 m at 6) over the demo's ratios.
fn paging(world: &DemoWorld, t: Ts, rollback: Option<Ts>) -> bool {
    let r = world.ratios_at("checkout", t, rollback).unwrap_or_default();
    let burn = |x| burn_rate(x, CHECKOUT_BUDGET);
    let rates = BurnRates {
        m5: burn(r.m5),
        m30: burn(r.m30),
        h1: burn(r.h1),
        h6: burn(r.h6),
        d3: burn(r.d3),
    };
    alerts(&rates)
        .iter()
        .any(|a| a.severity == AlertSeverity::Page)
}

/// The first instant from `from` (in 15 s demo steps, the series' resolution) at
/// which `want` holds, within `limit` demo seconds.
fn first(from: Ts, limit: i64, want: impl Fn(Ts) -> bool) -> Option<i64> {
    (0..=limit).step_by(15).find(|s| want(from + secs(*s)))
}

fn live(world: &DemoWorld, t: Ts, rollback: Option<Ts>) -> Vec<Deployment> {
    let id = world.live_deployment_id().to_string();
    let rb = world.rollback_deployment_id().to_string();
    view(world.data_at_with_rollback(t, rollback))
        .deployments
        .into_iter()
        .filter(|d| d.id == id || d.id == rb)
        .collect()
}

#[test]
fn the_same_seed_and_origin_give_the_same_world_and_another_seed_does_not() {
    let at = origin() + secs(95);
    let a = view(DemoWorld::new(7, origin()).data_at(at));
    let b = view(DemoWorld::new(7, origin()).data_at(at));
    assert_eq!(a.deployments, b.deployments);
    assert_eq!(a.incidents, b.incidents);
    assert_eq!(a.series, b.series);
    assert_eq!(a.ratios, b.ratios);
    let c = view(DemoWorld::new(8, origin()).data_at(at));
    assert_ne!(a.deployments, c.deployments);
    assert_ne!(a.series, c.series);
}

#[test]
fn history_covers_ninety_days_of_four_services_and_every_case() {
    let world = DemoWorld::new(DEFAULT_SEED, origin());
    // Half a minute into the canary, the live rollout is running too.
    let v = view(world.data_at(origin() + secs(D + 30)));
    let names: Vec<&str> = SERVICES.iter().map(|s| s.0).collect();
    assert_eq!(v.services, names);
    assert_eq!(names, ["checkout", "payments", "search", "gateway"]);

    let first = v
        .deployments
        .iter()
        .map(|d| d.started_at)
        .min()
        .unwrap_or_default();
    assert!(first >= origin() - Duration::days(90));
    assert!(
        first <= origin() - Duration::days(85),
        "history starts late: {first}"
    );
    for name in &names {
        let prod = v
            .deployments
            .iter()
            .filter(|d| d.service == *name && d.is_production());
        assert!(
            prod.count() >= 8,
            "{name} has too few production deployments"
        );
    }
    // Cadences differ: checkout ships far more often than gateway.
    let count = |s: &str| {
        v.deployments
            .iter()
            .filter(|d| d.service == s && d.is_production())
            .count()
    };
    assert!(count("checkout") > 3 * count("payments"));
    assert!(count("payments") > count("search"));
    assert!(count("search") > count("gateway"));

    for status in [
        DeployStatus::Running,
        DeployStatus::Success,
        DeployStatus::Failed,
        DeployStatus::RolledBack,
        DeployStatus::Canceled,
    ] {
        assert!(
            v.deployments.iter().any(|d| d.status == status),
            "{status:?}"
        );
    }
    for kind in [DeployKind::Normal, DeployKind::Hotfix, DeployKind::Rollback] {
        assert!(v.deployments.iter().any(|d| d.kind == kind), "{kind:?}");
    }
    assert!(v.deployments.iter().any(|d| d.environment == "staging"));
    assert!(v.deployments.iter().any(|d| d.trigger == Trigger::Manual));
    assert!(v.deployments.iter().any(|d| d.trigger == Trigger::Auto));
    assert!(
        v.deployments.iter().any(|d| d.commits.len() > 20),
        "no large batch"
    );
    assert!(v.deployments.iter().any(|d| {
        d.canary
            .as_ref()
            .is_some_and(|c| c.outcome == CanaryOutcome::Failed && c.traffic_percent == 5)
    }));
    let weekend = v.deployments.iter().any(|d| {
        use chrono::Datelike;
        d.started_at.weekday().number_from_monday() >= 6
    });
    assert!(weekend, "no weekend deployment");

    for d in &v.deployments {
        if d.kind != DeployKind::Rollback {
            assert!(
                (1..=25).contains(&d.commits.len()),
                "{} has {}",
                d.id,
                d.commits.len()
            );
        }
        for c in &d.commits {
            assert!(c.authored_at <= c.committed_at, "{}", d.id);
            assert!(
                c.committed_at < d.started_at,
                "{} ships a later commit",
                d.id
            );
            assert!(c
                .merged_at
                .is_none_or(|m| m < d.started_at && m >= c.committed_at));
            assert!(is_clean(&c.title) && is_clean(&c.author) && c.sha.len() == 40);
        }
        if let Some(f) = d.finished_at {
            assert!(f >= d.started_at);
        }
        assert!(is_clean(&d.id) && is_clean(&d.deployer) && is_clean(&d.version));
    }
    // Deployments come sorted by start, then id (the engine's input order).
    assert!(v
        .deployments
        .windows(2)
        .all(|w| (w[0].started_at, &w[0].id) <= (w[1].started_at, &w[1].id)));
}

#[test]
fn incidents_cover_the_linking_cases() {
    let world = DemoWorld::new(DEFAULT_SEED, origin());
    let v = view(world.data_at(origin()));
    let first_deploy = v
        .deployments
        .iter()
        .map(|d| d.started_at)
        .min()
        .unwrap_or_default();
    assert!(
        v.incidents.iter().any(|i| i.created_at < first_deploy),
        "none before any deployment"
    );
    assert!(v.incidents.iter().any(|i| i.linked_deployment.is_some()));
    assert!(v.incidents.iter().any(|i| i.linked_deployment.is_none()));
    assert!(v.incidents.iter().any(|i| i.resolved_at.is_none()));
    for sev in ["sev1", "sev2", "sev3"] {
        assert!(v.incidents.iter().any(|i| i.severity == sev), "{sev}");
    }
    let overlapping = v.incidents.iter().enumerate().any(|(n, a)| {
        v.incidents.iter().skip(n + 1).any(|b| {
            let a_end = a.resolved_at.unwrap_or(origin());
            b.created_at < a_end && a.created_at < b.resolved_at.unwrap_or(origin())
        })
    });
    assert!(overlapping);
    for i in &v.incidents {
        assert!(i.key.starts_with("INC-") && i.key[4..].parse::<u32>().is_ok());
        assert!(is_clean(&i.title));
        if let Some(id) = &i.linked_deployment {
            assert!(
                v.deployments.iter().any(|d| &d.id == id),
                "{} links to nothing",
                i.key
            );
        }
    }
    assert!(v
        .incidents
        .windows(2)
        .all(|w| w[0].created_at <= w[1].created_at));
    assert!(v.annotations >= 1);
}

#[test]
fn series_are_sorted_bounded_and_reach_the_instant() {
    let world = DemoWorld::new(DEFAULT_SEED, origin());
    let at = origin() + secs(120);
    let v = view(world.data_at(at));
    assert_eq!(v.series.len(), 12);
    for ((service, kind), s) in &v.series {
        assert!(
            s.points.len() <= 30_000,
            "{service} {kind:?}: {}",
            s.points.len()
        );
        // 90 days at the coarse step, the last 3 hours at the fine step; p99 latency,
        // which only the golden-signal chart reads, reaches back 6 hours.
        use flightdeck::sources::demo::sli::{
            COARSE_STEP, FINE_SPAN, FINE_STEP, LATENCY_SPAN, SERIES_SPAN,
        };
        let span = match kind {
            SeriesKind::LatencyP99 => LATENCY_SPAN,
            _ => SERIES_SPAN,
        };
        let expected = ((span - FINE_SPAN) / COARSE_STEP + FINE_SPAN / FINE_STEP) as usize;
        assert!(
            // The fine steps begin on a coarse step's boundary: up to one coarse step
            // of them more.
            s.points.len().abs_diff(expected) <= expected / 50 + (COARSE_STEP / FINE_STEP) as usize,
            "{service} {kind:?}: {} points, expected about {expected}",
            s.points.len()
        );
        assert!(
            s.points.windows(2).all(|w| w[0].0 < w[1].0),
            "{service} {kind:?} unsorted"
        );
        let last = s.points.last().map(|p| p.0).unwrap_or_default();
        assert!(
            last <= at && at - last <= secs(30),
            "{service} {kind:?} ends at {last}"
        );
        let first = s.points.first().map(|p| p.0).unwrap_or_default();
        assert!(first >= origin() - Duration::days(90));
        if *kind == SeriesKind::LatencyP99 {
            // The chart's 3 hours and more: a step that ends inside the span is kept.
            assert!(
                first <= at - Duration::hours(3),
                "{service} latency from {first}"
            );
            assert!(first >= at - Duration::seconds(LATENCY_SPAN + COARSE_STEP));
        }
        // The last three hours come at 15-second steps for smooth charts.
        let recent = s
            .points
            .iter()
            .filter(|p| p.0 >= at - Duration::hours(2))
            .count();
        assert!(recent >= 470, "{service} {kind:?}: {recent} points in 2 h");
        for &(_, y) in &s.points {
            assert!(y.is_finite() && y >= 0.0);
            if *kind == SeriesKind::ErrorRatio {
                assert!(y <= 1.0);
            }
        }
    }
    for (service, r) in &v.ratios {
        for x in [r.m5, r.m30, r.h1, r.h6, r.d3, r.slo_window] {
            let x = x.unwrap_or(f64::NAN);
            assert!((0.0..=1.0).contains(&x), "{service}: {r:?}");
        }
    }
}

#[test]
fn the_rollout_moves_through_its_canary_steps() {
    let world = DemoWorld::new(DEFAULT_SEED, origin());
    assert!(
        live(&world, origin() + secs(D - 5), None).is_empty(),
        "started early"
    );
    for (at, pct) in [
        (D + A / 2, 5),
        (D + A + B / 2, 25),
        (D + A + B + C / 2, 100),
    ] {
        let d = live(&world, origin() + secs(at), None);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].status, DeployStatus::Running, "+{at}s");
        assert_eq!(d[0].finished_at, None);
        assert_eq!(
            d[0].canary.as_ref().map(|c| c.traffic_percent),
            Some(pct),
            "+{at}s"
        );
    }
    let early = live(&world, origin() + secs(D + A / 2), None);
    assert_eq!(
        early[0].canary.as_ref().map(|c| c.outcome),
        Some(CanaryOutcome::InProgress)
    );
    let judged = live(&world, origin() + secs(D + A + B + C / 2), None);
    assert_eq!(
        judged[0].canary.as_ref().map(|c| c.outcome),
        Some(CanaryOutcome::Failed)
    );
    let end = D + A + B + C;
    let done = live(&world, origin() + secs(end + 1), None);
    assert_eq!(done[0].status, DeployStatus::Success);
    assert_eq!(done[0].finished_at, Some(origin() + secs(end)));
    assert_eq!(world.rollout_finish(), origin() + secs(end));
    assert!(done[0].stages.iter().all(|s| s.finished_at.is_some()));
}

#[test]
fn the_page_alert_trips_within_a_wall_clock_minute_of_the_bad_canary() {
    let world = DemoWorld::new(DEFAULT_SEED, origin());
    let (h1, m5) = burns(&world, origin(), None);
    assert!(
        h1 < 1.0 && m5 < 1.0,
        "already burning before the deploy: {h1} {m5}"
    );
    // Halfway through the 5% step the short window burns hot, but an hour of data
    // cannot yet reach 14.4.
    let (h1, m5) = burns(&world, origin() + secs(D + A / 2), None);
    assert!(m5 >= PAGE_BURN && h1 < PAGE_BURN, "{h1} {m5}");
    // Hand computation at the snapshot instant, T into the 100% step: the new version
    // fails 60% of its traffic, which it carried for 5% of A, 25% of B and all of T;
    // the 1 h window holds all of it: ratio ≈ 0.6 · (0.05 A + 0.25 B + T) / 3600
    // plus a baseline of ~0.0004.
    let at = origin() + SNAPSHOT_LEAD;
    let t = (SNAPSHOT_LEAD.num_seconds() - D - A - B) as f64;
    assert!(t > 0.0 && t < C as f64, "the snapshot is in the 100% step");
    let carried = 0.05 * A as f64 + 0.25 * B as f64 + t;
    let expected = (0.6 * carried / 3600.0 + 0.0004) / CHECKOUT_BUDGET;
    let (h1, _) = burns(&world, at, None);
    assert!(
        (h1 - expected).abs() < 0.1 * expected,
        "1h burn {h1}, expected ≈ {expected}"
    );
    assert!(paging(&world, at, None), "not firing at the snapshot");
    // Never before the canary; first within a wall-clock minute of it.
    let start = origin() + secs(D);
    assert!(first(origin(), D - 15, |t| paging(&world, t, None)).is_none());
    let fired = first(start, 4 * WALL_MINUTE, |t| paging(&world, t, None));
    assert!(
        fired.is_some_and(|s| s <= WALL_MINUTE),
        "the page fires {fired:?} demo seconds after the canary (a wall minute is {WALL_MINUTE})"
    );
}

/// Whenever `b` is pressed — at 5%, at 25%, at 100%, after the rollout finished, with
/// one or both alert pairs firing — the page clears within a wall-clock minute and
/// stays clear.
#[test]
fn the_page_alert_clears_within_a_wall_clock_minute_of_a_rollback() {
    let world = DemoWorld::new(DEFAULT_SEED, origin());
    for after in [
        A / 2,
        A + B / 2,
        A + B + 60,
        A + B + C / 2,
        A + B + C + 1200,
    ] {
        let rb = origin() + secs(D + after);
        let cleared = first(rb, 4 * WALL_MINUTE, |t| !paging(&world, t, Some(rb)));
        let Some(cleared) = cleared else {
            panic!("rolled back {after} s into the rollout: still paging after 4 wall minutes")
        };
        assert!(
            cleared <= WALL_MINUTE,
            "rolled back {after} s in: the page clears {cleared} demo s later"
        );
        let again = first(rb + secs(cleared), 6 * 3600, |t| {
            paging(&world, t, Some(rb))
        });
        assert_eq!(
            again, None,
            "rolled back {after} s in: the page fired again"
        );
    }
}

#[test]
fn a_snapshot_shows_the_rollout_at_full_traffic_with_analysis_failed() {
    let at = Utc
        .with_ymd_and_hms(2025, 6, 1, 9, 30, 0)
        .single()
        .unwrap_or_default();
    let world = DemoWorld::new(DEFAULT_SEED, at - SNAPSHOT_LEAD);
    let d = live(&world, at, None);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].status, DeployStatus::Running);
    let canary = d[0]
        .canary
        .clone()
        .unwrap_or(flightdeck::model::CanaryResult {
            traffic_percent: 0,
            outcome: CanaryOutcome::InProgress,
        });
    assert_eq!(
        (canary.traffic_percent, canary.outcome),
        (100, CanaryOutcome::Failed)
    );
}

#[test]
fn rolling_back_restores_the_old_version_and_the_short_window_recovers() {
    let world = DemoWorld::new(DEFAULT_SEED, origin());
    // Rolled back 200 s into the 100% step, before the incident opens.
    let rb = origin() + secs(D + A + B + 200);
    const { assert!(A + B + 200 < INCIDENT_AFTER_SECS) };
    assert!(world.check_rollback("checkout", rb, None).is_ok());
    let during = live(&world, rb + secs(10), Some(rb));
    assert_eq!(during.len(), 2);
    assert_eq!(during[0].status, DeployStatus::RolledBack);
    assert_eq!(during[0].finished_at, Some(rb));
    let rollback = &during[1];
    assert_eq!(
        (rollback.kind, rollback.status),
        (DeployKind::Rollback, DeployStatus::Running)
    );
    assert_ne!(rollback.version, during[0].version);
    let after = live(&world, rb + secs(ROLLBACK_SECS + 5), Some(rb));
    assert_eq!(after[1].status, DeployStatus::Success);
    // The previous production success of checkout is what the rollback re-deploys.
    let history = view(world.data_at(origin()));
    let previous = history
        .deployments
        .iter()
        .filter(|d| {
            d.service == "checkout" && d.is_production() && d.status == DeployStatus::Success
        })
        .max_by_key(|d| d.finished_at)
        .map(|d| d.version.clone());
    assert_eq!(Some(after[1].version.clone()), previous);

    // A minute later the 5 m window still holds the bad minutes; five minutes later it
    // holds none, while the 1 h window stays elevated (that is the multiwindow design).
    let (_, m5) = burns(&world, rb + secs(60), Some(rb));
    assert!(m5 >= PAGE_BURN, "{m5}");
    let (h1, m5) = burns(&world, rb + secs(300), Some(rb));
    assert!(m5 < PAGE_BURN, "5m burn still {m5}");
    assert!(h1 >= PAGE_BURN, "1h burn already {h1}");
    // Once the 15 s step holding the rollback instant has left the window, only the
    // baseline remains.
    let (_, m5) = burns(&world, rb + secs(330), Some(rb));
    assert!(m5 < 2.0, "5m burn still {m5}");
    // Rolled back before the incident would have opened: none opens.
    let v = view(world.data_at_with_rollback(rb + secs(INCIDENT_AFTER_SECS), Some(rb)));
    let inc = v
        .incidents
        .iter()
        .filter(|i| i.linked_deployment.as_deref() == Some(world.live_deployment_id()));
    assert_eq!(inc.count(), 0);
}

#[test]
fn a_late_rollback_resolves_the_opened_incident_and_is_reproducible() {
    let world = DemoWorld::new(DEFAULT_SEED, origin());
    // Rolled back 400 s after the rollout finished, with the incident open.
    let end = D + A + B + C;
    let rb = origin() + secs(end + 400);
    let linked = |t: Ts| -> Vec<Incident> {
        view(world.data_at_with_rollback(t, Some(rb)))
            .incidents
            .into_iter()
            .filter(|i| i.linked_deployment.as_deref() == Some(world.live_deployment_id()))
            .collect()
    };
    let open = linked(rb - secs(1));
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].resolved_at, None);
    assert_eq!(open[0].created_at, origin() + secs(D + INCIDENT_AFTER_SECS));
    // Resolved a quarter of an hour after the 5 min rollback deployment finished.
    let resolve = ROLLBACK_SECS + 15 * 60;
    let closed = linked(rb + secs(resolve + 60));
    assert_eq!(closed[0].resolved_at, Some(rb + secs(resolve)));
    let finished = live(&world, rb + secs(1), Some(rb));
    assert_eq!(finished[0].status, DeployStatus::RolledBack);
    // It had finished at 100% before the rollback: its finish time stays.
    assert_eq!(finished[0].finished_at, Some(origin() + secs(end)));
    let again = DemoWorld::new(DEFAULT_SEED, origin());
    let a = view(world.data_at_with_rollback(rb + secs(90), Some(rb)));
    let b = view(again.data_at_with_rollback(rb + secs(90), Some(rb)));
    assert_eq!(a.deployments, b.deployments);
    assert_eq!(a.series, b.series);
}

#[test]
fn rollbacks_that_do_nothing_are_refused_with_a_reason() {
    let world = DemoWorld::new(DEFAULT_SEED, origin());
    let t = origin() + secs(D + 60);
    assert!(world
        .check_rollback("search", t, None)
        .is_err_and(|w| w.contains("search")));
    assert!(world.check_rollback("checkout", origin(), None).is_err());
    assert!(world
        .check_rollback("checkout", t, Some(t - secs(5)))
        .is_err());
    assert!(world.check_rollback("checkout", t, None).is_ok());
}

mod task {
    use super::*;
    use flightdeck::event::{Event, SourceCommand, SourceEventKind};
    use flightdeck::sources::{channels, demo};
    use tokio::sync::{mpsc, watch};

    type Fetched = (
        Vec<SourceData>,
        Vec<flightdeck::model::outside::OutsideText>,
    );

    /// The next `Fetched` event, skipping nothing else (the demo sends only those).
    async fn next(rx: &mut mpsc::Receiver<Event>) -> Option<Fetched> {
        let ev = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv()).await;
        match ev {
            Ok(Some(Event::Source(e))) => {
                assert_eq!(e.source, "demo");
                match e.kind {
                    SourceEventKind::Fetched { data, warnings, .. } => Some((data, warnings)),
                    other => panic!("unexpected event {other:?}"),
                }
            }
            _ => None,
        }
    }

    /// Reads events until one satisfies `want` (periodic updates may come first).
    async fn until(
        rx: &mut mpsc::Receiver<Event>,
        want: impl Fn(&Fetched) -> bool,
    ) -> Option<Fetched> {
        for _ in 0..10 {
            let f = next(rx).await?;
            if want(&f) {
                return Some(f);
            }
        }
        None
    }

    fn has_services(f: &Fetched) -> bool {
        f.0.iter().any(|d| matches!(d, SourceData::Services(_)))
    }

    #[test]
    fn the_task_sends_history_then_obeys_refresh_rollback_and_shutdown() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        let Ok(rt) = rt else { panic!("no runtime") };
        rt.block_on(async {
            let (tx, mut rx) = mpsc::channel(64);
            let (stop, stop_rx) = watch::channel(false);
            let (ctx, _ctx_commands) = channels(tx, stop_rx);
            // Started 12 wall seconds ago, 12 demo minutes: the rollout is at 5%, so
            // a rollback applies.
            let clock = demo::DemoClock::starting_at(Utc::now() - secs(12));
            let handle = demo::spawn(ctx, DEFAULT_SEED, clock);
            assert_eq!(handle.id, "demo");

            let first = next(&mut rx).await;
            let Some((data, warnings)) = first else {
                panic!("no initial fetch")
            };
            assert!(warnings.is_empty());
            let v = view(data);
            assert_eq!(v.services.len(), 4);
            assert!(v.deployments.len() > 300);
            assert_eq!(v.series.len(), 12);

            assert!(handle.commands.send(SourceCommand::Refresh).is_ok());
            assert!(
                until(&mut rx, has_services).await.is_some(),
                "refresh resent nothing"
            );

            let search = SourceCommand::Rollback {
                service: "search".into(),
            };
            assert!(handle.commands.send(search).is_ok());
            let refused = until(&mut rx, |f| !f.1.is_empty()).await;
            assert!(refused.is_some_and(|f| f.1[0].contains("search")));

            let checkout = SourceCommand::Rollback {
                service: "checkout".into(),
            };
            assert!(handle.commands.send(checkout).is_ok());
            let rolled = until(&mut rx, |f| {
                f.0.iter().any(|d| match d {
                    SourceData::Deployments(ds) => {
                        ds.iter().any(|d| d.status == DeployStatus::RolledBack)
                    }
                    _ => false,
                })
            })
            .await;
            assert!(rolled.is_some(), "rollback not applied");

            assert!(stop.send(true).is_ok());
            let ended = tokio::time::timeout(std::time::Duration::from_secs(5), handle.task).await;
            assert!(matches!(ended, Ok(Ok(()))), "task did not stop on shutdown");
        });
    }

    #[test]
    fn the_task_stops_when_the_app_is_gone() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        let Ok(rt) = rt else { panic!("no runtime") };
        rt.block_on(async {
            let (tx, rx) = mpsc::channel(64);
            let (_stop, stop_rx) = watch::channel(false);
            let (ctx, _ctx_commands) = channels(tx, stop_rx);
            let handle = demo::spawn(ctx, DEFAULT_SEED, demo::DemoClock::starting_at(Utc::now()));
            drop(rx);
            let ended = tokio::time::timeout(std::time::Duration::from_secs(10), handle.task).await;
            assert!(
                matches!(ended, Ok(Ok(()))),
                "task kept running without a receiver"
            );
        });
    }
}
