//! An in-process fake GitLab (REST v4) on a loopback port, answering as the documented
//! API does (API-NOTES §2): deployments filtered by environment and `updated_after`,
//! ordered by `updated_at` (ties by id desc), offset pagination with `x-next-page`,
//! `x-page`, `x-total`/`x-total-pages` only up to 10,000 records, a `Link` header
//! (rel `last` only up to 10,000); the compare API (not paginated) and the commits
//! list (newest first, paginated); `GET /user` and `GET /projects/:id`; 401 with
//! `{"message":"401 Unauthorized"}` for a wrong or missing token.
//!
//! Misbehaviours a test switches on: pages by `Link` alone, a server that ignores
//! `page` (every page repeats), a `Link` that points back at itself, 429s with
//! `Retry-After`, an HTML login page, a compare cut short.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

// The hostile server's (both are compiled into tests/gitlab_source.rs).
pub use crate::hostile::decode::decode;

// The wire format the fakes share (it decodes with its own copy of the decoder).
#[path = "../common/wire.rs"]
mod wire;
use wire::query_map;

use serde_json::{json, Value};

/// The token the fake accepts.
pub const TOKEN: &str = "glpat-fake-T0KEN-0123456789";

/// GitLab leaves out the totals past this many records.
const TOTALS_LIMIT: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// `x-next-page` and the rest of the `x-*` headers, and `Link`.
    Headers,
    /// Only `Link` (a proxy that strips `x-*` headers).
    LinkOnly,
    /// `page` is ignored: every page is the first, `x-next-page` keeps counting.
    RepeatPage,
    /// `Link rel="next"` of page 2 and later points at the page itself; no `x-*`.
    LinkLoop,
    /// `Link rel="next"` points at another host (which must never see the token).
    LinkElsewhere,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub id: u64,
    pub path: String,
    pub deployments: Vec<Value>,
    /// The linear history, oldest first: each `{"id", "title", …}`.
    pub commits: Vec<Value>,
    /// The compare answers at most this many commits (oldest first), as if cut short.
    pub compare_limit: Option<usize>,
    /// Each pipeline's jobs, every attempt of a retried job included (see [`job`]).
    pub jobs: HashMap<u64, Vec<Value>>,
    /// Issues, incidents among them (see [`incident`]).
    pub issues: Vec<Value>,
    /// Merge requests with the shas of their commits (see [`merge_request`]).
    pub merge_requests: Vec<(Value, Vec<String>)>,
}

#[derive(Debug)]
pub struct State {
    pub projects: Vec<Project>,
    pub paging: Paging,
    /// The next this many requests get 429 with this `Retry-After` (seconds).
    pub rate_limited: usize,
    pub retry_after_secs: u64,
    /// Every request is answered with a login page.
    pub html_login: bool,
    /// Every listing is answered with JSON cut off midway.
    pub malformed: bool,
    /// Every request's path and query, in order.
    pub log: Vec<String>,
    /// Every answer says the quota is spent until this Unix second
    /// (`RateLimit-Remaining: 0`, `RateLimit-Reset`), as GitLab's throttle does.
    pub quota_reset: Option<u64>,
    /// When each request arrived (Unix milliseconds), in order.
    pub arrivals: Vec<u128>,
    /// The next this many issue creates store the issue and answer 502.
    pub lose_create_answers: usize,
    /// Requests whose target contains this text are refused with 401 (a token that
    /// cannot read one project while it reads the others).
    pub refuse_containing: Option<String>,
}

pub struct FakeGitLab {
    /// Base URL as configured (with a path, like a self-hosted instance under one).
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

/// The path the instance is served under.
pub const BASE_PATH: &str = "/gitlab";

impl FakeGitLab {
    pub fn start(projects: Vec<Project>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let url = format!("http://{}{BASE_PATH}", listener.local_addr().expect("addr"));
        let state = Arc::new(Mutex::new(State {
            projects,
            paging: Paging::Headers,
            rate_limited: 0,
            retry_after_secs: 1,
            html_login: false,
            malformed: false,
            log: Vec::new(),
            quota_reset: None,
            arrivals: Vec::new(),
            lose_create_answers: 0,
            refuse_containing: None,
        }));
        let shared = state.clone();
        let origin = url.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = shared.clone();
                let origin = origin.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &shared, &origin);
                });
            }
        });
        FakeGitLab { url, state }
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().expect("fake state"))
    }

    /// Requests whose path contains `part`.
    pub fn requests(&self, part: &str) -> Vec<String> {
        self.with(|s| s.log.iter().filter(|l| l.contains(part)).cloned().collect())
    }
}

struct Answer {
    status: u16,
    content_type: &'static str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn json_answer(v: &Value) -> Answer {
    Answer {
        status: 200,
        content_type: "application/json",
        headers: Vec::new(),
        body: v.to_string().into_bytes(),
    }
}

fn error(status: u16, message: &str) -> Answer {
    Answer {
        status,
        content_type: "application/json",
        headers: Vec::new(),
        body: json!({ "message": message }).to_string().into_bytes(),
    }
}

fn serve(mut stream: TcpStream, state: &Mutex<State>, origin: &str) -> std::io::Result<()> {
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
    let target = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    let is_post = request_line.starts_with("POST ");
    let answer = {
        let mut s = state.lock().expect("fake state");
        s.log.push(target.clone());
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        s.arrivals.push(ms);
        let mut answer = if is_post {
            s.log.last_mut().expect("logged").insert_str(0, "POST ");
            route_post(&mut s, &target, &headers, &body)
        } else {
            route(&mut s, &target, &headers, origin)
        };
        if let Some(reset) = s.quota_reset.filter(|_| answer.status == 200) {
            answer
                .headers
                .push(("RateLimit-Remaining".into(), "0".into()));
            answer
                .headers
                .push(("RateLimit-Reset".into(), reset.to_string()));
        }
        answer
    };
    wire::write_answer(
        &mut stream,
        answer.status,
        answer.content_type,
        &answer.headers,
        &answer.body,
    )
}

fn route(s: &mut State, target: &str, headers: &HashMap<String, String>, origin: &str) -> Answer {
    if s.html_login {
        return Answer {
            status: 200,
            content_type: "text/html; charset=utf-8",
            headers: Vec::new(),
            body: b"<!DOCTYPE html><html><head><title>Sign in \xc2\xb7 GitLab</title></head><body><form>password</form></body></html>".to_vec(),
        };
    }
    if s.rate_limited > 0 {
        s.rate_limited -= 1;
        return Answer {
            status: 429,
            content_type: "text/plain",
            headers: vec![("Retry-After".into(), s.retry_after_secs.to_string())],
            body: b"Retry later\n".to_vec(),
        };
    }
    if s.refuse_containing
        .as_deref()
        .is_some_and(|part| target.contains(part))
    {
        return error(401, "401 Unauthorized");
    }
    let authorized = headers.get("private-token").map(String::as_str) == Some(TOKEN)
        || headers.get("authorization").map(String::as_str) == Some(&format!("Bearer {TOKEN}"));
    if !authorized {
        return error(401, "401 Unauthorized");
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let q = query_map(query);
    let Some(rest) = path.strip_prefix(&format!("{BASE_PATH}/api/v4/")) else {
        return error(404, "404 Not Found");
    };
    if rest == "user" {
        return json_answer(&json!({"id": 7, "username": "fd-bot", "name": "flightdeck"}));
    }
    let Some(rest) = rest.strip_prefix("projects/") else {
        return error(404, "404 Not Found");
    };
    // The project id is one path segment: a full path arrives URL-encoded.
    let (raw_id, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let id = decode(raw_id);
    // Borrowed, not cloned: a project of 20,000 deployments cloned on every request
    // made the scale bench measure the fake instead of the client.
    let s: &State = s;
    let Some(project) = s
        .projects
        .iter()
        .find(|p| p.path == id || p.id.to_string() == id)
    else {
        return error(404, "404 Project Not Found");
    };
    let base = format!("{origin}/api/v4/projects/{raw_id}/{tail}");
    match tail {
        "" => json_answer(&json!({"id": project.id, "path_with_namespace": project.path})),
        "deployments" => {
            let mut answer = deployments(s.paging, project, &q, &base);
            if s.malformed {
                answer.body.truncate(answer.body.len() / 2);
            }
            answer
        }
        "repository/compare" => compare(project, &q),
        "repository/commits" => commits(project, &q, &base),
        "issues" => issues(project, &q, &base),
        "merge_requests" => merge_requests(project, &q, &base),
        t if t.starts_with("issues/") && t.ends_with("/notes") => notes(project, t),
        _ => match (pipeline_jobs_of(tail), mr_commits_of(tail)) {
            (Some(id), _) => jobs(project, id, &q, &base),
            (_, Some(iid)) => mr_commits(project, iid, &q, &base),
            _ => error(404, "404 Not Found"),
        },
    }
}

fn deployments(paging: Paging, p: &Project, q: &HashMap<String, String>, base: &str) -> Answer {
    let env = q.get("environment");
    let time = |t: &str| chrono::DateTime::parse_from_rfc3339(t).ok();
    let after = q.get("updated_after").map(|a| time(a));
    // order_by=updated_at, sort=asc, id desc as the tie-breaker (DeploymentsFinder).
    // The sort keys are read once per record: at 20,000 deployments, looking them up
    // in each comparison was most of the scale bench's time.
    let mut keyed: Vec<_> = p
        .deployments
        .iter()
        .filter(|d| env.is_none_or(|e| d["environment"]["name"].as_str() == Some(e)))
        .map(|d| {
            let updated = d["updated_at"].as_str();
            (updated, std::cmp::Reverse(d["id"].as_u64()), d)
        })
        .filter(|(updated, _, _)| after.is_none_or(|a| updated.and_then(time) >= a))
        .collect();
    keyed.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let rows: Vec<&Value> = keyed.into_iter().map(|(_, _, d)| d).collect();
    paginate(paging, &rows, q, base)
}

/// Offset pagination as GitLab answers it.
fn paginate(paging: Paging, rows: &[&Value], q: &HashMap<String, String>, base: &str) -> Answer {
    let per_page = q
        .get("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(20)
        .clamp(1, 100);
    let asked = q
        .get("page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let page = if paging == Paging::RepeatPage {
        1
    } else {
        asked
    };
    let total = rows.len();
    let pages = total.div_ceil(per_page).max(1);
    let start = (page - 1) * per_page;
    let items: Vec<Value> = rows
        .iter()
        .skip(start)
        .take(per_page)
        .map(|v| (*v).clone())
        .collect();
    let has_next = if paging == Paging::RepeatPage {
        asked < pages
    } else {
        page < pages
    };
    let link_to = |n: usize| {
        let mut params: Vec<String> = q
            .iter()
            .filter(|(k, _)| k.as_str() != "page")
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        params.sort();
        params.push(format!("page={n}"));
        format!("{base}?{}", params.join("&"))
    };
    let mut links = vec![format!("<{}>; rel=\"first\"", link_to(1))];
    if page > 1 {
        links.push(format!("<{}>; rel=\"prev\"", link_to(page - 1)));
    }
    if has_next {
        let next = if paging == Paging::LinkLoop && page >= 2 {
            link_to(page)
        } else if paging == Paging::LinkElsewhere {
            "http://elsewhere.invalid/api/v4/projects/5/deployments?page=2".to_string()
        } else {
            link_to(asked + 1)
        };
        links.push(format!("<{next}>; rel=\"next\""));
    }
    let mut headers = Vec::new();
    if total <= TOTALS_LIMIT {
        links.push(format!("<{}>; rel=\"last\"", link_to(pages)));
    }
    headers.push(("Link".to_string(), links.join(", ")));
    if matches!(paging, Paging::Headers | Paging::RepeatPage) {
        headers.push(("x-page".into(), page.to_string()));
        headers.push(("x-per-page".into(), per_page.to_string()));
        headers.push((
            "x-next-page".into(),
            if has_next {
                (asked + 1).to_string()
            } else {
                String::new()
            },
        ));
        headers.push((
            "x-prev-page".into(),
            if page > 1 {
                (page - 1).to_string()
            } else {
                String::new()
            },
        ));
        if total <= TOTALS_LIMIT {
            headers.push(("x-total".into(), total.to_string()));
            headers.push(("x-total-pages".into(), pages.to_string()));
        }
    }
    let mut answer = json_answer(&Value::Array(items));
    answer.headers = headers;
    answer
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn position(p: &Project, sha: &str) -> Option<usize> {
    p.commits.iter().position(|c| c["id"].as_str() == Some(sha))
}

/// `from...to` on a linear history: the commits after `from` up to `to`, oldest first.
fn compare(p: &Project, q: &HashMap<String, String>) -> Answer {
    let (Some(from), Some(to)) = (
        q.get("from").and_then(|f| position(p, f)),
        q.get("to").and_then(|t| position(p, t)),
    ) else {
        return error(404, "404 Ref Not Found");
    };
    let mut commits: Vec<Value> = if to > from {
        p.commits[from + 1..=to].to_vec()
    } else {
        Vec::new()
    };
    if let Some(limit) = p.compare_limit {
        commits.truncate(limit);
    }
    json_answer(&json!({
        "commit": p.commits[to],
        "commits": commits,
        "diffs": [],
        "compare_timeout": false,
        "compare_same_ref": from == to,
        "web_url": "http://fake/compare"
    }))
}

/// `GET /repository/commits?ref_name=<sha>`: the history from that commit back,
/// newest first.
fn commits(p: &Project, q: &HashMap<String, String>, base: &str) -> Answer {
    let Some(end) = q.get("ref_name").and_then(|r| position(p, r)) else {
        return error(404, "404 Ref Not Found");
    };
    let rows: Vec<&Value> = p.commits[..=end].iter().rev().collect();
    paginate(Paging::Headers, &rows, q, base)
}

/// A commit of the fake history, `n` minutes after `start`.
pub fn commit(n: usize, start: chrono::DateTime<chrono::Utc>) -> Value {
    let authored = start + chrono::Duration::minutes(n as i64);
    let committed = authored + chrono::Duration::seconds(30);
    json!({
        "id": sha(n),
        "short_id": &sha(n)[..8],
        "title": format!("change {n}"),
        "message": format!("change {n}\n\nbody"),
        "author_name": "Dev Eloper",
        "author_email": "dev@example.com",
        "authored_date": authored.to_rfc3339(),
        "committer_name": "Dev Eloper",
        "committed_date": committed.to_rfc3339(),
        "created_at": committed.to_rfc3339(),
        "parent_ids": []
    })
}

/// The fake sha of commit `n` (40 hex digits).
pub fn sha(n: usize) -> String {
    format!("{n:040x}")
}

/// A deployment record as `GET /deployments` lists it.
pub struct Dep<'a> {
    pub id: u64,
    pub environment: &'a str,
    pub sha: Option<String>,
    pub status: &'a str,
    pub created: chrono::DateTime<chrono::Utc>,
    pub updated: chrono::DateTime<chrono::Utc>,
    /// The job's start and finish; `None` for a deployment made through the API
    /// (`deployable: null`).
    pub job: Option<(
        chrono::DateTime<chrono::Utc>,
        Option<chrono::DateTime<chrono::Utc>>,
    )>,
}

impl Dep<'_> {
    pub fn json(&self) -> Value {
        let deployable = match self.job {
            None => Value::Null,
            Some((started, finished)) => json!({
                "id": self.id + 10_000,
                "status": self.status,
                "stage": "deploy",
                "name": "deploy-production",
                "ref": "main",
                "tag": false,
                "created_at": started.to_rfc3339(),
                "started_at": started.to_rfc3339(),
                "finished_at": finished.map(|f| f.to_rfc3339()),
                "web_url": format!("https://gitlab.example.com/acme/app/-/jobs/{}", self.id + 10_000),
                "commit": {"id": self.sha, "title": "the deployed commit"},
                "pipeline": {"id": self.id + 20_000, "status": self.status, "web_url": "https://gitlab.example.com/p"},
                "user": {"id": 1, "username": "deployer"},
                "runner": null,
                "coverage": null
            }),
        };
        let mut v = json!({
            "id": self.id,
            "iid": self.id,
            "ref": "main",
            "created_at": self.created.to_rfc3339(),
            "updated_at": self.updated.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "status": self.status,
            "user": {"id": 1, "name": "Deployer", "username": "deployer", "state": "active"},
            "environment": {"id": 9, "name": self.environment, "external_url": null},
            "deployable": deployable
        });
        if let Some(sha) = &self.sha {
            v["sha"] = json!(sha);
        }
        v
    }
}

/// `pipelines/<id>/jobs` → the pipeline id.
fn pipeline_jobs_of(tail: &str) -> Option<u64> {
    tail.strip_prefix("pipelines/")?
        .strip_suffix("/jobs")?
        .parse()
        .ok()
}

/// `GET /pipelines/:id/jobs`: sorted by id desc; retried attempts (all but the
/// latest of a stage's job name) only with `include_retried=true` (GitLab 13.5+).
fn jobs(p: &Project, pipeline: u64, q: &HashMap<String, String>, base: &str) -> Answer {
    // A pipeline the test gave no jobs lists none.
    let none = Vec::new();
    let all = p.jobs.get(&pipeline).unwrap_or(&none);
    let latest = |j: &Value| {
        !all.iter().any(|o| {
            o["stage"] == j["stage"]
                && o["name"] == j["name"]
                && o["id"].as_u64() > j["id"].as_u64()
        })
    };
    let retried = q.get("include_retried").map(String::as_str) == Some("true");
    let mut rows: Vec<&Value> = all.iter().filter(|j| retried || latest(j)).collect();
    rows.sort_by(|a, b| b["id"].as_u64().cmp(&a["id"].as_u64()));
    paginate(Paging::Headers, &rows, q, base)
}

/// A pipeline job as the jobs API lists it; `span` is its start and finish (`None`
/// for a job that never started, like a manual one).
pub fn job(
    id: u64,
    stage: &str,
    name: &str,
    status: &str,
    span: Option<(
        chrono::DateTime<chrono::Utc>,
        Option<chrono::DateTime<chrono::Utc>>,
    )>,
) -> Value {
    json!({
        "id": id,
        "name": name,
        "stage": stage,
        "status": status,
        "allow_failure": false,
        "created_at": span.map(|(s, _)| s.to_rfc3339()),
        "started_at": span.map(|(s, _)| s.to_rfc3339()),
        "finished_at": span.and_then(|(_, f)| f.map(|f| f.to_rfc3339())),
        "duration": null,
        "web_url": format!("https://gitlab.example.com/acme/app/-/jobs/{id}"),
        "pipeline": {"id": 0, "status": status}
    })
}

/// `GET /projects/:id/issues`: filtered by `issue_type` and `updated_after`, ordered
/// by `updated_at` asc when asked (GitLab's default is `created_at` desc).
fn issues(p: &Project, q: &HashMap<String, String>, base: &str) -> Answer {
    let time = |t: &str| chrono::DateTime::parse_from_rfc3339(t).ok();
    let after = q.get("updated_after").map(|a| time(a));
    let kind = q.get("issue_type");
    // `labels=a,b`: issues carrying every one of them.
    let labels: Vec<&str> = q.get("labels").map_or(Vec::new(), |l| {
        l.split(',').filter(|x| !x.is_empty()).collect()
    });
    let mut rows: Vec<&Value> = p
        .issues
        .iter()
        .filter(|i| kind.is_none_or(|k| i["issue_type"].as_str() == Some(k)))
        .filter(|i| {
            labels.iter().all(|l| {
                i["labels"]
                    .as_array()
                    .is_some_and(|have| have.iter().any(|h| h.as_str() == Some(l)))
            })
        })
        .filter(|i| after.is_none_or(|a| i["updated_at"].as_str().and_then(time) > a))
        .collect();
    if q.get("order_by").map(String::as_str) == Some("updated_at") {
        rows.sort_by(|a, b| a["updated_at"].as_str().cmp(&b["updated_at"].as_str()));
    } else {
        rows.sort_by(|a, b| b["created_at"].as_str().cmp(&a["created_at"].as_str()));
    }
    paginate(Paging::Headers, &rows, q, base)
}

/// An issue as the issues API lists it (`issue_type` incident unless `kind` says).
pub fn incident(
    iid: u64,
    kind: &str,
    labels: &[&str],
    created: chrono::DateTime<chrono::Utc>,
    closed: Option<chrono::DateTime<chrono::Utc>>,
) -> Value {
    let updated = closed.unwrap_or(created);
    json!({
        "id": 1_000 + iid,
        "iid": iid,
        "project_id": 5,
        "title": format!("incident {iid}"),
        "state": if closed.is_some() { "closed" } else { "opened" },
        "labels": labels,
        "severity": "UNKNOWN",
        "issue_type": kind,
        "type": kind.to_uppercase(),
        "created_at": created.to_rfc3339(),
        "updated_at": updated.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "closed_at": closed.map(|c| c.to_rfc3339()),
        "references": {"short": format!("#{iid}"), "full": format!("acme/app#{iid}")}
    })
}

/// `merge_requests/<iid>/commits` → the iid.
fn mr_commits_of(tail: &str) -> Option<u64> {
    tail.strip_prefix("merge_requests/")?
        .strip_suffix("/commits")?
        .parse()
        .ok()
}

/// `GET /merge_requests`: `state` (default all) and `updated_after` filter;
/// `merged_after` does not exist and is ignored, as Grape ignores unknown params.
fn merge_requests(p: &Project, q: &HashMap<String, String>, base: &str) -> Answer {
    let time = |t: &str| chrono::DateTime::parse_from_rfc3339(t).ok();
    let after = q.get("updated_after").map(|a| time(a));
    let state = q.get("state").filter(|s| s.as_str() != "all");
    let mut rows: Vec<&Value> = p
        .merge_requests
        .iter()
        .map(|(mr, _)| mr)
        .filter(|mr| state.is_none_or(|s| mr["state"].as_str() == Some(s)))
        .filter(|mr| after.is_none_or(|a| mr["updated_at"].as_str().and_then(time) > a))
        .collect();
    rows.sort_by(|a, b| a["updated_at"].as_str().cmp(&b["updated_at"].as_str()));
    paginate(Paging::Headers, &rows, q, base)
}

/// `GET /merge_requests/:iid/commits`: newest first.
fn mr_commits(p: &Project, iid: u64, q: &HashMap<String, String>, base: &str) -> Answer {
    let Some((_, shas)) = p
        .merge_requests
        .iter()
        .find(|(mr, _)| mr["iid"].as_u64() == Some(iid))
    else {
        return error(404, "404 Not found");
    };
    let rows: Vec<&Value> = shas
        .iter()
        .rev()
        .filter_map(|s| position(p, s).map(|i| &p.commits[i]))
        .collect();
    paginate(Paging::Headers, &rows, q, base)
}

/// A merged merge request as the list gives it, with the shas of its commits.
pub fn merge_request(
    iid: u64,
    shas: Vec<String>,
    merged: chrono::DateTime<chrono::Utc>,
) -> (Value, Vec<String>) {
    let head = shas.last().cloned();
    (
        json!({
            "id": 5_000 + iid,
            "iid": iid,
            "state": "merged",
            "target_branch": "main",
            "sha": head,
            "merge_commit_sha": null,
            "squash_commit_sha": null,
            "created_at": (merged - chrono::Duration::hours(2)).to_rfc3339(),
            "updated_at": merged.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "merged_at": merged.to_rfc3339(),
        }),
        shas,
    )
}

/// `POST /projects/:id/issues` (creates an issue as GitLab does: 201 with its iid
/// and references; a missing title is a 400 `{"message": {"title": [...]}}`) and
/// `POST /projects/:id/issues/:iid/notes`. Same auth, 429 and login-page behaviour
/// as the reads; `lose_create_answers` stores the issue and answers 502.
fn route_post(
    s: &mut State,
    target: &str,
    headers: &HashMap<String, String>,
    body: &[u8],
) -> Answer {
    if s.html_login || s.rate_limited > 0 {
        return route(s, target, headers, "");
    }
    let authorized = headers.get("private-token").map(String::as_str) == Some(TOKEN)
        || headers.get("authorization").map(String::as_str) == Some(&format!("Bearer {TOKEN}"));
    if !authorized {
        return error(401, "401 Unauthorized");
    }
    let Some(rest) = target.strip_prefix(&format!("{BASE_PATH}/api/v4/projects/")) else {
        return error(404, "404 Not Found");
    };
    let (raw_id, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let id = decode(raw_id);
    let Some(index) = s
        .projects
        .iter()
        .position(|p| p.path == id || p.id.to_string() == id)
    else {
        return error(404, "404 Project Not Found");
    };
    let Ok(req) = serde_json::from_slice::<Value>(body) else {
        return error(400, "400 Bad request - body is not JSON");
    };
    let path = s.projects[index].path.clone();
    if tail == "issues" {
        if req["title"].as_str().is_none_or(|t| t.trim().is_empty()) {
            return json_answer_status(400, &json!({"message": {"title": ["can't be blank"]}}));
        }
        let p = &mut s.projects[index];
        let iid = p
            .issues
            .iter()
            .filter_map(|i| i["iid"].as_u64())
            .max()
            .unwrap_or(0)
            + 1;
        let labels: Vec<&str> = req["labels"]
            .as_str()
            .unwrap_or("")
            .split(',')
            .filter(|l| !l.is_empty())
            .collect();
        let now = chrono::Utc::now().to_rfc3339();
        let issue = json!({
            "id": 1_000 + iid, "iid": iid, "project_id": p.id, "title": req["title"],
            "description": req["description"], "state": "opened", "labels": labels,
            "issue_type": "issue", "type": "ISSUE", "due_date": req["due_date"],
            "assignee_id": req["assignee_id"],
            "created_at": now, "updated_at": now, "closed_at": null,
            "references": {"short": format!("#{iid}"), "full": format!("{path}#{iid}")},
            "notes": []
        });
        p.issues.push(issue.clone());
        if s.lose_create_answers > 0 {
            s.lose_create_answers -= 1;
            return error(502, "502 Bad Gateway");
        }
        return json_answer_status(201, &issue);
    }
    let iid = tail
        .strip_prefix("issues/")
        .and_then(|t| t.strip_suffix("/notes"))
        .and_then(|n| n.parse::<u64>().ok());
    let Some(issue) = iid.and_then(|iid| {
        s.projects[index]
            .issues
            .iter_mut()
            .find(|i| i["iid"].as_u64() == Some(iid))
    }) else {
        return error(404, "404 Not found");
    };
    if let Some(notes) = issue["notes"].as_array_mut() {
        notes.push(req["body"].clone());
    }
    json_answer_status(201, &json!({"id": 1, "body": req["body"]}))
}

/// `GET /projects/:id/issues/:iid/notes`: the notes posted, oldest first (one page).
fn notes(p: &Project, tail: &str) -> Answer {
    let iid = tail
        .strip_prefix("issues/")
        .and_then(|t| t.strip_suffix("/notes"))
        .and_then(|n| n.parse::<u64>().ok());
    let Some(issue) = iid.and_then(|iid| p.issues.iter().find(|i| i["iid"].as_u64() == Some(iid)))
    else {
        return error(404, "404 Not found");
    };
    let notes: Vec<Value> = issue["notes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(n, body)| json!({"id": n + 1, "body": body, "system": false}))
        .collect();
    json_answer(&Value::Array(notes))
}

fn json_answer_status(status: u16, v: &Value) -> Answer {
    Answer {
        status,
        ..json_answer(v)
    }
}
