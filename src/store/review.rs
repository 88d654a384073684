//! Review records in the cache file: sessions, the action-item outbox and the audit
//! log (DESIGN §6). Unlike the cache, nothing here may be lost: every outbox write
//! is committed with `synchronous=FULL` (on disk before the call returns, before any
//! network call that depends on it), and the audit log appends inside one immediate
//! transaction so two writers cannot both chain onto the same record.

use std::path::Path;

use chrono::DateTime;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{open, schema, StoreError};

mod writes;
use crate::model::Ts;
use crate::review::audit::{record_hash, AuditRecord, GENESIS};
use crate::review::outbox::state::Delivery;
use crate::review::session::{ActionItem, ReviewSession};
pub use writes::WriteRow;

/// One outbox row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub review_id: String,
    pub review_title: String,
    pub item: ActionItem,
    pub delivery: Delivery,
}

pub struct ReviewStore {
    conn: Connection,
}

impl ReviewStore {
    /// Opens (creating and migrating when needed) the cache file at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let opened = open::open(path, schema::CURRENT)?;
        Ok(ReviewStore { conn: opened.conn })
    }

    /// Runs `f` in one immediate transaction committed with `synchronous=FULL`; inside
    /// [`Self::atomically`] it is part of that transaction instead.
    fn durably<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if !self.conn.is_autocommit() {
            return f(&self.conn);
        }
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        let result = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })();
        // The cache's other writes stay cheap.
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        result
    }

    /// Runs several changes as one durable transaction: all of them are on disk
    /// when it returns `Ok`, none of them when it fails or the process dies first
    /// (a review's decision and the summary it queues, say).
    pub fn atomically<T>(
        &mut self,
        f: impl FnOnce(&mut ReviewStore) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let result = f(self);
        let end = match &result {
            Ok(_) => self.conn.execute_batch("COMMIT"),
            Err(_) => self.conn.execute_batch("ROLLBACK"),
        };
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        end?;
        result
    }

    pub fn save_session(&mut self, s: &ReviewSession) -> Result<(), StoreError> {
        let json = serde_json::to_string(s)?;
        self.durably(|tx| {
            tx.execute(
                "INSERT INTO reviews (id, started_at, json) VALUES (?1, ?2, ?3)
                 ON CONFLICT(id) DO UPDATE SET json = excluded.json",
                params![s.id, s.started_at.timestamp_millis(), json],
            )?;
            Ok(())
        })
    }

    /// Every session, oldest first.
    pub fn sessions(&self) -> Result<Vec<ReviewSession>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT json FROM reviews ORDER BY started_at, id")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|json| Ok(serde_json::from_str(&json?)?)).collect()
    }

    pub fn session(&self, id: &str) -> Result<Option<ReviewSession>, StoreError> {
        let json: Option<String> = self
            .conn
            .query_row("SELECT json FROM reviews WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        json.map(|j| Ok(serde_json::from_str(&j)?)).transpose()
    }

    /// Commits a new item to the outbox; an item already there (the same UUID) is
    /// left as it is, so enqueueing twice never sends twice.
    pub fn enqueue(&mut self, row: &OutboxRow, now: Ts) -> Result<bool, StoreError> {
        let item = serde_json::to_string(&row.item)?;
        let delivery = serde_json::to_string(&row.delivery)?;
        self.durably(|tx| {
            let n = tx.execute(
                "INSERT OR IGNORE INTO outbox
                     (uuid, review_id, created_at, review_title, item, state, key, delivery)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7)",
                params![
                    row.item.uuid,
                    row.review_id,
                    now.timestamp_millis(),
                    row.review_title,
                    item,
                    row.delivery.phase.word(),
                    delivery
                ],
            )?;
            Ok(n == 1)
        })
    }

    /// Commits an item's new delivery state (before the worker acts on it).
    pub fn set_delivery(&mut self, uuid: &str, d: &Delivery) -> Result<(), StoreError> {
        let json = serde_json::to_string(d)?;
        let key = match &d.phase {
            crate::review::outbox::state::Phase::Sent { key } => Some(key.as_str()),
            _ => None,
        };
        self.durably(|tx| {
            tx.execute(
                "UPDATE outbox SET state = ?2, key = ?3, delivery = ?4 WHERE uuid = ?1",
                params![uuid, d.phase.word(), key, json],
            )?;
            Ok(())
        })
    }

    /// Every outbox item in the order it was queued.
    pub fn outbox(&self) -> Result<Vec<OutboxRow>, StoreError> {
        let rows = self.text_rows(
            "SELECT review_id, review_title, item, delivery FROM outbox ORDER BY created_at, uuid",
        )?;
        rows.into_iter()
            .map(|[review_id, review_title, item, delivery]| {
                Ok(OutboxRow {
                    review_id,
                    review_title,
                    item: serde_json::from_str(&item)?,
                    delivery: serde_json::from_str(&delivery)?,
                })
            })
            .collect()
    }

    /// The rows of a query of four text columns (two names and two JSON documents:
    /// the outbox's items and writes), in its order.
    fn text_rows(&self, sql: &str) -> Result<Vec<[String; 4]>, StoreError> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?]))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Appends one audit record chained to the last one.
    pub fn append_audit(
        &mut self,
        at: Ts,
        review_id: &str,
        kind: &str,
        detail: &str,
    ) -> Result<AuditRecord, StoreError> {
        self.durably(|tx| {
            let last: Option<(i64, String)> = tx
                .query_row(
                    "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let (seq, prev) = match last {
                Some((s, h)) => (s + 1, h),
                None => (1, GENESIS.to_string()),
            };
            let at_ms = at.timestamp_millis();
            let hash = record_hash(&prev, seq, at_ms, review_id, kind, detail);
            tx.execute(
                "INSERT INTO audit_log (seq, at, review_id, kind, detail, prev, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![seq, at_ms, review_id, kind, detail, prev, hash],
            )?;
            Ok(AuditRecord {
                seq,
                at_ms,
                review_id: review_id.to_string(),
                kind: kind.to_string(),
                detail: detail.to_string(),
                prev,
                hash,
            })
        })
    }

    /// The audit log in stored order (by rowid: the order records were written, so a
    /// renumbered record still shows where it sits).
    pub fn audit(&self) -> Result<Vec<AuditRecord>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, at, review_id, kind, detail, prev, hash FROM audit_log ORDER BY rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(AuditRecord {
                seq: r.get(0)?,
                at_ms: r.get(1)?,
                review_id: r.get(2)?,
                kind: r.get(3)?,
                detail: r.get(4)?,
                prev: r.get(5)?,
                hash: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Milliseconds to a time (0 for a value out of range).
pub fn from_ms(ms: i64) -> Ts {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

#[cfg(test)]
mod atomic_tests {
    use super::*;
    use crate::review::checklist::start_session;
    use crate::review::session::ReviewTarget;

    #[test]
    fn changes_made_atomically_land_together_or_not_at_all() {
        let dir = std::env::temp_dir().join(format!("fd-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("cache.sqlite3");
        let _ = std::fs::remove_file(&path);
        let mut store = ReviewStore::open(&path).expect("open");
        let now = crate::ui::fixture::now();
        let target = ReviewTarget::Deployment {
            id: "d1".into(),
            service: "checkout".into(),
            version: "1.0".into(),
        };
        let session = start_session("r1".into(), target, &Default::default(), now);

        // The second change fails: the first is rolled back with it.
        let failed = store.atomically(|s| {
            s.save_session(&session)?;
            s.append_audit(now, "r1", "decision", "keep")?;
            Err::<(), _>(StoreError::from(rusqlite::Error::InvalidQuery))
        });
        assert!(failed.is_err());
        assert!(store.sessions().expect("sessions").is_empty());
        assert!(store.audit().expect("audit").is_empty());

        store
            .atomically(|s| {
                s.save_session(&session)?;
                s.append_audit(now, "r1", "decision", "keep").map(|_| ())
            })
            .expect("commits");
        assert_eq!(store.sessions().expect("sessions").len(), 1);
        assert_eq!(store.audit().expect("audit").len(), 1);
        // And the store is back to its own transactions afterwards.
        store.append_audit(now, "r1", "note", "x").expect("append");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
