//! Requests to one GitLab instance over the shared HTTP layer, and offset pagination
//! as GitLab documents it (API-NOTES §2.2): the next page is `x-next-page` or
//! `Link rel="next"`, never `x-total-pages` (absent past 10,000 records). A page that
//! repeats, a `Link` that loops or leaves the instance, and a runaway page count are
//! detected and reported with what was read before them.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use super::throttle::Throttle;
use crate::config::GitLabConfig;
use crate::event::{SourceError, SourceErrorKind};
use crate::net::{Auth, HttpClient, HttpSettings, Response};
use crate::sources::FetchError;

/// GitLab's largest page.
pub const PER_PAGE: usize = 100;

/// Requests in flight to one instance, and started per second, unless configured.
pub const DEFAULT_IN_FLIGHT: usize = 4;
pub const DEFAULT_PER_SECOND: u32 = 25;

/// Pages one listing may take (2,000 × 100 records); more is taken for a loop.
pub const MAX_PAGES: usize = 2_000;

#[derive(Clone)]
pub struct GitLabClient {
    http: HttpClient,
    throttle: Throttle,
    /// `url` + `/api/v4`.
    api: String,
}

/// What a listing read: its records in page order, the pages it took, and why it
/// stopped early when it did (the records before that are still good).
#[derive(Debug)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub pages: usize,
    pub problem: Option<SourceError>,
}

/// Where the next page is, as the answer's headers say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextPage {
    /// `x-next-page: N`: the same request with `page=N`.
    Number(String),
    /// `Link: <url>; rel="next"` (no `x-next-page`).
    Link(String),
    End,
}

impl GitLabClient {
    pub fn new(config: &GitLabConfig) -> Result<Self, SourceError> {
        let settings = HttpSettings {
            total_timeout: Duration::from_secs(config.timeout_seconds),
            ca_file: config.ca_file.clone(),
            ..HttpSettings::default()
        };
        let throttle = Throttle::new(config.max_in_flight, config.max_requests_per_second);
        Ok(Self::with_http(HttpClient::new(settings)?, &config.api_base()).throttled(throttle))
    }

    pub fn with_http(http: HttpClient, api: &str) -> Self {
        GitLabClient {
            http,
            throttle: Throttle::new(DEFAULT_IN_FLIGHT, DEFAULT_PER_SECOND),
            api: api.trim_end_matches('/').to_string(),
        }
    }

    /// The same client under other limits.
    pub fn throttled(self, throttle: Throttle) -> Self {
        GitLabClient { throttle, ..self }
    }

    /// One GET under the throttle; the answer's rate-limit headers hold later ones.
    async fn get(
        &self,
        url: &str,
        params: &[(&str, String)],
        auth: &Auth,
        what: &str,
    ) -> Result<Response, FetchError> {
        let permit = self.throttle.admit().await;
        let response = self
            .http
            .get(url, params, auth)
            .await
            .map_err(|e| explain(e, what))?;
        drop(permit);
        self.throttle.observe(&response.headers, what).await?;
        Ok(response)
    }

    /// One JSON answer of `GET {api}/{path}`.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        params: &[(&str, String)],
        auth: &Auth,
        what: &str,
    ) -> Result<T, FetchError> {
        let url = format!("{}/{path}", self.api);
        let response = self.get(&url, params, auth, what).await?;
        ensure_ok(response.status, &response.body, what)?;
        Ok(parse(&response.body, what)?)
    }

    /// Every page of a listing, `per_page=100`. `keep_going` sees each page's records
    /// and may stop the walk (the commits list stops at a known sha).
    pub async fn pages<T: DeserializeOwned>(
        &self,
        path: &str,
        params: &[(&str, String)],
        auth: &Auth,
        what: &str,
        mut keep_going: impl FnMut(&[T]) -> bool,
    ) -> Result<Paged<T>, FetchError> {
        let base_url = format!("{}/{path}", self.api);
        let mut params: Vec<(&str, String)> = params.to_vec();
        params.push(("per_page", PER_PAGE.to_string()));
        let mut paged = Paged {
            items: Vec::new(),
            pages: 0,
            problem: None,
        };
        // Each page asked for, and a fingerprint of each page's body: a server that
        // ignores `page` answers the same records again, under any page number.
        let mut asked: HashSet<String> = HashSet::from(["page=1".to_string()]);
        let mut bodies: HashSet<u64> = HashSet::new();
        let mut next = NextPage::Number("1".into());
        loop {
            let response = match &next {
                NextPage::Number(n) => {
                    let mut p = params.clone();
                    p.push(("page", n.clone()));
                    self.get(&base_url, &p, auth, what).await?
                }
                NextPage::Link(url) => self.get(url, &[], auth, what).await?,
                NextPage::End => break,
            };
            paged.pages += 1;
            ensure_ok(response.status, &response.body, what)?;
            let items: Vec<T> = parse(&response.body, what)?;
            if !items.is_empty() && !bodies.insert(fingerprint(&response.body)) {
                paged.problem = Some(loop_error(
                    what,
                    format!(
                        "page {} repeats an earlier page; stopped there",
                        paged.pages
                    ),
                ));
                break;
            }
            let go_on = keep_going(&items);
            paged.items.extend(items);
            if !go_on {
                break;
            }
            next = next_page(&response.headers);
            let key = match &next {
                NextPage::Number(n) => format!("page={n}"),
                NextPage::Link(url) if !url.starts_with(&format!("{}/", self.api)) => {
                    paged.problem = Some(loop_error(
                        what,
                        "the next-page Link points outside the configured url; not followed".into(),
                    ));
                    break;
                }
                NextPage::Link(url) => url.clone(),
                NextPage::End => break,
            };
            if !asked.insert(key) {
                paged.problem = Some(loop_error(
                    what,
                    format!(
                        "the next page after page {} was already read (a pagination loop); stopped there",
                        paged.pages
                    ),
                ));
                break;
            }
            if paged.pages >= MAX_PAGES {
                paged.problem = Some(loop_error(
                    what,
                    format!("more than {MAX_PAGES} pages; stopped there"),
                ));
                break;
            }
        }
        Ok(paged)
    }
}

/// `x-next-page` first (empty on the last page), then `Link rel="next"`. Never
/// `x-total-pages`: GitLab leaves it out past 10,000 records.
pub fn next_page(headers: &HeaderMap) -> NextPage {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(n) = header("x-next-page").map(str::trim) {
        if !n.is_empty() {
            return NextPage::Number(n.to_string());
        }
        return NextPage::End;
    }
    headers
        .get_all("link")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(link_next)
        .map_or(NextPage::End, NextPage::Link)
}

/// The `rel="next"` target of a `Link` header: `<url>; rel="next", <url>; rel="last"`.
pub fn link_next(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim().to_ascii_lowercase();
            p == "rel=\"next\"" || p == "rel=next"
        });
        is_next.then(|| target.to_string())
    })
}

/// `projects/<id or URL-encoded path>`: `group/app` becomes `group%2Fapp`.
pub fn project_path(project: &str) -> String {
    format!("projects/{}", encode_component(project))
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The HTTP layer's 404 speaks of Prometheus's settings; GitLab's 404 means a project
/// (or a ref) that does not exist or that the token cannot see.
fn explain(mut e: FetchError, what: &str) -> FetchError {
    if e.kind == SourceErrorKind::Config && e.message.contains("HTTP 404") {
        let said = e
            .message
            .split_once("; the server said: ")
            .map_or(String::new(), |(_, q)| format!("; GitLab said: {q}"));
        e.error.message = crate::model::outside::OutsideText::line(&format!(
            "{what}: not found (HTTP 404); check the project's full path or id in [[gitlab.projects]] and that the token's user can read it{said}"
        ));
    }
    e
}

/// A page's identity for repeat detection (a collision only stops a walk early, and
/// says so).
fn fingerprint(body: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut h);
    h.finish()
}

fn loop_error(what: &str, detail: String) -> SourceError {
    SourceError::new(SourceErrorKind::BadResponse, format!("{what}: {detail}"))
}

/// A 400 or 422 reached here (the HTTP layer hands them up for the adapter to read):
/// GitLab rejected the request's parameters.
fn ensure_ok(status: u16, body: &[u8], what: &str) -> Result<(), SourceError> {
    if (200..300).contains(&status) {
        return Ok(());
    }
    let quote = crate::net::error::quote_body(body, &[]);
    Err(SourceError::new(
        SourceErrorKind::Query,
        format!("{what}: GitLab rejected the request (HTTP {status}): \"{quote}\""),
    ))
}

fn parse<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, SourceError> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        SourceError::new(
            SourceErrorKind::BadResponse,
            format!(
                "{what}: not the JSON GitLab sends (at {path}: {}); check url",
                e.into_inner()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).expect("header value"));
        }
        h
    }

    #[test]
    fn next_page_prefers_x_next_page_and_ignores_total_pages() {
        let h = headers(&[
            ("x-next-page", "3"),
            ("x-total-pages", "2"),
            ("link", "<https://g/api/v4/x?page=9>; rel=\"next\""),
        ]);
        assert_eq!(next_page(&h), NextPage::Number("3".into()));
        assert_eq!(
            next_page(&headers(&[("x-next-page", ""), ("x-total-pages", "9")])),
            NextPage::End
        );
        assert_eq!(
            next_page(&headers(&[("x-total-pages", "9")])),
            NextPage::End
        );
    }

    #[test]
    fn link_next_is_found_among_other_relations() {
        let link = "<https://g/api/v4/p?page=1>; rel=\"first\", <https://g/api/v4/p?page=3&per_page=100>; rel=\"next\", <https://g/api/v4/p?page=1>; rel=\"prev\"";
        assert_eq!(
            next_page(&headers(&[("link", link)])),
            NextPage::Link("https://g/api/v4/p?page=3&per_page=100".into())
        );
        assert_eq!(link_next("<https://g/x>; rel=\"last\""), None);
    }

    #[test]
    fn project_paths_are_url_encoded() {
        assert_eq!(project_path("42"), "projects/42");
        assert_eq!(project_path("group/sub/app"), "projects/group%2Fsub%2Fapp");
        assert_eq!(project_path("a b?&#"), "projects/a%20b%3F%26%23");
    }
}
