//! `flightdeck review sync`: drains the review outbox without the cockpit, for a cron
//! job, a pipeline, or a laptop that was closed before its items went out. It runs the
//! same worker the cockpit runs, so every exactly-once rule holds here too: an item is
//! stored as `sending` before its create request, and one found `sending` at start
//! (its process was killed) is searched for by its label before it is created again.
//!
//! It ends when nothing is left to send (exit 0 when every item, summary comment and
//! remote link went out, 1 when some failed),
//! or when `--timeout` runs out while items are still being retried (exit 1; they stay
//! queued for the next run), or at once when another flightdeck holds the outbox's
//! sender lock (exit 1: that one sends them). Each item is reported once, when settled.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use color_eyre::eyre::{eyre, Result};
use tokio::sync::mpsc;

use super::output;
use crate::config::Config;
use crate::review::outbox::state::Phase;
use crate::review::outbox::worker::{self, ReviewEvent};
use crate::review::outbox::ReviewCommand;
use crate::store::review::ReviewStore;
use crate::store::sender_lock;

/// What is known of one item while the sync runs.
struct Item {
    summary: String,
    phase: Phase,
    last_error: Option<String>,
    reported: bool,
}

pub fn run(config: &Config, path: &Path, wait: Duration, retry_failed: bool) -> Result<ExitCode> {
    if !path.exists() {
        return output::emit("nothing to send: no cache file yet\n");
    }
    let tracker = match crate::sources::registry::tracker(config) {
        Some(Ok(t)) => t,
        Some(Err(e)) => return Err(eyre!("action items cannot be sent: {e}")),
        None => {
            return Err(eyre!(
                "no tracker to send action items to: set [jira] project, or [gitlab] \
                 issues_project"
            ))
        }
    };
    // Held until the sync ends: no other flightdeck sends from this file meanwhile.
    let _sender = match sender_lock::try_acquire(path) {
        Ok(lock) => lock,
        Err(busy) => {
            output::emit(&format!("{busy}; the items go out from there\n"))?;
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut store =
        ReviewStore::open(path).map_err(|e| eyre!("cannot open {}: {e}", path.display()))?;
    if retry_failed {
        // As the cockpit's retry key does: stored before the worker sees the item.
        let now = chrono::Utc::now();
        for row in store.outbox()? {
            if matches!(row.delivery.phase, Phase::Failed { .. }) {
                store.set_delivery(&row.item.uuid, &row.delivery.retry(now))?;
            }
        }
    }
    let mut items: BTreeMap<String, Item> = store
        .outbox()?
        .into_iter()
        .map(|r| {
            let item = Item {
                summary: r.item.summary,
                // Items settled by an earlier run are counted, not listed again.
                reported: r.delivery.phase.is_final(),
                phase: r.delivery.phase,
                last_error: r.delivery.last_error,
            };
            (r.item.uuid, item)
        })
        .collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // The summary comments and remote links, by id, as last reported.
    let mut writes: BTreeMap<String, Phase> = BTreeMap::new();
    rt.block_on(async {
        // No commands: the channel stays open (and unused) while the worker drains.
        let (_commands, commands_rx) = mpsc::unbounded_channel::<ReviewCommand>();
        let (events_tx, mut events) = mpsc::channel(256);
        let policy = config.review.outbox_policy();
        let task = worker::spawn_with(
            store,
            Some(tracker),
            policy,
            config.review.write_back(),
            worker::system_clock(),
            commands_rx,
            events_tx,
        );
        let deadline = tokio::time::Instant::now() + wait;
        // The worker reports every item and write once at start, then each change,
        // and `Idle` once nothing is left to send (a remote link is queued only after
        // its item is sent, so "every item settled" is not yet the end).
        loop {
            let ev = tokio::select! {
                ev = events.recv() => ev,
                () = tokio::time::sleep_until(deadline) => break,
            };
            match ev {
                Some(ReviewEvent::Delivery {
                    uuid,
                    phase,
                    last_error,
                    ..
                }) => {
                    match items.get_mut(&uuid) {
                        Some(item) => {
                            item.phase = phase;
                            item.last_error = last_error;
                        }
                        None => {
                            if let Phase::Failed { reason, .. } = &phase {
                                output::emit(&format!("failed  {uuid}: {reason}\n"))?;
                            }
                            writes.insert(uuid, phase);
                        }
                    }
                    report_settled(&mut items)?;
                }
                Some(ReviewEvent::StoreFailed { message }) => {
                    task.abort();
                    return Err(eyre!("{message}"));
                }
                Some(ReviewEvent::Sessions(_)) => {}
                Some(ReviewEvent::Idle) | None => break,
            }
        }
        task.abort();
        Ok(())
    })?;
    summary(&items, &writes)
}

fn report_settled(items: &mut BTreeMap<String, Item>) -> Result<()> {
    for item in items.values_mut().filter(|i| !i.reported) {
        let line = match &item.phase {
            Phase::Sent { key } => format!("sent    {key}  {}\n", item.summary),
            Phase::Failed { reason, .. } => format!("failed  {}: {reason}\n", item.summary),
            _ => continue,
        };
        item.reported = true;
        output::emit(&line)?;
    }
    Ok(())
}

/// The closing lines, and the items still waiting with why; the exit code.
fn summary(items: &BTreeMap<String, Item>, writes: &BTreeMap<String, Phase>) -> Result<ExitCode> {
    let count = |f: fn(&Phase) -> bool| items.values().filter(|i| f(&i.phase)).count();
    let sent = count(|p| matches!(p, Phase::Sent { .. }));
    let failed = count(|p| matches!(p, Phase::Failed { .. }));
    let waiting = items.len() - sent - failed;
    let mut text = String::new();
    for item in items.values().filter(|i| !i.phase.is_final()) {
        let why = item.last_error.as_deref().unwrap_or("not answered yet");
        text.push_str(&format!(
            "waiting {}: {} ({why})\n",
            item.summary,
            item.phase.word()
        ));
    }
    let writes_done = writes
        .values()
        .filter(|p| matches!(p, Phase::Sent { .. }))
        .count();
    let writes_failed = writes
        .values()
        .filter(|p| matches!(p, Phase::Failed { .. }))
        .count();
    let writes_waiting = writes.len() - writes_done - writes_failed;
    if !writes.is_empty() {
        text.push_str(&format!(
            "summary comments and links: {writes_done} done, {writes_failed} failed, \
             {writes_waiting} still queued\n"
        ));
    }
    text.push_str(&format!(
        "{sent} sent, {failed} failed, {waiting} still queued\n"
    ));
    output::emit(&text)?;
    Ok(if failed + waiting + writes_failed + writes_waiting == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
