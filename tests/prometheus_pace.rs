//! A live poll asks Prometheus only what can have changed, and shows exactly what a
//! full fetch at the same instant shows. The fake server answers every query as a
//! pure function of its text and evaluation time (ranges point by point), so a chart
//! merged from tails must equal the chart asked whole, point for point; instant
//! answers depend on the text only, so a kept window equals a fresh one.

use std::sync::Arc;

use chrono::{DateTime, Duration};
use flightdeck::config::{PrometheusConfig, ServiceConfig};
use flightdeck::model::Ts;
use flightdeck::sources::prometheus::PrometheusSource;
use serde_json::json;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const SERVICES: [&str; 3] = ["checkout", "cart", "search"];
/// Queries per full fetch, whatever the number of services (they share one template,
/// so each is asked once for all, grouped by service): six windows, the SLO window's
/// request rate, three charts and the deploy markers.
const QUERIES_PER_FETCH: usize = 11;
const STEP: i64 = 60;

struct PureProm;

fn text_value(query: &str) -> f64 {
    query.bytes().map(u64::from).sum::<u64>() as f64 / 10_000.0
}

/// A chart point: varies with time and query, and is sometimes zero (no marker).
fn point_value(query: &str, t: i64) -> f64 {
    ((t / STEP + query.len() as i64) % 5) as f64
}

impl Respond for PureProm {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let param = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let query = param("query");
        let num = |name: &str| param(name).parse::<f64>().expect(name) as i64;
        // A grouped query (`s=~"a|b|c"`) answers one series per service, labelled
        // with it and valued by the text and the service, as a real server would.
        let members = grouped_members(&query);
        let body = if request.url.path().ends_with("query_range") {
            let (start, end, step) = (num("start"), num("end"), num("step"));
            assert_eq!(step, STEP, "a tail is asked at the whole range's step");
            let series = |who: &str| {
                let text = format!("{query}{who}");
                let values: Vec<_> = (start..=end)
                    .step_by(step as usize)
                    .map(|t| json!([t, point_value(&text, t).to_string()]))
                    .collect();
                json!({"metric": {"version": "v1", "s": who}, "values": values})
            };
            let result: Vec<_> = members.iter().map(|m| series(m)).collect();
            json!({"status": "success", "data": {"resultType": "matrix", "result": result}})
        } else {
            let sample = |who: &str| {
                let value = text_value(&format!("{query}{who}")).to_string();
                json!({"metric": {"s": who}, "value": [num("time"), value]})
            };
            let result: Vec<_> = members.iter().map(|m| sample(m)).collect();
            json!({"status": "success", "data": {"resultType": "vector", "result": result}})
        };
        ResponseTemplate::new(200).set_body_json(body)
    }
}

/// The services a grouped query names (`s=~"a|b"`), or one unnamed for any other.
fn grouped_members(query: &str) -> Vec<String> {
    match query.split_once("s=~\"") {
        Some((_, rest)) => rest
            .split('"')
            .next()
            .unwrap_or_default()
            .split('|')
            .map(String::from)
            .collect(),
        None => vec![String::new()],
    }
}

fn service(name: &str) -> ServiceConfig {
    let toml_text = format!(
        r#"name = "{name}"
error_ratio_query = 'sum(rate(e{{s="{{{{service}}}}"}}[{{{{window}}}}])) / sum(rate(t{{s="{{{{service}}}}"}}[{{{{window}}}}]))'
request_rate_query = 'sum(rate(t{{s="{{{{service}}}}"}}[{{{{window}}}}]))'
latency_p99_query = 'histogram_quantile(0.99, sum by (le) (rate(b{{s="{{{{service}}}}"}}[{{{{window}}}}])))'
deploy_marker_query = 'sum by (version) (increase(d{{s="{{{{service}}}}"}}[{{{{window}}}}]))'
"#
    );
    toml::from_str(&toml_text).expect("service config parses")
}

async fn source() -> (MockServer, Arc<PrometheusSource>) {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(PureProm)
        .mount(&server)
        .await;
    let config = PrometheusConfig {
        url: server.uri(),
        range_hours: 1,
        step_seconds: STEP as u64,
        ..Default::default()
    };
    let services: Vec<ServiceConfig> = SERVICES.iter().map(|s| service(s)).collect();
    let source = PrometheusSource::new(&config, &services).expect("source");
    (server, Arc::new(source))
}

/// The most requests `polls` live polls one second apart may make: the 5 m and 30 m
/// windows every poll, each slower window once per its pace, each chart whole once
/// then one tail per step the range's end crosses.
fn paced_bound(polls: i64) -> usize {
    let per = |pace: i64| polls / pace + 1;
    let instants = 2 * polls + per(29) + per(119) + 3 * per(599);
    let ranges = 4 * (1 + polls / STEP + 1);
    (instants + ranges) as usize
}

#[tokio::test]
async fn a_live_poll_asks_at_each_windows_pace_and_shows_what_a_full_fetch_shows() {
    let (live_server, live) = source().await;
    let (full_server, full) = source().await;
    // Not aligned to the step, so the range's end crosses steps mid-run.
    let base: Ts = DateTime::from_timestamp(1_800_000_017, 0).expect("time");
    let polls = 200;
    for i in 0..polls {
        let now = base + Duration::seconds(i);
        let polled = live.poll(now).await.expect("poll");
        let fetched = full.fetch_at(now).await.expect("fetch");
        assert_eq!(
            format!("{:?}", polled.data),
            format!("{:?}", fetched.data),
            "poll {i}: what a poll shows differs from a full fetch"
        );
        assert_eq!(polled.warnings, fetched.warnings, "poll {i}");
    }
    let asked_live = live_server.received_requests().await.expect("log").len();
    let asked_full = full_server.received_requests().await.expect("log").len();
    // A past instant (fetch_at) still asks everything, every time.
    assert_eq!(asked_full, polls as usize * QUERIES_PER_FETCH);
    let bound = paced_bound(polls);
    assert!(
        asked_live <= bound,
        "{asked_live} requests over {polls} polls, at most {bound} expected"
    );
    eprintln!(
        "requests over {polls} polls at 1 s, 3 services: live {asked_live}, full {asked_full}"
    );
}
