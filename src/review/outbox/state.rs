//! The delivery of one outbox item as a pure state machine (DESIGN §6): no I/O, no
//! clock — the worker passes `now` and the tracker's answer, and stores what comes
//! back before it acts on it.
//!
//! ```text
//! pending ──begin_create──▶ sending ──Ok(KEY)──────────────▶ sent(KEY)
//!    ▲                         │ Err(landed: No, transient) ─▶ pending (backoff)
//!    │                         │ Err(landed: No, permanent) ─▶ failed(reason)
//!    │                         │ Err(landed: Maybe) ─────────▶ searching
//!    │                         └ restart while in flight ────▶ searching
//!    │  searching ──found KEY──────────────────────────────────▶ sent(KEY)
//!    └─ searching ──nothing found over the whole search window─┘
//! ```
//!
//! `sending` is stored *before* the create request goes out: a process killed while
//! the request is in flight finds `sending` on restart and searches for the label
//! before it creates again, which is what makes a kill at any point duplicate nothing.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::model::Ts;
use crate::review::tracker::{Landed, TrackerError, TrackerKey};

/// Timing of retries and of the search after an ambiguous failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// First retry delay; doubles with each attempt.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// How long an empty search must keep being empty before a create is repeated
    /// (Jira's search is eventually consistent).
    pub search_window: Duration,
    /// The pause between searches inside the window.
    pub search_every: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            backoff_base: Duration::seconds(1),
            backoff_max: Duration::minutes(5),
            search_window: Duration::seconds(60),
            search_every: Duration::seconds(5),
        }
    }
}

impl Policy {
    /// Empty searches needed (besides the window's time) before an empty answer is
    /// believed: as many as fit in the window. A busy worker may search late, so time
    /// alone could pass in two searches; a search index that lags by a number of
    /// updates rather than by seconds would still miss the issue then.
    pub fn searches_to_believe(&self) -> u32 {
        let every = self.search_every.num_milliseconds().max(1);
        let n = self.search_window.num_milliseconds() / every;
        u32::try_from(n).unwrap_or(u32::MAX).max(2)
    }

    /// `base × 2^attempts`, capped; a server's `Retry-After` wins when longer.
    pub fn delay(&self, attempts: u32, retry_after: Option<std::time::Duration>) -> Duration {
        let shift = attempts.min(20);
        let backoff = self
            .backoff_base
            .checked_mul(1 << shift)
            .unwrap_or(self.backoff_max)
            .min(self.backoff_max);
        let asked = retry_after
            .and_then(|d| Duration::from_std(d).ok())
            .unwrap_or_else(Duration::zero);
        backoff.max(asked)
    }
}

/// What a failed item resumes with when retried by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resume {
    /// Nothing can have landed: create.
    Create,
    /// A create may have landed: search first.
    Search,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    Pending,
    /// A create request is (or may be) in flight.
    Sending,
    /// A create may have landed: searching for the label since `since`; `empty`
    /// searches found nothing so far.
    Searching {
        since: Ts,
        empty: u32,
    },
    Sent {
        key: String,
    },
    /// Retrying cannot help until a human acts; kept, and retried on request.
    Failed {
        reason: String,
        resume: Resume,
    },
}

impl Phase {
    /// One word for lists and the audit log.
    pub fn word(&self) -> &'static str {
        match self {
            Phase::Pending => "pending",
            Phase::Sending => "sending",
            Phase::Searching { .. } => "searching",
            Phase::Sent { .. } => "sent",
            Phase::Failed { .. } => "failed",
        }
    }
    /// "pending", "sent OPS-12", "failed: 403 on project OPS".
    pub fn describe(&self) -> String {
        match self {
            Phase::Sent { key } => format!("sent {key}"),
            Phase::Failed { reason, .. } => format!("failed: {reason}"),
            other => other.word().to_string(),
        }
    }
    pub fn is_final(&self) -> bool {
        matches!(self, Phase::Sent { .. } | Phase::Failed { .. })
    }
}

/// An item's delivery state, as stored in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub phase: Phase,
    /// Failed attempts so far (the backoff exponent).
    pub attempts: u32,
    /// Not before this instant.
    pub next_at: Ts,
    /// The last transient error, shown beside `pending` ("retrying: 503").
    #[serde(default)]
    pub last_error: Option<String>,
}

/// What the worker does next for an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Search,
    /// Nothing before this instant.
    Wait(Ts),
    /// Sent or failed: nothing to do.
    Done,
}

impl Delivery {
    pub fn new(now: Ts) -> Self {
        Delivery {
            phase: Phase::Pending,
            attempts: 0,
            next_at: now,
            last_error: None,
        }
    }

    pub fn action(&self, now: Ts) -> Action {
        match self.phase {
            Phase::Sent { .. } | Phase::Failed { .. } => Action::Done,
            _ if self.next_at > now => Action::Wait(self.next_at),
            Phase::Pending => Action::Create,
            // Only seen after a restart (see `resumed`); never create blindly.
            Phase::Sending | Phase::Searching { .. } => Action::Search,
        }
    }

    /// After a restart: a create that was in flight may have landed.
    pub fn resumed(self, now: Ts) -> Self {
        match self.phase {
            Phase::Sending => Delivery {
                phase: Phase::Searching {
                    since: now,
                    empty: 0,
                },
                next_at: now,
                ..self
            },
            _ => self,
        }
    }

    /// Stored before the create request goes out.
    pub fn begin_create(self) -> Self {
        Delivery {
            phase: Phase::Sending,
            ..self
        }
    }

    pub fn on_create(self, result: Result<TrackerKey, TrackerError>, now: Ts, p: &Policy) -> Self {
        match result {
            Ok(key) => self.sent(key),
            Err(e) => match e.landed {
                Landed::Maybe => Delivery {
                    phase: Phase::Searching {
                        since: now,
                        empty: 0,
                    },
                    attempts: self.attempts + 1,
                    next_at: now,
                    last_error: Some(e.message.to_string()),
                },
                Landed::No if e.permanent => self.failed(&e, Resume::Create),
                Landed::No => self.retry_later(&e, Phase::Pending, now, p),
            },
        }
    }

    pub fn on_search(
        self,
        result: Result<Vec<TrackerKey>, TrackerError>,
        now: Ts,
        p: &Policy,
    ) -> Self {
        let Phase::Searching { since, empty } = self.phase else {
            return self;
        };
        match result {
            // Normally one; after an earlier duplicate, the oldest key is the item's.
            Ok(keys) if !keys.is_empty() => {
                let key = keys
                    .into_iter()
                    .min()
                    .unwrap_or_else(|| TrackerKey(String::new()));
                self.sent(key)
            }
            Ok(_) => {
                let empty = empty + 1;
                if now - since >= p.search_window && empty >= p.searches_to_believe() {
                    // Sure now that the create did not land: create again.
                    Delivery {
                        phase: Phase::Pending,
                        next_at: now,
                        ..self
                    }
                } else {
                    Delivery {
                        phase: Phase::Searching { since, empty },
                        next_at: now + p.search_every,
                        ..self
                    }
                }
            }
            Err(e) if e.permanent => self.failed(&e, Resume::Search),
            Err(e) => self.retry_later(&e, Phase::Searching { since, empty }, now, p),
        }
    }

    /// A failed item retried by hand.
    pub fn retry(self, now: Ts) -> Self {
        let phase = match &self.phase {
            Phase::Failed {
                resume: Resume::Create,
                ..
            } => Phase::Pending,
            Phase::Failed {
                resume: Resume::Search,
                ..
            } => Phase::Searching {
                since: now,
                empty: 0,
            },
            other => other.clone(),
        };
        Delivery {
            phase,
            attempts: 0,
            next_at: now,
            ..self
        }
    }

    fn sent(self, key: TrackerKey) -> Self {
        Delivery {
            phase: Phase::Sent { key: key.0 },
            last_error: None,
            ..self
        }
    }

    fn failed(self, e: &TrackerError, resume: Resume) -> Self {
        Delivery {
            phase: Phase::Failed {
                reason: e.message.to_string(),
                resume,
            },
            attempts: self.attempts + 1,
            last_error: None,
            ..self
        }
    }

    fn retry_later(self, e: &TrackerError, phase: Phase, now: Ts, p: &Policy) -> Self {
        Delivery {
            phase,
            next_at: now + p.delay(self.attempts, e.retry_after),
            attempts: self.attempts + 1,
            last_error: Some(e.message.to_string()),
        }
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
