//! The hallway's own error: what went wrong in words a user can act on, how long the
//! server asked us to wait, and — for the writers — whether a request could have taken
//! effect on the server. Readers only show it; the review outbox decides on it whether
//! to create again or to search first (DESIGN §6).

use std::time::Duration;

use crate::event::SourceError;

/// Whether a failed request could have taken effect on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// It surely did not: the connection was never made, or the server answered with a
    /// refusal (4xx, a login page). Sending it again cannot duplicate anything.
    NotApplied,
    /// It may have: a timeout after sending, a reset, a 5xx (a proxy may have cut off a
    /// server that went on), or a success whose answer broke off. A writer must look
    /// before it sends again.
    MaybeApplied,
}

/// A failure of one request (after the client's own retries).
///
/// It dereferences to its [`SourceError`], so `e.kind` and `e.message` read through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetError {
    pub error: SourceError,
    /// How long the server asked us to wait (`Retry-After` on a 429 or 503).
    pub retry_after: Option<Duration>,
    /// Unknown unless the hallway knows better: an error built outside it is treated
    /// as possibly applied, the safe assumption for a writer.
    pub delivery: Delivery,
}

impl NetError {
    pub fn new(error: SourceError) -> Self {
        NetError {
            error,
            retry_after: None,
            delivery: Delivery::MaybeApplied,
        }
    }

    /// The same error with the server's `Retry-After` hint, when there is one.
    pub fn with_retry_after(mut self, hint: Option<Duration>) -> Self {
        if hint.is_some() {
            self.retry_after = hint;
        }
        self
    }

    pub fn with_delivery(mut self, delivery: Delivery) -> Self {
        self.delivery = delivery;
        self
    }

    /// True when a write that failed so could have landed.
    pub fn may_have_applied(&self) -> bool {
        self.delivery == Delivery::MaybeApplied
    }
}

impl From<SourceError> for NetError {
    fn from(error: SourceError) -> Self {
        NetError::new(error)
    }
}

impl std::ops::Deref for NetError {
    type Target = SourceError;
    fn deref(&self) -> &SourceError {
        &self.error
    }
}

impl std::fmt::Display for NetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for NetError {}

/// Whether an HTTP status means the server refused the request without acting on it.
/// 408 (the server gave up reading) and 5xx are not refusals: the work may have begun.
pub fn status_refused(status: u16) -> bool {
    (400..500).contains(&status) && status != 408
}
