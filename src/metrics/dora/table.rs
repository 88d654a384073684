//! The deployments as known at `now`, read from the log's per-service columns
//! ([`crate::model::log`]), one sequential pass over each service's: its DORA rows in
//! start order with what they need of their deployment, its deployments (a prefix of
//! its columns, not copied), and the deployments incidents name. No `Deployment` is
//! read (but those few named ones).

use crate::model::fnv::FnvMap;
use crate::model::log::{DeployColumns, ServiceColumns};
use crate::model::{DeployKind, DeployStatus, DeploymentLog, Ts};

use super::history::History;

/// One service's DORA rows (production, started before `now`, not canceled) in log
/// order — by start, then id — as columns indexed by start rank `k`.
#[derive(Debug, Clone, Default)]
pub struct StartOrder {
    /// Position of the row's deployment in the log.
    pub pos: Vec<u32>,
    pub started_ms: Vec<i64>,
    /// Finish as known at `now`: `i64::MAX` while running (or finishing after `now`).
    pub finished_ms: Vec<i64>,
    /// The [`History`] flags a deployment has by itself: success, counted, its own
    /// failure causes ([`super::failure::own_failure`]), remediation, rollback.
    pub flags: Vec<u8>,
    /// Its commits in its service's commits ([`ServiceColumns::commits`]).
    pub commit_start: Vec<u32>,
    pub commit_len: Vec<u32>,
}

impl StartOrder {
    fn with_capacity(n: usize) -> Self {
        StartOrder {
            pos: Vec::with_capacity(n),
            started_ms: Vec::with_capacity(n),
            finished_ms: Vec::with_capacity(n),
            flags: Vec::with_capacity(n),
            commit_start: Vec::with_capacity(n),
            commit_len: Vec::with_capacity(n),
        }
    }

    pub fn len(&self) -> usize {
        self.pos.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pos.is_empty()
    }

    pub fn is_finished(&self, k: usize) -> bool {
        self.finished_ms[k] != i64::MAX
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

/// The DORA rows among a service's first `started` deployments (those started before
/// `now`: see [`Table::started_of`]), with their flags as
/// of the millisecond `before_now` (what finishes at or after it is still running).
pub fn start_order(c: &ServiceColumns, started: usize, before_now: i64) -> StartOrder {
    // Room for every deployment: the pages the few non-rows leave unused are never
    // touched, so never faulted in.
    let mut rows = StartOrder::with_capacity(started);
    for k in 0..started {
        if !is_row(c, k) {
            continue;
        }
        let f = c.finished_ms[k];
        let finished = f < before_now && c.status[k] != DeployStatus::Running;
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
        let span = c.commit_span(k);
        rows.pos.push(c.pos[k]);
        rows.started_ms.push(c.started_ms[k]);
        rows.finished_ms.push(if finished { f } else { i64::MAX });
        rows.flags.push(flags);
        rows.commit_start.push(span.start as u32);
        rows.commit_len.push(span.len() as u32);
    }
    rows
}
