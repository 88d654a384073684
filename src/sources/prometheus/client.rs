//! Calls to one PromQL endpoint (Prometheus, Thanos, Mimir, VictoriaMetrics): instant
//! and range queries and build info, over the shared HTTP layer.

use std::time::Duration as StdDuration;

use chrono::Duration;

use super::api::{parse, Answer, BuildInfo, QueryData};
use super::query::{api_time, clamp_step};
use crate::config::PrometheusConfig;
use crate::event::SourceError;
use crate::model::Ts;
use crate::sources::http::{Auth, HttpClient, HttpSettings};

/// Queries longer than this go in a POST form body: URLs have length limits in
/// proxies, and a query is a read, so the POST is still safe to retry.
const LONG_QUERY_BYTES: usize = 1_024;

#[derive(Clone)]
pub struct PromClient {
    http: HttpClient,
    /// `url` + `path_prefix` + `/api/v1`.
    api: String,
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
            ..HttpSettings::default()
        };
        Ok(Self::with_http(
            HttpClient::new(settings)?,
            &config.url,
            &config.path_prefix,
        ))
    }

    pub fn with_http(http: HttpClient, url: &str, path_prefix: &str) -> Self {
        PromClient {
            http,
            api: format!("{}{}/api/v1", url.trim_end_matches('/'), path_prefix),
        }
    }

    async fn call(
        &self,
        endpoint: &str,
        params: &[(&str, String)],
        auth: &Auth,
    ) -> Result<Answer<QueryData>, SourceError> {
        let url = format!("{}/{endpoint}", self.api);
        let long = params.iter().map(|(_, v)| v.len()).sum::<usize>() > LONG_QUERY_BYTES;
        let response = if long {
            self.http.post_form(&url, params, auth, true).await?
        } else {
            self.http.get(&url, params, auth).await?
        };
        parse(response.status, &response.body)
    }

    /// An instant query evaluated at `at`.
    pub async fn instant(
        &self,
        query: &str,
        at: Ts,
        auth: &Auth,
    ) -> Result<Answer<QueryData>, SourceError> {
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
    ) -> Result<Answer<QueryData>, SourceError> {
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
    pub async fn build_info(&self, auth: &Auth) -> Result<String, SourceError> {
        let url = format!("{}/status/buildinfo", self.api);
        let response = self.http.get(&url, &[], auth).await?;
        let answer: Answer<BuildInfo> = parse(response.status, &response.body)?;
        Ok(answer.data.version)
    }
}
