//! Local cache in SQLite (DESIGN §6): deployments, incidents, series aggregates,
//! ratios, annotations and a watermark per source, so the cockpit draws the last known
//! state at once on start (marked stale) while the sources refresh.
//!
//! Disk I/O never runs on the UI loop: the runtime loads through [`load_cached`] (a
//! blocking task) and saves through [`spawn_cache_writer`] (its own thread).
//!
//! The cache is best-effort but never silent: a load, open, save or purge that fails
//! (a file from a newer flightdeck, a full disk) is reported as a failure of the
//! [`CACHE_SOURCE_ID`] source, which the header and the sources view show like any
//! other source's error. It never loses itself: any number of instances may open one
//! file at once (the open lock, migrations in one locked transaction), and a file that
//! cannot be read is moved aside, under a name the `cache` source's warning states,
//! for a fresh one the sources refill.

mod codec;
#[doc(hidden)]
pub mod fixture;
mod lock;
mod open;
mod recover;
pub mod review;
mod schema;
pub mod sender_lock;
mod unchanged;
mod writer;

use std::path::{Path, PathBuf};

use chrono::{Duration, Utc};
use rusqlite::{Connection, OpenFlags};

use crate::event::{Event, SourceData, SourceError, SourceErrorKind, SourceEvent, SourceEventKind};
use crate::model::{SeriesKind, Ts};

pub use recover::Recovered;
pub use writer::spawn_cache_writer;

/// What the cache holds for one source: its id, when it was last fetched, its data.
pub type CachedSource = (String, Ts, Vec<SourceData>);

/// How far back series points are loaded at start (the charts show the last hours).
pub const SERIES_LOAD_SPAN: Duration = Duration::hours(24);

/// Series are kept as 5-minute means: enough for the charts, small enough that 90
/// days of 20 services load in a blink.
pub const BUCKET_SECONDS: i64 = 300;

/// Daily aggregates of the series outlive the raw retention (DESIGN §6: aggregates are
/// kept at least two years); the 5-minute points follow `[cache] retention_days`.
pub const AGGREGATE_RETENTION: Duration = Duration::days(730);

/// The id under which cache problems appear among the sources (header, sources view).
pub const CACHE_SOURCE_ID: &str = "cache";

/// One day of one series: the mean, min and max of its 5-minute means.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyAggregate {
    /// Midnight UTC starting the day.
    pub day: Ts,
    pub mean: f64,
    pub min: f64,
    pub max: f64,
    /// How many 5-minute buckets the day had (288 when complete).
    pub buckets: u32,
}

/// What `flightdeck doctor` reports about a cache file without changing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheState {
    /// No file yet: it is created at the first start.
    Missing,
    /// A file this flightdeck reads; `version` below the current one is migrated at
    /// the next start.
    Readable {
        version: u32,
        current: u32,
        /// Each cached source and when it was last fetched.
        sources: Vec<(String, Ts)>,
    },
}

#[derive(Debug)]
pub enum StoreError {
    Sqlite(rusqlite::Error),
    Io(std::io::Error),
    /// The file was written by a newer flightdeck with a schema we do not know.
    Newer {
        found: u32,
        supported: u32,
    },
    Json(serde_json::Error),
    /// A migration failed on a file that claims the version before it: not our file,
    /// or not one we can read.
    Schema {
        migration: u32,
        error: rusqlite::Error,
    },
    /// An unreadable cache could not be moved aside.
    MoveAside {
        from: PathBuf,
        to: PathBuf,
        error: std::io::Error,
    },
}

impl StoreError {
    /// Why the file cannot be read as a cache at all (so that moving it aside and
    /// starting afresh loses nothing readable), or `None` for errors a fresh file
    /// would not cure: busy, full disk, permissions, a newer schema.
    pub fn unreadable(&self) -> Option<String> {
        use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
        match self {
            StoreError::Sqlite(e) => {
                matches!(e.sqlite_error_code(), Some(NotADatabase | DatabaseCorrupt))
                    .then(|| e.to_string())
            }
            StoreError::Schema { .. } => Some(self.to_string()),
            _ => None,
        }
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Sqlite(e) => write!(f, "SQLite: {e}"),
            StoreError::Io(e) => write!(f, "cannot create the cache directory: {e}"),
            StoreError::Schema { migration, error } => {
                // SQLite's message without the whole migration script it quotes.
                let why = match error {
                    rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
                    other => other.to_string(),
                };
                write!(
                    f,
                    "its tables do not match its schema version (migration {migration}: {why})"
                )
            }
            StoreError::MoveAside { from, to, error } => write!(
                f,
                "it cannot be read and could not be moved from {} to {}: {error}",
                from.display(),
                to.display()
            ),
            StoreError::Newer { found, supported } => write!(
                f,
                "the cache has schema version {found}, this flightdeck knows up to {supported}; \
                 upgrade flightdeck or set [cache] path to another file"
            ),
            StoreError::Json(e) => write!(f, "a cached record could not be encoded: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Json(e)
    }
}

/// The cache file the config asks for: `[cache] path`, else the default one; `None`
/// when `[cache] enabled = false`.
pub fn configured_path(cache: &crate::config::CacheConfig) -> Option<PathBuf> {
    if !cache.enabled {
        return None;
    }
    cache.path.clone().or_else(default_path)
}

/// The cache file in the platform data directory (`~/.local/share/flightdeck/cache.sqlite3`).
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "flightdeck").map(|d| d.data_dir().join("cache.sqlite3"))
}

pub struct Cache {
    conn: Connection,
    path: PathBuf,
    file: Option<open::FileId>,
    recovered: Option<Recovered>,
}

impl Cache {
    /// Opens (creating when missing) and migrates the cache at `path`. A file that
    /// cannot be read (not a database, corrupt, tables that contradict its version) is
    /// moved aside and a fresh cache opened: see [`Cache::recovered`]. Any number of
    /// processes may open one path at once; the schema is built once.
    pub fn open(path: &Path) -> Result<Cache, StoreError> {
        Self::open_at_version(path, schema::CURRENT)
    }

    /// Opens and migrates only up to `version` (to test migrations from old files).
    #[doc(hidden)]
    pub fn open_at_version(path: &Path, version: u32) -> Result<Cache, StoreError> {
        Ok(Self::from_opened(path, open::open(path, version)?))
    }

    fn from_opened(path: &Path, opened: open::Opened) -> Cache {
        Cache {
            conn: opened.conn,
            path: path.to_path_buf(),
            file: opened.file,
            recovered: opened.recovered,
        }
    }

    /// The unreadable file this open moved aside, if it did.
    pub fn recovered(&self) -> Option<&Recovered> {
        self.recovered.as_ref()
    }

    /// Moves this cache's file aside as unreadable (a corrupt page found after the
    /// open) and opens a fresh one, unless another instance already did.
    pub fn replace_unreadable(&mut self, reason: String) -> Result<(), StoreError> {
        // No connection may stay on the file while it moves; until the fresh one is
        // open, an empty in-memory database stands in (its saves fail, reported).
        drop(std::mem::replace(
            &mut self.conn,
            Connection::open_in_memory()?,
        ));
        let path = self.path.clone();
        *self = Self::from_opened(&path, open::reopen_replacing(&path, self.file, reason)?);
        Ok(())
    }

    /// Follows the path when another instance moved the file aside: what this one
    /// saves must land in the cache everyone reads, not in the moved-aside file.
    pub fn reopen_if_moved(&mut self) -> Result<(), StoreError> {
        if open::file_id(&self.path) != self.file {
            let path = self.path.clone();
            *self = Self::from_opened(&path, open::open(&path, schema::CURRENT)?);
        }
        Ok(())
    }

    pub fn schema_version(&self) -> Result<u32, StoreError> {
        schema::version(&self.conn)
    }

    /// Looks at the cache at `path` without creating, migrating or writing it.
    pub fn inspect(path: &Path) -> Result<CacheState, StoreError> {
        if !path.exists() {
            return Ok(CacheState::Missing);
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let version = schema::version(&conn)?;
        if version > schema::CURRENT {
            return Err(StoreError::Newer {
                found: version,
                supported: schema::CURRENT,
            });
        }
        let sources = if version == 0 {
            Vec::new()
        } else {
            let mut stmt = conn.prepare("SELECT source, at FROM watermarks ORDER BY source")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            rows.map(|r| {
                r.map(|(s, at)| {
                    (
                        s,
                        chrono::DateTime::from_timestamp(at, 0).unwrap_or_default(),
                    )
                })
            })
            .collect::<Result<_, _>>()?
        };
        Ok(CacheState::Readable {
            version,
            current: schema::CURRENT,
            sources,
        })
    }

    /// Stores what `source` fetched at `at`, in one transaction.
    pub fn save(&mut self, source: &str, at: Ts, data: &[SourceData]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        codec::save(&tx, source, at, data)?;
        tx.commit()?;
        Ok(())
    }

    /// Everything cached, per source, as of each source's last fetch. Series reach
    /// back [`SERIES_LOAD_SPAN`] from that fetch.
    pub fn load(&self) -> Result<Vec<CachedSource>, StoreError> {
        codec::load(&self.conn)
    }

    /// Deletes raw records older than `retention` before `now`, and daily aggregates
    /// older than [`AGGREGATE_RETENTION`] (or `retention`, when that is longer);
    /// returns how many rows went.
    pub fn purge(&mut self, now: Ts, retention: Duration) -> Result<usize, StoreError> {
        let cutoff = (now - retention).timestamp();
        let aggregates_cutoff = (now - retention.max(AGGREGATE_RETENTION)).timestamp();
        let tx = self.conn.transaction()?;
        let mut removed = 0;
        for sql in [
            "DELETE FROM deployments WHERE at < ?1",
            "DELETE FROM incidents WHERE at < ?1",
            "DELETE FROM series_points WHERE bucket < ?1",
            "DELETE FROM annotations WHERE at < ?1",
            // Watermarks (no `at`) stay; the state of purged deployments goes.
            "DELETE FROM sync_state WHERE at < ?1",
        ] {
            removed += tx.execute(sql, [cutoff])?;
        }
        removed += tx.execute(
            "DELETE FROM series_daily WHERE day < ?1",
            [aggregates_cutoff],
        )?;
        tx.commit()?;
        Ok(removed)
    }

    /// What `source` saved of its sync state (key, json), for it to resume from.
    pub fn sync_state(&self, source: &str) -> Result<Vec<(String, String)>, StoreError> {
        codec::sync_state(&self.conn, source)
    }

    /// The daily aggregates of one series, oldest first.
    pub fn daily(
        &self,
        source: &str,
        service: &str,
        kind: SeriesKind,
    ) -> Result<Vec<DailyAggregate>, StoreError> {
        codec::daily(&self.conn, source, service, kind)
    }
}

/// What a load found: each source's data, and the unreadable file moved aside on the
/// way, if any (for the `cache` source to say so).
#[derive(Debug, Default)]
pub struct Loaded {
    pub sources: Vec<CachedSource>,
    pub recovered: Option<Recovered>,
}

/// Loads the cache at `path` on a blocking thread; an absent file is an empty cache.
/// A file found unreadable while loading is moved aside and the load is empty.
pub async fn load_cached(path: PathBuf) -> Result<Loaded, StoreError> {
    tokio::task::spawn_blocking(move || {
        if !path.exists() {
            return Ok(Loaded::default());
        }
        let mut cache = Cache::open(&path)?;
        let sources = match cache.load() {
            Ok(sources) => sources,
            Err(e) => match e.unreadable() {
                Some(reason) => {
                    cache.replace_unreadable(reason)?;
                    Vec::new()
                }
                None => return Err(e),
            },
        };
        Ok(Loaded {
            sources,
            recovered: cache.recovered,
        })
    })
    .await
    .unwrap_or_else(|_| Ok(Loaded::default()))
}

/// A source's saved sync state, read off the caller's thread without creating,
/// migrating or writing the file (the writer thread owns that). No file, or one from
/// before the sync state existed, is an empty state: the source starts from scratch.
pub async fn load_sync_state(
    path: PathBuf,
    source: String,
) -> Result<Vec<(String, String)>, StoreError> {
    tokio::task::spawn_blocking(move || {
        if !path.exists() {
            return Ok(Vec::new());
        }
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let has_table: bool = conn.query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'sync_state'",
            [],
            |r| r.get(0),
        )?;
        if !has_table {
            return Ok(Vec::new());
        }
        codec::sync_state(&conn, &source)
    })
    .await
    .unwrap_or_else(|_| Ok(Vec::new()))
}

/// The event that shows a cache problem as a failure of the [`CACHE_SOURCE_ID`] source.
pub fn failure_event(message: String) -> Event {
    Event::Source(SourceEvent {
        source: CACHE_SOURCE_ID.to_string(),
        kind: SourceEventKind::Failed {
            at: Utc::now(),
            error: SourceError {
                kind: SourceErrorKind::Storage,
                message: message.into(),
            },
            retry_after: None,
        },
    })
}

/// The event that says the cache works again after a failure.
pub fn recovered_event() -> Event {
    Event::Source(SourceEvent {
        source: CACHE_SOURCE_ID.to_string(),
        kind: SourceEventKind::Fetched {
            at: Utc::now(),
            data: Vec::new(),
            warnings: Vec::new(),
        },
    })
}

/// The event that says an unreadable cache file was replaced: the cache works (a
/// fetch, so not an error), with a warning that names where the old file went.
pub fn replaced_event(recovered: &Recovered) -> Event {
    Event::Source(SourceEvent {
        source: CACHE_SOURCE_ID.to_string(),
        kind: SourceEventKind::Fetched {
            at: Utc::now(),
            data: Vec::new(),
            warnings: vec![recovered.to_string().into()],
        },
    })
}

/// Why the cache at `path` could not be read, for the `cache` source's error.
pub fn load_failure(path: &Path, e: &StoreError) -> String {
    format!(
        "cannot read the cache {}: {e}; starting without it",
        path.display()
    )
}

/// Loads the cache at `path` off the caller's thread and sends each source's data to
/// the app as a [`SourceEventKind::Cached`] event; returns how many sources were sent.
/// A file that cannot be read is moved aside, which the `cache` source's warning
/// says (naming where it went); a cache that cannot be opened (from a newer
/// flightdeck, a full disk) is reported to the app as a failure of the `cache`
/// source, and returned. The runtime spawns this
/// at start, beside the pollers, so the first frame never waits for it.
pub async fn send_cached(
    path: PathBuf,
    events: crate::sources::EventTx,
) -> Result<usize, StoreError> {
    send_cached_of(path, events, None).await
}

/// [`send_cached`], restoring only the sources named in `only` (the registry's ids):
/// what a source that is no longer configured left in the cache is kept, not drawn.
pub async fn send_cached_of(
    path: PathBuf,
    events: crate::sources::EventTx,
    only: Option<Vec<String>>,
) -> Result<usize, StoreError> {
    let cached = match load_cached(path.clone()).await {
        Ok(loaded) => {
            if let Some(recovered) = &loaded.recovered {
                let _ = events.send(replaced_event(recovered)).await;
            }
            loaded.sources
        }
        Err(e) => {
            let _ = events.send(failure_event(load_failure(&path, &e))).await;
            return Err(e);
        }
    };
    let mut sent = 0;
    for (source, at, data) in cached {
        if only.as_ref().is_some_and(|ids| !ids.contains(&source)) {
            continue;
        }
        let event = Event::Source(SourceEvent {
            source,
            kind: SourceEventKind::Cached { at, data },
        });
        if events.send(event).await.is_err() {
            break;
        }
        sent += 1;
    }
    Ok(sent)
}

#[cfg(test)]
mod tests;
