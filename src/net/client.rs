//! The one HTTP client every source uses: timeouts, retries that are safe, a body
//! size limit, and auth failures (401/403, an HTML login page) told apart from the rest.
//!
//! Retries happen inside one call only when they are safe (idempotent reads, or what
//! surely never reached the server) and short; a longer `Retry-After` is handed up in
//! [`NetError::retry_after`] for the poller to honour.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE, RETRY_AFTER};

use super::error::{error, from_reqwest, from_status, html_page};
use super::failure::{status_refused, Delivery, NetError};
use super::retry::{parse_retry_after, RetryPolicy};
use crate::event::{SourceError, SourceErrorKind};
use crate::net::secret::Secret;

/// Answers larger than this are refused (a runaway query, or not the API at all).
pub const DEFAULT_MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// How a client connects and retries.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes.
    pub read_timeout: Duration,
    /// Longest time one attempt may take, body included.
    pub total_timeout: Duration,
    pub max_body_bytes: usize,
    pub retry: RetryPolicy,
    /// Extra CA certificates (PEM).
    pub ca_file: Option<PathBuf>,
    /// Headers sent with every request (a tenant header, for example).
    pub headers: Vec<(String, String)>,
    /// Whether the server may be reached over TLS. When false (an `http://` URL and
    /// no `ca_file`), the system's CA roots are not loaded (a few hundred KB of
    /// certificates parsed at every start for nothing) and a redirect to `https://`
    /// is refused with a message saying to configure the `https://` URL.
    pub tls: bool,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(30),
            total_timeout: Duration::from_secs(30),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            retry: RetryPolicy::default(),
            ca_file: None,
            headers: Vec::new(),
            tls: true,
        }
    }
}

/// Credentials for one request.
#[derive(Debug, Clone, Default)]
pub enum Auth {
    #[default]
    None,
    Bearer(Secret),
    Basic {
        username: String,
        password: Secret,
    },
    /// The secret in a header of its own (GitLab's `PRIVATE-TOKEN`).
    Header {
        name: String,
        value: Secret,
    },
}

/// A final answer that is neither an auth failure nor a retried-out failure: 2xx, or
/// a 4xx whose body the adapter reads (Prometheus puts its error envelope there).
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
    /// The answer's headers (pagination: GitLab's `x-next-page` and `Link`).
    pub headers: HeaderMap,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method<'a> {
    Get,
    Post,
    /// A JSON body that writes (a tracker's create or comment).
    PostJson(&'a [u8]),
}

#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    settings: Arc<HttpSettings>,
}

impl HttpClient {
    pub fn new(settings: HttpSettings) -> Result<Self, SourceError> {
        let mut headers = HeaderMap::new();
        for (name, value) in &settings.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                error(
                    SourceErrorKind::Config,
                    format!("{name:?} is not a valid header name"),
                )
            })?;
            let value = HeaderValue::from_str(value).map_err(|_| {
                error(
                    SourceErrorKind::Config,
                    format!("the value of header {name} is not valid"),
                )
            })?;
            headers.insert(name, value);
        }
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("flightdeck/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .connect_timeout(settings.connect_timeout)
            .read_timeout(settings.read_timeout)
            .timeout(settings.total_timeout);
        if !settings.tls && settings.ca_file.is_none() {
            builder = builder
                .tls_built_in_root_certs(false)
                .redirect(plain_redirects());
        }
        if let Some(path) = &settings.ca_file {
            let pem = std::fs::read(path).map_err(|e| {
                error(
                    SourceErrorKind::Config,
                    format!("cannot read ca_file {}: {e}", path.display()),
                )
            })?;
            let no_certs = || {
                error(
                    SourceErrorKind::Config,
                    format!("ca_file {} holds no valid PEM certificate", path.display()),
                )
            };
            // A file without any PEM block parses as an empty bundle, not an error.
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .ok()
                .filter(|c| !c.is_empty())
                .ok_or_else(no_certs)?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder.build().map_err(from_reqwest)?;
        Ok(HttpClient {
            client,
            settings: Arc::new(settings),
        })
    }

    pub fn settings(&self) -> &HttpSettings {
        &self.settings
    }

    /// A GET, retried on network errors, timeouts (a body that stalls included), 408,
    /// 429 and 5xx.
    pub async fn get(
        &self,
        url: &str,
        query: &[(&str, String)],
        auth: &Auth,
    ) -> Result<Response, NetError> {
        self.execute(Method::Get, url, query, auth, true).await
    }

    /// A POST with a form body. `idempotent` says whether the server treats it as a
    /// read (a PromQL query); otherwise it is retried only when it surely did not
    /// reach the server: a failed connect, or a 429.
    pub async fn post_form(
        &self,
        url: &str,
        form: &[(&str, String)],
        auth: &Auth,
        idempotent: bool,
    ) -> Result<Response, NetError> {
        self.execute(Method::Post, url, form, auth, idempotent)
            .await
    }

    /// A POST of a JSON body. A write (`idempotent` false: a create, a comment) is
    /// retried only when it surely did not reach the server (a failed connect, a
    /// 429), and its failure says whether it could have landed; a read sent as a POST
    /// (Jira's search) is retried like a GET. A 400/422 comes back as a [`Response`]
    /// for the caller to read.
    pub async fn post_json(
        &self,
        url: &str,
        body: &serde_json::Value,
        auth: &Auth,
        idempotent: bool,
    ) -> Result<Response, NetError> {
        let bytes = body.to_string().into_bytes();
        self.execute(Method::PostJson(&bytes), url, &[], auth, idempotent)
            .await
    }

    async fn execute(
        &self,
        method: Method<'_>,
        url: &str,
        params: &[(&str, String)],
        auth: &Auth,
        idempotent: bool,
    ) -> Result<Response, NetError> {
        let policy = self.settings.retry;
        let mut attempt = 1;
        loop {
            let last = attempt >= policy.max_attempts.max(1);
            let started = Instant::now();
            let request = match method {
                Method::Get => self.client.get(url).query(params),
                Method::Post => self.client.post(url).form(params),
                Method::PostJson(body) => self
                    .client
                    .post(url)
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.to_vec()),
            };
            let request = match auth {
                Auth::None => request,
                Auth::Bearer(token) => request.bearer_auth(token.expose()),
                Auth::Basic { username, password } => {
                    request.basic_auth(username, Some(password.expose()))
                }
                Auth::Header { name, value } => request.header(name.as_str(), value.expose()),
            };
            let response = match request.send().await {
                Ok(r) => r,
                Err(e) => {
                    let safe = idempotent || e.is_connect();
                    if safe && !last && (e.is_connect() || e.is_timeout() || e.is_request()) {
                        tokio::time::sleep(policy.backoff(attempt)).await;
                        attempt += 1;
                        continue;
                    }
                    // A connection never made carried nothing to the server.
                    let delivery = if e.is_connect() {
                        Delivery::NotApplied
                    } else {
                        Delivery::MaybeApplied
                    };
                    return Err(
                        NetError::from(self.transport_error(e, started, false, attempt))
                            .with_delivery(delivery),
                    );
                }
            };
            let status = response.status().as_u16();
            let hint = is_retryable(status)
                .then(|| response.headers().get(RETRY_AFTER))
                .flatten()
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, SystemTime::now()));
            if is_retryable(status) && (idempotent || status == 429) && !last {
                // A hint longer than we wait inside one fetch is surfaced below, and
                // the poller waits for it.
                let delay = match hint {
                    Some(h) => policy.after_hint(h),
                    None => Some(policy.backoff(attempt)),
                };
                if let Some(delay) = delay {
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                    continue;
                }
            }
            match self.finish(status, response, auth).await {
                Ok(r) => return Ok(r),
                // The answer began but its body broke off or stalled: for a read that
                // is a transient failure like a timeout, and safe to ask again.
                Err(Failure::Body(e)) if idempotent && !last && retryable_body_error(&e) => {
                    tokio::time::sleep(policy.backoff(attempt)).await;
                    attempt += 1;
                }
                Err(Failure::Body(e)) => {
                    // The status line arrived: the server took the request.
                    return Err(
                        NetError::from(self.transport_error(e, started, true, attempt))
                            .with_delivery(Delivery::MaybeApplied),
                    );
                }
                Err(Failure::Final(mut e, delivery)) => {
                    if let Some(h) = hint {
                        e.message.push_str(&format!(
                            "; the server asked to wait {}, and the next attempt waits for that",
                            human(h)
                        ));
                    } else if attempt > 1 {
                        e.message.push_str(&format!(" ({attempt} attempts)"));
                    }
                    return Err(NetError::from(e)
                        .with_retry_after(hint)
                        .with_delivery(delivery));
                }
            }
        }
    }

    /// Reads the answer and decides what it is. A body that fails in transit is
    /// returned as [`Failure::Body`] so the caller can retry it.
    async fn finish(
        &self,
        status: u16,
        response: reqwest::Response,
        auth: &Auth,
    ) -> Result<Response, Failure> {
        let is_html = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.to_ascii_lowercase().contains("text/html"));
        let secrets = auth.secrets();
        let headers = response.headers().clone();
        let api_answer = (200..300).contains(&status) || matches!(status, 400 | 422);
        if !api_answer {
            // Only an excerpt of an error body is quoted; the rest is not read.
            let body = read_prefix(response, ERROR_BODY_BYTES).await;
            // A refusal (4xx, a login page in its place) did nothing; a 5xx, even a
            // proxy's HTML error page, may have cut off a server that went on.
            let delivery = if status_refused(status) {
                Delivery::NotApplied
            } else {
                Delivery::MaybeApplied
            };
            let error = if is_html || looks_like_html(&body) {
                html_page(status, &body, &secrets)
            } else {
                from_status(status, &body, &secrets)
            };
            return Err(Failure::Final(error, delivery));
        }
        let body = read_limited(response, self.settings.max_body_bytes).await?;
        // A login page in place of the API's answer: the API never saw the request.
        if is_html || looks_like_html(&body) {
            return Err(Failure::refused(html_page(status, &body, &secrets)));
        }
        Ok(Response {
            status,
            body,
            headers,
        })
    }

    /// A transport failure in words that name the setting to change: which of the
    /// three timeouts ran out is told by the phase and the time the attempt took.
    fn transport_error(
        &self,
        e: reqwest::Error,
        started: Instant,
        in_body: bool,
        attempts: u32,
    ) -> SourceError {
        if !e.is_timeout() {
            let mut err = from_reqwest(e);
            if attempts > 1 {
                err.message.push_str(&format!(" ({attempts} attempts)"));
            }
            return err;
        }
        let s = &*self.settings;
        let elapsed = started.elapsed();
        let (what, setting) = if e.is_connect() {
            (
                format!("no connection within {}", human(s.connect_timeout)),
                "connect_timeout_seconds",
            )
        } else if elapsed + TIMEOUT_SLACK >= s.total_timeout {
            let setting = if s.read_timeout >= s.total_timeout {
                "timeout_seconds (and read_timeout_seconds)"
            } else {
                "timeout_seconds"
            };
            (
                format!(
                    "the whole answer did not arrive within {}",
                    human(s.total_timeout)
                ),
                setting,
            )
        } else if in_body {
            (
                format!(
                    "the answer stalled mid-way: no bytes for {}",
                    human(s.read_timeout)
                ),
                "read_timeout_seconds",
            )
        } else {
            (
                format!("no answer for {}", human(s.read_timeout)),
                "read_timeout_seconds",
            )
        };
        let tries = if attempts > 1 {
            format!(" ({attempts} attempts)")
        } else {
            String::new()
        };
        error(
            SourceErrorKind::Timeout,
            format!("{what}{tries}; raise {setting} or check the server's load"),
        )
    }
}

/// Why [`HttpClient::finish`] did not produce a response.
enum Failure {
    /// The body broke off or stalled in transit.
    Body(reqwest::Error),
    /// A final answer: too big, an auth failure, an HTML page, an error status; and
    /// whether the request could have taken effect.
    Final(SourceError, Delivery),
}

impl Failure {
    fn refused(e: SourceError) -> Self {
        Failure::Final(e, Delivery::NotApplied)
    }
}

/// A failure found after the server accepted the request (an answer too big to read):
/// whatever was asked may have been done.
impl From<SourceError> for Failure {
    fn from(e: SourceError) -> Self {
        Failure::Final(e, Delivery::MaybeApplied)
    }
}

/// How much of an error answer is read for its quote.
const ERROR_BODY_BYTES: usize = 64 * 1024;

/// A timeout that fired this close to the total limit is taken for the total limit.
const TIMEOUT_SLACK: Duration = Duration::from_millis(100);

impl Auth {
    /// The secret strings of these credentials, to be kept out of every message.
    fn secrets(&self) -> Vec<&str> {
        match self {
            Auth::None => Vec::new(),
            Auth::Bearer(token) => vec![token.expose()],
            Auth::Basic { password, .. } => vec![password.expose()],
            Auth::Header { value, .. } => vec![value.expose()],
        }
    }
}

fn is_retryable(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

fn retryable_body_error(e: &reqwest::Error) -> bool {
    e.is_timeout() || e.is_body() || e.is_decode()
}

/// `1.5 s`, `200 ms`, `2 min`: a duration for a message.
fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms % 1_000 == 0 {
        format!("{} s", ms / 1_000)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// `32 MiB`, `16 KiB`, `900 bytes`.
fn bytes(n: usize) -> String {
    if n >= 1024 * 1024 && n % (1024 * 1024) == 0 {
        format!("{} MiB", n / (1024 * 1024))
    } else if n >= 1024 {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

fn looks_like_html(body: &[u8]) -> bool {
    let start: Vec<u8> = body
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(15)
        .map(u8::to_ascii_lowercase)
        .collect();
    start.starts_with(b"<!doctype html") || start.starts_with(b"<html")
}

/// The body, refused once it grows past `max` bytes — with or without a
/// Content-Length (a chunked answer is cut off as soon as it passes the limit).
async fn read_limited(mut response: reqwest::Response, max: usize) -> Result<Vec<u8>, Failure> {
    let too_big = || {
        Failure::from(error(
            SourceErrorKind::BadResponse,
            format!(
                "the answer is larger than {}; narrow the query or shorten the range",
                bytes(max)
            ),
        ))
    };
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(too_big());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Failure::Body)? {
        if body.len() + chunk.len() > max {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Up to `max` bytes of the body, for quoting; a body that fails midway gives what
/// arrived.
async fn read_prefix(mut response: reqwest::Response, max: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < max {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk[..chunk.len().min(max - body.len())]),
            _ => break,
        }
    }
    body
}

/// Redirects for a plain-`http://` client: followed (at most 10, reqwest's default)
/// unless they lead to `https://`, which this client has no CA roots for.
fn plain_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        if attempt.url().scheme() == "https" {
            attempt.error("the server redirects to https://: configure the https:// URL")
        } else if attempt.previous().len() >= 10 {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_recognised_by_its_start() {
        assert!(looks_like_html(b"  \n<!DOCTYPE html><html>"));
        assert!(looks_like_html(b"<HTML><body>Sign in"));
        assert!(!looks_like_html(br#"{"status":"success"}"#));
        assert!(!looks_like_html(b""));
    }

    #[test]
    fn a_bad_ca_file_is_a_config_error_naming_the_file() {
        let missing = HttpSettings {
            ca_file: Some(PathBuf::from("/nonexistent/flightdeck-ca.pem")),
            ..HttpSettings::default()
        };
        let e = HttpClient::new(missing).err().expect("missing file");
        assert_eq!(e.kind, SourceErrorKind::Config);
        assert!(
            e.message.contains("/nonexistent/flightdeck-ca.pem"),
            "{}",
            e.message
        );
        let path = std::env::temp_dir().join(format!("fd-ca-{}.pem", std::process::id()));
        std::fs::write(&path, "not a certificate").expect("write");
        let garbage = HttpSettings {
            ca_file: Some(path.clone()),
            ..HttpSettings::default()
        };
        let e = HttpClient::new(garbage).err().expect("not PEM");
        assert!(e.message.contains("no valid PEM"), "{}", e.message);
        let _ = std::fs::remove_file(path);
    }
}
