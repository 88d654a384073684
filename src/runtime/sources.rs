//! Which sources run: the embedded demo, or the configured ones with the local cache
//! (read once at start on a blocking thread; written by its own thread, which the app
//! reaches through [`CacheRoute`] with a command like every other write).

use std::path::PathBuf;

use tokio::sync::{mpsc, watch};

use super::RunOptions;
use crate::app::App;
use crate::event::{CacheSave, Event, SourceData};
use crate::sources::{channels, demo, registry, SourceHandle};
use crate::store::{self, CachedSource};

/// Fetch results waiting to be written; when the writer falls this far behind, newer
/// results are dropped from the cache (never from the screen).
const CACHE_QUEUE: usize = 64;

/// The running sources and, when caching, the route to the cache writer.
pub(super) struct Sources {
    pub handles: Vec<SourceHandle>,
    pub cache: Option<CacheRoute>,
}

/// Where the app's [`Command::Cache`](crate::event::Command::Cache) goes: the bounded
/// queue of the cache writer (its own thread, which answers with the `cache` source's
/// status events). Handing a save over never waits: a full queue drops it from the
/// cache, says so once as the `cache` source's error, and keeps that source's
/// watermark from moving past what was dropped.
pub struct CacheRoute {
    queue: mpsc::Sender<CachedSource>,
    events: mpsc::Sender<Event>,
    /// Sources a save of which the writer could not take.
    lost: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl CacheRoute {
    pub fn new(queue: mpsc::Sender<CachedSource>, events: mpsc::Sender<Event>) -> Self {
        CacheRoute {
            queue,
            events,
            lost: Default::default(),
        }
    }

    /// Hands a save to the writer without ever waiting for it.
    pub fn send(&self, save: CacheSave) {
        let mut lost = self.lost.lock().unwrap_or_else(|p| p.into_inner());
        let CacheSave {
            source,
            at,
            mut data,
        } = save;
        if lost.contains(&source) {
            // A save of this source was dropped: a later watermark would skip what it
            // held, so none is saved this run (a restart then reads from the last one
            // saved: again, never lost).
            data.retain(|d| !matches!(d, SourceData::SyncState(_)));
        }
        if self.queue.try_send((source.clone(), at, data)).is_err() && lost.insert(source.clone()) {
            // Said once per source; the loop's own channel, so never awaited either.
            let _ = self.events.try_send(store::failure_event(format!(
                "the cache writer fell behind; some of what {source} fetched this run is not cached"
            )));
        }
    }
}

pub(super) fn spawn(
    opts: &RunOptions,
    demo_clock: Option<demo::DemoClock>,
    app: &mut App,
    events: mpsc::Sender<Event>,
    shutdown: watch::Receiver<bool>,
) -> Sources {
    let sources = if let Some(clock) = demo_clock.filter(|_| opts.demo) {
        let (ctx, _commands) = channels(events, shutdown);
        Sources {
            handles: vec![demo::spawn(ctx, opts.seed, clock)],
            cache: None,
        }
    } else {
        let registry = registry::Registry::running(&opts.config, &events);
        let cache = cache_path(opts).map(|path| {
            spawn_cache_load(path.clone(), events.clone(), registry.ids());
            let (tx, rx) = mpsc::channel(CACHE_QUEUE);
            // Its problems reach the app as the `cache` source's errors; the handle is
            // not joined (the thread ends when the sender goes, at exit).
            store::spawn_cache_writer(
                path,
                opts.config.cache.retention_days,
                rx,
                Some(events.clone()),
            );
            CacheRoute::new(tx, events.clone())
        });
        app.cache_fetches = cache.is_some();
        app.register_services(opts.config.services.iter().map(|s| s.name.clone()));
        Sources {
            handles: registry.spawn(events, shutdown, None),
            cache,
        }
    };
    for h in &sources.handles {
        app.register_source(&h.id, h.interval);
    }
    sources
}

pub(super) fn cache_path(opts: &RunOptions) -> Option<PathBuf> {
    let cache = &opts.config.cache;
    if !cache.enabled {
        return None;
    }
    cache.path.clone().or_else(store::default_path)
}

/// Replays the cache as `Cached` events off the loop. A missing cache is empty (the
/// cockpit starts as "pending" and fills in from the sources); an unreadable one
/// (corrupt, or written by a newer flightdeck) shows as an error of the `cache`
/// source, sent by `send_cached` itself, so the result needs no handling here.
///
/// Only the configured sources are restored (the registry's `ids`): a source taken out
/// of the config does not come back from the cache as if it were still watched.
fn spawn_cache_load(path: PathBuf, events: mpsc::Sender<Event>, ids: Vec<String>) {
    tokio::spawn(async move {
        let _ = store::send_cached_of(path, events, Some(ids)).await;
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{SourceEventKind, SyncEntry};

    fn save(source: &str, n: i64) -> CacheSave {
        CacheSave {
            source: source.into(),
            at: chrono::DateTime::from_timestamp(1_800_000_000 + n, 0).expect("time"),
            data: vec![
                SourceData::Services(vec!["api".into()]),
                SourceData::SyncState(vec![SyncEntry {
                    key: "w".into(),
                    at: None,
                    json: n.to_string(),
                }]),
            ],
        }
    }

    fn has_sync(c: &CachedSource) -> bool {
        c.2.iter().any(|d| matches!(d, SourceData::SyncState(_)))
    }

    #[test]
    fn a_full_queue_drops_without_waiting_says_so_once_and_holds_the_watermark_back() {
        let (queue, mut saved) = mpsc::channel(1);
        let (events, mut said) = mpsc::channel(8);
        let route = CacheRoute::new(queue, events);
        route.send(save("gitlab", 1));
        // Nobody drains the queue: these cannot be taken, and must not wait.
        route.send(save("gitlab", 2));
        route.send(save("gitlab", 3));
        let first = saved.try_recv().expect("the first save queued");
        assert!(has_sync(&first));
        let Ok(Event::Source(ev)) = said.try_recv() else {
            panic!("the drop is said as the cache's error");
        };
        assert_eq!(ev.source, store::CACHE_SOURCE_ID);
        assert!(matches!(ev.kind, SourceEventKind::Failed { .. }));
        assert!(said.try_recv().is_err(), "said once, not per dropped save");
        // Room again: the data goes on being cached, its watermark no longer.
        route.send(save("gitlab", 4));
        let later = saved.try_recv().expect("queued");
        assert_eq!(later.0, "gitlab");
        assert!(!has_sync(&later), "{later:?}");
        // Another source is not held back.
        route.send(save("jira", 5));
        assert!(has_sync(&saved.try_recv().expect("queued")));
    }
}
