//! The hostile corpus in every string field of Jenkins's JSON API: job and run
//! classes, display names, build parameters (names and values), causes, the built
//! revision, change-set commit ids, messages and authors, build URLs, an unknown
//! result (rejected, with the reason quoted), stage names and statuses, `whoAmI`.
//! The job's own name in the config carries escapes too.

use serde_json::{json, Value};

use super::{payload, HostileServer};

/// The path prefix the server answers Jenkins requests under.
pub const PREFIX: &str = "/jenkins";

pub fn answer(target: &str) -> (u16, &'static str, Vec<u8>) {
    let path = target.split('?').next().unwrap_or("");
    let body = if path.ends_with("/whoAmI/api/json") {
        json!({"name": payload("whoami"), "authenticated": true, "anonymous": false})
    } else if path.ends_with("/wfapi/describe") {
        json!({"id": "1", "name": payload("run-name"), "status": payload("run-status"),
               "stages": [{"id": "6", "name": payload("stage"), "status": payload("stage-status"),
                           "startTimeMillis": now_ms() - 7_000_000, "durationMillis": 60_000}]})
    } else if path.ends_with("/api/json") {
        job()
    } else {
        return (404, "text/plain", payload("not-found").into_bytes());
    };
    (200, "application/json", body.to_string().into_bytes())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn job() -> Value {
    let start = now_ms() - 7_200_000;
    let build = |number: u64, result: Value, target: Value| {
        json!({
            "_class": payload("run-class"),
            "number": number, "result": result, "building": result.is_null(),
            "timestamp": start + number as i64 * 1_000,
            "duration": if result.is_null() { 0 } else { 60_000 },
            "url": payload("url"),
            "displayName": payload("display"),
            "actions": [
                {"causes": [{"userId": payload("userid"), "userName": payload("deployer")}]},
                {"parameters": [
                    {"name": "TARGET", "value": target},
                    {"name": "VERSION", "value": payload("version-param")},
                    {"name": payload("param-name"), "value": payload("param-value")}
                ]},
                {"lastBuiltRevision": {"SHA1": payload("sha")}}
            ],
            "changeSets": [{"kind": payload("kind"), "items": [{
                "commitId": payload("commit-id"), "timestamp": start - 3_600_000,
                "msg": payload("msg"), "author": {"fullName": payload("author")}
            }]}]
        })
    };
    json!({
        "_class": format!("org.jenkinsci.plugins.workflow.job.WorkflowJob {}", payload("class")),
        "builds": [
            build(3, Value::Null, json!(payload("env"))),
            build(2, json!(payload("result")), json!("prod")),
            build(1, json!("SUCCESS"), json!("prod")),
        ]
    })
}

/// A config with only Jenkins (basic auth, the token read from `FD_HOSTILE_TOKEN`),
/// one job whose name holds an escape and a bidi control.
pub fn config(server: &HostileServer, cache: &std::path::Path) -> String {
    format!(
        r#"[general]
timezone = "UTC"
refresh_seconds = 2

[cache]
path = "{cache}"

[jenkins]
url = "{url}{PREFIX}"
username = "bot"
token_env = "FD_HOSTILE_TOKEN"
timeout_seconds = 5

[[jenkins.jobs]]
job = "team/HOSTILE-jobname \u001b]0;PWNED-TITLE\u0007 \u202e deploy"
service = "checkout"
environment_param = "TARGET"
version_param = "VERSION"

[[services]]
name = "checkout"
"#,
        cache = cache.display(),
        url = server.url,
    )
}
