//! `flightdeck gate` end to end: the release binary against a real Prometheus (Debian's
//! 2.42) started once, with 31 days of history backfilled by promtool for one service
//! per budget band (and one paging, one without data), whose error ratios put each in
//! its band by construction; and against a Prometheus that is down.
//!
//! Without `prometheus`/`promtool` the live test FAILS (run scripts/install-test-deps),
//! unless FLIGHTDECK_SKIP_PROMETHEUS=1, when it returns early and records the skip
//! (tests/common/skip.rs), as tests/prometheus_live.rs does.

mod common;

use common::prometheus::{free_port, start_prometheus};

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{Duration, DurationRound, SecondsFormat, Utc};
use flightdeck::model::Ts;
use flightdeck::sources::prometheus::backfill::{openmetrics, SyntheticService};

fn service(name: &str, ratio: impl Fn(Ts) -> f64 + 'static) -> SyntheticService {
    SyntheticService {
        name: name.into(),
        requests_per_minute: Box::new(|_| 1_000),
        error_ratio: Box::new(ratio),
        median_latency: Box::new(|_| 0.1),
        deployed: Box::new(|_| false),
    }
}

/// A config for `services` (SLO 99.9%: a budget of 0.001) on the Prometheus at `url`,
/// with no cache (nothing of an earlier run may answer for the server) and `extra` TOML.
fn config(dir: &Path, url: &str, services: &[&str], extra: &str) -> PathBuf {
    let mut text = format!("[cache]\nenabled = false\n\n[prometheus]\nurl = \"{url}\"\n\n");
    for name in services {
        text.push_str(&format!(
            r#"[[services]]
name = "{name}"
slo_target = 0.999
error_ratio_query = 'sum(rate(http_requests_total{{service="{{{{service}}}}",code=~"5.."}}[{{{{window}}}}])) / sum(rate(http_requests_total{{service="{{{{service}}}}"}}[{{{{window}}}}]))'
request_rate_query = 'sum(rate(http_requests_total{{service="{{{{service}}}}"}}[{{{{window}}}}]))'

"#
        ));
    }
    text.push_str(extra);
    let path = dir.join(format!("config-{}.toml", free_port()));
    std::fs::write(&path, text).expect("write config");
    path
}

struct Gate {
    code: Option<i32>,
    json: serde_json::Value,
    stderr: String,
}

fn gate(config: &Path, service: &str, at: Ts, flags: &[&str]) -> Gate {
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["gate", "--format", "json", "--service", service, "--at"])
        .arg(at.to_rfc3339_opts(SecondsFormat::Secs, true))
        .args(flags)
        .arg("--config")
        .arg(config)
        .env(
            "XDG_CONFIG_HOME",
            std::env::temp_dir().join("fd-gate-no-config"),
        )
        .env(
            "XDG_DATA_HOME",
            std::env::temp_dir().join("fd-gate-no-data"),
        )
        .output()
        .expect("run flightdeck gate");
    Gate {
        code: out.status.code(),
        json: serde_json::from_slice(&out.stdout).unwrap_or_default(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn rules(g: &Gate, key: &str) -> Vec<String> {
    g.json[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["rule"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The five bands of DESIGN §3 from constant error ratios: remaining = 1 − ratio/0.001.
const BANDS: [(&str, f64, &str, i32); 5] = [
    ("normal", 0.0002, "normal", 0),          // 80% left
    ("caution", 0.00065, "caution", 0),       // 35% left
    ("restricted", 0.00088, "restricted", 1), // 12% left
    ("frozen", 0.00097, "frozen", 1),         // 3% left
    ("overspent", 0.0015, "hard_freeze", 1),  // -50%
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gate_decides_each_band_of_a_real_prometheus() {
    let end = Utc::now()
        .duration_trunc(Duration::minutes(1))
        .expect("minute")
        - Duration::minutes(1);
    let fire = end - Duration::hours(1);
    let mut services: Vec<SyntheticService> = BANDS
        .iter()
        .map(|&(name, ratio, _, _)| service(name, move |_| ratio))
        .collect();
    // Plenty of budget, but burning 20× in the last hour: the 1 h / 5 m page fires.
    services.push(service(
        "paging",
        move |t| if t > fire { 0.02 } else { 0.0001 },
    ));
    let history = openmetrics(&services, end, 31, 8);
    let Some(server) = start_prometheus("bands", &history).await else {
        return;
    };
    let mut names: Vec<&str> = BANDS.iter().map(|b| b.0).collect();
    // "silent" has no series in Prometheus: no SLO data.
    names.extend(["paging", "silent"]);
    let cfg = config(&server.dir, &server.url, &names, "");

    for (name, ratio, policy, code) in BANDS {
        let g = gate(&cfg, name, end, &[]);
        assert_eq!(g.code, Some(code), "{name}: {} {}", g.json, g.stderr);
        assert_eq!(g.json["schema"], "flightdeck.gate.v1");
        assert_eq!(g.json["figures"]["policy"], policy, "{name}: {}", g.json);
        let remaining = g.json["figures"]["budget_remaining"]
            .as_f64()
            .unwrap_or(f64::NAN);
        let expected = 1.0 - ratio / 0.001;
        assert!(
            (remaining - expected).abs() < 0.02,
            "{name}: remaining {remaining}, expected {expected}"
        );
        let held_by_band = rules(&g, "reasons").contains(&"budget_policy".to_string());
        assert_eq!(held_by_band, code == 1, "{name}: {}", g.json);
        assert_eq!(g.json["sources"][0]["health"], "ok", "{name}: {}", g.json);
    }
    // CAUTION deploys with a warning that names the band.
    let g = gate(&cfg, "caution", end, &[]);
    assert_eq!(rules(&g, "warnings"), ["budget_policy"], "{}", g.json);
    // A critical fix passes RESTRICTED, never FROZEN.
    assert_eq!(
        gate(&cfg, "restricted", end, &["--critical-fix"]).code,
        Some(0)
    );
    assert_eq!(gate(&cfg, "frozen", end, &["--critical-fix"]).code, Some(1));

    let g = gate(&cfg, "paging", end, &[]);
    assert_eq!(g.code, Some(1), "{}", g.json);
    assert_eq!(rules(&g, "reasons"), ["burn_alert"], "{}", g.json);
    assert_eq!(g.json["figures"]["policy"], "normal");
    let alert = &g.json["figures"]["alerts"][0];
    assert_eq!(
        (&alert["severity"], &alert["long"], &alert["short"]),
        (&"page".into(), &"1h".into(), &"5m".into())
    );

    let g = gate(&cfg, "silent", end, &[]);
    assert_eq!(g.code, Some(2), "{}", g.json);
    assert_eq!(rules(&g, "reasons"), ["no_slo_data"], "{}", g.json);
    assert_eq!(gate(&cfg, "silent", end, &["--fail-open"]).code, Some(0));

    // A freeze of the configured calendar holds a service the budget would let go.
    let frozen_cal = config(
        &server.dir,
        &server.url,
        &names,
        &format!(
            "[[calendar.freezes]]\nname = \"release freeze\"\nstart = \"{}\"\nend = \"{}\"\nservice = \"normal\"\n",
            (end - Duration::days(1)).to_rfc3339(),
            (end + Duration::days(1)).to_rfc3339()
        ),
    );
    let g = gate(&frozen_cal, "normal", end, &[]);
    assert_eq!(g.code, Some(1), "{}", g.json);
    assert_eq!(rules(&g, "reasons"), ["freeze"], "{}", g.json);
    assert_eq!(gate(&frozen_cal, "caution", end, &[]).code, Some(0));

    let g = gate(&cfg, "nope", end, &[]);
    assert_eq!(g.code, Some(2));
    assert!(
        g.stderr.contains("no such service") && g.stderr.contains("normal, caution"),
        "{}",
        g.stderr
    );
}

#[test]
fn with_prometheus_down_the_gate_fails_closed_unless_told_to_fail_open() {
    let dir = std::env::temp_dir().join(format!("fd-gate-down-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // A port nobody listens on: the connection is refused.
    let url = format!("http://127.0.0.1:{}", free_port());
    let cfg = config(&dir, &url, &["api"], "");
    let at = Utc::now();

    let g = gate(&cfg, "api", at, &[]);
    assert_eq!(g.code, Some(2), "{} {}", g.json, g.stderr);
    assert_eq!(g.json["decision"], "undecided");
    let reasons = rules(&g, "reasons");
    assert!(reasons.contains(&"source_down".to_string()), "{}", g.json);
    assert_eq!(g.json["sources"][0]["id"], "prometheus");
    assert_eq!(g.json["sources"][0]["health"], "error");
    assert!(g.json["sources"][0]["error"].is_string(), "{}", g.json);

    let g = gate(&cfg, "api", at, &["--fail-open"]);
    assert_eq!(g.code, Some(0), "{}", g.json);
    assert_eq!(g.json["decision"], "deploy");
    assert!(rules(&g, "warnings").contains(&"source_down".to_string()));
    let _ = std::fs::remove_dir_all(&dir);
}
