//! Versioned schema migrations, tracked in `PRAGMA user_version`. Each migration runs
//! once, in order, inside a transaction; a database from a newer flightdeck is left
//! untouched.

use rusqlite::Connection;

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
];

pub(crate) const CURRENT: u32 = MIGRATIONS.len() as u32;

pub(crate) fn version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Applies every migration above the database's version, up to `target`.
pub(crate) fn migrate_to(conn: &mut Connection, target: u32) -> Result<(), StoreError> {
    let found = version(conn)?;
    if found > CURRENT {
        return Err(StoreError::Newer {
            found,
            supported: CURRENT,
        });
    }
    for (index, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target as usize)
        .skip(found as usize)
    {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as u32 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
