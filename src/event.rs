//! The one event type that flows into the app, and the commands that flow out of it.
//!
//! Sources, the input reader, the clock and signal handlers only *send* events; the app
//! (`app::App::update`) is the single place that changes state.

use crate::model::outside::OutsideText;
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
    /// The review worker stored something or an action item's delivery moved.
    Review(crate::review::outbox::ReviewEvent),
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
        warnings: Vec<OutsideText>,
    },
    /// Part of a fetch still running (one service's answers, all in): shown at once
    /// as live data; the fetch's own `Fetched` follows with everything, so the
    /// source's status and the cache wait for that.
    Arrived { data: Vec<SourceData> },
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
    /// A long fetch is under way: what it has read so far (`records` over `pages`
    /// requests) and the data of the pages read since the last progress event,
    /// usable (and cached) at once instead of at the end of the fetch.
    Progress {
        at: Ts,
        records: u64,
        pages: u64,
        data: Vec<SourceData>,
    },
}

/// Why a fetch failed, in words a user can act on. The message is [`OutsideText`]
/// because it may quote a server: it is redacted, sanitized and bounded when built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    pub kind: SourceErrorKind,
    pub message: OutsideText,
}

impl SourceError {
    pub fn new(kind: SourceErrorKind, message: impl AsRef<str>) -> Self {
        SourceError {
            kind,
            message: OutsideText::line(message.as_ref()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    pub const ALL: [SourceErrorKind; 9] = [
        SourceErrorKind::Auth,
        SourceErrorKind::Network,
        SourceErrorKind::Timeout,
        SourceErrorKind::RateLimited,
        SourceErrorKind::Server,
        SourceErrorKind::BadResponse,
        SourceErrorKind::Query,
        SourceErrorKind::Config,
        SourceErrorKind::Storage,
    ];

    /// The word `Display` puts before every message of this kind; messages must not
    /// start with it ("rate limited: rate limited").
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

impl SourceError {
    /// The message without a leading repeat of the kind's word (a server's own
    /// `timeout: …` under the timeout kind): what follows "word: " in `Display`.
    pub fn detail(&self) -> &str {
        let word = self.kind.word();
        let m = self.message.as_str();
        match m.get(..word.len()) {
            Some(head) if head.eq_ignore_ascii_case(word) => {
                let rest = &m[word.len()..];
                match rest.strip_prefix(':') {
                    Some(after) => after.trim_start(),
                    None if rest.is_empty() => rest,
                    None => m,
                }
            }
            _ => m,
        }
    }
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.word(), self.detail())
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
    /// What an incremental source must remember across restarts (watermarks, the
    /// records behind a deployment, what is known of its commits): saved in the
    /// cache in the same transaction as the data beside it, never shown.
    SyncState(Vec<SyncEntry>),
}

/// One piece of a source's sync state, opaque to the cache: `key` is unique within
/// the source, `json` is the source's own encoding. `at` lets it be purged with the
/// data it describes (`None`: a watermark, kept until replaced).
#[derive(Debug, Clone, PartialEq)]
pub struct SyncEntry {
    pub key: String,
    pub at: Option<Ts>,
    pub json: String,
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
    /// A review write (session, audit, outbox item) for the review worker.
    Review(Box<crate::review::outbox::ReviewCommand>),
    /// A fetch to keep in the local cache, for the cache writer.
    Cache(Box<CacheSave>),
}

/// What one source fetched, to be saved in the local cache: a `Fetched` or `Progress`
/// event's data, as the app received it.
#[derive(Debug, Clone)]
pub struct CacheSave {
    pub source: String,
    pub at: Ts,
    pub data: Vec<SourceData>,
}

impl CacheSave {
    /// The save a source event asks for: a live fetch's data (whole, or a long fetch's
    /// pages so far). Not data loaded from the cache itself, not the `cache` source's
    /// own status, not a service's early `Arrived` answers (its `Fetched` carries them).
    pub fn of(ev: &SourceEvent) -> Option<CacheSave> {
        if ev.source == crate::store::CACHE_SOURCE_ID {
            return None;
        }
        match &ev.kind {
            SourceEventKind::Fetched { at, data, .. }
            | SourceEventKind::Progress { at, data, .. } => Some(CacheSave {
                source: ev.source.clone(),
                at: *at,
                data: data.clone(),
            }),
            _ => None,
        }
    }
}

/// `SourceData` holds floats and has no `PartialEq`; commands are compared in tests,
/// so two saves are equal when their source, time and data print alike (reflexive,
/// unlike `f64`'s NaN, so `Eq` holds).
impl PartialEq for CacheSave {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
            && self.at == other.at
            && format!("{:?}", self.data) == format!("{:?}", other.data)
    }
}

impl Eq for CacheSave {}

/// Commands a source task accepts on its command channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceCommand {
    Refresh,
    /// Roll back the live rollout of a service (the demo honours this).
    Rollback {
        service: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the message repeats the word `Display` already leads with.
    fn stutters(e: &SourceError) -> bool {
        let shown = e.to_string().to_lowercase();
        let word = e.kind.word();
        shown.starts_with(&format!("{word}: {word}"))
    }

    #[test]
    fn display_never_repeats_the_kind_word_whatever_the_message() {
        for kind in SourceErrorKind::ALL {
            let w = kind.word();
            for message in [format!("{w}: x"), w.to_uppercase(), format!("{w}:x")] {
                let e = SourceError {
                    kind,
                    message: message.into(),
                };
                assert!(!stutters(&e), "{e}");
            }
            // A message that only starts like the word keeps it ("authority…").
            let e = SourceError {
                kind,
                message: format!("{w}ish thing").into(),
            };
            assert_eq!(e.detail(), format!("{w}ish thing"));
        }
    }

    #[test]
    fn no_message_constructor_starts_with_its_kind_word() {
        use crate::net::error::{from_status, html_page};
        let mut errors: Vec<SourceError> = Vec::new();
        for status in (400..=599).chain([200, 302]) {
            errors.push(from_status(status, b"{\"error\":\"nope\"}", &[]));
            errors.push(html_page(status, b"<title>Sign in</title>", &[]));
        }
        for error_type in [
            "timeout",
            "canceled",
            "internal",
            "unavailable",
            "bad_data",
            "execution",
            "422",
        ] {
            let body = format!(
                "{{\"status\":\"error\",\"errorType\":\"{error_type}\",\"error\":\"it failed\"}}"
            );
            let parsed =
                crate::sources::prometheus::api::parse::<serde_json::Value>(422, body.as_bytes());
            errors.extend(parsed.err());
        }
        errors
            .extend(crate::sources::prometheus::api::parse::<serde_json::Value>(502, b"<>").err());
        if let Event::Source(SourceEvent {
            kind: SourceEventKind::Failed { error, .. },
            ..
        }) = crate::store::failure_event("cannot read the cache x".into())
        {
            errors.push(error);
        }
        let kinds: std::collections::HashSet<_> = errors.iter().map(|e| e.kind).collect();
        assert!(kinds.len() >= 6, "too few kinds exercised: {kinds:?}");
        for e in &errors {
            let head = e.message.to_lowercase();
            assert!(
                !head.starts_with(e.kind.word()),
                "the message repeats its kind: {e}"
            );
        }
    }
}
