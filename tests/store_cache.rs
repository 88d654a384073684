//! The local cache: what the writer thread saved is there after a restart, upserts do
//! not duplicate, retention purges old rows, and its failures are reported. How long
//! a cache of 90 days × 20 services takes to reach the first frame is measured by
//! `cargo bench --bench startup`.

mod common;

use std::path::PathBuf;

use chrono::{Duration, TimeZone, Utc};
use flightdeck::event::SourceData;
use flightdeck::event::SourceErrorKind;
use flightdeck::event::{Event, SourceEvent, SourceEventKind};
use flightdeck::model::{
    Annotation, AnnotationKind, DeployStatus, Deployment, Incident, Series, SeriesKind, Ts,
    WindowRatios,
};
use flightdeck::store::{send_cached, spawn_cache_writer, Cache, CACHE_SOURCE_ID};

fn temp_db(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fd-store-it-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("cache.sqlite3")
}

fn t0() -> Ts {
    Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0)
        .single()
        .expect("valid time")
}

fn deployment(id: &str, service: &str, finished: Ts, status: DeployStatus) -> Deployment {
    Deployment {
        source: "gitlab".into(),
        version: "1.2.3".into(),
        sha: "abc123".into(),
        status,
        deployer: "ana".into(),
        ..common::deployment(
            id,
            service,
            finished - Duration::minutes(10),
            Some(finished),
        )
    }
}

fn incident(key: &str, created: Ts) -> Incident {
    Incident {
        key: key.into(),
        service: "api".into(),
        title: "errors up".into(),
        severity: "P2".into(),
        created_at: created,
        resolved_at: None,
        linked_deployment: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_writer_saved_survives_a_restart() {
    let path = temp_db("restart");
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let writer = spawn_cache_writer(path.clone(), 90, rx, None);
    let ratios = WindowRatios {
        m5: Some(0.01),
        slo_window: Some(0.0004),
        ..Default::default()
    };
    let first = vec![
        SourceData::Services(vec!["api".into()]),
        SourceData::Deployments(vec![deployment(
            "gitlab:1",
            "api",
            t0(),
            DeployStatus::Running,
        )]),
        SourceData::Incidents(vec![incident("OPS-1", t0())]),
    ];
    // The same deployment again, now finished: an upsert, not a second row.
    let second = vec![
        SourceData::Deployments(vec![deployment(
            "gitlab:1",
            "api",
            t0(),
            DeployStatus::Success,
        )]),
        SourceData::Ratios {
            service: "api".into(),
            ratios,
        },
        SourceData::Series {
            service: "api".into(),
            kind: SeriesKind::RequestRate,
            series: Series {
                query: "sum(rate(x[5m]))".into(),
                points: vec![(t0(), 10.0), (t0() + Duration::minutes(5), 12.0)],
            },
        },
        SourceData::Annotations(vec![Annotation {
            at: t0(),
            service: Some("api".into()),
            text: "deploy 1.2.3".into(),
            kind: AnnotationKind::DeployMarker,
        }]),
    ];
    tx.send(("gitlab".into(), t0(), first))
        .await
        .expect("writer alive");
    tx.send(("gitlab".into(), t0() + Duration::minutes(5), second))
        .await
        .expect("writer alive");
    drop(tx);
    writer
        .join()
        .expect("writer thread")
        .expect("no store error");

    // "Restart": a fresh load from disk, sent as the runtime does at start.
    let (events, mut rx) = tokio::sync::mpsc::channel(8);
    assert_eq!(send_cached(path.clone(), events).await.expect("loads"), 1);
    let Some(Event::Source(SourceEvent {
        source,
        kind: SourceEventKind::Cached { at, data },
    })) = rx.recv().await
    else {
        panic!("expected one Cached event");
    };
    assert!(rx.recv().await.is_none(), "one source, one event");
    assert_eq!(source, "gitlab");
    assert_eq!(
        at,
        t0() + Duration::minutes(5),
        "the watermark is the last fetch"
    );
    let deployments: Vec<&Deployment> = data
        .iter()
        .filter_map(|d| match d {
            SourceData::Deployments(v) => Some(v),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(deployments.len(), 1);
    assert_eq!(deployments[0].status, DeployStatus::Success);
    assert!(data
        .iter()
        .any(|d| matches!(d, SourceData::Services(s) if s == &["api"])));
    assert!(data
        .iter()
        .any(|d| matches!(d, SourceData::Incidents(i) if i[0].key == "OPS-1")));
    assert!(data
        .iter()
        .any(|d| matches!(d, SourceData::Ratios { ratios: r, .. } if *r == ratios)));
    assert!(data.iter().any(
        |d| matches!(d, SourceData::Annotations(a) if a[0].kind == AnnotationKind::DeployMarker)
    ));
    assert!(data.iter().any(
        |d| matches!(d, SourceData::Series { series, .. } if series.points == vec![(t0(), 10.0), (t0() + Duration::minutes(5), 12.0)])
    ));
}

fn cache_event(ev: Option<Event>) -> SourceEventKind {
    match ev {
        Some(Event::Source(SourceEvent { source, kind })) if source == CACHE_SOURCE_ID => kind,
        other => panic!("expected an event of the cache source, got {other:?}"),
    }
}

/// A cache written by a newer flightdeck is neither read nor silently empty: the
/// replay and the writer both say so, as errors of the `cache` source.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cache_from_a_newer_flightdeck_is_reported() {
    let path = temp_db("newer");
    drop(Cache::open(&path).expect("opens"));
    let conn = rusqlite::Connection::open(&path).expect("raw open");
    conn.pragma_update(None, "user_version", 42).expect("bump");
    drop(conn);

    let (events, mut rx) = tokio::sync::mpsc::channel(8);
    assert!(send_cached(path.clone(), events.clone()).await.is_err());
    match cache_event(rx.recv().await) {
        SourceEventKind::Failed { error, .. } => {
            assert_eq!(error.kind, SourceErrorKind::Storage);
            assert!(
                error.message.contains("schema version 42")
                    && error.message.contains("upgrade flightdeck")
                    && error.message.contains("starting without it"),
                "{}",
                error.message
            );
        }
        other => panic!("expected a failure, got {other:?}"),
    }

    let (_tx, saves) = tokio::sync::mpsc::channel(8);
    let writer = spawn_cache_writer(path.clone(), 90, saves, Some(events));
    match cache_event(rx.recv().await) {
        SourceEventKind::Failed { error, .. } => {
            assert!(
                error.message.contains("for writing")
                    && error.message.contains("schema version 42"),
                "{}",
                error.message
            );
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    assert!(writer.join().expect("writer thread").is_err());
}

/// A save that fails is reported once (not once per fetch), and so is the recovery.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_save_is_reported_and_so_is_its_recovery() {
    let path = temp_db("save-fails");
    drop(Cache::open(&path).expect("opens"));
    let raw = rusqlite::Connection::open(&path).expect("raw open");
    // The table a save of the service list needs goes missing under the writer.
    raw.execute_batch("DROP TABLE services").expect("drop");
    let (events, mut rx) = tokio::sync::mpsc::channel(8);
    let (tx, saves) = tokio::sync::mpsc::channel(8);
    let writer = spawn_cache_writer(path.clone(), 90, saves, Some(events));
    let services = || vec![SourceData::Services(vec!["api".into()])];
    for _ in 0..2 {
        tx.send(("gitlab".into(), t0(), services()))
            .await
            .expect("writer alive");
    }
    match cache_event(rx.recv().await) {
        SourceEventKind::Failed { error, .. } => {
            assert_eq!(error.kind, SourceErrorKind::Storage);
            assert!(
                error.message.contains("could not save what gitlab fetched"),
                "{}",
                error.message
            );
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    raw.execute_batch("CREATE TABLE services (source TEXT PRIMARY KEY, json TEXT NOT NULL)")
        .expect("recreate");
    tx.send(("gitlab".into(), t0(), services()))
        .await
        .expect("writer alive");
    // The second failure was not reported again: the next event is the recovery.
    assert!(matches!(
        cache_event(rx.recv().await),
        SourceEventKind::Fetched { .. }
    ));
    drop(tx);
    assert!(
        writer.join().expect("writer thread").is_err(),
        "the first error is still returned"
    );
    assert!(rx.recv().await.is_none(), "nothing more was reported");
}

#[test]
fn retention_purges_only_old_rows() {
    let path = temp_db("purge");
    let mut cache = Cache::open(&path).expect("opens");
    let old = t0() - Duration::days(91);
    let recent = t0() - Duration::days(89);
    let data = vec![SourceData::Deployments(vec![
        deployment("gitlab:old", "api", old, DeployStatus::Success),
        deployment("gitlab:new", "api", recent, DeployStatus::Success),
    ])];
    cache.save("gitlab", t0(), &data).expect("saves");
    assert_eq!(cache.purge(t0(), Duration::days(90)).expect("purges"), 1);
    let loaded = cache.load().expect("loads");
    let ids: Vec<String> = loaded[0]
        .2
        .iter()
        .filter_map(|d| match d {
            SourceData::Deployments(v) => Some(v.iter().map(|d| d.id.clone()).collect::<Vec<_>>()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(ids, ["gitlab:new"]);
}

#[path = "store_cache/race.rs"]
mod race;

#[path = "store_cache/recovery.rs"]
mod recovery;
