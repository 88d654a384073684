use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::model::{Change, Trigger};

fn t0() -> Ts {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

fn dep(id: &str, service: &str, start_min: i64, commits: usize) -> Deployment {
    let started = t0() + Duration::minutes(start_min);
    Deployment {
        id: id.into(),
        source: "test".into(),
        service: service.into(),
        environment: "production".into(),
        version: String::new(),
        sha: String::new(),
        status: DeployStatus::Success,
        started_at: started,
        finished_at: Some(started + Duration::minutes(5)),
        deployer: String::new(),
        url: None,
        commits: (0..commits)
            .map(|j| Change {
                sha: format!("{id}-{j}"),
                title: String::new(),
                author: String::new(),
                authored_at: started - Duration::hours(2),
                committed_at: started - Duration::hours(1),
                merged_at: None,
            })
            .collect(),
        stages: Vec::new(),
        canary: None,
        trigger: Trigger::Auto,
        kind: DeployKind::Normal,
    }
}

/// One row of the columns, by value (service by name: ids are an internal detail).
type RowView = (
    String,
    bool,
    i64,
    i64,
    DeployStatus,
    DeployKind,
    bool,
    Vec<CommitKey>,
);

fn rows(c: &DeployColumns) -> Vec<RowView> {
    (0..c.len())
        .map(|i| {
            let (s, k) = c.row(i).expect("every position has a row");
            // Each service's columns point back at the position they hold.
            assert_eq!(s.pos[k] as usize, i);
            (
                c.services[c.service[i] as usize].clone(),
                s.production[k],
                s.started_ms[k],
                s.finished_ms[k],
                s.status[k],
                s.kind[k],
                s.canary_failed[k],
                c.commits_of(i).to_vec(),
            )
        })
        .collect()
}

/// The log's invariants: sorted, one per id, positions right, and columns equal to
/// columns rebuilt from scratch.
fn check(log: &DeploymentLog) {
    assert!(log
        .windows(2)
        .all(|w| deploy_order(&w[0], &w[1]) == Ordering::Less));
    for (i, d) in log.iter().enumerate() {
        assert_eq!(log.position(&d.id), Some(i));
    }
    assert_eq!(log.positions.len(), log.len());
    assert_eq!(rows(log.columns()), rows(&DeployColumns::of(log)));
    for c in &log.columns().of {
        // Each service's finish order is a permutation of its deployments, sorted.
        let mut expected: Vec<u32> = (0..c.len() as u32).collect();
        expected.sort_by_key(|&k| (c.finished_ms[k as usize], k));
        assert_eq!(c.by_finish(), expected.as_slice());
    }
    // And nothing else: every service's columns hold exactly its deployments.
    let held: usize = log.columns().of.iter().map(ServiceColumns::len).sum();
    assert_eq!(held, log.len());
}

#[test]
fn appends_in_order_and_the_last_of_a_batch_wins() {
    let mut log = DeploymentLog::default();
    // Newest first, as GitLab lists them, with one id twice.
    let mut again = dep("b", "api", 10, 1);
    again.status = DeployStatus::Failed;
    log.upsert(vec![dep("c", "api", 20, 2), dep("b", "api", 10, 3), again]);
    check(&log);
    let ids: Vec<&str> = log.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["b", "c"]);
    assert_eq!(log[0].status, DeployStatus::Failed);
    assert_eq!(log.columns().commits_of(0).len(), 1);
}

#[test]
fn a_replacement_in_place_updates_its_columns() {
    let mut log = DeploymentLog::from(vec![
        dep("a", "api", 0, 2),
        dep("b", "web", 10, 2),
        dep("c", "api", 20, 2),
        dep("d", "web", 30, 2),
    ]);
    let mut b = dep("b", "web", 10, 5);
    b.status = DeployStatus::RolledBack;
    b.finished_at = None;
    log.upsert(vec![b]);
    check(&log);
    let c = log.columns();
    let (web, k) = c.row(1).expect("b has a row");
    assert_eq!(web.status[k], DeployStatus::RolledBack);
    assert_eq!(web.finished_ms[k], i64::MAX);
    assert_eq!(c.commits_of(1).len(), 5);
    // The service's later commits moved with it; the other service's stayed.
    assert_eq!(c.commits_of(3)[0].sha_hash, sha_hash("d-0"));
    assert_eq!(c.commits_of(2)[0].sha_hash, sha_hash("c-0"));
}

#[test]
fn a_moved_start_or_a_backfill_reorders() {
    let mut log = DeploymentLog::from(vec![dep("a", "api", 0, 1), dep("b", "api", 10, 1)]);
    log.upsert(vec![dep("a", "api", 30, 1)]);
    check(&log);
    assert_eq!(log[1].id, "a");
    log.upsert(vec![dep("old", "web", -100, 4)]);
    check(&log);
    assert_eq!(log[0].id, "old");
    assert_eq!(log.columns().services.len(), 2);
}

#[test]
fn a_canary_verdict_and_environment_reach_the_columns() {
    let mut d = dep("a", "api", 0, 0);
    d.environment = "staging".into();
    d.canary = Some(crate::model::CanaryResult {
        traffic_percent: 25,
        outcome: CanaryOutcome::Failed,
    });
    let log = DeploymentLog::from(vec![d]);
    let (api, k) = log.columns().row(0).expect("a has a row");
    assert!(!api.production[k]);
    assert!(api.canary_failed[k]);
}

proptest! {
    /// Any sequence of batches leaves the log sorted, unique, and its columns equal to
    /// a rebuild. Ids come from a small pool, so most items replace a known one: in
    /// place (with a changed commit count or status), or with a moved start or a new
    /// service (which rebuild).
    #[test]
    fn columns_always_equal_a_rebuild(
        batches in prop::collection::vec(
            prop::collection::vec((0u8..12, 0usize..4, any::<bool>(), 0u8..8, -200i64..200), 0..6),
            1..8,
        )
    ) {
        let mut log = DeploymentLog::default();
        let mut expected: std::collections::BTreeMap<String, Deployment> = Default::default();
        for batch in batches {
            let items: Vec<Deployment> = batch
                .iter()
                .map(|&(id, commits, failed, twist, moved)| {
                    let start = if twist == 0 { moved } else { i64::from(id) * 10 };
                    let service = ["api", "web", "db"][usize::from((id + u8::from(twist == 1)) % 3)];
                    let mut d = dep(&format!("d{id}"), service, start, commits);
                    if failed {
                        d.status = DeployStatus::Failed;
                    }
                    // Finishes out of start order, some not yet: the finish order
                    // moves as replacements come in.
                    d.finished_at = match twist {
                        2 => None,
                        3 => Some(d.started_at + Duration::minutes(moved.abs())),
                        _ => d.finished_at,
                    };
                    d
                })
                .collect();
            for d in &items {
                expected.insert(d.id.clone(), d.clone());
            }
            log.upsert(items);
            check(&log);
            prop_assert_eq!(log.len(), expected.len());
            for d in log.iter() {
                prop_assert_eq!(Some(d), expected.get(&d.id));
            }
        }
    }
}

proptest! {
    /// Whatever the disorder of the new tail, the result is the sorted order (the
    /// insertion sort and its fallback agree with the general sort).
    #[test]
    fn sorts_any_tail_into_a_sorted_head(
        keys in prop::collection::vec(any::<i64>(), 0..200),
        head in 0usize..200,
        near in any::<bool>(),
    ) {
        let mut keyed: Vec<(i64, u32)> = keys.iter().enumerate().map(|(k, &v)| (v, k as u32)).collect();
        if near {
            // Nearly sorted, as the log gives them: the insertion sort's own case.
            keyed.sort_unstable();
            for triple in keyed.chunks_mut(3) {
                triple.reverse();
            }
        }
        let head = head.min(keyed.len());
        keyed[..head].sort_unstable();
        let mut expected = keyed.clone();
        expected.sort_unstable();
        sort_nearly_sorted(&mut keyed, head, |pair| pair);
        prop_assert_eq!(&keyed, &expected);
        // By key through an index, as the log sorts its finish order.
        let values: Vec<i64> = keyed.iter().rev().map(|&(v, _)| v).collect();
        let mut order: Vec<u32> = (0..values.len() as u32).collect();
        sort_nearly_sorted(&mut order, 0, |k| (values[k as usize], k));
        let mut expected = order.clone();
        expected.sort_by_key(|&k| (values[k as usize], k));
        prop_assert_eq!(order, expected);
    }
}
