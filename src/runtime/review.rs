//! Starts the review worker beside the sources: it owns the review records in the
//! cache file and the outbox; the app talks to it through commands and hears back
//! through the event channel.

use tokio::sync::mpsc;

use super::RunOptions;
use crate::event::Event;
use crate::review::outbox::worker::{self, system_clock};
use crate::review::outbox::ReviewCommand;
use crate::store::review::ReviewStore;
use crate::store::sender_lock;

/// The worker's command sender, or `None` when reviews are not stored (the demo, the
/// cache turned off, or a cache that cannot be opened — said in the footer).
pub(super) fn spawn(
    opts: &RunOptions,
    events: mpsc::Sender<Event>,
) -> Option<mpsc::UnboundedSender<ReviewCommand>> {
    if opts.demo {
        return None;
    }
    let path = super::sources::cache_path(opts)?;
    let tracker = crate::sources::registry::tracker(&opts.config);
    let wants_sender = tracker.is_some();
    let policy = opts.config.review.outbox_policy();
    let write_back = opts.config.review.write_back();
    let (tx, rx) = mpsc::unbounded_channel();
    let (review_tx, mut review_rx) = mpsc::channel(64);
    tokio::spawn(async move {
        // Opening migrates the file: off the loop, on a blocking thread. Only one
        // process sends from a cache file (see `sender_lock`); a second one still
        // stores reviews and queues items, which the sender picks up.
        let opened = tokio::task::spawn_blocking(move || {
            let sender = wants_sender.then(|| sender_lock::try_acquire(&path));
            ReviewStore::open(&path).map(|store| (store, sender))
        })
        .await;
        let (store, sender) = match opened {
            Ok(Ok(opened)) => opened,
            Ok(Err(e)) => {
                let message = format!("reviews cannot be saved: {e}");
                let _ = events
                    .send(Event::Review(worker::ReviewEvent::StoreFailed { message }))
                    .await;
                return;
            }
            Err(_) => return,
        };
        // Without a tracker (none configured, or one that cannot be set up: said in
        // the footer) items are committed and stay pending until there is one.
        let (_sender, tracker) = match sender {
            Some(Err(busy)) => {
                let message = format!("action items stay queued here: {busy}");
                let _ = events
                    .send(Event::Review(worker::ReviewEvent::StoreFailed { message }))
                    .await;
                (None, None)
            }
            Some(Ok(lock)) => (Some(lock), tracker),
            None => (None, tracker),
        };
        let tracker = match tracker {
            Some(Ok(t)) => Some(t),
            Some(Err(e)) => {
                let message = format!("action items cannot be sent: {e}");
                let _ = events
                    .send(Event::Review(worker::ReviewEvent::StoreFailed { message }))
                    .await;
                None
            }
            None => None,
        };
        let worker = worker::spawn_with(
            store,
            tracker,
            policy,
            write_back,
            system_clock(),
            rx,
            review_tx,
        );
        while let Some(ev) = review_rx.recv().await {
            if events.send(Event::Review(ev)).await.is_err() {
                break;
            }
        }
        worker.abort();
    });
    Some(tx)
}
