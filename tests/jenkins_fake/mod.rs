//! An in-process fake Jenkins on a loopback port (a std::thread TCP server) that
//! answers as the documented JSON API does (API-NOTES §3):
//!
//! - jobs are found only by their exact URL path, `job/` repeated per folder and a
//!   multibranch branch's stored `%2F` encoded again (`release%252F1.2`);
//! - `tree=…builds[…]{M,N}` holds at most the newest 100 builds; only
//!   `allBuilds[…]{M,N}` reaches older ones;
//! - pipeline jobs (`WorkflowJob`) answer `changeSets` and `/{n}/wfapi/describe`,
//!   freestyle ones `changeSet` and a 404 for `wfapi`;
//! - basic auth with `user:token`; and, on request, the failures real servers give:
//!   401, an HTML login page, a 302 to `/login`, malformed JSON.
//!
//! Every request's path and decoded query are recorded, so tests can count them.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

#[path = "../common/decode.rs"]
mod decode;
use decode::decode;

use serde_json::{json, Value};

pub const USER: &str = "flightdeck-bot";
pub const TOKEN: &str = "11fake0jenkins0api0token0042";
/// Jenkins's context path: the configured url carries it.
pub const CONTEXT: &str = "/jenkins";

/// How the server answers every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// 401 with Jenkins's plain text body, whatever the credentials.
    Unauthorized,
    /// 200 with an HTML login page (a proxy or SSO in front of Jenkins).
    LoginPage,
    /// 302 to `/login`, whose page is HTML (Jenkins without a valid token).
    RedirectToLogin,
    /// 200, `application/json`, cut off mid-way.
    MalformedJson,
}

/// A job as the fake holds it.
#[derive(Debug, Clone)]
pub struct Job {
    pub pipeline: bool,
    /// Newest first, as Jenkins lists them.
    pub builds: Vec<Value>,
}

#[derive(Debug, Default)]
pub struct State {
    pub mode: Option<Mode>,
    /// By URL path without the context (`/job/a/job/b`).
    pub jobs: BTreeMap<String, Job>,
    /// Every request: path and decoded query.
    pub requests: Vec<String>,
    /// Stages per `(job path, build number)`.
    pub stages: BTreeMap<(String, u64), Value>,
}

pub struct FakeJenkins {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

impl FakeJenkins {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let url = format!(
            "http://{}{CONTEXT}",
            listener.local_addr().expect("an address")
        );
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = shared.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &state);
                });
            }
        });
        FakeJenkins { url, state }
    }

    pub fn set_mode(&self, mode: Mode) {
        self.lock().mode = Some(mode);
    }

    pub fn add_job(&self, url_path: &str, job: Job) {
        self.lock().jobs.insert(url_path.to_string(), job);
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The requests made so far, and forgets them.
    pub fn take_requests(&self) -> Vec<String> {
        std::mem::take(&mut self.lock().requests)
    }
}

/// A finished or running build in Jenkins's shape; `changes` are
/// `(commitId, ms, msg, author)`.
pub fn build(
    number: u64,
    result: Option<&str>,
    timestamp_ms: i64,
    duration_ms: i64,
    params: &[(&str, &str)],
    changes: &[(&str, i64, &str, &str)],
    pipeline: bool,
) -> Value {
    let items: Vec<Value> = changes
        .iter()
        .map(|(id, ms, msg, author)| {
            json!({"_class": "hudson.plugins.git.GitChangeSet", "commitId": id,
                   "timestamp": ms, "msg": msg, "author": {"fullName": author}})
        })
        .collect();
    let parameters: Vec<Value> = params
        .iter()
        .map(|(n, v)| json!({"_class": "hudson.model.StringParameterValue", "name": n, "value": v}))
        .collect();
    let class = if pipeline {
        "org.jenkinsci.plugins.workflow.job.WorkflowRun"
    } else {
        "hudson.model.FreeStyleBuild"
    };
    let mut b = json!({
        "_class": class,
        "number": number,
        "result": result,
        "building": result.is_none(),
        "timestamp": timestamp_ms,
        "duration": if result.is_none() { 0 } else { duration_ms },
        "url": format!("https://ci.example.com/jenkins/job/x/{number}/"),
        "displayName": format!("#{number}"),
        "actions": [
            {"_class": "hudson.model.CauseAction",
             "causes": [{"_class": "hudson.model.Cause$UserIdCause", "userId": "jane", "userName": "Jane Doe"}]},
            null,
            {"_class": "hudson.model.ParametersAction", "parameters": parameters},
            {}
        ],
    });
    let set =
        json!({"_class": "hudson.plugins.git.GitChangeSetList", "kind": "git", "items": items});
    if pipeline {
        b["changeSets"] = json!([set]);
    } else {
        b["changeSet"] = set;
    }
    b
}

fn serve(mut stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut authorization = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("authorization") {
                authorization = Some(value.trim().to_string());
            }
        }
    }
    let target = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query = decode(query);
    let (status, headers, body) = {
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        s.requests.push(format!("{path}?{query}"));
        answer(&s, path, &query, authorization.as_deref())
    };
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\nX-Jenkins: 2.440.3\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    stream.flush()
}

type Answer = (u16, Vec<(&'static str, String)>, String);

fn json_answer(v: Value) -> Answer {
    (
        200,
        vec![("Content-Type", "application/json;charset=utf-8".into())],
        v.to_string(),
    )
}

fn not_found() -> Answer {
    (
        404,
        vec![("Content-Type", "text/html;charset=utf-8".into())],
        "<html><head><title>Error 404 Not Found</title></head><body>Not Found</body></html>".into(),
    )
}

const LOGIN_PAGE: &str = "<!DOCTYPE html><html><head><title>Sign in [Jenkins]</title></head>\
     <body><form name=\"login\" action=\"j_spring_security_check\"></form></body></html>";

fn answer(s: &State, path: &str, query: &str, authorization: Option<&str>) -> Answer {
    let Some(rest) = path.strip_prefix(CONTEXT) else {
        return not_found();
    };
    if rest == "/login" {
        let html = vec![("Content-Type", "text/html;charset=utf-8".into())];
        return (200, html, LOGIN_PAGE.into());
    }
    match s.mode.unwrap_or(Mode::Normal) {
        Mode::Normal => {}
        Mode::Unauthorized => {
            return (
                401,
                vec![("Content-Type", "text/plain".into()), ("WWW-Authenticate", "Basic realm=\"Jenkins\"".into())],
                "Invalid password/token for user: flightdeck-bot".into(),
            )
        }
        Mode::LoginPage => {
            let html = vec![("Content-Type", "text/html;charset=utf-8".into())];
            return (200, html, LOGIN_PAGE.into());
        }
        Mode::RedirectToLogin => {
            let to = format!("{CONTEXT}/login?from=%2Fjenkins{}", rest.replace('/', "%2F"));
            return (302, vec![("Location", to)], String::new());
        }
        Mode::MalformedJson => {
            return (
                200,
                vec![("Content-Type", "application/json".into())],
                "{\"_class\":\"org.jenkinsci.plugins.workflow.job.WorkflowJob\",\"builds\":[{\"number\":3,".into(),
            )
        }
    }
    let expected = format!("Basic {}", base64(&format!("{USER}:{TOKEN}")));
    if authorization != Some(expected.as_str()) {
        return (
            401,
            vec![("Content-Type", "text/plain".into())],
            "Invalid password/token for user".into(),
        );
    }
    if rest == "/whoAmI/api/json" {
        return json_answer(json!({"_class": "hudson.security.WhoAmI", "name": USER,
                                  "authenticated": true, "anonymous": false}));
    }
    if let Some(job_path) = rest.strip_suffix("/api/json") {
        let Some(job) = s.jobs.get(job_path) else {
            return not_found();
        };
        return json_answer(job_answer(job, query));
    }
    if let Some(run) = rest.strip_suffix("/wfapi/describe") {
        let Some((job_path, number)) = run.rsplit_once('/') else {
            return not_found();
        };
        let (Some(job), Ok(number)) = (s.jobs.get(job_path), number.parse::<u64>()) else {
            return not_found();
        };
        if !job.pipeline {
            return not_found();
        }
        let stages = s
            .stages
            .get(&(job_path.to_string(), number))
            .cloned()
            .unwrap_or_else(|| json!([]));
        return json_answer(
            json!({"id": number.to_string(), "name": format!("#{number}"),
                                  "status": "SUCCESS", "stages": stages}),
        );
    }
    not_found()
}

fn job_answer(job: &Job, query: &str) -> Value {
    let class = if job.pipeline {
        "org.jenkinsci.plugins.workflow.job.WorkflowJob"
    } else {
        "hudson.model.FreeStyleProject"
    };
    let tree = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("tree="))
        .unwrap_or("");
    let mut out = json!({"_class": class});
    for (name, cap) in [("allBuilds[", usize::MAX), ("builds[", 100)] {
        let Some(at) = tree.find(name) else { continue };
        // `allBuilds[` also contains `builds[`: only a list name at a word start counts.
        if at > 0 && tree.as_bytes()[at - 1].is_ascii_alphabetic() {
            continue;
        }
        let visible = &job.builds[..job.builds.len().min(cap)];
        let (start, end) = range(tree).unwrap_or((0, visible.len()));
        let slice: Vec<Value> = visible
            .iter()
            .skip(start)
            .take(end.saturating_sub(start))
            .cloned()
            .collect();
        let key = name.trim_end_matches('[');
        out[key] = Value::Array(slice);
        break;
    }
    out
}

/// The `{M,N}` at the end of a tree.
fn range(tree: &str) -> Option<(usize, usize)> {
    let open = tree.rfind('{')?;
    let inner = tree[open + 1..].strip_suffix('}')?;
    let (m, n) = inner.split_once(',')?;
    Some((m.parse().ok()?, n.parse().ok()?))
}

fn base64(s: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = s.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
