//! Change failures and recovery (DESIGN §3). A deployment fails when its status is
//! failed or rolled back, when a rollback or hotfix of the service follows it within
//! the failure window, when an incident is linked to it, or when its canary failed.
//! Each deployment is one row with one flag, so it counts at most once.
//!
//! A remediation that follows another remediation continues the same failure: a
//! rollback followed by a hotfix charges the deployment they both repair, once — not
//! the rollback as a second failure (see [`mark_remediated`] for the whole rule).

use chrono::Duration;

use crate::model::log::{ms, seconds_between};
use crate::model::{DeployStatus, Incident, Ts};

use super::history::History;
use super::linking::Link;
use super::table::Rows;

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
pub fn mark_remediated(rows: &mut Rows<'_>, window: Duration) {
    let c = rows.cols;
    let n = rows.len();
    // For each remediation, the deployment it repairs (followed through chains), by
    // `k`. (`u32::MAX`: none; allocated on the first remediation, as most rows are
    // none.)
    let mut target: Vec<u32> = Vec::new();
    for r in 0..n {
        let flags = rows.flags[r];
        if flags == Rows::NOT_ROW || flags & History::REMEDIATION == 0 {
            continue;
        }
        let started = c.started_ms[r];
        // The latest row that started strictly before `r` (deployments starting at
        // the same instant, `r` included, are not its predecessor): the columns are
        // sorted by start, so it is the last row before the first of those.
        let before = c.started_ms[..r].partition_point(|&ms| ms < started);
        let Some(p) = (0..before).rev().find(|&p| rows.is_row(p)) else {
            continue;
        };
        if rows.is_finished(p) && Duration::milliseconds(started - c.finished_ms[p]) >= window {
            continue;
        }
        if target.is_empty() {
            target = vec![u32::MAX; n];
        }
        let repaired = if rows.flags[p] & History::REMEDIATION != 0 && target[p] != u32::MAX {
            target[p] as usize
        } else {
            p
        };
        target[r] = repaired as u32;
        rows.flags[repaired] |= History::FAILED;
    }
}

/// Attaches the incidents linked to this service's rows and marks those rows failed.
/// `links[i]` belongs to `incidents[i]`; `row_of` maps a deployment index to its row.
pub fn mark_incidents(
    history: &mut History,
    incidents: &[Incident],
    links: &[Option<Link>],
    row_of: impl Fn(usize) -> Option<usize>,
    now: Ts,
) {
    for (inc, link) in incidents.iter().zip(links) {
        let Some(r) = link.and_then(Link::deployment).and_then(&row_of) else {
            continue;
        };
        let Some(flags) = history.flags.get_mut(r) else {
            continue;
        };
        *flags |= History::FAILED;
        let summary = history.incidents.entry(r as u32).or_default();
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
pub fn fill_recovery(history: &mut History) {
    let finished = history.finished;
    let mut next_success: Option<i64> = None;
    for i in (0..finished).rev() {
        let f = history.finished_ms[i];
        let flags = history.flags[i];
        // Finished, so counted: a failure here is a change failure.
        if flags & History::FAILED != 0 {
            let started = history.started_ms[i];
            let earlier = started_later_finished_earlier(history, i, started);
            let linked = history
                .incidents
                .get(&(i as u32))
                .copied()
                .unwrap_or_default();
            let failure = linked.first_created.map_or(f, |c| ms(c).min(f));
            let resolved = linked.last_resolved.filter(|_| linked.open == 0).map(ms);
            let recovered = [next_success, earlier, resolved]
                .into_iter()
                .flatten()
                .min();
            match recovered {
                Some(t) => {
                    history.flags[i] |= History::RECOVERED;
                    history.recovery[i] = seconds_between(failure, t);
                }
                None => history.flags[i] |= History::ONGOING,
            }
        }
        if flags & History::SUCCESS != 0 {
            next_success = Some(f);
        }
    }
}

/// The earliest finish among the successes before row `i` (the rows that finished no
/// later than a failed one, in finish order) that started after `started` (its start).
/// Only the rows that finished while it ran can have: a short scan back.
fn started_later_finished_earlier(history: &History, i: usize, started: i64) -> Option<i64> {
    (0..i)
        .rev()
        .take_while(|&q| history.finished_ms[q] > started)
        .filter(|&q| history.flags[q] & History::SUCCESS != 0 && history.started_ms[q] > started)
        .map(|q| history.finished_ms[q])
        .min()
}
