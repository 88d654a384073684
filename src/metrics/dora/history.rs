//! One service's production deployments as known at `now`, sorted by finish: the
//! layout every DORA figure is computed from. Windows are contiguous runs of rows, so
//! each figure is a scan of a slice, whatever the size of the history.
//!
//! A history is columns, not a list of row structs: a figure reads the one or two
//! columns it needs (a window's change failure rate reads a byte a row), and a million
//! rows are a few dense arrays that are built, scanned and freed in bulk.

use std::ops::Range;

use crate::model::fnv::FnvMap;
use crate::model::Ts;

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

/// A service's production deployments (not canceled, started before `now`) as
/// columns indexed by row, rows sorted by finish (running ones last). Times are epoch
/// milliseconds, as the log keeps them: a history of a million rows is compared and
/// subtracted, never converted to calendar dates.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Rows `[0, finished)` have finished by `now`.
    pub finished: usize,
    /// Finish, `i64::MAX` while running at `now` (a finish after `now` has not
    /// happened yet).
    pub finished_ms: Vec<i64>,
    pub started_ms: Vec<i64>,
    /// Position of the row's deployment in `Inputs::deployments`.
    pub index: Vec<u32>,
    /// [`History::SUCCESS`], [`History::COUNTS`]… of each row.
    pub flags: Vec<u8>,
    /// Recovery seconds of a recovered failure (0 otherwise).
    pub recovery: Vec<f64>,
    /// The distinct changes a row ships: its commits and those of failed deployments
    /// since the previous successful one, less what that one shipped (what lead time
    /// counts, for every row, running ones included). 0 for a rollback;
    /// [`History::NO_BATCH`] before the first success (no predecessor, so the batch is
    /// unknown).
    pub batch: Vec<u32>,
    /// Row `r`'s lead times are `lead_times[lead_start[r]..lead_start[r + 1]]` (one
    /// more entry than rows), laid out in row order: a window's are one slice.
    pub lead_start: Vec<u32>,
    /// Lead times in seconds (empty unless successful and counted).
    pub lead_times: Vec<f64>,
    /// The incidents linked to a row, by row (few rows have any).
    pub incidents: FnvMap<u32, LinkedIncidents>,
}

impl History {
    /// Empties every column, keeping its memory for the next history laid out in it.
    pub fn clear(&mut self) {
        self.finished = 0;
        self.finished_ms.clear();
        self.started_ms.clear();
        self.index.clear();
        self.flags.clear();
        self.recovery.clear();
        self.batch.clear();
        self.lead_start.clear();
        self.lead_times.clear();
        self.incidents.clear();
    }

    /// Finished as a success.
    pub const SUCCESS: u8 = 1;
    /// In the change-failure denominator: finished as success, failed or rolled back.
    pub const COUNTS: u8 = 2;
    /// A change failure (any of the four causes; counted once finished).
    pub const FAILED: u8 = 4;
    /// A rollback or hotfix: rework, and evidence that what came before failed.
    pub const REMEDIATION: u8 = 8;
    pub const ROLLBACK: u8 = 16;
    /// A counted failure that has recovered by `now` (its seconds in `recovery`).
    pub const RECOVERED: u8 = 32;
    /// A counted failure not yet recovered at `now`.
    pub const ONGOING: u8 = 64;
    /// Its changes are counted (false for the first success seen and for rollbacks).
    pub const CHANGES_COUNTED: u8 = 128;

    pub const NO_BATCH: u32 = u32::MAX;

    pub fn len(&self) -> usize {
        self.flags.len()
    }

    pub fn is_empty(&self) -> bool {
        self.flags.is_empty()
    }

    fn has(&self, r: usize, flag: u8) -> bool {
        self.flags.get(r).is_some_and(|f| f & flag != 0)
    }

    /// Row `r`'s finish, `None` while running.
    pub fn finished_at(&self, r: usize) -> Option<Ts> {
        let ms = *self.finished_ms.get(r)?;
        (ms != i64::MAX)
            .then(|| chrono::DateTime::from_timestamp_millis(ms))
            .flatten()
    }

    /// In the change-failure denominator ([`History::COUNTS`]).
    pub fn counts(&self, r: usize) -> bool {
        self.has(r, Self::COUNTS)
    }

    pub fn failed(&self, r: usize) -> bool {
        self.has(r, Self::FAILED)
    }

    /// Counted as a change failure now: failed, and finished (a running deployment is
    /// not yet in the denominator, so not yet a change failure either).
    pub fn counted_failure(&self, r: usize) -> bool {
        self.counts(r) && self.failed(r)
    }

    pub fn changes_counted(&self, r: usize) -> bool {
        self.has(r, Self::CHANGES_COUNTED)
    }

    /// The distinct changes row `r` ships (see [`History::batch`]), `None` when unknown.
    pub fn batch_of(&self, r: usize) -> Option<u32> {
        self.batch.get(r).copied().filter(|&b| b != Self::NO_BATCH)
    }

    pub fn recovery_of(&self, r: usize) -> Recovery {
        if self.has(r, Self::RECOVERED) {
            Recovery::Recovered(self.recovery.get(r).copied().unwrap_or(0.0))
        } else if self.has(r, Self::ONGOING) {
            Recovery::Ongoing
        } else {
            Recovery::NotFailed
        }
    }

    /// Row `r`'s lead times, in seconds.
    pub fn lead_times_of(&self, r: usize) -> &[f64] {
        self.lead_times_of_rows(r..r + 1)
    }

    /// The lead times of rows `rows` (contiguous: rows are laid out in order).
    pub fn lead_times_of_rows(&self, rows: Range<usize>) -> &[f64] {
        match (
            self.lead_start.get(rows.start),
            self.lead_start.get(rows.end),
        ) {
            (Some(&a), Some(&b)) if rows.start < rows.end => {
                self.lead_times.get(a as usize..b as usize).unwrap_or(&[])
            }
            _ => &[],
        }
    }

    /// Latest row finished strictly before `t`: its deployment index and finish. A
    /// row that finished at the very instant `t` is not before it.
    pub fn latest_finished_before(&self, t: Ts) -> Option<(usize, Ts)> {
        // Finishes are whole milliseconds: `m` is strictly before `t` iff
        // `m < ms_ceil(t)` (`m < t` when `t` is a whole millisecond; `m <= floor(t)`
        // when `t` has sub-millisecond nanoseconds, which `m` can never equal).
        let n = self.position_before(t);
        let r = n.checked_sub(1)?;
        Some((*self.index.get(r)? as usize, self.finished_at(r)?))
    }

    /// Number of finished rows that finished strictly before `t`.
    pub fn position_before(&self, t: Ts) -> usize {
        let bound = ms_ceil(t);
        self.finished_ms[..self.finished].partition_point(|&ms| ms < bound)
    }

    /// Rows finished in `[start, end)`.
    pub fn range(&self, start: Ts, end: Ts) -> Range<usize> {
        let a = self.position_before(start);
        // An inverted window is empty, never a panicking slice.
        a..self.position_before(end).max(a)
    }
}
