//! An in-process test double of an issue tracker for the review outbox: it keeps what
//! is created, answers label searches (eventually consistent when asked), counts
//! requests, and injects the faults a real tracker has: 429 bursts with Retry-After,
//! timeouts after the write landed, 5xx, connection resets, and a call that never
//! returns (to drop the worker mid-request).

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use flightdeck::review::tracker::{
    Landed, OutgoingItem, Tracker, TrackerError, TrackerFuture, TrackerKey,
};
use tokio::sync::Notify;

/// What one create does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// 429 with Retry-After: refused, nothing landed.
    RateLimited,
    /// The issue is created, the answer is lost (a read timeout).
    TimeoutAfterLanding,
    /// 500 before anything landed (ambiguous to the client).
    ServerError,
    /// The connection resets; the issue landed.
    ResetLanded,
    /// The connection resets before the issue landed.
    ResetNotLanded,
    /// 403: a permanent refusal.
    Forbidden,
    /// The issue lands and the call never returns (the worker is dropped meanwhile).
    HangAfterLanding,
    /// The call never returns and nothing lands.
    HangBeforeLanding,
}

#[derive(Debug, Clone)]
pub struct Issue {
    pub key: String,
    pub label: String,
    pub summary: String,
    /// Searches that will still miss it (eventual consistency).
    pub invisible_for: u32,
}

#[derive(Default)]
struct State {
    issues: Vec<Issue>,
    /// Faults for the next creates, in order; then `pattern` decides.
    script: VecDeque<Fault>,
    /// Searches that miss a fresh issue.
    search_lag: u32,
    /// A 429 burst on searches: this many refused next.
    search_429: u32,
    rng: u64,
    /// Fraction (per mille) of creates that get a random fault.
    random_faults: u32,
}

pub struct FakeTracker {
    state: Mutex<State>,
    pub creates: AtomicU64,
    pub searches: AtomicU64,
    /// Notified when a call hangs (the test then drops the worker).
    pub hung: Arc<Notify>,
}

fn err(landed: Landed, permanent: bool, retry_after: Option<Duration>, msg: &str) -> TrackerError {
    TrackerError {
        landed,
        message: msg.into(),
        retry_after,
        permanent,
    }
}

impl FakeTracker {
    pub fn new() -> Arc<Self> {
        Arc::new(FakeTracker {
            state: Mutex::new(State {
                rng: 0x9e37_79b9_7f4a_7c15,
                ..State::default()
            }),
            creates: AtomicU64::new(0),
            searches: AtomicU64::new(0),
            hung: Arc::new(Notify::new()),
        })
    }

    /// Keeps the issues of `other` (a tracker that outlives a dropped worker).
    pub fn sharing_issues_of(other: &FakeTracker) -> Arc<Self> {
        let t = Self::new();
        t.state.lock().unwrap().issues = other.issues();
        t
    }

    pub fn script(&self, faults: &[Fault]) {
        self.state
            .lock()
            .unwrap()
            .script
            .extend(faults.iter().copied());
    }
    pub fn search_lag(&self, searches: u32) {
        self.state.lock().unwrap().search_lag = searches;
    }
    pub fn search_429_burst(&self, n: u32) {
        self.state.lock().unwrap().search_429 = n;
    }
    /// Random faults on `per_mille` of creates, from a fixed seed.
    pub fn random_faults(&self, per_mille: u32, seed: u64) {
        let mut s = self.state.lock().unwrap();
        s.random_faults = per_mille;
        s.rng = seed | 1;
    }
    pub fn issues(&self) -> Vec<Issue> {
        self.state.lock().unwrap().issues.clone()
    }
    /// How many issues carry `label`.
    pub fn count(&self, label: &str) -> usize {
        self.issues().iter().filter(|i| i.label == label).count()
    }
    pub fn requests(&self) -> u64 {
        self.creates.load(Ordering::SeqCst) + self.searches.load(Ordering::SeqCst)
    }

    fn next_fault(&self) -> Fault {
        let mut s = self.state.lock().unwrap();
        if let Some(f) = s.script.pop_front() {
            return f;
        }
        if s.random_faults == 0 {
            return Fault::None;
        }
        // xorshift64
        let mut x = s.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.rng = x;
        if (x % 1000) as u32 >= s.random_faults {
            return Fault::None;
        }
        match (x >> 20) % 10 {
            0..=3 => {
                // A 429 burst: this one and the next two.
                s.script.extend([Fault::RateLimited, Fault::RateLimited]);
                Fault::RateLimited
            }
            4 | 5 => Fault::TimeoutAfterLanding,
            6 | 7 => Fault::ServerError,
            8 => Fault::ResetLanded,
            _ => Fault::ResetNotLanded,
        }
    }

    fn land(&self, item: &OutgoingItem) -> TrackerKey {
        let mut s = self.state.lock().unwrap();
        let key = format!("OPS-{}", s.issues.len() + 1);
        let invisible_for = s.search_lag;
        s.issues.push(Issue {
            key: key.clone(),
            label: item.label.clone(),
            summary: item.summary.clone(),
            invisible_for,
        });
        TrackerKey(key)
    }
}

const RETRY_AFTER: Option<Duration> = Some(Duration::from_millis(2));

impl Tracker for FakeTracker {
    fn id(&self) -> &str {
        "fake"
    }

    fn create<'a>(&'a self, item: &'a OutgoingItem) -> TrackerFuture<'a, TrackerKey> {
        Box::pin(async move {
            self.creates.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            match self.next_fault() {
                Fault::None => Ok(self.land(item)),
                Fault::RateLimited => {
                    Err(err(Landed::No, false, RETRY_AFTER, "429 Too Many Requests"))
                }
                Fault::TimeoutAfterLanding => {
                    self.land(item);
                    Err(err(
                        Landed::Maybe,
                        false,
                        None,
                        "timed out reading the answer",
                    ))
                }
                Fault::ServerError => {
                    Err(err(Landed::Maybe, false, None, "500 Internal Server Error"))
                }
                Fault::ResetLanded => {
                    self.land(item);
                    Err(err(Landed::Maybe, false, None, "connection reset"))
                }
                Fault::ResetNotLanded => Err(err(Landed::Maybe, false, None, "connection reset")),
                Fault::Forbidden => {
                    Err(err(Landed::No, true, None, "403 Forbidden on project OPS"))
                }
                Fault::HangAfterLanding => {
                    self.land(item);
                    self.hung.notify_one();
                    std::future::pending().await
                }
                Fault::HangBeforeLanding => {
                    self.hung.notify_one();
                    std::future::pending().await
                }
            }
        })
    }

    fn find_by_label<'a>(&'a self, label: &'a str) -> TrackerFuture<'a, Vec<TrackerKey>> {
        Box::pin(async move {
            self.searches.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            let mut s = self.state.lock().unwrap();
            if s.search_429 > 0 {
                s.search_429 -= 1;
                return Err(err(Landed::No, false, RETRY_AFTER, "429 Too Many Requests"));
            }
            let mut found = Vec::new();
            for i in s.issues.iter_mut().filter(|i| i.label == label) {
                if i.invisible_for > 0 {
                    i.invisible_for -= 1;
                } else {
                    found.push(TrackerKey(i.key.clone()));
                }
            }
            Ok(found)
        })
    }

    fn comment<'a>(&'a self, _key: &'a TrackerKey, _text: &'a str) -> TrackerFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }
}
