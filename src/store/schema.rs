//! Versioned schema migrations, tracked in `PRAGMA user_version`. Each runs once, in
//! order, inside one locked transaction however many processes open the file; a
//! database from a newer flightdeck is left untouched.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Migration `n` (1-based) brings the schema from version `n - 1` to `n`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: deployments, incidents, series aggregates, ratios, watermarks.
    "CREATE TABLE deployments (
         id TEXT PRIMARY KEY, source TEXT NOT NULL, service TEXT NOT NULL,
         at INTEGER NOT NULL, json TEXT NOT NULL);
     CREATE INDEX deployments_by_source ON deployments(source, at);
     CREATE TABLE incidents (
         key TEXT PRIMARY KEY, source TEXT NOT NULL, service TEXT NOT NULL,
         at INTEGER NOT NULL, json TEXT NOT NULL);
     CREATE INDEX incidents_by_source ON incidents(source, at);
     CREATE TABLE series_points (
         source TEXT NOT NULL, service TEXT NOT NULL, kind TEXT NOT NULL,
         bucket INTEGER NOT NULL, value REAL NOT NULL,
         PRIMARY KEY (source, service, kind, bucket)) WITHOUT ROWID;
     CREATE TABLE series_queries (
         source TEXT NOT NULL, service TEXT NOT NULL, kind TEXT NOT NULL, query TEXT NOT NULL,
         PRIMARY KEY (source, service, kind));
     CREATE TABLE ratios (
         source TEXT NOT NULL, service TEXT NOT NULL, at INTEGER NOT NULL, json TEXT NOT NULL,
         PRIMARY KEY (source, service));
     CREATE TABLE watermarks (source TEXT PRIMARY KEY, at INTEGER NOT NULL);",
    // 2: chart annotations (deploy markers) and each source's service list.
    "CREATE TABLE annotations (
         source TEXT NOT NULL, at INTEGER NOT NULL, service TEXT NOT NULL,
         kind TEXT NOT NULL, text TEXT NOT NULL,
         PRIMARY KEY (source, at, service, kind, text)) WITHOUT ROWID;
     CREATE TABLE services (source TEXT PRIMARY KEY, json TEXT NOT NULL);",
    // 3: daily aggregates of the series, kept for two years while the 5-minute
    //    points follow the raw retention; filled from the points already cached.
    "CREATE TABLE series_daily (
         source TEXT NOT NULL, service TEXT NOT NULL, kind TEXT NOT NULL,
         day INTEGER NOT NULL, mean REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,
         buckets INTEGER NOT NULL,
         PRIMARY KEY (source, service, kind, day)) WITHOUT ROWID;
     INSERT INTO series_daily (source, service, kind, day, mean, min, max, buckets)
         SELECT source, service, kind, bucket - bucket % 86400,
                avg(value), min(value), max(value), count(*)
         FROM series_points GROUP BY source, service, kind, bucket - bucket % 86400;",
    // 4 (sources): each incremental source's sync state (watermarks per project and
    //    environment or job, the records behind each deployment), so a restart asks
    //    only for what changed. `at` purges an entry with the data it describes.
    "CREATE TABLE sync_state (
         source TEXT NOT NULL, key TEXT NOT NULL, at INTEGER, json TEXT NOT NULL,
         PRIMARY KEY (source, key)) WITHOUT ROWID;",
    // 5 (review): review sessions, the action-item outbox (DESIGN §6) and the
    //    hash-chained audit log. Kept whatever the raw retention.
    "CREATE TABLE reviews (id TEXT PRIMARY KEY, started_at INTEGER NOT NULL, json TEXT NOT NULL);
     CREATE TABLE outbox (
         uuid TEXT PRIMARY KEY, review_id TEXT NOT NULL, created_at INTEGER NOT NULL,
         review_title TEXT NOT NULL, item TEXT NOT NULL,
         state TEXT NOT NULL, key TEXT, delivery TEXT NOT NULL);
     CREATE INDEX outbox_by_review ON outbox(review_id);
     CREATE TABLE audit_log (
         seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, review_id TEXT NOT NULL,
         kind TEXT NOT NULL, detail TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);",
    // 6 (write-back): the outbox's other writes (a review's summary comment on the
    //    release ticket, an item's remote link), delivered like the items.
    "CREATE TABLE outbox_writes (
         id TEXT PRIMARY KEY, review_id TEXT NOT NULL, created_at INTEGER NOT NULL,
         write TEXT NOT NULL, state TEXT NOT NULL, delivery TEXT NOT NULL);",
];

pub(crate) const CURRENT: u32 = MIGRATIONS.len() as u32;

pub(crate) fn version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Applies every migration above the database's version, up to `target`, in one
/// transaction: a file is at one version or the next, never in between.
///
/// The transaction is `IMMEDIATE` (it takes the write lock before reading), and the
/// version is read again inside it: of several processes opening a new file at once,
/// the first migrates and the others find the work done. Reading the version outside
/// the lock was the bug that made first starts fail with `table deployments already
/// exists`.
pub(crate) fn migrate_to(conn: &mut Connection, target: u32) -> Result<(), StoreError> {
    // An up-to-date file (every start but the first) needs no write lock.
    if refuse_newer(version(conn)?)? >= target {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = refuse_newer(version(&tx)?)?;
    for (index, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target as usize)
        .skip(found as usize)
    {
        tx.execute_batch(sql).map_err(|error| StoreError::Schema {
            migration: index as u32 + 1,
            error,
        })?;
    }
    if found < target {
        tx.pragma_update(None, "user_version", target)?;
    }
    tx.commit()?;
    Ok(())
}

/// The version, unless it is one this flightdeck does not know.
pub(crate) fn refuse_newer(found: u32) -> Result<u32, StoreError> {
    if found > CURRENT {
        return Err(StoreError::Newer {
            found,
            supported: CURRENT,
        });
    }
    Ok(found)
}
