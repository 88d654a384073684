//! Requests to one Jira site over the shared HTTP layer: which Jira it is (Cloud or
//! Data Center, from `serverInfo`), its credentials, and the two ways of paging a
//! search (API-NOTES §4.3): Cloud's `nextPageToken` until `isLast` (the token is
//! absent on the last page; the old `/search` answers 410) and Data Center's
//! `startAt`/`total`.

use std::collections::HashSet;
use std::time::Duration;

use serde::de::DeserializeOwned;
use tokio::sync::Mutex;

use super::api::{OffsetPage, ServerInfo, TokenPage};
use crate::config::{JiraConfig, JiraDeployment};
use crate::event::{SourceError, SourceErrorKind};
use crate::net::secret::{Secret, SecretSource};
use crate::net::{Auth, Delivery, HttpClient, HttpSettings, NetError, Response};
use crate::sources::FetchError;

/// Issues asked for per search page.
pub const PAGE_SIZE: usize = 100;
/// Pages one search may take; more is taken for a loop.
pub const MAX_PAGES: usize = 500;
/// Data Center cannot page past this (`max_result_window`).
pub const DC_WINDOW: u64 = 10_000;
/// A `nextPageToken` longer than this is not Jira's.
const MAX_TOKEN_BYTES: usize = 16 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// REST v3, ADF, accountId, email + API token as Basic.
    Cloud,
    /// REST v2, wiki markup, user names, PAT as Bearer.
    DataCenter,
}

impl Flavor {
    pub fn api_version(self) -> u8 {
        match self {
            Flavor::Cloud => 3,
            Flavor::DataCenter => 2,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Flavor::Cloud => "Cloud",
            Flavor::DataCenter => "Data Center",
        }
    }
}

/// What a search read, and why it stopped early when it did.
#[derive(Debug, Default)]
pub struct Found<T> {
    pub items: Vec<T>,
    pub pages: usize,
    pub problem: Option<SourceError>,
}

pub struct JiraClient {
    http: HttpClient,
    config: JiraConfig,
    /// The site without a trailing `/`.
    base: String,
    flavor: Mutex<Option<Flavor>>,
    /// Resolved once; forgotten after an auth failure so a rotated token is read again.
    token: Mutex<Option<Secret>>,
}

impl JiraClient {
    pub fn new(config: &JiraConfig) -> Result<Self, SourceError> {
        let settings = HttpSettings {
            total_timeout: Duration::from_secs(config.timeout_seconds),
            ca_file: config.ca_file.clone(),
            ..HttpSettings::default()
        };
        Ok(Self::with_http(HttpClient::new(settings)?, config))
    }

    pub fn with_http(http: HttpClient, config: &JiraConfig) -> Self {
        let flavor = match config.deployment {
            JiraDeployment::Auto => None,
            JiraDeployment::Cloud => Some(Flavor::Cloud),
            JiraDeployment::DataCenter => Some(Flavor::DataCenter),
        };
        JiraClient {
            http,
            config: config.clone(),
            base: config.url.trim_end_matches('/').to_string(),
            flavor: Mutex::new(flavor),
            token: Mutex::new(None),
        }
    }

    pub fn config(&self) -> &JiraConfig {
        &self.config
    }

    /// Cloud or Data Center: as configured, else asked of `serverInfo` once. The
    /// endpoint answers anonymously on both; a site that refuses that is asked
    /// again with the credentials.
    pub async fn flavor(&self) -> Result<Flavor, FetchError> {
        let mut known = self.flavor.lock().await;
        if let Some(f) = *known {
            return Ok(f);
        }
        let info = self.server_info().await?;
        let flavor = match info.deployment_type.as_deref() {
            Some(t) if t.eq_ignore_ascii_case("cloud") => Flavor::Cloud,
            _ => Flavor::DataCenter,
        };
        *known = Some(flavor);
        Ok(flavor)
    }

    /// `GET /rest/api/2/serverInfo` (both flavors serve v2).
    pub async fn server_info(&self) -> Result<ServerInfo, FetchError> {
        let url = format!("{}/rest/api/2/serverInfo", self.base);
        let answer = match self.http.get(&url, &[], &Auth::None).await {
            Err(e) if e.kind == SourceErrorKind::Auth => {
                let auth = self.auth_guessing_flavor().await?;
                self.http.get(&url, &[], &auth).await
            }
            other => other,
        };
        let response = answer.map_err(|e| explain(e, "serverInfo"))?;
        ensure_ok(&response, "serverInfo")?;
        Ok(parse(&response.body, "serverInfo")?)
    }

    /// Credentials before the flavor is known: an email means Cloud's Basic.
    async fn auth_guessing_flavor(&self) -> Result<Auth, SourceError> {
        let flavor = if self.config.email.is_some() {
            Flavor::Cloud
        } else {
            Flavor::DataCenter
        };
        self.auth(flavor).await
    }

    /// Cloud: Basic email + API token. Data Center: the PAT as Bearer (Jira refuses a
    /// PAT as a Basic password).
    pub async fn auth(&self, flavor: Flavor) -> Result<Auth, SourceError> {
        let token = self.token().await?;
        match flavor {
            Flavor::Cloud => {
                let Some(email) = self.config.email.clone() else {
                    return Err(SourceError::new(
                        SourceErrorKind::Config,
                        "this is Jira Cloud, which authenticates with email + API token: set jira.email",
                    ));
                };
                Ok(Auth::Basic {
                    username: email,
                    password: token,
                })
            }
            Flavor::DataCenter => Ok(Auth::Bearer(token)),
        }
    }

    async fn token(&self) -> Result<Secret, SourceError> {
        let mut guard = self.token.lock().await;
        if let Some(t) = guard.as_ref() {
            return Ok(t.clone());
        }
        let source = SecretSource::from_parts(
            self.config.token_env.as_deref(),
            self.config.token_cmd.as_deref(),
        )
        .ok_or_else(|| {
            SourceError::new(
                SourceErrorKind::Config,
                "no token: set jira.token_env or jira.token_cmd",
            )
        })?;
        let token = source.resolve().await?;
        *guard = Some(token.clone());
        Ok(token)
    }

    /// After a refusal the token is read again at the next request (it may have been
    /// rotated).
    pub async fn forget_token(&self) {
        *self.token.lock().await = None;
    }

    /// `{site}/rest/api/{2|3}/{path}`.
    pub fn url(&self, flavor: Flavor, path: &str) -> String {
        format!("{}/rest/api/{}/{path}", self.base, flavor.api_version())
    }

    /// One JSON answer of `GET /rest/api/N/{path}`.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        params: &[(&str, String)],
        what: &str,
    ) -> Result<T, FetchError> {
        let flavor = self.flavor().await?;
        let auth = self.auth(flavor).await?;
        let response = self
            .http
            .get(&self.url(flavor, path), params, &auth)
            .await
            .map_err(|e| explain(e, what))?;
        ensure_ok(&response, what)?;
        Ok(parse(&response.body, what)?)
    }

    /// A POST that writes; its failure says whether it could have landed.
    pub async fn post(
        &self,
        flavor: Flavor,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<Response, NetError> {
        // No credentials, no request: nothing can have landed.
        let auth = self
            .auth(flavor)
            .await
            .map_err(|e| NetError::from(e).with_delivery(Delivery::NotApplied))?;
        let answer = self
            .http
            .post_json(&self.url(flavor, path), body, &auth, false)
            .await;
        if let Err(f) = &answer {
            if f.kind == SourceErrorKind::Auth {
                self.forget_token().await;
            }
        }
        answer
    }

    /// The secret strings to keep out of quotes of error bodies.
    pub async fn secrets(&self) -> Vec<String> {
        self.token
            .lock()
            .await
            .as_ref()
            .map(|t| vec![t.expose().to_string()])
            .unwrap_or_default()
    }

    /// Every issue `jql` finds, with `fields`, paged as the flavor pages.
    pub async fn search<T: DeserializeOwned>(
        &self,
        jql: &str,
        fields: &[String],
        what: &str,
    ) -> Result<Found<T>, FetchError> {
        let flavor = self.flavor().await?;
        let auth = self.auth(flavor).await?;
        let found = match flavor {
            Flavor::Cloud => self.search_by_token(jql, fields, &auth, what).await,
            Flavor::DataCenter => self.search_by_offset(jql, fields, &auth, what).await,
        };
        if matches!(&found, Err(e) if e.kind == SourceErrorKind::Auth) {
            self.forget_token().await;
        }
        found
    }

    /// Cloud: `POST /rest/api/3/search/jql` (a read, so retried like a GET), until
    /// `isLast` or the token is missing. `startAt` is not part of its schema.
    async fn search_by_token<T: DeserializeOwned>(
        &self,
        jql: &str,
        fields: &[String],
        auth: &Auth,
        what: &str,
    ) -> Result<Found<T>, FetchError> {
        let url = self.url(Flavor::Cloud, "search/jql");
        let mut found = Found {
            items: Vec::new(),
            pages: 0,
            problem: None,
        };
        let mut seen: HashSet<String> = HashSet::new();
        let mut token: Option<String> = None;
        loop {
            let body = SearchJql {
                jql,
                fields,
                max_results: PAGE_SIZE,
                next_page_token: token.as_deref(),
            };
            let body = serde_json::to_value(&body).expect("a search body serializes");
            let response = self
                .http
                .post_json(&url, &body, auth, true)
                .await
                .map_err(|f| explain(f, what))?;
            ensure_ok(&response, what)?;
            let page: TokenPage<T> = parse(&response.body, what)?;
            found.pages += 1;
            found.items.extend(page.issues);
            let next = match page.next_page_token {
                Some(t) if page.is_last != Some(true) && !t.is_empty() => t,
                _ => break,
            };
            if next.len() > MAX_TOKEN_BYTES || !seen.insert(next.clone()) {
                found.problem = Some(loop_error(
                    what,
                    format!(
                        "page {} hands back a page token already used (or not Jira's); stopped there",
                        found.pages
                    ),
                ));
                break;
            }
            if found.pages >= MAX_PAGES {
                found.problem = Some(loop_error(
                    what,
                    format!("more than {MAX_PAGES} pages; stopped there"),
                ));
                break;
            }
            token = Some(next);
        }
        Ok(found)
    }

    /// Data Center: `GET /rest/api/2/search?startAt=…` until `total` is reached or a
    /// page comes back empty; Jira cannot page past 10,000.
    async fn search_by_offset<T: DeserializeOwned>(
        &self,
        jql: &str,
        fields: &[String],
        auth: &Auth,
        what: &str,
    ) -> Result<Found<T>, FetchError> {
        let url = self.url(Flavor::DataCenter, "search");
        let mut found = Found {
            items: Vec::new(),
            pages: 0,
            problem: None,
        };
        let mut start: u64 = 0;
        loop {
            let params = [
                ("jql", jql.to_string()),
                ("startAt", start.to_string()),
                ("maxResults", PAGE_SIZE.to_string()),
                ("fields", fields.join(",")),
            ];
            let response = self
                .http
                .get(&url, &params, auth)
                .await
                .map_err(|e| explain(e, what))?;
            ensure_ok(&response, what)?;
            let page: OffsetPage<T> = parse(&response.body, what)?;
            found.pages += 1;
            let n = page.issues.len() as u64;
            found.items.extend(page.issues);
            start += n;
            let total = page.total.unwrap_or(start);
            if n == 0 || start >= total {
                break;
            }
            if start >= DC_WINDOW || found.pages >= MAX_PAGES {
                found.problem = Some(loop_error(
                    what,
                    format!(
                        "{total} issues match, Jira pages only the first {start}; narrow the JQL"
                    ),
                ));
                break;
            }
        }
        Ok(found)
    }
}

/// `SearchAndReconcileRequestBean` (its schema allows no other keys).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct SearchJql<'a> {
    jql: &'a str,
    fields: &'a [String],
    max_results: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_page_token: Option<&'a str>,
}

/// A JQL string literal: `"…"` with `\` and `"` escaped, and line breaks dropped.
pub fn jql_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Percent-encodes a path segment (an issue key).
pub fn segment(s: &str) -> String {
    crate::sources::gitlab::client::encode_component(s)
}

/// The HTTP layer's 404 speaks of Prometheus's settings; Jira's means a wrong url or
/// a project, issue or endpoint the token cannot see. A 410 is a removed API.
fn explain(mut e: FetchError, what: &str) -> FetchError {
    let said = e
        .message
        .split_once("; the server said: ")
        .map_or(String::new(), |(_, q)| format!("; Jira said: {q}"));
    let message = if e.message.contains("HTTP 404") {
        Some(format!(
            "{what}: not found (HTTP 404); check jira.url (the site, with its context path on Data Center) and that the token's user can see it{said}"
        ))
    } else if e.message.contains("HTTP 410") {
        Some(format!(
            "{what}: Jira says this API was removed (HTTP 410){said}"
        ))
    } else if e.kind == SourceErrorKind::Auth && !e.message.contains("HTML") {
        Some(format!(
            "{what}: Jira refused the credentials; check jira.email and the API token (Cloud) or the personal access token (Data Center){said}"
        ))
    } else {
        None
    };
    if let Some(m) = message {
        e.error.message = crate::model::outside::OutsideText::line(&m);
    }
    e
}

fn loop_error(what: &str, detail: String) -> SourceError {
    SourceError::new(SourceErrorKind::BadResponse, format!("{what}: {detail}"))
}

/// A 400/422 reached here: Jira refused the request (a JQL error, a field).
fn ensure_ok(response: &Response, what: &str) -> Result<(), SourceError> {
    if (200..300).contains(&response.status) {
        return Ok(());
    }
    let said = crate::sources::tracker_error::error_collection(&response.body)
        .unwrap_or_else(|| crate::net::error::quote_body(&response.body, &[]));
    Err(SourceError::new(
        SourceErrorKind::Query,
        format!(
            "{what}: Jira refused the request (HTTP {}): {said}",
            response.status
        ),
    ))
}

pub fn parse<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, SourceError> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        SourceError::new(
            SourceErrorKind::BadResponse,
            format!(
                "{what}: not the JSON Jira sends (at {path}: {}); check jira.url",
                e.into_inner()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jql_strings_cannot_be_broken_out_of() {
        assert_eq!(jql_string("flightdeck-1"), "\"flightdeck-1\"");
        assert_eq!(
            jql_string("a\" OR project = X \\\n"),
            "\"a\\\" OR project = X \\\\ \""
        );
    }

    #[test]
    fn the_cloud_search_body_has_only_the_schemas_keys() {
        let fields = vec!["key".to_string()];
        let v = serde_json::to_value(SearchJql {
            jql: "labels = \"x\"",
            fields: &fields,
            max_results: 100,
            next_page_token: None,
        })
        .expect("json");
        assert_eq!(
            v,
            serde_json::json!({"jql": "labels = \"x\"", "fields": ["key"], "maxResults": 100})
        );
    }
}
