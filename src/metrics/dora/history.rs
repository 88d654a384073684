//! One service's production deployments as known at `now`, sorted by finish: the
//! layout every DORA figure is computed from. Windows are contiguous runs of rows, so
//! each figure is a scan of a slice, whatever the size of the history.

use std::ops::Range;

use crate::model::{DeployStatus, Ts};

use super::table::ms_ceil;

/// Recovery of a failed deployment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Recovery {
    /// Not a change failure.
    NotFailed,
    /// Not yet recovered at `now`: shown, but left out of the percentiles and count.
    Ongoing,
    /// Seconds from the moment of failure to recovery.
    Recovered(f64),
}

/// The incidents linked to one deployment, summarized for recovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinkedIncidents {
    pub count: u32,
    /// Not resolved at `now`.
    pub open: u32,
    /// Earliest creation.
    pub first_created: Option<Ts>,
    /// Latest resolution among the resolved ones.
    pub last_resolved: Option<Ts>,
}

/// A production deployment as known at `now`. Times are epoch milliseconds, as the
/// log keeps them: a history of a million rows is compared and subtracted, never
/// converted to calendar dates.
#[derive(Debug, Clone)]
pub struct Row {
    /// Position in `Inputs::deployments`.
    pub index: usize,
    /// Finish, `i64::MAX` while running at `now` (a finish after `now` has not
    /// happened yet).
    pub finished_ms: i64,
    pub started_ms: i64,
    pub status: DeployStatus,
    /// A rollback or hotfix: rework, and evidence that what came before failed.
    pub remediation: bool,
    pub rollback: bool,
    pub canary_failed: bool,
    /// Counted as a change failure (any of the four causes).
    pub failed: bool,
    /// False for the first successful deployment seen and for rollbacks.
    pub changes_counted: bool,
    /// Its lead times in `History::lead_times` (empty unless successful and counted).
    pub changes: Range<u32>,
    /// Its commits in its service's commits (`DeployColumns::service_commits`).
    pub commit_start: u32,
    pub commit_len: u32,
    /// The distinct changes it ships: its commits and those of failed deployments
    /// since the previous successful one, less what that one shipped (what lead time
    /// counts, for every row, running ones included). 0 for a rollback; `None` before
    /// the first success (no predecessor, so the batch is unknown).
    pub batch: Option<u32>,
    /// Its linked incidents, if any (boxed: few rows have them, and a small row keeps
    /// a million-deployment history compact).
    pub incidents: Option<Box<LinkedIncidents>>,
    pub recovery: Recovery,
}

impl Row {
    /// Finished by `now`.
    pub fn is_finished(&self) -> bool {
        self.finished_ms != i64::MAX
    }

    /// The finish, `None` while running.
    pub fn finished(&self) -> Option<Ts> {
        self.is_finished()
            .then(|| chrono::DateTime::from_timestamp_millis(self.finished_ms))
            .flatten()
    }

    pub fn started(&self) -> Ts {
        chrono::DateTime::from_timestamp_millis(self.started_ms).unwrap_or_default()
    }

    /// Its lead times' range in `History::lead_times`.
    pub fn changes(&self) -> Range<usize> {
        self.changes.start as usize..self.changes.end as usize
    }

    /// Counted as a change failure now: failed, and finished (a running deployment is
    /// not yet in the denominator, so not yet a change failure either).
    pub fn counted_failure(&self) -> bool {
        self.failed && self.counts()
    }

    /// In the change-failure denominator: finished as success, failed or rolled back.
    pub fn counts(&self) -> bool {
        self.is_finished()
            && matches!(
                self.status,
                DeployStatus::Success | DeployStatus::Failed | DeployStatus::RolledBack
            )
    }
}

/// A service's production rows, sorted by finish time (running ones last).
#[derive(Debug, Clone, Default)]
pub struct ServiceRows {
    pub rows: Vec<Row>,
    /// Rows `[0, finished)` have a finish time.
    pub finished: usize,
    /// The rows in start order (ties: log order): `rows[by_start[k]]` is the `k`-th
    /// to start.
    pub by_start: Vec<u32>,
}

impl ServiceRows {
    /// Sorts one service's DORA rows, given in log order (by start), by finish.
    pub fn new(mut rows: Vec<Row>) -> Self {
        let mut keyed: Vec<(i64, u32)> = rows
            .iter()
            .enumerate()
            .map(|(k, row)| (row.finished_ms, k as u32))
            .collect();
        // The log is sorted by start, so nearly by finish too: each row is at most a
        // few places from where it belongs, which an insertion sort fixes in one pass.
        sort_nearly_sorted(&mut keyed);
        // `by_start[k]`: where the `k`-th to start goes.
        let mut by_start = vec![0u32; rows.len()];
        for (r, &(_, k)) in keyed.iter().enumerate() {
            by_start[k as usize] = r as u32;
        }
        permute(&mut rows, &by_start);
        let finished = rows.partition_point(Row::is_finished);
        ServiceRows {
            rows,
            finished,
            by_start,
        }
    }

    /// Latest row finished at or before `t`: its deployment index and finish.
    pub fn latest_finished_by(&self, t: Ts) -> Option<(usize, Ts)> {
        // A whole millisecond `m` is at or before `t` iff `m <= floor(t)`.
        let bound = t.timestamp_millis();
        let n = self.rows[..self.finished].partition_point(|r| r.finished_ms <= bound);
        let row = self.rows.get(n.checked_sub(1)?)?;
        Some((row.index, row.finished()?))
    }

    /// Number of finished rows that finished strictly before `t`.
    pub fn position_before(&self, t: Ts) -> usize {
        let bound = ms_ceil(t);
        self.rows[..self.finished].partition_point(|r| r.finished_ms < bound)
    }

    /// Rows finished in `[start, end)`.
    pub fn range(&self, start: Ts, end: Ts) -> Range<usize> {
        let a = self.position_before(start);
        // An inverted window is empty, never a panicking slice.
        a..self.position_before(end).max(a)
    }
}

/// Sorts `keys` (distinct pairs, so any sort gives the same order): an insertion sort
/// while the elements are near their place, the general sort once that costs too much.
fn sort_nearly_sorted(keys: &mut [(i64, u32)]) {
    let budget = keys.len().saturating_mul(64);
    let mut moves = 0usize;
    for i in 1..keys.len() {
        let x = keys[i];
        let mut j = i;
        while j > 0 && keys[j - 1] > x {
            keys[j] = keys[j - 1];
            j -= 1;
        }
        keys[j] = x;
        moves += i - j;
        if moves > budget {
            keys.sort_unstable();
            return;
        }
    }
}

/// Moves `items[k]` to `items[to[k]]` for every `k` (`to` is a permutation), in place:
/// each cycle of the permutation is followed once, so every item moves once.
fn permute<T>(items: &mut [T], to: &[u32]) {
    let mut done = vec![false; items.len()];
    for start in 0..items.len() {
        if done[start] {
            continue;
        }
        // Swapping the item at `start` into its place brings the one displaced from
        // there to `start`: repeat until the cycle closes.
        let mut k = start;
        loop {
            done[k] = true;
            let next = to[k] as usize;
            if next == start {
                break;
            }
            items.swap(start, next);
            k = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{permute, sort_nearly_sorted};

    proptest! {
        /// `permute` puts each item where the permutation says, for any permutation
        /// (made by sorting random keys, as `ServiceRows::new` does).
        #[test]
        fn permute_moves_every_item_to_its_place(keys in prop::collection::vec(any::<i64>(), 0..200)) {
            let mut keyed: Vec<(i64, u32)> = keys.iter().enumerate().map(|(k, &v)| (v, k as u32)).collect();
            sort_nearly_sorted(&mut keyed);
            let mut sorted = keyed.clone();
            sorted.sort_unstable();
            prop_assert_eq!(&keyed, &sorted);
            let mut to = vec![0u32; keys.len()];
            for (r, &(_, k)) in keyed.iter().enumerate() {
                to[k as usize] = r as u32;
            }
            let mut items: Vec<usize> = (0..keys.len()).collect();
            permute(&mut items, &to);
            for (k, &r) in to.iter().enumerate() {
                prop_assert_eq!(items[r as usize], k);
            }
        }
    }
}
