//! A columnar copy of what the DORA figures read from the deployments, made in one
//! pass in memory order. Reading `Deployment`s service by service chases pointers
//! (environment and sha strings, commit vectors) all over the heap; this pass reads
//! each once, in order, and everything after it works on small, dense columns.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::metrics::settings::LeadTimeBasis;
use crate::model::{CanaryOutcome, DeployKind, DeployStatus, Deployment, Ts};

/// FNV-1a: fast and deterministic for short keys (service names, shas).
#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

pub fn sha_hash(sha: &str) -> u64 {
    let mut h = Fnv::default();
    h.write(sha.as_bytes());
    h.finish()
}

/// Per-deployment columns (index = position in `Inputs::deployments`), as of `now`.
#[derive(Debug, Clone, Default)]
pub struct Table<'a> {
    /// Service names in order of first appearance; `service[i]` indexes it.
    pub services: Vec<&'a str>,
    pub service: Vec<u16>,
    /// Production, started before `now`, not canceled: a DORA row.
    pub row: Vec<bool>,
    /// Finish as of `now` in epoch milliseconds; `i64::MAX` while running.
    pub end_ms: Vec<i64>,
    pub started_ms: Vec<i64>,
    pub status: Vec<DeployStatus>,
    pub kind: Vec<DeployKind>,
    pub canary_failed: Vec<bool>,
    /// Commits of deployment `i`: `commits[service[i]][start[i]..start[i] + count[i]]`,
    /// the hash of the sha and the lead-time basis in epoch milliseconds. Kept per
    /// service so that walking one service's history reads memory in order.
    pub start: Vec<usize>,
    pub count: Vec<u32>,
    pub commits: Vec<Vec<(u64, i64)>>,
    /// Per service: its DORA rows (input order).
    pub rows_of: Vec<Vec<usize>>,
    /// Per service: every deployment started before `now`, any environment (input order).
    pub started_of: Vec<Vec<usize>>,
    /// The first deployment started before `now` with each wanted id.
    pub by_id: FnvMap<&'a str, usize>,
}

impl<'a> Table<'a> {
    /// One pass over `deployments` in memory order; `wanted` are the deployment ids
    /// someone refers to (looked up in the same pass, not in one of their own).
    pub fn new(
        deployments: &'a [Deployment],
        basis: LeadTimeBasis,
        now: Ts,
        wanted: &FnvMap<&str, ()>,
    ) -> Self {
        let now_ms = now.timestamp_millis();
        let n = deployments.len();
        let mut t = Table {
            services: Vec::new(),
            service: Vec::with_capacity(n),
            row: Vec::with_capacity(n),
            end_ms: Vec::with_capacity(n),
            started_ms: Vec::with_capacity(n),
            status: Vec::with_capacity(n),
            kind: Vec::with_capacity(n),
            canary_failed: Vec::with_capacity(n),
            start: Vec::with_capacity(n),
            count: Vec::with_capacity(n),
            commits: Vec::new(),
            rows_of: Vec::new(),
            started_of: Vec::new(),
            by_id: FnvMap::default(),
        };
        let mut ids: FnvMap<&'a str, u16> = FnvMap::default();
        let mut last: Option<(&'a str, u16)> = None;
        for d in deployments {
            let name = d.service.as_str();
            let id = match last {
                Some((s, id)) if s == name => id,
                _ => {
                    let next = t.services.len() as u16;
                    let id = *ids.entry(name).or_insert_with(|| {
                        t.services.push(name);
                        t.commits.push(Vec::new());
                        t.rows_of.push(Vec::new());
                        t.started_of.push(Vec::new());
                        next
                    });
                    last = Some((name, id));
                    id
                }
            };
            let finished = d
                .finished_at
                .filter(|&f| f < now && d.status != DeployStatus::Running);
            let started_ms = d.started_at.timestamp_millis();
            let started = started_ms < now_ms;
            let row = started && d.status != DeployStatus::Canceled && d.is_production();
            let i = t.service.len();
            let s = usize::from(id);
            if started {
                if let Some(v) = t.started_of.get_mut(s) {
                    v.push(i);
                }
                if !wanted.is_empty() && wanted.contains_key(d.id.as_str()) {
                    t.by_id.entry(d.id.as_str()).or_insert(i);
                }
            }
            if row {
                if let Some(v) = t.rows_of.get_mut(s) {
                    v.push(i);
                }
            }
            t.service.push(id);
            t.row.push(row);
            t.end_ms
                .push(finished.map_or(i64::MAX, |f| f.timestamp_millis()));
            t.started_ms.push(started_ms);
            t.status.push(if finished.is_some() {
                d.status
            } else {
                DeployStatus::Running
            });
            t.kind.push(d.kind);
            t.canary_failed.push(
                d.canary
                    .as_ref()
                    .is_some_and(|c| c.outcome == CanaryOutcome::Failed),
            );
            // Every service id has its commit vector (pushed with the name).
            let commits = t.commits.get_mut(usize::from(id));
            // Only DORA rows' commits are ever read (lead times, batches).
            let added = commits.filter(|_| row).map_or(0, |commits| {
                t.start.push(commits.len());
                commits.extend(d.commits.iter().map(|c| {
                    let at = match basis {
                        LeadTimeBasis::Committed => c.committed_at,
                        LeadTimeBasis::Authored => c.authored_at,
                    };
                    (sha_hash(&c.sha), at.timestamp_millis())
                }));
                d.commits.len()
            });
            if t.start.len() < t.count.len() + 1 {
                t.start.push(0);
            }
            t.count.push(added as u32);
        }
        t
    }

    pub fn commits_of(&self, i: usize) -> &[(u64, i64)] {
        let (Some(&s), Some(&a), Some(&n)) =
            (self.service.get(i), self.start.get(i), self.count.get(i))
        else {
            return &[];
        };
        self.commits
            .get(usize::from(s))
            .and_then(|c| c.get(a..a + n as usize))
            .unwrap_or(&[])
    }
}
