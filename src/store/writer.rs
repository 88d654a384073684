//! The cache writer: a thread of its own that saves what sources fetched, so neither
//! the UI loop nor the async runtime ever waits on the disk.

use std::path::PathBuf;
use std::thread::JoinHandle;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, Utc};
use tokio::sync::mpsc;

use super::{Cache, CachedSource, StoreError};

/// How often old rows are purged while running.
const PURGE_EVERY: StdDuration = StdDuration::from_secs(3_600);

/// Saves every `(source, at, data)` received until the sender is dropped, purging
/// rows older than `retention_days` at start and hourly. A failed save is skipped
/// (the cache is best-effort); the first error is returned when the writer ends.
pub fn spawn_cache_writer(
    path: PathBuf,
    retention_days: u32,
    mut rx: mpsc::Receiver<CachedSource>,
) -> JoinHandle<Result<(), StoreError>> {
    std::thread::spawn(move || {
        let mut cache = Cache::open(&path)?;
        let retention = Duration::days(i64::from(retention_days.max(1)));
        let mut first_error = cache.purge(Utc::now(), retention).err();
        let mut last_purge = Instant::now();
        while let Some((source, at, data)) = rx.blocking_recv() {
            if let Err(e) = cache.save(&source, at, &data) {
                first_error.get_or_insert(e);
            }
            if last_purge.elapsed() >= PURGE_EVERY {
                if let Err(e) = cache.purge(Utc::now(), retention) {
                    first_error.get_or_insert(e);
                }
                last_purge = Instant::now();
            }
        }
        first_error.map_or(Ok(()), Err)
    })
}
