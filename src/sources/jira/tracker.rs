//! Jira as the outbox's tracker: create an issue carrying `flightdeck-<uuid>`, find
//! issues by that label, comment. Each failure says whether the write could have
//! landed (see [`crate::sources::tracker_error`]).

use serde::Deserialize;

use super::api::CreatedIssue;
use super::body;
use super::client::{jql_string, parse, segment, JiraClient, MAX_PAGES, PAGE_SIZE};
use crate::config::JiraConfig;
use crate::event::SourceError;
use crate::model::outside::OutsideText;
use crate::review::tracker::{
    Landed, OutgoingItem, RemoteLink, Summary, Tracker, TrackerError, TrackerFuture, TrackerKey,
};
use crate::sources::tracker_error::{from_read, from_write, rejected, unreadable_success};

/// The tracker's id in item states and logs.
pub const TRACKER_ID: &str = "jira";

pub struct JiraTracker {
    client: JiraClient,
}

/// Only the key of a search hit.
#[derive(Debug, Deserialize)]
struct KeyOnly {
    #[serde(default)]
    key: Option<OutsideText>,
}

impl JiraTracker {
    pub fn new(config: &JiraConfig) -> Result<Self, SourceError> {
        Ok(JiraTracker {
            client: JiraClient::new(config)?,
        })
    }

    pub fn with_client(client: JiraClient) -> Self {
        JiraTracker { client }
    }

    pub fn client(&self) -> &JiraClient {
        &self.client
    }

    async fn create_issue(&self, item: &OutgoingItem) -> Result<TrackerKey, TrackerError> {
        let config = self.client.config();
        let Some(project) = config.project.as_deref() else {
            return Err(config_error(
                "set jira.project to the key of the project action items go to",
            ));
        };
        let flavor = self
            .client
            .flavor()
            .await
            .map_err(|e| from_read(TRACKER_ID, e))?;
        let request = body::create(flavor, project, &config.issue_type, item);
        let request = serde_json::to_value(&request).expect("a create request serializes");
        let response = self
            .client
            .post(flavor, "issue", &request)
            .await
            .map_err(|f| from_write(TRACKER_ID, f))?;
        if !(200..300).contains(&response.status) {
            let secrets = self.client.secrets().await;
            let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
            return Err(rejected(
                TRACKER_ID,
                response.status,
                &response.body,
                &secrets,
            ));
        }
        // The issue exists now; an answer without its key is settled by the label.
        let created: CreatedIssue = parse(&response.body, "the created issue")
            .map_err(|e| unreadable_success(TRACKER_ID, &e.message))?;
        created
            .key
            .filter(|k| !k.trim().is_empty())
            .map(|k| TrackerKey(k.into_string()))
            .ok_or_else(|| unreadable_success(TRACKER_ID, "no key in the answer"))
    }

    async fn keys_labelled(&self, label: &str) -> Result<Vec<TrackerKey>, TrackerError> {
        let jql = format!("labels = {}", jql_string(label));
        let found = self
            .client
            .search::<KeyOnly>(&jql, &["key".to_string()], "the label search")
            .await
            .map_err(|e| from_read(TRACKER_ID, e))?;
        let mut keys: Vec<TrackerKey> = found
            .items
            .into_iter()
            .filter_map(|i| i.key)
            .filter(|k| !k.trim().is_empty())
            .map(|k| TrackerKey(k.into_string()))
            .collect();
        keys.sort();
        keys.dedup();
        Ok(keys)
    }

    async fn add_comment(&self, key: &TrackerKey, text: &str) -> Result<(), TrackerError> {
        let flavor = self
            .client
            .flavor()
            .await
            .map_err(|e| from_read(TRACKER_ID, e))?;
        let request =
            serde_json::to_value(body::comment(flavor, text)).expect("a comment serializes");
        let path = format!("issue/{}/comment", segment(&key.0));
        let response = self
            .client
            .post(flavor, &path, &request)
            .await
            .map_err(|f| from_write(TRACKER_ID, f))?;
        if !(200..300).contains(&response.status) {
            return Err(rejected(TRACKER_ID, response.status, &response.body, &[]));
        }
        Ok(())
    }
}

impl JiraTracker {
    /// A key as it is; else the first issue the JQL finds, `{version}` quoted in.
    async fn find_release_ticket(
        &self,
        rule: &str,
        version: &str,
    ) -> Result<TrackerKey, TrackerError> {
        let rule = rule.trim();
        if is_issue_key(rule) {
            return Ok(TrackerKey(rule.to_string()));
        }
        let jql = rule.replace("{version}", &jql_string(version));
        let found = self
            .client
            .search::<KeyOnly>(&jql, &["key".to_string()], "the release ticket search")
            .await
            .map_err(|e| from_read(TRACKER_ID, e))?;
        found
            .items
            .into_iter()
            .filter_map(|i| i.key)
            .find(|k| !k.trim().is_empty())
            .map(|k| TrackerKey(k.into_string()))
            .ok_or_else(|| {
                config_error(&format!(
                    "no issue is the release ticket of {version}: review.release_ticket finds none"
                ))
            })
    }

    async fn write(&self, path: &str, body: serde_json::Value) -> Result<(), TrackerError> {
        let flavor = self
            .client
            .flavor()
            .await
            .map_err(|e| from_read(TRACKER_ID, e))?;
        let response = self
            .client
            .post(flavor, path, &body)
            .await
            .map_err(|f| from_write(TRACKER_ID, f))?;
        if !(200..300).contains(&response.status) {
            let secrets = self.client.secrets().await;
            let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
            return Err(rejected(
                TRACKER_ID,
                response.status,
                &response.body,
                &secrets,
            ));
        }
        Ok(())
    }

    async fn add_summary(&self, key: &TrackerKey, s: &Summary) -> Result<(), TrackerError> {
        let flavor = self
            .client
            .flavor()
            .await
            .map_err(|e| from_read(TRACKER_ID, e))?;
        let body =
            serde_json::to_value(body::summary_comment(flavor, s)).expect("a comment serializes");
        self.write(&format!("issue/{}/comment", segment(&key.0)), body)
            .await
    }

    /// Pages through the ticket's comments (`startAt`, `total`) for the marker.
    async fn comment_marked(&self, key: &TrackerKey, marker: &str) -> Result<bool, TrackerError> {
        let path = format!("issue/{}/comment", segment(&key.0));
        let mut start: u64 = 0;
        for _ in 0..MAX_PAGES {
            let params = [
                ("startAt", start.to_string()),
                ("maxResults", PAGE_SIZE.to_string()),
            ];
            let page: CommentPage = self
                .client
                .get_json(&path, &params, "the release ticket's comments")
                .await
                .map_err(|e| from_read(TRACKER_ID, e))?;
            // Cloud bodies are ADF, Data Center's wiki text: the marker is text in both.
            if page
                .comments
                .iter()
                .any(|c| c.body.to_string().contains(marker))
            {
                return Ok(true);
            }
            let n = page.comments.len() as u64;
            start += n;
            if n == 0 || start >= page.total.unwrap_or(start) {
                return Ok(false);
            }
        }
        Ok(false)
    }

    async fn add_remote_link(
        &self,
        key: &TrackerKey,
        link: &RemoteLink,
    ) -> Result<(), TrackerError> {
        let body = serde_json::to_value(body::remote_link(link)).expect("a link serializes");
        self.write(&format!("issue/{}/remotelink", segment(&key.0)), body)
            .await
    }

    async fn remote_link_there(
        &self,
        key: &TrackerKey,
        global_id: &str,
    ) -> Result<bool, TrackerError> {
        let path = format!("issue/{}/remotelink", segment(&key.0));
        let links: Vec<LinkOnly> = self
            .client
            .get_json(&path, &[], "the issue's remote links")
            .await
            .map_err(|e| from_read(TRACKER_ID, e))?;
        Ok(links
            .iter()
            .any(|l| l.global_id.as_deref() == Some(global_id)))
    }
}

/// `PROJ-123`: a Jira issue key rather than a JQL.
fn is_issue_key(s: &str) -> bool {
    let Some((project, number)) = s.rsplit_once('-') else {
        return false;
    };
    let mut p = project.chars();
    p.next().is_some_and(|c| c.is_ascii_uppercase())
        && p.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit())
}

/// `PageOfComments`: only what the marker check reads. The bodies are never shown.
#[derive(Debug, Deserialize)]
struct CommentPage {
    #[serde(default)]
    total: Option<u64>,
    #[serde(default)]
    comments: Vec<CommentBody>,
}

#[derive(Debug, Deserialize)]
struct CommentBody {
    #[serde(default)]
    body: serde_json::Value,
}

/// `RemoteIssueLink`: only its `globalId`, compared, never shown.
#[derive(Debug, Deserialize)]
struct LinkOnly {
    #[serde(default, rename = "globalId")]
    global_id: Option<String>,
}

fn config_error(message: &str) -> TrackerError {
    TrackerError {
        landed: Landed::No,
        message: OutsideText::line(&format!("{TRACKER_ID}: {message}")),
        retry_after: None,
        permanent: true,
    }
}

impl Tracker for JiraTracker {
    fn id(&self) -> &str {
        TRACKER_ID
    }

    fn create<'a>(&'a self, item: &'a OutgoingItem) -> TrackerFuture<'a, TrackerKey> {
        Box::pin(self.create_issue(item))
    }

    fn find_by_label<'a>(&'a self, label: &'a str) -> TrackerFuture<'a, Vec<TrackerKey>> {
        Box::pin(self.keys_labelled(label))
    }

    fn comment<'a>(&'a self, key: &'a TrackerKey, text: &'a str) -> TrackerFuture<'a, ()> {
        Box::pin(self.add_comment(key, text))
    }

    fn release_ticket<'a>(
        &'a self,
        rule: &'a str,
        version: &'a str,
    ) -> TrackerFuture<'a, TrackerKey> {
        Box::pin(self.find_release_ticket(rule, version))
    }

    fn post_summary<'a>(
        &'a self,
        key: &'a TrackerKey,
        summary: &'a Summary,
    ) -> TrackerFuture<'a, ()> {
        Box::pin(self.add_summary(key, summary))
    }

    fn has_comment_marked<'a>(
        &'a self,
        key: &'a TrackerKey,
        marker: &'a str,
    ) -> TrackerFuture<'a, bool> {
        Box::pin(self.comment_marked(key, marker))
    }

    fn remote_link<'a>(
        &'a self,
        key: &'a TrackerKey,
        link: &'a RemoteLink,
    ) -> TrackerFuture<'a, ()> {
        Box::pin(self.add_remote_link(key, link))
    }

    fn has_remote_link<'a>(
        &'a self,
        key: &'a TrackerKey,
        global_id: &'a str,
    ) -> TrackerFuture<'a, bool> {
        Box::pin(self.remote_link_there(key, global_id))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_told_from_queries() {
        assert!(super::is_issue_key("REL-12"));
        assert!(super::is_issue_key("R2_D2-1"));
        assert!(!super::is_issue_key("fixVersion = {version}"));
        assert!(!super::is_issue_key("rel-12"));
        assert!(!super::is_issue_key("REL-"));
    }
}
