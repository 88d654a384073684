//! The HTTP layer and the Prometheus client against an in-process fake (wiremock):
//! Retry-After honoured, 5xx retried then surfaced, POST not retried, a timeout, an
//! HTML login page, 401, malformed JSON, a huge body, no URL in errors, and the path
//! prefix, tenant header and bearer token actually sent.

use std::time::{Duration, Instant};

use chrono::Utc;
use flightdeck::config::{AuthKind, PrometheusConfig};
use flightdeck::event::SourceErrorKind;
use flightdeck::sources::http::{Auth, HttpClient, HttpSettings, RetryPolicy};
use flightdeck::sources::prometheus::api::QueryData;
use flightdeck::sources::prometheus::PrometheusSource;
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const EMPTY_VECTOR: &str = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;

fn quick(max_attempts: u32) -> HttpSettings {
    HttpSettings {
        total_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(5),
        },
        ..HttpSettings::default()
    }
}

fn client(settings: HttpSettings) -> HttpClient {
    HttpClient::new(settings).expect("client builds")
}

#[tokio::test]
async fn retry_after_is_honoured_then_the_answer_is_returned() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .expect(1)
        .mount(&server)
        .await;
    let started = Instant::now();
    let r = client(quick(3))
        .get(&format!("{}/x", server.uri()), &[], &Auth::None)
        .await
        .expect("second attempt succeeds");
    assert_eq!(r.status, 200);
    // Jitter is added above the server's delay, never below it.
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_retry_after_beyond_our_patience_is_surfaced_at_once() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
        .expect(1)
        .mount(&server)
        .await;
    let e = client(quick(3))
        .get(&format!("{}/x", server.uri()), &[], &Auth::None)
        .await
        .expect_err("rate limited");
    assert_eq!(e.kind, SourceErrorKind::RateLimited);
    assert!(e.message.contains("3600 s"), "{}", e.message);
}

#[tokio::test]
async fn server_errors_are_retried_then_surfaced_with_the_servers_words() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(503).set_body_string(
            r#"{"status":"error","errorType":"unavailable","error":"storage is warming up"}"#,
        ))
        .expect(3)
        .mount(&server)
        .await;
    let e = client(quick(3))
        .get(&format!("{}/x", server.uri()), &[], &Auth::None)
        .await
        .expect_err("503 every time");
    assert_eq!(e.kind, SourceErrorKind::Server);
    assert!(
        e.message.contains("HTTP 503") && e.message.contains("storage is warming up"),
        "{}",
        e.message
    );
}

#[tokio::test]
async fn a_non_idempotent_post_is_not_retried_on_a_server_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502))
        .expect(1)
        .mount(&server)
        .await;
    let e = client(quick(3))
        .post_form(
            &format!("{}/create", server.uri()),
            &[("a", "1".into())],
            &Auth::None,
            false,
        )
        .await
        .expect_err("502");
    assert_eq!(e.kind, SourceErrorKind::Server);
}

#[tokio::test]
async fn a_slow_server_is_a_timeout() {
    let server = MockServer::start().await;
    Mock::given(path("/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let settings = HttpSettings {
        total_timeout: Duration::from_millis(200),
        ..quick(1)
    };
    let e = client(settings)
        .get(&format!("{}/slow", server.uri()), &[], &Auth::None)
        .await
        .expect_err("too slow");
    assert_eq!(e.kind, SourceErrorKind::Timeout);
}

#[tokio::test]
async fn a_login_page_or_401_is_an_auth_error() {
    let server = MockServer::start().await;
    Mock::given(path("/sso"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/html; charset=utf-8")
                .set_body_string("<!DOCTYPE html><title>Sign in</title>"),
        )
        .mount(&server)
        .await;
    Mock::given(path("/denied"))
        .respond_with(
            ResponseTemplate::new(401).set_body_string("{\"message\":\"401 Unauthorized\"}"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = client(quick(3));
    let e = c
        .get(&format!("{}/sso", server.uri()), &[], &Auth::None)
        .await
        .expect_err("html");
    assert_eq!(e.kind, SourceErrorKind::Auth);
    assert!(e.message.contains("HTML page"), "{}", e.message);
    let e = c
        .get(&format!("{}/denied", server.uri()), &[], &Auth::None)
        .await
        .expect_err("401");
    assert_eq!(e.kind, SourceErrorKind::Auth);
}

#[tokio::test]
async fn a_huge_body_is_refused() {
    let server = MockServer::start().await;
    Mock::given(path("/big"))
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(64 * 1024)))
        .mount(&server)
        .await;
    let settings = HttpSettings {
        max_body_bytes: 16 * 1024,
        ..quick(1)
    };
    let e = client(settings)
        .get(&format!("{}/big", server.uri()), &[], &Auth::None)
        .await
        .expect_err("too big");
    assert_eq!(e.kind, SourceErrorKind::BadResponse);
    assert!(e.message.contains("larger than"), "{}", e.message);
}

#[tokio::test]
async fn errors_never_show_the_url() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    // Nothing listens on the port now: connection refused.
    let e = client(quick(2))
        .get(
            &format!("http://127.0.0.1:{port}/secret-path?token=s3cret"),
            &[],
            &Auth::None,
        )
        .await
        .expect_err("refused");
    assert_eq!(e.kind, SourceErrorKind::Network);
    for leak in ["secret-path", "s3cret", &port.to_string()] {
        assert!(!e.message.contains(leak), "{leak} in {}", e.message);
    }
}

fn prom_config(url: String) -> PrometheusConfig {
    PrometheusConfig {
        url,
        path_prefix: "/prometheus".into(),
        tenant: Some("team-a".into()),
        auth: AuthKind::Bearer,
        token_cmd: Some("echo tok3n".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn prefix_tenant_and_token_are_sent_and_long_queries_are_posted() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/prometheus/api/v1/query"))
        .and(header("X-Scope-OrgID", "team-a"))
        .and(header("Authorization", "Bearer tok3n"))
        .and(query_param("query", "up"))
        .respond_with(ResponseTemplate::new(200).set_body_string(EMPTY_VECTOR))
        .expect(1)
        .mount(&server)
        .await;
    let long = format!("sum(up{{job=~\"{}\"}})", "a|".repeat(1_000));
    Mock::given(method("POST"))
        .and(path("/prometheus/api/v1/query"))
        .and(header("X-Scope-OrgID", "team-a"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string_contains("query=sum%28up"))
        .respond_with(ResponseTemplate::new(200).set_body_string(EMPTY_VECTOR))
        .expect(1)
        .mount(&server)
        .await;
    let source = PrometheusSource::new(&prom_config(server.uri()), &[]).expect("source");
    let auth = source.auth().await.expect("token_cmd runs");
    let short = source
        .client()
        .instant("up", Utc::now(), &auth)
        .await
        .expect("GET works");
    assert!(matches!(short.data, QueryData::Vector(ref v) if v.is_empty()));
    source
        .client()
        .instant(&long, Utc::now(), &auth)
        .await
        .expect("POST works");
}

#[tokio::test]
async fn malformed_json_and_rejected_queries_are_told_apart() {
    let server = MockServer::start().await;
    Mock::given(query_param("query", "garbled"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"status\":\"succ"))
        .mount(&server)
        .await;
    Mock::given(query_param("query", "sum("))
        .respond_with(ResponseTemplate::new(400).set_body_string(
            r#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unclosed left parenthesis"}"#,
        ))
        .mount(&server)
        .await;
    let mut config = prom_config(server.uri());
    config.path_prefix = String::new();
    let source = PrometheusSource::new(&config, &[]).expect("source");
    let auth = source.auth().await.expect("auth");
    let e = source
        .client()
        .instant("garbled", Utc::now(), &auth)
        .await
        .expect_err("malformed");
    assert_eq!(e.kind, SourceErrorKind::BadResponse);
    let e = source
        .client()
        .instant("sum(", Utc::now(), &auth)
        .await
        .expect_err("rejected");
    assert_eq!(e.kind, SourceErrorKind::Query);
    assert!(
        e.message.starts_with("bad_data: 1:5: parse error"),
        "{}",
        e.message
    );
}
