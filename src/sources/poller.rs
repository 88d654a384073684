//! The generic poller: one tokio task per source that fetches on an interval with
//! jitter, skips a tick while the last fetch still runs, backs off while failing,
//! never asks again before a server's `Retry-After` has passed, fetches at once on
//! `Refresh`, and stops promptly on shutdown — even in the middle of a fetch that
//! hangs. Results and errors go to the app as events.

use std::future::Future;
use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::{sleep_until, Instant};

use super::{channels, EventTx, FetchError, SourceContext, SourceHandle};
use crate::event::{SourceCommand, SourceData, SourceError, SourceErrorKind, SourceEventKind};
use crate::model::outside::OutsideText;
use crate::net::retry::{above_hint, unit_random};

/// What one successful fetch produced.
#[derive(Debug, Clone, Default)]
pub struct Fetched {
    pub data: Vec<SourceData>,
    /// Warnings the API gave (partial responses, ignored series…), shown in the UI.
    pub warnings: Vec<OutsideText>,
}

pub type FetchResult = Result<Fetched, FetchError>;

/// Timing of a poller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PollerOptions {
    pub interval: StdDuration,
    /// Up to this fraction of the interval is added at random to each wait, so that
    /// sources started together do not poll together forever.
    pub jitter: f64,
    /// Longest wait between attempts while failing.
    pub max_backoff: StdDuration,
    /// A fetch that runs longer than this is abandoned and reported as a timeout.
    pub fetch_timeout: StdDuration,
}

/// While failing, the wait between attempts grows to at most this many intervals, so
/// a source that answers again is seen healthy within a few intervals, not minutes.
pub const BACKOFF_MULTIPLE: u32 = 4;

/// ... but never to less than this: a 1 s interval still backs off to 10 s instead of
/// hammering a server that is down every 4 s.
pub const BACKOFF_FLOOR: StdDuration = StdDuration::from_secs(10);

/// The longest wait between attempts while a source fails (before jitter and any
/// `Retry-After` the server sends): `BACKOFF_MULTIPLE` intervals, at least
/// `BACKOFF_FLOOR`.
pub fn backoff_cap(interval: StdDuration) -> StdDuration {
    interval.saturating_mul(BACKOFF_MULTIPLE).max(BACKOFF_FLOOR)
}

impl PollerOptions {
    pub fn new(interval: StdDuration) -> Self {
        PollerOptions {
            interval,
            jitter: 0.1,
            max_backoff: backoff_cap(interval),
            // Above the HTTP layer's own limits (a 30 s request tried three times), so
            // those name the cause first; this catches what hangs outside HTTP.
            fetch_timeout: (interval * 2).max(StdDuration::from_secs(120)),
        }
    }

    /// Wait before the next fetch after `failures` consecutive failures (0 = healthy):
    /// the interval doubled per failure, capped, plus jitter.
    pub fn delay(&self, failures: u32) -> StdDuration {
        let base = self
            .interval
            .saturating_mul(1u32 << failures.min(16))
            .min(self.max_backoff.max(self.interval));
        base + base.mul_f64(self.jitter.clamp(0.0, 1.0) * unit_random())
    }

    /// Wait before the next fetch after a failure: the backoff, but never less than
    /// the server's `Retry-After` (plus jitter above it, never below), however long.
    pub fn delay_after_failure(
        &self,
        failures: u32,
        retry_after: Option<StdDuration>,
    ) -> StdDuration {
        let backoff = self.delay(failures);
        match retry_after {
            Some(hint) => backoff.max(above_hint(hint)),
            None => backoff,
        }
    }
}

/// Spawns a poller for source `id`. `fetch` is called for every fetch; each call runs
/// in its own task, so a fetch that hangs blocks nothing but itself.
pub fn spawn_poller<F, Fut>(
    id: impl Into<String>,
    options: PollerOptions,
    events: EventTx,
    shutdown: watch::Receiver<bool>,
    fetch: F,
) -> SourceHandle
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = FetchResult> + Send + 'static,
{
    let id = id.into();
    let (ctx, commands) = channels(events, shutdown);
    let task = tokio::spawn(run(id.clone(), options, ctx, fetch));
    SourceHandle {
        id,
        interval: Duration::from_std(options.interval).unwrap_or(Duration::seconds(30)),
        commands,
        task,
    }
}

async fn run<F, Fut>(id: String, options: PollerOptions, mut ctx: SourceContext, fetch: F)
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = FetchResult> + Send + 'static,
{
    let mut in_flight: Option<JoinHandle<FetchResult>> = None;
    let mut next_at = Instant::now();
    let mut failures: u32 = 0;
    // A server's Retry-After: no request before this, not even on Refresh.
    let mut not_before: Option<Instant> = None;
    let mut commands_open = true;
    loop {
        if ctx.is_shutting_down() {
            break;
        }
        let start_fetch = tokio::select! {
            changed = ctx.shutdown.changed() => {
                if changed.is_err() || *ctx.shutdown.borrow() { break; }
                false
            }
            cmd = ctx.commands.recv(), if commands_open => match cmd {
                // A refresh while a fetch runs is already being answered by it; one
                // while the server asked us to wait is answered when the wait ends.
                Some(SourceCommand::Refresh) => {
                    in_flight.is_none() && not_before.is_none_or(|t| Instant::now() >= t)
                }
                Some(_) => false,
                None => { commands_open = false; false }
            },
            _ = sleep_until(next_at), if in_flight.is_none() => true,
            joined = join_in_flight(&mut in_flight) => {
                in_flight = None;
                let outcome = match joined {
                    Ok(result) => result,
                    Err(e) if e.is_cancelled() => break,
                    Err(_) => Err(FetchError::new(SourceError {
                        kind: SourceErrorKind::BadResponse,
                        message: "the fetch failed unexpectedly (a bug in flightdeck)".into(),
                    })),
                };
                let (sent, retry_after) = match outcome {
                    Ok(fetched) => {
                        failures = 0;
                        (ctx.fetched(&id, Utc::now(), fetched.data, fetched.warnings).await, None)
                    }
                    Err(error) => {
                        failures = failures.saturating_add(1);
                        let hint = error.retry_after;
                        (ctx.failed(&id, Utc::now(), error).await, hint)
                    }
                };
                if !sent { break; }
                let now = Instant::now();
                let wait = options.delay_after_failure(failures, retry_after);
                next_at = now + wait;
                not_before = retry_after.map(|h| now + h);
                // The header says when the next try is ("error · next try in 12s").
                let next_try = Duration::from_std(wait)
                    .ok()
                    .and_then(|w| Utc::now().checked_add_signed(w));
                if let Some(at) = next_try {
                    if !ctx.send(&id, SourceEventKind::NextAttempt { at }).await {
                        break;
                    }
                }
                false
            }
        };
        if start_fetch {
            if !ctx.send(&id, SourceEventKind::Fetching).await {
                break;
            }
            let future = fetch();
            let limit = options.fetch_timeout;
            in_flight = Some(tokio::spawn(async move {
                match tokio::time::timeout(limit, future).await {
                    Ok(result) => result,
                    Err(_) => Err(FetchError::new(SourceError {
                        kind: SourceErrorKind::Timeout,
                        message: format!(
                            "no answer within {} s; the source may hang or be overloaded",
                            limit.as_secs()
                        )
                        .into(),
                    })),
                }
            }));
        }
    }
    if let Some(handle) = in_flight {
        handle.abort();
    }
}

/// Waits for the running fetch; never resolves when none runs.
async fn join_in_flight(
    in_flight: &mut Option<JoinHandle<FetchResult>>,
) -> Result<FetchResult, tokio::task::JoinError> {
    match in_flight {
        Some(handle) => handle.await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
#[path = "poller_tests.rs"]
mod tests;
