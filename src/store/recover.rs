//! What happens to a cache file that cannot be read: it is moved aside, never deleted
//! (it may matter to someone), under a name the message states, and a fresh cache takes
//! its place; the sources refill it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use chrono::Utc;

use super::StoreError;

/// A cache file that could not be read and was replaced by a fresh one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// Where the cache is (now a fresh file).
    pub path: PathBuf,
    /// Where the unreadable file went.
    pub moved_to: PathBuf,
    /// Why it could not be read, as SQLite put it.
    pub reason: String,
}

impl std::fmt::Display for Recovered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} could not be read ({}); it was moved to {} and a fresh cache started, \
             which the sources refill",
            self.path.display(),
            self.reason,
            self.moved_to.display()
        )
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

/// Renames the cache at `path` to `<path>.corrupt-<UTC time>` (with `-2`, `-3`… when
/// that name is taken), with its `-wal` and `-shm` files beside it: a stale log left
/// next to the fresh file would be replayed into it. Returns the new name. The caller
/// holds the open lock and no connection to the file.
pub(super) fn move_aside(path: &Path) -> Result<PathBuf, StoreError> {
    let stem = with_suffix(
        path,
        &format!(".corrupt-{}", Utc::now().format("%Y%m%dT%H%M%SZ")),
    );
    let target = std::iter::once(stem.clone())
        .chain((2..).map(|n| with_suffix(&stem, &format!("-{n}"))))
        .find(|candidate| !candidate.exists())
        .unwrap_or(stem);
    let moved = |from: &Path, to: &Path| {
        std::fs::rename(from, to).map_err(|error| StoreError::MoveAside {
            from: from.to_path_buf(),
            to: to.to_path_buf(),
            error,
        })
    };
    moved(path, &target)?;
    for suffix in ["-wal", "-shm"] {
        let from = with_suffix(path, suffix);
        if from.exists() {
            moved(&from, &with_suffix(&target, suffix))?;
        }
    }
    Ok(target)
}
