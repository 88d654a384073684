//! Lead time for changes (DESIGN §3). A successful deployment's changes are the commits
//! between the previous successful production deployment of the service and this one:
//! its own commits plus those of failed or rolled-back deployments since the last
//! success (they shipped for real only now), without duplicates and without commits the
//! previous success already shipped (some sources list commits cumulatively). The
//! first successful deployment ever seen has no predecessor, so its commits — possibly
//! a year of history — are not counted. A rollback ships old code, not changes: its
//! commits are not lead times and the pending ones wait for the next forward deploy.

use crate::metrics::settings::LeadTimeBasis;
use crate::model::log::CommitKey;
use crate::model::{DeployStatus, Deployment};

use super::history::{Row, ServiceRows};

/// A service's commits, and which of their times lead time counts from.
struct Group<'a> {
    commits: &'a [CommitKey],
    basis: LeadTimeBasis,
}

/// A commit in a group: the hash of its sha (compared first: cheap), its time in
/// epoch milliseconds, and where it lives (deployment, position) so that equal hashes
/// are confirmed on the shas themselves and a collision never merges two commits.
type Pending = (u64, i64, usize, usize);

/// Fills each row's `changes` range and returns the lead times (seconds), laid out in
/// row order so that a window's lead times are one contiguous slice.
/// `commits` are the service's ([`crate::model::log::DeployColumns::service_commits`]).
pub fn fill(
    rows: &mut ServiceRows,
    commits: &[CommitKey],
    basis: LeadTimeBasis,
    deployments: &[Deployment],
) -> Vec<f64> {
    let finished = rows.finished;
    let capacity = rows.rows[..finished]
        .iter()
        .map(|r| r.commit_len as usize)
        .sum();
    let group = Group { commits, basis };
    let mut lead_times = Vec::with_capacity(capacity);
    let mut pending: Vec<Pending> = Vec::new();
    let mut previous_group: Vec<Pending> = Vec::new();
    let sha = |p: &Pending| {
        deployments
            .get(p.2)
            .and_then(|d| d.commits.get(p.3))
            .map_or("", |c| c.sha.as_str())
    };
    let same = |a: &Pending, b: &Pending| a.0 == b.0 && sha(a) == sha(b);
    let mut seen_success = false;
    for row in rows.rows[..finished].iter_mut() {
        let start = lead_times.len() as u32;
        row.changes = start..start;
        if row.rollback {
            row.batch = Some(0);
            continue;
        }
        let success = row.status == DeployStatus::Success && row.is_finished();
        // A failed deployment's batch is needed too (risk flags), so the pending set
        // is kept distinct at every row, not only at successes: each new commit is
        // merged into it (the earliest copy of each commit kept).
        add_commits(&mut pending, &group, row, &previous_group, &same);
        row.batch = seen_success.then_some(pending.len() as u32);
        if !success {
            continue;
        }
        if seen_success {
            let end_ms = row.finished_ms;
            lead_times.extend(
                pending
                    .iter()
                    .map(|p| ((end_ms - p.1) as f64 / 1000.0).max(0.0)),
            );
            row.changes = start..lead_times.len() as u32;
            row.changes_counted = true;
        }
        seen_success = true;
        std::mem::swap(&mut previous_group, &mut pending);
        pending.clear();
        if previous_group.len() > SMALL {
            // Searched by hash from now on.
            previous_group.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        }
    }
    // Running rows ship what is pending plus their own commits.
    for row in rows.rows[finished..].iter_mut() {
        if row.rollback {
            row.batch = Some(0);
            continue;
        }
        let mut own = pending.clone();
        add_commits(&mut own, &group, row, &previous_group, &same);
        row.batch = seen_success.then_some(own.len() as u32);
    }
    lead_times
}

/// Up to this many commits, a group is searched by a scan (a deployment ships a few
/// commits: a scan of a handful of hashes beats sorting); beyond, sorted by hash.
const SMALL: usize = 32;

/// Adds deployment `i`'s commits to `pending` (distinct, none shipped by the previous
/// success): a commit already pending keeps the earlier time; one the previous success
/// shipped is dropped. The same set as [`distinct_new`] over `pending` and the commits.
fn add_commits(
    pending: &mut Vec<Pending>,
    group: &Group<'_>,
    row: &Row,
    previous: &[Pending],
    same: &impl Fn(&Pending, &Pending) -> bool,
) {
    let start = row.commit_start as usize;
    let commits = group
        .commits
        .get(start..start + row.commit_len as usize)
        .unwrap_or(&[]);
    let i = row.index;
    let keys = commits.iter().enumerate().map(|(j, c)| {
        let at = match group.basis {
            LeadTimeBasis::Committed => c.committed_ms,
            LeadTimeBasis::Authored => c.authored_ms,
        };
        (c.sha_hash, at, i, j)
    });
    if pending.len() + commits.len() > SMALL {
        pending.extend(keys);
        distinct_new(pending, previous, same);
        return;
    }
    for c in keys {
        let h = c.0;
        if let Some(p) = pending.iter_mut().find(|p| same(p, &c)) {
            if c.1 < p.1 {
                *p = c;
            }
            continue;
        }
        let shipped = if previous.len() > SMALL {
            let from = previous.partition_point(|q| q.0 < h);
            previous[from..]
                .iter()
                .take_while(|q| q.0 == h)
                .any(|q| same(&c, q))
        } else {
            previous.iter().any(|q| same(&c, q))
        };
        if !shipped {
            pending.push(c);
        }
    }
}

/// Makes `pending` distinct (sorted by hash, the earliest copy of each commit kept)
/// and drops what the previous success already shipped (`previous` is sorted by hash
/// when longer than [`SMALL`]).
fn distinct_new(
    pending: &mut Vec<Pending>,
    previous: &[Pending],
    same: &impl Fn(&Pending, &Pending) -> bool,
) {
    // By hash, then by time: duplicates become neighbours, the earliest first.
    pending.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    dedup(pending, same);
    if previous.len() <= SMALL {
        // Small groups are not kept sorted: scanned.
        pending.retain(|p| !previous.iter().any(|q| same(p, q)));
    } else {
        pending.retain(|p| {
            let from = previous.partition_point(|q| q.0 < p.0);
            !previous[from..]
                .iter()
                .take_while(|q| q.0 == p.0)
                .any(|q| same(p, q))
        });
    }
}

/// Removes later copies of the same commit, in place. Sorted by hash, copies sit in
/// the same run of equal hashes; most runs have length one, so this is a linear scan.
fn dedup(pending: &mut Vec<Pending>, same: &impl Fn(&Pending, &Pending) -> bool) {
    let mut kept = 0;
    let mut run_start = 0;
    for i in 0..pending.len() {
        let p = pending[i];
        if kept > 0 && pending[kept - 1].0 != p.0 {
            run_start = kept;
        }
        if !pending[run_start..kept].iter().any(|k| same(k, &p)) {
            pending[kept] = p;
            kept += 1;
        }
    }
    pending.truncate(kept);
}
