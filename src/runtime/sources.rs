//! Which sources run: the embedded demo, or the configured ones with the local cache
//! (read once at start on a blocking thread, written by its own thread).

use std::path::PathBuf;

use tokio::sync::{mpsc, watch};

use super::RunOptions;
use crate::app::App;
use crate::event::{Event, SourceData, SourceEventKind};
use crate::sources::{channels, demo, registry, SourceHandle};
use crate::store::{self, CachedSource};

/// Fetch results waiting to be written; when the writer falls this far behind, newer
/// results are dropped from the cache (never from the screen).
const CACHE_QUEUE: usize = 64;

/// The running sources and, when caching, the sender feeding the cache writer.
pub(super) struct Sources {
    pub handles: Vec<SourceHandle>,
    pub cache: Option<mpsc::Sender<CachedSource>>,
    /// Sources a result of which the cache writer could not take.
    lost: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl Sources {
    /// Hands a fetch result to the cache writer without ever waiting for it.
    pub fn remember(&self, event: &Event) {
        let (Some(cache), Event::Source(ev)) = (&self.cache, event) else {
            return;
        };
        // The cache's own status events are about the cache, not data to keep.
        if ev.source == store::CACHE_SOURCE_ID {
            return;
        }
        let (at, data) = match &ev.kind {
            SourceEventKind::Fetched { at, data, .. }
            | SourceEventKind::Progress { at, data, .. } => (at, data),
            _ => return,
        };
        let mut lost = self.lost.lock().unwrap_or_else(|p| p.into_inner());
        let mut data = data.clone();
        if lost.contains(&ev.source) {
            // A result of this source was dropped: a later watermark would skip what it
            // held, so none is saved this run (a restart then reads from the last one
            // saved: again, never lost).
            data.retain(|d| !matches!(d, SourceData::SyncState(_)));
        }
        if cache.try_send((ev.source.clone(), *at, data)).is_err() {
            lost.insert(ev.source.clone());
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
            lost: Default::default(),
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
            tx
        });
        app.register_services(opts.config.services.iter().map(|s| s.name.clone()));
        Sources {
            handles: registry.spawn(events, shutdown, None),
            cache,
            lost: Default::default(),
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
