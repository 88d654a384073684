//! One pipeline, several deployment records (API-NOTES §2.4): parallel or matrix
//! deploy jobs (one per region, say) each create a record for the same environment.
//! They are one deployment, finished when the last of them finishes; counting each
//! would inflate deployment frequency and deflate change failure rate.

use super::map::SOURCE_ID;
use crate::model::{DeployStatus, Deployment};

/// The model's id of the deployment a record belongs to: its pipeline's and
/// environment's when it came from a pipeline, else (a deployment made through the
/// API) the record's own.
pub fn group_id(record: &Deployment, pipeline: Option<u64>) -> String {
    match pipeline {
        Some(p) => format!("{SOURCE_ID}:pipeline:{p}:{}", record.environment),
        None => record.id.clone(),
    }
}

/// The one deployment the records of a group make, under `id`. It runs while any
/// record runs, then failed if any failed, canceled if any was canceled, and a
/// success only when every record succeeded; it starts with the first record and
/// finishes with the last. Fields that are the pipeline's (sha, version, deployer)
/// come from the lowest record id, so the answer does not depend on record order.
/// `None` for an empty group.
pub fn combine<'a>(
    id: &str,
    records: impl IntoIterator<Item = &'a Deployment>,
) -> Option<Deployment> {
    let mut records: Vec<&Deployment> = records.into_iter().collect();
    records.sort_by(|a, b| record_order(&a.id).cmp(&record_order(&b.id)));
    let first = *records.first()?;
    let any = |s: DeployStatus| records.iter().any(|r| r.status == s);
    let status = [
        DeployStatus::Running,
        DeployStatus::Failed,
        DeployStatus::RolledBack,
        DeployStatus::Canceled,
    ]
    .into_iter()
    .find(|s| any(*s))
    .unwrap_or(DeployStatus::Success);
    let started_at = records.iter().map(|r| r.started_at).min()?;
    let finished_at = match status {
        DeployStatus::Running => None,
        _ => records.iter().filter_map(|r| r.finished_at).max(),
    };
    let mut stages = Vec::new();
    for r in &records {
        stages.extend(r.stages.iter().cloned());
    }
    Some(Deployment {
        id: id.to_string(),
        status,
        started_at,
        finished_at,
        stages,
        ..first.clone()
    })
}

/// Record ids are `gitlab:<number>`: numeric order, not string order.
fn record_order(id: &str) -> (u64, &str) {
    let n = id
        .rsplit(':')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(u64::MAX);
    (n, id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DeployKind, Trigger, Ts};
    use chrono::{Duration, TimeZone, Utc};

    fn at(min: i64) -> Ts {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap() + Duration::minutes(min)
    }

    fn record(id: u64, status: DeployStatus, start: i64, finish: Option<i64>) -> Deployment {
        Deployment {
            id: format!("gitlab:{id}"),
            source: "gitlab".into(),
            service: "checkout".into(),
            environment: "production".into(),
            version: format!("main@{id}"),
            sha: "abc".into(),
            status,
            started_at: at(start),
            finished_at: finish.map(at),
            deployer: "root".into(),
            url: None,
            commits: Vec::new(),
            stages: Vec::new(),
            canary: None,
            trigger: Trigger::Auto,
            kind: DeployKind::Normal,
        }
    }

    #[test]
    fn a_pipelines_records_share_one_id_and_an_api_record_keeps_its_own() {
        let r = record(41, DeployStatus::Success, 0, Some(1));
        assert_eq!(group_id(&r, Some(36)), "gitlab:pipeline:36:production");
        assert_eq!(group_id(&r, None), "gitlab:41");
    }

    #[test]
    fn the_group_starts_with_the_first_and_finishes_with_the_last_in_any_order() {
        use DeployStatus::*;
        let regions = [
            record(12, Success, 2, Some(9)),
            record(10, Success, 0, Some(5)),
            record(11, Success, 1, Some(14)),
        ];
        let expected = |d: &Deployment| {
            assert_eq!(d.id, "g");
            assert_eq!(d.status, Success);
            assert_eq!(d.started_at, at(0));
            assert_eq!(d.finished_at, Some(at(14)));
            assert_eq!(d.version, "main@10", "the lowest record id's");
        };
        expected(&combine("g", &regions).expect("a group"));
        let reversed: Vec<&Deployment> = regions.iter().rev().collect();
        expected(&combine("g", reversed).expect("a group"));
        assert!(combine("g", &[]).is_none());
    }

    #[test]
    fn the_status_is_the_worst_and_running_has_no_finish() {
        use DeployStatus::*;
        let cases = [
            (vec![Success, Success], Success),
            (vec![Success, Running], Running),
            (vec![Failed, Running], Running),
            (vec![Success, Failed], Failed),
            (vec![Canceled, Failed], Failed),
            (vec![Success, Canceled], Canceled),
        ];
        for (statuses, expected) in cases {
            let records: Vec<Deployment> = statuses
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let finish = (*s != Running).then_some(10 + i as i64);
                    record(i as u64, *s, i as i64, finish)
                })
                .collect();
            let d = combine("g", &records).expect("a group");
            assert_eq!(d.status, expected, "{statuses:?}");
            assert_eq!(d.finished_at.is_none(), expected == Running, "{statuses:?}");
        }
    }
}
