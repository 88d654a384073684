//! Opening the cache: one opener at a time (the open lock), nothing written before the
//! file is known to be ours, migrations in one locked transaction, and a file that
//! cannot be read moved aside for a fresh one.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use super::lock::OpenLock;
use super::recover::{move_aside, Recovered};
use super::{schema, StoreError};

/// How long a statement waits for another instance's write before failing.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Which file a connection was opened on: after another instance moved that file
/// aside, the path names a different one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FileId {
    dev: u64,
    ino: u64,
}

pub(super) fn file_id(path: &Path) -> Option<FileId> {
    std::fs::metadata(path).ok().map(|m| FileId {
        dev: m.dev(),
        ino: m.ino(),
    })
}

pub(super) struct Opened {
    pub conn: Connection,
    pub file: Option<FileId>,
    pub recovered: Option<Recovered>,
}

/// Opens (creating when missing) and migrates the cache at `path` up to `version`;
/// a file that cannot be read is moved aside and a fresh one opened.
pub(super) fn open(path: &Path, version: u32) -> Result<Opened, StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(StoreError::Io)?;
    }
    let _lock = OpenLock::acquire(path);
    match connect(path, version) {
        Ok(conn) => Ok(Opened {
            conn,
            file: file_id(path),
            recovered: None,
        }),
        Err(e) => match e.unreadable() {
            Some(reason) => replace(path, reason, version),
            None => Err(e),
        },
    }
}

/// Replaces the file at `path` when it is still `file`, the one found unreadable;
/// when another opener replaced it meanwhile, opens that one instead.
pub(super) fn reopen_replacing(
    path: &Path,
    file: Option<FileId>,
    reason: String,
) -> Result<Opened, StoreError> {
    let _lock = OpenLock::acquire(path);
    if file.is_some() && file_id(path) == file {
        return replace(path, reason, schema::CURRENT);
    }
    Ok(Opened {
        conn: connect(path, schema::CURRENT)?,
        file: file_id(path),
        recovered: None,
    })
}

/// Moves the unreadable file aside and opens a fresh one; the caller holds the lock.
fn replace(path: &Path, reason: String, version: u32) -> Result<Opened, StoreError> {
    let moved_to = move_aside(path)?;
    let conn = connect(path, version)?;
    Ok(Opened {
        conn,
        file: file_id(path),
        recovered: Some(Recovered {
            path: path.to_path_buf(),
            moved_to,
            reason,
        }),
    })
}

fn connect(path: &Path, version: u32) -> Result<Connection, StoreError> {
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Nothing is written before the file is known to be ours: a file from a newer
    // flightdeck, or one that is not a cache, is moved aside or refused exactly as it
    // was (switching it to WAL would rewrite its header). Reading the version is also
    // what tells a file that is not a database.
    schema::refuse_newer(schema::version(&conn)?)?;
    schema::migrate_to(&mut conn, version)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // A cache may lose its last write in a power cut; it must never be corrupt.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(conn)
}
