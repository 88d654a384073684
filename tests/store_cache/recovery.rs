//! A cache file that cannot be read is moved aside under the name the message gives
//! and rebuilt, and the next start is clean; a 0-byte file is a fresh cache; a file
//! from a newer flightdeck is refused, byte-for-byte untouched, and the message says so.

use std::path::{Path, PathBuf};

use flightdeck::event::{Event, SourceData, SourceEvent, SourceEventKind};
use flightdeck::store::{send_cached, spawn_cache_writer, Cache, CacheState, CACHE_SOURCE_ID};

fn fresh_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fd-recover-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join("cache.sqlite3")
}

/// A start as the cockpit makes it: replay and writer at once, one fetch saved.
/// Returns what the `cache` source said: its warnings and its errors.
fn start(path: &Path, id: &str) -> (Vec<String>, Vec<String>) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (events, mut rx) = tokio::sync::mpsc::channel(64);
    let writer = rt.block_on(async {
        let load = tokio::spawn(send_cached(path.to_path_buf(), events.clone()));
        let (saves, queue) = tokio::sync::mpsc::channel(8);
        let writer = spawn_cache_writer(path.to_path_buf(), 90, queue, Some(events));
        let fetch = vec![SourceData::Services(vec![id.to_string()])];
        // A writer that could not open the cache has ended (and said why).
        let _ = saves
            .send((id.to_string(), chrono::Utc::now(), fetch))
            .await;
        let _ = load.await.expect("load task");
        writer
    });
    let _ = writer.join().expect("writer thread");
    let (mut warnings, mut errors) = (Vec::new(), Vec::new());
    while let Ok(Event::Source(SourceEvent { source, kind })) = rx.try_recv() {
        if source != CACHE_SOURCE_ID {
            continue;
        }
        match kind {
            SourceEventKind::Fetched { warnings: w, .. } => {
                warnings.extend(w.into_iter().map(|w| w.into_string()))
            }
            SourceEventKind::Failed { error, .. } => errors.push(error.to_string()),
            _ => {}
        }
    }
    (warnings, errors)
}

fn saved_sources(path: &Path) -> Vec<String> {
    match Cache::inspect(path) {
        Ok(CacheState::Readable {
            version,
            current,
            sources,
        }) => {
            assert_eq!(version, current, "fully migrated");
            sources.into_iter().map(|(s, _)| s).collect()
        }
        other => panic!("{} is not a readable cache: {other:?}", path.display()),
    }
}

/// The files beside the cache whose names start with `<cache name>.corrupt-`.
fn moved_aside(path: &Path) -> Vec<PathBuf> {
    let name = path
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let mut found: Vec<PathBuf> = std::fs::read_dir(path.parent().expect("dir"))
        .expect("list")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            let n = p.file_name().map(|n| n.to_string_lossy().into_owned());
            n.is_some_and(|n| n.starts_with(&format!("{name}.corrupt-")) && !n.ends_with("-shm"))
        })
        .collect();
    found.sort();
    found
}

/// What a valid cache truncated after its first pages looks like: the header is
/// fine, the tables it points at are gone.
fn truncated_cache(path: &Path) -> Vec<u8> {
    let full = path.with_extension("full");
    {
        let mut cache = Cache::open(&full).expect("opens");
        let many: Vec<String> = (0..2000).map(|i| format!("service-{i:04}")).collect();
        for i in 0..20 {
            cache
                .save(
                    &format!("source-{i}"),
                    chrono::Utc::now(),
                    &[SourceData::Services(many.clone())],
                )
                .expect("saves");
        }
    }
    let conn = rusqlite::Connection::open(&full).expect("raw");
    conn.pragma_update(None, "journal_mode", "DELETE")
        .expect("no wal");
    drop(conn);
    let bytes = std::fs::read(&full).expect("read");
    assert!(
        bytes.len() > 16 * 4096,
        "big enough to cut: {}",
        bytes.len()
    );
    bytes[..bytes.len() / 3].to_vec()
}

/// Every kind of file that is not a cache this flightdeck can read: each is moved
/// aside (byte-for-byte, under the name the warning gives), the cache is rebuilt and
/// holds the new fetch, and the next start is clean.
#[test]
fn an_unreadable_cache_is_moved_aside_named_and_rebuilt() {
    let foreign = {
        // A database that is not ours: version 0, but a `deployments` table already.
        let p = fresh_path("foreign-src");
        let conn = rusqlite::Connection::open(&p).expect("raw");
        conn.execute_batch("CREATE TABLE deployments (x); INSERT INTO deployments VALUES (1);")
            .expect("foreign table");
        drop(conn);
        std::fs::read(&p).expect("read")
    };
    let mut garbage = b"this is not a database, just text written by someone else\n".repeat(200);
    garbage.extend((0..=255u8).cycle().take(5000));
    // The truncated file is found bad only when its tables are read, after the open
    // set WAL in its header: it is moved aside, but not byte-for-byte as written.
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("garbage", garbage),
        ("short", b"SQLite".to_vec()),
        (
            "bad header",
            b"SQLite format 3\0"
                .iter()
                .copied()
                .chain(std::iter::repeat_n(0xFF, 8192))
                .collect(),
        ),
        ("truncated", truncated_cache(&fresh_path("truncated-src"))),
        ("foreign", foreign),
    ];
    for (name, bytes) in cases {
        let path = fresh_path(&name.replace(' ', "-"));
        std::fs::write(&path, &bytes).expect("write the bad file");

        let (warnings, errors) = start(&path, "first");
        assert!(errors.is_empty(), "{name}: {errors:?}");
        let aside = moved_aside(&path);
        assert_eq!(aside.len(), 1, "{name}: moved aside once: {aside:?}");
        let moved = std::fs::read(&aside[0]).expect("read moved file");
        if name == "truncated" {
            assert_eq!(
                moved.len(),
                bytes.len(),
                "{name}: moved, not rebuilt in place"
            );
        } else {
            assert!(moved == bytes, "{name}: moved as it was");
        }
        assert_eq!(warnings.len(), 1, "{name}: said once: {warnings:?}");
        assert!(
            warnings[0].contains(&aside[0].display().to_string())
                && warnings[0].contains("fresh cache"),
            "{name}: {}",
            warnings[0]
        );
        assert_eq!(
            saved_sources(&path),
            ["first"],
            "{name}: rebuilt and written"
        );

        let (warnings, errors) = start(&path, "second");
        assert!(
            warnings.is_empty() && errors.is_empty(),
            "{name}: {warnings:?} {errors:?}"
        );
        assert_eq!(moved_aside(&path).len(), 1, "{name}: nothing more moved");
        assert_eq!(saved_sources(&path), ["first", "second"], "{name}");
    }
}

/// SQLite reads an empty file as an empty database: a fresh cache, nothing to move.
#[test]
fn a_zero_byte_cache_is_a_fresh_cache() {
    let path = fresh_path("empty");
    std::fs::write(&path, b"").expect("0-byte file");
    let (warnings, errors) = start(&path, "first");
    assert!(
        warnings.is_empty() && errors.is_empty(),
        "{warnings:?} {errors:?}"
    );
    assert!(moved_aside(&path).is_empty());
    assert_eq!(saved_sources(&path), ["first"]);
}

/// A newer flightdeck's file is refused by the replay and the writer, each saying
/// why, and stays exactly as it was; the cockpit runs without it.
#[test]
fn a_newer_cache_is_refused_and_left_untouched() {
    let path = fresh_path("newer");
    drop(Cache::open(&path).expect("opens"));
    let conn = rusqlite::Connection::open(&path).expect("raw");
    conn.pragma_update(None, "user_version", 42).expect("bump");
    conn.execute_batch("CREATE TABLE from_the_future (x)")
        .expect("table");
    drop(conn);
    let before = std::fs::read(&path).expect("read");

    let (warnings, errors) = start(&path, "first");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(errors.len(), 2, "the replay and the writer: {errors:?}");
    for e in &errors {
        assert!(
            e.contains("schema version 42") && e.contains("upgrade flightdeck"),
            "{e}"
        );
    }
    assert!(
        errors.iter().any(|e| e.contains("starting without it")),
        "{errors:?}"
    );
    assert_eq!(std::fs::read(&path).expect("read"), before, "byte-for-byte");
    assert!(moved_aside(&path).is_empty());
    let name = path
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let leftovers: Vec<String> = std::fs::read_dir(path.parent().expect("dir"))
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&name) && (n.ends_with("-wal") || n.ends_with("-journal")))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
