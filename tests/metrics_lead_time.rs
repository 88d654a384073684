//! Lead time for changes against a plain reading of its definition (DESIGN §3): the
//! engine's fast paths (hash summaries, a success's own commits read in place, sorted
//! groups past a size) must give exactly the lead times of the slow, obvious algorithm
//! on histories built to hit them — shared shas, cumulative listings, failed
//! deployments carrying commits, rollbacks, batches larger than a group's scan size.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, TimeZone, Utc};
use flightdeck::metrics::dora::Histories;
use flightdeck::metrics::{Inputs, Settings};
use flightdeck::model::{Change, DeployKind, DeployStatus, Deployment, DeploymentLog, Ts};
use proptest::prelude::*;

fn origin() -> Ts {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// Commit `j` of the pool: the same sha always has the same commit time.
fn pool_commit(j: u32) -> Change {
    let at = origin() + Duration::minutes(17 * i64::from(j));
    Change {
        sha: format!("{j:040x}"),
        title: String::new(),
        author: String::new(),
        authored_at: at,
        committed_at: at,
        merged_at: None,
    }
}

/// Deployment `i` of a history: started `i` hours after the origin plus `lag`
/// minutes, finished `minutes` later (plus `i` seconds, so no two finish together).
fn deployment(
    i: usize,
    lag: u32,
    minutes: u32,
    status: u8,
    kind: u8,
    commits: &[u32],
) -> Deployment {
    let started = origin() + Duration::hours(48 + i as i64) + Duration::minutes(i64::from(lag));
    let finished = started + Duration::minutes(i64::from(minutes)) + Duration::seconds(i as i64);
    Deployment {
        status: match status % 4 {
            0 | 1 => DeployStatus::Success,
            2 => DeployStatus::Failed,
            _ => DeployStatus::RolledBack,
        },
        commits: commits.iter().map(|&j| pool_commit(j)).collect(),
        kind: match kind % 8 {
            0 => DeployKind::Rollback,
            1 => DeployKind::Hotfix,
            _ => DeployKind::Normal,
        },
        ..common::deployment(&format!("d{i:03}"), "api", started, Some(finished))
    }
}

/// The definition, read plainly: in finish order, a success's changes are the distinct
/// commits listed since the previous success (its own and those of failed deployments
/// in between) that the previous success did not list; the first success has no
/// predecessor, so none of its commits count; a rollback ships no changes. Lead time
/// of a change: the success's finish minus the commit's time. By deployment id.
fn reference(deployments: &[Deployment]) -> BTreeMap<String, Vec<i64>> {
    let mut rows: Vec<&Deployment> = deployments.iter().collect();
    rows.sort_by_key(|d| d.finished_at);
    let mut out = BTreeMap::new();
    let mut previous: BTreeSet<&str> = BTreeSet::new();
    let mut listed: BTreeSet<&str> = BTreeSet::new();
    let mut new: BTreeMap<&str, Ts> = BTreeMap::new();
    let mut seen_success = false;
    for d in rows {
        if d.kind == DeployKind::Rollback {
            continue;
        }
        for c in &d.commits {
            listed.insert(&c.sha);
            if !previous.contains(c.sha.as_str()) {
                let at = new.entry(&c.sha).or_insert(c.committed_at);
                *at = (*at).min(c.committed_at);
            }
        }
        if d.status != DeployStatus::Success {
            continue;
        }
        if seen_success {
            let end = d.finished_at.unwrap_or_default();
            let mut ms: Vec<i64> = new
                .values()
                .map(|&t| (end - t).num_milliseconds())
                .collect();
            ms.sort_unstable();
            out.insert(d.id.clone(), ms);
        }
        seen_success = true;
        previous = std::mem::take(&mut listed);
        new.clear();
    }
    out
}

/// The engine's lead times by deployment id, in milliseconds, sorted.
fn engine(deployments: Vec<Deployment>) -> BTreeMap<String, Vec<i64>> {
    let log = DeploymentLog::from(deployments);
    let (ratios, series) = (BTreeMap::new(), BTreeMap::new());
    let inputs = Inputs {
        deployments: &log,
        incidents: &[],
        ratios: &ratios,
        series: &series,
        annotations: &[],
    };
    let now = origin() + Duration::days(400);
    let histories = Histories::build(&inputs, &Settings::default(), now);
    let mut out = BTreeMap::new();
    if let Some(h) = histories.services.get("api") {
        for r in 0..h.finished {
            if !h.changes_counted(r) {
                continue;
            }
            let id = log[h.index[r] as usize].id.clone();
            let mut ms: Vec<i64> = h
                .lead_times_of(r)
                .iter()
                .map(|s| (s * 1000.0).round() as i64)
                .collect();
            ms.sort_unstable();
            out.insert(id, ms);
        }
    }
    out
}

/// A success listing every commit so far (a cumulative source) charges each commit
/// once, when it first ships, however many successes ago that was.
#[test]
fn a_cumulative_source_charges_each_commit_once() {
    let d1 = deployment(0, 0, 10, 0, 2, &[1]);
    let d2 = deployment(1, 0, 10, 0, 2, &[1, 2]);
    let d3 = deployment(2, 0, 10, 0, 2, &[1, 2, 3]);
    let lead = engine(vec![d1, d2.clone(), d3.clone()]);
    let end = |d: &Deployment| d.finished_at.unwrap_or_default();
    let since = |d: &Deployment, j: u32| (end(d) - pool_commit(j).committed_at).num_milliseconds();
    // d1 is the first: none counted. d2 ships commit 2 only; d3 commit 3 only (commit
    // 1 was shipped two successes back, and is listed again, not changed again).
    assert_eq!(lead.get("d000"), None);
    assert_eq!(lead.get("d001"), Some(&vec![since(&d2, 2)]));
    assert_eq!(lead.get("d002"), Some(&vec![since(&d3, 3)]));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn lead_times_are_those_of_the_definition(
        rows in prop::collection::vec(
            (0u32..90, 1u32..200, any::<u8>(), any::<u8>(), prop::collection::vec(0u32..48, 0..40)),
            0..40,
        ),
        cumulative in any::<bool>(),
    ) {
        let mut so_far: Vec<u32> = Vec::new();
        let deployments: Vec<Deployment> = rows
            .iter()
            .enumerate()
            .map(|(i, (lag, minutes, status, kind, commits))| {
                // Half the histories list every commit so far, as some sources do.
                let listed = if cumulative {
                    so_far.extend(commits.iter().take(3));
                    so_far.clone()
                } else {
                    commits.clone()
                };
                deployment(i, *lag, *minutes, *status, *kind, &listed)
            })
            .collect();
        let expected = reference(&deployments);
        prop_assert_eq!(engine(deployments), expected);
    }
}
