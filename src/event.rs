//! The one event type that flows into the app, and the commands that flow out of it.
//!
//! Sources, the input reader, the clock and signal handlers only *send* events; the app
//! (`app::App::update`) is the single place that changes state.

use crate::model::{
    Annotation, Deployment, Incident, Rejected, Series, SeriesKind, Ts, WindowRatios,
};

/// Everything the app reacts to.
#[derive(Debug, Clone)]
pub enum Event {
    /// Keyboard, mouse, paste or resize from the terminal.
    Input(crossterm::event::Event),
    /// The clock advanced (once a second); moves ages, the header clock and live demo.
    Tick(Ts),
    /// A source reports progress, data or failure.
    Source(SourceEvent),
    /// The terminal went away (EOF/EIO on input), or a signal asked us to stop.
    Shutdown(ShutdownReason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShutdownReason {
    InputClosed,
    Signal(&'static str),
}

impl ShutdownReason {
    /// For the line printed after the terminal is restored.
    pub fn describe(self) -> String {
        match self {
            ShutdownReason::InputClosed => "the terminal went away".to_string(),
            ShutdownReason::Signal(name) => format!("received {name}"),
        }
    }
}

/// A message from one source task.
#[derive(Debug, Clone)]
pub struct SourceEvent {
    /// Stable id of the source (`demo`, `prometheus`, `gitlab`, …).
    pub source: String,
    pub kind: SourceEventKind,
}

#[derive(Debug, Clone)]
pub enum SourceEventKind {
    /// A fetch started (the header may show activity).
    Fetching,
    /// A fetch finished; `data` holds what it produced, `warnings` what the API warned.
    Fetched {
        at: Ts,
        data: Vec<SourceData>,
        warnings: Vec<String>,
    },
    /// Data loaded from the local cache at start, as last fetched at `at`: shown at
    /// once and marked stale until the first live fetch.
    Cached { at: Ts, data: Vec<SourceData> },
    /// A fetch failed. The message never contains a URL or a secret. `retry_after` is
    /// the wait the server asked for (`Retry-After`); the source does not ask again
    /// before `at + retry_after`.
    Failed {
        at: Ts,
        error: SourceError,
        retry_after: Option<std::time::Duration>,
    },
    /// When a polled source will try next (after each answer or failure), so the
    /// header can say "error · next try in 12s" and the overlay the real wait.
    NextAttempt { at: Ts },
}

/// Why a fetch failed, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    pub kind: SourceErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceErrorKind {
    /// 401/403 or an HTML login page.
    Auth,
    /// Connect, DNS, TLS, reset.
    Network,
    Timeout,
    /// 429 after retries.
    RateLimited,
    /// 5xx after retries.
    Server,
    /// The server answered something we could not parse.
    BadResponse,
    /// The query itself was rejected (PromQL error, 400).
    Query,
    Config,
    /// The local cache could not be read or written (the `cache` source).
    Storage,
}

impl SourceErrorKind {
    pub fn word(self) -> &'static str {
        match self {
            SourceErrorKind::Auth => "auth",
            SourceErrorKind::Network => "network",
            SourceErrorKind::Timeout => "timeout",
            SourceErrorKind::RateLimited => "rate limited",
            SourceErrorKind::Server => "server error",
            SourceErrorKind::BadResponse => "bad response",
            SourceErrorKind::Query => "query error",
            SourceErrorKind::Config => "config",
            SourceErrorKind::Storage => "cache",
        }
    }
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.word(), self.message)
    }
}

impl std::error::Error for SourceError {}

/// One piece of data a source produced. Deployments and incidents are upserted by id;
/// series and ratios replace what the same source sent before for that service.
#[derive(Debug, Clone)]
pub enum SourceData {
    /// The services this source knows, in display order (the demo sends its four).
    Services(Vec<String>),
    Deployments(Vec<Deployment>),
    Incidents(Vec<Incident>),
    Series {
        service: String,
        kind: SeriesKind,
        series: Series,
    },
    Ratios {
        service: String,
        ratios: WindowRatios,
    },
    Annotations(Vec<Annotation>),
    Rejected(Vec<Rejected>),
}

/// What the app asks of the world after an update. The runtime carries these out; the
/// app never performs I/O itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Quit,
    /// Refresh every source now (`r`).
    RefreshAll,
    /// Send a source-specific command to one source.
    ToSource {
        source: String,
        command: SourceCommand,
    },
}

/// Commands a source task accepts on its command channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceCommand {
    Refresh,
    /// Roll back the live rollout of a service (the demo honours this).
    Rollback {
        service: String,
    },
}
