//! Jira as the outbox's tracker: create an issue carrying `flightdeck-<uuid>`, find
//! issues by that label, comment. Each failure says whether the write could have
//! landed (see [`crate::sources::tracker_error`]).

use serde::Deserialize;

use super::api::CreatedIssue;
use super::body;
use super::client::{jql_string, parse, segment, JiraClient};
use crate::config::JiraConfig;
use crate::event::SourceError;
use crate::model::outside::OutsideText;
use crate::review::tracker::{
    Landed, OutgoingItem, Tracker, TrackerError, TrackerFuture, TrackerKey,
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
}
