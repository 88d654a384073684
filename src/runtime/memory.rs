//! Giving freed memory back to the system. The allocator keeps what a burst freed (the
//! demo's world built at start, a cache load, a derive's scratch) for reuse, and a
//! terminal program that idles for days should not hold its start-up peak: every
//! [`TRIM_EVERY`] the free pages inside the heap are returned. Between two trims the
//! heap regrows only to what a poll and a derive use.
//!
//! The same goes for the program's own code. Start-up runs code that never runs again
//! (the command line, the config, the demo's world, the cache's migrations), and the
//! kernel maps code in whole windows around each page that runs: 64 KiB, and on kernels
//! that map a file's large folios whole, up to hundreds of KiB. On Linux 6.18 the demo
//! held 1.6 MB of such code outside the hot layout (`link/hot-text.ld`) after start. A
//! trim also unmaps the program's code; what keeps running is mapped again from the
//! page cache on its next use (a minor fault per window, no disk read while the file
//! stays cached).

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
    if let Some(code) = own_code() {
        code.unmap();
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}

/// The program's own machine code as mapped: its executable load segment, shrunk to
/// whole pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnCode {
    pub start: usize,
    pub len: usize,
}

impl OwnCode {
    /// Whether `addr` lies in this code.
    #[cfg(test)]
    pub fn contains(&self, addr: usize) -> bool {
        (self.start..self.start + self.len).contains(&addr)
    }

    /// Drops this process's mappings of the code's pages. The code is a private,
    /// read-only and executable mapping of the program file that nothing writes (Rust
    /// and LLD emit no text relocations), so the next use maps the same bytes again
    /// from the page cache; nothing is lost, and the pages stay in the page cache.
    #[cfg(target_os = "linux")]
    pub fn unmap(&self) {
        // SAFETY: the range is whole pages of the executable's own read-only code
        // segment (found by `own_code`); MADV_DONTNEED on a file-backed private mapping
        // that holds no private copies only discards page-table entries.
        unsafe {
            libc::madvise(
                self.start as *mut libc::c_void,
                self.len,
                libc::MADV_DONTNEED,
            );
        }
    }
}

/// Finds the executable's code segment through the dynamic loader's program headers
/// (memory only, no file read). `None` where there is none to find or it holds no whole
/// page.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn own_code() -> Option<OwnCode> {
    use std::sync::OnceLock;
    static CODE: OnceLock<Option<OwnCode>> = OnceLock::new();
    *CODE.get_or_init(|| {
        unsafe extern "C" fn first_object(
            info: *mut libc::dl_phdr_info,
            _size: libc::size_t,
            data: *mut libc::c_void,
        ) -> libc::c_int {
            // SAFETY: the loader passes a valid info for the call's duration, and `data`
            // is the `Option<(usize, usize)>` handed to dl_iterate_phdr below.
            let (info, out) = unsafe { (&*info, &mut *data.cast::<Option<(usize, usize)>>()) };
            if !info.dlpi_phdr.is_null() {
                // SAFETY: dlpi_phdr points at dlpi_phnum program headers.
                let headers =
                    unsafe { std::slice::from_raw_parts(info.dlpi_phdr, info.dlpi_phnum.into()) };
                let code = headers.iter().find(|h| {
                    h.p_type == libc::PT_LOAD
                        && h.p_flags & libc::PF_X != 0
                        && h.p_flags & libc::PF_W == 0
                });
                *out = code.map(|h| {
                    (
                        info.dlpi_addr as usize + h.p_vaddr as usize,
                        h.p_memsz as usize,
                    )
                });
            }
            // The first object is the program itself: stop there.
            1
        }
        let mut found: Option<(usize, usize)> = None;
        // SAFETY: the callback only reads the headers and writes `found`.
        unsafe {
            libc::dl_iterate_phdr(Some(first_object), (&raw mut found).cast());
        }
        let (start, len) = found?;
        // SAFETY: sysconf has no preconditions.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).ok()?;
        let first = start.div_ceil(page) * page;
        let end = (start + len) / page * page;
        (end > first).then(|| OwnCode {
            start: first,
            len: end - first,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn the_own_code_is_this_programs_and_runs_again_after_its_pages_are_unmapped() {
        let code = own_code().expect("a code segment");
        let here = the_own_code_is_this_programs_and_runs_again_after_its_pages_are_unmapped
            as fn() as usize;
        assert!(code.contains(here), "{code:?} holds this test at {here:#x}");
        assert!(code.len >= 4096 && code.start % 4096 == 0);
        let before = mapped_pages(code);
        code.unmap();
        let after = mapped_pages(code);
        // Only what ran between the unmap and the count (the count's own code, other
        // tests' threads) is mapped again.
        assert!(
            after < before,
            "{after} pages of the code mapped after the unmap, {before} before"
        );
        // Code that ran before the unmap runs again: its pages come back on use.
        let ranges = own_code().expect("found again");
        assert_eq!(ranges, code);
        assert_eq!(format!("{}", 6 * 7), "42");
    }

    /// How many pages of `code` this process maps now (the present bit, bit 63, of each
    /// page's entry in /proc/self/pagemap).
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn mapped_pages(code: OwnCode) -> usize {
        use std::io::{Read, Seek, SeekFrom};
        let mut map = std::fs::File::open("/proc/self/pagemap").expect("pagemap");
        let pages = code.len / 4096;
        let mut entries = vec![0u8; pages * 8];
        map.seek(SeekFrom::Start((code.start / 4096 * 8) as u64))
            .expect("seek");
        map.read_exact(&mut entries).expect("read");
        entries
            .chunks_exact(8)
            .filter(|e| u64::from_le_bytes((*e).try_into().expect("8 bytes")) >> 63 == 1)
            .count()
    }
}
