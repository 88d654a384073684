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
    /// When the merge request that brought it was merged; its commit time when no
    /// merge is known (a commit pushed straight to the branch was "merged" then).
    pub merged_ms: i64,
}

/// The columns, kept per service: walking one service's history (what every DORA
/// figure does) reads its deployments and commits in memory order, and a change to a
/// deployment touches only its service's columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeployColumns {
    /// Service names, each once; `service[i]` indexes it and `of`.
    pub services: Vec<String>,
    service_ids: FnvMap<String, u32>,
    /// Per deployment (position in the log): its service, and its place `k` in that
    /// service's columns.
    pub service: Vec<u32>,
    pub local: Vec<u32>,
    /// Per service: its deployments in log order.
    pub of: Vec<ServiceColumns>,
}

/// One service's deployments in log order (by start, then id), indexed by `k`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceColumns {
    /// Position of the deployment in the log.
    pub pos: Vec<u32>,
    pub production: Vec<bool>,
    pub started_ms: Vec<i64>,
    /// `i64::MAX` while unfinished.
    pub finished_ms: Vec<i64>,
    pub status: Vec<DeployStatus>,
    pub kind: Vec<DeployKind>,
    pub canary_failed: Vec<bool>,
    /// Deployment `k`'s commits are `commits[commit_start[k]..][..commit_len[k]]`.
    commit_start: Vec<u32>,
    commit_len: Vec<u32>,
    commits: Vec<CommitKey>,
    /// Every `k` by finish, then `k` (unfinished ones last, by `k`): the order a DORA
    /// history is laid out in. Kept as the log changes — a poll moves a few entries
    /// near the end — so that no derive sorts a million rows.
    by_finish: Vec<u32>,
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

/// Seconds from `from_ms` to `to_ms` (epoch milliseconds), 0 when `to_ms` is earlier.
pub fn seconds_between(from_ms: i64, to_ms: i64) -> f64 {
    ((to_ms - from_ms) as f64 / 1000.0).max(0.0)
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
        let first = self.items.len();
        self.positions.reserve(fresh.len());
        for (i, d) in fresh.iter().enumerate() {
            self.positions.insert(d.id.clone(), first + i);
        }
        self.columns
            .append(fresh.iter().enumerate().map(|(i, d)| (first + i, d)));
        self.items.extend(fresh);
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
        let mut c = DeployColumns::default();
        c.append(items.iter().enumerate());
        c
    }

    pub fn len(&self) -> usize {
        self.service.len()
    }

    pub fn is_empty(&self) -> bool {
        self.service.is_empty()
    }

    /// Deployment `i`'s service's columns and its place in them.
    pub fn row(&self, i: usize) -> Option<(&ServiceColumns, usize)> {
        let s = *self.service.get(i)? as usize;
        Some((self.of.get(s)?, *self.local.get(i)? as usize))
    }

    /// The commits of deployment `i`.
    pub fn commits_of(&self, i: usize) -> &[CommitKey] {
        self.row(i).map_or(&[], |(c, k)| c.commits_of(k))
    }

    fn service_id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.service_ids.get(name) {
            return id;
        }
        let id = self.services.len() as u32;
        self.services.push(name.to_string());
        self.of.push(ServiceColumns::default());
        self.service_ids.insert(name.to_string(), id);
        id
    }

    /// Appends deployments `d` at their positions `i` in the log (after every
    /// deployment so far, in order), then puts each service's new ones in finish order.
    fn append<'d>(&mut self, items: impl ExactSizeIterator<Item = (usize, &'d Deployment)>) {
        self.service.reserve(items.len());
        self.local.reserve(items.len());
        let before: Vec<usize> = self.of.iter().map(|c| c.by_finish.len()).collect();
        for (i, d) in items {
            let service = self.service_id(&d.service);
            // Every service id has its columns (pushed with the name).
            let columns = &mut self.of[service as usize];
            self.service.push(service);
            self.local.push(columns.len() as u32);
            columns.push(i, d);
        }
        for (s, columns) in self.of.iter_mut().enumerate() {
            columns.order_by_finish(before.get(s).copied().unwrap_or(0));
        }
    }

    /// Overwrites position `i` with `d` (same position in the order, same service;
    /// the caller rebuilds otherwise). False when that does not hold.
    fn set(&mut self, i: usize, d: &Deployment) -> bool {
        let (Some(&s), Some(&k)) = (self.service.get(i), self.local.get(i)) else {
            return false;
        };
        if self
            .services
            .get(s as usize)
            .is_none_or(|name| *name != d.service)
        {
            return false;
        }
        self.of
            .get_mut(s as usize)
            .is_some_and(|c| c.set(k as usize, d))
    }
}

impl ServiceColumns {
    pub fn len(&self) -> usize {
        self.pos.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pos.is_empty()
    }

    /// Deployment `k`'s commits as a range of [`ServiceColumns::commits`].
    pub fn commit_span(&self, k: usize) -> Range<usize> {
        match (self.commit_start.get(k), self.commit_len.get(k)) {
            (Some(&start), Some(&len)) => start as usize..(start + len) as usize,
            _ => 0..0,
        }
    }

    /// The commits of deployment `k`.
    pub fn commits_of(&self, k: usize) -> &[CommitKey] {
        self.commits.get(self.commit_span(k)).unwrap_or(&[])
    }

    /// Every `k`, by finish then `k` (unfinished ones last).
    pub fn by_finish(&self) -> &[u32] {
        &self.by_finish
    }

    /// Where `k` belongs in [`ServiceColumns::by_finish`]: the order is total, so this
    /// is the place of `k` itself when it is there.
    fn finish_rank(&self, k: usize) -> usize {
        let key = (self.finished_ms[k], k);
        self.by_finish
            .partition_point(|&q| (self.finished_ms[q as usize], q as usize) < key)
    }

    /// Puts the entries of `by_finish` from `from` on (deployments just pushed) in
    /// their place among the ones before, which are in order.
    fn order_by_finish(&mut self, from: usize) {
        let finished = &self.finished_ms;
        sort_nearly_sorted(&mut self.by_finish, from, |k| (finished[k as usize], k));
    }

    /// Pushes deployment `i` of the log as the next `k`; [`ServiceColumns::by_finish`]
    /// gets it at its end (see [`ServiceColumns::order_by_finish`]).
    fn push(&mut self, i: usize, d: &Deployment) {
        self.by_finish.push(self.pos.len() as u32);
        self.pos.push(i as u32);
        self.production.push(d.is_production());
        self.started_ms.push(ms(d.started_at));
        self.finished_ms.push(d.finished_at.map_or(i64::MAX, ms));
        self.status.push(d.status);
        self.kind.push(d.kind);
        self.canary_failed.push(canary_failed(d));
        self.commit_start.push(self.commits.len() as u32);
        self.commit_len.push(d.commits.len() as u32);
        self.commits.extend(d.commits.iter().map(commit_key));
    }

    /// Overwrites deployment `k` with `d`. False when there is no `k`.
    fn set(&mut self, k: usize, d: &Deployment) -> bool {
        if k >= self.len() {
            return false;
        }
        self.production[k] = d.is_production();
        self.started_ms[k] = ms(d.started_at);
        let finished = d.finished_at.map_or(i64::MAX, ms);
        if finished != self.finished_ms[k] {
            // A running deployment that finished, mostly: it moves a few places.
            let from = self.finish_rank(k);
            if self.by_finish.get(from) == Some(&(k as u32)) {
                self.by_finish.remove(from);
            }
            self.finished_ms[k] = finished;
            let to = self.finish_rank(k);
            self.by_finish.insert(to, k as u32);
        }
        self.status[k] = d.status;
        self.kind[k] = d.kind;
        self.canary_failed[k] = canary_failed(d);
        let range = self.commit_span(k);
        let keys = d.commits.iter().map(commit_key);
        if range.len() == d.commits.len() {
            for (slot, key) in self.commits[range].iter_mut().zip(keys) {
                *slot = key;
            }
            return true;
        }
        // Rare (a deployment's commit list changed length): the service's later
        // commits move; no other service's do.
        let (old, new) = (range.len() as u32, d.commits.len() as u32);
        self.commits.splice(range, keys);
        self.commit_len[k] = new;
        for start in &mut self.commit_start[k + 1..] {
            *start = *start + new - old;
        }
        true
    }
}

/// Sorts `items[from..]` into `items[..from]` (already sorted) by `key` (distinct
/// keys, so any sort gives the same order): an insertion sort while the elements are
/// near their place, the general sort once that costs too much. The log is sorted by
/// start, so nearly by finish too: each deployment is at most a few places from where
/// it belongs, which an insertion sort fixes in one pass.
pub fn sort_nearly_sorted<T: Copy, K: Ord>(items: &mut [T], from: usize, key: impl Fn(T) -> K) {
    // Past this many moves, the general sort is cheaper (a few moves per new element
    // is the usual case; a whole pass over the old ones is already as dear as a sort).
    let budget = items
        .len()
        .saturating_sub(from)
        .saturating_mul(64)
        .saturating_add(items.len());
    let mut moves = 0usize;
    for i in from.max(1)..items.len() {
        let x = items[i];
        let kx = key(x);
        let mut j = i;
        while j > 0 && key(items[j - 1]) > kx {
            items[j] = items[j - 1];
            j -= 1;
        }
        items[j] = x;
        moves += i - j;
        if moves > budget {
            items.sort_unstable_by_key(|&t| key(t));
            return;
        }
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
        merged_ms: ms(c.merged_at.unwrap_or(c.committed_at)),
    }
}

#[cfg(test)]
mod tests;
