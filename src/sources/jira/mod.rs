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
mod registered;
mod source;
pub mod tracker;

pub use client::{Flavor, JiraClient};
pub use registered::Registered;
pub use source::JiraSource;
pub use tracker::JiraTracker;

/// The id of the Jira source in events and the header, and of the tracker.
pub const SOURCE_ID: &str = "jira";

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
