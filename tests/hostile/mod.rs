//! A hostile Prometheus-compatible server on a loopback port, and the corpus it attacks
//! with: escape sequences of every family (C0, C1 in 7- and 8-bit form, CSI, OSC, DCS,
//! APC, PM, SOS), bidi controls, the client's own token echoed back, and oversized
//! text, put in every field a Prometheus answer has (build version, warnings, infos,
//! errorType, error, label values, HTTP error bodies, HTML titles).
//!
//! Every field carries a visible tag (`HOSTILE-<field>`), so a test can prove the
//! field reached the output it checks, and not merely that nothing was printed.

#![allow(dead_code)]

pub mod jenkins;
pub mod jira;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[path = "../common/decode.rs"]
pub mod decode;
use decode::decode;

/// The bearer token the client is configured with; the server echoes it everywhere.
pub const TOKEN: &str = "fd-hostile-T0KEN-5ecret-0042";

/// A credential-looking word after `Bearer ` that is not a configured secret.
pub const BEARER_WORD: &str = "abcdefghijkLMNOP";

/// Characters in the oversized part of every field.
pub const OVERSIZED: usize = 5_000;

/// Each family of terminal-interpreted sequences, by name.
pub fn families() -> Vec<(&'static str, String)> {
    vec![
        ("c0", "\u{0}\u{1}\u{7}\u{8}\u{b}\u{c}\u{e}\u{1a}\u{7f}\r".to_string()),
        ("csi-7bit", "\u{1b}[2J\u{1b}[H\u{1b}[31;1m\u{1b}[?1049l".to_string()),
        ("csi-8bit", "\u{9b}2J\u{9b}?25l".to_string()),
        (
            "osc-7bit",
            "\u{1b}]0;PWNED-TITLE\u{7}\u{1b}]52;c;Y2xpcGJvYXJk\u{1b}\\".to_string(),
        ),
        ("osc-8bit", "\u{9d}0;PWNED-TITLE\u{9c}".to_string()),
        ("dcs-7bit", "\u{1b}P+q544e\u{1b}\\".to_string()),
        ("dcs-8bit", "\u{90}+q544e\u{9c}".to_string()),
        ("apc-7bit", "\u{1b}_Gf=100;AAAA\u{1b}\\".to_string()),
        ("apc-8bit", "\u{9f}Gf=100\u{9c}".to_string()),
        ("pm-sos", "\u{1b}^pm\u{1b}\\\u{1b}Xsos\u{1b}\\\u{9e}\u{98}".to_string()),
        ("other-c1", "\u{84}\u{85}\u{8d}\u{8e}\u{8f}".to_string()),
        (
            "bidi",
            "\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}\u{2066}\u{2067}\u{2068}\u{2069}\u{200e}\u{200f}\u{61c}"
                .to_string(),
        ),
        (
            "echoed-token",
            format!("token {TOKEN} rejected; Authorization: Bearer {BEARER_WORD}"),
        ),
        ("oversized", "W".repeat(OVERSIZED)),
    ]
}

/// The whole corpus in one string, tagged with the field it is sent in.
pub fn payload(field: &str) -> String {
    let mut s = format!("HOSTILE-{field} ");
    for (_, seq) in families() {
        s.push_str(&seq);
        s.push(' ');
    }
    s
}

/// How the server answers everything under a path prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Valid Prometheus JSON with hostile text in every string field; the latency
    /// query is rejected (400) with a hostile `error`.
    Json,
    /// An HTML page with a hostile `<title>` (a proxy's error page), HTTP 502.
    Html,
    /// A plain-text 500 whose body is hostile, including raw 8-bit C1 bytes.
    Text,
    /// A GitLab (REST v4) with hostile text in every string field of its user,
    /// project, deployments (ref, sha, status, username, environment name, job name
    /// and web_url) and commits (id, title, author).
    GitLab,
    /// A Jenkins whose JSON carries the corpus in every string field ([`jenkins`]).
    Jenkins,
    /// A Jira Cloud whose JSON carries the corpus in every string field ([`jira`]).
    Jira,
}

impl Mode {
    pub fn prefix(self) -> &'static str {
        match self {
            Mode::Json => "/json",
            Mode::Html => "/html",
            Mode::Text => "/text",
            Mode::GitLab => "/gitlab",
            Mode::Jenkins => jenkins::PREFIX,
            Mode::Jira => jira::PREFIX,
        }
    }
}

/// A running hostile server; stops accepting when dropped (its thread ends with the
/// test process).
pub struct HostileServer {
    pub url: String,
    pub requests: Arc<AtomicUsize>,
}

impl HostileServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                counter.fetch_add(1, Ordering::Relaxed);
                std::thread::spawn(move || {
                    let _ = serve(stream);
                });
            }
        });
        HostileServer { url, requests }
    }
}

fn serve(mut stream: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut content_length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            content_length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; content_length];
    reader.read_exact(&mut body)?;
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    let form = String::from_utf8_lossy(&body);
    let query_text = decode(
        &target
            .split_once('?')
            .map(|(_, q)| q.to_string())
            .unwrap_or_default(),
    ) + &decode(&form);
    let (status, content_type, body) = answer(target, &query_text);
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(&body)?;
    stream.flush()
}

fn json(v: serde_json::Value) -> (u16, &'static str, Vec<u8>) {
    (200, "application/json", v.to_string().into_bytes())
}

fn answer(target: &str, query: &str) -> (u16, &'static str, Vec<u8>) {
    if target.starts_with(Mode::Jenkins.prefix()) {
        return jenkins::answer(target);
    }
    if target.starts_with(Mode::Jira.prefix()) {
        return jira::answer(target);
    }
    if target.starts_with(Mode::Html.prefix()) {
        let page = format!(
            "<!DOCTYPE html><html><head><title>{}</title></head><body>login {TOKEN}</body></html>",
            payload("title")
        );
        return (502, "text/html", page.into_bytes());
    }
    if target.starts_with(Mode::Text.prefix()) {
        let mut body = payload("body").into_bytes();
        // Raw 8-bit C1 bytes (CSI, OSC), not valid UTF-8.
        body.extend_from_slice(b"\x9b2J\x9d0;PWNED-TITLE\x07");
        return (500, "text/plain", body);
    }
    if target.starts_with(Mode::GitLab.prefix()) {
        return gitlab_answer(target);
    }
    let now = 1_795_000_000.0_f64;
    if target.contains("/status/buildinfo") {
        return json(serde_json::json!({
            "status": "success",
            "data": {"version": payload("version"), "revision": payload("revision")}
        }));
    }
    if query.contains("latency") {
        let body = serde_json::json!({
            "status": "error",
            "errorType": payload("etype"),
            "error": payload("error"),
        });
        return (400, "application/json", body.to_string().into_bytes());
    }
    let warnings = serde_json::json!([payload("warning")]);
    let infos = serde_json::json!([payload("info")]);
    if target.contains("query_range") || query.contains("marker") {
        let start = now - 3_600.0;
        return json(serde_json::json!({
            "status": "success",
            "warnings": warnings,
            "infos": infos,
            "data": {"resultType": "matrix", "result": [{
                "metric": {"version": payload("label"), "service": payload("service-label")},
                "values": [[start, "1"], [start + 600.0, "0.02"], [now, "0.01"]]
            }]}
        }));
    }
    json(serde_json::json!({
        "status": "success",
        "warnings": warnings,
        "infos": infos,
        "data": {"resultType": "vector", "result": [{
            "metric": {"service": payload("service-label")},
            "value": [now, "0.01"]
        }]}
    }))
}

/// GitLab's answers, hostile in every string field. Two successful production
/// deployments a day apart (so their commits are compared; the report lists them), one
/// whose status is hostile (rejected, with the status quoted in the reason) and one in
/// an environment with a hostile name.
fn gitlab_answer(target: &str) -> (u16, &'static str, Vec<u8>) {
    let path = target.split('?').next().unwrap_or("");
    let at = |hours: i64| {
        (chrono::Utc::now() - chrono::Duration::hours(hours))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    };
    let commit = |n: usize| {
        serde_json::json!({
            "id": payload(&format!("commit-id-{n}")),
            "short_id": payload("short-id"),
            "title": payload("commit-title"),
            "message": payload("commit-message"),
            "author_name": payload("commit-author"),
            "author_email": payload("commit-email"),
            "authored_date": at(30),
            "committed_date": at(29),
            "created_at": at(29),
        })
    };
    if path.ends_with("/api/v4/user") {
        return json(serde_json::json!({"id": 1, "username": payload("username")}));
    }
    if path.ends_with("/repository/compare") {
        return json(serde_json::json!({
            "commit": commit(0),
            "commits": [commit(1), commit(2)],
            "compare_timeout": false,
            "compare_same_ref": false,
            "web_url": payload("compare-url"),
        }));
    }
    if path.ends_with("/repository/commits") {
        return json(serde_json::json!([commit(1), commit(2)]));
    }
    if path.ends_with("/issues") {
        return json(serde_json::json!([{
            "id": 900,
            "iid": 12,
            "title": payload("incident-title"),
            "state": payload("incident-state"),
            "labels": [format!("severity::{}", payload("incident-severity")), "deploy::2"],
            "severity": payload("incident-severity-field"),
            "created_at": at(20),
            "updated_at": at(19),
            "closed_at": at(19),
            "references": {"short": payload("incident-short"), "full": payload("incident-ref")},
        }]));
    }
    if path.ends_with("/jobs") {
        let job = |id: u64| {
            serde_json::json!({
                "id": id,
                "name": payload("pipeline-job-name"),
                "stage": payload("pipeline-job-stage"),
                "status": payload("pipeline-job-status"),
                "started_at": at(30),
                "finished_at": at(29),
                "web_url": payload("pipeline-job-url"),
            })
        };
        return json(serde_json::json!([job(2), job(1)]));
    }
    if path.ends_with("/deployments") {
        let deployment = |id: u64, hours: i64, status: String, environment: String| {
            serde_json::json!({
                "id": id,
                "iid": id,
                "ref": payload("ref"),
                "sha": format!("{id}{}", payload("sha")),
                "created_at": at(hours),
                "updated_at": at(hours - 1),
                "status": status,
                "user": {"id": 1, "username": payload("username"), "name": payload("name")},
                "environment": {"id": 9, "name": environment, "external_url": payload("external-url")},
                "deployable": {
                    "id": id + 100,
                    "status": payload("job-status"),
                    "stage": payload("stage"),
                    "name": payload("job-name"),
                    "ref": payload("job-ref"),
                    "tag": false,
                    "created_at": at(hours),
                    "started_at": at(hours),
                    "finished_at": at(hours - 1),
                    "web_url": payload("web_url"),
                    // One pipeline per deployment (a pipeline's records are one deployment).
                    "pipeline": {"id": 36 + id, "web_url": payload("pipeline-url")},
                    "commit": commit(3),
                }
            })
        };
        return json(serde_json::json!([
            deployment(1, 50, "success".into(), "production".into()),
            deployment(2, 26, "success".into(), "production".into()),
            deployment(3, 20, payload("status"), "production".into()),
            deployment(4, 10, "success".into(), payload("environment")),
        ]));
    }
    if path.contains("/api/v4/projects/") {
        return json(serde_json::json!({"id": 5, "path_with_namespace": payload("project-path")}));
    }
    (
        404,
        "application/json",
        br#"{"message":"404 Not Found"}"#.to_vec(),
    )
}

/// A config that points flightdeck at `server` in `mode`, with a bearer token read
/// from `FD_HOSTILE_TOKEN` and one service that uses every query kind.
pub fn config(server: &HostileServer, mode: Mode, cache: &std::path::Path) -> String {
    if mode == Mode::GitLab {
        return format!(
            r#"[general]
timezone = "UTC"
refresh_seconds = 2

[cache]
path = "{cache}"

[gitlab]
url = "{url}/gitlab"
auth = "private-token"
token_env = "FD_HOSTILE_TOKEN"
timeout_seconds = 5

[[gitlab.projects]]
project = "acme/app"
service = "checkout"
"#,
            cache = cache.display(),
            url = server.url,
        );
    }
    if mode == Mode::Jenkins {
        return jenkins::config(server, cache);
    }
    if mode == Mode::Jira {
        return jira::config(server, cache);
    }
    format!(
        r#"[general]
timezone = "UTC"
refresh_seconds = 2

[cache]
path = "{cache}"

[prometheus]
url = "{url}"
path_prefix = "{prefix}"
auth = "bearer"
token_env = "FD_HOSTILE_TOKEN"
timeout_seconds = 5

[[services]]
name = "checkout"
error_ratio_query = 'sum(rate(errors{{service="{{{{service}}}}"}}[{{{{window}}}}])) / sum(rate(total{{service="{{{{service}}}}"}}[{{{{window}}}}]))'
request_rate_query = 'sum(rate(total{{service="{{{{service}}}}"}}[{{{{window}}}}]))'
latency_p99_query = 'histogram_quantile(0.99, sum by (le) (rate(latency_bucket[{{{{window}}}}])))'
deploy_marker_query = 'changes(deploy_marker{{service="{{{{service}}}}"}}[{{{{window}}}}]) > 0'
"#,
        cache = cache.display(),
        url = server.url,
        prefix = mode.prefix(),
    )
}

/// Whatever reached a terminal or a file through `bytes`: the problems found, each
/// named (an escape, a C1 control, a bidi control, the token, a line too long).
pub fn problems(bytes: &[u8], longest_line: usize) -> Vec<String> {
    let mut found = Vec::new();
    for (i, b) in bytes.iter().enumerate() {
        if (*b < 0x20 && *b != b'\n') || *b == 0x7f {
            found.push(format!("control byte 0x{b:02x} at {i}"));
        }
    }
    let text = String::from_utf8_lossy(bytes);
    for c in text.chars() {
        if ('\u{80}'..='\u{9f}').contains(&c) {
            found.push(format!("C1 control U+{:04X}", c as u32));
        }
        if matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}')
        {
            found.push(format!("bidi control U+{:04X}", c as u32));
        }
    }
    if text.contains(TOKEN) {
        found.push("the configured token".to_string());
    }
    if text.contains(BEARER_WORD) {
        found.push("a bearer credential".to_string());
    }
    for line in text.lines() {
        let n = line.chars().count();
        if n > longest_line {
            found.push(format!("a line of {n} characters"));
        }
    }
    found.truncate(20);
    found
}
