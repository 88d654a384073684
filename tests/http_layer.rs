//! The HTTP layer and the Prometheus client against in-process fakes (wiremock, and a
//! hand-written HTTP/1.1 server for what wiremock cannot do): Retry-After honoured or
//! handed on to the poller, 5xx retried then surfaced, POST not retried, timeouts
//! naming the right setting, a body that stalls, an HTML login or proxy page, 401
//! with the server's words (and Mimir's missing tenant), malformed JSON, a huge body
//! with or without Content-Length, no URL or secret in errors, and the path prefix,
//! tenant header and bearer token actually sent.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use flightdeck::config::{AuthKind, PrometheusConfig};
use flightdeck::event::SourceErrorKind;
use flightdeck::net::{Auth, HttpClient, HttpSettings, RetryPolicy};
use flightdeck::sources::prometheus::api::QueryData;
use flightdeck::sources::prometheus::PrometheusSource;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
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

/// A server that enforces its own Retry-After, as a rate limiter does: the first
/// request gets 429 "Retry-After: 1", and any request before that second has passed
/// gets 429 again. With two attempts, only a client that waited the full hint gets the
/// answer: the test judges the behaviour the server sees, not a stopwatch (a slow
/// machine only makes the client later, never early).
#[tokio::test]
async fn retry_after_is_honoured_then_the_answer_is_returned() {
    let allowed_from: Arc<std::sync::Mutex<Option<Instant>>> = Arc::default();
    let early = Arc::new(AtomicUsize::new(0));
    let (server_allowed, server_early) = (Arc::clone(&allowed_from), Arc::clone(&early));
    let (url, requests) = raw_server(move |mut stream| {
        let (allowed_from, early) = (Arc::clone(&server_allowed), Arc::clone(&server_early));
        async move {
            let now = Instant::now();
            let refuse = {
                let mut allowed = allowed_from.lock().expect("lock");
                match *allowed {
                    // Set before the answer leaves, so the hint runs from no later than
                    // the moment the client can read it.
                    None => {
                        *allowed = Some(now + Duration::from_secs(1));
                        true
                    }
                    Some(at) if now < at => {
                        early.fetch_add(1, Ordering::SeqCst);
                        true
                    }
                    Some(_) => false,
                }
            };
            let answer: &[u8] = if refuse {
                b"HTTP/1.1 429 Too Many Requests\r\nretry-after: 1\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            } else {
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}"
            };
            let _ = stream.write_all(answer).await;
            let _ = stream.flush().await;
        }
    })
    .await;
    let r = client(quick(2))
        .get(&format!("{url}/x"), &[], &Auth::None)
        .await
        .expect("the second attempt, after the hint, succeeds");
    assert_eq!(r.status, 200);
    assert_eq!(requests.load(Ordering::SeqCst), 2);
    assert_eq!(
        early.load(Ordering::SeqCst),
        0,
        "a retry came before the hint"
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
    // Handed on, so the poller does not ask again before the server allows it.
    assert_eq!(e.retry_after, Some(Duration::from_secs(3600)));
}

#[tokio::test]
async fn a_retry_after_on_the_last_attempt_is_handed_on() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "1"))
        .expect(2)
        .mount(&server)
        .await;
    let e = client(quick(2))
        .get(&format!("{}/x", server.uri()), &[], &Auth::None)
        .await
        .expect_err("503 twice");
    assert_eq!(e.kind, SourceErrorKind::Server);
    assert_eq!(e.retry_after, Some(Duration::from_secs(1)));
}

#[tokio::test]
async fn the_prometheus_source_hands_a_long_retry_after_to_its_poller() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/query"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "120"))
        .mount(&server)
        .await;
    let services = [toml::from_str::<flightdeck::config::ServiceConfig>(
        "name = \"api\"\nerror_ratio_query = 'sum(rate(e[{{window}}]))'",
    )
    .expect("service")];
    let config = PrometheusConfig {
        url: server.uri(),
        ..Default::default()
    };
    let source = Arc::new(PrometheusSource::new(&config, &services).expect("source"));
    let e = source.fetch_at(Utc::now()).await.expect_err("rate limited");
    assert_eq!(e.kind, SourceErrorKind::RateLimited);
    assert_eq!(e.retry_after, Some(Duration::from_secs(120)));
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
        e.message.contains("HTTP 503")
            && e.message.contains("storage is warming up")
            && e.message.contains("3 attempts"),
        "{}",
        e.message
    );
    assert_eq!(e.retry_after, None);
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
    // The total limit ran out (the read timeout is 30 s): that is the one to raise.
    assert!(e.message.contains("raise timeout_seconds"), "{}", e.message);
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
    // The server's words are quoted, not thrown away.
    assert!(
        e.message.contains("the server said: \"401 Unauthorized\""),
        "{}",
        e.message
    );
}

/// Mimir without `X-Scope-OrgID` answers 401 "no org id": the message quotes it and,
/// as no tenant is configured, says to set one. A body that echoes the token or a
/// URL is quoted without them.
#[tokio::test]
async fn a_401_for_a_missing_tenant_says_to_set_tenant() {
    let server = MockServer::start().await;
    Mock::given(path("/prometheus/api/v1/query"))
        .and(header("X-Scope-OrgID", "team-a"))
        .respond_with(ResponseTemplate::new(403).set_body_string(
            "token tok3n is not allowed for tenant team-a, see https://mimir.example/docs\n(second line)",
        ))
        .mount(&server)
        .await;
    Mock::given(path("/prometheus/api/v1/query"))
        .respond_with(ResponseTemplate::new(401).set_body_string("no org id\n"))
        .mount(&server)
        .await;

    let mut config = prom_config(server.uri());
    config.tenant = None;
    let source = PrometheusSource::new(&config, &[]).expect("source");
    let auth = source.auth().await.expect("token_cmd runs");
    let e = source
        .client()
        .instant("up", Utc::now(), &auth)
        .await
        .expect_err("401");
    assert_eq!(e.kind, SourceErrorKind::Auth);
    assert!(
        e.message.contains("HTTP 401") && e.message.contains("\"no org id\""),
        "{}",
        e.message
    );
    assert!(e.message.contains("set `tenant`"), "{}", e.message);

    // With a tenant configured, a refusal is about the credentials, not the tenant.
    let source = PrometheusSource::new(&prom_config(server.uri()), &[]).expect("source");
    let auth = source.auth().await.expect("token_cmd runs");
    let e = source
        .client()
        .instant("up", Utc::now(), &auth)
        .await
        .expect_err("403");
    assert_eq!(e.kind, SourceErrorKind::Auth);
    assert!(!e.message.contains("set `tenant`"), "{}", e.message);
    assert!(
        e.message
            .contains("\"token *** is not allowed for tenant team-a, see <url>\""),
        "{}",
        e.message
    );
    for leak in ["tok3n", "mimir.example", "second line", &server.uri()] {
        assert!(!e.message.contains(leak), "{leak} in {}", e.message);
    }
}

/// A 400 is normally the API's own error envelope; an HTML 400 is a login page or a
/// proxy, and is named so instead of being quoted raw (or parsed as a query error).
#[tokio::test]
async fn an_html_400_is_named_a_login_or_proxy_page() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/query"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("content-type", "text/html")
                .set_body_string(
                    "<html><head><title>400 The plain HTTP request was sent to HTTPS port</title></head><body><center><h1>400 Bad Request</h1></center><hr><center>nginx</center></body></html>",
                ),
        )
        .mount(&server)
        .await;
    let config = PrometheusConfig {
        url: server.uri(),
        ..Default::default()
    };
    let source = PrometheusSource::new(&config, &[]).expect("source");
    let e = source
        .client()
        .instant("up", Utc::now(), &Auth::None)
        .await
        .expect_err("html");
    assert_eq!(e.kind, SourceErrorKind::BadResponse);
    assert!(
        e.message.contains("HTTP 400 came as an HTML page")
            && e.message.contains("login page or a proxy")
            && e.message
                .contains("plain HTTP request was sent to HTTPS port"),
        "{}",
        e.message
    );
    assert!(!e.message.contains('<'), "{}", e.message);
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
    assert!(e.message.contains("larger than 16 KiB"), "{}", e.message);
}

/// A tiny HTTP/1.1 server: reads each request's head, counts it, and hands the
/// connection to `respond`. For what wiremock cannot serve: a body that stalls, or
/// one that never ends.
async fn raw_server<F, Fut>(respond: F) -> (String, Arc<AtomicUsize>)
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&requests);
    let respond = Arc::new(respond);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let counter = Arc::clone(&counter);
            let respond = Arc::clone(&respond);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                counter.fetch_add(1, Ordering::SeqCst);
                respond(stream).await;
            });
        }
    });
    (url, requests)
}

/// Headers and the start of a body arrive, then nothing: the read timeout fires in
/// the middle of the body. A GET is retried like any timeout, and the message names
/// read_timeout_seconds; a POST that is not idempotent is not sent twice.
#[tokio::test]
async fn a_body_that_stalls_is_retried_and_names_the_read_timeout() {
    let (url, requests) = raw_server(|mut stream| async move {
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"status\":\"succ")
            .await;
        let _ = stream.flush().await;
        tokio::time::sleep(Duration::from_secs(60)).await;
    })
    .await;
    let settings = HttpSettings {
        read_timeout: Duration::from_millis(300),
        total_timeout: Duration::from_secs(30),
        ..quick(3)
    };
    let c = client(settings);
    let e = c
        .get(&format!("{url}/query"), &[], &Auth::None)
        .await
        .expect_err("stalls");
    assert_eq!(requests.load(Ordering::SeqCst), 3, "tried three times");
    assert_eq!(e.kind, SourceErrorKind::Timeout);
    assert!(
        e.message.contains("stalled")
            && e.message.contains("raise read_timeout_seconds")
            && e.message.contains("3 attempts"),
        "{}",
        e.message
    );

    let before = requests.load(Ordering::SeqCst);
    let e = c
        .post_form(
            &format!("{url}/create"),
            &[("a", "1".into())],
            &Auth::None,
            false,
        )
        .await
        .expect_err("stalls");
    assert_eq!(e.kind, SourceErrorKind::Timeout);
    assert_eq!(
        requests.load(Ordering::SeqCst) - before,
        1,
        "a POST is sent once"
    );
}

/// A chunked answer has no Content-Length to refuse up front; this one never ends.
/// The client stops reading once it passes the limit, instead of reading until the
/// total timeout (which would be a timeout error, not this one).
#[tokio::test]
async fn a_chunked_body_without_length_is_cut_off_at_the_limit() {
    let (url, _) = raw_server(|mut stream| async move {
        let head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
        if stream.write_all(head).await.is_err() {
            return;
        }
        let chunk = format!("400\r\n{}\r\n", "x".repeat(1024));
        while stream.write_all(chunk.as_bytes()).await.is_ok() {}
    })
    .await;
    let settings = HttpSettings {
        max_body_bytes: 16 * 1024,
        ..quick(1)
    };
    let e = client(settings)
        .get(&format!("{url}/big"), &[], &Auth::None)
        .await
        .expect_err("too big");
    assert_eq!(e.kind, SourceErrorKind::BadResponse);
    assert!(e.message.contains("larger than 16 KiB"), "{}", e.message);
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

/// Thanos answers a partial query with 200 and `warnings`: the markers are drawn, and
/// the warning reaches the fetch's warnings (and so the header) instead of vanishing.
#[tokio::test]
async fn warnings_of_the_marker_query_are_passed_on() {
    let server = MockServer::start().await;
    // A fixed instant: the marker two minutes before it is inside the chart's range
    // whatever the time of day the test runs at.
    let now: flightdeck::model::Ts = "2026-11-20T14:00:00Z".parse().expect("instant");
    let t = now.timestamp() - 120;
    Mock::given(path("/api/v1/query_range"))
        .respond_with(ResponseTemplate::new(200).set_body_string(format!(
            r#"{{"status":"success","warnings":["partial response: store eu-1 unavailable"],
               "data":{{"resultType":"matrix","result":[{{"metric":{{}},"values":[[{t},"1"]]}}]}}}}"#
        )))
        .mount(&server)
        .await;
    let services = [toml::from_str::<flightdeck::config::ServiceConfig>(
        "name = \"api\"\ndeploy_marker_query = 'sum(increase(deployments_total[{{window}}]))'",
    )
    .expect("service")];
    let config = PrometheusConfig {
        url: server.uri(),
        ..Default::default()
    };
    let source = Arc::new(PrometheusSource::new(&config, &services).expect("source"));
    let fetched = source.fetch_at(now).await.expect("fetch");
    assert_eq!(
        fetched.warnings,
        ["api: partial response: store eu-1 unavailable"]
    );
    let markers = fetched
        .data
        .iter()
        .filter(|d| matches!(d, flightdeck::event::SourceData::Annotations(a) if a.len() == 1))
        .count();
    assert_eq!(markers, 1);
}

/// What a writer needs from a failed POST: could it have landed? A refusal (4xx, a
/// login page; 400 and 422 are answers the caller reads itself) or a connection never made cannot have; a 5xx, a reset after sending
/// and a timeout waiting for the answer may have, so the writer must look first.
#[tokio::test]
async fn a_failed_post_says_whether_it_could_have_landed() {
    use flightdeck::net::Delivery;
    let server = MockServer::start().await;
    for (route, status, body, content_type) in [
        (
            "/refused",
            404,
            r#"{"errorMessages":["no project"]}"#,
            "application/json",
        ),
        ("/forbidden", 403, "{}", "application/json"),
        (
            "/login",
            200,
            "<html><title>Sign in</title></html>",
            "text/html",
        ),
        ("/broken", 502, "bad gateway", "text/plain"),
        (
            "/proxy",
            502,
            "<html><title>502 Bad Gateway</title></html>",
            "text/html",
        ),
        ("/unavailable", 503, "{}", "application/json"),
    ] {
        Mock::given(path(route))
            .respond_with(
                ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), content_type),
            )
            .mount(&server)
            .await;
    }
    let post = |url: String| async move {
        client(quick(1))
            .post_form(&url, &[("a", "1".into())], &Auth::None, false)
            .await
            .expect_err("fails")
            .delivery
    };
    for (route, expected) in [
        ("/refused", Delivery::NotApplied),
        ("/forbidden", Delivery::NotApplied),
        ("/login", Delivery::NotApplied),
        ("/broken", Delivery::MaybeApplied),
        ("/proxy", Delivery::MaybeApplied),
        ("/unavailable", Delivery::MaybeApplied),
    ] {
        assert_eq!(
            post(format!("{}{route}", server.uri())).await,
            expected,
            "{route}"
        );
    }

    // The request arrives, then the connection drops before any answer.
    let (reset_url, _) = raw_server(|stream| async move { drop(stream) }).await;
    assert_eq!(post(format!("{reset_url}/x")).await, Delivery::MaybeApplied);

    // Nobody listens: the request never left.
    let closed = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let closed_url = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    assert_eq!(post(format!("{closed_url}/x")).await, Delivery::NotApplied);
}
