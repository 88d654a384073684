//! An in-process fake Jira on a loopback port, in Cloud or Data Center mode, answering
//! as the documented APIs do (API-NOTES §4; the Cloud spec in ../shared/specs):
//!
//! - `GET /rest/api/2/serverInfo` (anonymous) with `deploymentType` `Cloud` or
//!   `DataCenter`; `myself`; `project/{key}` with its `issueTypes`.
//! - Cloud: `POST /rest/api/3/search/jql` paged by an opaque `nextPageToken`, absent on
//!   the last page, `isLast`; no `total`; a body with keys the schema does not allow
//!   (`startAt`) is a 400. The old `/rest/api/{2,3}/search` answers 410.
//! - Data Center: `GET /rest/api/2/search` by `startAt`/`maxResults` with `total`.
//! - `POST issue`: Cloud wants an ADF description (anything else is a 400, as Cloud
//!   answers) and `assignee.accountId`; DC a wiki string and `assignee.name`. A
//!   required field the project wants is a 400 `ErrorCollection`.
//! - `POST issue/{key}/comment`; `GET issue/{key}/comment` paged by
//!   `startAt`/`maxResults` with `total` (`PageOfComments`).
//! - `POST issue/{key}/remotelink`: a `globalId` already on the issue updates that
//!   link (200), else a new one is made (201 `{id, self}`); `GET issue/{key}/remotelink`
//!   lists them.
//! - Auth: Cloud Basic `email:token`, DC `Bearer <PAT>`; anything else 401 JSON.
//!
//! Misbehaviours a test switches on: 429 with or without `Retry-After`, an HTML login
//! page (DC SSO), malformed JSON, a create that lands but whose answer is lost
//! (timeout, reset, 502), and eventually-consistent search (a created issue is found
//! only after N searches); comments that land with their answer lost or fail with a
//! 5xx first; issues the account may see but not comment on (403); 429 bursts that
//! start on every Nth create.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

#[path = "../common/decode.rs"]
mod decode;
use decode::decode;
#[path = "../common/wire.rs"]
mod wire;
use wire::query_map;

/// The API token (Cloud) or PAT (DC) the fake accepts.
pub const TOKEN: &str = "jira-fake-T0KEN-0123456789abcdef";
/// The account's email (Cloud).
pub const EMAIL: &str = "bot@example.com";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Cloud,
    DataCenter,
}

/// How a create's answer gets lost after the issue was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LostAnswer {
    /// No answer until long after the client's timeout.
    Timeout,
    /// The connection is closed without an answer.
    Reset,
    /// A 502 from a proxy in front.
    BadGateway,
}

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub target: String,
    pub body: String,
}

#[derive(Debug)]
pub struct State {
    pub mode: Mode,
    /// Issues as `IssueBean`s (`id`, `key`, `fields`).
    pub issues: Vec<Value>,
    /// Searches each newly created issue stays invisible for.
    pub search_lag: usize,
    /// Per issue key: searches left before it is found.
    pub hidden: HashMap<String, usize>,
    /// The largest page the server answers (Cloud may answer fewer than asked).
    pub max_page: usize,
    /// The next this many requests get 429; with this `Retry-After` when set.
    pub rate_limited: usize,
    pub retry_after: Option<u64>,
    /// Every request but serverInfo gets an SSO login page.
    pub html_login: bool,
    /// Searches answer JSON cut off midway.
    pub malformed: bool,
    /// The next creates land but their answer is lost like this.
    pub lose_answers: Vec<LostAnswer>,
    /// A field the project requires on create (`customfield_10001`), refused if absent.
    pub required_field: Option<String>,
    /// Users that cannot be assigned (refused as Jira does, 400 on `assignee`).
    pub unassignable: Vec<String>,
    /// Comments by issue key (the `body` as sent).
    pub comments: HashMap<String, Vec<Value>>,
    /// The next comment POSTs land but their answer is lost like this.
    pub lose_comment_answers: Vec<LostAnswer>,
    /// The next comment POSTs fail with this status before anything lands.
    pub fail_comments: Vec<u16>,
    /// Issues whose comments and links this account may not write (403).
    pub forbidden: Vec<String>,
    /// Remote links by issue key (the request bodies, with an `id`).
    pub remote_links: HashMap<String, Vec<Value>>,
    /// `(every, len)`: every `every`th create request met outside a burst starts a
    /// burst of `len` 429s (itself the first of them).
    pub burst: Option<(usize, usize)>,
    /// Create requests met outside a burst (for `burst`).
    pub create_requests: usize,
    /// 429s answered so far.
    pub answered_429: usize,
    /// `(every, how)`: every `every`th issue created loses its answer like this.
    pub lose_every: Option<(usize, LostAnswer)>,
    pub log: Vec<Logged>,
}

pub struct FakeJira {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

impl FakeJira {
    pub fn start(mode: Mode) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        // A context path, as Data Center instances often have.
        let url = format!("http://{}/jira", listener.local_addr().expect("addr"));
        let state = Arc::new(Mutex::new(State {
            mode,
            issues: Vec::new(),
            search_lag: 0,
            hidden: HashMap::new(),
            max_page: 50,
            rate_limited: 0,
            retry_after: Some(1),
            html_login: false,
            malformed: false,
            lose_answers: Vec::new(),
            required_field: None,
            unassignable: Vec::new(),
            comments: HashMap::new(),
            lose_comment_answers: Vec::new(),
            fail_comments: Vec::new(),
            forbidden: Vec::new(),
            remote_links: HashMap::new(),
            burst: None,
            create_requests: 0,
            lose_every: None,
            answered_429: 0,
            log: Vec::new(),
        }));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = shared.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &shared);
                });
            }
        });
        FakeJira { url, state }
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().expect("fake state"))
    }

    /// Requests whose method and target contain these parts.
    pub fn requests(&self, method: &str, part: &str) -> Vec<Logged> {
        self.with(|s| {
            s.log
                .iter()
                .filter(|l| l.method == method && l.target.contains(part))
                .cloned()
                .collect()
        })
    }

    /// Adds an issue that exists before the test (a release ticket): `REL-1` with
    /// `fixVersions` naming `version`.
    pub fn release_ticket(&self, key: &str, version: &str) {
        let project = key.split('-').next().unwrap_or("REL").to_string();
        self.with(|s| {
            s.issues.push(json!({"id": "20001", "key": key, "fields": {
                "summary": format!("Release {version}"),
                "project": {"key": project},
                "issuetype": {"name": "Release"},
                "fixVersions": [{"name": version}],
                "labels": [],
            }}))
        });
    }

    /// The comments on `key`, as sent.
    pub fn comments_on(&self, key: &str) -> Vec<Value> {
        self.with(|s| s.comments.get(key).cloned().unwrap_or_default())
    }

    /// The remote links on `key`, as sent (with the `id` given).
    pub fn links_on(&self, key: &str) -> Vec<Value> {
        self.with(|s| s.remote_links.get(key).cloned().unwrap_or_default())
    }

    /// Issues carrying `label`, whether searchable yet or not.
    pub fn labelled(&self, label: &str) -> Vec<Value> {
        self.with(|s| {
            s.issues
                .iter()
                .filter(|i| has_label(i, label))
                .cloned()
                .collect()
        })
    }
}

/// An incident as the search returns it (Jira's timestamp form).
pub fn incident(
    key: &str,
    created: chrono::DateTime<chrono::Utc>,
    resolved: Option<chrono::DateTime<chrono::Utc>>,
    priority: &str,
    labels: &[&str],
) -> Value {
    let t = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string();
    json!({
        "id": format!("1{}", key.rsplit('-').next().unwrap_or("0")),
        "key": key,
        "fields": {
            "summary": format!("incident {key}"),
            "project": {"key": key.split('-').next().unwrap_or("OPS")},
            "issuetype": {"name": "Incident"},
            "created": t(created),
            "resolutiondate": resolved.map(t),
            "priority": {"name": priority},
            "labels": labels,
        }
    })
}

/// A tiny standard base64 (the fake checks Basic credentials).
pub fn base64(input: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

struct Answer {
    status: u16,
    content_type: &'static str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Instead of answering: hang, or close.
    lost: Option<LostAnswer>,
}

fn json_answer(status: u16, v: &Value) -> Answer {
    Answer {
        status,
        content_type: "application/json;charset=UTF-8",
        headers: Vec::new(),
        body: v.to_string().into_bytes(),
        lost: None,
    }
}

/// Jira's `ErrorCollection`.
fn errors(status: u16, messages: &[&str], fields: Value) -> Answer {
    json_answer(
        status,
        &json!({"errorMessages": messages, "errors": fields, "status": status}),
    )
}

fn serve(mut stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut headers = HashMap::new();
    let mut content_length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            if k == "content-length" {
                content_length = v.trim().parse().unwrap_or(0);
            }
            headers.insert(k, v.trim().to_string());
        }
    }
    let mut body = vec![0u8; content_length];
    reader.read_exact(&mut body)?;
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("GET").to_string();
    let target = parts.next().unwrap_or("/").to_string();
    let body = String::from_utf8_lossy(&body).into_owned();
    let answer = {
        let mut s = state.lock().expect("fake state");
        s.log.push(Logged {
            method: method.clone(),
            target: target.clone(),
            body: body.clone(),
        });
        route(&mut s, &method, &target, &headers, &body)
    };
    match answer.lost {
        Some(LostAnswer::Timeout) => {
            std::thread::sleep(Duration::from_secs(5));
            return Ok(());
        }
        Some(LostAnswer::Reset) => {
            let _ = stream.shutdown(std::net::Shutdown::Both);
            return Ok(());
        }
        _ => {}
    }
    wire::write_answer(
        &mut stream,
        answer.status,
        answer.content_type,
        &answer.headers,
        &answer.body,
    )
}

fn route(
    s: &mut State,
    method: &str,
    target: &str,
    headers: &HashMap<String, String>,
    body: &str,
) -> Answer {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let q = query_map(query);
    let Some(rest) = path.strip_prefix("/jira/rest/api/") else {
        return errors(404, &["Not found"], json!({}));
    };
    let (version, rest) = rest.split_once('/').unwrap_or((rest, ""));
    // Anonymous, as both flavors serve it.
    if rest == "serverInfo" && (version == "2" || s.mode == Mode::Cloud) {
        let kind = match s.mode {
            Mode::Cloud => "Cloud",
            Mode::DataCenter => "DataCenter",
        };
        return json_answer(
            200,
            &json!({"baseUrl": "https://jira.example.com", "version": if s.mode == Mode::Cloud { "1001.0.0-SNAPSHOT" } else { "9.12.4" },
                    "deploymentType": kind, "serverTitle": "Fake Jira", "buildNumber": 100}),
        );
    }
    if s.html_login {
        return Answer {
            status: 200,
            content_type: "text/html;charset=UTF-8",
            headers: Vec::new(),
            body: b"<!DOCTYPE html><html><head><title>Log in - Jira SSO</title></head><body><form>password</form></body></html>".to_vec(),
            lost: None,
        };
    }
    // Counted outside a burst only: the retries a burst causes do not start another.
    if method == "POST" && path.ends_with("/issue") && s.rate_limited == 0 {
        s.create_requests += 1;
        if let Some((every, len)) = s.burst {
            if every > 0 && s.create_requests % every == 0 {
                s.rate_limited = len;
            }
        }
    }
    if s.rate_limited > 0 {
        s.rate_limited -= 1;
        s.answered_429 += 1;
        let mut headers = vec![("X-RateLimit-Remaining".to_string(), "0".to_string())];
        if let Some(secs) = s.retry_after {
            headers.push(("Retry-After".into(), secs.to_string()));
        }
        return Answer {
            status: 429,
            content_type: "application/json",
            headers,
            body: br#"{"errorMessages":["Rate limit exceeded."]}"#.to_vec(),
            lost: None,
        };
    }
    let wanted_version = match s.mode {
        Mode::Cloud => "3",
        Mode::DataCenter => "2",
    };
    let auth = headers.get("authorization").map(String::as_str);
    let authorized = match s.mode {
        Mode::Cloud => {
            auth == Some(&format!(
                "Basic {}",
                base64(format!("{EMAIL}:{TOKEN}").as_bytes())
            ))
        }
        Mode::DataCenter => auth == Some(&format!("Bearer {TOKEN}")),
    };
    if !authorized {
        return errors(
            401,
            &["You are not authenticated. Authentication required to perform this operation."],
            json!({}),
        );
    }
    if rest == "search" {
        if s.mode == Mode::Cloud {
            return errors(
                410,
                &["The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."],
                json!({}),
            );
        }
        if method == "GET" && version == "2" {
            return dc_search(s, &q);
        }
    }
    if version != wanted_version {
        return errors(404, &["Not found"], json!({}));
    }
    match (method, rest) {
        ("POST", "search/jql") if s.mode == Mode::Cloud => cloud_search(s, body),
        ("GET", "myself") => json_answer(
            200,
            &json!({"accountId": "5b10a2844c20165700ede21g", "name": "bot", "displayName": "Release Bot"}),
        ),
        ("POST", "issue") => create(s, body),
        ("GET", p) if p.starts_with("project/") => {
            let key = decode(&p["project/".len()..]);
            if key == "OPS" {
                json_answer(
                    200,
                    &json!({"key": "OPS", "name": "Operations", "issueTypes": [{"id": "1", "name": "Task"}, {"id": "2", "name": "Incident"}]}),
                )
            } else {
                errors(
                    404,
                    &[&format!("No project could be found with key '{key}'.")],
                    json!({}),
                )
            }
        }
        ("POST", p) if p.starts_with("issue/") && p.ends_with("/comment") => {
            let key = decode(&p["issue/".len()..p.len() - "/comment".len()]);
            comment(s, &key, body)
        }
        ("GET", p) if p.starts_with("issue/") && p.ends_with("/comment") => {
            let key = decode(&p["issue/".len()..p.len() - "/comment".len()]);
            list_comments(s, &key, &q)
        }
        ("POST", p) if p.starts_with("issue/") && p.ends_with("/remotelink") => {
            let key = decode(&p["issue/".len()..p.len() - "/remotelink".len()]);
            remote_link(s, &key, body)
        }
        ("GET", p) if p.starts_with("issue/") && p.ends_with("/remotelink") => {
            let key = decode(&p["issue/".len()..p.len() - "/remotelink".len()]);
            match s.issues.iter().any(|i| i["key"] == key) {
                true => json_answer(
                    200,
                    &Value::Array(s.remote_links.get(&key).cloned().unwrap_or_default()),
                ),
                false => not_found(),
            }
        }
        _ => errors(404, &["Not found"], json!({})),
    }
}

/// `SearchAndReconcileRequestBean`: `additionalProperties: false`.
const SEARCH_KEYS: [&str; 8] = [
    "expand",
    "fields",
    "fieldsByKeys",
    "jql",
    "maxResults",
    "nextPageToken",
    "properties",
    "reconcileIssues",
];

fn cloud_search(s: &mut State, body: &str) -> Answer {
    let Ok(Value::Object(req)) = serde_json::from_str::<Value>(body) else {
        return errors(400, &["Invalid request payload."], json!({}));
    };
    if let Some(k) = req.keys().find(|k| !SEARCH_KEYS.contains(&k.as_str())) {
        return errors(400, &[&format!("Unrecognized field \"{k}\"")], json!({}));
    }
    let jql = req.get("jql").and_then(Value::as_str).unwrap_or("");
    let matching = match matching(s, jql) {
        Ok(m) => m,
        Err(a) => return a,
    };
    let asked = req.get("maxResults").and_then(Value::as_u64).unwrap_or(50) as usize;
    let size = asked.min(s.max_page).max(1);
    let start = match req.get("nextPageToken").and_then(Value::as_str) {
        None => 0,
        Some(t) => match t.strip_prefix("tok:").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => n,
            None => {
                return errors(
                    400,
                    &["The provided next page token is invalid or expired."],
                    json!({}),
                )
            }
        },
    };
    let page: Vec<Value> = matching.iter().skip(start).take(size).cloned().collect();
    let end = start + page.len();
    let mut answer = json!({"issues": page, "isLast": end >= matching.len()});
    if end < matching.len() {
        // Absent, not null, on the last page (JRACLOUD-92184).
        answer["nextPageToken"] = json!(format!("tok:{end}"));
    }
    let mut a = json_answer(200, &answer);
    if s.malformed {
        a.body.truncate(a.body.len() / 2);
    }
    a
}

fn dc_search(s: &mut State, q: &HashMap<String, String>) -> Answer {
    let jql = q.get("jql").map(String::as_str).unwrap_or("");
    let matching = match matching(s, jql) {
        Ok(m) => m,
        Err(a) => return a,
    };
    let start: usize = q.get("startAt").and_then(|v| v.parse().ok()).unwrap_or(0);
    let asked: usize = q
        .get("maxResults")
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let size = asked.min(s.max_page).max(1);
    let page: Vec<Value> = matching.iter().skip(start).take(size).cloned().collect();
    let mut a = json_answer(
        200,
        &json!({"expand": "schema,names", "startAt": start, "maxResults": size, "total": matching.len(), "issues": page}),
    );
    if s.malformed {
        a.body.truncate(a.body.len() / 2);
    }
    a
}

/// The issues a JQL of `field = value` clauses joined by AND finds (ORDER BY is
/// ignored). Created issues stay hidden for `search_lag` searches.
fn matching(s: &mut State, jql: &str) -> Result<Vec<Value>, Answer> {
    let lower = jql.to_ascii_lowercase();
    let head = match lower.find("order by") {
        Some(i) => &jql[..i],
        None => jql,
    };
    if head.trim().is_empty() {
        return Err(errors(400, &["Unbounded JQL queries are not allowed here. Please add a search restriction to your query."], json!({})));
    }
    let mut clauses = Vec::new();
    for part in split_and(head) {
        let Some((field, value)) = part.split_once('=') else {
            return Err(errors(
                400,
                &[&format!("Error in the JQL Query: '{part}'")],
                json!({}),
            ));
        };
        clauses.push((field.trim().to_ascii_lowercase(), unquote(value.trim())));
    }
    // Each search is one step towards consistency.
    let visible: Vec<Value> = s
        .issues
        .iter()
        .filter(|i| {
            s.hidden
                .get(i["key"].as_str().unwrap_or(""))
                .is_none_or(|n| *n == 0)
        })
        .filter(|i| clauses.iter().all(|(f, v)| clause_matches(i, f, v)))
        .cloned()
        .collect();
    for n in s.hidden.values_mut() {
        *n = n.saturating_sub(1);
    }
    Ok(visible)
}

fn split_and(jql: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut in_quotes = false;
    let mut chars = jql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && in_quotes {
            current.push(c);
            if let Some(n) = chars.next() {
                current.push(n);
            }
            continue;
        }
        if c == '"' {
            in_quotes = !in_quotes;
        }
        current.push(c);
        if !in_quotes && current.to_ascii_lowercase().ends_with(" and ") {
            let len = current.len() - 5;
            parts.push(current[..len].trim().to_string());
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        parts.push(current.trim().to_string());
    }
    parts
}

fn unquote(v: &str) -> String {
    let Some(inner) = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
        return v.to_string();
    };
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn has_label(issue: &Value, label: &str) -> bool {
    issue["fields"]["labels"]
        .as_array()
        .is_some_and(|l| l.iter().any(|x| x.as_str() == Some(label)))
}

fn clause_matches(issue: &Value, field: &str, value: &str) -> bool {
    let f = &issue["fields"];
    match field {
        "labels" => has_label(issue, value),
        "project" => f["project"]["key"].as_str() == Some(value),
        "issuetype" => f["issuetype"]["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(value)),
        "fixversion" => f["fixVersions"]
            .as_array()
            .is_some_and(|v| v.iter().any(|x| x["name"].as_str() == Some(value))),
        "component" => f["components"]
            .as_array()
            .is_some_and(|c| c.iter().any(|x| x["name"].as_str() == Some(value))),
        _ => false,
    }
}

/// Whether `v` is an ADF document as Cloud accepts it: `doc` version 1 whose blocks
/// and inline nodes are of known types, text nodes with non-empty text, known marks.
pub fn valid_adf(v: &Value) -> Result<(), String> {
    if v["type"] != "doc" || v["version"] != 1 {
        return Err("not a doc of version 1".into());
    }
    let content = v["content"].as_array().ok_or("doc without content")?;
    content.iter().try_for_each(block)
}

fn block(v: &Value) -> Result<(), String> {
    let content = || {
        v["content"]
            .as_array()
            .ok_or(format!("{} without content", v["type"]))
    };
    match v["type"].as_str() {
        Some("paragraph") => match v.get("content") {
            None => Ok(()),
            Some(_) => content()?.iter().try_for_each(inline),
        },
        Some("bulletList" | "orderedList") => content()?.iter().try_for_each(|item| {
            if item["type"] != "listItem" {
                return Err("a list holds only listItem".into());
            }
            item["content"]
                .as_array()
                .ok_or("listItem without content")?
                .iter()
                .try_for_each(block)
        }),
        other => Err(format!("unknown block {other:?}")),
    }
}

fn inline(v: &Value) -> Result<(), String> {
    match v["type"].as_str() {
        Some("text") => {
            let text = v["text"].as_str().ok_or("text without text")?;
            if text.is_empty() {
                return Err("empty text node".into());
            }
            if let Some(marks) = v.get("marks") {
                for m in marks.as_array().ok_or("marks not a list")? {
                    match m["type"].as_str() {
                        Some("strong" | "em" | "code") => {}
                        Some("link") if m["attrs"]["href"].is_string() => {}
                        other => return Err(format!("bad mark {other:?}")),
                    }
                }
            }
            Ok(())
        }
        Some("hardBreak") => Ok(()),
        other => Err(format!("unknown inline {other:?}")),
    }
}

fn create(s: &mut State, body: &str) -> Answer {
    let Ok(req) = serde_json::from_str::<Value>(body) else {
        return errors(
            400,
            &["Invalid request payload. Refer to the REST API documentation and try again."],
            json!({}),
        );
    };
    let f = &req["fields"];
    if f["project"]["key"] == "LOCKED" {
        return errors(
            403,
            &["You do not have permission to create issues in this project."],
            json!({}),
        );
    }
    let mut problems = serde_json::Map::new();
    if f["summary"].as_str().is_none_or(|t| t.trim().is_empty()) {
        problems.insert(
            "summary".into(),
            json!("You must specify a summary of the issue."),
        );
    } else if f["summary"]
        .as_str()
        .is_some_and(|t| t.chars().count() > 255)
    {
        problems.insert(
            "summary".into(),
            json!("Summary must be less than 255 characters."),
        );
    }
    if f["project"]["key"] != "OPS" {
        problems.insert("project".into(), json!("valid project is required"));
    }
    if f["issuetype"]["name"].as_str().is_none() {
        problems.insert("issuetype".into(), json!("Specify an issue type"));
    }
    match s.mode {
        Mode::Cloud => {
            if let Err(e) = valid_adf(&f["description"]) {
                problems.insert("description".into(), json!(format!("Operation value must be an Atlassian Document (see the Atlassian Document Format): {e}")));
            }
            if f.get("assignee").is_some() && f["assignee"]["accountId"].as_str().is_none() {
                problems.insert(
                    "assignee".into(),
                    json!("'accountId' must be the only user identifying property"),
                );
            }
        }
        Mode::DataCenter => {
            if !f["description"].is_string() {
                problems.insert(
                    "description".into(),
                    json!("Operation value must be a string"),
                );
            }
            if f.get("assignee").is_some() && f["assignee"]["name"].as_str().is_none() {
                problems.insert("assignee".into(), json!("expected 'name'"));
            }
        }
    }
    let who = f["assignee"]["accountId"]
        .as_str()
        .or(f["assignee"]["name"].as_str());
    if let Some(who) = who.filter(|w| s.unassignable.iter().any(|u| u == w)) {
        problems.insert(
            "assignee".into(),
            json!(format!("User '{who}' cannot be assigned issues.")),
        );
    }
    if let Some(field) = s.required_field.clone() {
        if f.get(&field).is_none() {
            problems.insert(field, json!("Team is required."));
        }
    }
    if f["labels"]
        .as_array()
        .is_some_and(|l| l.iter().any(|x| x.as_str().is_none_or(|t| t.contains(' '))))
    {
        problems.insert("labels".into(), json!("The label must not contain spaces."));
    }
    if !problems.is_empty() {
        return errors(400, &[], Value::Object(problems));
    }
    let n = s.issues.len() + 1;
    let key = format!("OPS-{n}");
    let mut fields = f.clone();
    fields["created"] = json!(chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3f+0000")
        .to_string());
    s.issues
        .push(json!({"id": format!("{}", 10_000 + n), "key": key, "fields": fields}));
    if s.search_lag > 0 {
        s.hidden.insert(key.clone(), s.search_lag);
    }
    let answer = json_answer(
        201,
        &json!({"id": format!("{}", 10_000 + n), "key": key, "self": format!("https://jira.example.com/rest/api/3/issue/{}", 10_000 + n)}),
    );
    let every = s
        .lose_every
        .and_then(|(every, how)| (every > 0 && n % every == 0).then_some(how));
    match (!s.lose_answers.is_empty())
        .then(|| s.lose_answers.remove(0))
        .or(every)
    {
        Some(LostAnswer::BadGateway) => bad_gateway(),
        Some(lost) => Answer {
            lost: Some(lost),
            ..answer
        },
        None => answer,
    }
}

/// A proxy's 502 (the request may have reached Jira).
fn bad_gateway() -> Answer {
    Answer {
        status: 502,
        content_type: "text/html",
        headers: Vec::new(),
        body: b"<html><head><title>502 Bad Gateway</title></head></html>".to_vec(),
        lost: None,
    }
}

fn not_found() -> Answer {
    errors(
        404,
        &["Issue does not exist or you do not have permission to see it."],
        json!({}),
    )
}

fn forbidden() -> Answer {
    errors(
        403,
        &["You do not have the permission to comment on this issue."],
        json!({}),
    )
}

/// `GET issue/{key}/comment` (`PageOfComments`), oldest first.
fn list_comments(s: &mut State, key: &str, q: &HashMap<String, String>) -> Answer {
    if !s.issues.iter().any(|i| i["key"] == key) {
        return not_found();
    }
    let all = s.comments.get(key).cloned().unwrap_or_default();
    let start: usize = q.get("startAt").and_then(|v| v.parse().ok()).unwrap_or(0);
    let asked: usize = q
        .get("maxResults")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let size = asked.min(s.max_page).max(1);
    let page: Vec<Value> = all
        .iter()
        .enumerate()
        .skip(start)
        .take(size)
        .map(|(n, body)| json!({"id": format!("{}", 100 + n), "body": body, "created": "2026-03-01T12:00:00.000+0000"}))
        .collect();
    json_answer(
        200,
        &json!({"startAt": start, "maxResults": size, "total": all.len(), "comments": page}),
    )
}

/// `POST issue/{key}/remotelink`: the same `globalId` updates (200), else creates (201).
fn remote_link(s: &mut State, key: &str, body: &str) -> Answer {
    if !s.issues.iter().any(|i| i["key"] == key) {
        return not_found();
    }
    if s.forbidden.iter().any(|k| k == key) {
        return errors(
            403,
            &["You do not have the permission to link issues."],
            json!({}),
        );
    }
    let Ok(mut req) = serde_json::from_str::<Value>(body) else {
        return errors(400, &["Invalid request payload."], json!({}));
    };
    if !req["object"]["url"].is_string() || !req["object"]["title"].is_string() {
        return errors(400, &[], json!({"object": "url and title are required"}));
    }
    let links = s.remote_links.entry(key.to_string()).or_default();
    let global = req["globalId"].as_str().map(str::to_string);
    let existing = global
        .as_deref()
        .and_then(|g| links.iter().position(|l| l["globalId"] == g));
    let (status, id) = match existing {
        Some(i) => {
            let id = links[i]["id"].clone();
            req["id"] = id.clone();
            links[i] = req;
            (200, id)
        }
        None => {
            let id = json!(10_000 + links.len());
            req["id"] = id.clone();
            links.push(req);
            (201, id)
        }
    };
    json_answer(
        status,
        &json!({"id": id, "self": format!("https://jira.example.com/rest/api/3/issue/{key}/remotelink/{id}")}),
    )
}

fn comment(s: &mut State, key: &str, body: &str) -> Answer {
    if !s.issues.iter().any(|i| i["key"] == key) {
        return not_found();
    }
    if s.forbidden.iter().any(|k| k == key) {
        return forbidden();
    }
    if !s.fail_comments.is_empty() {
        let status = s.fail_comments.remove(0);
        return errors(status, &["Internal server error"], json!({}));
    }
    let Ok(req) = serde_json::from_str::<Value>(body) else {
        return errors(400, &["Invalid request payload."], json!({}));
    };
    let ok = match s.mode {
        Mode::Cloud => valid_adf(&req["body"]),
        Mode::DataCenter => req["body"]
            .is_string()
            .then_some(())
            .ok_or("not a string".into()),
    };
    if let Err(e) = ok {
        return errors(
            400,
            &[],
            json!({"comment": format!("Comment body is not valid: {e}")}),
        );
    }
    s.comments
        .entry(key.to_string())
        .or_default()
        .push(req["body"].clone());
    let answer = json_answer(
        201,
        &json!({"id": "100", "body": req["body"], "created": "2026-03-01T12:00:00.000+0000"}),
    );
    match (!s.lose_comment_answers.is_empty()).then(|| s.lose_comment_answers.remove(0)) {
        Some(LostAnswer::BadGateway) => bad_gateway(),
        Some(lost) => Answer {
            lost: Some(lost),
            ..answer
        },
        None => answer,
    }
}
