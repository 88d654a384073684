//! The first live poll shows each answer as it arrives (an `Arrived` event per
//! answered query, with what each of its services has so far): a service whose
//! server answers at once is shown while another's queries still wait, and with
//! grouped queries the fast windows of every service are shown while the month-long
//! window is still being read. The whole fetch follows. Later polls send only the
//! whole fetch. A past instant (`fetch_at`, reports) never sends parts.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::DateTime;
use flightdeck::config::{PrometheusConfig, ServiceConfig};
use flightdeck::event::{Event, SourceData, SourceEventKind};
use flightdeck::model::Ts;
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

/// Whether `ev` is a part showing every window of "fast".
fn fast_is_whole(ev: &Event) -> bool {
    let Event::Source(ev) = ev else { return false };
    let SourceEventKind::Arrived { data } = &ev.kind else {
        return false;
    };
    data.iter().any(|d| match d {
        SourceData::Ratios { service, ratios } if service == "fast" => {
            let r = ratios;
            [r.m5, r.m30, r.h1, r.h6, r.d3, r.slo_window]
                .iter()
                .all(Option::is_some)
        }
        _ => false,
    })
}

/// The next event; a part that never comes fails the test instead of hanging it.
async fn next(rx: &mut mpsc::Receiver<Event>) -> Event {
    tokio::time::timeout(StdDuration::from_secs(20), rx.recv())
        .await
        .expect("an Arrived event within 20 s")
        .expect("an event")
}

/// A source over a fake server answering with `responder`, its parts sent to the
/// returned receiver, and the instant both tests poll at.
async fn source_showing_parts(
    responder: impl Respond + 'static,
    services: &[ServiceConfig],
) -> (MockServer, Arc<PrometheusSource>, mpsc::Receiver<Event>, Ts) {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(responder)
        .mount(&server)
        .await;
    let config = PrometheusConfig {
        url: server.uri(),
        ..Default::default()
    };
    let (tx, rx) = mpsc::channel(64);
    let source = Arc::new(
        PrometheusSource::new(&config, services)
            .expect("source")
            .showing_arrivals(tx, "prometheus"),
    );
    let now = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
    (server, source, rx, now)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_poll_shows_each_service_as_its_answers_arrive() {
    let (_server, source, mut rx, now) =
        source_showing_parts(OneSlow, &[service("slow"), service("fast")]).await;
    let polling = tokio::spawn({
        let source = Arc::clone(&source);
        async move { source.poll(now).await }
    });
    // "fast" is listed second, but all of its windows are shown while some of
    // "slow"'s queries are still unanswered.
    let first = next(&mut rx).await;
    assert!(arrived_services(&first).is_some(), "a part");
    let mut parts = 1;
    while !fast_is_whole(&next(&mut rx).await) {
        parts += 1;
    }
    assert!(parts > 1, "one part per answered query: {parts}");
    assert!(
        !polling.is_finished(),
        "the poll still waits for the slow service"
    );
    let fetched = polling.await.expect("joined").expect("poll");
    let ratios = fetched
        .data
        .iter()
        .filter(|d| matches!(d, SourceData::Ratios { .. }))
        .count();
    assert_eq!(ratios, 2, "the whole fetch carries both");

    // Once everything was shown, polls send only their whole fetch; so does a past
    // instant, always.
    while rx.try_recv().is_ok() {} // the first poll's own parts
    source.poll(now).await.expect("second poll");
    source.fetch_at(now).await.expect("fetch at");
    assert!(rx.try_recv().is_err(), "no part sent after the first poll");
}

/// Answers every query at once with a series per service label `s`, except the
/// month-long window (the SLO window), which it holds for two seconds.
struct SlowMonth;

impl Respond for SlowMonth {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query = request.url.query().unwrap_or_default().to_string()
            + &String::from_utf8_lossy(&request.body);
        let answer = if request.url.path().ends_with("query_range") {
            json!({"status": "success", "data": {"resultType": "matrix", "result": []}})
        } else {
            let value = |s: &str| json!({"metric": {"s": s}, "value": [1_800_000_000, "0.001"]});
            json!({"status": "success", "data": {"resultType": "vector",
                "result": [value("a"), value("b")]}})
        };
        let template = ResponseTemplate::new(200).set_body_json(answer);
        if query.contains("30d") {
            template.set_delay(StdDuration::from_secs(2))
        } else {
            template
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grouped_services_show_their_fast_windows_before_the_month_is_read() {
    let shared = |name: &str| -> ServiceConfig {
        toml::from_str(&format!(
            "name = \"{name}\"\nerror_ratio_query = 'sum(rate(e{{s=\"{{{{service}}}}\"}}[{{{{window}}}}]))'\n"
        ))
        .expect("service parses")
    };
    let (_server, source, mut rx, now) =
        source_showing_parts(SlowMonth, &[shared("a"), shared("b")]).await;
    let polling = tokio::spawn({
        let source = Arc::clone(&source);
        async move { source.poll(now).await }
    });
    // Both services in every part (one grouped query answers for both); the 5-minute
    // window is shown while the month's query still waits.
    let mut shown_m5 = false;
    while !shown_m5 {
        let ev = next(&mut rx).await;
        assert_eq!(
            arrived_services(&ev),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        let Event::Source(ev) = ev else {
            unreachable!()
        };
        let SourceEventKind::Arrived { data } = ev.kind else {
            unreachable!()
        };
        for d in &data {
            if let SourceData::Ratios { ratios, .. } = d {
                assert_eq!(ratios.slo_window, None, "the month is not read yet");
                shown_m5 |= ratios.m5 == Some(0.001);
            }
        }
    }
    assert!(!polling.is_finished(), "the poll still waits for the month");
    let fetched = polling.await.expect("joined").expect("poll");
    for d in &fetched.data {
        if let SourceData::Ratios { ratios, .. } = d {
            assert_eq!(
                ratios.slo_window,
                Some(0.001),
                "the whole fetch has the month"
            );
        }
    }
}
