//! Data for the headless commands (`snapshot`, `report`): the demo at an instant, or
//! one round of every configured source on top of the local cache.

use std::time::Duration as StdDuration;

use tokio::sync::{mpsc, watch};

use crate::app::App;
use crate::app::View;
use crate::config::{self, Config};
use crate::event::{Event, SourceData, SourceEvent, SourceEventKind};
use crate::model::Ts;
use crate::sources::demo::{DemoWorld, SNAPSHOT_LEAD};
use crate::sources::{registry, EVENT_CHANNEL_CAPACITY};
use crate::store;

/// Cached error ratios newer than the instant asked about by more than this are not
/// used for it (a poll interval's worth: a report "now" still starts from the cache).
const CACHED_RATIOS_SLACK: chrono::Duration = chrono::Duration::minutes(5);

/// How long one round of live sources may take before what arrived is used.
const ROUND_TIMEOUT: StdDuration = StdDuration::from_secs(20);

/// The app as the demo shows it at `at`, every event applied and figures derived.
pub fn demo_app(config: &Config, seed: u64, at: Ts) -> App {
    let world = DemoWorld::new(seed, at - SNAPSHOT_LEAD);
    let mut app = new_app(config, true, at);
    // In demo time, as the live demo registers it.
    app.register_source(
        crate::sources::demo::SOURCE_ID,
        crate::sources::demo::UPDATE_INTERVAL * crate::sources::demo::SPEED,
    );
    app.update(Event::Source(SourceEvent {
        source: crate::sources::demo::SOURCE_ID.to_string(),
        kind: SourceEventKind::Fetched {
            at,
            data: world.data_at(at),
            warnings: Vec::new(),
        },
    }));
    app.refresh_derived();
    app
}

/// The app after the cache is loaded and every configured source answered once (or
/// failed, or ran out of time — its status then says so), as of `at`: the sources are
/// asked about that instant, so a report of a past instant gets the error ratios and
/// series of then, not of today.
pub fn live_app(config: &Config, at: Ts) -> color_eyre::Result<App> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut app = new_app(config, false, at);
    rt.block_on(async {
        if config.cache.enabled {
            if let Some(path) = config.cache.path.clone().or_else(store::default_path) {
                match store::load_cached(path.clone()).await {
                    Ok(loaded) => {
                        if let Some(recovered) = &loaded.recovered {
                            app.update(store::replaced_event(recovered));
                        }
                        for (source, cached_at, mut data) in loaded.sources {
                            // Ratios are a snapshot as of when they were cached: for
                            // an instant before that they are the wrong ones, and a
                            // source that cannot answer about `at` leaves them null.
                            if cached_at > at + CACHED_RATIOS_SLACK {
                                data.retain(|d| !matches!(d, SourceData::Ratios { .. }));
                            }
                            let kind = SourceEventKind::Cached {
                                at: cached_at,
                                data,
                            };
                            app.update(Event::Source(SourceEvent { source, kind }));
                        }
                    }
                    // Shown as the `cache` source's error, not swallowed.
                    Err(e) => {
                        app.update(store::failure_event(store::load_failure(&path, &e)));
                    }
                }
            }
        }
        let (tx, mut rx) = mpsc::channel(EVENT_CHANNEL_CAPACITY);
        let (stop, shutdown) = watch::channel(false);
        app.register_services(config.services.iter().map(|s| s.name.clone()));
        let handles = registry::spawn_configured(config, tx, shutdown, Some(at));
        for h in &handles {
            app.register_source(&h.id, h.interval);
        }
        let mut waiting: Vec<String> = handles.iter().map(|h| h.id.clone()).collect();
        let mut progressed = false;
        let deadline = tokio::time::Instant::now() + ROUND_TIMEOUT;
        while !waiting.is_empty() {
            let Ok(Some(ev)) = tokio::time::timeout_at(deadline, rx.recv()).await else {
                break;
            };
            if let Event::Source(SourceEvent { source, kind }) = &ev {
                if let SourceEventKind::Progress { records, pages, .. } = kind {
                    progressed |= progress_line(source, *records, *pages);
                }
                if matches!(
                    kind,
                    SourceEventKind::Fetched { .. } | SourceEventKind::Failed { .. }
                ) {
                    waiting.retain(|id| id != source);
                }
            }
            app.update(ev);
        }
        end_progress_line(progressed);
        let _ = stop.send(true);
        for h in &handles {
            h.task.abort();
        }
    });
    app.update(Event::Tick(at));
    app.refresh_derived();
    Ok(app)
}

/// A long first sync says how far it got, on stderr when a person watches it (a
/// log or a pipe gets no progress lines); each line replaces the last.
pub fn progress_line(source: &str, records: u64, pages: u64) -> bool {
    use std::io::{IsTerminal, Write};
    let mut err = std::io::stderr();
    if err.is_terminal() {
        let line = crate::sources::progress::line(source, records, pages);
        let _ = write!(err, "\r{}\x1b[K", crate::model::outside::printable(&line));
        let _ = err.flush();
        return true;
    }
    false
}

/// Ends a progress line, if one was written, so later lines start on their own.
pub fn end_progress_line(written: bool) {
    if written {
        eprintln!();
    }
}

fn new_app(config: &Config, demo: bool, now: Ts) -> App {
    let view = View {
        tz: config.general.tz(),
        demo,
    };
    let mut app = App::new(view, config::metrics_settings(config), now);
    app.model.tags = crate::config::service_tags(config);
    app.model.env_aliases = config.environments.aliases.clone();
    app
}
