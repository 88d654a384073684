//! The headless report's v1 keys (DESIGN §4), nulls that stay null, the markdown form,
//! and the SPC charts and run rules (DESIGN §3) on constructed series.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, TimeZone, Utc};
use flightdeck::metrics::settings::RuleSet;
use flightdeck::metrics::spc::rules::evaluate;
use flightdeck::metrics::spc::{xmr_chart, ChartParams};
use flightdeck::metrics::{Inputs, Rule, Settings};
use flightdeck::model::{
    DeployKind, DeployStatus, Deployment, Series, SeriesKind, Trigger, Ts, WindowRatios,
};
use flightdeck::report::{build, to_json, to_markdown};
use proptest::prelude::*;
use serde_json::Value;

fn t(h: f64) -> Ts {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
        + Duration::seconds((h * 3600.0) as i64)
}

fn dep(id: &str, service: &str, start_h: f64, minutes: i64) -> Deployment {
    Deployment {
        id: id.into(),
        source: "test".into(),
        service: service.into(),
        environment: "production".into(),
        version: format!("v-{id}"),
        sha: id.into(),
        status: DeployStatus::Success,
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

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// "api": 20 deploys of 10/12 minutes, then one of 60 (an SPC signal), with burning
/// ratios. "quiet": nothing at all.
fn report_json() -> (Value, String) {
    let mut deps: Vec<Deployment> = (0..20)
        .map(|i| {
            dep(
                &format!("d{i}"),
                "api",
                24.0 * f64::from(i + 1),
                if i % 2 == 0 { 10 } else { 12 },
            )
        })
        .collect();
    deps.push(dep("big", "api", 24.0 * 22.0, 60));
    let mut ratios = BTreeMap::new();
    ratios.insert(
        "api".to_string(),
        WindowRatios {
            m5: Some(0.02),
            m30: Some(0.02),
            h1: Some(0.02),
            h6: Some(0.02),
            d3: Some(0.002),
            slo_window: Some(0.0004),
        },
    );
    let series: BTreeMap<(String, SeriesKind), Series> = BTreeMap::new();
    let inputs = Inputs {
        deployments: &deps,
        incidents: &[],
        ratios: &ratios,
        series: &series,
        annotations: &[],
    };
    let services = ["api".to_string(), "quiet".to_string()];
    let report = build(
        &inputs,
        &services,
        &Settings::default(),
        t(30.0 * 24.0),
        Duration::days(30),
        None,
    );
    let json = to_json(&report);
    let value = serde_json::from_str(&json).unwrap_or(Value::Null);
    (value, to_markdown(&report))
}

#[test]
fn json_has_exactly_the_v1_keys() {
    let (v, _) = report_json();
    assert_eq!(
        keys(&v),
        set(&["schema", "generated_at", "window", "services"])
    );
    assert_eq!(v["schema"], "flightdeck.report.v1");
    assert_eq!(v["generated_at"], "2026-12-01T00:00:00Z");
    assert_eq!(keys(&v["window"]), set(&["start", "end"]));
    let api = &v["services"][0];
    assert_eq!(api["service"], "api");
    assert_eq!(api["environment"], "production");
    assert_eq!(
        keys(api),
        set(&[
            "service",
            "environment",
            "dora",
            "error_budget",
            "spc",
            "deployments"
        ])
    );
    let dora = &api["dora"];
    assert_eq!(
        keys(dora),
        set(&[
            "deployment_frequency",
            "lead_time",
            "change_failure_rate",
            "recovery_time",
            "rework_rate"
        ])
    );
    assert_eq!(
        keys(&dora["deployment_frequency"]),
        set(&[
            "deployments",
            "per_day",
            "deployment_days_per_week",
            "level"
        ])
    );
    assert_eq!(
        keys(&dora["lead_time"]),
        set(&["changes", "p50_seconds", "p90_seconds", "level"])
    );
    assert_eq!(
        keys(&dora["change_failure_rate"]),
        set(&["failed", "deployments", "rate", "level"])
    );
    assert_eq!(
        keys(&dora["recovery_time"]),
        set(&["failures", "p50_seconds", "p90_seconds", "level"])
    );
    assert_eq!(
        keys(&dora["rework_rate"]),
        set(&["rework", "deployments", "rate"])
    );
    let eb = &api["error_budget"];
    assert_eq!(
        keys(eb),
        set(&[
            "slo_target",
            "window_seconds",
            "error_ratio",
            "remaining",
            "policy",
            "burn_rates",
            "alerts"
        ])
    );
    assert_eq!(
        keys(&eb["burn_rates"]),
        set(&["5m", "30m", "1h", "6h", "3d"])
    );
    assert_eq!(
        keys(&eb["alerts"][0]),
        set(&["severity", "long", "short", "burn"])
    );
    assert_eq!(eb["alerts"][0]["severity"], "page");
    assert_eq!(eb["policy"], "normal");
    let spc = api["spc"].as_array().cloned().unwrap_or_default();
    assert_eq!(spc.len(), 5);
    for chart in &spc {
        assert_eq!(
            keys(chart),
            set(&["metric", "chart", "center", "ucl", "lcl", "points", "signals"])
        );
    }
    let duration = spc
        .iter()
        .find(|c| c["metric"] == "deploy_duration")
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(duration["chart"], "xmr");
    assert_eq!(keys(&duration["signals"][0]), set(&["rule", "index", "at"]));
    assert_eq!(duration["signals"][0]["rule"], "WE1");
    assert_eq!(duration["signals"][0]["index"], 20);
    let deployment = &api["deployments"][0];
    assert_eq!(
        keys(deployment),
        set(&[
            "id",
            "version",
            "status",
            "finished_at",
            "failed",
            "risk",
            "budget_consumed"
        ])
    );
    assert_eq!(deployment["status"], "success");
}

#[test]
fn what_cannot_be_computed_is_null_never_zero() {
    let (v, _) = report_json();
    let quiet = &v["services"][1];
    assert_eq!(quiet["service"], "quiet");
    let dora = &quiet["dora"];
    // Zero deployments: a frequency of 0 is a fact; a rate over 0 deployments is not.
    assert_eq!(dora["deployment_frequency"]["deployments"], 0);
    assert_eq!(dora["deployment_frequency"]["per_day"], 0.0);
    assert!(dora["lead_time"]["p50_seconds"].is_null());
    assert!(dora["lead_time"]["level"].is_null());
    assert!(dora["change_failure_rate"]["rate"].is_null());
    assert!(dora["change_failure_rate"]["level"].is_null());
    assert!(dora["recovery_time"]["p90_seconds"].is_null());
    assert!(dora["rework_rate"]["rate"].is_null());
    let eb = &quiet["error_budget"];
    assert_eq!(eb["slo_target"], 0.999);
    for key in ["error_ratio", "remaining", "policy"] {
        assert!(eb[key].is_null(), "{key} is {}", eb[key]);
    }
    for w in ["5m", "30m", "1h", "6h", "3d"] {
        assert!(eb["burn_rates"][w].is_null());
    }
    for chart in quiet["spc"].as_array().cloned().unwrap_or_default() {
        assert!(chart["center"].is_null() && chart["ucl"].is_null());
    }
    // No series: the budget a deployment consumed is unknown, not zero.
    assert!(v["services"][0]["deployments"][0]["budget_consumed"].is_null());
}

#[test]
fn markdown_shows_counts_levels_trends_and_explained_signals() {
    let (_, md) = report_json();
    assert!(md.contains("## api (production)"), "{md}");
    assert!(
        md.contains("| Change failure rate | 0% | 0 of 21 deployments failed | elite |"),
        "{md}"
    );
    assert!(md.contains("21 successful deployments"), "{md}");
    assert!(md.contains("previous: 0.00 / day"), "{md}");
    assert!(
        md.contains("**PAGE**: burning 20.0× the budget over both 1h and 5m"),
        "{md}"
    );
    assert!(md.contains("WE1 at point 21"), "{md}");
    assert!(md.contains("1 point beyond 3 sigma"), "{md}");
    assert!(md.contains("remaining budget unknown"), "{md}");
}

// ---- SPC ----------------------------------------------------------------------

fn fired(z: &[f64], set: RuleSet) -> Vec<(Rule, usize, Vec<usize>)> {
    let values: Vec<f64> = z.to_vec();
    evaluate(&values, z, std::slice::from_ref(&(0..z.len())), set)
        .into_iter()
        .map(|t| (t.rule, t.index, t.points))
        .collect()
}

fn rules_of(z: &[f64], set: RuleSet) -> BTreeSet<&'static str> {
    fired(z, set)
        .into_iter()
        .map(|(r, _, _)| r.code())
        .collect()
}

#[test]
fn each_rule_trips_on_its_pattern_and_names_the_points() {
    let we = RuleSet::WesternElectric;
    assert_eq!(
        fired(&[0.5, -0.5, 3.5, 0.2], we),
        vec![(Rule::We1, 2, vec![2])]
    );
    assert_eq!(
        fired(&[0.5, 2.5, 0.1, 2.6], we),
        vec![(Rule::We2, 3, vec![1, 3])]
    );
    assert_eq!(
        fired(&[1.5, 1.5, 0.2, 1.5, 1.5], we),
        vec![(Rule::We3, 4, vec![0, 1, 3, 4])]
    );
    assert_eq!(fired(&[0.5; 8], we), vec![(Rule::We4, 7, (0..8).collect())]);
    let n = RuleSet::Nelson;
    assert_eq!(rules_of(&[0.1, 0.2, 3.2], n), BTreeSet::from(["N1"]));
    assert!(rules_of(&[0.5; 9], n).contains("N2"));
    let rising = [-0.5, -0.4, -0.3, 0.3, 0.4, 0.5];
    assert_eq!(fired(&rising, n), vec![(Rule::N3, 5, (0..6).collect())]);
    let alternating: Vec<f64> = (0..14)
        .map(|i| if i % 2 == 0 { 0.5 } else { -0.5 })
        .collect();
    assert!(rules_of(&alternating, n).contains("N4"));
    assert!(rules_of(&[0.5, 2.5, 0.1, 2.6], n).contains("N5"));
    assert!(rules_of(&[1.5, 1.5, 0.2, 1.5, 1.5], n).contains("N6"));
    let hugging: Vec<f64> = (0..15)
        .map(|i| if i % 3 == 0 { 0.5 } else { -0.2 })
        .collect();
    assert!(rules_of(&hugging, n).contains("N7"));
    let avoiding = [1.5, 1.5, 1.5, -1.5, -1.5, -1.5, 1.5, 1.5];
    assert!(rules_of(&avoiding, n).contains("N8"));
}

#[test]
fn each_rule_stays_silent_just_short_of_its_pattern() {
    let we = RuleSet::WesternElectric;
    assert!(fired(&[2.9, -2.9, 3.0, -3.0], we)
        .iter()
        .all(|f| f.0 != Rule::We1));
    assert!(rules_of(&[2.5, 0.1, -2.5], we).is_empty());
    assert!(rules_of(&[2.5, 0.0, 0.0, 2.5], we).is_empty());
    assert!(rules_of(&[1.5, 1.5, 0.2, 0.2, 1.5], we).is_empty());
    let mut seven = vec![0.5; 7];
    seven.push(-0.5);
    assert!(rules_of(&seven, we).is_empty());
    let n = RuleSet::Nelson;
    assert!(!rules_of(&[0.5; 8], n).contains("N2"));
    assert!(!rules_of(&[-0.5, -0.4, -0.3, 0.3, 0.4], n).contains("N3"));
    assert!(!rules_of(&[-0.5, -0.4, -0.3, -0.3, 0.4, 0.5], n).contains("N3"));
    let thirteen: Vec<f64> = (0..13)
        .map(|i| if i % 2 == 0 { 0.5 } else { -0.5 })
        .collect();
    assert!(!rules_of(&thirteen, n).contains("N4"));
    let fourteen: Vec<f64> = (0..14)
        .map(|i| if i % 3 == 0 { 0.5 } else { -0.2 })
        .collect();
    assert!(!rules_of(&fourteen, n).contains("N7"));
    // Eight beyond 1 sigma but all on one side is not N8 (it is N2's business).
    assert!(!rules_of(&[1.5; 8], n).contains("N8"));
}

#[test]
fn xmr_signals_a_shift_after_a_held_baseline_and_restarts_at_a_process_change() {
    let at = |i: usize| t(i as f64);
    let mut points: Vec<(Ts, f64)> = (0..20)
        .map(|i| (at(i), if i % 2 == 0 { 10.0 } else { 12.0 }))
        .collect();
    points.push((at(20), 30.0));
    let params = ChartParams {
        baseline: 20,
        rules: RuleSet::WesternElectric,
        changes: &[],
    };
    let chart = xmr_chart("lead_time", &points, &params);
    // X̄ = 11, mR̄ = 2: UCL = 11 + 5.32 = 16.32.
    assert_eq!(chart.center, Some(11.0));
    assert!(chart.ucl.is_some_and(|u| (u - 16.32).abs() < 1e-9));
    assert_eq!(chart.signals.len(), 1);
    assert_eq!(
        (
            chart.signals[0].rule,
            chart.signals[0].index,
            chart.signals[0].at
        ),
        (Rule::We1, 20, at(20))
    );
    // The process moves to 30/31 after point 10. Held limits call every new point a
    // signal; a "process change" annotation there starts a new baseline instead.
    let moved: Vec<(Ts, f64)> = (0..21)
        .map(|i| {
            (
                at(i),
                match (i < 10, i % 2 == 0) {
                    (true, true) => 10.0,
                    (true, false) => 12.0,
                    (false, true) => 30.0,
                    (false, false) => 31.0,
                },
            )
        })
        .collect();
    let held = xmr_chart("lead_time", &moved, &params);
    assert!(held
        .signals
        .iter()
        .any(|s| s.rule == Rule::We1 && s.index == 10));
    let change = [at(10) - Duration::minutes(30)];
    let restarted = xmr_chart(
        "lead_time",
        &moved,
        &ChartParams {
            changes: &change,
            ..params
        },
    );
    assert!(restarted.signals.is_empty(), "{:?}", restarted.signals);
    // New centre: (6·30 + 5·31) / 11.
    assert!(restarted
        .center
        .is_some_and(|c| (c - 335.0 / 11.0).abs() < 1e-9));
    assert_eq!(restarted.points[0].limits.center, 11.0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn xmr_limits_move_with_a_shift_and_scale_with_the_data(
        values in proptest::collection::vec(-1000.0f64..1000.0, 2..60),
        shift in -1000.0f64..1000.0,
        scale in 0.01f64..100.0,
    ) {
        let params = ChartParams { baseline: 20, rules: RuleSet::WesternElectric, changes: &[] };
        let pts = |f: &dyn Fn(f64) -> f64| -> Vec<(Ts, f64)> {
            values.iter().enumerate().map(|(i, v)| (t(i as f64), f(*v))).collect()
        };
        let base = xmr_chart("x", &pts(&|v| v), &params);
        let shifted = xmr_chart("x", &pts(&|v| v + shift), &params);
        let scaled = xmr_chart("x", &pts(&|v| v * scale), &params);
        let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs())),
            _ => false,
        };
        for (b, s) in [(base.center, shifted.center), (base.ucl, shifted.ucl), (base.lcl, shifted.lcl)] {
            prop_assert!(close(b.map(|v| v + shift), s));
        }
        for (b, s) in [(base.center, scaled.center), (base.ucl, scaled.ucl), (base.lcl, scaled.lcl)] {
            prop_assert!(close(b.map(|v| v * scale), s));
        }
        // Width depends only on the spread.
        let width = |c: &flightdeck::metrics::SpcChart| c.ucl.zip(c.lcl).map(|(u, l)| u - l);
        prop_assert!(close(width(&base), width(&shifted)));
    }

    #[test]
    fn a_point_beyond_the_limits_always_trips_rule_one(
        noise in proptest::collection::vec(-1.0f64..1.0, 20),
        jump in 4.0f64..50.0,
    ) {
        let mut pts: Vec<(Ts, f64)> = noise.iter().enumerate().map(|(i, v)| (t(i as f64), 100.0 + v)).collect();
        let params = ChartParams { baseline: 20, rules: RuleSet::WesternElectric, changes: &[] };
        let base = xmr_chart("x", &pts, &params);
        let ucl = base.ucl.unwrap_or(f64::INFINITY);
        pts.push((t(20.0), ucl + jump));
        let chart = xmr_chart("x", &pts, &params);
        prop_assert!(chart.signals.iter().any(|s| s.rule == Rule::We1 && s.index == 20));
        // The limits were held: the new point did not widen them.
        prop_assert_eq!(chart.ucl, base.ucl);
    }
}

#[test]
fn odd_windows_do_not_panic() {
    let deps = [dep("a", "api", 10.0, 5)];
    let ratios = BTreeMap::new();
    let series = BTreeMap::new();
    let inputs = Inputs {
        deployments: &deps,
        incidents: &[],
        ratios: &ratios,
        series: &series,
        annotations: &[],
    };
    let services = ["api".to_string()];
    for window in [Duration::seconds(1), Duration::days(-3), Duration::zero()] {
        let r = build(
            &inputs,
            &services,
            &Settings::default(),
            t(20.0),
            window,
            Some("api"),
        );
        assert_eq!(r.services.len(), 1);
        assert!(!to_markdown(&r).is_empty());
    }
}
