//! The interactive cockpit: terminal, input thread, signals, clock, sources, and the
//! loop that feeds events to the app and redraws on change only.
//!
//! The loop never awaits I/O other than its own event channel: sources, the cache and
//! the input reader run elsewhere and send events.

mod clipboard;
mod input;
mod memory;
mod pacer;
mod pen;
mod review;
mod screen;
mod shown;
mod signals;
mod sources;
pub mod terminal;

pub use screen::Screen;
pub use sources::CacheRoute;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Utc;
use color_eyre::eyre::{Result, WrapErr};
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, MissedTickBehavior};

use crate::app::{App, QuitReason, View};
use crate::config::Config;
use crate::event::{Command, Event, ShutdownReason, SourceCommand};
use crate::sources::demo::DemoClock;
use crate::sources::{SourceHandle, EVENT_CHANNEL_CAPACITY};
use crate::ui::Theme;

pub use pacer::{BURST, MIN_FRAME_GAP};

/// Events handled before a frame is drawn, so a burst cannot starve the screen.
const MAX_EVENTS_PER_FRAME: usize = 512;

/// A clock tick that finds a fetch running holds its frame this long for the fetch, so
/// a fetch that straddles the tick is drawn once, finished (the new data and its age),
/// instead of twice (the tick with its indicator on and the age a second older, then
/// the answer). A fetch still running after it shows its indicator as before.
pub const FETCH_GRACE: StdDuration = StdDuration::from_millis(150);

/// What the cockpit runs on.
pub struct RunOptions {
    pub config: Config,
    pub demo: bool,
    pub seed: u64,
    pub theme: Theme,
    /// Capture the mouse (wheel scrolling); off by default so text stays selectable.
    pub mouse: bool,
}

/// Runs the cockpit until the user quits or the terminal goes away.
pub fn run(opts: RunOptions) -> Result<QuitReason> {
    memory::tune_allocator();
    // One thread runs the loop and every source: their work is waiting on sockets,
    // and each extra worker would cost a stack, a malloc arena and wake-ups. The loop
    // still never blocks: nothing on this thread waits on I/O except through tokio.
    // The blocking pool (a `token_cmd`, the cache load) keeps no idle thread around.
    let rt = tokio::runtime::Builder::new_current_thread()
        .thread_keep_alive(StdDuration::from_secs(1))
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")?;
    // A mistake in the review template file stops the start with its file, line and
    // key, before the terminal changes.
    let review =
        crate::config::review_setup(&opts.config).map_err(|e| color_eyre::eyre::eyre!("{e}"))?;
    let mut term = terminal::enter(opts.mouse).wrap_err("cannot set up the terminal")?;
    let result = rt.block_on(event_loop(&mut term, opts, review));
    terminal::restore();
    // Sources that ignore cancellation must not keep the process alive.
    rt.shutdown_timeout(StdDuration::from_millis(200));
    result
}

async fn event_loop(
    term: &mut terminal::Term,
    opts: RunOptions,
    review: crate::review::checklist::ReviewSetup,
) -> Result<QuitReason> {
    let (tx, mut rx) = mpsc::channel::<Event>(EVENT_CHANNEL_CAPACITY);
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let stop_input = Arc::new(AtomicBool::new(false));

    let view = View {
        tz: opts.config.general.tz(),
        demo: opts.demo,
    };
    let settings = crate::config::metrics_settings(&opts.config);
    // The demo lives on its own faster clock (its story fits in a minute); the app
    // and the demo source read the same one.
    let demo_clock = opts.demo.then(|| DemoClock::starting_at(Utc::now()));
    let now = move || demo_clock.map_or_else(Utc::now, |c| c.now());
    let mut app = App::new(view, settings, now());
    app.model.tags = crate::config::service_tags(&opts.config);
    app.model.env_aliases = opts.config.environments.aliases.clone();
    app.model.config_notes = crate::config::notes(&opts.config);
    if !app.model.config_notes.is_empty() {
        app.model.ui.flash = Some(format!(
            "{} item(s) of [[slo_files]] left out: h lists them",
            app.model.config_notes.len()
        ));
    }
    // A release manager watching several services starts on all of them.
    if opts.config.services.len() > 1 {
        app.open_fleet();
    }
    app.model.review.setup = review;
    if !opts.demo && !crate::sources::registry::tracker_configured(&opts.config) {
        app.model.review.held =
            Some("kept here: no tracker, set [jira] project or [gitlab] issues_project".into());
    }
    app.model.review.ids = crate::review::uuid::Ids::from_os();

    input::spawn(tx.clone(), stop_input.clone()).wrap_err("cannot start the input reader")?;
    signals::spawn(tx.clone()).wrap_err("cannot install signal handlers")?;
    spawn_clock(tx.clone(), now);
    let sources = sources::spawn(&opts, demo_clock, &mut app, tx.clone(), shutdown_rx);
    let review = review::spawn(&opts, tx.clone());

    let theme = opts.theme;
    let mut clipboard = clipboard::ClipboardWriter::default();
    let routes = Routes {
        handles: &sources.handles,
        review: review.as_ref(),
        cache: sources.cache.as_ref(),
    };
    let result = drive_routed(&mut app, &mut rx, &routes, input::terminal_gone, |app| {
        // A resize, even back to the same size, repaints the whole screen.
        if app.resized {
            terminal::invalidate(term);
        }
        // A copy (`y`) goes out through the terminal before the frame that says so.
        clipboard.write(&app.model.ui.clip, &mut std::io::stdout())?;
        terminal::draw(term, app, &theme)
    })
    .await;

    stop_input.store(true, Ordering::Relaxed);
    input::wake();
    let _ = shutdown_tx.send(true);
    for h in &sources.handles {
        h.task.abort();
    }
    // A frame drawn after the terminal went away, before the watchdog noticed, fails
    // with EIO: that is the terminal going away, not an error of ours.
    if result.is_err() && input::terminal_gone() {
        return Ok(QuitReason::Shutdown(ShutdownReason::InputClosed));
    }
    result?;
    Ok(app.quit.unwrap_or(QuitReason::User))
}

/// The loop proper: feeds events to the app and draws on change, at most one frame per
/// [`MIN_FRAME_GAP`] sustained (a burst of [`BURST`] at once), until the app quits. It
/// awaits nothing but its event channel, so a slow or hung source can never hold up a
/// frame. `tty_gone` is the hang-up check run on each clock tick, and `draw` puts a
/// frame on the screen. Public so headless tests can drive it.
pub async fn drive(
    app: &mut App,
    rx: &mut mpsc::Receiver<Event>,
    handles: &[SourceHandle],
    tty_gone: impl Fn() -> bool,
    draw: impl FnMut(&App) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let routes = Routes {
        handles,
        ..Routes::default()
    };
    drive_routed(app, rx, &routes, tty_gone, draw).await
}

/// Where the app's commands go: the sources' command channels, the review worker and
/// the cache writer.
#[derive(Default)]
pub struct Routes<'a> {
    pub handles: &'a [SourceHandle],
    pub review: Option<&'a mpsc::UnboundedSender<crate::review::outbox::ReviewCommand>>,
    /// Without it (the demo, the cache off) fetches are only shown.
    pub cache: Option<&'a CacheRoute>,
}

/// [`drive`] with every command route, the review worker's too.
pub async fn drive_routed(
    app: &mut App,
    rx: &mut mpsc::Receiver<Event>,
    routes: &Routes<'_>,
    tty_gone: impl Fn() -> bool,
    mut draw: impl FnMut(&App) -> std::io::Result<()>,
) -> std::io::Result<()> {
    // The first frame goes out before any source answers, and the first answers are
    // not held back behind it: the pacer lets a burst of frames out at once.
    let mut pacer = pacer::Pacer::new(Instant::now());
    draw(app)?;
    pacer.sent(Instant::now());
    app.dirty = false;
    app.resized = false;
    // Until when a tick's frame waits for a running fetch (see FETCH_GRACE).
    let mut held: Option<Instant> = None;
    let mut trimmer = memory::Trimmer::new();

    while app.quit.is_none() {
        let next_frame = pacer.ready_at();
        let draw_at = held.map_or(next_frame, |h| h.max(next_frame));
        let event = if app.dirty {
            tokio::select! {
                ev = rx.recv() => ev,
                _ = tokio::time::sleep_until(draw_at) => None,
            }
        } else {
            match rx.recv().await {
                Some(ev) => Some(ev),
                // Every sender is gone: nothing can ever happen again.
                None => return Ok(()),
            }
        };
        // The clock doubles as a watchdog: if the tty hung up while the input thread
        // is stuck inside crossterm, the next tick still ends the cockpit.
        let event = match event {
            Some(Event::Tick(_)) if tty_gone() => {
                Some(Event::Shutdown(ShutdownReason::InputClosed))
            }
            other => other,
        };
        let mut ticked = matches!(event, Some(Event::Tick(_)));
        if let Some(ev) = event {
            dispatch(app, ev, routes);
            for _ in 0..MAX_EVENTS_PER_FRAME {
                match rx.try_recv() {
                    Ok(ev) => {
                        ticked |= matches!(ev, Event::Tick(_));
                        dispatch(app, ev, routes)
                    }
                    Err(_) => break,
                }
            }
        }
        if app.quit.is_some() {
            break;
        }
        let fetching = app.model.sources.iter().any(|s| s.fetching);
        if ticked && fetching {
            held = Some(Instant::now() + FETCH_GRACE);
        }
        if held.is_some_and(|until| !fetching || Instant::now() >= until) {
            held = None;
        }
        if app.dirty && held.is_none() && Instant::now() >= next_frame {
            app.refresh_derived();
            draw(app)?;
            app.dirty = false;
            app.resized = false;
            pacer.sent(Instant::now());
            trimmer.maybe_trim();
        }
    }
    Ok(())
}

fn dispatch(app: &mut App, event: Event, routes: &Routes<'_>) {
    let handles = routes.handles;
    for command in app.update(event) {
        match command {
            Command::Quit => {}
            Command::RefreshAll => {
                for h in handles {
                    let _ = h.commands.send(SourceCommand::Refresh);
                }
            }
            Command::ToSource { source, command } => {
                if let Some(h) = handles.iter().find(|h| h.id == source) {
                    let _ = h.commands.send(command);
                }
            }
            Command::Review(command) => match routes.review {
                Some(worker) => {
                    let _ = worker.send(*command);
                }
                None => {
                    app.model.ui.flash = Some(
                        "review kept on screen only: the demo and a disabled cache do not save it"
                            .into(),
                    );
                }
            },
            Command::Cache(save) => {
                if let Some(cache) = routes.cache {
                    cache.send(*save);
                }
            }
        }
    }
}

/// One tick per wall-clock second, on the second, so the header clock turns over
/// when the user's watch does.
fn spawn_clock(
    events: mpsc::Sender<Event>,
    now: impl Fn() -> chrono::DateTime<Utc> + Send + 'static,
) {
    tokio::spawn(async move {
        let sub = Utc::now().timestamp_subsec_millis() as u64;
        let first = Instant::now() + StdDuration::from_millis(1000 - sub.min(999));
        let mut ticks = tokio::time::interval_at(first, StdDuration::from_secs(1));
        ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
        loop {
            ticks.tick().await;
            if events.send(Event::Tick(now())).await.is_err() {
                return;
            }
        }
    });
}
