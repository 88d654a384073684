//! One sender per outbox. The outbox's exactly-once rule holds for one worker: two
//! processes draining the same cache file (a cockpit left open and a `review sync`
//! from cron, or two cockpits) could both create the same pending item. So whoever
//! sends holds an exclusive `flock(2)` on a sidecar file (`cache.sqlite3.sender`) for
//! as long as it may send; the kernel drops it when the process dies, SIGKILL
//! included, so a killed sender never blocks the next one.
//!
//! Others still queue items in the file (SQLite serialises the writes); the holder
//! sends what it finds queued, now or at its next start.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

/// Held while it lives; dropping it releases the lock.
#[derive(Debug)]
pub struct SenderLock {
    _file: Option<File>,
}

/// Why this process may not send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Busy {
    /// The holder's process id, as it wrote it (absent if it could not).
    pub pid: Option<u32>,
}

impl std::fmt::Display for Busy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.pid {
            Some(pid) => write!(f, "another flightdeck (pid {pid}) is sending this outbox"),
            None => write!(f, "another flightdeck is sending this outbox"),
        }
    }
}

fn sender_path(cache: &Path) -> PathBuf {
    let mut name = cache.as_os_str().to_owned();
    name.push(".sender");
    PathBuf::from(name)
}

/// Takes the sender lock of the cache at `cache` without waiting. Where the file
/// system cannot lock (some network mounts) the caller proceeds unguarded, as the
/// cache's open lock does.
pub fn try_acquire(cache: &Path) -> Result<SenderLock, Busy> {
    let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(sender_path(cache))
    else {
        return Ok(SenderLock { _file: None });
    };
    loop {
        // SAFETY: flock(2) on a descriptor this function owns; it touches no memory.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
            // Who holds it, for the message the next one shows; best effort.
            let _ = file
                .set_len(0)
                .and_then(|()| file.rewind())
                .and_then(|()| write!(file, "{}", std::process::id()));
            return Ok(SenderLock { _file: Some(file) });
        }
        match std::io::Error::last_os_error().kind() {
            std::io::ErrorKind::Interrupted => continue,
            std::io::ErrorKind::WouldBlock => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                return Err(Busy {
                    pid: text.trim().parse().ok(),
                });
            }
            _ => return Ok(SenderLock { _file: None }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sender_at_a_time_and_the_next_after_it_lets_go() {
        let dir = std::env::temp_dir().join(format!("fd-sender-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let cache = dir.join("cache.sqlite3");
        let first = try_acquire(&cache).expect("the first sender");
        // flock is per open file description: a second open in this process is refused
        // as another process would be.
        let busy = try_acquire(&cache).expect_err("a second sender must wait its turn");
        assert_eq!(busy.pid, Some(std::process::id()));
        assert!(
            busy.to_string().contains("is sending this outbox"),
            "{busy}"
        );
        drop(first);
        assert!(try_acquire(&cache).is_ok(), "free once the first let go");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
