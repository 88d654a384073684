//! Giving freed memory back to the system. The allocator keeps what a burst freed (the
//! demo's world built at start, a cache load, a derive's scratch) for reuse, and a
//! terminal program that idles for days should not hold its start-up peak: every
//! [`TRIM_EVERY`] the free pages inside the heap are returned. Between two trims the
//! heap regrows only to what a poll and a derive use.

use std::time::{Duration, Instant};

/// How often free memory is returned (a trim costs a walk of the free lists and, when
/// pages come back, one page fault each on their next use).
pub const TRIM_EVERY: Duration = Duration::from_secs(20);

/// When the last trim ran.
pub struct Trimmer {
    last: Instant,
}

impl Trimmer {
    /// The first trim comes a few seconds after start, once the start-up work is done.
    pub fn new() -> Self {
        let first_in = Duration::from_secs(3);
        Trimmer {
            last: Instant::now()
                .checked_sub(TRIM_EVERY.saturating_sub(first_in))
                .unwrap_or_else(Instant::now),
        }
    }

    /// Trims when [`TRIM_EVERY`] has passed since the last trim.
    pub fn maybe_trim(&mut self) {
        if self.last.elapsed() >= TRIM_EVERY {
            self.last = Instant::now();
            trim();
        }
    }
}

impl Default for Trimmer {
    fn default() -> Self {
        Self::new()
    }
}

/// Blocks this large or larger get their own mapping (see [`tune_allocator`]).
pub const OWN_MAPPING_FROM: usize = 64 * 1024;

/// Allocator settings for a long-running program whose live data is small: one arena
/// (the input and cache threads allocate little, and each extra arena holds free
/// pages of its own), and blocks of [`OWN_MAPPING_FROM`] or more in their own
/// mappings, which go back to the system the moment they are dropped. By default glibc
/// raises that threshold each time a large block is freed, so a derive's or a fetch's
/// big buffers land in the heap and leave it fragmented: the demo's heap grew to
/// 14 MB of which about 6 MB was live. Call before any thread starts.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn tune_allocator() {
    // SAFETY: mallopt only changes glibc's allocator parameters; it is called before
    // the runtime's other threads exist.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_MMAP_THRESHOLD, OWN_MAPPING_FROM as libc::c_int);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune_allocator() {}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: malloc_trim only returns free pages of glibc's own heap to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}
