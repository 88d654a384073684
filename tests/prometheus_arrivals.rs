//! The first live poll shows each service as soon as its own answers are in: a
//! service whose server answers at once is sent (an `Arrived` event) while another's
//! queries still wait, and the whole fetch follows with both. Later polls send only
//! the whole fetch. A past instant (`fetch_at`, reports) never sends parts.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::DateTime;
use flightdeck::config::{PrometheusConfig, ServiceConfig};
use flightdeck::event::{Event, SourceData, SourceEventKind};
use flightdeck::sources::prometheus::PrometheusSource;
use serde_json::json;
use tokio::sync::mpsc;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Answers every query at once, except those about the "slow" service, which it
/// holds for two seconds (a server reading a month of a busy service).
struct OneSlow;

impl Respond for OneSlow {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body = String::from_utf8_lossy(&request.body).to_string();
        let query = request.url.query().unwrap_or_default().to_string() + &body;
        let answer = if request.url.path().ends_with("query_range") {
            json!({"status": "success", "data": {"resultType": "matrix", "result": []}})
        } else {
            json!({"status": "success", "data": {"resultType": "vector",
                "result": [{"metric": {}, "value": [1_800_000_000, "0.001"]}]}})
        };
        let template = ResponseTemplate::new(200).set_body_json(answer);
        if query.contains("slow") {
            template.set_delay(StdDuration::from_secs(2))
        } else {
            template
        }
    }
}

fn service(name: &str) -> ServiceConfig {
    // Each service its own template (no grouping), so each waits only on its own.
    toml::from_str(&format!(
        "name = \"{name}\"\nerror_ratio_query = 'sum(rate(e_{name}[{{{{window}}}}]))'\n"
    ))
    .expect("service parses")
}

fn arrived_services(ev: &Event) -> Option<Vec<String>> {
    let Event::Source(ev) = ev else { return None };
    let SourceEventKind::Arrived { data } = &ev.kind else {
        return None;
    };
    Some(
        data.iter()
            .filter_map(|d| match d {
                SourceData::Ratios { service, .. } => Some(service.clone()),
                _ => None,
            })
            .collect(),
    )
}

/// The next event; a part that never comes fails the test instead of hanging it.
async fn next(rx: &mut mpsc::Receiver<Event>) -> Event {
    tokio::time::timeout(StdDuration::from_secs(20), rx.recv())
        .await
        .expect("an Arrived event within 20 s")
        .expect("an event")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_poll_shows_each_service_as_its_answers_arrive() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(OneSlow)
        .mount(&server)
        .await;
    let config = PrometheusConfig {
        url: server.uri(),
        ..Default::default()
    };
    let (tx, mut rx) = mpsc::channel(64);
    let source = Arc::new(
        PrometheusSource::new(&config, &[service("slow"), service("fast")])
            .expect("source")
            .showing_arrivals(tx, "prometheus"),
    );
    let now = DateTime::from_timestamp(1_800_000_000, 0).expect("time");

    let polling = tokio::spawn({
        let source = Arc::clone(&source);
        async move { source.poll(now).await }
    });
    // "fast" is listed second but arrives first, while "slow" is still unanswered.
    let first = next(&mut rx).await;
    assert_eq!(arrived_services(&first), Some(vec!["fast".to_string()]));
    assert!(
        !polling.is_finished(),
        "the poll still waits for the slow service"
    );
    let second = next(&mut rx).await;
    assert_eq!(arrived_services(&second), Some(vec!["slow".to_string()]));
    let fetched = polling.await.expect("joined").expect("poll");
    let ratios = fetched
        .data
        .iter()
        .filter(|d| matches!(d, SourceData::Ratios { .. }))
        .count();
    assert_eq!(ratios, 2, "the whole fetch carries both");

    // Once everything was shown, polls send only their whole fetch; so does a past
    // instant, always.
    source.poll(now).await.expect("second poll");
    source.fetch_at(now).await.expect("fetch at");
    assert!(rx.try_recv().is_err(), "no part sent after the first poll");
}
