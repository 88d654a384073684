//! When to try again: exponential backoff with jitter, and `Retry-After`.
//!
//! Jitter is only ever *added*: a server that says "retry after 30 s" is never asked
//! again sooner, and many clients that failed together do not retry together.

use std::cell::Cell;
use std::time::{Duration, SystemTime};

/// How a request is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// Delay before the first retry; doubled each time.
    pub base_delay: Duration,
    /// Cap of the doubled delay; jitter (up to 25%) comes on top, so that clients
    /// that failed together do not retry in lockstep once they all reach the cap.
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited for inside one fetch: the error
    /// is surfaced with the hint ([`crate::net::NetError::retry_after`]) and the
    /// poller waits for it before its next attempt.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Delay before retry number `retry` (1-based) without a server hint:
    /// `min(base · 2^(retry-1), max_delay)` plus up to 25% jitter.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(20));
        let capped = exp.min(self.max_delay);
        capped + capped.mul_f64(0.25 * unit_random())
    }

    /// Delay honouring a server's `Retry-After` within one fetch: never below it, with
    /// [`above_hint`]'s jitter; `None` when it is longer than we wait here (the caller
    /// then surfaces the hint instead).
    pub fn after_hint(&self, hint: Duration) -> Option<Duration> {
        (hint <= self.max_retry_after).then(|| above_hint(hint))
    }
}

/// A wait that honours a server's hint: never below it, up to 10% (at least 100 ms)
/// above it, so many clients told the same thing do not all come back at once.
pub fn above_hint(hint: Duration) -> Duration {
    let spread = hint.mul_f64(0.1).max(Duration::from_millis(100));
    hint + spread.mul_f64(unit_random())
}

/// Parses `Retry-After`: delta seconds, or an HTTP date (relative to `now`). A date in
/// the past means "now".
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let at = SystemTime::UNIX_EPOCH
        .checked_add(Duration::from_secs(u64::try_from(at.timestamp()).ok()?))?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A number in `[0, 1)`. Jitter needs spread, not cryptographic quality: a per-thread
/// xorshift seeded from the clock and the thread's stack address is enough.
pub fn unit_random() -> f64 {
    thread_local! {
        static STATE: Cell<u64> = Cell::new(seed());
    }
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        (x >> 11) as f64 / (1u64 << 53) as f64
    })
}

fn seed() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let local = 0u8;
    let addr = &local as *const u8 as u64;
    (nanos ^ addr.rotate_left(32)) | 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_450);
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        // 2015-10-21T07:28:00Z is 1445412480: 30 s after `now`.
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn jitter_never_goes_below_the_hint() {
        let p = RetryPolicy::default();
        for _ in 0..1000 {
            let d = p.after_hint(Duration::from_secs(2)).expect("short hint");
            assert!(
                d >= Duration::from_secs(2) && d <= Duration::from_millis(2200),
                "{d:?}"
            );
        }
        assert_eq!(p.after_hint(Duration::from_secs(3600)), None);
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = RetryPolicy::default();
        for _ in 0..100 {
            let first = p.backoff(1);
            assert!(first >= Duration::from_millis(500) && first <= Duration::from_millis(625));
            let third = p.backoff(3);
            assert!(third >= Duration::from_secs(2) && third <= Duration::from_millis(2500));
            let capped = p.backoff(30);
            assert!(capped >= p.max_delay && capped <= p.max_delay.mul_f64(1.25));
        }
    }

    #[test]
    fn backoff_keeps_its_jitter_at_the_cap() {
        let p = RetryPolicy::default();
        let mut at_cap: Vec<Duration> = (0..50).map(|_| p.backoff(30)).collect();
        at_cap.sort();
        at_cap.dedup();
        assert!(
            at_cap.len() > 10,
            "capped delays must still spread: {at_cap:?}"
        );
    }

    #[test]
    fn unit_random_stays_in_range() {
        for _ in 0..10_000 {
            let r = unit_random();
            assert!((0.0..1.0).contains(&r));
        }
    }
}
