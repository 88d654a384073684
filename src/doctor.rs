//! `flightdeck doctor`: checks the config and reaches every configured source,
//! printing what works and, for what does not, why and what to do about it.

use std::io::Write;

use crate::config::{Config, ConfigSource};
use crate::event::{SourceError, SourceErrorKind};
use crate::model::outside::OutsideText;
use crate::net::secret::credential_warning;
use crate::sources::check::{Check, Outcome};
use crate::sources::registry::Registry;
use crate::store::{default_path, Cache, CacheState};

/// What to do about an error of each kind.
fn advice(kind: SourceErrorKind) -> &'static str {
    match kind {
        SourceErrorKind::Auth => {
            "check auth, token_env or token_cmd, and that the token is valid for this server"
        }
        SourceErrorKind::Network => {
            "check that the server runs at url and that no proxy or firewall is in the way"
        }
        SourceErrorKind::Timeout => {
            "raise the timeout named above (connect_timeout_seconds, read_timeout_seconds or \
             timeout_seconds under [prometheus]), or check the server's load"
        }
        SourceErrorKind::RateLimited => {
            "poll less often (refresh_seconds) or ask for a higher limit"
        }
        SourceErrorKind::Server => "the server is failing; look at its logs, then try again",
        SourceErrorKind::BadResponse => "check url and path_prefix (Mimir: \"/prometheus\")",
        SourceErrorKind::Query => "fix the PromQL; try it in the server's query page first",
        SourceErrorKind::Config => "fix the setting named above",
        SourceErrorKind::Storage => {
            "flightdeck runs without the cache meanwhile; fix or move the file, or set [cache] path"
        }
    }
}

struct Report<'a> {
    out: &'a mut dyn Write,
    problems: usize,
}

/// Longest line `doctor` prints (a server's text inside it is bounded tighter).
const DOCTOR_LINE_CHARS: usize = 1_000;

impl Report<'_> {
    /// Every line doctor prints passes here: redacted, sanitized, bounded.
    fn line(&mut self, text: &str) {
        let _ = writeln!(
            self.out,
            "{}",
            OutsideText::with_limit(text, DOCTOR_LINE_CHARS)
        );
    }
    fn ok(&mut self, what: &str, detail: &str) {
        self.line(&format!("  ok    {what}: {detail}"));
    }
    fn warn(&mut self, what: &str, detail: &str) {
        self.line(&format!("  warn  {what}: {detail}"));
    }
    fn check(&mut self, check: &Check) {
        match &check.outcome {
            Outcome::Ok(detail) => self.ok(&check.what, detail),
            Outcome::Warn(detail) => self.warn(&check.what, detail),
            Outcome::Fail(error) => self.fail(&check.what, error),
            Outcome::Note => self.line(&format!("  {}", check.what)),
        }
    }
    fn fail(&mut self, what: &str, error: &SourceError) {
        self.problems += 1;
        // "cache: cache: …" when the check is named like the error's kind.
        if what == error.kind.word() {
            self.line(&format!("  FAIL  {what}: {}", error.detail()));
        } else {
            self.line(&format!("  FAIL  {what}: {error}"));
        }
        self.line(&format!("        what to do: {}", advice(error.kind)));
    }
}

/// Runs every check, writing the results to `out`; true when nothing failed.
pub async fn run(config: &Config, source: &ConfigSource, out: &mut dyn Write) -> bool {
    let mut r = Report { out, problems: 0 };
    r.line("flightdeck doctor");
    r.line("config");
    match source {
        ConfigSource::File(path) => {
            r.ok("file", &format!("{} is valid", path.display()));
            if let Some(w) = credential_warning(path, config) {
                r.warn("permissions", &w);
            }
        }
        ConfigSource::None => r.warn(
            "file",
            "no config file; the built-in demo runs (see config.example.toml to watch real services)",
        ),
    }
    check_slo_files(&mut r, config);
    check_cache(&mut r, config);
    let registry = Registry::from_config(config);
    for line in &registry.not_configured {
        r.line(line);
    }
    for source in &registry.sources {
        r.line(&source.describe());
        for check in source.probe().await {
            r.check(&check);
        }
    }
    if r.problems == 0 {
        r.line("all checks passed");
    } else {
        r.line(&format!("{} problem(s) found", r.problems));
    }
    r.problems == 0
}

/// What `[[slo_files]]` made services of, and each SLO it left out and why.
fn check_slo_files(r: &mut Report<'_>, config: &Config) {
    if config.slo_files.is_empty() {
        return;
    }
    let read = &config.slo_files_read;
    r.ok(
        "slo_files",
        &format!("{} SLOs from {} files", read.slos.len(), read.files),
    );
    for slo in &read.slos {
        let about = slo
            .description
            .as_deref()
            .map_or(String::new(), |d| format!(": {d}"));
        r.line(&format!(
            "        {} ({}:{}){about}",
            slo.service,
            slo.file.display(),
            slo.line
        ));
    }
    for note in &read.notes {
        r.warn("slo_files", &format!("{note}; left out"));
    }
}

/// Looks at the cache without touching it: doctor never creates, migrates or writes
/// the file (it is read-only when it exists).
fn check_cache(r: &mut Report<'_>, config: &Config) {
    r.line("cache");
    if !config.cache.enabled {
        r.ok("cache", "disabled");
        return;
    }
    let Some(path) = config.cache.path.clone().or_else(default_path) else {
        r.warn(
            "cache",
            "no data directory on this platform; set [cache] path",
        );
        return;
    };
    match Cache::inspect(&path) {
        Ok(CacheState::Missing) => {
            let detail = format!(
                "no cache yet; {} is created at the first start",
                path.display()
            );
            match nearest_existing_dir(&path) {
                Some(dir) if !writable(&dir) => r.warn(
                    "cache",
                    &format!("{detail}, but {} is not writable", dir.display()),
                ),
                _ => r.ok("cache", &detail),
            }
        }
        Ok(CacheState::Readable {
            version,
            current,
            sources,
        }) => {
            let mut detail = format!("{} (schema {version}", path.display());
            if version < current {
                detail.push_str(&format!(", migrated to {current} at the next start"));
            }
            detail.push(')');
            if sources.is_empty() {
                detail.push_str(", empty");
            }
            for (source, at) in &sources {
                detail.push_str(&format!(
                    ", {source} as of {}",
                    at.format("%Y-%m-%d %H:%M UTC")
                ));
            }
            r.ok("cache", &detail);
        }
        // Named "file": the error's own kind word already says "cache".
        Err(e) => {
            let next = if e.unreadable().is_some() {
                "; the next start moves it aside and starts a fresh cache"
            } else {
                ""
            };
            r.fail(
                "file",
                &SourceError {
                    kind: SourceErrorKind::Storage,
                    message: format!("{}: {e}{next}", path.display()).into(),
                },
            )
        }
    }
}

/// The file's directory, or the closest ancestor of it that exists.
fn nearest_existing_dir(path: &std::path::Path) -> Option<std::path::PathBuf> {
    path.ancestors()
        .skip(1)
        .find(|d| d.is_dir())
        .map(std::path::Path::to_path_buf)
}

fn writable(dir: &std::path::Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: access(2) reads a NUL-terminated path and changes nothing.
    unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_with_cache(path: &std::path::Path) -> Config {
        let mut config = Config::default();
        config.cache.path = Some(path.to_path_buf());
        config
    }

    async fn doctor(config: &Config) -> (bool, String) {
        let mut out = Vec::new();
        let ok = run(config, &ConfigSource::None, &mut out).await;
        (ok, String::from_utf8_lossy(&out).into_owned())
    }

    #[tokio::test]
    async fn doctor_never_creates_the_cache() {
        let dir = std::env::temp_dir().join(format!("fd-doctor-{}-missing", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("sub").join("cache.sqlite3");
        let (ok, text) = doctor(&config_with_cache(&path)).await;
        assert!(ok, "{text}");
        assert!(text.contains("ok    cache: no cache yet;"), "{text}");
        assert!(!path.exists(), "doctor created the cache file");
        assert!(
            !dir.join("sub").exists(),
            "doctor created the cache directory"
        );
    }

    #[tokio::test]
    async fn doctor_reads_an_old_cache_without_migrating_it_and_fails_a_newer_one() {
        let dir = std::env::temp_dir().join(format!("fd-doctor-{}-old", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("cache.sqlite3");
        drop(Cache::open_at_version(&path, 1).expect("v1 cache"));
        let (ok, text) = doctor(&config_with_cache(&path)).await;
        assert!(ok, "{text}");
        assert!(text.contains("(schema 1, migrated to"), "{text}");
        let version = |p: &std::path::Path| -> u32 {
            rusqlite::Connection::open(p)
                .and_then(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)))
                .expect("version")
        };
        assert_eq!(version(&path), 1, "doctor migrated the cache");

        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.pragma_update(None, "user_version", 99).expect("bump");
        drop(conn);
        let (ok, text) = doctor(&config_with_cache(&path)).await;
        assert!(!ok, "{text}");
        assert!(
            text.contains("FAIL  file: cache: ") && text.contains("schema version 99"),
            "{text}"
        );
        // The check is named "cache" and so is the error's kind: said once.
        assert!(!text.contains("cache: cache:"), "{text}");
        assert_eq!(version(&path), 99);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
