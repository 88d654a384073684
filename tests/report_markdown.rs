//! The markdown report as a release manager hands it on: a summary row per service,
//! counts behind every rate, the window as given, trends only where history reaches
//! back, SPC signals of the window explained in words (grouped, with the deployment
//! behind each point), and the full deployment list last. Built in-process from the
//! demo at a fixed instant (deterministic), plus hand-built histories for the cases
//! the demo does not hold.

mod common;

use chrono::{Duration, TimeZone, Utc};
use flightdeck::metrics::settings::RuleSet;
use flightdeck::metrics::{Inputs, Settings};
use flightdeck::model::{Deployment, DeploymentLog, Ts, WindowRatios};
use flightdeck::report::{build, to_markdown, ReportV1};
use flightdeck::{cli, config, headless, sources};

const AT: &str = "2026-11-20T14:00:00Z";

/// The demo's report at `at`, as `flightdeck report --demo --at` builds it.
fn demo_report(at: &str, window: Duration, service: Option<&str>, rules: RuleSet) -> ReportV1 {
    let cfg =
        config::load_str(cli::DEMO_CONFIG, std::path::Path::new("demo.toml")).expect("demo config");
    let at: Ts = at.parse().expect("instant");
    let app = headless::demo_app(&cfg, sources::demo::DEFAULT_SEED, at);
    let data = &app.model.data;
    let inputs = Inputs {
        deployments: &data.deployments,
        incidents: &data.incidents,
        ratios: &data.ratios,
        series: &data.series,
        annotations: &data.annotations,
    };
    let mut settings = app.settings.clone();
    settings.rules = rules;
    build(&inputs, &data.services, &settings, at, window, service)
}

fn demo(window: Duration, service: Option<&str>) -> (ReportV1, String) {
    let report = demo_report(AT, window, service, RuleSet::WesternElectric);
    let md = to_markdown(&report);
    (report, md)
}

/// The text of one `## ` section (up to the next `## ` heading).
fn section<'a>(md: &'a str, heading: &str) -> &'a str {
    let start = md
        .find(&format!("\n## {heading}"))
        .unwrap_or_else(|| panic!("no section {heading}:\n{md}"));
    let rest = &md[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |e| e + 4);
    &rest[..end]
}

/// The text of one `### ` subsection within a service section.
fn subsection<'a>(text: &'a str, heading: &str) -> &'a str {
    let start = text
        .find(&format!("### {heading}"))
        .unwrap_or_else(|| panic!("no subsection {heading}:\n{text}"));
    let rest = &text[start..];
    let end = rest[4..].find("\n### ").map_or(rest.len(), |e| e + 5);
    &rest[..end]
}

fn row<'a>(text: &'a str, first_cell: &str) -> &'a str {
    text.lines()
        .find(|l| l.starts_with(&format!("| {first_cell} |")))
        .unwrap_or_else(|| panic!("no row {first_cell}:\n{text}"))
}

#[test]
fn only_the_windows_signals_are_listed_and_earlier_ones_summarized() {
    let (report, md) = demo(Duration::days(30), Some("checkout"));
    let spc = subsection(&md, "Statistical process control");
    let window = report.window;
    let lead = report.services[0]
        .spc
        .iter()
        .find(|c| c.metric == "lead_time")
        .expect("lead-time chart");
    let inside = lead
        .signals
        .iter()
        .filter(|s| window.contains(s.at))
        .count();
    let before = lead.signals.len() - inside;
    // The demo holds lead-time signals on both sides of the window's start.
    assert!(inside > 0 && before > 0, "{spc}");
    assert!(
        row(spc, "Lead time per deployment (median)")
            .ends_with(&format!("| {inside} ({} in history) |", lead.signals.len())),
        "{spc}"
    );
    // The list holds no signal from before the window: every dated line is in it.
    let start_date = report.window.start.format("%Y-%m-%d").to_string();
    for line in spc.lines().filter(|l| l.starts_with("- **")) {
        let date = line
            .split_whitespace()
            .map(|w| w.trim_end_matches([':', ',']))
            .find(|w| w.len() == 10 && w.starts_with("20"))
            .unwrap_or_else(|| panic!("undated signal: {line}"));
        assert!(
            date >= start_date.as_str(),
            "signal before the window: {line}"
        );
    }
    assert!(
        spc.contains(&format!(
            "- Before the window: {before} signal{} from 2026-08-31",
            if before == 1 { "" } else { "s" }
        )),
        "{spc}"
    );
    // Points are not numbered from the start of history.
    assert!(!md.contains("at point"), "{spc}");
}

#[test]
fn signals_say_direction_value_against_limit_and_the_deployment() {
    let (report, md) = demo(Duration::days(30), Some("checkout"));
    let spc = subsection(&md, "Statistical process control");
    // Deploy duration below its lower limit: good news, said so, with the deployment.
    let chart = report.services[0]
        .spc
        .iter()
        .find(|c| c.metric == "deploy_duration")
        .expect("deploy-duration chart");
    let s = chart
        .signals
        .iter()
        .find(|s| report.window.contains(s.at))
        .expect("a deploy-duration signal in the window");
    let dep = report.services[0]
        .deployments
        .iter()
        .find(|d| d.finished_at == Some(s.at))
        .expect("the deployment that finished at the point");
    let line = spc
        .lines()
        .find(|l| l.contains(&format!("{} ({})", dep.version, dep.id)))
        .unwrap_or_else(|| panic!("no line names {}:\n{spc}", dep.id));
    assert!(line.starts_with("- **WE1** "), "{line}");
    // The limit, derived from DESIGN §3 on the demo's deployments (not read off the
    // report): checkout has no process change, so its baseline is its first 20
    // deployments in the change-failure denominator, by finish; LCL = X̄ − 2.66·mR̄.
    let durations = checkout_deploy_durations();
    let lcl = xmr_lower_limit(&durations[..20]);
    assert!(
        (0.0..3600.0).contains(&lcl),
        "an LCL the report writes in minutes: {lcl}"
    );
    assert!(
        line.contains(&format!("below the lower limit of {:.0} min", lcl / 60.0)),
        "LCL {lcl} s: {line}"
    );
    let value = durations
        .iter()
        .find(|(at, _)| *at == s.at)
        .map(|(_, v)| *v)
        .expect("the signal's point is a checkout deployment");
    assert!(value < lcl, "{value} s is below {lcl} s");
    assert!(
        line.contains("Better: lower deploy duration is good news"),
        "{line}"
    );
    // Lead time above its upper limit: worse.
    assert!(
        spc.lines().any(
            |l| l.contains("above the upper limit of") && l.contains("Worse: higher lead time")
        ),
        "{spc}"
    );
    assert!(
        spc.contains("Run rules: Western Electric rules 1–4."),
        "{spc}"
    );
}

/// `(finished, seconds)` of every checkout production deployment the demo holds at
/// AT that counts in the change-failure denominator (success, failed, rolled back),
/// oldest finish first: the points of the deploy-duration chart (DESIGN §3).
fn checkout_deploy_durations() -> Vec<(Ts, f64)> {
    use flightdeck::model::DeployStatus;
    let cfg =
        config::load_str(cli::DEMO_CONFIG, std::path::Path::new("demo.toml")).expect("demo config");
    let at: Ts = AT.parse().expect("instant");
    let app = headless::demo_app(&cfg, sources::demo::DEFAULT_SEED, at);
    let mut points: Vec<(Ts, f64)> = app
        .model
        .data
        .deployments
        .iter()
        .filter(|d| d.service == "checkout" && d.environment == "production")
        .filter(|d| {
            matches!(
                d.status,
                DeployStatus::Success | DeployStatus::Failed | DeployStatus::RolledBack
            )
        })
        .filter_map(|d| {
            let f = d.finished_at.filter(|f| *f < at)?;
            Some((f, (f - d.started_at).num_milliseconds() as f64 / 1000.0))
        })
        .collect();
    points.sort_by_key(|p| p.0);
    points
}

/// The XmR lower limit of a baseline (DESIGN §3): `X̄ − 2.66·mR̄`, floored at 0 for a
/// duration.
fn xmr_lower_limit(baseline: &[(Ts, f64)]) -> f64 {
    let n = baseline.len() as f64;
    let mean = baseline.iter().map(|p| p.1).sum::<f64>() / n;
    let mr = baseline
        .windows(2)
        .map(|w| (w[1].1 - w[0].1).abs())
        .sum::<f64>()
        / (n - 1.0);
    (mean - 2.66 * mr).max(0.0)
}

#[test]
fn weekly_charts_show_the_counts_behind_their_values() {
    let (_, md) = demo(Duration::days(30), Some("search"));
    let spc = subsection(&md, "Statistical process control");
    // The p-chart's signal: the week's failed of deployments, and a value told apart
    // from a limit that rounds the same.
    let line = spc
        .lines()
        .find(|l| l.starts_with("- **WE1** week from 2026-11-13 to 2026-11-20:"))
        .unwrap_or_else(|| panic!("no weekly signal:\n{spc}"));
    assert!(line.contains("(1 of 3 deployments failed)"), "{line}");
    assert!(!line.contains(": 33.3% (1 of 3"), "{line}");
    // The centre with its counts, and the limits said to be the latest week's.
    let cfr = row(spc, "Change failure rate per week");
    assert!(
        cfr.contains("deployments failed in the baseline weeks)"),
        "{cfr}"
    );
    let u = row(spc, "Incidents per deployment, per week");
    assert!(u.contains(" in the baseline weeks)"), "{u}");
    assert!(
        spc.contains("- Change failure rate per week: its limits vary with each week's number of deployments; the table shows the latest week's (week from 2026-11-13 to 2026-11-20, 3 deployments)"),
        "{spc}"
    );
}

#[test]
fn rates_and_counts_carry_their_denominators() {
    let (report, md) = demo(Duration::days(30), None);
    for s in &report.services {
        let text = section(&md, &format!("{} (production)", s.service));
        let dora = subsection(text, "DORA");
        let f = &s.dora.deployment_frequency;
        assert!(
            row(dora, "Deployment frequency").contains(&format!(
                "| {} successful deployments in 30 days |",
                f.deployments
            )),
            "{dora}"
        );
        let c = &s.dora.change_failure_rate;
        assert!(
            row(dora, "Change failure rate").contains(&format!(
                "| {} of {} deployments failed |",
                c.failed, c.deployments
            )),
            "{dora}"
        );
        // The previous window's rate with its counts too.
        let p = &s.previous.change_failure_rate;
        assert!(
            row(dora, "Change failure rate")
                .contains(&format!(", {} of {})", p.failed, p.deployments)),
            "{dora}"
        );
        let rework = row(dora, "Deployment rework rate");
        assert!(rework.contains("| — (DORA defines none) |"), "{rework}");
        assert!(!rework.contains("| n/a |"), "{rework}");
    }
}

#[test]
fn the_header_prints_the_window_as_given() {
    for (window, words) in [
        (Duration::hours(12), "over the 12 hours from"),
        (Duration::hours(36), "over the 36 hours from"),
        (Duration::days(30), "over the 30 days from"),
        (Duration::weeks(2), "over the 14 days from"),
    ] {
        let (_, md) = demo(window, Some("checkout"));
        let header = md.lines().nth(2).unwrap_or_default();
        assert!(header.contains(words), "{window}: {header}");
    }
    let (_, md) = demo(Duration::hours(12), Some("checkout"));
    assert!(!md.contains("over the 0 days"), "{md}");
    assert!(md.contains("successful deployments in 12 hours"), "{md}");
}

#[test]
fn a_summary_row_per_service_comes_first() {
    let (report, md) = demo(Duration::days(30), None);
    let summary = section(&md, "Summary");
    let first_service = md.find("\n## checkout (production)").unwrap_or(0);
    assert!(md.find("\n## Summary").unwrap_or(usize::MAX) < first_service);
    assert_eq!(
        summary.lines().filter(|l| l.starts_with("| ")).count(),
        report.services.len() + 1,
        "{summary}"
    );
    for s in &report.services {
        let r = row(summary, &s.service);
        let c = &s.dora.change_failure_rate;
        assert!(
            r.contains(&format!("{} of {}", c.failed, c.deployments)),
            "{r}"
        );
        let failed = s
            .deployments
            .iter()
            .filter(|d| d.failed && d.finished_at.is_some())
            .count();
        assert!(r.ends_with(&format!("| {failed} |")), "{r}");
        let policy = s.error_budget.policy.map(|p| p.word()).unwrap_or("none");
        assert!(r.contains(&format!("policy {policy}")), "{r}");
    }
    // checkout: 4 signals in the window, 1 worse (lead time) and 3 better (deploys).
    assert!(
        row(summary, "checkout").contains("| 4 (1 worse, 3 better) |"),
        "{summary}"
    );
    // Explanations once, at the end, not in every service.
    assert_eq!(md.matches("A change failure is a deployment").count(), 1);
    assert_eq!(md.matches("## How to read this report").count(), 1);
    assert!(md.rfind("## How to read this report") > md.rfind("## gateway"));
}

#[test]
fn the_full_deployment_list_comes_last_with_ids_and_attention_first() {
    let (report, md) = demo(Duration::days(30), None);
    for s in &report.services {
        let text = section(&md, &format!("{} (production)", s.service));
        let attention = text.find("### Deployments that need attention");
        let all = text.find("### All deployments in the window");
        assert!(attention.is_some() && attention < all, "{text}");
        assert!(text.find("### Statistical process control") < attention);
        let list = subsection(text, "All deployments in the window");
        assert!(
            list.contains("| Finished | Version | Deployment id |"),
            "{list}"
        );
        // Complete: one row per deployment, each with its id.
        for d in &s.deployments {
            assert!(
                list.contains(&format!("| {} | {} |", d.version, d.id)),
                "{list}"
            );
        }
        // Every failed deployment is in the attention table, failures first.
        let attention = subsection(text, "Deployments that need attention");
        let rows: Vec<&str> = attention
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| Finished"))
            .collect();
        for d in s.deployments.iter().filter(|d| d.failed) {
            assert!(attention.contains(&d.id), "{} missing:\n{attention}", d.id);
        }
        let failed = s.deployments.iter().filter(|d| d.failed).count();
        assert!(
            rows.iter()
                .take(failed)
                .all(|r| r.contains("change failure")),
            "{attention}"
        );
    }
}

#[test]
fn nelson_rules_are_named_when_in_use() {
    let report = demo_report(AT, Duration::days(30), Some("checkout"), RuleSet::Nelson);
    let md = to_markdown(&report);
    assert!(md.contains("Run rules: Nelson rules 1–8."), "{md}");
    assert!(md.contains("- N7: 15 in a row within 1 sigma."), "{md}");
    assert!(!md.contains("- WE1:"), "{md}");
}

#[test]
fn provisional_limits_are_said_so() {
    let (_, md) = demo(Duration::days(30), Some("checkout"));
    let spc = subsection(&md, "Statistical process control");
    assert!(
        spc.contains("- Recovery time per failure: provisional limits: the baseline holds 7 of the 20 points it takes"),
        "{spc}"
    );
}

// ---- Hand-built histories -------------------------------------------------------------

fn t(h: f64) -> Ts {
    Utc.with_ymd_and_hms(2026, 9, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
        + Duration::seconds((h * 3600.0) as i64)
}

/// A successful production deployment of "api" starting on `day` at 10:00 UTC that
/// takes `seconds`.
fn dep(n: usize, day: f64, seconds: i64) -> Deployment {
    let start = t(day * 24.0 + 10.0);
    Deployment {
        version: format!("1.{n}.0"),
        sha: format!("sha{n}"),
        ..common::deployment(
            &format!("api-{n}"),
            "api",
            start,
            Some(start + Duration::seconds(seconds)),
        )
    }
}

fn report_of(deps: Vec<Deployment>, at: Ts, window: Duration) -> String {
    let log = DeploymentLog::from(deps);
    let ratios = std::collections::BTreeMap::<String, WindowRatios>::new();
    let series = std::collections::BTreeMap::new();
    let inputs = Inputs {
        deployments: &log,
        incidents: &[],
        ratios: &ratios,
        series: &series,
        annotations: &[],
    };
    let services = ["api".to_string()];
    let report = build(&inputs, &services, &Settings::default(), at, window, None);
    to_markdown(&report)
}

/// 20 baseline deploys of 600/720 s (centre 660 s, σ = 120 / 1.128 ≈ 106 s), a 1-hour
/// deploy (WE1) and calm ones before the window, then six of 810 s (+1.4σ) inside it:
/// WE3 trips at the 4th, 5th and 6th of them — one signal of 6 points.
fn shifted() -> Vec<Deployment> {
    let mut deps: Vec<Deployment> = (0..20)
        .map(|i| dep(i, i as f64, if i % 2 == 0 { 600 } else { 720 }))
        .collect();
    deps.push(dep(20, 20.0, 3_600));
    for (k, secs) in [600, 720, 600, 720, 600, 600].into_iter().enumerate() {
        deps.push(dep(21 + k, 21.0 + k as f64, secs));
    }
    for k in 0..6 {
        deps.push(dep(27 + k, 40.0 + k as f64, 810));
    }
    deps
}

#[test]
fn k_of_m_trips_of_one_run_are_one_signal() {
    let md = report_of(shifted(), t(50.0 * 24.0), Duration::days(20));
    let spc = subsection(&md, "Statistical process control");
    let we3: Vec<&str> = spc.lines().filter(|l| l.starts_with("- **WE3**")).collect();
    assert_eq!(we3.len(), 1, "{spc}");
    let line = we3[0];
    assert!(
        line.starts_with("- **WE3** from 2026-10-11 to 2026-10-16, 6 points, tripped 3 times: 4 of 5 points beyond 1 sigma above the centre: over "),
        "{line}"
    );
    assert!(line.contains("Worse: higher deploy duration"), "{line}");
    assert!(line.contains("1.27.0 (api-27) 14 min"), "{line}");
    // The 1-hour deploy is history: summarized, not listed; counted beside the window's.
    assert!(!spc.contains("1.20.0 (api-20)"), "{spc}");
    assert!(
        spc.contains("- Before the window: 1 signal on 2026-09-21 (WE1 ×1)."),
        "{spc}"
    );
    assert!(
        row(spc, "Deploy duration").ends_with("| 1 (2 in history) |"),
        "{spc}"
    );
}

#[test]
fn no_history_for_the_previous_window_is_not_a_zero() {
    // Every deployment finished inside the window: there is no previous window.
    let deps: Vec<Deployment> = (0..10).map(|i| dep(i, i as f64, 600)).collect();
    let md = report_of(deps.clone(), t(30.0 * 24.0), Duration::days(30));
    let dora = subsection(&md, "DORA");
    assert!(
        row(dora, "Deployment frequency").ends_with("| no history for the previous window |"),
        "{dora}"
    );
    assert!(!dora.contains("previous: 0.00 / day"), "{dora}");
    // History that starts inside the previous window: a trend, said to be partial.
    let md = report_of(deps, t(15.0 * 24.0), Duration::days(10));
    let dora = subsection(&md, "DORA");
    let f = row(dora, "Deployment frequency");
    assert!(
        f.contains("(previous: 0.50 / day; history only from 2026-09-01)"),
        "{f}"
    );
}

#[test]
fn a_baseline_without_variation_is_said_to_judge_nothing() {
    // 25 deploys of exactly 600 s: σ = 0, the limits sit on the centre.
    let deps: Vec<Deployment> = (0..25).map(|i| dep(i, i as f64, 600)).collect();
    let md = report_of(deps, t(30.0 * 24.0), Duration::days(30));
    let spc = subsection(&md, "Statistical process control");
    assert!(
        spc.contains("- Deploy duration: its baseline has no variation"),
        "{spc}"
    );
}

#[test]
fn one_service_at_a_fixed_instant() {
    let (_, md) = demo(Duration::days(30), Some("search"));
    insta::assert_snapshot!("report_search_30d", md);
}
