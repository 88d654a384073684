//! The deployments as known at `now`, read from the log's columns
//! ([`crate::model::log`]) in one sequential pass: each service's DORA rows in start
//! order with what they need of their deployment, each service's deployments, and
//! the deployments incidents name. No `Deployment` is read (but those few named ones).

use crate::model::fnv::FnvMap;
use crate::model::log::DeployColumns;
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
    /// Its commits in its service's commits (`DeployColumns::service_commits`).
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
    /// Per service (as `cols.services`): its DORA rows.
    pub rows_of: Vec<StartOrder>,
    /// Per service: every deployment started before `now`, any environment (log order).
    pub started_of: Vec<Vec<usize>>,
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
fn is_row(cols: &DeployColumns, i: usize) -> bool {
    cols.production[i] && cols.status[i] != DeployStatus::Canceled
}

impl<'a> Table<'a> {
    /// `wanted` are the deployment ids the incidents name.
    pub fn new(log: &'a DeploymentLog, now: Ts, wanted: &FnvMap<&str, ()>) -> Self {
        let cols = log.columns();
        let before_now = ms_ceil(now);
        // The log is sorted by start: what started before `now` is a prefix.
        let started = cols.started_ms.partition_point(|&ms| ms < before_now);
        let services = cols.services.len();
        // Counted first, so that every column is allocated once at its size.
        let mut counts = vec![(0usize, 0usize); services];
        for i in 0..started {
            if let Some(c) = counts.get_mut(cols.service[i] as usize) {
                c.0 += 1;
                c.1 += usize::from(is_row(cols, i));
            }
        }
        let mut t = Table {
            cols,
            rows_of: counts
                .iter()
                .map(|&(_, rows)| StartOrder::with_capacity(rows))
                .collect(),
            started_of: counts
                .iter()
                .map(|&(all, _)| Vec::with_capacity(all))
                .collect(),
            by_id: FnvMap::default(),
        };
        for i in 0..started {
            let s = cols.service[i] as usize;
            let (Some(all), Some(rows)) = (t.started_of.get_mut(s), t.rows_of.get_mut(s)) else {
                continue;
            };
            all.push(i);
            if !is_row(cols, i) {
                continue;
            }
            let status = cols.status[i];
            let f = cols.finished_ms[i];
            let finished = f < before_now && status != DeployStatus::Running;
            let status = if finished {
                status
            } else {
                DeployStatus::Running
            };
            let kind = cols.kind[i];
            let mut flags = 0;
            if status == DeployStatus::Success {
                flags |= History::SUCCESS;
            }
            if finished {
                // Not running and not canceled: success, failed or rolled back.
                flags |= History::COUNTS;
            }
            if super::failure::own_failure(status, cols.canary_failed[i]) {
                flags |= History::FAILED;
            }
            if matches!(kind, DeployKind::Rollback | DeployKind::Hotfix) {
                flags |= History::REMEDIATION;
            }
            if kind == DeployKind::Rollback {
                flags |= History::ROLLBACK;
            }
            let span = cols.commit_span(i);
            rows.pos.push(i as u32);
            rows.started_ms.push(cols.started_ms[i]);
            rows.finished_ms.push(if finished { f } else { i64::MAX });
            rows.flags.push(flags);
            rows.commit_start.push(span.start as u32);
            rows.commit_len.push(span.len() as u32);
        }
        for &id in wanted.keys() {
            if let Some(i) = log.position(id) {
                if i < started {
                    t.by_id.insert(log[i].id.as_str(), i);
                }
            }
        }
        t
    }
}
