//! A test that cannot run what it exists for says so where a person will see it.
//! cargo counts a test that returns early as passed and hides its output, so the skip
//! is also written to the file scripts/test names in `FLIGHTDECK_SKIP_REPORT`, whose
//! summary lists every skip (and fails under `FLIGHTDECK_FORBID_SKIPS=1`, as in CI).

use std::io::Write;

/// Records that `test` skipped, and why: on stderr (shown with `--nocapture`) and as
/// one line of the skip report when scripts/test asked for one.
pub fn report_skip(test: &str, reason: &str) {
    eprintln!("SKIPPED: {test}: {reason}");
    let Some(path) = std::env::var_os("FLIGHTDECK_SKIP_REPORT") else {
        return;
    };
    // Append mode: test threads and test binaries write their lines side by side.
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| writeln!(f, "{test}: {reason}"));
    if let Err(e) = written {
        // A skip that cannot be reported must not pass as a success.
        panic!("cannot record the skip of {test} in {path:?}: {e}");
    }
}
