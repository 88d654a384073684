//! What the review outbox asks of an issue tracker (Jira Cloud, Jira Data Center,
//! GitLab issues). The outbox worker (DESIGN §6) only needs these three things; each
//! adapter lives with its source and maps its own HTTP errors into [`TrackerError`],
//! whose one question is the one exactly-once delivery depends on: *could the write
//! have landed?*

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::model::outside::OutsideText;

/// A boxed future, so a tracker can sit behind `dyn Tracker` in the runtime.
pub type TrackerFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, TrackerError>> + Send + 'a>>;

/// An action item as it goes out: everything the tracker issue carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingItem {
    /// The outbox item's UUID; the deterministic label is derived from it.
    pub uuid: String,
    /// `flightdeck-<uuid>`: put on the created issue, searched for after an ambiguous
    /// failure.
    pub label: String,
    pub summary: String,
    /// Owner as the tracker knows them (Jira Cloud accountId, DC username, GitLab user
    /// id); `None` leaves the issue unassigned.
    pub owner: Option<String>,
    /// Due date, `YYYY-MM-DD`.
    pub due: Option<String>,
    pub success_criteria: String,
    /// One of the finding categories (deployment process, configuration drift, …).
    pub category: String,
    /// Link to the deployment or pipeline the item came from.
    pub link: Option<String>,
    /// Which review it came from (for the body).
    pub review_title: String,
}

/// The tracker's key of a created issue: `OPS-123`, or `group/project#12`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrackerKey(pub String);

impl std::fmt::Display for TrackerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a failed write could have taken effect on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Landed {
    /// The request was refused or never left (4xx other than 408/429, DNS, connect
    /// refused, bad config): creating again cannot duplicate.
    No,
    /// Timeout after sending, connection reset, 5xx, or a success whose body could
    /// not be read: search for the label before creating again.
    Maybe,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackerError {
    pub landed: Landed,
    /// Said in the item's state ("failed: …"); redacted and sanitized by construction.
    pub message: OutsideText,
    /// The server asked to wait this long (429/503 `Retry-After`).
    pub retry_after: Option<Duration>,
    /// Retrying cannot help until a human acts (401, 403, 400 on a field, 404 project):
    /// the item is shown as failed with the reason, kept, and retried only on request.
    pub permanent: bool,
}

impl std::fmt::Display for TrackerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message.fmt(f)
    }
}

impl std::error::Error for TrackerError {}

/// An issue tracker the outbox writes action items to.
pub trait Tracker: Send + Sync {
    /// Short id for the item state and logs (`jira`, `gitlab-issues`).
    fn id(&self) -> &str;

    /// Creates the issue, carrying `item.label`.
    fn create<'a>(&'a self, item: &'a OutgoingItem) -> TrackerFuture<'a, TrackerKey>;

    /// The issues that carry `label` (normally none or one). The search may be
    /// eventually consistent (Jira): an empty answer right after a create is not proof
    /// that nothing landed; the outbox retries the search over a window.
    fn find_by_label<'a>(&'a self, label: &'a str) -> TrackerFuture<'a, Vec<TrackerKey>>;

    /// Adds a comment (the review summary on a release ticket).
    fn comment<'a>(&'a self, key: &'a TrackerKey, text: &'a str) -> TrackerFuture<'a, ()>;

    /// The release ticket `rule` names for `version` (see `[review] release_ticket`):
    /// a key as it is, or the first issue its query finds. A read.
    fn release_ticket<'a>(
        &'a self,
        rule: &'a str,
        version: &'a str,
    ) -> TrackerFuture<'a, TrackerKey> {
        let _ = (rule, version);
        Box::pin(async move { Err(unsupported(self.id(), "release tickets")) })
    }

    /// Posts the review's summary as a comment on `key`; the comment carries
    /// `summary.marker`.
    fn post_summary<'a>(
        &'a self,
        key: &'a TrackerKey,
        summary: &'a Summary,
    ) -> TrackerFuture<'a, ()> {
        let _ = (key, summary);
        Box::pin(async move { Err(unsupported(self.id(), "summary comments")) })
    }

    /// Whether a comment on `key` carries `marker` (asked after an ambiguous failure,
    /// before the summary is posted again). A read.
    fn has_comment_marked<'a>(
        &'a self,
        key: &'a TrackerKey,
        marker: &'a str,
    ) -> TrackerFuture<'a, bool> {
        let _ = (key, marker);
        Box::pin(async move { Err(unsupported(self.id(), "summary comments")) })
    }

    /// Links issue `key` to a web page. The same `link.global_id` again updates the
    /// link rather than adding a second (Jira's remote links).
    fn remote_link<'a>(
        &'a self,
        key: &'a TrackerKey,
        link: &'a RemoteLink,
    ) -> TrackerFuture<'a, ()> {
        let _ = (key, link);
        Box::pin(async move { Err(unsupported(self.id(), "remote links")) })
    }

    /// Whether issue `key` has the link `global_id` (after an ambiguous failure). A read.
    fn has_remote_link<'a>(
        &'a self,
        key: &'a TrackerKey,
        global_id: &'a str,
    ) -> TrackerFuture<'a, bool> {
        let _ = (key, global_id);
        Box::pin(async move { Err(unsupported(self.id(), "remote links")) })
    }
}

/// A tracker without a write it was configured for: permanent, nothing landed.
fn unsupported(tracker: &str, what: &str) -> TrackerError {
    TrackerError {
        landed: Landed::No,
        message: OutsideText::line(&format!("{tracker}: this tracker does not take {what}")),
        retry_after: None,
        permanent: true,
    }
}

/// A link from an action item's issue to the deployment (or pipeline) it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteLink {
    /// `flightdeck-link-<uuid>`: deterministic, so sending it again cannot duplicate.
    pub global_id: String,
    /// An http(s) URL.
    pub url: String,
    pub title: String,
}

/// A review's summary as typed values; each tracker renders it in its own markup (ADF
/// on Jira Cloud, wiki markup on Data Center, markdown on GitLab). Every string is
/// one safe line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// `flightdeck-summary-<review id>`: what is looked for before posting again.
    pub marker: String,
    /// "release 2.4.1 (3 deployments)".
    pub title: String,
    pub decision: Option<String>,
    /// Checklist items passed, failing, and not yet decided.
    pub passed: usize,
    pub failing: usize,
    pub open: usize,
    /// "test gap: no load test of the new cache".
    pub findings: Vec<String>,
    /// "Add a canary gate (owner 1234, due 2026-12-31)" and its state ("OPS-12",
    /// "failed: …", "pending").
    pub items: Vec<(String, String)>,
    /// The deployments' (or pipelines') web links.
    pub links: Vec<String>,
}
