//! The one HTTP client every source uses: timeouts, retries that are safe, a body
//! size limit, and auth failures (401/403, an HTML login page) told apart from the rest.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE, RETRY_AFTER};

use super::error::{error, from_reqwest, from_status, html_page};
use super::retry::{parse_retry_after, RetryPolicy};
use crate::event::{SourceError, SourceErrorKind};
use crate::sources::secret::Secret;

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
}

/// A final answer that is neither an auth failure nor a retried-out failure: 2xx, or
/// a 4xx whose body the adapter reads (Prometheus puts its error envelope there).
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
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

    /// A GET, retried on network errors, timeouts, 408, 429 and 5xx.
    pub async fn get(
        &self,
        url: &str,
        query: &[(&str, String)],
        auth: &Auth,
    ) -> Result<Response, SourceError> {
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
    ) -> Result<Response, SourceError> {
        self.execute(Method::Post, url, form, auth, idempotent)
            .await
    }

    async fn execute(
        &self,
        method: Method,
        url: &str,
        params: &[(&str, String)],
        auth: &Auth,
        idempotent: bool,
    ) -> Result<Response, SourceError> {
        let policy = self.settings.retry;
        let mut attempt = 1;
        loop {
            let last = attempt >= policy.max_attempts.max(1);
            let request = match method {
                Method::Get => self.client.get(url).query(params),
                Method::Post => self.client.post(url).form(params),
            };
            let request = match auth {
                Auth::None => request,
                Auth::Bearer(token) => request.bearer_auth(token.expose()),
                Auth::Basic { username, password } => {
                    request.basic_auth(username, Some(password.expose()))
                }
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
                    return Err(from_reqwest(e));
                }
            };
            let status = response.status().as_u16();
            if is_retryable(status) && (idempotent || status == 429) && !last {
                let hint = response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, SystemTime::now()));
                let delay = match hint {
                    Some(h) => match policy.after_hint(h) {
                        Some(d) => d,
                        None => {
                            return Err(error(
                                kind_of(status),
                                format!(
                                "the server asked to wait {} s (HTTP {status}); trying again later",
                                h.as_secs()
                            ),
                            ))
                        }
                    },
                    None => policy.backoff(attempt),
                };
                tokio::time::sleep(delay).await;
                attempt += 1;
                continue;
            }
            return self.finish(status, response).await;
        }
    }

    async fn finish(
        &self,
        status: u16,
        response: reqwest::Response,
    ) -> Result<Response, SourceError> {
        let is_html = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.to_ascii_lowercase().contains("text/html"));
        if matches!(status, 401 | 403) {
            return Err(from_status(status, b""));
        }
        let body = read_limited(response, self.settings.max_body_bytes).await?;
        if (200..300).contains(&status) && (is_html || looks_like_html(&body)) {
            return Err(html_page());
        }
        match status {
            200..=299 | 400 | 422 => Ok(Response { status, body }),
            _ => Err(from_status(status, &body)),
        }
    }
}

fn is_retryable(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

fn kind_of(status: u16) -> SourceErrorKind {
    if status == 429 {
        SourceErrorKind::RateLimited
    } else {
        SourceErrorKind::Server
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

async fn read_limited(mut response: reqwest::Response, max: usize) -> Result<Vec<u8>, SourceError> {
    let too_big = || {
        error(
            SourceErrorKind::BadResponse,
            format!(
                "the answer is larger than {} MiB; narrow the query or shorten the range",
                max / (1024 * 1024)
            ),
        )
    };
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(too_big());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(from_reqwest)? {
        if body.len() + chunk.len() > max {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
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
