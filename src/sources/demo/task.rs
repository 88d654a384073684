//! The demo source task: sends the whole world once, then every two seconds what the
//! live rollout changed, and honours refresh and rollback commands. The only place in
//! the demo that reads the clock.

use chrono::Duration;
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;

use crate::event::SourceCommand;
use crate::model::Ts;
use crate::sources::{SourceContext, SourceHandle};

use super::clock::DemoClock;
use super::world::DemoWorld;

/// The demo's source id (header, health, deployment id prefix).
pub const SOURCE_ID: &str = "demo";
/// How often (on the wall clock) the live state is sent.
pub const UPDATE_INTERVAL: Duration = Duration::seconds(2);
/// Every this many updates the series of all services are resent (they grow by a
/// 15 s step, four steps per wall second on the demo's x60 clock, so every 6 s keeps
/// their charts within a few demo minutes of now; the live service's series are
/// resent every time).
const ALL_SERIES_EVERY: u32 = 3;

/// Starts the demo source for the world `(seed, clock.origin())`, living on the
/// demo clock: every instant it reports is demo time.
///
/// Commands are accepted on both the returned handle's sender and the context's own
/// receiver, so the caller may keep either end of [`crate::sources::channels`].
pub fn spawn(ctx: SourceContext, seed: u64, clock: DemoClock) -> SourceHandle {
    let (tx, rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(run(ctx, rx, seed, clock));
    SourceHandle {
        id: SOURCE_ID.to_string(),
        // In demo time, which is what the app's clock shows.
        interval: clock.scale(UPDATE_INTERVAL),
        commands: tx,
        task,
    }
}

async fn run(
    mut ctx: SourceContext,
    mut handle_commands: mpsc::UnboundedReceiver<SourceCommand>,
    seed: u64,
    clock: DemoClock,
) {
    // A few milliseconds of CPU (see the demo tests for the measurement); done here so
    // the caller's start-up is not held up.
    let world = DemoWorld::new(seed, clock.origin());
    let mut rollback_at: Option<Ts> = None;
    let now = clock.now();
    if !ctx
        .fetched(
            SOURCE_ID,
            now,
            world.data_at_with_rollback(now, rollback_at),
            Vec::new(),
        )
        .await
    {
        return;
    }
    let period =
        std::time::Duration::from_millis(UPDATE_INTERVAL.num_milliseconds().max(100) as u64);
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut ctx_open = true;
    let mut handle_open = true;
    let mut updates: u32 = 0;
    loop {
        if ctx.is_shutting_down() {
            break;
        }
        let command = tokio::select! {
            changed = ctx.shutdown.changed() => {
                // A dropped sender means the app is gone: stop as on shutdown.
                if changed.is_err() || *ctx.shutdown.borrow() {
                    break;
                }
                continue;
            }
            cmd = ctx.commands.recv(), if ctx_open => match cmd {
                Some(c) => Some(c),
                None => {
                    ctx_open = false;
                    continue;
                }
            },
            cmd = handle_commands.recv(), if handle_open => match cmd {
                Some(c) => Some(c),
                None => {
                    handle_open = false;
                    continue;
                }
            },
            _ = ticker.tick() => None,
        };
        let now = clock.now();
        let (data, warnings) = match command {
            Some(SourceCommand::Refresh) => {
                (world.data_at_with_rollback(now, rollback_at), Vec::new())
            }
            Some(SourceCommand::Rollback { service }) => {
                let warnings = match world.check_rollback(&service, now, rollback_at) {
                    Ok(()) => {
                        rollback_at = Some(now);
                        Vec::new()
                    }
                    Err(why) => vec![why.into()],
                };
                (world.update_at(now, rollback_at, false), warnings)
            }
            None => {
                updates = updates.wrapping_add(1);
                let all = updates % ALL_SERIES_EVERY == 0;
                (world.update_at(now, rollback_at, all), Vec::new())
            }
        };
        if !ctx.fetched(SOURCE_ID, now, data, warnings).await {
            break;
        }
    }
}
