//! Lead time for changes (DESIGN §3). A successful deployment's changes are the commits
//! between the previous successful production deployment of the service and this one:
//! its own commits plus those of failed or rolled-back deployments since the last
//! success (they shipped for real only now), without duplicates and without commits the
//! previous success already shipped (some sources list commits cumulatively). The
//! first successful deployment ever seen has no predecessor, so its commits — possibly
//! a year of history — are not counted. A rollback ships old code, not changes: its
//! commits are not lead times and the pending ones wait for the next forward deploy.

use crate::metrics::settings::LeadTimeBasis;
use crate::model::{Change, DeployKind, DeployStatus, Ts};

use super::history::ServiceRows;

/// Fills each row's `changes` range and returns the lead times (seconds), laid out in
/// row order so that a window's lead times are one contiguous slice.
pub fn fill(rows: &mut ServiceRows<'_>, basis: LeadTimeBasis) -> Vec<f64> {
    let mut lead_times = Vec::new();
    let mut pending: Vec<(&str, Ts)> = Vec::new();
    let mut previous_group: Vec<&str> = Vec::new();
    let mut seen_success = false;
    let finished = rows.finished;
    for row in rows.rows[..finished].iter_mut() {
        let start = lead_times.len();
        row.changes = start..start;
        let dep = row.dep;
        if dep.kind == DeployKind::Rollback {
            continue;
        }
        pending.extend(dep.commits.iter().map(|c| (c.sha.as_str(), at(c, basis))));
        if row.status != DeployStatus::Success {
            continue;
        }
        let Some(finished_at) = row.finished else {
            continue;
        };
        pending.sort_unstable_by(|a, b| a.0.cmp(b.0).then(a.1.cmp(&b.1)));
        pending.dedup_by(|later, first| later.0 == first.0);
        pending.retain(|(sha, _)| previous_group.binary_search(sha).is_err());
        if seen_success {
            lead_times.extend(pending.iter().map(|(_, t)| seconds(finished_at - *t)));
            row.changes = start..lead_times.len();
            row.changes_counted = true;
        }
        seen_success = true;
        previous_group.clear();
        previous_group.extend(pending.iter().map(|(sha, _)| *sha));
        pending.clear();
    }
    lead_times
}

fn at(c: &Change, basis: LeadTimeBasis) -> Ts {
    match basis {
        LeadTimeBasis::Committed => c.committed_at,
        LeadTimeBasis::Authored => c.authored_at,
    }
}

/// Seconds, never negative: a commit stamped after the deploy (clock skew) is 0.
fn seconds(d: chrono::Duration) -> f64 {
    (d.num_milliseconds() as f64 / 1000.0).max(0.0)
}
