use std::collections::BTreeMap;

use chrono::Duration;

use super::*;
use crate::model::{Deployment, Series, SeriesKind};
use crate::review::checks::Verdict;
use crate::ui::fixture;

fn critical(service: &str) -> ReviewSetup {
    let mut setup = ReviewSetup::default();
    setup.tiers.insert(service.to_string(), Tier::Critical);
    setup
}

fn auto<'a>(list: &'a Checklist, id: &str) -> &'a Evaluation {
    match &list.rows.iter().find(|r| r.id == id).expect(id).state {
        RowState::Auto(e) => e,
        other => panic!("{id} is not automatic: {other:?}"),
    }
}

/// Every deployment of the fixture: the incident and budget items say exactly what
/// the engine derived for it (the facts are the engine's, never recomputed here).
#[test]
fn automatic_items_follow_the_engine_for_every_deployment() {
    let model = fixture::model();
    let derived = fixture::derived(&model);
    let data = ReviewData {
        derived: &derived,
        series: &model.data.series,
        now: model.now,
    };
    let mut setup = critical("checkout");
    let facts = &derived.services["checkout"].facts;
    // The limit at the largest figure the engine gave: that one fails, smaller pass.
    let largest = facts
        .values()
        .filter_map(|f| f.budget_consumed)
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(largest.is_finite(), "the fixture has budget figures");
    setup.thresholds.budget_consumed_max = largest;
    let (mut linked, mut over, mut under) = (0, 0, 0);
    for d in model
        .data
        .deployments
        .iter()
        .filter(|d| d.service == "checkout")
    {
        let list = checklist(&setup, &[d], &data, None);
        assert_eq!(list.template, "detailed");
        let f = &facts[&d.id];
        let incidents = auto(&list, "incidents");
        if f.incidents.is_empty() {
            assert_eq!(incidents.verdict, Verdict::Pass, "{}", d.id);
        } else {
            linked += 1;
            assert_eq!(incidents.verdict, Verdict::Fail, "{}", d.id);
            for key in &f.incidents {
                assert!(incidents.evidence.contains(key.as_str()), "{incidents:?}");
            }
        }
        let budget = auto(&list, "budget");
        let expected = match f.budget_consumed {
            None => Verdict::Unknown,
            Some(c) if c < setup.thresholds.budget_consumed_max => {
                under += 1;
                Verdict::Pass
            }
            Some(_) => {
                over += 1;
                Verdict::Fail
            }
        };
        assert_eq!(budget.verdict, expected, "{} {:?}", d.id, f.budget_consumed);
    }
    assert!(
        linked > 0,
        "the fixture links an incident to some deployment"
    );
    assert!(
        over > 0 && under > 0,
        "both sides of the limit: {over} over, {under} under"
    );
}

/// A deployment of `svc` from 10:00 to 10:10 (bake 30 m: until 10:40), 10 requests/s
/// every minute; the error ratio is `before` until 10:00, 5% while deploying, `after`
/// from 10:10 on.
fn baked(before: f64, after: f64) -> (Deployment, BTreeMap<(String, SeriesKind), Series>) {
    baked_every(1, before, after)
}

/// [`baked`] with a sample every `step` minutes.
fn baked_every(
    step: usize,
    before: f64,
    after: f64,
) -> (Deployment, BTreeMap<(String, SeriesKind), Series>) {
    let model = fixture::model();
    let mut d = model
        .data
        .deployments
        .iter()
        .next()
        .expect("a deployment")
        .clone();
    let t0 = fixture::now() - Duration::hours(5);
    d.service = "svc".into();
    d.id = "svc-1".into();
    d.started_at = t0;
    d.finished_at = Some(t0 + Duration::minutes(10));
    let mut ratio = Vec::new();
    let mut rate = Vec::new();
    for m in (-120..120).step_by(step) {
        let t = t0 + Duration::minutes(m);
        let r = if m < 0 {
            before
        } else if m < 10 {
            0.05
        } else {
            after
        };
        ratio.push((t, r));
        rate.push((t, 10.0));
    }
    let mut series = BTreeMap::new();
    let s = |points| Series {
        query: String::new(),
        points,
    };
    series.insert(("svc".into(), SeriesKind::ErrorRatio), s(ratio));
    series.insert(("svc".into(), SeriesKind::RequestRate), s(rate));
    (d, series)
}

#[test]
fn error_ratio_back_to_baseline_is_judged_at_the_end_of_the_bake() {
    let derived = crate::metrics::Derived::default();
    let setup = critical("svc");
    let verdict = |before, after, now| {
        let (d, series) = baked(before, after);
        let data = ReviewData {
            derived: &derived,
            series: &series,
            now,
        };
        auto(&checklist(&setup, &[&d], &data, None), "error-ratio").clone()
    };
    let later = fixture::now();
    // Limit: 1% × 1.2 + 0.01% = 1.21%.
    assert_eq!(verdict(0.01, 0.012, later).verdict, Verdict::Pass);
    let failed = verdict(0.01, 0.0125, later);
    assert_eq!(failed.verdict, Verdict::Fail);
    assert_eq!(
        failed.evidence,
        "1.25% at the end of the bake time, baseline 1.00%"
    );
    // At 10:30 the bake (until 10:40) is not over.
    let early = fixture::now() - Duration::hours(5) + Duration::minutes(30);
    let e = verdict(0.01, 0.0, early);
    assert_eq!(e.verdict, Verdict::Unknown, "{e:?}");
    assert!(e.evidence.contains("10m left"), "{e:?}");
}

/// Older history often comes at a coarser step (the demo's is 10 minutes): the end of
/// the bake (its last 7.5 minutes here) is widened to one step, so a sample falls in
/// it and the deployment is judged rather than left at "no traffic".
#[test]
fn a_coarse_series_is_judged_over_one_step_at_the_end_of_the_bake() {
    let derived = crate::metrics::Derived::default();
    let setup = critical("svc");
    for (after, expected) in [(0.012, Verdict::Pass), (0.0125, Verdict::Fail)] {
        let (d, series) = baked_every(10, 0.01, after);
        let data = ReviewData {
            derived: &derived,
            series: &series,
            now: fixture::now(),
        };
        let check = auto(&checklist(&setup, &[&d], &data, None), "error-ratio").clone();
        assert_eq!(check.verdict, expected, "{check:?}");
        assert!(check.evidence.contains("baseline 1.00%"), "{check:?}");
    }
}

#[test]
fn manual_items_read_the_session_and_a_release_takes_the_worst_verdict() {
    let model = fixture::model();
    let derived = fixture::derived(&model);
    let data = ReviewData {
        derived: &derived,
        series: &model.data.series,
        now: model.now,
    };
    let setup = critical("checkout");
    let linked = model
        .data
        .deployments
        .iter()
        .find(|d| d.id == "gitlab:checkout-12")
        .expect("the fixture's deployment with INC-101");
    let clean = model
        .data
        .deployments
        .iter()
        .filter(|d| d.service == "checkout")
        .find(|d| {
            derived.services["checkout"].facts[&d.id]
                .incidents
                .is_empty()
        })
        .expect("a deployment without incident");
    let list = checklist(&setup, &[clean], &data, None);
    let target = ReviewTarget::Release {
        version: clean.version.clone(),
        deployments: vec![clean.id.clone(), linked.id.clone()],
    };
    let mut session = start_session("s1".into(), target, &list, model.now);
    session.check_mut("rollback-plan").expect("manual").checked = true;
    let list = checklist(&setup, &[clean, linked], &data, Some(&session));
    let manual = list
        .rows
        .iter()
        .find(|r| r.id == "rollback-plan")
        .expect("row");
    assert_eq!(
        manual.state,
        RowState::Manual {
            checked: true,
            note: None
        }
    );
    let untouched = list
        .rows
        .iter()
        .find(|r| r.id == "risk-flags")
        .expect("row");
    assert!(matches!(
        untouched.state,
        RowState::Manual { checked: false, .. }
    ));
    let incidents = auto(&list, "incidents");
    assert_eq!(incidents.verdict, Verdict::Fail);
    assert!(incidents.evidence.contains("INC-101"), "{incidents:?}");
}
