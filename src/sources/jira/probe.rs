//! What `doctor` asks Jira: which Jira it is (`serverInfo`), is the token valid
//! (`myself`), is the action items' project found and does it have the issue type,
//! does each incident JQL run. Each failure says what to do.

use super::api::{Myself, Project};
use super::client::segment;
use super::JiraClient;
use crate::event::{SourceError, SourceErrorKind};
use crate::model::outside::OutsideText;
use crate::sources::gitlab::probe::{Check, Outcome};

fn ok(what: &str, detail: impl AsRef<str>) -> Check {
    Check {
        what: what.to_string(),
        outcome: Outcome::Ok(OutsideText::line(detail.as_ref())),
    }
}

fn warn(what: &str, detail: &str) -> Check {
    Check {
        what: what.to_string(),
        outcome: Outcome::Warn(OutsideText::line(detail)),
    }
}

fn fail(what: &str, error: SourceError) -> Check {
    Check {
        what: what.to_string(),
        outcome: Outcome::Fail(error),
    }
}

/// Runs the checks in order; stops after a failure every later request would share.
pub async fn probe(client: &JiraClient) -> Vec<Check> {
    let mut checks = Vec::new();
    let flavor = match client.flavor().await {
        Ok(f) => f,
        Err(e) => {
            checks.push(fail("server", e.error));
            return checks;
        }
    };
    let version = match client.server_info().await {
        Ok(info) => info.version.map(|v| v.into_string()).unwrap_or_default(),
        Err(_) => String::new(),
    };
    checks.push(ok(
        "server",
        format!(
            "Jira {} {version} (REST v{})",
            flavor.name(),
            flavor.api_version()
        ),
    ));
    match client
        .get_json::<Myself>("myself", &[], "the token's user")
        .await
    {
        Ok(me) => checks.push(ok(
            "token",
            format!(
                "valid, for {}",
                me.display_name
                    .or(me.name)
                    .or(me.account_id)
                    .map_or("(no name)".to_string(), |n| n.into_string())
            ),
        )),
        Err(e) => {
            checks.push(fail("token", e.error));
            return checks;
        }
    }
    let config = client.config();
    match config.project.as_deref() {
        None => checks.push(warn(
            "project",
            "none set (jira.project): action items cannot be sent to Jira",
        )),
        Some(key) => {
            let what = format!("project {key}");
            match client
                .get_json::<Project>(&format!("project/{}", segment(key)), &[], "the project")
                .await
            {
                Ok(p) => {
                    checks.push(ok(
                        &what,
                        format!("found ({})", p.name.as_deref().unwrap_or("?")),
                    ));
                    let wanted = config.issue_type.trim();
                    let names: Vec<String> = p
                        .issue_types
                        .iter()
                        .filter_map(|t| t.name.as_deref().map(str::to_string))
                        .collect();
                    let what = format!("  issue type {wanted}");
                    if names.iter().any(|n| n.eq_ignore_ascii_case(wanted)) {
                        checks.push(ok(&what, "exists in the project"));
                    } else {
                        checks.push(fail(
                            &what,
                            SourceError::new(
                                SourceErrorKind::Config,
                                format!(
                                    "not in project {key}; set jira.issue_type to one of: {}",
                                    names.join(", ")
                                ),
                            ),
                        ));
                    }
                }
                Err(e) => {
                    let mut error = e.error;
                    if error.message.contains("HTTP 404") {
                        error = SourceError::new(
                            SourceErrorKind::Config,
                            format!("no project {key} the token's user can see; check jira.project (a key like OPS) and the user's permissions"),
                        );
                    }
                    checks.push(fail(&what, error));
                }
            }
        }
    }
    for entry in &config.incidents {
        let what = format!("incidents of {}", entry.service);
        match client
            .search::<serde_json::Value>(&entry.jql, &["key".to_string()], &what)
            .await
        {
            Ok(found) => checks.push(ok(
                &what,
                format!("the JQL runs ({} found)", found.items.len()),
            )),
            Err(e) => checks.push(fail(&what, e.error)),
        }
    }
    checks
}
