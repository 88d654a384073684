//! The review worker: the one task that writes review records and drives the outbox.
//! The app sends [`ReviewCommand`]s (writes go out as commands) and hears back
//! [`ReviewEvent`]s; the worker owns the store and the tracker, so the UI loop never
//! waits on the disk or the network.
//!
//! Each outbox step is stored before it is acted on (`sending` before the create
//! request), so the task can be dropped, or the process killed, at any await and the
//! next start resumes without losing or duplicating an item (see `state`).

use std::sync::{Arc, Mutex};

use chrono::Utc;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::state::{Action, Delivery, Phase, Policy};
use super::writes::WriteBack;
use crate::model::outside::{OutsideText, LONG_CHARS};
use crate::model::Ts;
use crate::review::session::{ActionItem, ReviewSession};
use crate::review::tracker::{OutgoingItem, Tracker};
use crate::store::review::{OutboxRow, ReviewStore, WriteRow};
use crate::store::StoreError;

/// An audit entry that comes with a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// `start`, `check`, `note`, `finding`, `item`, `decision`.
    pub kind: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewCommand {
    /// Store the session as it now is, and log what changed.
    Save {
        session: ReviewSession,
        audit: AuditEntry,
    },
    /// Commit an action item to the outbox (and log it); then send it.
    Enqueue {
        review_id: String,
        review_title: String,
        item: ActionItem,
    },
    /// Retry a failed item (or a failed write, by its id).
    Retry { uuid: String },
    /// Post the review's summary on the release ticket now (needs `[review]
    /// release_ticket`); it waits until every action item of the review is sent or
    /// failed, so their keys are in it. Once per review.
    Publish { review_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewEvent {
    /// An item's delivery state changed (or is reported after a start). The other
    /// writes report here too, `uuid` being their id (`summary-<review id>`,
    /// `flightdeck-link-<item uuid>`).
    Delivery {
        review_id: String,
        uuid: String,
        phase: Phase,
        /// The last transient error while it is retried.
        last_error: Option<String>,
    },
    /// The review store failed; the change it concerns was not made.
    StoreFailed { message: String },
    /// The sessions stored by earlier runs, sent once at start.
    Sessions(Vec<ReviewSession>),
    /// Nothing is left to send or to retry: every item and write is settled (a
    /// headless `review sync` ends here; a later command may bring more work).
    Idle,
}

/// What drives the worker's clock; tests pass their own.
pub type Clock = Arc<dyn Fn() -> Ts + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

/// Starts the worker on the current runtime. With no tracker, items are committed
/// and stay pending until one is configured.
pub fn spawn(
    store: ReviewStore,
    tracker: Option<Arc<dyn Tracker>>,
    policy: Policy,
    clock: Clock,
    commands: mpsc::UnboundedReceiver<ReviewCommand>,
    events: mpsc::Sender<ReviewEvent>,
) -> JoinHandle<()> {
    spawn_with(
        store,
        tracker,
        policy,
        WriteBack::default(),
        clock,
        commands,
        events,
    )
}

/// [`spawn`] with the write-back besides the items (summary comment, remote links).
pub fn spawn_with(
    store: ReviewStore,
    tracker: Option<Arc<dyn Tracker>>,
    policy: Policy,
    write_back: WriteBack,
    clock: Clock,
    commands: mpsc::UnboundedReceiver<ReviewCommand>,
    events: mpsc::Sender<ReviewEvent>,
) -> JoinHandle<()> {
    let w = Worker {
        store: Arc::new(Mutex::new(store)),
        tracker,
        policy,
        write_back,
        clock,
        events,
        items: Vec::new(),
        writes: Vec::new(),
    };
    tokio::spawn(run(w, commands))
}

type Shared = Arc<Mutex<ReviewStore>>;

/// The worker's steps for the writes besides the items (summary, links).
#[path = "worker_writes.rs"]
mod worker_writes;

/// Runs a store operation on a blocking thread.
async fn db<T: Send + 'static>(
    store: &Shared,
    f: impl FnOnce(&mut ReviewStore) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, String> {
    let store = store.clone();
    let joined = tokio::task::spawn_blocking(move || match store.lock() {
        Ok(mut s) => f(&mut s).map_err(|e| e.to_string()),
        Err(_) => Err("the review store is unusable after a panic".to_string()),
    })
    .await;
    joined.unwrap_or_else(|e| Err(e.to_string()))
}

/// The item as it goes to the tracker: every text made safe and bounded here, whatever
/// path it came by (typed in the cockpit, read back from the store).
pub fn outgoing(row: &OutboxRow) -> OutgoingItem {
    let line = |s: &str| OutsideText::line(s).into_string();
    let long = |s: &str| OutsideText::with_limit(s, LONG_CHARS).into_string();
    let i = &row.item;
    let uuid = line(&i.uuid);
    OutgoingItem {
        label: format!("flightdeck-{uuid}"),
        uuid,
        summary: line(&i.summary),
        owner: i.owner.as_deref().map(line),
        due: i.due.as_deref().map(line),
        success_criteria: long(&i.success_criteria),
        category: i.category.word().to_string(),
        link: i.link.as_deref().map(long),
        review_title: line(&row.review_title),
    }
}

struct Worker {
    store: Shared,
    tracker: Option<Arc<dyn Tracker>>,
    policy: Policy,
    clock: Clock,
    events: mpsc::Sender<ReviewEvent>,
    write_back: WriteBack,
    /// The outbox as stored (write-through).
    items: Vec<OutboxRow>,
    /// The other writes, as stored.
    writes: Vec<WriteRow>,
}

/// What the next step works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Item(usize),
    Write(usize),
}

async fn run(mut w: Worker, mut commands: mpsc::UnboundedReceiver<ReviewCommand>) {
    w.resume().await;
    loop {
        while let Ok(cmd) = commands.try_recv() {
            w.handle(cmd).await;
        }
        let now = (w.clock)();
        match w.next_step(now) {
            Some((Target::Item(i), Action::Create)) => w.create(i).await,
            Some((Target::Item(i), Action::Search)) => w.search(i).await,
            Some((Target::Write(i), Action::Create)) => w.send_write(i).await,
            Some((Target::Write(i), Action::Search)) => w.find_write(i).await,
            next => {
                let wait = match next {
                    Some((_, Action::Wait(at))) => (at - now).to_std().unwrap_or_default(),
                    // Nothing to send: say so, and sleep until a command comes.
                    _ => {
                        if w.tracker.is_some() {
                            w.report(ReviewEvent::Idle).await;
                        }
                        std::time::Duration::from_secs(3_600)
                    }
                };
                tokio::select! {
                    cmd = commands.recv() => match cmd {
                        Some(cmd) => w.handle(cmd).await,
                        None => return,
                    },
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        }
    }
}

impl Worker {
    async fn report(&self, event: ReviewEvent) {
        // The app may be gone at shutdown: nothing to tell then.
        let _ = self.events.send(event).await;
    }

    async fn report_row(&self, row: &OutboxRow) {
        self.report(ReviewEvent::Delivery {
            review_id: row.review_id.clone(),
            uuid: row.item.uuid.clone(),
            phase: row.delivery.phase.clone(),
            last_error: row.delivery.last_error.clone(),
        })
        .await;
    }

    async fn store_failed(&self, message: String) {
        self.report(ReviewEvent::StoreFailed { message }).await;
    }

    /// Loads the outbox; an item that was being sent when the last run ended is
    /// searched for before anything is created again.
    async fn resume(&mut self) {
        match db(&self.store, |s| s.sessions()).await {
            Ok(sessions) => self.report(ReviewEvent::Sessions(sessions)).await,
            Err(e) => {
                self.store_failed(format!("cannot read the reviews: {e}"))
                    .await
            }
        }
        let now = (self.clock)();
        let rows = match db(&self.store, |s| s.outbox()).await {
            Ok(rows) => rows,
            Err(e) => {
                return self
                    .store_failed(format!("cannot read the outbox: {e}"))
                    .await
            }
        };
        for mut row in rows {
            let resumed = row.delivery.clone().resumed(now);
            if resumed != row.delivery {
                let (uuid, d) = (row.item.uuid.clone(), resumed.clone());
                if let Err(e) = db(&self.store, move |s| s.set_delivery(&uuid, &d)).await {
                    self.store_failed(e).await;
                    continue;
                }
                row.delivery = resumed;
            }
            self.report_row(&row).await;
            self.items.push(row);
        }
        let rows = match db(&self.store, |s| s.writes()).await {
            Ok(rows) => rows,
            Err(e) => {
                return self
                    .store_failed(format!("cannot read the outbox: {e}"))
                    .await
            }
        };
        for mut row in rows {
            let resumed = row.delivery.clone().resumed(now);
            if resumed != row.delivery {
                let (id, d) = (row.id.clone(), resumed.clone());
                if let Err(e) = db(&self.store, move |s| s.set_write_delivery(&id, &d)).await {
                    self.store_failed(e).await;
                    continue;
                }
                row.delivery = resumed;
            }
            self.report_write(&row).await;
            self.writes.push(row);
        }
        // An item sent just before the last run ended may not have queued its link.
        for i in 0..self.items.len() {
            self.after_sent(i).await;
        }
    }

    /// What to work on: the earliest due item, else the earliest due write, else the
    /// earliest waiting of either.
    fn next_step(&self, now: Ts) -> Option<(Target, Action)> {
        self.tracker.as_ref()?;
        let mut waiting: Option<(Target, Ts)> = None;
        let items = self
            .items
            .iter()
            .enumerate()
            .map(|(i, r)| (Target::Item(i), &r.delivery));
        let writes = self
            .writes
            .iter()
            .enumerate()
            .filter(|(_, w)| !self.summary_waits(w))
            .map(|(i, w)| (Target::Write(i), &w.delivery));
        for (target, delivery) in items.chain(writes) {
            match delivery.action(now) {
                a @ (Action::Create | Action::Search) => return Some((target, a)),
                Action::Wait(at) => {
                    if waiting.is_none_or(|(_, w)| at < w) {
                        waiting = Some((target, at));
                    }
                }
                Action::Done => {}
            }
        }
        waiting.map(|(t, at)| (t, Action::Wait(at)))
    }

    async fn handle(&mut self, cmd: ReviewCommand) {
        let now = (self.clock)();
        match cmd {
            ReviewCommand::Save { session, audit } => {
                // The decision closes the review: its summary goes out (when asked).
                let publish = (audit.kind == "decision" && self.write_back.summary_comment)
                    .then(|| (session.id.clone(), super::summary::version(&session)));
                // The decision and the summary it queues are one transaction: a kill
                // between two separate writes would keep the one and lose the other.
                let summary = publish.and_then(|(review_id, version)| {
                    self.summary_row(review_id, version, now)
                        .filter(|row| !self.writes.iter().any(|w| w.id == row.id))
                });
                let stored = summary.clone();
                let result = db(&self.store, move |s| {
                    s.atomically(|s| {
                        s.save_session(&session)?;
                        s.append_audit(now, &session.id, &audit.kind, &audit.detail)?;
                        match &stored {
                            Some(row) => s.enqueue_write(row, now),
                            None => Ok(false),
                        }
                    })
                })
                .await;
                match result {
                    Err(e) => {
                        self.store_failed(format!("the review was not saved: {e}"))
                            .await;
                    }
                    Ok(queued) => {
                        if let Some(row) = summary.filter(|_| queued) {
                            self.report_write(&row).await;
                            self.writes.push(row);
                        }
                    }
                }
            }
            ReviewCommand::Publish { review_id } => {
                let id = review_id.clone();
                match db(&self.store, move |s| s.session(&id)).await {
                    Ok(Some(session)) => {
                        let version = super::summary::version(&session);
                        self.publish(review_id, version).await;
                    }
                    Ok(None) => {
                        self.store_failed(format!("no summary posted: no review {review_id}"))
                            .await
                    }
                    Err(e) => self.store_failed(format!("no summary posted: {e}")).await,
                }
            }
            ReviewCommand::Enqueue {
                review_id,
                review_title,
                item,
            } => {
                let row = OutboxRow {
                    review_id,
                    review_title,
                    item,
                    delivery: Delivery::new(now),
                };
                let stored = row.clone();
                let result = db(&self.store, move |s| {
                    let new = s.enqueue(&stored, now)?;
                    if new {
                        let detail = format!("{} ({})", stored.item.summary, stored.item.uuid);
                        s.append_audit(now, &stored.review_id, "item", &detail)?;
                    }
                    Ok(new)
                })
                .await;
                match result {
                    Ok(true) => {
                        self.report_row(&row).await;
                        self.items.push(row);
                    }
                    Ok(false) => {}
                    Err(e) => {
                        self.store_failed(format!("the action item was not queued: {e}"))
                            .await
                    }
                }
            }
            ReviewCommand::Retry { uuid } => {
                let Some(i) = self.items.iter().position(|r| r.item.uuid == uuid) else {
                    return self.retry_write(&uuid, now).await;
                };
                if !matches!(self.items[i].delivery.phase, Phase::Failed { .. }) {
                    return;
                }
                let d = self.items[i].delivery.clone().retry(now);
                self.commit(i, d, None).await;
            }
        }
    }

    /// Stores item `i`'s new state, then takes it; `send` logs a send to the audit.
    /// `false` when the store failed (the item keeps its old state).
    async fn commit(&mut self, i: usize, d: Delivery, send: Option<String>) -> bool {
        let row = &self.items[i];
        let (uuid, review_id, stored) = (row.item.uuid.clone(), row.review_id.clone(), d.clone());
        let now = (self.clock)();
        let result = db(&self.store, move |s| {
            s.set_delivery(&uuid, &stored)?;
            if let Some(detail) = send {
                s.append_audit(now, &review_id, "send", &detail)?;
            }
            Ok(())
        })
        .await;
        match result {
            Ok(()) => {
                self.items[i].delivery = d;
                self.report_row(&self.items[i]).await;
                true
            }
            Err(e) => {
                self.store_failed(format!("the outbox was not updated: {e}"))
                    .await;
                // Retry the step later rather than act on a state not on disk.
                let later = self.items[i].delivery.clone();
                self.items[i].delivery = Delivery {
                    next_at: now + self.policy.backoff_base,
                    ..later
                };
                false
            }
        }
    }

    async fn create(&mut self, i: usize) {
        let Some(tracker) = self.tracker.clone() else {
            return;
        };
        // On disk before the request leaves: a kill from here on searches first.
        let sending = self.items[i].delivery.clone().begin_create();
        if !self.commit(i, sending, None).await {
            return;
        }
        let item = outgoing(&self.items[i]);
        let result = tracker.create(&item).await;
        let now = (self.clock)();
        let d = self.items[i]
            .delivery
            .clone()
            .on_create(result, now, &self.policy);
        let send = sent_detail(&item, &d);
        if self.commit(i, d, send).await {
            self.after_sent(i).await;
        }
    }

    async fn search(&mut self, i: usize) {
        let Some(tracker) = self.tracker.clone() else {
            return;
        };
        let item = outgoing(&self.items[i]);
        let result = tracker.find_by_label(&item.label).await;
        let now = (self.clock)();
        let d = self.items[i]
            .delivery
            .clone()
            .on_search(result, now, &self.policy);
        let send = sent_detail(&item, &d);
        if self.commit(i, d, send).await {
            self.after_sent(i).await;
        }
    }
}

/// The audit detail of a final outcome.
fn sent_detail(item: &OutgoingItem, d: &Delivery) -> Option<String> {
    d.phase
        .is_final()
        .then(|| format!("{} {}", item.uuid, d.phase.describe()))
}
