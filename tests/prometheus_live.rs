//! Against a real Prometheus (Debian's 2.42) on a free loopback port, with 31 days of
//! history backfilled by promtool whose error ratios are known by construction: the
//! fetched ratios go through the real engine (event → app → derive, as the cockpit
//! does it), and the burn rates, remaining budget, policy and firing alerts it
//! derives are checked against hand-computed values; also the charts, the deploy
//! markers, a rejected query, and `doctor`.
//!
//! Without `prometheus`/`promtool` this test FAILS (run scripts/install-test-deps),
//! unless FLIGHTDECK_SKIP_PROMETHEUS=1, when it returns early and records the skip
//! (tests/common/skip.rs) for scripts/test's summary.

mod common;

use common::prometheus::start_prometheus;

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, DurationRound, Timelike, Utc};
use flightdeck::app::{App, View};
use flightdeck::config::{Config, ConfigSource, PrometheusConfig, ServiceConfig};
use flightdeck::event::{Event, SourceData, SourceEvent, SourceEventKind};
use flightdeck::metrics::{AlertSeverity, ErrorBudget};
use flightdeck::model::{AnnotationKind, SeriesKind, Ts, WindowRatios};
use flightdeck::net::Auth;
use flightdeck::sources::poller::Fetched;
use flightdeck::sources::poller::{spawn_poller, PollerOptions};
use flightdeck::sources::prometheus::api::QueryData;
use flightdeck::sources::prometheus::backfill::{demo_openmetrics, openmetrics, SyntheticService};
use flightdeck::sources::prometheus::PrometheusSource;

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

/// What the cockpit derives from one fetch: the fetched data applied to an app as a
/// `Fetched` event, with the services' SLOs from the config, then derived.
fn derived_budgets(
    prom: &PrometheusConfig,
    services: &[ServiceConfig],
    fetched: &Fetched,
    now: Ts,
) -> std::collections::BTreeMap<String, Option<ErrorBudget>> {
    let config = Config {
        prometheus: Some(prom.clone()),
        services: services.to_vec(),
        ..Default::default()
    };
    let view = View {
        tz: flightdeck::zone::Tz::UTC,
        demo: false,
    };
    let mut app = App::new(view, flightdeck::config::metrics_settings(&config), now);
    app.update(Event::Source(SourceEvent {
        source: "prometheus".into(),
        kind: SourceEventKind::Fetched {
            at: now,
            data: fetched.data.clone(),
            warnings: fetched.warnings.clone(),
        },
    }));
    app.refresh_derived();
    app.derived
        .services
        .iter()
        .map(|(name, d)| (name.clone(), d.budget.clone()))
        .collect()
}

fn budget<'a>(
    budgets: &'a std::collections::BTreeMap<String, Option<ErrorBudget>>,
    name: &str,
) -> &'a ErrorBudget {
    budgets
        .get(name)
        .and_then(Option::as_ref)
        .unwrap_or_else(|| panic!("no error budget derived for {name}"))
}

/// Burn rates (5m, 30m, 1h, 6h, 3d) as the engine derived them; a missing one fails.
fn burns(b: &ErrorBudget) -> [f64; 5] {
    let r = b.burn_rates;
    [r.m5, r.m30, r.h1, r.h6, r.d3].map(|v| v.expect("a burn rate"))
}

/// The firing alerts as (severity, long window, short window).
fn alerts(b: &ErrorBudget) -> Vec<(AlertSeverity, &'static str, &'static str)> {
    b.alerts
        .iter()
        .map(|a| (a.severity, a.long, a.short))
        .collect()
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
            service(
                "burning",
                1_000,
                move |t| if t > change { 0.02 } else { 0.0005 },
                None,
            ),
            service("overspent", 1_000, |_| 0.002, None),
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
        configured("burning", 0.999),
        configured("overspent", 0.999),
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

    // The mean request rate over the SLO window (what each deployment's consumed
    // budget is a share of): 1000 requests a minute.
    let rate = ratios_of(&fetched.data, "steady").slo_window_request_rate;
    close_within(
        rate.expect("a request rate over the SLO window"),
        1000.0 / 60.0,
        0.01,
        "steady request rate over 30 d",
    );
    // Asked about an instant before the change (a report `--at` a past instant), the
    // source answers as of then: spiky's last hour ran at 0.1 %.
    let before = source
        .fetch_at(change - Duration::hours(1))
        .await
        .expect("fetch as of the past");
    let then = ratios_of(&before.data, "spiky");
    close(
        then.h1.expect("1h ratio"),
        0.001,
        "spiky 1h ratio before the change",
    );

    let budgets = derived_budgets(&prom, &services, &fetched, end);
    let windows = ["5m", "30m", "1h", "6h", "3d"];
    let check = |name: &str, expected: [f64; 5]| {
        let b = budget(&budgets, name);
        for ((w, got), want) in windows.iter().zip(burns(b)).zip(expected) {
            close(got, want, &format!("{name} burn {w}"));
        }
    };

    // steady, SLO 99% (budget 1%): 2 errors in 1000 requests everywhere → 0.002,
    // burn 0.2 in every window, 80% of the budget left; normal, no alert.
    check("steady", [0.2; 5]);
    let steady = budget(&budgets, "steady");
    close(
        steady.remaining.expect("remaining"),
        0.8,
        "steady remaining",
    );
    assert_eq!(steady.policy.map(|p| p.word()), Some("normal"));
    assert_eq!(alerts(steady), []);

    // spiky, SLO 99%: 0.1% until 2 h ago, 1% since.
    //   5m, 30m, 1h: 0.01 → burn 1.0
    //   6h: (4 h · 0.001 + 2 h · 0.01) / 6 h = 0.004 → burn 0.4
    //   3d: (70 h · 0.001 + 2 h · 0.01) / 72 h = 0.00125 → burn 0.125
    //   30d: (718 h · 0.001 + 2 h · 0.01) / 720 h = 0.001025 → 89.75% left: normal.
    // Every pair stays below its threshold (14.4, 6, 1 on both windows): no alert.
    check("spiky", [1.0, 1.0, 1.0, 0.4, 0.125]);
    let spiky = budget(&budgets, "spiky");
    close(
        spiky.remaining.expect("remaining"),
        0.8975,
        "spiky remaining",
    );
    assert_eq!(spiky.policy.map(|p| p.word()), Some("normal"));
    assert_eq!(alerts(spiky), []);

    // burning, SLO 99.9% (budget 0.1%): 0.05% until 2 h ago, 2% since.
    //   5m, 30m, 1h: 0.02 → burn 20
    //   6h: (4 h · 0.0005 + 2 h · 0.02) / 6 h = 0.007 → burn 7
    //   3d: (70 h · 0.0005 + 2 h · 0.02) / 72 h = 0.00104167 → burn 1.0417
    //   30d: (718 h · 0.0005 + 2 h · 0.02) / 720 h = 0.00055417 → 44.58% left: caution.
    // Alerts: 1h & 5m ≥ 14.4 → page; 6h & 30m ≥ 6 → page; 3d & 6h ≥ 1 → ticket.
    check("burning", [20.0, 20.0, 20.0, 7.0, 1.041_667]);
    let burning = budget(&budgets, "burning");
    close(
        burning.remaining.expect("remaining"),
        0.445_833,
        "burning remaining",
    );
    assert_eq!(burning.policy.map(|p| p.word()), Some("caution"));
    assert_eq!(
        alerts(burning),
        [
            (AlertSeverity::Page, "1h", "5m"),
            (AlertSeverity::Page, "6h", "30m"),
            (AlertSeverity::Ticket, "3d", "6h"),
        ]
    );
    close(burning.alerts[1].burn, 7.0, "burning 6h/30m alert burn");

    // overspent, SLO 99.9%: 0.2% everywhere → burn 2, remaining 1 − 2 = −1 (spent
    // twice over): hard freeze. Only the ticket pair (3d & 6h ≥ 1) fires.
    check("overspent", [2.0; 5]);
    let overspent = budget(&budgets, "overspent");
    close(
        overspent.remaining.expect("remaining"),
        -1.0,
        "overspent remaining",
    );
    assert_eq!(overspent.policy.map(|p| p.word()), Some("hard freeze"));
    assert_eq!(alerts(overspent), [(AlertSeverity::Ticket, "3d", "6h")]);

    // No data is no budget, never a perfect one.
    let silent = budget(&budgets, "silent");
    assert_eq!(silent.burn_rates.m5, None);
    assert_eq!(silent.remaining, None);
    assert_eq!(silent.policy, None);
    assert_eq!(alerts(silent), []);

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
/// The deployments are all there: the bad one 40 minutes ago is a marker on the chart,
/// and the daily ones are counted over the whole 30 days.
///
/// At a fixed instant (queried as of then), so that what the 6-hour chart holds does
/// not depend on the time of day the test runs at: 16:30 puts both daily deployments
/// (14:00, 14:20) inside it, next to the bad one at 15:50.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_demo_history_drives_the_demo_services() {
    let now: Ts = "2026-11-20T16:30:17Z".parse().expect("instant");
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
    let budgets = derived_budgets(&prom, &services, &fetched, now);
    let checkout = burns(budget(&budgets, "checkout"));
    // Whole errors: ~20 in a 5-minute window (±1 → ±5%), ~130 in 30 minutes (±1%).
    close_within(checkout[0], 4.0, 0.1, "checkout burn 5m");
    close_within(checkout[1], 4.0, 0.02, "checkout burn 30m");
    let payments = budget(&budgets, "payments");
    // ~5 errors an hour is too few for a tight check of short windows; 3 d holds ~340.
    close_within(burns(payments)[4], 0.2, 0.02, "payments burn 3d");
    close(
        payments.remaining.expect("remaining"),
        0.8,
        "payments remaining",
    );
    assert_eq!(payments.policy.map(|p| p.word()), Some("normal"));

    // Markers over the chart's 6 hours: checkout's deployment 40 minutes ago, and a
    // daily one (checkout 14:00, payments 14:20 UTC) when it falls in the range.
    let minute = now.duration_trunc(Duration::minutes(1)).expect("minute");
    let (start, end) = (minute - Duration::hours(6), minute);
    let daily = |hour: u32, min: u32| -> Vec<Ts> {
        (0..2)
            .filter_map(|back| {
                let day = (minute - Duration::days(back)).date_naive();
                Some(day.and_hms_opt(hour, min, 0)?.and_utc())
            })
            .filter(|t| *t >= start && *t <= end)
            .collect()
    };
    let mut want_checkout = daily(14, 0);
    want_checkout.push(minute - Duration::minutes(40));
    want_checkout.sort();
    want_checkout.dedup();
    let markers = |name: &str| -> Vec<Ts> {
        let mut at: Vec<Ts> = fetched
            .data
            .iter()
            .filter_map(|d| match d {
                SourceData::Annotations(a) => Some(a),
                _ => None,
            })
            .flatten()
            .filter(|a| a.service.as_deref() == Some(name))
            .map(|a| a.at)
            .collect();
        at.sort();
        at
    };
    assert_eq!(markers("checkout"), want_checkout);
    assert_eq!(markers("payments"), daily(14, 20));
    let at = |hm: &str| -> Ts { format!("2026-11-20T{hm}:00Z").parse().expect("instant") };
    assert_eq!(want_checkout, [at("14:00"), at("15:50")]);
    assert_eq!(daily(14, 20), [at("14:20")]);

    // Over 30 days, every daily 14:00 deployment in the history counts, and the bad one.
    let history_start = minute + Duration::hours(2) - Duration::days(30);
    let daily_in_history = (0..=31)
        .filter_map(|back| {
            let day = (minute - Duration::days(back)).date_naive();
            Some(day.and_hms_opt(14, 0, 0)?.and_utc())
        })
        .filter(|t| *t > history_start && *t <= minute)
        .filter(|t| *t != minute - Duration::minutes(40))
        .count();
    let answer = source
        .client()
        .instant("deployments_total{service=\"checkout\"}", now, &Auth::None)
        .await
        .expect("instant query");
    let QueryData::Vector(v) = answer.data else {
        panic!("a vector")
    };
    let count = v
        .first()
        .and_then(|s| s.value.as_ref())
        .map(|p| p.value())
        .expect("a value");
    assert_eq!(
        count,
        (daily_in_history + 1) as f64,
        "{daily_in_history} daily deployments and the bad one (now {:02}:{:02})",
        minute.hour(),
        minute.minute()
    );
}
