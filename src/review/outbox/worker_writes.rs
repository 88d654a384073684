//! The review worker's steps for the outbox's other writes (a review's summary
//! comment, an item's remote link): queued, stored before they are sent, looked for
//! after an ambiguous failure, like the items (see `writes`).

use super::{db, ReviewEvent, Worker};
use crate::model::Ts;
use crate::review::outbox::state::{Delivery, Phase};
use crate::review::outbox::writes::{self, Write};
use crate::store::review::WriteRow;

impl Worker {
    /// A summary waits until each of its review's items is sent or failed (their keys
    /// are in it); a command or an item's step wakes the worker to look again.
    pub(super) fn summary_waits(&self, w: &WriteRow) -> bool {
        matches!(w.write, Write::Summary { .. })
            && self
                .items
                .iter()
                .any(|r| r.review_id == w.review_id && !r.delivery.phase.is_final())
    }

    pub(super) async fn report_write(&self, row: &WriteRow) {
        self.report(ReviewEvent::Delivery {
            review_id: row.review_id.clone(),
            uuid: row.id.clone(),
            phase: row.delivery.phase.clone(),
            last_error: row.delivery.last_error.clone(),
        })
        .await;
    }

    /// Commits a new write (once per id) and reports it.
    pub(super) async fn enqueue_write(&mut self, id: String, review_id: String, write: Write) {
        if self.writes.iter().any(|w| w.id == id) {
            return;
        }
        let now = (self.clock)();
        let row = WriteRow {
            id,
            review_id,
            write,
            delivery: Delivery::new(now),
        };
        let stored = row.clone();
        match db(&self.store, move |s| s.enqueue_write(&stored, now)).await {
            Ok(true) => {
                self.report_write(&row).await;
                self.writes.push(row);
            }
            // Already stored (and so already loaded at the start): nothing new.
            Ok(false) => {}
            Err(e) => {
                self.store_failed(format!("the write was not queued: {e}"))
                    .await
            }
        }
    }

    /// Queues the review's summary for its release ticket, when one is configured.
    pub(super) async fn publish(&mut self, review_id: String, version: String) {
        let now = (self.clock)();
        let Some(row) = self.summary_row(review_id, version, now) else {
            return self
                .store_failed(
                    "no summary posted: set [review] release_ticket to the ticket it goes to"
                        .to_string(),
                )
                .await;
        };
        self.enqueue_write(row.id, row.review_id, row.write).await;
    }

    /// The review's summary as a write to queue, or `None` without a release ticket.
    pub(super) fn summary_row(
        &self,
        review_id: String,
        version: String,
        now: Ts,
    ) -> Option<WriteRow> {
        let rule = self.write_back.release_ticket.clone()?;
        Some(WriteRow {
            id: writes::summary_id(&review_id),
            review_id,
            write: Write::Summary { rule, version },
            delivery: Delivery::new(now),
        })
    }

    /// An item just sent: its remote link is queued (when asked and it has a web link).
    pub(super) async fn after_sent(&mut self, i: usize) {
        let Phase::Sent { key } = &self.items[i].delivery.phase else {
            return;
        };
        if !self.write_back.remote_link {
            return;
        }
        if let Some((id, write)) = writes::link_for(&self.items[i], key) {
            if self.writes.iter().any(|w| w.id == id) {
                return;
            }
            let review_id = self.items[i].review_id.clone();
            self.enqueue_write(id, review_id, write).await;
        }
    }

    pub(super) async fn retry_write(&mut self, id: &str, now: Ts) {
        let Some(i) = self.writes.iter().position(|w| w.id == id) else {
            return;
        };
        if !matches!(self.writes[i].delivery.phase, Phase::Failed { .. }) {
            return;
        }
        let d = self.writes[i].delivery.clone().retry(now);
        self.commit_write(i, d, false).await;
    }

    /// [`Self::commit`] for a write; `final_` logs the outcome to the audit.
    pub(super) async fn commit_write(&mut self, i: usize, d: Delivery, final_: bool) -> bool {
        let row = &self.writes[i];
        let (id, review_id, stored) = (row.id.clone(), row.review_id.clone(), d.clone());
        let detail = final_.then(|| format!("{} {}", row.id, d.phase.describe()));
        let now = (self.clock)();
        let result = db(&self.store, move |s| {
            s.set_write_delivery(&id, &stored)?;
            if let Some(detail) = detail {
                s.append_audit(now, &review_id, "send", &detail)?;
            }
            Ok(())
        })
        .await;
        match result {
            Ok(()) => {
                self.writes[i].delivery = d;
                self.report_write(&self.writes[i]).await;
                true
            }
            Err(e) => {
                self.store_failed(format!("the outbox was not updated: {e}"))
                    .await;
                let later = self.writes[i].delivery.clone();
                self.writes[i].delivery = Delivery {
                    next_at: now + self.policy.backoff_base,
                    ..later
                };
                false
            }
        }
    }

    pub(super) async fn send_write(&mut self, i: usize) {
        let Some(tracker) = self.tracker.clone() else {
            return;
        };
        let sending = self.writes[i].delivery.clone().begin_create();
        if !self.commit_write(i, sending, false).await {
            return;
        }
        let row = self.writes[i].clone();
        let session = match row.write {
            Write::Summary { .. } => {
                let id = row.review_id.clone();
                db(&self.store, move |s| s.session(&id))
                    .await
                    .ok()
                    .flatten()
            }
            Write::Link { .. } => None,
        };
        let result = writes::send(
            tracker.as_ref(),
            &row.id,
            &row.write,
            session.as_ref(),
            &self.items,
        )
        .await;
        let now = (self.clock)();
        let d = row.delivery.on_create(result, now, &self.policy);
        let final_ = d.phase.is_final();
        self.commit_write(i, d, final_).await;
    }

    pub(super) async fn find_write(&mut self, i: usize) {
        let Some(tracker) = self.tracker.clone() else {
            return;
        };
        let row = self.writes[i].clone();
        let result = writes::find(tracker.as_ref(), &row.id, &row.review_id, &row.write).await;
        let now = (self.clock)();
        let d = row.delivery.on_search(result, now, &self.policy);
        let final_ = d.phase.is_final();
        self.commit_write(i, d, final_).await;
    }
}
