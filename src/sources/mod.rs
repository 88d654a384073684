//! Sources: one tokio task each, polling a system and sending [`Event::Source`]s.
//! Sources depend on the domain model and the event types, never on the UI.

pub mod demo;

use std::time::Duration as StdDuration;

use chrono::Duration;
use tokio::sync::{mpsc, watch};

use crate::event::{Event, SourceCommand, SourceData, SourceError, SourceEvent, SourceEventKind};
use crate::model::Ts;

/// Capacity of the event channel; sources await when the app is behind (backpressure),
/// the input thread never waits longer than a frame.
pub const EVENT_CHANNEL_CAPACITY: usize = 1024;

pub type EventTx = mpsc::Sender<Event>;

/// What a source task is given when spawned.
pub struct SourceContext {
    pub events: EventTx,
    pub commands: mpsc::UnboundedReceiver<SourceCommand>,
    /// Becomes `true` on shutdown; tasks return promptly.
    pub shutdown: watch::Receiver<bool>,
}

/// The app's side of a running source.
pub struct SourceHandle {
    pub id: String,
    /// Poll interval (drives the stale threshold in the header).
    pub interval: Duration,
    pub commands: mpsc::UnboundedSender<SourceCommand>,
    pub task: tokio::task::JoinHandle<()>,
}

/// Builds the channels for one source: the context goes to the task, the sender of
/// commands stays with the app.
pub fn channels(
    events: EventTx,
    shutdown: watch::Receiver<bool>,
) -> (SourceContext, mpsc::UnboundedSender<SourceCommand>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (
        SourceContext {
            events,
            commands: rx,
            shutdown,
        },
        tx,
    )
}

impl SourceContext {
    /// Sends an event; a closed channel means the app is shutting down, which is not
    /// an error for the source (returns `false` so the task can stop).
    pub async fn send(&self, source: &str, kind: SourceEventKind) -> bool {
        self.events
            .send(Event::Source(SourceEvent {
                source: source.to_string(),
                kind,
            }))
            .await
            .is_ok()
    }

    pub async fn fetched(
        &self,
        source: &str,
        at: Ts,
        data: Vec<SourceData>,
        warnings: Vec<crate::model::outside::OutsideText>,
    ) -> bool {
        self.send(source, SourceEventKind::Fetched { at, data, warnings })
            .await
    }

    pub async fn failed(&self, source: &str, at: Ts, error: FetchError) -> bool {
        let FetchError { error, retry_after } = error;
        self.send(
            source,
            SourceEventKind::Failed {
                at,
                error,
                retry_after,
            },
        )
        .await
    }

    pub fn is_shutting_down(&self) -> bool {
        *self.shutdown.borrow()
    }
}

/// A failure as the poller sees it: what to tell the user, and how long the server
/// asked us to wait before the next request (`Retry-After` on a 429 or 503), which
/// the poller honours even when it is longer than the HTTP layer waits by itself.
///
/// It dereferences to its [`SourceError`], so `e.kind` and `e.message` read through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    pub error: SourceError,
    pub retry_after: Option<StdDuration>,
}

impl FetchError {
    pub fn new(error: SourceError) -> Self {
        FetchError {
            error,
            retry_after: None,
        }
    }

    /// The same error with the server's `Retry-After` hint, when there is one.
    pub fn with_retry_after(mut self, hint: Option<StdDuration>) -> Self {
        if hint.is_some() {
            self.retry_after = hint;
        }
        self
    }
}

impl From<SourceError> for FetchError {
    fn from(error: SourceError) -> Self {
        FetchError::new(error)
    }
}

impl std::ops::Deref for FetchError {
    type Target = SourceError;
    fn deref(&self) -> &SourceError {
        &self.error
    }
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for FetchError {}

pub mod configured;
pub mod gitlab;
pub mod jenkins;
pub mod jira;
pub mod poller;
pub mod prometheus;
pub mod tracker_error;
