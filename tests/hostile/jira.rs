//! The hostile corpus in every string field the Jira adapter reads (Cloud mode):
//! serverInfo (deploymentType, version, serverTitle), `myself` (displayName, name,
//! accountId), the project (name, issue type names), and each searched issue (key,
//! summary, priority name, labels, the configured severity and deployment fields,
//! a hostile `created` that is rejected with the reason quoted). The page token is
//! hostile too (sent back verbatim, never shown).

use serde_json::{json, Value};

use super::{payload, HostileServer};

/// The path prefix the server answers Jira requests under.
pub const PREFIX: &str = "/jira";

pub fn answer(target: &str) -> (u16, &'static str, Vec<u8>) {
    let path = target.split('?').next().unwrap_or("");
    let body = if path.ends_with("/serverInfo") {
        json!({"deploymentType": "Cloud", "version": payload("server-version"),
               "serverTitle": payload("server-title"), "baseUrl": payload("base-url")})
    } else if path.ends_with("/myself") {
        json!({"accountId": payload("account-id"), "name": payload("user-name"),
               "displayName": payload("display-name")})
    } else if path.contains("/project/") {
        json!({"key": "OPS", "name": payload("project-name"),
               "issueTypes": [{"name": payload("issue-type")}]})
    } else if path.ends_with("/search/jql") || path.ends_with("/search") {
        search()
    } else {
        return (
            404,
            "application/json",
            json!({"errorMessages": [payload("not-found")], "errors": {}})
                .to_string()
                .into_bytes(),
        );
    };
    (200, "application/json", body.to_string().into_bytes())
}

fn search() -> Value {
    let at = |hours: i64| {
        (chrono::Utc::now() - chrono::Duration::hours(hours))
            .format("%Y-%m-%dT%H:%M:%S%.3f+0000")
            .to_string()
    };
    let issue = |key: String, created: String| {
        json!({
            "id": payload("issue-id"),
            "key": key,
            "fields": {
                "summary": payload("summary"),
                "created": created,
                "resolutiondate": at(19),
                "priority": {"name": payload("priority")},
                "labels": [payload("label"), format!("deploy:{}", payload("deploy-label"))],
                "customfield_10042": {"value": payload("severity-field")},
                "customfield_10050": [payload("deployment-field")],
            }
        })
    };
    json!({
        "isLast": true,
        "issues": [
            issue(payload("incident-key"), at(20)),
            issue(payload("rejected-key"), payload("created")),
        ],
    })
}

/// A config with only Jira (Cloud: email + the token from `FD_HOSTILE_TOKEN`), both
/// configured fields set, one service's incidents.
pub fn config(server: &HostileServer, cache: &std::path::Path) -> String {
    format!(
        r#"[general]
timezone = "UTC"
refresh_seconds = 2

[cache]
path = "{cache}"

[jira]
url = "{url}{PREFIX}"
deployment = "cloud"
email = "bot@example.com"
token_env = "FD_HOSTILE_TOKEN"
timeout_seconds = 5
project = "OPS"
severity_field = "customfield_10042"
deployment_field = "customfield_10050"

[[jira.incidents]]
service = "checkout"
jql = "project = OPS AND issuetype = Incident"

[[services]]
name = "checkout"
"#,
        cache = cache.display(),
        url = server.url,
    )
}
