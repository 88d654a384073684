//! Politeness towards one GitLab instance (API-NOTES §2.3): at most so many requests
//! in flight and per second, and when an answer says the quota is spent
//! (`RateLimit-Remaining: 0`), no request before `RateLimit-Reset` (Unix seconds, an
//! absolute time). A 429's `Retry-After` is honoured by the HTTP layer.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;
use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::event::{SourceError, SourceErrorKind};
use crate::sources::FetchError;

/// The longest wait for a quota reset inside one fetch; a longer one fails the fetch
/// with the reset as its retry hint, so the poller waits instead.
pub const MAX_RESET_WAIT: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct Throttle {
    in_flight: Arc<Semaphore>,
    /// Gap between request starts (1 / requests per second).
    spacing: Duration,
    /// The earliest start of the next request.
    next_start: Arc<Mutex<Instant>>,
}

impl Throttle {
    pub fn new(max_in_flight: usize, max_per_second: u32) -> Self {
        Throttle {
            in_flight: Arc::new(Semaphore::new(max_in_flight.max(1))),
            spacing: Duration::from_secs(1) / max_per_second.max(1),
            next_start: Arc::new(Mutex::new(Instant::now())),
        }
    }

    /// Waits for a slot; the permit is held while the request runs.
    pub async fn admit(&self) -> OwnedSemaphorePermit {
        let permit = Arc::clone(&self.in_flight)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let start = {
            let mut next = self.next_start.lock().await;
            let start = (*next).max(Instant::now());
            *next = start + self.spacing;
            start
        };
        tokio::time::sleep_until(start).await;
        permit
    }

    /// After an answer: when its headers say the quota is spent, holds every later
    /// request until the reset, or fails when that is too far off for one fetch.
    pub async fn observe(&self, headers: &HeaderMap, what: &str) -> Result<(), FetchError> {
        let Some(wait) = quota_wait(headers, SystemTime::now()) else {
            return Ok(());
        };
        if wait > MAX_RESET_WAIT {
            let e = SourceError::new(
                SourceErrorKind::RateLimited,
                format!(
                    "{what}: GitLab's rate limit is spent until its reset in {}s (RateLimit-Reset); polling waits for it",
                    wait.as_secs()
                ),
            );
            return Err(FetchError::from(e).with_retry_after(Some(wait)));
        }
        let mut next = self.next_start.lock().await;
        *next = (*next).max(Instant::now() + wait);
        Ok(())
    }
}

/// How long to hold requests after an answer with these headers: until
/// `RateLimit-Reset` when `RateLimit-Remaining` is 0; `None` when the quota is not
/// spent, the headers are absent or unreadable, or the reset has passed.
pub fn quota_wait(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let remaining: i64 = header("ratelimit-remaining")?.parse().ok()?;
    if remaining > 0 {
        return None;
    }
    let reset: u64 = header("ratelimit-reset")?.parse().ok()?;
    let now = now.duration_since(UNIX_EPOCH).ok()?;
    Duration::from_secs(reset)
        .checked_sub(now)
        .filter(|d| !d.is_zero())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).expect("a value"));
        }
        h
    }

    #[tokio::test(start_paused = true)]
    async fn requests_start_no_faster_than_the_cap() {
        let t = Throttle::new(8, 4);
        let begin = Instant::now();
        for _ in 0..9 {
            drop(t.admit().await);
        }
        // Virtual time: 8 gaps of 250 ms, exactly.
        assert_eq!(begin.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn no_more_than_the_cap_are_in_flight() {
        let t = Throttle::new(2, 1_000);
        let (a, b) = (t.admit().await, t.admit().await);
        let third = tokio::time::timeout(Duration::from_secs(60), t.admit()).await;
        assert!(third.is_err(), "a third waits while two are in flight");
        drop(a);
        let third = tokio::time::timeout(Duration::from_secs(60), t.admit()).await;
        assert!(third.is_ok(), "one finished: the third starts");
        drop(b);
    }

    #[tokio::test(start_paused = true)]
    async fn a_spent_quota_holds_the_next_request_until_the_reset_or_fails_the_fetch() {
        let t = Throttle::new(4, 1_000);
        let epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_secs();
        let spent = |reset: u64| {
            headers(&[
                ("RateLimit-Remaining", "0"),
                ("RateLimit-Reset", &reset.to_string()),
            ])
        };
        t.observe(&spent(epoch + 5), "x")
            .await
            .expect("a short wait");
        let begin = Instant::now();
        drop(t.admit().await);
        let waited = begin.elapsed();
        assert!(
            waited > Duration::from_secs(3) && waited <= Duration::from_secs(5),
            "{waited:?}"
        );
        let e = t
            .observe(&spent(epoch + 3_600), "deployments")
            .await
            .expect_err("too long for one fetch");
        assert_eq!(e.kind, SourceErrorKind::RateLimited);
        assert!(e.retry_after.is_some_and(|d| d > MAX_RESET_WAIT));
    }

    #[test]
    fn only_a_spent_quota_with_a_future_reset_holds_requests() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        let wait = |pairs: &[(&'static str, &str)]| quota_wait(&headers(pairs), now);
        assert_eq!(
            wait(&[("RateLimit-Remaining", "0"), ("RateLimit-Reset", "1012")]),
            Some(Duration::from_secs(12)),
            "Reset is an absolute time, not a delta"
        );
        assert_eq!(
            wait(&[("RateLimit-Remaining", "5"), ("RateLimit-Reset", "1012")]),
            None
        );
        assert_eq!(
            wait(&[("RateLimit-Remaining", "0"), ("RateLimit-Reset", "990")]),
            None
        );
        assert_eq!(wait(&[("RateLimit-Remaining", "0")]), None);
        assert_eq!(
            wait(&[("RateLimit-Remaining", "x"), ("RateLimit-Reset", "1012")]),
            None
        );
        assert_eq!(wait(&[]), None);
    }
}
