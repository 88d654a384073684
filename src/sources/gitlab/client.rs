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
        let mut pager = self.pager(path, params, auth, what);
        let mut items = Vec::new();
        while let Some(page) = pager.next_page::<T>().await? {
            let go_on = keep_going(&page);
            items.extend(page);
            if !go_on {
                break;
            }
        }
        Ok(Paged {
            items,
            pages: pager.pages,
            problem: pager.problem,
        })
    }

    /// A listing read page by page, for a caller that acts on each page as it comes
    /// (a long first sync delivers each page's records at once).
    pub fn pager<'a>(
        &'a self,
        path: &str,
        params: &[(&str, String)],
        auth: &'a Auth,
        what: &'a str,
    ) -> Pager<'a> {
        let mut params: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect();
        params.push(("per_page".into(), PER_PAGE.to_string()));
        Pager {
            client: self,
            base_url: format!("{}/{path}", self.api),
            params,
            auth,
            what,
            asked: HashSet::from(["page=1".to_string()]),
            bodies: HashSet::new(),
            next: NextPage::Number("1".into()),
            pages: 0,
            problem: None,
        }
    }
}

/// One listing's walk: offset pagination with loop, repeat and foreign-host checks.
pub struct Pager<'a> {
    client: &'a GitLabClient,
    base_url: String,
    params: Vec<(String, String)>,
    auth: &'a Auth,
    what: &'a str,
    /// Each page asked for, and a fingerprint of each page's body: a server that
    /// ignores `page` answers the same records again, under any page number.
    asked: HashSet<String>,
    bodies: HashSet<u64>,
    next: NextPage,
    /// Pages read so far.
    pub pages: usize,
    /// Why the walk stopped early, when it did (what was read before is good).
    pub problem: Option<SourceError>,
}

impl Pager<'_> {
    /// The next page's records, or `None` when the listing ended (or stopped early:
    /// see `problem`).
    pub async fn next_page<T: DeserializeOwned>(&mut self) -> Result<Option<Vec<T>>, FetchError> {
        let what = self.what;
        let response = match &self.next {
            NextPage::Number(n) => {
                let mut p: Vec<(&str, String)> = self
                    .params
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.clone()))
                    .collect();
                p.push(("page", n.clone()));
                self.client.get(&self.base_url, &p, self.auth, what).await?
            }
            NextPage::Link(url) => self.client.get(url, &[], self.auth, what).await?,
            NextPage::End => return Ok(None),
        };
        self.next = NextPage::End;
        self.pages += 1;
        ensure_ok(response.status, &response.body, what)?;
        let items: Vec<T> = parse(&response.body, what)?;
        if !items.is_empty() && !self.bodies.insert(fingerprint(&response.body)) {
            self.problem = Some(loop_error(
                what,
                format!("page {} repeats an earlier page; stopped there", self.pages),
            ));
            return Ok(None);
        }
        let next = next_page(&response.headers);
        let key = match &next {
            NextPage::Number(n) => format!("page={n}"),
            NextPage::Link(url) if !url.starts_with(&format!("{}/", self.client.api)) => {
                self.problem = Some(loop_error(
                    what,
                    "the next-page Link points outside the configured url; not followed".into(),
                ));
                return Ok(Some(items));
            }
            NextPage::Link(url) => url.clone(),
            NextPage::End => return Ok(Some(items)),
        };
        if !self.asked.insert(key) {
            self.problem = Some(loop_error(
                what,
                format!(
                    "the next page after page {} was already read (a pagination loop); stopped there",
                    self.pages
                ),
            ));
        } else if self.pages >= MAX_PAGES {
            self.problem = Some(loop_error(
                what,
                format!("more than {MAX_PAGES} pages; stopped there"),
            ));
        } else {
            self.next = next;
        }
        Ok(Some(items))
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
