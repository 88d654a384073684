//! Against a real Prometheus (Debian's 2.42) on a free loopback port, with 31 days of
//! history backfilled by promtool whose error ratios are known by construction:
//! the ratios the source derives, the burn rates and remaining budget computed from
//! them, the charts, the deploy markers, a rejected query, and `doctor`.
//!
//! Without `prometheus`/`promtool` this test FAILS (run scripts/install-test-deps),
//! unless FLIGHTDECK_SKIP_PROMETHEUS=1.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, DurationRound, Utc};
use flightdeck::config::{Config, ConfigSource, PrometheusConfig, ServiceConfig};
use flightdeck::event::{Event, SourceData, SourceEventKind};
use flightdeck::model::{AnnotationKind, SeriesKind, Ts, WindowRatios};
use flightdeck::sources::poller::{spawn_poller, PollerOptions};
use flightdeck::sources::prometheus::backfill::{demo_openmetrics, openmetrics, SyntheticService};
use flightdeck::sources::prometheus::PrometheusSource;

struct Prometheus {
    child: Child,
    dir: PathBuf,
    url: String,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(tool))
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Backfills `om` and starts Prometheus on it; `None` only when skipping is allowed.
async fn start_prometheus(name: &str, om: &str) -> Option<Prometheus> {
    let (Some(prometheus), Some(promtool)) = (which("prometheus"), which("promtool")) else {
        if std::env::var("FLIGHTDECK_SKIP_PROMETHEUS").as_deref() == Ok("1") {
            eprintln!(
                "SKIPPED: prometheus/promtool not installed and FLIGHTDECK_SKIP_PROMETHEUS=1"
            );
            return None;
        }
        panic!(
            "prometheus and promtool are needed for this test: run scripts/install-test-deps \
             (Debian: apt-get install prometheus), or set FLIGHTDECK_SKIP_PROMETHEUS=1 to skip it"
        );
    };
    let dir = std::env::temp_dir().join(format!("fd-prom-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).expect("temp dir");
    std::fs::write(dir.join("history.om"), om).expect("write openmetrics");
    std::fs::write(dir.join("prometheus.yml"), "scrape_configs: []\n").expect("write config");
    let status = Command::new(&promtool)
        .args(["tsdb", "create-blocks-from", "openmetrics", "--quiet"])
        .arg(dir.join("history.om"))
        .arg(dir.join("data"))
        .stdout(Stdio::null())
        .status()
        .expect("promtool runs");
    assert!(status.success(), "promtool could not backfill the history");
    let port = free_port();
    let child = Command::new(&prometheus)
        .arg(format!(
            "--config.file={}",
            dir.join("prometheus.yml").display()
        ))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg("--storage.tsdb.retention.time=60d")
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus starts");
    let server = Prometheus {
        child,
        dir,
        url: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    let deadline = Instant::now() + StdDuration::from_secs(60);
    loop {
        let ready = client.get(format!("{}/-/ready", server.url)).send().await;
        if matches!(ready, Ok(ref r) if r.status().is_success()) {
            return Some(server);
        }
        assert!(
            Instant::now() < deadline,
            "prometheus did not become ready within 60 s"
        );
        tokio::time::sleep(StdDuration::from_millis(200)).await;
    }
}

fn service(
    name: &str,
    rpm: u64,
    ratio: impl Fn(Ts) -> f64 + 'static,
    deploy_at: Option<Ts>,
) -> SyntheticService {
    SyntheticService {
        name: name.into(),
        requests_per_minute: Box::new(move |_| rpm),
        error_ratio: Box::new(ratio),
        median_latency: Box::new(|_| 0.1),
        deployed: Box::new(move |t| Some(t) == deploy_at),
    }
}

fn configured(name: &str, target: f64) -> ServiceConfig {
    let toml_text = format!(
        r#"name = "{name}"
slo_target = {target}
error_ratio_query = 'sum(rate(http_requests_total{{service="{{{{service}}}}",code=~"5.."}}[{{{{window}}}}])) / sum(rate(http_requests_total{{service="{{{{service}}}}"}}[{{{{window}}}}]))'
request_rate_query = 'sum(rate(http_requests_total{{service="{{{{service}}}}"}}[{{{{window}}}}]))'
latency_p99_query = 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{{service="{{{{service}}}}"}}[{{{{window}}}}])))'
deploy_marker_query = 'sum(increase(deployments_total{{service="{{{{service}}}}"}}[{{{{window}}}}]))'
"#
    );
    toml::from_str(&toml_text).expect("service config parses")
}

/// The engine's formulas (DESIGN §3): burn = ratio / (1 − t); remaining = 1 − ratio(W) / (1 − t).
fn burn(ratio: Option<f64>, target: f64) -> f64 {
    ratio.expect("a ratio") / (1.0 - target)
}

fn close(actual: f64, expected: f64, what: &str) {
    // 1%: one sample interval more or less at a window's edge moves a ratio by < 0.7%.
    close_within(actual, expected, 0.01, what);
}

fn close_within(actual: f64, expected: f64, relative: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= expected.abs() * relative,
        "{what}: got {actual}, expected {expected}"
    );
}

fn ratios_of<'a>(data: &'a [SourceData], name: &str) -> &'a WindowRatios {
    data.iter()
        .find_map(|d| match d {
            SourceData::Ratios { service, ratios } if service == name => Some(ratios),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no ratios for {name}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_prometheus_gives_known_burn_rates_and_budget() {
    let end = Utc::now()
        .duration_trunc(Duration::minutes(1))
        .expect("minute")
        - Duration::minutes(1);
    let change = end - Duration::hours(2);
    let history = openmetrics(
        &[
            service("steady", 1_000, |_| 0.002, None),
            service(
                "spiky",
                1_000,
                move |t| if t > change { 0.01 } else { 0.001 },
                Some(change),
            ),
        ],
        end,
        31,
        8,
    );
    let Some(server) = start_prometheus("known", &history).await else {
        return;
    };

    let prom = PrometheusConfig {
        url: server.url.clone(),
        ..Default::default()
    };
    let mut broken = configured("broken", 0.99);
    broken.error_ratio_query = Some("sum(rate(nope[{{window}}])".into());
    let services = vec![
        configured("steady", 0.99),
        configured("spiky", 0.99),
        configured("silent", 0.99),
        broken,
    ];
    let services: Vec<ServiceConfig> = services
        .into_iter()
        .map(|mut s| {
            if s.name == "silent" {
                s.error_ratio_query = Some("sum(rate(absent_total[{{window}}]))".into());
            }
            s
        })
        .collect();
    let source = Arc::new(PrometheusSource::new(&prom, &services).expect("source builds"));
    let fetched = source
        .fetch_at(end)
        .await
        .expect("fetch succeeds despite one bad query");

    // steady: 2 errors in 1000 requests everywhere → 0.002; budget 1% → burn 0.2, 80% left.
    let steady = ratios_of(&fetched.data, "steady");
    for (w, r) in [
        ("5m", steady.m5),
        ("30m", steady.m30),
        ("1h", steady.h1),
        ("6h", steady.h6),
        ("3d", steady.d3),
        ("30d", steady.slo_window),
    ] {
        close(burn(r, 0.99), 0.2, &format!("steady burn {w}"));
    }
    close(1.0 - burn(steady.slo_window, 0.99), 0.8, "steady remaining");

    // spiky: 0.1% until 2 h ago, 1% since.
    //   5m, 30m, 1h: 0.01 → burn 1.0
    //   6h: (4 h · 0.001 + 2 h · 0.01) / 6 h = 0.004 → burn 0.4
    //   3d: (70 h · 0.001 + 2 h · 0.01) / 72 h = 0.00125 → burn 0.125
    //   30d: (718 h · 0.001 + 2 h · 0.01) / 720 h = 0.001025 → burn 0.1025, remaining 0.8975
    let spiky = ratios_of(&fetched.data, "spiky");
    close(burn(spiky.m5, 0.99), 1.0, "spiky burn 5m");
    close(burn(spiky.m30, 0.99), 1.0, "spiky burn 30m");
    close(burn(spiky.h1, 0.99), 1.0, "spiky burn 1h");
    close(burn(spiky.h6, 0.99), 0.4, "spiky burn 6h");
    close(burn(spiky.d3, 0.99), 0.125, "spiky burn 3d");
    close(burn(spiky.slo_window, 0.99), 0.1025, "spiky burn 30d");
    close(
        1.0 - burn(spiky.slo_window, 0.99),
        0.8975,
        "spiky remaining",
    );

    // No data is None, never 0; a rejected query is a warning naming the service.
    assert_eq!(*ratios_of(&fetched.data, "silent"), WindowRatios::default());
    assert_eq!(*ratios_of(&fetched.data, "broken"), WindowRatios::default());
    assert!(
        fetched
            .warnings
            .iter()
            .any(|w| w.starts_with("broken: the error ratio query was rejected: bad_data")),
        "{:?}",
        fetched.warnings
    );

    // Charts over the last 6 h at 60 s: 361 points.
    let series = |name: &str, kind: SeriesKind| {
        fetched
            .data
            .iter()
            .find_map(|d| match d {
                SourceData::Series {
                    service,
                    kind: k,
                    series,
                } if service == name && *k == kind => Some(series),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no {kind:?} series for {name}"))
    };
    let rate = series("steady", SeriesKind::RequestRate);
    assert_eq!(rate.points.len(), 361);
    close(rate.points[360].1, 1000.0 / 60.0, "request rate");
    // Latency is exponential with median 0.1 s: per 1000 requests, 969 under 0.5 s and
    // 999 under 1 s, so the 990th falls at 0.5 + (990 − 969) / (999 − 969) · 0.5 = 0.85 s.
    close(
        series("steady", SeriesKind::LatencyP99).points[360].1,
        0.85,
        "p99 latency",
    );
    let ratio_chart = series("spiky", SeriesKind::ErrorRatio);
    close(ratio_chart.points[0].1, 0.001, "error ratio 6 h ago");
    close(ratio_chart.points[360].1, 0.01, "error ratio now");

    // The one deployment, two hours ago, is one marker.
    let markers: Vec<_> = fetched
        .data
        .iter()
        .filter_map(|d| match d {
            SourceData::Annotations(a) => Some(a),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(markers.len(), 1, "{markers:?}");
    assert_eq!(markers[0].at, change);
    assert_eq!(markers[0].kind, AnnotationKind::DeployMarker);
    assert_eq!(markers[0].service.as_deref(), Some("spiky"));

    // Poll to event: a poller against the real server, timed from spawn to Fetched.
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let (_stop, stop_rx) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let poller_source = Arc::clone(&source);
    let handle = spawn_poller(
        "prometheus",
        PollerOptions::new(StdDuration::from_secs(3600)),
        tx,
        stop_rx,
        move || {
            let s = Arc::clone(&poller_source);
            async move { s.fetch_at(end).await }
        },
    );
    loop {
        match tokio::time::timeout(StdDuration::from_secs(60), rx.recv()).await {
            Ok(Some(Event::Source(e))) => match e.kind {
                SourceEventKind::Fetched { .. } => break,
                SourceEventKind::Failed { error, .. } => panic!("poll failed: {error}"),
                _ => {}
            },
            other => panic!("no event from the poller: {other:?}"),
        }
    }
    eprintln!(
        "poll-to-event latency ({} services, 6 instant + 3 range + 1 marker queries each): {:?}",
        services.len(),
        started.elapsed()
    );
    handle.task.abort();

    // doctor reaches the server and tries every query.
    let config = Config {
        prometheus: Some(prom),
        services,
        cache: flightdeck::config::CacheConfig {
            enabled: false,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut out = Vec::new();
    let all_well = flightdeck::doctor::run(&config, &ConfigSource::None, &mut out).await;
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains("ok    reached: server version 2.42"),
        "{text}"
    );
    assert!(
        text.contains("FAIL  error ratio (5m): query error: bad_data"),
        "{text}"
    );
    assert!(text.contains("warn  error ratio (5m): no data"), "{text}");
    assert!(!all_well, "the broken query is a problem:\n{text}");
}

/// The live demo's history (scripts/live-demo) with the demo's queries: checkout burns
/// its budget since a deployment 40 minutes ago (0.4% errors against a 0.1% budget →
/// burn 4), payments is calm (0.02% → burn 0.2), and the windows are live right now.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_demo_history_drives_the_demo_services() {
    let now = Utc::now();
    let Some(server) = start_prometheus("demo", &demo_openmetrics(now, 30)).await else {
        return;
    };
    let prom = PrometheusConfig {
        url: server.url.clone(),
        ..Default::default()
    };
    let services = vec![configured("checkout", 0.999), configured("payments", 0.999)];
    let source = Arc::new(PrometheusSource::new(&prom, &services).expect("source builds"));
    let fetched = source.fetch_at(now).await.expect("fetch succeeds");
    assert!(fetched.warnings.is_empty(), "{:?}", fetched.warnings);
    let checkout = ratios_of(&fetched.data, "checkout");
    // Whole errors: ~20 in a 5-minute window (±1 → ±5%), ~130 in 30 minutes (±1%).
    close_within(burn(checkout.m5, 0.999), 4.0, 0.1, "checkout burn 5m");
    close_within(burn(checkout.m30, 0.999), 4.0, 0.02, "checkout burn 30m");
    let payments = ratios_of(&fetched.data, "payments");
    // ~5 errors an hour is too few for a tight check of short windows; 3 d holds ~340.
    close_within(burn(payments.d3, 0.999), 0.2, 0.02, "payments burn 3d");
    close(burn(payments.slo_window, 0.999), 0.2, "payments burn 30d");
}
