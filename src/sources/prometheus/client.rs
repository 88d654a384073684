//! Calls to one PromQL endpoint (Prometheus, Thanos, Mimir, VictoriaMetrics): instant
//! and range queries and build info, over the shared HTTP layer.

use std::time::Duration as StdDuration;

use chrono::Duration;

use super::api::{parse, Answer, BuildInfo, QueryData};
use crate::model::outside::OutsideText;

/// Longest server version shown.
const VERSION_CHARS: usize = 64;
use super::query::{api_time, clamp_step};
use crate::config::PrometheusConfig;
use crate::event::{SourceError, SourceErrorKind};
use crate::model::Ts;
use crate::net::{Auth, HttpClient, HttpSettings};
use crate::sources::FetchError;

/// Queries longer than this go in a POST form body: URLs have length limits in
/// proxies, and a query is a read, so the POST is still safe to retry.
const LONG_QUERY_BYTES: usize = 1_024;

#[derive(Clone)]
pub struct PromClient {
    http: HttpClient,
    /// `url` + `path_prefix` + `/api/v1`.
    api: String,
    /// Whether a tenant (`X-Scope-OrgID`) is sent: without one, an auth failure that
    /// speaks of an org id or tenant says to set `tenant`.
    has_tenant: bool,
}

impl PromClient {
    pub fn new(config: &PrometheusConfig) -> Result<Self, SourceError> {
        let mut headers = Vec::new();
        if let Some(tenant) = &config.tenant {
            headers.push((config.tenant_header.clone(), tenant.clone()));
        }
        let settings = HttpSettings {
            connect_timeout: StdDuration::from_secs(config.connect_timeout_seconds),
            read_timeout: StdDuration::from_secs(config.read_timeout_seconds),
            total_timeout: StdDuration::from_secs(config.timeout_seconds),
            ca_file: config.ca_file.clone(),
            headers,
            tls: !config
                .url
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("http://"),
            ..HttpSettings::default()
        };
        let mut client =
            Self::with_http(HttpClient::new(settings)?, &config.url, &config.path_prefix);
        client.has_tenant = config.tenant.is_some();
        Ok(client)
    }

    pub fn with_http(http: HttpClient, url: &str, path_prefix: &str) -> Self {
        PromClient {
            http,
            api: format!("{}{}/api/v1", url.trim_end_matches('/'), path_prefix),
            has_tenant: false,
        }
    }

    /// Mimir (and Cortex, Loki) answer a request without a tenant with 401 "no org id".
    fn explain(&self, mut e: FetchError) -> FetchError {
        let text = e.message.to_ascii_lowercase();
        let about_tenant = ["org id", "orgid", "org_id", "tenant"]
            .iter()
            .any(|w| text.contains(w));
        if e.kind == SourceErrorKind::Auth && !self.has_tenant && about_tenant {
            e.error.message.push_str(
                "; no tenant is configured: set `tenant` under [prometheus] \
                 (sent as X-Scope-OrgID, which Grafana Mimir requires)",
            );
        }
        e
    }

    async fn call(
        &self,
        endpoint: &str,
        params: &[(&str, String)],
        auth: &Auth,
    ) -> Result<Answer<QueryData>, FetchError> {
        let url = format!("{}/{endpoint}", self.api);
        let long = params.iter().map(|(_, v)| v.len()).sum::<usize>() > LONG_QUERY_BYTES;
        let response = if long {
            self.http.post_form(&url, params, auth, true).await
        } else {
            self.http.get(&url, params, auth).await
        };
        let response = response.map_err(|e| self.explain(e))?;
        Ok(parse(response.status, &response.body)?)
    }

    /// An instant query evaluated at `at`.
    pub async fn instant(
        &self,
        query: &str,
        at: Ts,
        auth: &Auth,
    ) -> Result<Answer<QueryData>, FetchError> {
        let params = [("query", query.to_string()), ("time", api_time(at))];
        self.call("query", &params, auth).await
    }

    /// A range query over `[start, end]`; the step is clamped to the 11,000-point limit.
    pub async fn range(
        &self,
        query: &str,
        start: Ts,
        end: Ts,
        step: Duration,
        auth: &Auth,
    ) -> Result<Answer<QueryData>, FetchError> {
        let step = clamp_step(end - start, step);
        let params = [
            ("query", query.to_string()),
            ("start", api_time(start)),
            ("end", api_time(end)),
            ("step", step.num_seconds().to_string()),
        ];
        self.call("query_range", &params, auth).await
    }

    /// The server's version, for display only (Thanos and VictoriaMetrics report
    /// their own or a stub).
    pub async fn build_info(&self, auth: &Auth) -> Result<OutsideText, FetchError> {
        let url = format!("{}/status/buildinfo", self.api);
        let response = self
            .http
            .get(&url, &[], auth)
            .await
            .map_err(|e| self.explain(e))?;
        let answer: Answer<BuildInfo> = parse(response.status, &response.body)?;
        // A version is a short word; anything longer is cut, not printed whole.
        Ok(OutsideText::with_limit(&answer.data.version, VERSION_CHARS))
    }
}
