//! One service's production deployments as known at `now`, sorted by finish: the
//! layout every DORA figure is computed from. Windows are contiguous runs of rows, so
//! each figure is a scan of a slice, whatever the size of the history.

use std::ops::Range;

use crate::model::{DeployKind, DeployStatus, Deployment, Ts};

use super::table::Table;

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

/// A production deployment as known at `now`.
#[derive(Debug, Clone)]
pub struct Row<'a> {
    /// Index into `Inputs::deployments`.
    pub index: usize,
    pub dep: &'a Deployment,
    /// `None` while running at `now` (a finish after `now` has not happened yet).
    pub finished: Option<Ts>,
    pub status: DeployStatus,
    pub started: Ts,
    /// A rollback or hotfix: rework, and evidence that what came before failed.
    pub remediation: bool,
    pub rollback: bool,
    pub canary_failed: bool,
    /// Counted as a change failure (any of the four causes).
    pub failed: bool,
    /// Its lead times in `History::lead_times` (empty unless successful and counted).
    pub changes: Range<usize>,
    /// False for the first successful deployment seen and for rollbacks.
    pub changes_counted: bool,
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

impl Row<'_> {
    /// Counted as a change failure now: failed, and finished (a running deployment is
    /// not yet in the denominator, so not yet a change failure either).
    pub fn counted_failure(&self) -> bool {
        self.failed && self.counts()
    }

    /// In the change-failure denominator: finished as success, failed or rolled back.
    pub fn counts(&self) -> bool {
        self.finished.is_some()
            && matches!(
                self.status,
                DeployStatus::Success | DeployStatus::Failed | DeployStatus::RolledBack
            )
    }
}

/// A service's production rows, sorted by finish time (running ones last).
#[derive(Debug, Clone, Default)]
pub struct ServiceRows<'a> {
    pub rows: Vec<Row<'a>>,
    /// Rows `[0, finished)` have a finish time.
    pub finished: usize,
}

impl<'a> ServiceRows<'a> {
    /// Builds the rows of one service from deployment indices (in input order), keeping
    /// the table's DORA rows (production, started before `now`, not canceled).
    // Lazy on purpose: the eager fallback would read every deployment (a cache miss
    // a row) for a value that is never used.
    #[allow(clippy::unnecessary_lazy_evaluations)]
    pub fn new(deployments: &'a [Deployment], table: &Table<'_>, indices: &[usize]) -> Self {
        let mut keyed: Vec<(i64, usize)> = indices
            .iter()
            .filter(|&&i| table.row.get(i).copied().unwrap_or(false))
            .map(|&i| (table.end_ms[i], i))
            .collect();
        // Inputs are sorted by start, so nearly by finish too: each row is at most a
        // few places from where it belongs, which an insertion sort fixes in one pass.
        sort_nearly_sorted(&mut keyed);
        let rows: Vec<Row<'a>> = keyed
            .iter()
            .filter_map(|&(end, i)| {
                let dep = deployments.get(i)?;
                let finished = (end != i64::MAX)
                    .then(|| chrono::DateTime::from_timestamp_millis(end))
                    .flatten();
                let kind = table.kind[i];
                Some(Row {
                    index: i,
                    dep,
                    finished,
                    status: table.status[i],
                    // The deployment is only read if the column cannot be (never).
                    started: chrono::DateTime::from_timestamp_millis(table.started_ms[i])
                        .unwrap_or_else(|| dep.started_at),
                    remediation: matches!(kind, DeployKind::Rollback | DeployKind::Hotfix),
                    rollback: kind == DeployKind::Rollback,
                    canary_failed: table.canary_failed[i],
                    failed: false,
                    changes: 0..0,
                    changes_counted: false,
                    batch: None,
                    incidents: None,
                    recovery: Recovery::NotFailed,
                })
            })
            .collect();
        let finished = rows.partition_point(|r| r.finished.is_some());
        ServiceRows { rows, finished }
    }

    /// Latest row finished at or before `t`: its deployment index and finish.
    pub fn latest_finished_by(&self, t: Ts) -> Option<(usize, Ts)> {
        let n = self.rows[..self.finished].partition_point(|r| r.finished.is_some_and(|f| f <= t));
        let row = self.rows.get(n.checked_sub(1)?)?;
        Some((row.index, row.finished?))
    }

    /// Number of finished rows that finished strictly before `t`.
    pub fn position_before(&self, t: Ts) -> usize {
        self.rows[..self.finished].partition_point(|r| r.finished.is_some_and(|f| f < t))
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
fn sort_nearly_sorted(keys: &mut [(i64, usize)]) {
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
