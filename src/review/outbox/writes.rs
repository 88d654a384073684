//! The outbox's writes besides the action items (issue 14 item 5, "optionally"): the
//! review's summary as a comment on the release ticket, and a remote link from each
//! action item's issue to its deployment. They go through the same state machine as
//! the items (`state`): stored before they are sent, and after an ambiguous failure
//! looked for before they are sent again — the comment by its marker among the
//! ticket's comments, the link by its deterministic global id (Jira would update a
//! link sent twice with one, but looking first spares the request).

use serde::{Deserialize, Serialize};

use super::summary;
use crate::review::session::ReviewSession;
use crate::review::tracker::{RemoteLink, Tracker, TrackerError, TrackerKey};
use crate::store::review::OutboxRow;

/// What `[review]` asks the outbox to write besides the items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteBack {
    /// An issue key, or a query with `{version}` (see the config).
    pub release_ticket: Option<String>,
    /// Post the summary once the review's decision is recorded.
    pub summary_comment: bool,
    /// Link each sent item's issue to its deployment.
    pub remote_link: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Write {
    /// The review's summary on the release ticket that `rule` names for `version`.
    Summary {
        #[serde(deserialize_with = "crate::model::outside::de_long")]
        rule: String,
        #[serde(deserialize_with = "crate::model::outside::de_line")]
        version: String,
    },
    /// A remote link from issue `issue` to `url`.
    Link {
        #[serde(deserialize_with = "crate::model::outside::de_line")]
        issue: String,
        #[serde(deserialize_with = "crate::model::outside::de_long")]
        url: String,
        #[serde(deserialize_with = "crate::model::outside::de_line")]
        title: String,
    },
}

/// The id of a review's summary write (one per review).
pub fn summary_id(review_id: &str) -> String {
    format!("summary-{review_id}")
}

/// The id of an item's link write, also its global id on the tracker.
pub fn link_id(uuid: &str) -> String {
    format!("flightdeck-link-{uuid}")
}

/// The link write for an item just sent as `key`, when it has a web link.
pub fn link_for(row: &OutboxRow, key: &str) -> Option<(String, Write)> {
    let url = row.item.link.as_deref().map(str::trim)?;
    summary::is_web_link(url).then(|| {
        (
            link_id(&row.item.uuid),
            Write::Link {
                issue: key.to_string(),
                url: url.to_string(),
                title: format!("Deployment: {}", row.review_title),
            },
        )
    })
}

/// The create step: sends the write; the key is the issue it went to.
pub async fn send(
    tracker: &dyn Tracker,
    id: &str,
    write: &Write,
    session: Option<&ReviewSession>,
    items: &[OutboxRow],
) -> Result<TrackerKey, TrackerError> {
    match write {
        Write::Summary { rule, version } => {
            let session = session.ok_or_else(|| missing_review(tracker))?;
            let ticket = tracker.release_ticket(rule, version).await?;
            let summary = summary::build(session, items);
            tracker.post_summary(&ticket, &summary).await?;
            Ok(ticket)
        }
        Write::Link { issue, url, title } => {
            let key = TrackerKey(issue.clone());
            let link = RemoteLink {
                global_id: id.to_string(),
                url: url.clone(),
                title: title.clone(),
            };
            tracker.remote_link(&key, &link).await?;
            Ok(key)
        }
    }
}

/// The search step after an ambiguous failure: the issue the write landed on, if it
/// did.
pub async fn find(
    tracker: &dyn Tracker,
    id: &str,
    review_id: &str,
    write: &Write,
) -> Result<Vec<TrackerKey>, TrackerError> {
    let (key, found) = match write {
        Write::Summary { rule, version } => {
            let ticket = tracker.release_ticket(rule, version).await?;
            let marker = summary::marker(review_id);
            let found = tracker.has_comment_marked(&ticket, &marker).await?;
            (ticket, found)
        }
        Write::Link { issue, .. } => {
            let key = TrackerKey(issue.clone());
            let found = tracker.has_remote_link(&key, id).await?;
            (key, found)
        }
    };
    Ok(if found { vec![key] } else { Vec::new() })
}

fn missing_review(tracker: &dyn Tracker) -> TrackerError {
    TrackerError {
        landed: crate::review::tracker::Landed::No,
        message: crate::model::outside::OutsideText::line(&format!(
            "{}: the review of this summary is not in the store",
            tracker.id()
        )),
        retry_after: None,
        permanent: true,
    }
}
