//! End to end: the flightdeck binary against a fake GitLab (checkout's deployments
//! and commits), a fake Jenkins (payments' deploy job) and a real Prometheus (both
//! services' SLIs), all at once. `report --format json` on this small fixture must
//! equal the DORA figures computed by hand from DESIGN §3 below, and the cockpit's
//! frame (`snapshot`) must show the deployments of both sources, their markers on the
//! golden-signal chart and the DORA tiles.
//!
//! The fixture, with the report's instant T = 2026-12-01 00:00 UTC and a 7-day window
//! [Nov 24, Dec 1):
//!
//! checkout (GitLab, production), commits c1…c9 in one line of history:
//! - D1 success, finished Nov 20 10:00 (sha c3): before the window, and the first
//!   deployment seen, so its commits are never counted.
//! - D2 success, Nov 25 10:00 (c6): ships c4, c5, c6, committed Nov 24 10:00, Nov 25
//!   04:00, Nov 25 09:00 → lead times 24 h, 6 h, 1 h.
//! - D3 failed, Nov 29 22:00 (c8).
//! - D4 success, Nov 30 22:00 (c9): ships c7, c8, c9 (everything since the last
//!   success), committed Nov 29 08:00, Nov 29 10:00, Nov 30 21:00 → 38 h, 36 h, 1 h.
//!
//! By hand: frequency 2 successes / 7 days = 0.2857/day (high: ≥ 1/7), one whole week
//! with success on 2 days; lead times sorted 1, 1, 6, 24, 36, 38 h → p50 at rank 2.5 =
//! 15 h, p90 at rank 4.5 = 37 h, 6 changes, elite (< 1 day); change failure rate 1 of 3
//! (low: > 15%); recovery of D3 at D4's finish: 24 h, 1 failure, medium (< 1 week, not
//! < 1 day); rework 0 of 3.
//!
//! payments (Jenkins, production), builds scheduled at `timestamp`, 10 minutes long:
//! B1 SUCCESS Nov 25 08:00, B2 FAILURE Nov 26 08:00, B3 SUCCESS Nov 26 09:00.
//! By hand: 2 / 7 per day, 2 deployment days in the week, no changes (lead time null),
//! 1 of 3 failed, recovered 1 h after B2's finish (high: not < 1 h, < 1 day).

// The fakes and `common` each compile the one percent-decoder they share.
#![allow(clippy::duplicate_mod)]

mod common;
mod gitlab_fake;
mod hostile;
mod jenkins_fake;

use std::process::Command;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::prometheus::start_prometheus;
use flightdeck::sources::prometheus::backfill::demo_openmetrics;
use gitlab_fake::{Dep, FakeGitLab, Project};
use jenkins_fake::{build, FakeJenkins, Job};
use serde_json::{json, Value};

const GITLAB_TOKEN_ENV: &str = "FD_E2E_GITLAB_TOKEN";
const JENKINS_TOKEN_ENV: &str = "FD_E2E_JENKINS_TOKEN";

fn t(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
}

fn report_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
}

/// The sha of commit `n`: its first 8 characters (the version's) differ by commit.
fn sha(n: usize) -> String {
    format!("{n:x}{}", "a".repeat(39))
}

/// Commit `n` of the line of history, committed at `at` (authored an hour before).
fn commit(n: usize, at: DateTime<Utc>) -> Value {
    json!({
        "id": sha(n),
        "short_id": &sha(n)[..8],
        "title": format!("change {n}"),
        "message": format!("change {n}"),
        "author_name": "Dev Eloper",
        "author_email": "dev@example.com",
        "authored_date": (at - Duration::hours(1)).to_rfc3339(),
        "committer_name": "Dev Eloper",
        "committed_date": at.to_rfc3339(),
        "created_at": at.to_rfc3339(),
        "parent_ids": []
    })
}

/// A production deployment of commit `n` whose job ran the 5 minutes up to `finished`.
fn deployment(id: u64, n: usize, status: &str, finished: DateTime<Utc>) -> Value {
    Dep {
        id,
        environment: "production",
        sha: Some(sha(n)),
        status,
        created: finished - Duration::minutes(10),
        updated: finished + Duration::minutes(1),
        job: Some((finished - Duration::minutes(5), Some(finished))),
    }
    .json()
}

fn checkout_project() -> Project {
    let commits = vec![
        commit(1, t(19, 9)),
        commit(2, t(19, 10)),
        commit(3, t(20, 8)),
        commit(4, t(24, 10)),
        commit(5, t(25, 4)),
        commit(6, t(25, 9)),
        commit(7, t(29, 8)),
        commit(8, t(29, 10)),
        commit(9, t(30, 21)),
    ];
    Project {
        id: 42,
        path: "acme/checkout".into(),
        deployments: vec![
            deployment(1, 3, "success", t(20, 10)),
            deployment(2, 6, "success", t(25, 10)),
            deployment(3, 8, "failed", t(29, 22)),
            deployment(4, 9, "success", t(30, 22)),
        ],
        commits,
        compare_limit: None,
        jobs: Default::default(),
        issues: Vec::new(),
        merge_requests: Vec::new(),
    }
}

fn payments_job() -> Job {
    let ten_minutes = 600_000;
    let at = |day, hour| t(day, hour).timestamp_millis();
    let b = |number, result, scheduled| {
        build(
            number,
            Some(result),
            scheduled,
            ten_minutes,
            &[("VERSION", &format!("2.0.{number}"))],
            &[],
            true,
        )
    };
    Job {
        pipeline: true,
        // Newest first, as Jenkins lists them.
        builds: vec![
            b(3, "SUCCESS", at(26, 9)),
            b(2, "FAILURE", at(26, 8)),
            b(1, "SUCCESS", at(25, 8)),
        ],
    }
}

fn config_text(prometheus: &str, gitlab: &str, jenkins: &str) -> String {
    let mut text = format!(
        r#"
[cache]
enabled = false

[prometheus]
url = "{prometheus}"

[gitlab]
url = "{gitlab}"
token_env = "{GITLAB_TOKEN_ENV}"

[[gitlab.projects]]
project = "acme/checkout"
service = "checkout"

[jenkins]
url = "{jenkins}"
username = "{user}"
token_env = "{JENKINS_TOKEN_ENV}"

[[jenkins.jobs]]
job = "team/deploy/payments"
service = "payments"
environment = "production"
version_param = "VERSION"
"#,
        user = jenkins_fake::USER,
    );
    for service in ["checkout", "payments"] {
        text.push_str(&format!(
            r#"
[[services]]
name = "{service}"
slo_target = 0.999
error_ratio_query = 'sum(rate(http_requests_total{{service="{{{{service}}}}",code=~"5.."}}[{{{{window}}}}])) / sum(rate(http_requests_total{{service="{{{{service}}}}"}}[{{{{window}}}}]))'
request_rate_query = 'sum(rate(http_requests_total{{service="{{{{service}}}}"}}[{{{{window}}}}]))'
latency_p99_query = 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{{service="{{{{service}}}}"}}[{{{{window}}}}])))'
"#
        ));
    }
    text
}

fn run(config: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env(GITLAB_TOKEN_ENV, gitlab_fake::TOKEN)
        .env(JENKINS_TOKEN_ENV, jenkins_fake::TOKEN)
        .env("NO_COLOR", "1")
        .output()
        .expect("flightdeck runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "flightdeck {args:?} failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn service<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["services"]
        .as_array()
        .expect("services")
        .iter()
        .find(|s| s["service"] == name)
        .unwrap_or_else(|| panic!("{name} in the report"))
}

fn close(actual: &Value, expected: f64, what: &str) {
    let actual = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: a number, got {actual}"));
    assert!(
        (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0),
        "{what}: {actual} != {expected}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn gitlab_jenkins_and_prometheus_feed_the_report_and_the_cockpit() {
    let at = report_at();
    let Some(prometheus) = start_prometheus("e2e-sources", &demo_openmetrics(at, 8)).await else {
        return;
    };
    let gitlab = FakeGitLab::start(vec![checkout_project()]);
    let jenkins = FakeJenkins::start();
    jenkins.add_job("/job/team/job/deploy/job/payments", payments_job());

    let dir = std::env::temp_dir().join(format!("fd-e2e-sources-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        config_text(&prometheus.url, &gitlab.url, &jenkins.url),
    )
    .expect("write config");

    let at_arg = at.to_rfc3339();
    let json = run(
        &config,
        &[
            "report", "--format", "json", "--at", &at_arg, "--window", "7d",
        ],
    );
    let report: Value = serde_json::from_str(&json).expect("the report is JSON");

    let checkout = &service(&report, "checkout")["dora"];
    let freq = &checkout["deployment_frequency"];
    assert_eq!(freq["deployments"], 2, "{freq}");
    close(&freq["per_day"], 2.0 / 7.0, "checkout per day");
    close(
        &freq["deployment_days_per_week"],
        2.0,
        "checkout days per week",
    );
    assert_eq!(freq["level"], "high");
    let lead = &checkout["lead_time"];
    assert_eq!(lead["changes"], 6, "{lead}");
    close(&lead["p50_seconds"], 15.0 * 3600.0, "checkout lead p50");
    close(&lead["p90_seconds"], 37.0 * 3600.0, "checkout lead p90");
    assert_eq!(lead["level"], "elite");
    let cfr = &checkout["change_failure_rate"];
    assert_eq!(
        (&cfr["failed"], &cfr["deployments"]),
        (&json!(1), &json!(3))
    );
    close(&cfr["rate"], 1.0 / 3.0, "checkout change failure rate");
    assert_eq!(cfr["level"], "low");
    let recovery = &checkout["recovery_time"];
    assert_eq!(recovery["failures"], 1, "{recovery}");
    close(&recovery["p50_seconds"], 86_400.0, "checkout recovery p50");
    close(&recovery["p90_seconds"], 86_400.0, "checkout recovery p90");
    assert_eq!(recovery["level"], "medium");
    let rework = &checkout["rework_rate"];
    assert_eq!(
        (&rework["rework"], &rework["deployments"]),
        (&json!(0), &json!(3))
    );
    close(&rework["rate"], 0.0, "checkout rework");

    let payments = &service(&report, "payments")["dora"];
    close(
        &payments["deployment_frequency"]["per_day"],
        2.0 / 7.0,
        "payments per day",
    );
    close(
        &payments["deployment_frequency"]["deployment_days_per_week"],
        2.0,
        "payments days per week",
    );
    assert_eq!(payments["lead_time"]["changes"], 0);
    assert!(payments["lead_time"]["p50_seconds"].is_null());
    assert!(payments["lead_time"]["level"].is_null());
    close(
        &payments["change_failure_rate"]["rate"],
        1.0 / 3.0,
        "payments change failure rate",
    );
    close(
        &payments["recovery_time"]["p50_seconds"],
        3_600.0,
        "payments recovery",
    );
    assert_eq!(payments["recovery_time"]["level"], "high");

    // The deployments each source delivered, listed per service with their status.
    let ids = |name: &str| -> Vec<(String, String)> {
        service(&report, name)["deployments"]
            .as_array()
            .expect("deployments")
            .iter()
            .map(|d| {
                (
                    d["version"].as_str().unwrap_or("?").to_string(),
                    d["status"].as_str().unwrap_or("?").to_string(),
                )
            })
            .collect()
    };
    let payments_listed = ids("payments");
    for (version, status) in [
        ("2.0.1", "success"),
        ("2.0.2", "failed"),
        ("2.0.3", "success"),
    ] {
        assert!(
            payments_listed.contains(&(version.to_string(), status.to_string())),
            "{version} {status} in {payments_listed:?}"
        );
    }
    let checkout_listed = ids("checkout");
    let d4 = format!("main@{}", &sha(9)[..8]);
    assert!(
        checkout_listed.contains(&(d4.clone(), "success".to_string())),
        "{d4} in {checkout_listed:?}"
    );
    // The SLIs came from the real Prometheus at the same time.
    let budget = &service(&report, "checkout")["error_budget"];
    assert!(budget["error_ratio"].is_number(), "{budget}");

    // The cockpit's frame at the same instant: checkout's deployments from GitLab, D4's
    // marker on the golden-signal chart, the DORA tiles with numerator and denominator.
    let frame = run(&config, &["snapshot", "--size", "120x40", "--at", &at_arg]);
    for listed in [3, 6, 8, 9] {
        let version = format!("main@{}", &sha(listed)[..8]);
        assert!(frame.contains(&version), "{version} listed:\n{frame}");
    }
    let chart_lines: Vec<&str> = frame
        .lines()
        .skip_while(|l| !l.contains("error ratio"))
        .collect();
    assert!(
        chart_lines.iter().any(|l| l.contains(&format!("│{d4}"))),
        "D4's marker labelled on the chart:\n{frame}"
    );
    // The tiles cover the cockpit's 30 days [Nov 1, Dec 1), D1 included: 1 of 4 failed.
    assert!(
        frame.contains("1 of 4"),
        "change failure rate tile:\n{frame}"
    );
    assert!(frame.contains("6 changes"), "lead time tile:\n{frame}");
    assert!(!frame.contains("no deployment source"), "{frame}");
    let _ = std::fs::remove_dir_all(&dir);
}
