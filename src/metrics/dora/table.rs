//! The deployments as known at `now`, read from the log's per-service columns
//! ([`crate::model::log`]), one sequential pass over each service's: its DORA rows in
//! start order with what they need of their deployment, its deployments (a prefix of
//! its columns, not copied), and the deployments incidents name. No `Deployment` is
//! read (but those few named ones).

use crate::model::fnv::FnvMap;
use crate::model::log::{DeployColumns, ServiceColumns};
use crate::model::{DeployKind, DeployStatus, DeploymentLog, Ts};

use super::history::History;

/// One service's deployments started before `now`, with the [`History`] flags each
/// has by itself (success, counted, its own failure causes
/// ([`super::failure::own_failure`]), remediation, rollback), indexed by its place `k`
/// in the service's columns — which hold everything else a row needs, so nothing is
/// copied out of them.
#[derive(Debug, Clone)]
pub struct Rows<'a> {
    pub cols: &'a ServiceColumns,
    /// By `k`; [`Rows::NOT_ROW`] for a deployment that is no DORA row (not production,
    /// or canceled).
    pub flags: Vec<u8>,
    /// The rows running at `now` (not finished before it), by `k`.
    pub running: Vec<u32>,
}

impl Rows<'_> {
    /// Not a DORA row. No row has every flag: recovered and ongoing exclude each other.
    pub const NOT_ROW: u8 = u8::MAX;

    /// Deployments started before `now` (rows or not).
    pub fn len(&self) -> usize {
        self.flags.len()
    }

    pub fn is_empty(&self) -> bool {
        self.flags.is_empty()
    }

    pub fn is_row(&self, k: usize) -> bool {
        self.flags.get(k).is_some_and(|&f| f != Self::NOT_ROW)
    }

    /// Finished before `now` (so counted: rows are not canceled).
    pub fn is_finished(&self, k: usize) -> bool {
        self.is_row(k) && self.flags[k] & History::COUNTS != 0
    }
}

/// The log's columns as of `now`.
#[derive(Debug, Clone)]
pub struct Table<'a> {
    pub cols: &'a DeployColumns,
    /// Per service: the log positions of every deployment started before `now`, any
    /// environment (log order).
    pub started_of: Vec<&'a [u32]>,
    /// The deployment started before `now` with each wanted id.
    pub by_id: FnvMap<&'a str, usize>,
}

/// The least millisecond not before `t`: a whole-millisecond instant `m` is before
/// `t` iff `m < ms_ceil(t)`.
pub fn ms_ceil(t: Ts) -> i64 {
    let ms = t.timestamp_millis();
    if t.timestamp_subsec_nanos() % 1_000_000 == 0 {
        ms
    } else {
        ms + 1
    }
}

/// A DORA row: production and not canceled.
fn is_row(c: &ServiceColumns, k: usize) -> bool {
    c.production[k] && c.status[k] != DeployStatus::Canceled
}

impl<'a> Table<'a> {
    /// `wanted` are the deployment ids the incidents name.
    pub fn new(log: &'a DeploymentLog, now: Ts, wanted: &FnvMap<&str, ()>) -> Self {
        let cols = log.columns();
        let before_now = ms_ceil(now);
        let mut t = Table {
            cols,
            started_of: Vec::with_capacity(cols.of.len()),
            by_id: FnvMap::default(),
        };
        for c in &cols.of {
            // Each service's columns are sorted by start: what started before `now`
            // is a prefix.
            let started = c.started_ms.partition_point(|&ms| ms < before_now);
            t.started_of.push(&c.pos[..started]);
        }
        for &id in wanted.keys() {
            let Some(i) = log.position(id) else {
                continue;
            };
            if cols
                .row(i)
                .is_some_and(|(c, k)| c.started_ms[k] < before_now)
            {
                t.by_id.insert(log[i].id.as_str(), i);
            }
        }
        t
    }
}

/// The flags of a service's first `started` deployments (those started before `now`:
/// see [`Table::started_of`]) as of the millisecond `before_now` (what finishes at or
/// after it is still running).
pub fn rows(c: &ServiceColumns, started: usize, before_now: i64) -> Rows<'_> {
    let mut rows = Rows {
        cols: c,
        flags: Vec::with_capacity(started),
        running: Vec::new(),
    };
    for k in 0..started {
        if !is_row(c, k) {
            rows.flags.push(Rows::NOT_ROW);
            continue;
        }
        let finished = c.finished_ms[k] < before_now && c.status[k] != DeployStatus::Running;
        let status = if finished {
            c.status[k]
        } else {
            DeployStatus::Running
        };
        let kind = c.kind[k];
        let mut flags = 0;
        if status == DeployStatus::Success {
            flags |= History::SUCCESS;
        }
        if finished {
            // Not running and not canceled: success, failed or rolled back.
            flags |= History::COUNTS;
        } else {
            rows.running.push(k as u32);
        }
        if super::failure::own_failure(status, c.canary_failed[k]) {
            flags |= History::FAILED;
        }
        if matches!(kind, DeployKind::Rollback | DeployKind::Hotfix) {
            flags |= History::REMEDIATION;
        }
        if kind == DeployKind::Rollback {
            flags |= History::ROLLBACK;
        }
        rows.flags.push(flags);
    }
    rows
}
