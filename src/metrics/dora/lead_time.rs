//! Lead time for changes (DESIGN §3). A successful deployment's changes are the commits
//! between the previous successful production deployment of the service and this one:
//! its own commits plus those of failed or rolled-back deployments since the last
//! success (they shipped for real only now), without duplicates and without the commits
//! the previous success listed — all of them, new or not, so that a source that lists
//! commits cumulatively never charges a commit twice, however many successes back it
//! first shipped. The
//! first successful deployment ever seen has no predecessor, so its commits — possibly
//! a year of history — are not counted. A rollback ships old code, not changes: its
//! commits are not lead times and the pending ones wait for the next forward deploy.

use crate::metrics::settings::LeadTimeBasis;
use crate::model::log::{seconds_between, CommitKey, ServiceColumns};
use crate::model::Deployment;

use super::history::History;

/// A commit in a group: the hash of its sha (compared first: cheap), its time in
/// epoch milliseconds, and where it lives (deployment, position) so that equal hashes
/// are confirmed on the shas themselves and a collision never merges two commits.
type Pending = (u64, i64, u32, u32);

/// A set of commits: their list, and a one-word summary of their hashes (a bit per
/// hash, [`bit`]). A commit whose bit is not in the summary is not in the set, so the
/// usual case — a new commit — is told apart without looking at the list.
#[derive(Default)]
struct Group {
    items: Vec<Pending>,
    bits: u64,
}

impl Group {
    fn clear(&mut self) {
        self.items.clear();
        self.bits = 0;
    }
}

/// The summary bit of a hash: one of 64. FNV's high bits hardly change between shas
/// that differ in their last characters, so every bit is first mixed into the top
/// six (Fibonacci hashing: a multiply by 2^64/φ).
fn bit(hash: u64) -> u64 {
    1 << (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58)
}

/// What the previous success listed (its own commits and those pending since the
/// success before it), which the next one must not count again.
#[derive(Default)]
struct Shipped {
    /// Those commits: `bits` always, `items` laid out only when needed (see `own`).
    group: Group,
    /// Set when they are the commits of one deployment `k`, all new — the usual
    /// case — read from the columns as they stand instead of copied for every row.
    own: Option<usize>,
}

impl Shipped {
    /// The changes as a group, laid out from the columns if need be.
    fn group(&mut self, commits: &Commits<'_>) -> &Group {
        if let Some(k) = self.own.take() {
            self.group.items.clear();
            self.group.items.extend(commits.pending_of(k));
        }
        &self.group
    }
}

/// What a walk over a service's rows reads: its columns (commits by `k`), which of
/// their times lead time counts from, and the deployments (to confirm equal hashes on
/// the shas).
struct Commits<'a> {
    cols: &'a ServiceColumns,
    basis: LeadTimeBasis,
    deployments: &'a [Deployment],
}

impl Commits<'_> {
    fn sha(&self, p: &Pending) -> &str {
        self.deployments
            .get(p.2 as usize)
            .and_then(|d| d.commits.get(p.3 as usize))
            .map_or("", |c| c.sha.as_str())
    }

    fn same(&self, a: &Pending, b: &Pending) -> bool {
        a.0 == b.0 && self.sha(a) == self.sha(b)
    }

    /// The commits of deployment `k` of the service.
    fn own(&self, k: usize) -> &[CommitKey] {
        self.cols.commits_of(k)
    }

    /// The commits of deployment `k` as members of a group.
    fn pending_of(&self, k: usize) -> impl Iterator<Item = Pending> + '_ {
        let i = self.cols.pos.get(k).copied().unwrap_or(u32::MAX);
        self.own(k)
            .iter()
            .enumerate()
            .map(move |(j, c)| (c.sha_hash, self.at(c), i, j as u32))
    }

    /// The time lead time counts from.
    fn at(&self, c: &CommitKey) -> i64 {
        match self.basis {
            LeadTimeBasis::Committed => c.committed_ms,
            LeadTimeBasis::Authored => c.authored_ms,
            LeadTimeBasis::Merged => c.merged_ms,
        }
    }
}

/// Up to this many commits on each side, "is any hash of `own` equal to another or to
/// one shipped?" is answered by comparing every pair (a few dozen compares, no branch
/// to mispredict) rather than through the summaries.
const TINY: usize = 8;

/// The summary of `own`'s hashes when none of them equals another's or one of
/// `shipped` — then they are all new changes, as they stand — else `None` (equal
/// hashes may still be distinct commits: the general path decides).
fn all_new(own: &[CommitKey], shipped: &Shipped, commits: &Commits<'_>) -> Option<u64> {
    if own.len() > SMALL {
        return None;
    }
    let bits = own.iter().fold(0, |b, c| b | bit(c.sha_hash));
    let shipped_own = shipped.own.map(|k| commits.own(k));
    if let Some(before) = shipped_own.filter(|b| b.len() <= TINY && own.len() <= TINY) {
        let mut clash = false;
        for (j, c) in own.iter().enumerate() {
            let h = c.sha_hash;
            clash |= before.iter().fold(false, |a, p| a | (p.sha_hash == h));
            clash |= own[..j].iter().fold(false, |a, o| a | (o.sha_hash == h));
        }
        return (!clash).then_some(bits);
    }
    let mut seen = 0u64;
    for (j, c) in own.iter().enumerate() {
        let b = bit(c.sha_hash);
        if (seen | shipped.group.bits) & b != 0 {
            // A summary hit: most are other hashes sharing the bit.
            let h = c.sha_hash;
            let before = match shipped_own {
                Some(before) => before.iter().any(|p| p.sha_hash == h),
                None => with_hash(&shipped.group.items, h).next().is_some(),
            };
            if before || own[..j].iter().any(|o| o.sha_hash == h) {
                return None;
            }
        }
        seen |= b;
    }
    Some(bits)
}

/// Fills each row's lead times and batch (`history` is in finish order; `order[r]` is
/// row `r`'s place `k` in the service's columns `cols`). Lead times are laid out in
/// row order, so that a window's lead times are one contiguous slice.
pub fn fill(
    history: &mut History,
    cols: &ServiceColumns,
    order: &[u32],
    basis: LeadTimeBasis,
    deployments: &[Deployment],
) {
    let finished = history.finished;
    let n = history.len();
    let capacity = order[..finished]
        .iter()
        .map(|&k| cols.commit_span(k as usize).len())
        .sum();
    let commits = Commits {
        cols,
        basis,
        deployments,
    };
    // The history's own (empty) buffers: a recycled history keeps their memory.
    let mut lead_times = std::mem::take(&mut history.lead_times);
    let mut lead_start = std::mem::take(&mut history.lead_start);
    let mut batch = std::mem::take(&mut history.batch);
    lead_times.reserve(capacity);
    lead_start.reserve(n + 1);
    batch.reserve(n);
    let mut pending = Group::default();
    // Commits listed since the previous success that it had listed too: not changes,
    // but still shipped by the next success (a cumulative source lists them again).
    let mut relisted = Group::default();
    let mut shipped = Shipped::default();
    let mut seen_success = false;
    for (r, &k) in order.iter().enumerate().take(finished) {
        lead_start.push(lead_times.len() as u32);
        let flags = history.flags[r];
        if flags & History::ROLLBACK != 0 {
            batch.push(0);
            continue;
        }
        let k = k as usize;
        let nothing_since = pending.items.is_empty() && relisted.items.is_empty();
        if seen_success && flags & History::SUCCESS != 0 && nothing_since {
            // The usual case, a success right after a success: its changes are its own
            // commits as they stand, with no pending set laid out for them.
            let own = commits.own(k);
            if let Some(bits) = all_new(own, &shipped, &commits) {
                let end_ms = history.finished_ms[r];
                batch.push(own.len() as u32);
                lead_times.extend(own.iter().map(|c| seconds_between(commits.at(c), end_ms)));
                history.flags[r] |= History::CHANGES_COUNTED;
                shipped.own = Some(k);
                shipped.group.bits = bits;
                continue;
            }
        }
        // A failed deployment's batch is needed too (risk flags), so the pending set
        // is kept distinct at every row, not only at successes: each new commit is
        // merged into it (the earliest copy of each commit kept).
        add_commits(
            &mut pending,
            &commits,
            k,
            shipped.group(&commits),
            &mut relisted,
        );
        batch.push(if seen_success {
            pending.items.len() as u32
        } else {
            History::NO_BATCH
        });
        if flags & History::SUCCESS == 0 {
            continue;
        }
        if seen_success {
            let end_ms = history.finished_ms[r];
            lead_times.extend(pending.items.iter().map(|p| seconds_between(p.1, end_ms)));
            history.flags[r] |= History::CHANGES_COUNTED;
        }
        seen_success = true;
        // What it listed: its new changes and what it listed again.
        std::mem::swap(&mut shipped.group, &mut pending);
        shipped.own = None;
        pending.clear();
        shipped.group.bits |= relisted.bits;
        shipped.group.items.append(&mut relisted.items);
        relisted.clear();
        if shipped.group.items.len() > SMALL {
            // Searched by hash from now on.
            shipped
                .group
                .items
                .sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        }
    }
    // Running rows ship what is pending plus their own commits.
    let previous = shipped.group(&commits);
    for (r, &k) in order.iter().enumerate().skip(finished) {
        lead_start.push(lead_times.len() as u32);
        if history.flags[r] & History::ROLLBACK != 0 {
            batch.push(0);
            continue;
        }
        let mut own = Group {
            items: pending.items.clone(),
            bits: pending.bits,
        };
        add_commits(
            &mut own,
            &commits,
            k as usize,
            previous,
            &mut Group::default(),
        );
        batch.push(if seen_success {
            own.items.len() as u32
        } else {
            History::NO_BATCH
        });
    }
    lead_start.push(lead_times.len() as u32);
    history.lead_times = lead_times;
    history.lead_start = lead_start;
    history.batch = batch;
}

/// The members of `group` with hash `h`: found by binary search when the group is
/// longer than [`SMALL`] (then sorted by hash), by a scan otherwise.
fn with_hash(group: &[Pending], h: u64) -> impl Iterator<Item = &Pending> {
    let sorted = group.len() > SMALL;
    let from = if sorted {
        group.partition_point(|q| q.0 < h)
    } else {
        0
    };
    group[from..]
        .iter()
        .take_while(move |q| !sorted || q.0 == h)
        .filter(move |q| q.0 == h)
}

/// Up to this many commits, a group is searched by a scan (a deployment ships a few
/// commits: a scan of a handful of hashes beats sorting); beyond, sorted by hash.
const SMALL: usize = 32;

/// Adds the commits of deployment `k` to `pending` (distinct, none listed by the
/// previous success): a commit already pending keeps the earlier time; one the
/// previous success listed goes to `relisted` instead. The same sets as
/// [`distinct_new`] over `pending` and the commits.
fn add_commits(
    pending: &mut Group,
    commits: &Commits<'_>,
    k: usize,
    previous: &Group,
    relisted: &mut Group,
) {
    let own = commits.own(k).len();
    let keys = commits.pending_of(k);
    if pending.items.len() + own > SMALL {
        for c in keys {
            pending.bits |= bit(c.0);
            pending.items.push(c);
        }
        distinct_new(&mut pending.items, &previous.items, commits, relisted);
        return;
    }
    let same = |a: &Pending, b: &Pending| commits.same(a, b);
    for c in keys {
        let h = c.0;
        let b = bit(h);
        // Neither pending nor shipped before: most commits, decided by one test.
        if (pending.bits | previous.bits) & b == 0 {
            pending.bits |= b;
            pending.items.push(c);
            continue;
        }
        if let Some(p) = pending.items.iter_mut().find(|p| same(p, &c)) {
            if c.1 < p.1 {
                *p = c;
            }
            continue;
        }
        if with_hash(&previous.items, h).any(|q| same(&c, q)) {
            relisted.bits |= b;
            relisted.items.push(c);
        } else {
            pending.bits |= b;
            pending.items.push(c);
        }
    }
}

/// Makes `pending` distinct (sorted by hash, the earliest copy of each commit kept)
/// and moves what the previous success already listed to `relisted` (`previous` is
/// sorted by hash when longer than [`SMALL`]).
fn distinct_new(
    pending: &mut Vec<Pending>,
    previous: &[Pending],
    commits: &Commits<'_>,
    relisted: &mut Group,
) {
    let same = |a: &Pending, b: &Pending| commits.same(a, b);
    // By hash, then by time: duplicates become neighbours, the earliest first.
    pending.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    dedup(pending, &same);
    pending.retain(|p| {
        let listed = with_hash(previous, p.0).any(|q| same(p, q));
        if listed {
            relisted.bits |= bit(p.0);
            relisted.items.push(*p);
        }
        !listed
    });
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
