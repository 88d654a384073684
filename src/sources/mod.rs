//! Sources: one tokio task each, polling a system and sending [`Event::Source`]s.
//! Sources depend on the domain model and the event types, never on the UI.

pub mod demo;

use chrono::Duration;
use tokio::sync::{mpsc, watch};

use crate::event::{Event, SourceCommand, SourceData, SourceEvent, SourceEventKind};
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
        let FetchError {
            error, retry_after, ..
        } = error;
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

/// A failure as the poller sees it: the hallway's error (what to tell the user, and
/// how long the server asked us to wait, which the poller honours even when it is
/// longer than the HTTP layer waits by itself).
pub use crate::net::NetError as FetchError;

pub mod check;
pub mod gitlab;
pub mod jenkins;
pub mod jira;
pub mod kind;
pub mod poller;
pub mod progress;
pub mod prometheus;
pub mod registry;
pub mod source;
pub mod tracker_error;
