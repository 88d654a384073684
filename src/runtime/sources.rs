//! Which sources run: the embedded demo, or the configured ones with the local cache
//! (read once at start on a blocking thread, written by its own thread).

use std::path::PathBuf;

use tokio::sync::{mpsc, watch};

use super::RunOptions;
use crate::app::App;
use crate::event::{Event, SourceEventKind};
use crate::sources::{channels, configured, demo, SourceHandle};
use crate::store::{self, CachedSource};

/// Fetch results waiting to be written; when the writer falls this far behind, newer
/// results are dropped from the cache (never from the screen).
const CACHE_QUEUE: usize = 64;

/// The running sources and, when caching, the sender feeding the cache writer.
pub(super) struct Sources {
    pub handles: Vec<SourceHandle>,
    pub cache: Option<mpsc::Sender<CachedSource>>,
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
        if let SourceEventKind::Fetched { at, data, .. } = &ev.kind {
            let _ = cache.try_send((ev.source.clone(), *at, data.clone()));
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
        let cache = cache_path(opts).map(|path| {
            spawn_cache_load(path.clone(), events.clone());
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
            handles: configured::spawn_configured(&opts.config, events, shutdown, None),
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
fn spawn_cache_load(path: PathBuf, events: mpsc::Sender<Event>) {
    tokio::spawn(async move {
        let _ = store::send_cached(path, events).await;
    });
}
