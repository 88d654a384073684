//! Change failures and recovery (DESIGN §3). A deployment fails when its status is
//! failed or rolled back, when a rollback or hotfix of the service follows it within
//! the failure window, when an incident is linked to it, or when its canary failed.
//! Each deployment is one row with one flag, so it counts at most once.
//!
//! A remediation that follows another remediation continues the same failure: a
//! rollback followed by a hotfix charges the deployment they both repair, once — not
//! the rollback as a second failure (see [`mark_remediated`] for the whole rule).

use chrono::Duration;

use crate::model::log::ms;
use crate::model::{DeployStatus, Incident, Ts};

use super::history::{Recovery, Row, ServiceRows};
use super::linking::Link;

/// A deployment's own failure causes: failed or rolled back as of `now`, or its
/// canary failed.
pub fn own_failure(status: DeployStatus, canary_failed: bool) -> bool {
    matches!(status, DeployStatus::Failed | DeployStatus::RolledBack) || canary_failed
}

/// Charges the deployment each rollback or hotfix repairs.
///
/// **The remediated deployment** of a remediation `R` (a rollback or hotfix) is the
/// latest production deployment of the service that *started* before `R` started —
/// not canceled (canceled ones are no rows) and not `R` itself. Start order, not
/// finish order: a rollback may start at the very instant the bad deployment is
/// marked finished (rolled back), or while it is still running; either way it repairs
/// that deployment, never the healthy one before it. It is charged when `R` starts
/// within `window` of its finish (`R.started − finished < window`, so exactly
/// `window` later is too late: the failure window is half-open like every window), or
/// before it finished, or while it is still running.
///
/// **Chains.** When the remediated deployment is itself a remediation `P`:
/// - if `P` repaired some deployment `D`, `R` continues that repair and `D` is charged
///   (a rollback followed by a hotfix is one failure of `D`, not two);
/// - if `P` repaired nothing (its own predecessor was too old, or it had none), `P`
///   is charged: a bad hotfix that is rolled back is a failure of the hotfix.
///
/// A deployment already failed by its own status (failed, rolled back) is charged no
/// further: the flag is one per deployment, so it is still one failure.
pub fn mark_remediated(rows: &mut ServiceRows, window: Duration) {
    let n = rows.rows.len();
    let ServiceRows {
        rows: list,
        by_start,
        ..
    } = rows;
    // For each remediation row, the row it repairs (followed through chains).
    // (`u32::MAX`: none; allocated on the first remediation, as most rows are none.)
    let mut target: Vec<u32> = Vec::new();
    for (pos, &r) in by_start.iter().enumerate() {
        let r = r as usize;
        if !list[r].remediation {
            continue;
        }
        let started = list[r].started_ms;
        // The latest row that started strictly before `r` (rows starting at the same
        // instant, `r` included, are not its predecessor).
        let before = by_start[..pos].partition_point(|&q| list[q as usize].started_ms < started);
        let Some(p) = before
            .checked_sub(1)
            .and_then(|b| by_start.get(b))
            .map(|&p| p as usize)
        else {
            continue;
        };
        let f = list[p].finished_ms;
        if list[p].is_finished() && Duration::milliseconds(started - f) >= window {
            continue;
        }
        if target.is_empty() {
            target = vec![u32::MAX; n];
        }
        let repaired = if list[p].remediation && target[p] != u32::MAX {
            target[p] as usize
        } else {
            p
        };
        target[r] = repaired as u32;
        list[repaired].failed = true;
    }
}

/// Attaches the incidents linked to this service's rows and marks those rows failed.
/// `links[i]` belongs to `incidents[i]`; `row_of` maps a deployment index to its row.
pub fn mark_incidents(
    rows: &mut ServiceRows,
    incidents: &[Incident],
    links: &[Option<Link>],
    row_of: impl Fn(usize) -> Option<usize>,
    now: Ts,
) {
    for (inc, link) in incidents.iter().zip(links) {
        let Some(r) = link.and_then(Link::deployment).and_then(&row_of) else {
            continue;
        };
        let Some(row) = rows.rows.get_mut(r) else {
            continue;
        };
        row.failed = true;
        let summary = row.incidents.get_or_insert_with(Box::default);
        summary.count += 1;
        summary.first_created = Some(
            summary
                .first_created
                .map_or(inc.created_at, |f| f.min(inc.created_at)),
        );
        match inc.resolved_at.filter(|&t| t < now) {
            Some(t) => {
                summary.last_resolved = Some(summary.last_resolved.map_or(t, |r| r.max(t)));
            }
            None => summary.open += 1,
        }
    }
}

/// Recovery of every failed, finished row: from the failure (the earlier of its finish
/// and its first linked incident) to the earlier of the next successful deployment and
/// the resolution of its linked incidents (the latest one, once all are resolved).
///
/// **The next successful deployment** is the first to finish among the successes that
/// finished after the failed one, or that *started* after it. A later deployment may
/// finish first: a rollback can succeed before the deployment it replaced is marked
/// finished (rolled back). The service is then already recovered when the failure is
/// recorded, and the recovery time is 0 — not ongoing until some later success.
///
/// `done(i, row)` is called with each finished row once its recovery is set (from the
/// last row back), so that one pass can also lay out what is read of it afterwards.
pub fn fill_recovery(rows: &mut ServiceRows, mut done: impl FnMut(usize, &Row)) {
    let finished = rows.finished;
    let mut next_success: Option<i64> = None;
    for i in (0..finished).rev() {
        let earlier = if rows.rows[i].failed {
            started_later_finished_earlier(&rows.rows[..i], rows.rows[i].started_ms)
        } else {
            None
        };
        let row = &mut rows.rows[i];
        if row.failed && row.is_finished() {
            let f = row.finished_ms;
            let linked = row.incidents.as_deref().copied().unwrap_or_default();
            let failure = linked.first_created.map_or(f, |c| ms(c).min(f));
            let resolved = linked.last_resolved.filter(|_| linked.open == 0).map(ms);
            let recovered = [next_success, earlier, resolved]
                .into_iter()
                .flatten()
                .min();
            row.recovery = match recovered {
                Some(t) => Recovery::Recovered(((t - failure) as f64 / 1000.0).max(0.0)),
                None => Recovery::Ongoing,
            };
        }
        if row.status == DeployStatus::Success {
            next_success = Some(row.finished_ms);
        }
        done(i, row);
    }
}

/// The earliest finish among the successes in `before` (the rows that finished no
/// later than a failed one, in finish order) that started after `started` (its start).
/// Only the rows that finished while it ran can have: a short scan back.
fn started_later_finished_earlier(before: &[Row], started: i64) -> Option<i64> {
    before
        .iter()
        .rev()
        .take_while(|q| q.finished_ms > started)
        .filter(|q| q.status == DeployStatus::Success && q.started_ms > started)
        .map(|q| q.finished_ms)
        .min()
}
