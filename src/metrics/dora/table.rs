//! The deployments as known at `now`, read from the log's columns
//! ([`crate::model::log`]) in one sequential pass: each service's DORA rows with what
//! they need of their deployment, each service's deployments, and the deployments
//! incidents name. No `Deployment` is read (but those few named ones).

use crate::model::fnv::FnvMap;
use crate::model::log::DeployColumns;
use crate::model::{DeployKind, DeployStatus, DeploymentLog, Ts};

use super::history::{Recovery, Row};

/// The log's columns as of `now`.
#[derive(Debug, Clone)]
pub struct Table<'a> {
    pub cols: &'a DeployColumns,
    /// Per service (as `cols.services`): its DORA rows (production, started before
    /// `now`, not canceled), in log order — by start, then id.
    pub rows_of: Vec<Vec<Row>>,
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

impl<'a> Table<'a> {
    /// `wanted` are the deployment ids the incidents name.
    pub fn new(log: &'a DeploymentLog, now: Ts, wanted: &FnvMap<&str, ()>) -> Self {
        let cols = log.columns();
        let before_now = ms_ceil(now);
        let services = cols.services.len();
        let mut t = Table {
            cols,
            rows_of: vec![Vec::new(); services],
            started_of: vec![Vec::new(); services],
            by_id: FnvMap::default(),
        };
        for i in 0..cols.len() {
            let started_ms = cols.started_ms[i];
            if started_ms >= before_now {
                continue;
            }
            let s = cols.service[i] as usize;
            if let Some(v) = t.started_of.get_mut(s) {
                v.push(i);
            }
            let status = cols.status[i];
            if !cols.production[i] || status == DeployStatus::Canceled {
                continue;
            }
            let f = cols.finished_ms[i];
            let finished = f < before_now && status != DeployStatus::Running;
            let span = cols.commit_span(i);
            if let Some(v) = t.rows_of.get_mut(s) {
                let kind = cols.kind[i];
                let status = if finished {
                    status
                } else {
                    DeployStatus::Running
                };
                let canary_failed = cols.canary_failed[i];
                v.push(Row {
                    index: i,
                    finished_ms: if finished { f } else { i64::MAX },
                    started_ms,
                    status,
                    remediation: matches!(kind, DeployKind::Rollback | DeployKind::Hotfix),
                    rollback: kind == DeployKind::Rollback,
                    canary_failed,
                    // Its own causes ([`super::failure::own_failure`]); remediations and
                    // incidents add theirs later.
                    failed: super::failure::own_failure(status, canary_failed),
                    changes_counted: false,
                    changes: 0..0,
                    commit_start: span.start as u32,
                    commit_len: span.len() as u32,
                    batch: None,
                    incidents: None,
                    recovery: Recovery::NotFailed,
                });
            }
        }
        for &id in wanted.keys() {
            if let Some(i) = log.position(id) {
                if cols.started_ms[i] < before_now {
                    t.by_id.insert(log[i].id.as_str(), i);
                }
            }
        }
        t
    }
}
