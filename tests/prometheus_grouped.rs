//! Services sharing a query template are asked in one grouped query per window
//! (`sum by (service) (…{service=~"a|b|…"})`), split by the service label. Against a
//! real Prometheus and a real VictoriaMetrics, loaded with the same history, every
//! figure the grouped fetch gives — the six SLI windows, the SLO window's request
//! rate, the three charts, the deploy markers — equals what asking each service
//! alone gives, to the last few ulps of float summation order; services whose
//! template cannot be grouped (another SLI, an odd name) still get their own.
//!
//! Without the servers this test FAILS (run scripts/install-test-deps), unless
//! FLIGHTDECK_SKIP_PROMETHEUS=1.

mod common;

use std::sync::Arc;

use chrono::{Duration, DurationRound, Utc};
use flightdeck::config::{PrometheusConfig, ServiceConfig};
use flightdeck::event::SourceData;
use flightdeck::model::Ts;
use flightdeck::sources::prometheus::backfill::{openmetrics, SyntheticService};
use flightdeck::sources::prometheus::plan::plan;
use flightdeck::sources::prometheus::PrometheusSource;

fn synthetic(name: &str, rpm: u64, ratio: f64, deploy_at: Ts) -> SyntheticService {
    SyntheticService {
        name: name.into(),
        requests_per_minute: Box::new(move |_| rpm),
        error_ratio: Box::new(move |t| if t > deploy_at { ratio * 3.0 } else { ratio }),
        median_latency: Box::new(move |_| 0.05 + ratio * 10.0),
        deployed: Box::new(move |t| t == deploy_at),
    }
}

/// The shared template of the README (and of the metric-truth tests).
fn configured(name: &str) -> ServiceConfig {
    let toml_text = format!(
        r#"name = "{name}"
slo_target = 0.99
slo_window_days = 3
error_ratio_query = 'sum(rate(http_requests_total{{service="{{{{service}}}}",code=~"5.."}}[{{{{window}}}}])) / sum(rate(http_requests_total{{service="{{{{service}}}}"}}[{{{{window}}}}]))'
request_rate_query = 'sum(rate(http_requests_total{{service="{{{{service}}}}"}}[{{{{window}}}}]))'
latency_p99_query = 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{{service="{{{{service}}}}"}}[{{{{window}}}}])))'
deploy_marker_query = 'sum(increase(deployments_total{{service="{{{{service}}}}"}}[{{{{window}}}}]))'
"#
    );
    toml::from_str(&toml_text).expect("service config parses")
}

fn history(end: Ts) -> String {
    let deploy = end - Duration::hours(2);
    openmetrics(
        &[
            synthetic("checkout", 1_200, 0.002, deploy),
            synthetic("cart", 600, 0.0005, deploy - Duration::hours(1)),
            synthetic("search", 3_000, 0.01, deploy),
            synthetic("gateway", 900, 0.001, deploy),
            // A handler path with a dot: grouped too, its dot matching only a dot.
            synthetic("/web/v2.api", 300, 0.004, deploy),
        ],
        end,
        4,
        8,
    )
}

fn services() -> Vec<ServiceConfig> {
    let mut own = configured("gateway");
    // Another SLI shape: cannot join the others' group, asked alone.
    own.error_ratio_query = Some(
        "sum(rate(http_requests_total{service=\"gateway\",code=~\"5..\"}[{{window}}])) / \
         sum(rate(http_requests_total{service=\"gateway\"}[{{window}}]))"
            .into(),
    );
    vec![
        configured("checkout"),
        configured("cart"),
        configured("search"),
        configured("/web/v2.api"),
        own,
        // No data at all: None in both, never 0.
        configured("absent"),
    ]
}

/// Equal data, floats within a relative 1e-9 (grouped sums add in another order).
fn assert_same(grouped: &[SourceData], alone: &[SourceData], server: &str) {
    let numbers = |data: &[SourceData]| -> (String, Vec<f64>) {
        let text = format!("{data:?}");
        let mut shape = String::new();
        let mut values = Vec::new();
        let mut number = String::new();
        for c in text.chars() {
            if c.is_ascii_digit() || c == '.' || c == 'e' || c == '-' {
                number.push(c);
                continue;
            }
            if let Ok(v) = number.parse::<f64>() {
                values.push(v);
                shape.push('#');
            } else {
                shape.push_str(&number);
            }
            number.clear();
            shape.push(c);
        }
        (shape, values)
    };
    let (shape_g, values_g) = numbers(grouped);
    let (shape_a, values_a) = numbers(alone);
    assert_eq!(
        shape_g, shape_a,
        "{server}: grouped and alone differ in shape"
    );
    assert_eq!(values_g.len(), values_a.len(), "{server}");
    for (i, (g, a)) in values_g.iter().zip(&values_a).enumerate() {
        let scale = g.abs().max(a.abs()).max(1e-12);
        assert!(
            (g - a).abs() / scale < 1e-9,
            "{server}: figure {i} grouped {g} vs alone {a}"
        );
    }
}

/// Not vacuous: the grouped fetch really asks `/web/v2.api` inside the shared queries
/// (one per window and chart for the five services of the template, gateway alone).
#[test]
fn a_handler_path_joins_the_shared_queries() {
    let services = services();
    let asks = plan(&services, Duration::seconds(300), true);
    let web = services
        .iter()
        .position(|s| s.name == "/web/v2.api")
        .expect("configured");
    let shared: Vec<_> = asks.iter().filter(|a| a.members.len() > 1).collect();
    assert!(!shared.is_empty(), "no grouped ask: {asks:#?}");
    for ask in &shared {
        assert!(ask.members.contains(&web), "{ask:#?}");
        assert!(ask.query.contains(r#"/web/v2\\.api"#), "{}", ask.query);
    }
    assert!(asks
        .iter()
        .all(|a| a.members.len() > 1 || a.members != [web]));
}

async fn grouped_equals_alone(url: &str, end: Ts, server: &str) {
    let prom = PrometheusConfig {
        url: url.to_string(),
        range_hours: 6,
        step_seconds: 300,
        ..Default::default()
    };
    let grouped = Arc::new(PrometheusSource::new(&prom, &services()).expect("source"));
    let alone = Arc::new(
        PrometheusSource::new(&prom, &services())
            .expect("source")
            .asking_each_service_alone(),
    );
    let g = grouped.fetch_at(end).await.expect("grouped fetch");
    let a = alone.fetch_at(end).await.expect("fetch alone");
    assert_eq!(g.warnings, a.warnings, "{server}");
    assert_same(&g.data, &a.data, server);
    // Not vacuous: every service with data has all six windows and three charts.
    for name in ["checkout", "cart", "search", "gateway", "/web/v2.api"] {
        let ratios = g
            .data
            .iter()
            .find_map(|d| match d {
                SourceData::Ratios { service, ratios } if service == name => Some(ratios),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{server}: no ratios for {name}"));
        for (w, v) in [
            ratios.m5,
            ratios.m30,
            ratios.h1,
            ratios.h6,
            ratios.d3,
            ratios.slo_window,
            ratios.slo_window_request_rate,
        ]
        .iter()
        .enumerate()
        {
            assert!(
                v.is_some_and(|v| v > 0.0),
                "{server}: {name} window {w}: {v:?}"
            );
        }
        let charts = g
            .data
            .iter()
            .filter(|d| matches!(d, SourceData::Series { service, .. } if service == name))
            .count();
        assert_eq!(charts, 3, "{server}: {name} charts");
    }
    let markers = g
        .data
        .iter()
        .filter(|d| matches!(d, SourceData::Annotations(a) if !a.is_empty()))
        .count();
    assert!(
        markers >= 4,
        "{server}: deploy markers of the grouped services"
    );
    let absent = g.data.iter().find_map(|d| match d {
        SourceData::Ratios { service, ratios } if service == "absent" => Some(ratios),
        _ => None,
    });
    assert_eq!(absent.and_then(|r| r.m5), None, "{server}: no data is None");
}

fn end_of_history() -> Ts {
    Utc::now()
        .duration_trunc(Duration::minutes(1))
        .expect("minute")
        - Duration::minutes(1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grouped_queries_equal_per_service_queries_on_prometheus() {
    let end = end_of_history();
    let Some(server) = common::prometheus::start_prometheus("grouped", &history(end)).await else {
        return;
    };
    grouped_equals_alone(&server.url, end, "prometheus").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grouped_queries_equal_per_service_queries_on_victoria_metrics() {
    let end = end_of_history();
    let Some(server) = common::victoria::start_victoria("grouped", &history(end)).await else {
        return;
    };
    grouped_equals_alone(&server.url, end, "victoria-metrics").await;
}
