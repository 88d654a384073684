//! Jira as a tracker and an incident source (API-NOTES §4): Cloud (REST v3, ADF
//! bodies, users by accountId, `POST /rest/api/3/search/jql` by `nextPageToken`) and
//! Data Center (REST v2, wiki markup, PAT as Bearer, `/rest/api/2/search` by
//! `startAt`), told apart by `serverInfo`'s `deploymentType`.

pub mod adf;
pub mod api;
pub mod body;
pub mod client;
pub mod incidents;
pub mod probe;
mod source;
pub mod tracker;

pub use client::{Flavor, JiraClient};
pub use source::JiraSource;
pub use tracker::JiraTracker;

/// The id of the Jira source in events and the header, and of the tracker.
pub const SOURCE_ID: &str = "jira";

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;

use super::poller::{spawn_poller, PollerOptions};
use super::{EventTx, SourceHandle};
use crate::config::Config;

/// The review's Jira tracker, when `[jira]` names a `project` for action items.
pub fn configured_tracker(
    config: &Config,
) -> Option<Result<JiraTracker, crate::event::SourceError>> {
    config
        .jira
        .as_ref()
        .filter(|j| j.project.is_some())
        .map(JiraTracker::new)
}

/// The Jira incident poller (id [`SOURCE_ID`]); `None` when `[jira]` names no
/// incidents (it is then only the tracker).
pub fn spawn(
    config: &Config,
    jira: &crate::config::JiraConfig,
    events: EventTx,
    shutdown: watch::Receiver<bool>,
) -> Option<SourceHandle> {
    if jira.incidents.is_empty() {
        return None;
    }
    let interval = jira
        .refresh_seconds
        .unwrap_or(config.general.refresh_seconds)
        .max(1);
    let options = PollerOptions::new(Duration::from_secs(interval));
    Some(match JiraSource::new(jira) {
        Ok(source) => {
            let source = Arc::new(source);
            spawn_poller(SOURCE_ID, options, events, shutdown, move || {
                let source = Arc::clone(&source);
                async move { source.fetch_at(Utc::now()).await }
            })
        }
        Err(error) => spawn_poller(SOURCE_ID, options, events, shutdown, move || {
            let error = error.clone();
            async move { Err(error.into()) }
        }),
    })
}
