//! The cache writer on the command path: a live fetch reaching the app comes out as a
//! `Command::Cache`, the loop hands it to the writer's queue through its `CacheRoute`,
//! and the writer saves it (what a restart then finds). Data loaded from the cache, and
//! the cache's own status, are not saved again; with the cache off nothing is copied.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration};
use flightdeck::app::{App, View};
use flightdeck::event::{Command, Event, ShutdownReason, SourceData, SourceEvent, SourceEventKind};
use flightdeck::model::{Ts, WindowRatios};
use flightdeck::runtime::{drive_routed, CacheRoute, Routes};
use flightdeck::store::{spawn_cache_writer, Cache, CACHE_SOURCE_ID};
use tokio::sync::mpsc;

fn t(s: i64) -> Ts {
    DateTime::from_timestamp(1_800_000_000 + s, 0).expect("time")
}

fn data(m5: f64) -> Vec<SourceData> {
    vec![
        SourceData::Services(vec!["api".into()]),
        SourceData::Ratios {
            service: "api".into(),
            ratios: WindowRatios {
                m5: Some(m5),
                ..WindowRatios::default()
            },
        },
    ]
}

fn event(source: &str, kind: SourceEventKind) -> Event {
    Event::Source(SourceEvent {
        source: source.into(),
        kind,
    })
}

fn fetched(source: &str, at: Ts, m5: f64) -> Event {
    event(
        source,
        SourceEventKind::Fetched {
            at,
            data: data(m5),
            warnings: Vec::new(),
        },
    )
}

fn app() -> App {
    let view = View {
        tz: flightdeck::zone::Tz::UTC,
        demo: false,
    };
    let mut app = App::new(view, flightdeck::metrics::Settings::default(), t(0));
    app.register_source("prom", Duration::seconds(30));
    app
}

#[test]
fn only_live_fetches_become_cache_commands_and_only_when_the_cache_is_on() {
    let mut a = app();
    assert!(a.update(fetched("prom", t(1), 0.1)).is_empty(), "cache off");
    a.cache_fetches = true;
    let cmds = a.update(fetched("prom", t(2), 0.2));
    let [Command::Cache(save)] = cmds.as_slice() else {
        panic!("one save: {cmds:?}");
    };
    assert_eq!((save.source.as_str(), save.at), ("prom", t(2)));
    let cached = event(
        "prom",
        SourceEventKind::Cached {
            at: t(3),
            data: data(0.3),
        },
    );
    assert!(a.update(cached).is_empty(), "loaded from the cache");
    assert!(
        a.update(fetched(CACHE_SOURCE_ID, t(4), 0.0)).is_empty(),
        "the cache's own status"
    );
    let progress = event(
        "prom",
        SourceEventKind::Progress {
            at: t(5),
            records: 10,
            pages: 1,
            data: data(0.5),
        },
    );
    assert_eq!(a.update(progress).len(), 1, "a long fetch's pages so far");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_loop_received_is_saved_through_the_cache_route() {
    let dir = std::env::temp_dir().join(format!("fd-cache-cmd-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("cache.sqlite3");
    let (tx, mut rx) = mpsc::channel(64);
    let (queue, saves) = mpsc::channel(8);
    let writer = spawn_cache_writer(path.clone(), 90, saves, Some(tx.clone()));
    let route = CacheRoute::new(queue, tx.clone());
    let mut a = app();
    a.cache_fetches = true;
    tx.send(fetched("prom", t(1), 0.25)).await.expect("send");
    tx.send(fetched("prom", t(2), 0.75)).await.expect("send");
    tx.send(Event::Shutdown(ShutdownReason::Signal("test")))
        .await
        .expect("send");
    let routes = Routes {
        cache: Some(&route),
        ..Routes::default()
    };
    tokio::time::timeout(
        StdDuration::from_secs(30),
        drive_routed(&mut a, &mut rx, &routes, || false, |_| Ok(())),
    )
    .await
    .expect("the loop ends")
    .expect("no draw error");
    // The route gone, the writer drains its queue and ends.
    drop(route);
    tokio::task::spawn_blocking(move || writer.join())
        .await
        .expect("join")
        .expect("the writer thread")
        .expect("every save succeeded");
    let loaded = Cache::open(&path).expect("reopen").load().expect("load");
    let (_, at, data) = loaded
        .into_iter()
        .find(|(s, _, _)| s == "prom")
        .expect("prom is cached");
    assert_eq!(at, t(2));
    let m5 = data.iter().find_map(|d| match d {
        SourceData::Ratios { ratios, .. } => ratios.m5,
        _ => None,
    });
    assert_eq!(m5, Some(0.75));
    let _ = std::fs::remove_dir_all(dir);
}
