//! The headless report's v1 keys (DESIGN §4), nulls that stay null, the markdown form,
//! and the SPC charts and run rules (DESIGN §3) on constructed series.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, TimeZone, Utc};
use flightdeck::metrics::settings::RuleSet;
use flightdeck::metrics::spc::rules::evaluate;
use flightdeck::metrics::spc::{attribute_chart, xmr_chart, ChartParams, Subgroup};
use flightdeck::metrics::{derive, ChartKind, Inputs, Rule, Settings, SpcChart};
use flightdeck::model::{
    DeployStatus, Deployment, DeploymentLog, Series, SeriesKind, Ts, WindowRatios,
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
    let start = t(start_h);
    Deployment {
        version: format!("v-{id}"),
        ..common::deployment(id, service, start, Some(start + Duration::minutes(minutes)))
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
            ..Default::default()
        },
    );
    let series: BTreeMap<(String, SeriesKind), Series> = BTreeMap::new();
    let inputs = Inputs {
        deployments: &DeploymentLog::from(deps.to_vec()),
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

/// The value at `path` (object keys, or array indices as numbers), failing when a key
/// or index on the way is missing: `v["a"]["b"]` is `Null` both for a null and for a
/// missing key, and only a null is what the report promises.
fn at<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().enumerate().fold(v, |v, (i, key)| {
        let found = match (v, key.parse::<usize>()) {
            (Value::Array(items), Ok(n)) => items.get(n),
            (Value::Object(map), _) => map.get(*key),
            _ => None,
        };
        found.unwrap_or_else(|| panic!("no {} in {v}", path[..=i].join(".")))
    })
}

/// Asserts that `path` exists and holds null.
fn assert_null(v: &Value, path: &[&str]) {
    let found = at(v, path);
    assert!(found.is_null(), "{} is {found}, not null", path.join("."));
}

#[test]
fn what_cannot_be_computed_is_null_never_zero() {
    let (v, _) = report_json();
    let quiet = at(&v, &["services", "1"]);
    assert_eq!(quiet["service"], "quiet");
    let dora = at(quiet, &["dora"]);
    // Zero deployments: a frequency of 0 is a fact; a rate over 0 deployments is not.
    assert_eq!(*at(dora, &["deployment_frequency", "deployments"]), 0);
    assert_eq!(*at(dora, &["deployment_frequency", "per_day"]), 0.0);
    for path in [
        ["lead_time", "p50_seconds"],
        ["lead_time", "p90_seconds"],
        ["lead_time", "level"],
        ["change_failure_rate", "rate"],
        ["change_failure_rate", "level"],
        ["recovery_time", "p50_seconds"],
        ["recovery_time", "p90_seconds"],
        ["recovery_time", "level"],
        ["rework_rate", "rate"],
    ] {
        assert_null(dora, &path);
    }
    let eb = at(quiet, &["error_budget"]);
    assert_eq!(*at(eb, &["slo_target"]), 0.999);
    for key in ["error_ratio", "remaining", "policy"] {
        assert_null(eb, &[key]);
    }
    for w in ["5m", "30m", "1h", "6h", "3d"] {
        assert_null(eb, &["burn_rates", w]);
    }
    let charts = at(quiet, &["spc"]).as_array().cloned().unwrap_or_default();
    assert!(
        !charts.is_empty(),
        "the quiet service has its (empty) charts"
    );
    for chart in &charts {
        for key in ["center", "ucl", "lcl"] {
            assert_null(chart, &[key]);
        }
    }
    // No series: the budget a deployment consumed is unknown, not zero.
    assert_null(
        &v,
        &["services", "0", "deployments", "0", "budget_consumed"],
    );
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
    assert!(
        md.contains("| no history for the previous window |"),
        "{md}"
    );
    assert!(
        md.contains("**PAGE**: burning 20.0× the budget over both 1h and 5m"),
        "{md}"
    );
    assert!(md.contains("- **WE1** 2026-11-23 01:00 UTC, v-big (big): 1.0 h, a point beyond 3 sigma, above the upper limit of 16 min"), "{md}");
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
        marked: None,
    };
    let chart = xmr_chart("lead_time", &points, &params);
    // X̄ = 11, mR̄ = 2, σ = 2 / 1.128: UCL = 11 + 3σ = 16.319148936….
    assert_eq!(chart.center, Some(11.0));
    assert!(
        chart
            .ucl
            .is_some_and(|u| (u - 16.319_148_936_170_21).abs() < 1e-9),
        "{:?}",
        chart.ucl
    );
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

#[test]
fn rule_one_and_the_drawn_limits_agree() {
    // X̄ = 11, mR̄ = 2. UCL = X̄ + 3·mR̄/1.128 = 16.31915; the rounded 2.66·mR̄ would
    // be 16.32. A point between the two is outside the drawn limits and is a WE1
    // signal; a point just inside is neither.
    let base: Vec<(Ts, f64)> = (0..20)
        .map(|i| (t(f64::from(i)), if i % 2 == 0 { 10.0 } else { 12.0 }))
        .collect();
    let params = ChartParams {
        baseline: 20,
        rules: RuleSet::WesternElectric,
        changes: &[],
        marked: None,
    };
    for (value, beyond) in [(16.3196, true), (16.3190, false)] {
        let mut pts = base.clone();
        pts.push((t(20.0), value));
        let chart = xmr_chart("lead_time", &pts, &params);
        let ucl = chart.ucl.unwrap_or(f64::NAN);
        assert_eq!(value > ucl, beyond, "{value} vs {ucl}");
        let we1 = chart
            .signals
            .iter()
            .any(|s| s.rule == Rule::We1 && s.index == 20);
        assert_eq!(we1, beyond, "{value}: {:?}", chart.signals);
    }
}

#[test]
fn k_of_m_rules_see_a_pattern_that_opens_a_segment() {
    let we = RuleSet::WesternElectric;
    assert_eq!(
        fired(&[2.5, 2.5, 0.0], we),
        vec![(Rule::We2, 1, vec![0, 1])]
    );
    assert_eq!(
        fired(&[1.5, 1.5, 1.5, 1.5, 0.0], we),
        vec![(Rule::We3, 3, vec![0, 1, 2, 3])]
    );
    assert!(rules_of(&[-2.5, -2.5], RuleSet::Nelson).contains("N5"));
    // Each segment is searched afresh: a pattern split by a process change is none.
    let z = [0.0, 2.5, 2.5, 0.0];
    let split = evaluate(&z, &z, &[0..2, 2..4], we);
    assert!(split.is_empty(), "{split:?}");
}

// ---- Run rules on constructed series (property tests) ---------------------------
//
// The series: a held baseline of 20 fixed points, then in-control noise built so that
// it cannot trip any rule, with a rule's pattern (or the pattern less one point)
// inserted at a random position. The noise repeats the z-pattern [+a, +b, −a, −b]
// with a in (0.2, 0.8) (within 1σ) and b in (1.2, 1.8) (beyond 1σ, within 2σ): at
// most 2 in a row on one side, never 2 beyond 2σ, at most 2 beyond 1σ in any 5, runs
// within or beyond 1σ of one point, moves up-down-down-up (no trend of 4 points, no
// alternation of 4). Each inserted block carries guards that keep the noise next to
// it from extending its pattern, so "the pattern less one point" is silent whatever
// surrounds it.

/// xorshift64*: the property test's seed drives every amplitude.
struct Gen(u64);
impl Gen {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

/// 20 baseline values 100 + 0.5·[0.5, 1.5, −0.5, −1.5]: X̄ = 100 exactly; in the
/// chart's own σ (mR̄ = 0.5·28/19, σ = mR̄/1.128) the same safe pattern.
fn baseline_values() -> Vec<f64> {
    (0..20)
        .map(|i| 100.0 + 0.5 * [0.5, 1.5, -0.5, -1.5][i % 4])
        .collect()
}

fn noise(g: &mut Gen, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| match i % 4 {
            0 => g.range(0.2, 0.8),
            1 => g.range(1.2, 1.8),
            2 => -g.range(0.2, 0.8),
            _ => -g.range(1.2, 1.8),
        })
        .collect()
}

/// The block (in σ units) for `rule`, its pattern whole (`fire`) or less one point,
/// and where in the block the whole pattern trips: (index, points).
fn block(
    rule: Rule,
    fire: bool,
    g: &mut Gen,
    s: f64,
    gap: bool,
) -> (Vec<f64>, (usize, Vec<usize>)) {
    let within = |g: &mut Gen| g.range(0.2, 0.8);
    let beyond1 = |g: &mut Gen| g.range(1.2, 1.8);
    match rule {
        Rule::We1 | Rule::N1 => {
            let v = if fire {
                g.range(3.2, 6.0)
            } else {
                g.range(2.1, 2.9)
            };
            (vec![s * v], (0, vec![0]))
        }
        Rule::We2 | Rule::N5 => {
            let mut b = vec![s * g.range(2.1, 2.9)];
            if gap {
                b.push(-s * within(g));
            }
            if fire {
                b.push(s * g.range(2.1, 2.9));
            }
            let last = b.len() - 1;
            (b, (last, vec![0, last]))
        }
        Rule::We3 | Rule::N6 => {
            // [g, g, B, B, B, B, g, g]; less one point: the third B within 1σ.
            let mut b = vec![within(g), -within(g)];
            for k in 0..4 {
                let v = if !fire && k == 2 {
                    within(g)
                } else {
                    beyond1(g)
                };
                b.push(s * v);
            }
            b.push(within(g));
            b.push(-within(g));
            (b, (5, vec![2, 3, 4, 5]))
        }
        Rule::We4 | Rule::N2 => {
            // Guards on the other side; 8 (9) on side `s`, or one fewer.
            let len = if rule == Rule::We4 { 8 } else { 9 } - usize::from(!fire);
            let mut b = vec![-s * within(g)];
            b.extend((0..len).map(|_| s * within(g)));
            b.push(-s * within(g));
            let full = if rule == Rule::We4 { 8 } else { 9 };
            (b, (full, (1..=full).collect()))
        }
        Rule::N3 => {
            // 6 steadily moving in direction `s` (less one: 5); the guards move the
            // other way into the first point and out of the last.
            let len = if fire { 6 } else { 5 };
            let run: Vec<f64> = (0..len)
                .map(|k| s * (-1.5 + 0.6 * k as f64 + g.range(-0.1, 0.1)))
                .collect();
            let mut b = vec![run[0] + s * g.range(0.3, 1.0)];
            b.extend(&run);
            b.push(run[len - 1] - s * g.range(0.3, 1.0));
            (b, (6, (1..=6).collect()))
        }
        Rule::N4 => {
            // 14 alternating around the centre (less one: 13); the guards continue
            // the first and last moves instead of alternating.
            let len = if fire { 14 } else { 13 };
            let run: Vec<f64> = (0..len)
                .map(|k| if k % 2 == 0 { s } else { -s } * within(g))
                .collect();
            let first_move = (run[1] - run[0]).signum();
            let last_move = (run[len - 1] - run[len - 2]).signum();
            let mut b = vec![run[0] - first_move * g.range(0.3, 1.0)];
            b.extend(&run);
            b.push(run[len - 1] + last_move * g.range(0.3, 1.0));
            (b, (14, (1..=14).collect()))
        }
        Rule::N7 => {
            // 15 within 1σ (less one: 14) between two points beyond it.
            let len = if fire { 15 } else { 14 };
            let mut b = vec![s * beyond1(g)];
            b.extend((0..len).map(|_| g.range(-0.8, 0.8)));
            b.push(-s * beyond1(g));
            (b, (15, (1..=15).collect()))
        }
        Rule::N8 => {
            // 8 beyond 1σ on both sides (less one: 7) between two points within it.
            let len = if fire { 8 } else { 7 };
            let mut b = vec![within(g)];
            for k in 0..len {
                let side = match k {
                    0 => s,
                    1 => -s,
                    _ if g.unit() < 0.5 => s,
                    _ => -s,
                };
                b.push(side * beyond1(g));
            }
            b.push(-within(g));
            (b, (8, (1..=8).collect()))
        }
    }
}

fn rule_set(rule: Rule) -> RuleSet {
    match rule {
        Rule::We1 | Rule::We2 | Rule::We3 | Rule::We4 => RuleSet::WesternElectric,
        _ => RuleSet::Nelson,
    }
}

/// The chart of the baseline followed by `z` (σ units of the baseline's limits).
fn chart_of(z: &[f64], set: RuleSet) -> (SpcChart, SpcChart) {
    let params = ChartParams {
        baseline: 20,
        rules: set,
        changes: &[],
        marked: None,
    };
    let stamp = |v: Vec<f64>| -> Vec<(Ts, f64)> {
        v.into_iter()
            .enumerate()
            .map(|(i, v)| (t(i as f64), v))
            .collect()
    };
    let base = xmr_chart("x", &stamp(baseline_values()), &params);
    let center = base.center.unwrap_or(f64::NAN);
    let sigma = base.ucl.map_or(f64::NAN, |u| (u - center) / 3.0);
    let mut values = baseline_values();
    values.extend(z.iter().map(|z| center + z * sigma));
    (xmr_chart("x", &stamp(values), &params), base)
}

const ALL_RULES: [Rule; 12] = [
    Rule::We1,
    Rule::We2,
    Rule::We3,
    Rule::We4,
    Rule::N1,
    Rule::N2,
    Rule::N3,
    Rule::N4,
    Rule::N5,
    Rule::N6,
    Rule::N7,
    Rule::N8,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_noise_alone_trips_no_rule(seed in any::<u64>(), n in 0usize..80) {
        let mut g = Gen(seed | 1);
        let z = noise(&mut g, n);
        for set in [RuleSet::WesternElectric, RuleSet::Nelson] {
            let (chart, _) = chart_of(&z, set);
            prop_assert!(chart.signals.is_empty(), "{:?}: {:?}", set, chart.signals);
        }
    }

    #[test]
    fn each_rule_fires_on_its_pattern_and_not_on_the_pattern_less_one_point(
        seed in any::<u64>(),
        pos in 0usize..=40,
        upper in any::<bool>(),
        gap in any::<bool>(),
    ) {
        let s = if upper { 1.0 } else { -1.0 };
        for (rule, fire) in ALL_RULES.iter().flat_map(|&r| [(r, true), (r, false)]) {
            let set = rule_set(rule);
            let mut g = Gen(seed | 1);
            let mut z = noise(&mut g, 40);
            let (b, (at, points)) = block(rule, fire, &mut g, s, gap);
            let start = 20 + pos;
            let end = start + b.len();
            z.splice(pos..pos, b);
            let (chart, base) = chart_of(&z, set);
            // The limits are the baseline's, held.
            prop_assert_eq!(chart.center, base.center);
            prop_assert_eq!(chart.ucl, base.ucl);
            let of_rule: Vec<_> = chart.signals.iter().filter(|x| x.rule == rule).collect();
            if fire {
                let expected: Vec<usize> = points.iter().map(|p| start + p).collect();
                prop_assert!(
                    of_rule.iter().any(|x| x.index == start + at && x.points == expected),
                    "{:?} not at {} {:?}: {:?}", rule, start + at, expected, chart.signals
                );
                prop_assert!(
                    of_rule.iter().all(|x| (start..end).contains(&x.index)),
                    "{:?} outside the block {}..{}: {:?}", rule, start, end, of_rule
                );
            } else {
                prop_assert!(of_rule.is_empty(), "{:?} on less than its pattern: {:?}", rule, of_rule);
            }
        }
    }

    #[test]
    fn xmr_limits_move_with_a_shift_and_scale_with_the_data(
        values in proptest::collection::vec(-1000.0f64..1000.0, 2..60),
        shift in -1000.0f64..1000.0,
        scale in 0.01f64..100.0,
    ) {
        let params = ChartParams { baseline: 20, rules: RuleSet::WesternElectric, changes: &[], marked: None };
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
        let params = ChartParams { baseline: 20, rules: RuleSet::WesternElectric, changes: &[], marked: None };
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
        deployments: &DeploymentLog::from(deps.to_vec()),
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

// ---- SPC over the history, through derive ---------------------------------------

/// 60 daily deployments of "api", one a day at 10:00 from 2026-10-02 (day 0) to
/// 2026-11-30 (day 59): 10/12 minutes alternating for days 0–19, 20/24 after, day
/// 45 takes 60 minutes; every tenth day fails.
fn sixty_days() -> Vec<Deployment> {
    let day0 = Utc
        .with_ymd_and_hms(2026, 10, 2, 10, 0, 0)
        .single()
        .unwrap_or_default();
    (0..60)
        .map(|i: i64| {
            let minutes = match i {
                45 => 60,
                0..=19 if i % 2 == 0 => 10,
                0..=19 => 12,
                _ if i % 2 == 0 => 20,
                _ => 24,
            };
            let mut d = dep(&format!("d{i}"), "api", 0.0, 0);
            d.started_at = day0 + Duration::days(i);
            d.finished_at = Some(d.started_at + Duration::minutes(minutes));
            if i % 10 == 0 {
                d.status = DeployStatus::Failed;
            }
            d
        })
        .collect()
}

fn charts_at(deps: &[Deployment], settings: &Settings, at: Ts) -> Vec<SpcChart> {
    let ratios = BTreeMap::new();
    let series = BTreeMap::new();
    let inputs = Inputs {
        deployments: &DeploymentLog::from(deps.to_vec()),
        incidents: &[],
        ratios: &ratios,
        series: &series,
        annotations: &[],
    };
    let d = derive(&inputs, &["api".to_string()], settings, at);
    d.services
        .get("api")
        .map(|s| s.spc.clone())
        .unwrap_or_default()
}

fn chart<'a>(charts: &'a [SpcChart], metric: &str) -> Option<&'a SpcChart> {
    charts.iter().find(|c| c.metric == metric)
}

#[test]
fn spc_charts_span_the_history_and_hold_their_limits_as_the_window_slides() {
    let deps = sixty_days();
    let end = t(30.0 * 24.0); // 2026-12-01 00:00 UTC; the 30-day window is November
    let charts = charts_at(&deps, &Settings::default(), end);
    let duration = chart(&charts, "deploy_duration");
    // Every deployment of the history, not the window's 30.
    assert_eq!(duration.map(|c| c.points.len()), Some(60));
    // Baseline: days 0–19, 600/720 s: X̄ = 660, mR̄ = 120, UCL = 660 + 3·120/1.128.
    assert_eq!(duration.and_then(|c| c.center), Some(660.0));
    let ucl = 660.0 + 360.0 / 1.128;
    assert!(duration
        .and_then(|c| c.ucl)
        .is_some_and(|u| (u - ucl).abs() < 1e-9));
    // Day 45 (60 min) is a WE1 signal at its index in the history.
    assert!(duration.is_some_and(|c| c
        .signals
        .iter()
        .any(|s| s.rule == Rule::We1 && s.index == 45)));
    // A week earlier: 53 points, the same held limits.
    let earlier = charts_at(&deps, &Settings::default(), end - Duration::days(7));
    let duration = chart(&earlier, "deploy_duration");
    assert_eq!(duration.map(|c| c.points.len()), Some(53));
    assert_eq!(duration.and_then(|c| c.center), Some(660.0));
    assert!(duration
        .and_then(|c| c.ucl)
        .is_some_and(|u| (u - ucl).abs() < 1e-9));
    // Weekly: 8 whole weeks back from Dec 1 start at or after day 0 (Oct 6 … Nov
    // 24); the 4 days before Oct 6 are not a week. Days 4–59: 56 deployments, of
    // which days 10, 20, 30, 40, 50 failed: p̄ = 5/56.
    let p = chart(&charts, "change_failure_rate");
    assert_eq!(p.map(|c| c.chart), Some(ChartKind::P));
    assert_eq!(p.map(|c| c.points.len()), Some(8));
    assert!(p
        .and_then(|c| c.center)
        .is_some_and(|c| (c - 5.0 / 56.0).abs() < 1e-12));
    let u = chart(&charts, "incidents_per_deployment");
    assert_eq!(u.map(|c| c.points.len()), Some(8));
}

#[test]
fn a_marked_baseline_range_replaces_the_first_points() {
    // Marked [day 30, day 40): ten points of 1200/1440 s: X̄ = 1320, mR̄ = 240.
    let deps = sixty_days();
    let mut settings = Settings::default();
    let from = |d: i64| {
        Utc.with_ymd_and_hms(2026, 10, 2, 0, 0, 0)
            .single()
            .unwrap_or_default()
            + Duration::days(d)
    };
    settings.spc_baseline_range = Some((from(30), from(40)));
    let charts = charts_at(&deps, &settings, t(30.0 * 24.0));
    let duration = chart(&charts, "deploy_duration");
    assert_eq!(duration.and_then(|c| c.center), Some(1320.0));
    let ucl = 1320.0 + 720.0 / 1.128;
    assert!(duration
        .and_then(|c| c.ucl)
        .is_some_and(|u| (u - ucl).abs() < 1e-9));
    assert_eq!(duration.map(|c| c.points[0].limits.center), Some(1320.0));
    assert!(duration.is_some_and(|c| c
        .signals
        .iter()
        .any(|s| s.rule == Rule::We1 && s.index == 45)));
}

#[test]
fn lower_limits_of_figures_that_cannot_be_negative_are_zero_everywhere() {
    // Durations of 1 and 12 minutes alternating: X̄ = 390 s, mR̄ = 660 s; the raw
    // lower limit 390 − 3·660/1.128 = −1365 s is clamped to 0 in the chart, in every
    // point's limits, in the JSON and in the markdown.
    let deps: Vec<Deployment> = (0..20)
        .map(|i| {
            dep(
                &format!("d{i}"),
                "api",
                24.0 * f64::from(i + 1),
                if i % 2 == 0 { 1 } else { 12 },
            )
        })
        .collect();
    let ratios = BTreeMap::new();
    let series: BTreeMap<(String, SeriesKind), Series> = BTreeMap::new();
    let inputs = Inputs {
        deployments: &DeploymentLog::from(deps.to_vec()),
        incidents: &[],
        ratios: &ratios,
        series: &series,
        annotations: &[],
    };
    let report = build(
        &inputs,
        &["api".to_string()],
        &Settings::default(),
        t(30.0 * 24.0),
        Duration::days(30),
        None,
    );
    let d = report.services[0]
        .spc
        .iter()
        .find(|c| c.metric == "deploy_duration")
        .cloned();
    assert_eq!(d.as_ref().and_then(|c| c.center), Some(390.0));
    assert_eq!(d.as_ref().and_then(|c| c.lcl), Some(0.0));
    assert!(d.is_some_and(|c| c.points.iter().all(|p| p.limits.lcl == 0.0)));
    let v: Value = serde_json::from_str(&to_json(&report)).unwrap_or(Value::Null);
    let json = v["services"][0]["spc"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["metric"] == "deploy_duration"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(json["lcl"], 0.0);
    let md = to_markdown(&report);
    let row = md
        .lines()
        .find(|l| l.starts_with("| Deploy duration |"))
        .unwrap_or_default();
    assert!(row.ends_with("| 0 s | 0 |"), "{row}");
    // No cell of the report is a negative number.
    let negative = md
        .lines()
        .flat_map(|l| l.split('|'))
        .map(str::trim)
        .find(|c| c.starts_with('-') && c[1..].starts_with(|ch: char| ch.is_ascii_digit()));
    assert_eq!(negative, None, "{md}");
}

#[test]
fn p_chart_limits_vary_with_n_and_stop_at_one() {
    // Weeks of 1 failure in 2 and 1 in 1: p̄ = 2/3; for n = 1, p̄ + 3σ = 2.08 → 1.
    let groups = [
        (t(0.0), Subgroup { count: 1.0, n: 2.0 }),
        (t(168.0), Subgroup { count: 1.0, n: 1.0 }),
    ];
    let params = ChartParams {
        baseline: 20,
        rules: RuleSet::WesternElectric,
        changes: &[],
        marked: None,
    };
    let c = attribute_chart("change_failure_rate", ChartKind::P, &groups, &params);
    assert_eq!(c.ucl, Some(1.0));
    assert_eq!(c.lcl, Some(0.0));
    assert!(c.center.is_some_and(|p| (p - 2.0 / 3.0).abs() < 1e-12));
    // A week of 1 of 1 at the clamped limit is not beyond it: no signal.
    assert!(c.signals.is_empty(), "{:?}", c.signals);
}

// ---- The command line -----------------------------------------------------------

#[test]
fn an_unknown_service_is_a_one_line_error_naming_the_known_ones() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args([
            "report",
            "--demo",
            "--at",
            "2026-11-20T14:00:00Z",
            "--service",
            "nosuch",
        ])
        .env_remove("FLIGHTDECK_CONFIG")
        .env("HOME", "/nonexistent")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("RUST_BACKTRACE", "1")
        .output();
    let Ok(out) = out else {
        panic!("cannot run flightdeck: {out:?}");
    };
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(
            "flightdeck report: --service \"nosuch\": no such service; known services: "
        ),
        "{err}"
    );
    assert!(err.contains("checkout"), "{err}");
}
