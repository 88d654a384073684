//! The open lock: one opener at a time decides what the cache file is (fresh, to
//! migrate, unreadable and to move aside), across threads and processes.
//!
//! SQLite's own locks cannot cover this: they live inside the file, and the step that
//! needs guarding is the one that replaces the file. So the lock is a sidecar file
//! (`cache.sqlite3.lock`) held with `flock(2)`, which is per open file description
//! (two openers in one process exclude each other too) and is released by the kernel
//! when a process dies. A separate file is also required because closing any
//! descriptor of the database file itself would drop SQLite's POSIX locks on it.

use std::fs::File;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

/// Held while it lives; dropping it closes the descriptor, which releases the lock.
pub(super) struct OpenLock {
    _file: File,
}

/// The sidecar lock file of the cache at `path`.
pub(super) fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

impl OpenLock {
    /// Waits for the lock of the cache at `path`. `None` when the file system cannot
    /// lock (some network mounts): the caller proceeds unguarded, and migrations are
    /// still atomic through SQLite's own write lock.
    pub(super) fn acquire(path: &Path) -> Option<OpenLock> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(lock_path(path))
            .ok()?;
        loop {
            // SAFETY: flock(2) on a descriptor this function owns; it touches no memory.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
                return Some(OpenLock { _file: file });
            }
            if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
                return None;
            }
        }
    }
}
