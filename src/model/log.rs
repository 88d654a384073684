//! The deployments the model holds: sorted by start, then id, one per id, with a
//! columnar copy of what the metrics engine reads kept beside them.
//!
//! Deriving the DORA figures walks every deployment and every commit on each data
//! change. Read from `Deployment`s, that walk chases pointers all over the heap (each
//! deployment's commits are their own allocation, each sha another); at a million
//! deployments it cost most of a second. The columns hold the same facts densely — a
//! few bytes a deployment, 24 a commit, the sha already hashed — and are kept up to
//! date by every change, at the cost of the change itself: a poll that replaces or
//! appends `k` deployments costs `O(k)`, not a rebuild.
//!
//! Times are kept to the millisecond, as every source gives them.

use std::cmp::Ordering;
use std::ops::{Deref, Range};

use super::fnv::{sha_hash, FnvMap};
use super::{CanaryOutcome, DeployKind, DeployStatus, Deployment, Ts};

/// Deployments sorted by `started_at`, then id, with unique ids. Read it as a slice
/// (`Deref`); change it only through [`DeploymentLog::upsert`], which keeps the
/// columns in step.
#[derive(Debug, Clone, Default)]
pub struct DeploymentLog {
    items: Vec<Deployment>,
    /// Id → position in `items`.
    positions: FnvMap<String, usize>,
    columns: DeployColumns,
}

/// A commit as the metrics engine reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitKey {
    /// [`sha_hash`] of the sha.
    pub sha_hash: u64,
    pub committed_ms: i64,
    pub authored_ms: i64,
}

/// Per-deployment columns (index = position in the log).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeployColumns {
    /// Service names, each once; `service[i]` indexes it.
    pub services: Vec<String>,
    service_ids: FnvMap<String, u32>,
    pub service: Vec<u32>,
    pub production: Vec<bool>,
    pub started_ms: Vec<i64>,
    /// `i64::MAX` while unfinished.
    pub finished_ms: Vec<i64>,
    pub status: Vec<DeployStatus>,
    pub kind: Vec<DeployKind>,
    pub canary_failed: Vec<bool>,
    /// Deployment `i`'s commits are `commits[service[i]][commit_start[i]..][..commit_len[i]]`:
    /// kept per service, in log order, so that walking one service's history reads
    /// its commits in memory order.
    commit_start: Vec<usize>,
    commit_len: Vec<u32>,
    commits: Vec<Vec<CommitKey>>,
}

/// The log's order: by start, then id.
pub fn deploy_order(a: &Deployment, b: &Deployment) -> Ordering {
    a.started_at
        .cmp(&b.started_at)
        .then_with(|| a.id.cmp(&b.id))
}

/// Epoch milliseconds of an instant (rounded down).
pub fn ms(t: Ts) -> i64 {
    t.timestamp_millis()
}

impl DeploymentLog {
    /// Replaces deployments with the same id (the last of a batch wins) and adds new
    /// ones, keeping the order. New deployments after every known one — what a poll
    /// brings — are appended; anything else (a backfill, a start that moved) sorts the
    /// log and rebuilds its columns.
    pub fn upsert(&mut self, batch: Vec<Deployment>) {
        // The last of a batch wins: earlier copies of an id are flagged (keys borrowed
        // from the batch: a million-deployment cache load clones no id for this).
        let mut superseded = vec![false; batch.len()];
        {
            let mut last: FnvMap<&str, usize> = FnvMap::default();
            last.reserve(batch.len());
            for (k, d) in batch.iter().enumerate() {
                if let Some(earlier) = last.insert(d.id.as_str(), k) {
                    superseded[earlier] = true;
                }
            }
        }
        let mut fresh: Vec<Deployment> = Vec::new();
        let mut rebuild = false;
        for (d, superseded) in batch.into_iter().zip(superseded) {
            if superseded {
                continue;
            }
            let Some(&p) = self.positions.get(d.id.as_str()) else {
                fresh.push(d);
                continue;
            };
            let fits = p
                .checked_sub(1)
                .is_none_or(|q| deploy_order(&self.items[q], &d) == Ordering::Less)
                && self
                    .items
                    .get(p + 1)
                    .is_none_or(|next| deploy_order(&d, next) == Ordering::Less);
            rebuild = rebuild || !fits || !self.columns.set(p, &d);
            self.items[p] = d;
        }
        // One pass when already in order, or in reverse order (newest first, as GitLab
        // lists them).
        fresh.sort_by(deploy_order);
        let after_all = match (self.items.last(), fresh.first()) {
            (Some(last), Some(first)) => deploy_order(last, first) == Ordering::Less,
            _ => true,
        };
        if rebuild || !after_all {
            self.items.extend(fresh);
            // Stable and run-aware: a log with a few stragglers sorts in one pass.
            self.items.sort_by(deploy_order);
            self.reindex();
            return;
        }
        self.items.reserve(fresh.len());
        self.positions.reserve(fresh.len());
        self.columns.reserve(&fresh);
        for d in fresh {
            self.positions.insert(d.id.clone(), self.items.len());
            self.columns.push(&d);
            self.items.push(d);
        }
    }

    /// Position of the deployment with this id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.positions.get(id).copied()
    }

    pub fn columns(&self) -> &DeployColumns {
        &self.columns
    }

    /// Positions and columns from `items`, from scratch.
    fn reindex(&mut self) {
        self.positions = self
            .items
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.clone(), i))
            .collect();
        self.columns = DeployColumns::of(&self.items);
    }
}

impl Deref for DeploymentLog {
    type Target = [Deployment];
    fn deref(&self) -> &[Deployment] {
        &self.items
    }
}

impl From<Vec<Deployment>> for DeploymentLog {
    fn from(items: Vec<Deployment>) -> Self {
        let mut log = DeploymentLog::default();
        log.upsert(items);
        log
    }
}

impl FromIterator<Deployment> for DeploymentLog {
    fn from_iter<I: IntoIterator<Item = Deployment>>(iter: I) -> Self {
        DeploymentLog::from(iter.into_iter().collect::<Vec<_>>())
    }
}

impl DeployColumns {
    /// The columns of `items`, in their order.
    pub fn of(items: &[Deployment]) -> Self {
        let n = items.len();
        let mut c = DeployColumns {
            service: Vec::with_capacity(n),
            production: Vec::with_capacity(n),
            started_ms: Vec::with_capacity(n),
            finished_ms: Vec::with_capacity(n),
            status: Vec::with_capacity(n),
            kind: Vec::with_capacity(n),
            canary_failed: Vec::with_capacity(n),
            commit_start: Vec::with_capacity(n),
            commit_len: Vec::with_capacity(n),
            ..DeployColumns::default()
        };
        for d in items {
            c.push(d);
        }
        c
    }

    pub fn len(&self) -> usize {
        self.service.len()
    }

    /// Room for `items` more (their commits counted per service).
    fn reserve(&mut self, items: &[Deployment]) {
        let n = items.len();
        self.service.reserve(n);
        self.production.reserve(n);
        self.started_ms.reserve(n);
        self.finished_ms.reserve(n);
        self.status.reserve(n);
        self.kind.reserve(n);
        self.canary_failed.reserve(n);
        self.commit_start.reserve(n);
        self.commit_len.reserve(n);
    }

    pub fn is_empty(&self) -> bool {
        self.service.is_empty()
    }

    /// The commits of deployment `i`.
    pub fn commits_of(&self, i: usize) -> &[CommitKey] {
        self.commit_range(i)
            .and_then(|(s, r)| self.commits.get(s)?.get(r))
            .unwrap_or(&[])
    }

    /// Deployment `i`'s commits as a range of its service's commits
    /// ([`DeployColumns::service_commits`]).
    pub fn commit_span(&self, i: usize) -> Range<usize> {
        self.commit_range(i).map_or(0..0, |(_, r)| r)
    }

    /// The commits of every deployment of service `s` (an index of `services`), in
    /// log order.
    pub fn service_commits(&self, s: usize) -> &[CommitKey] {
        self.commits.get(s).map_or(&[], Vec::as_slice)
    }

    /// The service of deployment `i`'s commits and their range in its vector.
    fn commit_range(&self, i: usize) -> Option<(usize, Range<usize>)> {
        let start = *self.commit_start.get(i)?;
        let len = *self.commit_len.get(i)? as usize;
        Some((*self.service.get(i)? as usize, start..start + len))
    }

    fn service_id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.service_ids.get(name) {
            return id;
        }
        let id = self.services.len() as u32;
        self.services.push(name.to_string());
        self.commits.push(Vec::new());
        self.service_ids.insert(name.to_string(), id);
        id
    }

    fn push(&mut self, d: &Deployment) {
        let service = self.service_id(&d.service);
        self.service.push(service);
        self.production.push(d.is_production());
        self.started_ms.push(ms(d.started_at));
        self.finished_ms.push(d.finished_at.map_or(i64::MAX, ms));
        self.status.push(d.status);
        self.kind.push(d.kind);
        self.canary_failed.push(canary_failed(d));
        // Every service id has its vector (pushed with the name).
        let commits = &mut self.commits[service as usize];
        self.commit_start.push(commits.len());
        self.commit_len.push(d.commits.len() as u32);
        commits.extend(d.commits.iter().map(commit_key));
    }

    /// Overwrites row `i` with `d` (same position in the order, same service; the
    /// caller rebuilds otherwise). False when that does not hold.
    fn set(&mut self, i: usize, d: &Deployment) -> bool {
        let Some((s, range)) = self.commit_range(i) else {
            return false;
        };
        if self.services.get(s).is_none_or(|name| *name != d.service) {
            return false;
        }
        self.production[i] = d.is_production();
        self.started_ms[i] = ms(d.started_at);
        self.finished_ms[i] = d.finished_at.map_or(i64::MAX, ms);
        self.status[i] = d.status;
        self.kind[i] = d.kind;
        self.canary_failed[i] = canary_failed(d);
        let keys = d.commits.iter().map(commit_key);
        let commits = &mut self.commits[s];
        if range.len() == d.commits.len() {
            for (slot, key) in commits[range].iter_mut().zip(keys) {
                *slot = key;
            }
            return true;
        }
        // Rare (a deployment's commit list changed length): the service's later
        // commits move.
        let (old, new) = (range.len(), d.commits.len());
        commits.splice(range, keys);
        self.commit_len[i] = new as u32;
        for j in i + 1..self.service.len() {
            if self.service[j] as usize == s {
                self.commit_start[j] = self.commit_start[j] + new - old;
            }
        }
        true
    }
}

fn canary_failed(d: &Deployment) -> bool {
    d.canary
        .as_ref()
        .is_some_and(|c| c.outcome == CanaryOutcome::Failed)
}

fn commit_key(c: &super::Change) -> CommitKey {
    CommitKey {
        sha_hash: sha_hash(&c.sha),
        committed_ms: ms(c.committed_at),
        authored_ms: ms(c.authored_at),
    }
}

#[cfg(test)]
mod tests;
