//! The one shape every source has (DESIGN §5): an id, a poll interval, a fetch as of
//! an instant, and a probe for `doctor`. The registry builds them from the config;
//! spawning, `doctor` and the cache all go through it, so a new source is one folder
//! plus one config section plus one line in `registry.rs`.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::check::Check;
use super::poller::FetchResult;
use crate::model::Ts;

pub type FetchFuture<'a> = Pin<Box<dyn Future<Output = FetchResult> + Send + 'a>>;
pub type ProbeFuture<'a> = Pin<Box<dyn Future<Output = Vec<Check>> + Send + 'a>>;

/// The instant a fetch is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    /// The present, polled again and again: a source may reuse what cannot have
    /// changed since its last poll.
    Now,
    /// A past instant (a report `--at`): everything asked about then.
    At(Ts),
}

pub trait Source: Send + Sync {
    /// The id in events, the header, the cache and `doctor` (`prometheus`, `gitlab`).
    fn id(&self) -> &str;

    /// `doctor`'s heading for it: the id and where it reads from.
    fn describe(&self) -> String;

    fn interval(&self) -> Duration;

    /// Whether it has anything to poll. A source configured only for `doctor` and
    /// for writing (Jira as the review's tracker, with no incident queries) is probed
    /// but never polled, so the header never shows a source that reads nothing.
    fn polls(&self) -> bool {
        true
    }

    fn fetch(&self, as_of: AsOf) -> FetchFuture<'_>;

    /// What `doctor` checks: credentials, reachability, each configured object found.
    fn probe(&self) -> ProbeFuture<'_>;
}

/// A configured source that could not even be set up (an unreadable `ca_file`, a bad
/// URL): it still runs, failing with the reason, so the header shows it instead of
/// the source silently missing, and `doctor` names it.
pub struct Unavailable {
    pub id: &'static str,
    pub describe: String,
    pub interval: Duration,
    pub error: crate::event::SourceError,
}

impl Source for Unavailable {
    fn id(&self) -> &str {
        self.id
    }
    fn describe(&self) -> String {
        self.describe.clone()
    }
    fn interval(&self) -> Duration {
        self.interval
    }
    fn fetch(&self, _as_of: AsOf) -> FetchFuture<'_> {
        let error = self.error.clone();
        Box::pin(async move { Err(error.into()) })
    }
    fn probe(&self) -> ProbeFuture<'_> {
        let error = self.error.clone();
        Box::pin(async move { vec![Check::fail("client", error)] })
    }
}
