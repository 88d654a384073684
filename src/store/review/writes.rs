//! The outbox's other writes (`outbox_writes`): a review's summary comment, an item's
//! remote link. Committed and updated with `synchronous=FULL` like the items, before
//! the worker acts on them.

use rusqlite::params;

use super::ReviewStore;
use crate::model::Ts;
use crate::review::outbox::state::Delivery;
use crate::review::outbox::writes::Write;
use crate::store::StoreError;

/// One stored write and its delivery state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteRow {
    /// Deterministic (`summary-<review>`, `link-<item uuid>`): queueing it twice is a
    /// no-op.
    pub id: String,
    pub review_id: String,
    pub write: Write,
    pub delivery: Delivery,
}

impl ReviewStore {
    /// Commits a write; one already there (the same id) is left as it is.
    pub fn enqueue_write(&mut self, row: &WriteRow, now: Ts) -> Result<bool, StoreError> {
        let write = serde_json::to_string(&row.write)?;
        let delivery = serde_json::to_string(&row.delivery)?;
        self.durably(|tx| {
            let n = tx.execute(
                "INSERT OR IGNORE INTO outbox_writes
                     (id, review_id, created_at, write, state, delivery)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    row.id,
                    row.review_id,
                    now.timestamp_millis(),
                    write,
                    row.delivery.phase.word(),
                    delivery
                ],
            )?;
            Ok(n == 1)
        })
    }

    /// Commits a write's new delivery state (before the worker acts on it).
    pub fn set_write_delivery(&mut self, id: &str, d: &Delivery) -> Result<(), StoreError> {
        let json = serde_json::to_string(d)?;
        self.durably(|tx| {
            tx.execute(
                "UPDATE outbox_writes SET state = ?2, delivery = ?3 WHERE id = ?1",
                params![id, d.phase.word(), json],
            )?;
            Ok(())
        })
    }

    /// Every write in the order it was queued.
    pub fn writes(&self) -> Result<Vec<WriteRow>, StoreError> {
        let rows = self.text_rows(
            "SELECT id, review_id, write, delivery FROM outbox_writes ORDER BY created_at, id",
        )?;
        rows.into_iter()
            .map(|[id, review_id, write, delivery]| {
                Ok(WriteRow {
                    id,
                    review_id,
                    write: serde_json::from_str(&write)?,
                    delivery: serde_json::from_str(&delivery)?,
                })
            })
            .collect()
    }
}
