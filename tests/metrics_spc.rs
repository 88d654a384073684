//! SPC charts (DESIGN §3) on hand-computed series: baselines without spread, segments
//! started by process changes (limits, moving ranges, marked ranges), and p-chart
//! limits that vary with each week's n.

mod common;

use std::collections::BTreeMap;

use chrono::{Duration, TimeZone, Utc};
use flightdeck::app::{PaneId, SpcMetric};
use flightdeck::metrics::settings::RuleSet;
use flightdeck::metrics::spc::{attribute_chart, xmr_chart, ChartParams, Subgroup};
use flightdeck::metrics::{derive, ChartKind, Inputs, Rule, Settings, SpcChart};
use flightdeck::model::{Annotation, AnnotationKind, Deployment, DeploymentLog, Ts};
use flightdeck::ui::{self, fixture, Theme};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn t(h: f64) -> Ts {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
        + Duration::seconds((h * 3600.0) as i64)
}

/// Values one hour apart from `t(0)`.
fn hourly(values: &[f64]) -> Vec<(Ts, f64)> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| (t(i as f64), *v))
        .collect()
}

/// Subgroups one week apart from `t(0)`.
fn weekly(groups: &[(f64, f64)]) -> Vec<(Ts, Subgroup)> {
    groups
        .iter()
        .enumerate()
        .map(|(i, &(count, n))| (t(i as f64 * 168.0), Subgroup { count, n }))
        .collect()
}

fn params(baseline: usize, rules: RuleSet, changes: &[Ts]) -> ChartParams<'_> {
    ChartParams {
        baseline,
        rules,
        changes,
        marked: None,
    }
}

const SETS: [RuleSet; 2] = [RuleSet::WesternElectric, RuleSet::Nelson];

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

// ---- σ = 0: the limits cannot judge ----------------------------------------------

#[test]
fn a_constant_series_trips_no_rule() {
    // 0.1 × 25: X̄ = 0.10000000000000002 ≠ 0.1 and mR̄ = 0. Judged by float equality
    // every point was infinitely far out (WE1–4); judged as "within 1σ", 15 of them
    // were Nelson 7. Neither: σ = 0 separates nothing.
    let pts = hourly(&[0.1; 25]);
    for set in SETS {
        let c = xmr_chart("x", &pts, &params(20, set, &[]));
        assert!(c.signals.is_empty(), "{set:?}: {:?}", c.signals);
        assert!(c.no_spread, "{set:?}");
        // The limits are still shown, collapsed onto the centre.
        assert!(close(c.center, 0.1));
        assert_eq!(c.ucl, c.center);
        assert_eq!(c.lcl, c.center);
        // The moving ranges are all 0: none is beyond a 0 upper limit.
        let mr = c.moving_range.clone();
        assert_eq!(mr.as_ref().and_then(|m| m.center), Some(0.0));
        assert!(mr.is_some_and(|m| m.beyond.is_empty()));
    }
}

#[test]
fn a_jump_after_a_constant_baseline_is_not_judged() {
    // 5 × 20, then 9, 10, 11, 12, 13, 14: beyond "limits" of 5 ± 0, and a steady rise
    // (Nelson 3 reads the raw values), yet no spread to judge them by.
    let mut v = vec![5.0; 20];
    v.extend([9.0, 10.0, 11.0, 12.0, 13.0, 14.0]);
    for set in SETS {
        let c = xmr_chart("x", &hourly(&v), &params(20, set, &[]));
        assert!(c.signals.is_empty(), "{set:?}: {:?}", c.signals);
        assert!(c.no_spread);
        assert_eq!(c.center, Some(5.0));
    }
}

#[test]
fn a_chart_with_spread_is_judged_and_flags_none() {
    // 10, 12 alternating × 10 (X̄ 11, mR̄ 2, σ 1.773, UCL 16.32), then 20: WE1.
    let mut v: Vec<f64> = (0..20)
        .map(|i| if i % 2 == 0 { 10.0 } else { 12.0 })
        .collect();
    v.push(20.0);
    let c = xmr_chart("x", &hourly(&v), &params(20, RuleSet::WesternElectric, &[]));
    assert!(!c.no_spread);
    assert!(close(c.ucl, 11.0 + 6.0 / 1.128));
    assert!(c
        .signals
        .iter()
        .any(|s| s.rule == Rule::We1 && s.index == 20));
}

#[test]
fn a_p_chart_without_failures_in_the_baseline_judges_no_week() {
    // 20 weeks of 0 failures in 10 deployments: p̄ = 0, σᵢ = 0, limits 0/0/0. A week
    // with 1 failure in 10 is not "beyond 3σ".
    let mut g = vec![(0.0, 10.0); 20];
    g.push((1.0, 10.0));
    for set in SETS {
        let c = attribute_chart("cfr", ChartKind::P, &weekly(&g), &params(20, set, &[]));
        assert!(c.signals.is_empty(), "{set:?}: {:?}", c.signals);
        assert!(c.no_spread);
        assert_eq!((c.center, c.ucl, c.lcl), (Some(0.0), Some(0.0), Some(0.0)));
        assert_eq!(c.points.len(), 21);
    }
}

#[test]
fn a_p_chart_failing_every_deployment_in_the_baseline_judges_no_week() {
    // p̄ = 1 (5 of 5 for 20 weeks): σᵢ = 0; a week of 4 of 5 is not a signal.
    let mut g = vec![(5.0, 5.0); 20];
    g.push((4.0, 5.0));
    let c = attribute_chart(
        "cfr",
        ChartKind::P,
        &weekly(&g),
        &params(20, RuleSet::Nelson, &[]),
    );
    assert!(c.signals.is_empty(), "{:?}", c.signals);
    assert!(c.no_spread);
    assert_eq!(c.center, Some(1.0));
}

#[test]
fn a_u_chart_without_incidents_in_the_baseline_judges_no_week() {
    let mut g = vec![(0.0, 4.0); 20];
    g.push((1.0, 4.0));
    let c = attribute_chart(
        "ipd",
        ChartKind::U,
        &weekly(&g),
        &params(20, RuleSet::WesternElectric, &[]),
    );
    assert!(c.signals.is_empty(), "{:?}", c.signals);
    assert!(c.no_spread);
    assert_eq!(c.center, Some(0.0));
}

#[test]
fn weeks_without_deployments_are_not_points() {
    // 1/10, 0/0, 3/10: the empty week is dropped (no opportunity; u = c/n undefined).
    let g = weekly(&[(1.0, 10.0), (0.0, 0.0), (3.0, 10.0)]);
    for kind in [ChartKind::P, ChartKind::U] {
        let c = attribute_chart("x", kind, &g, &params(20, RuleSet::WesternElectric, &[]));
        assert_eq!(c.points.len(), 2);
        assert_eq!(c.points[1].at, g[2].0);
        assert!(close(c.center, 0.2));
    }
}

// ---- per-point σᵢ on a p-chart ------------------------------------------------------

#[test]
fn the_same_proportion_signals_at_large_n_but_not_at_small_n() {
    // Baseline: 20 weeks of 10 failures in 100: p̄ = 0.1.
    // Then 0.2 at n = 100: σ = sqrt(0.1·0.9/100) = 0.03, UCL = 0.19 < 0.2: WE1.
    // The same 0.2 at n = 50 (10 of 50): σ = 0.042426, UCL = 0.22728 > 0.2: nothing.
    let base = vec![(10.0, 100.0); 20];
    let chart = |last: (f64, f64)| {
        let mut g = base.clone();
        g.push(last);
        attribute_chart(
            "cfr",
            ChartKind::P,
            &weekly(&g),
            &params(20, RuleSet::WesternElectric, &[]),
        )
    };
    let large = chart((20.0, 100.0));
    assert!(close(large.ucl, 0.19));
    assert_eq!(
        large
            .signals
            .iter()
            .map(|s| (s.rule, s.index))
            .collect::<Vec<_>>(),
        vec![(Rule::We1, 20)]
    );
    let small = chart((10.0, 50.0));
    assert!(close(small.ucl, 0.1 + 3.0 * (0.09f64 / 50.0).sqrt()));
    assert!(small.ucl.is_some_and(|u| u > 0.2));
    assert!(small.signals.is_empty(), "{:?}", small.signals);
    assert!(!large.no_spread && !small.no_spread);
}

// ---- segments ----------------------------------------------------------------------

#[test]
fn a_change_followed_by_one_point_leaves_that_point_unjudged() {
    // 10, 12, 11, 13, 10 | change | 100. The last segment's baseline is one point: no
    // limits for it (not the first segment's, X̄ 11.2, under which 100 was WE1), and
    // none at chart level.
    let v = [10.0, 12.0, 11.0, 13.0, 10.0, 100.0];
    let change = [t(4.5)];
    for set in SETS {
        let c = xmr_chart("x", &hourly(&v), &params(20, set, &change));
        assert!(c.signals.is_empty(), "{set:?}: {:?}", c.signals);
        assert_eq!((c.center, c.ucl, c.lcl), (None, None, None));
        assert!(!c.no_spread);
        assert!(c.points[5].limits.center.is_nan());
        assert!(c.points[5].limits.ucl.is_nan());
        assert!(close(Some(c.points[4].limits.center), 11.2));
        // The moving-range chart: no range across the cut, no mR̄ for the last segment.
        let mr = c.moving_range.clone();
        assert_eq!(mr.as_ref().map(|m| m.values[5]), Some(None));
        assert_eq!(mr.as_ref().and_then(|m| m.center), None);
        assert_eq!(mr.and_then(|m| m.ucl), None);
    }
}

#[test]
fn moving_ranges_are_per_segment() {
    // 10, 12, 10 | change | 30, 31: mR 2, 2 | (no 20 across the cut) | 1.
    // Second segment: mR̄ = 1, UCL = 3.267.
    let v = [10.0, 12.0, 10.0, 30.0, 31.0];
    let change = [t(2.5)];
    let c = xmr_chart(
        "x",
        &hourly(&v),
        &params(20, RuleSet::WesternElectric, &change),
    );
    let mr = c.moving_range.clone().unwrap_or_else(|| panic!("no mR"));
    assert_eq!(mr.values, vec![None, Some(2.0), Some(2.0), None, Some(1.0)]);
    assert_eq!(mr.center, Some(1.0));
    assert_eq!(mr.ucl, Some(3.267));
    assert!(mr.beyond.is_empty());
    // The X chart's limits are the second segment's: X̄ 30.5, σ = 1/1.128.
    assert_eq!(c.center, Some(30.5));
    assert!(close(c.ucl, 30.5 + 3.0 / 1.128));
}

#[test]
fn moving_ranges_beyond_their_own_segments_limit_are_listed() {
    // Baselines of 2: 10, 12 (mR̄ 2, UCL 6.534), then 10, 16 (ranges 2, 6: inside);
    // change; 30, 31 (mR̄ 1, UCL 3.267), then 35 (range 4: beyond this segment's
    // limit, though inside the first one's).
    let v = [10.0, 12.0, 10.0, 16.0, 30.0, 31.0, 35.0];
    let change = [t(3.5)];
    let c = xmr_chart(
        "x",
        &hourly(&v),
        &params(2, RuleSet::WesternElectric, &change),
    );
    let mr = c.moving_range.clone().unwrap_or_else(|| panic!("no mR"));
    assert_eq!(
        mr.values,
        vec![
            None,
            Some(2.0),
            Some(2.0),
            Some(6.0),
            None,
            Some(1.0),
            Some(4.0)
        ]
    );
    assert_eq!(mr.beyond, vec![6]);
    assert_eq!(mr.center, Some(1.0));
}

#[test]
fn a_marked_range_after_a_change_keeps_the_changes_cut() {
    // 10, 12, 10, 12 | change at 3.5 h | 50, 52, 50, 52, 50, 52; marked [6 h, 9 h):
    // points 6–8 (50, 52, 50) are the second segment's baseline: X̄ 50.667, mR̄ 2.
    // The first segment keeps its own automatic baseline (X̄ 11, mR̄ 2): had the range
    // overridden the change, the first four points would be ~40 below the centre.
    let v = [10.0, 12.0, 10.0, 12.0, 50.0, 52.0, 50.0, 52.0, 50.0, 52.0];
    let change = [t(3.5)];
    let p = ChartParams {
        baseline: 20,
        rules: RuleSet::WesternElectric,
        changes: &change,
        marked: Some((t(6.0), t(9.0))),
    };
    let c = xmr_chart("x", &hourly(&v), &p);
    assert!(c.signals.is_empty(), "{:?}", c.signals);
    assert_eq!(c.points[0].limits.center, 11.0);
    assert_eq!(c.points[3].limits.center, 11.0);
    assert!(close(Some(c.points[4].limits.center), 152.0 / 3.0));
    assert!(close(c.center, 152.0 / 3.0));
    assert!(close(c.ucl, 152.0 / 3.0 + 6.0 / 1.128));
    // No moving range across the cut; the second segment's mR̄ is its baseline's.
    let mr = c.moving_range.clone();
    assert_eq!(mr.as_ref().map(|m| m.values[4]), Some(None));
    assert_eq!(mr.and_then(|m| m.center), Some(2.0));
}

#[test]
fn a_change_inside_the_marked_range_cuts_nothing() {
    // The same series, marked [3 h, 6 h) around the change at 3.5 h: one segment, its
    // baseline points 3–5 (12, 50, 52): X̄ 38, mR̄ 20.
    let v = [10.0, 12.0, 10.0, 12.0, 50.0, 52.0, 50.0, 52.0, 50.0, 52.0];
    let change = [t(3.5)];
    let p = ChartParams {
        baseline: 20,
        rules: RuleSet::WesternElectric,
        changes: &change,
        marked: Some((t(3.0), t(6.0))),
    };
    let c = xmr_chart("x", &hourly(&v), &p);
    assert_eq!(c.points[0].limits.center, 38.0);
    assert_eq!(c.center, Some(38.0));
    let mr = c.moving_range.clone();
    assert_eq!(mr.as_ref().map(|m| m.values[4]), Some(Some(38.0)));
    assert_eq!(mr.and_then(|m| m.center), Some(20.0));
}

#[test]
fn a_p_chart_segment_has_its_own_centre() {
    // 1 of 10 × 3 | change | 5 of 10: the last week's centre is its own 0.5, not 0.1.
    let g = weekly(&[(1.0, 10.0), (1.0, 10.0), (1.0, 10.0), (5.0, 10.0)]);
    let change = [t(2.5 * 168.0)];
    let c = attribute_chart(
        "cfr",
        ChartKind::P,
        &g,
        &params(20, RuleSet::WesternElectric, &change),
    );
    assert!(close(c.center, 0.5));
    assert!(close(Some(c.points[0].limits.center), 0.1));
    assert!(c.signals.is_empty(), "{:?}", c.signals);
}

// ---- through derive -----------------------------------------------------------------

fn dep(i: i64, minutes: i64) -> Deployment {
    let start = t(i as f64 * 24.0);
    Deployment {
        version: format!("v{i}"),
        sha: format!("s{i}"),
        ..common::deployment(
            &format!("d{i}"),
            "api",
            start,
            Some(start + Duration::minutes(minutes)),
        )
    }
}

#[test]
fn a_process_change_annotation_cuts_the_derived_charts() {
    // 25 daily deployments of 10 minutes, a process change before the last, which
    // takes 60: judged by the old process it would be WE1; its own segment has one
    // point, so its limits are unknown.
    let deps: Vec<Deployment> = (0..25)
        .map(|i| dep(i, if i == 24 { 60 } else { 10 }))
        .collect();
    let annotations = [Annotation {
        at: t(23.5 * 24.0),
        service: Some("api".into()),
        text: "new pipeline".into(),
        kind: AnnotationKind::ProcessChange,
    }];
    let ratios = BTreeMap::new();
    let series = BTreeMap::new();
    let inputs = Inputs {
        deployments: &DeploymentLog::from(deps),
        incidents: &[],
        ratios: &ratios,
        series: &series,
        annotations: &annotations,
    };
    let d = derive(
        &inputs,
        &["api".to_string()],
        &Settings::default(),
        t(26.0 * 24.0),
    );
    let charts: Vec<SpcChart> = d
        .services
        .get("api")
        .map(|s| s.spc.clone())
        .unwrap_or_default();
    let duration = charts.iter().find(|c| c.metric == "deploy_duration");
    assert_eq!(duration.map(|c| c.points.len()), Some(25));
    assert_eq!(duration.and_then(|c| c.center), None);
    assert!(duration.is_some_and(|c| c.signals.is_empty() && !c.no_spread));
    assert!(duration.is_some_and(|c| c.points[23].limits.center == 600.0));
}

// ---- the pane ----------------------------------------------------------------------

fn spc_pane(edit: impl Fn(&mut SpcChart)) -> String {
    let mut model = fixture::model();
    let mut derived = fixture::derived(&model);
    for s in derived.services.values_mut() {
        for c in &mut s.spc {
            edit(c);
        }
    }
    model.ui.zoomed = Some(PaneId::Spc);
    model.ui.focus = PaneId::Spc;
    model.ui.spc_metric = SpcMetric::LeadTime;
    let theme = Theme {
        color: false,
        ascii: true,
        light: false,
    };
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test backend");
    terminal
        .draw(|frame| ui::draw(frame, &model, &derived, &theme))
        .expect("draw");
    ui::buffer_to_text(terminal.backend().buffer())
}

#[test]
fn the_pane_says_when_the_limits_cannot_judge() {
    let quiet = |c: &mut SpcChart| c.signals.clear();
    let text = spc_pane(quiet);
    assert!(text.contains("in control: no run rule tripped"), "{text}");
    let flat = spc_pane(|c| {
        c.signals.clear();
        c.no_spread = true;
    });
    assert!(
        flat.contains("no variation in the baseline: limits cannot judge points"),
        "{flat}"
    );
    assert!(!flat.contains("in control"), "{flat}");
    let unknown = spc_pane(|c| {
        c.signals.clear();
        (c.center, c.ucl, c.lcl) = (None, None, None);
    });
    assert!(unknown.contains("no limits yet"), "{unknown}");
    assert!(!unknown.contains("in control"), "{unknown}");
    // Limits from a short baseline are shown, and said to be provisional.
    assert!(!text.contains("provisional"), "{text}");
    let short = spc_pane(|c| c.provisional = Some(7));
    assert!(short.contains("provisional: 7-point baseline"), "{short}");
}

#[test]
fn the_zoomed_pane_marks_moving_ranges_beyond_their_limit() {
    // One mark per moving range the engine found beyond its limit (the fixture's
    // changes that waited five days make two: into and out of that point); without
    // `beyond` the mR chart has no marks. Count the signal symbols below the "moving
    // range" title.
    let marks_below_mr = |text: &str| {
        text.lines()
            .skip_while(|l| !l.contains("moving range"))
            .take_while(|l| !l.contains("WE1"))
            .map(|l| l.matches('X').count())
            .sum::<usize>()
    };
    let with = spc_pane(|_| {});
    let without = spc_pane(|c| {
        if let Some(mr) = c.moving_range.as_mut() {
            mr.beyond.clear();
        }
    });
    let model = fixture::model();
    let beyond = fixture::derived(&model).services["checkout"]
        .spc
        .iter()
        .find(|c| c.metric == "lead_time")
        .and_then(|c| c.moving_range.as_ref())
        .map_or(0, |mr| mr.beyond.len());
    assert!(beyond >= 2, "the fixture has ranges beyond the limit");
    assert_eq!(marks_below_mr(&without), 0, "{without}");
    assert_eq!(marks_below_mr(&with), beyond, "{with}");
}

// ---- what a chart says of itself: counts and provisional baselines -----------------

/// A weekly chart carries each point's counts and the counts behind its centre (what
/// the report prints as "2 of 10"), and says when its baseline is still short.
#[test]
fn weekly_points_carry_their_counts_and_short_baselines_say_so() {
    // Weeks: 1 of 10, an empty week (dropped), 2 of 5, 0 of 4; process change before
    // the last week: two segments, baselines [0, 2) and [2, 3) of the kept points.
    let groups = weekly(&[(1.0, 10.0), (0.0, 0.0), (2.0, 5.0), (0.0, 4.0)]);
    let change = [t(3.0 * 168.0 - 1.0)];
    let c = attribute_chart(
        "cfr",
        ChartKind::P,
        &groups,
        &params(20, RuleSet::WesternElectric, &change),
    );
    let counts: Vec<(f64, f64)> = c
        .points
        .iter()
        .filter_map(|p| p.counts.map(|k| (k.count, k.n)))
        .collect();
    assert_eq!(counts, vec![(1.0, 10.0), (2.0, 5.0), (0.0, 4.0)]);
    // The latest segment's baseline is its one point: 0 of 4, provisional (1 of 20).
    assert_eq!(c.baseline_counts.map(|k| (k.count, k.n)), Some((0.0, 4.0)));
    assert_eq!(c.provisional, Some(1));
    // Without the change, one segment of three points: 3 of 19 behind the centre.
    let whole = attribute_chart(
        "cfr",
        ChartKind::P,
        &groups,
        &params(20, RuleSet::WesternElectric, &[]),
    );
    assert_eq!(
        whole.baseline_counts.map(|k| (k.count, k.n)),
        Some((3.0, 19.0))
    );
    assert_eq!(whole.provisional, Some(3));
    // A baseline of 2 is full: not provisional. An XmR chart has no counts.
    let full = attribute_chart(
        "cfr",
        ChartKind::P,
        &groups,
        &params(2, RuleSet::WesternElectric, &[]),
    );
    assert_eq!(full.provisional, None);
    let x = xmr_chart(
        "lead_time",
        &hourly(&[1.0, 2.0, 3.0]),
        &params(20, RuleSet::WesternElectric, &[]),
    );
    assert!(x.points.iter().all(|p| p.counts.is_none()));
    assert_eq!(x.provisional, Some(3));
}

/// A marked range is the baseline the user chose, however short: not provisional.
#[test]
fn a_marked_baseline_is_never_provisional() {
    let values = hourly(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let p = ChartParams {
        marked: Some((t(1.0), t(4.0))),
        ..params(20, RuleSet::WesternElectric, &[])
    };
    let c = xmr_chart("lead_time", &values, &p);
    assert_eq!(c.provisional, None);
    // The same three points as an automatic baseline of a 3-point chart would be.
    let short = xmr_chart(
        "lead_time",
        &values[..3],
        &params(20, RuleSet::WesternElectric, &[]),
    );
    assert_eq!(short.provisional, Some(3));
}
