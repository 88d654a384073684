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
}
