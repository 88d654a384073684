//! The cache writer: a thread of its own that saves what sources fetched, so neither
//! the UI loop nor the async runtime ever waits on the disk.

use std::path::PathBuf;
use std::thread::JoinHandle;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, Utc};
use tokio::sync::mpsc;

use super::unchanged::Unchanged;
use super::{failure_event, recovered_event, replaced_event, Cache, CachedSource, StoreError};
use crate::event::Event;

/// How often old rows are purged while running.
const PURGE_EVERY: StdDuration = StdDuration::from_secs(3_600);

/// Saves every `(source, at, data)` received until the sender is dropped — except a
/// fetch that brought exactly what its source's last saved fetch brought (nothing to
/// write; the source's watermark then stays at the fetch that brought it) — purging
/// rows older than `retention_days` at start and hourly. A failed save is skipped
/// (the cache is best-effort) but never silent: with `events`, the first failure
/// after a success is sent as a failure of the `cache` source and the first success
/// after a failure as its recovery. The first error is also returned when the writer
/// ends.
pub fn spawn_cache_writer(
    path: PathBuf,
    retention_days: u32,
    mut rx: mpsc::Receiver<CachedSource>,
    events: Option<mpsc::Sender<Event>>,
) -> JoinHandle<Result<(), StoreError>> {
    std::thread::spawn(move || {
        // A plain thread: blocking_send is allowed here and never holds up the loop.
        let report = |event: Event| {
            if let Some(tx) = &events {
                let _ = tx.blocking_send(event);
            }
        };
        let mut cache = match Cache::open(&path) {
            Ok(c) => c,
            Err(e) => {
                report(failure_event(format!(
                    "cannot open the cache {} for writing: {e}; what is fetched is not cached this run",
                    path.display()
                )));
                return Err(e);
            }
        };
        if let Some(recovered) = cache.recovered() {
            report(replaced_event(recovered));
        }
        let retention = Duration::days(i64::from(retention_days.max(1)));
        let mut first_error: Option<StoreError> = None;
        let mut failing = false;
        let mut outcome = |result: Result<(), StoreError>, what: &str| match result {
            Ok(()) => {
                if std::mem::take(&mut failing) {
                    report(recovered_event());
                }
            }
            Err(e) => {
                if !failing {
                    report(failure_event(format!("{what}: {e}")));
                    failing = true;
                }
                first_error.get_or_insert(e);
            }
        };
        outcome(
            cache.purge(Utc::now(), retention).map(drop),
            "could not purge old rows from the cache",
        );
        let mut last_purge = Instant::now();
        let mut unchanged = Unchanged::default();
        while let Some((source, at, data)) = rx.blocking_recv() {
            let saved = save(&mut cache, &mut unchanged, &source, at, &data, &report);
            outcome(
                saved,
                &format!("could not save what {source} fetched; the cache may miss it"),
            );
            if last_purge.elapsed() >= PURGE_EVERY {
                outcome(
                    cache.purge(Utc::now(), retention).map(drop),
                    "could not purge old rows from the cache",
                );
                last_purge = Instant::now();
            }
        }
        first_error.map_or(Ok(()), Err)
    })
}

/// Saves one fetch into the file the path names now: after another instance moved
/// an unreadable file aside, or when this save finds it unreadable, the save goes to
/// the fresh cache (and a replacement made here is reported).
fn save(
    cache: &mut Cache,
    unchanged: &mut Unchanged,
    source: &str,
    at: crate::model::Ts,
    data: &[crate::event::SourceData],
    report: &dyn Fn(Event),
) -> Result<(), StoreError> {
    let file = cache.file;
    cache.reopen_if_moved()?;
    if cache.file != file {
        // A fresh file holds none of what was saved before: save everything again.
        *unchanged = Unchanged::default();
    }
    if unchanged.is_unchanged(source, data) {
        return Ok(());
    }
    let saved = save_to_current(cache, unchanged, source, at, data, report);
    match &saved {
        Ok(()) => unchanged.saved(source, data),
        // Whatever is on disk now is unknown: the next fetch is saved whole.
        Err(_) => *unchanged = Unchanged::default(),
    }
    saved
}

fn save_to_current(
    cache: &mut Cache,
    unchanged: &mut Unchanged,
    source: &str,
    at: crate::model::Ts,
    data: &[crate::event::SourceData],
    report: &dyn Fn(Event),
) -> Result<(), StoreError> {
    match cache.save(source, at, data) {
        Err(e) => match e.unreadable() {
            Some(reason) => {
                cache.replace_unreadable(reason)?;
                *unchanged = Unchanged::default();
                if let Some(recovered) = cache.recovered() {
                    report(replaced_event(recovered));
                }
                cache.save(source, at, data)
            }
            None => Err(e),
        },
        ok => ok,
    }
}
