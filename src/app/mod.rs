//! The single owner of state: events in, state changes in one [`App::update`], commands
//! out. Nothing here performs I/O; the runtime carries out the returned commands.

mod apply;
pub mod command_line;
pub mod copy;
pub mod dora_reason;
pub mod fleet;
mod input;
pub mod keys;
pub mod model;
mod review;
pub mod review_form;
mod review_submit;
mod selection;
pub mod text_input;

pub use model::*;

use chrono::Duration;

use crate::event::{Command, Event, ShutdownReason};
use crate::metrics::{self, Derived, Inputs, Settings};
use crate::model::Ts;

/// How often the derived figures are recomputed when only the clock moved, in clock
/// ticks (one per wall-clock second): windows slide with `now`, but a refresh every
/// few seconds is plenty for 30-day figures. Ticks, not model seconds: the demo's
/// clock runs x60, and its data (which re-derives anyway) arrives every 2 s.
const DERIVE_EVERY: u32 = 10;

/// The app: model, derived figures, and what changed since the last frame.
pub struct App {
    pub model: Model,
    pub derived: Derived,
    pub settings: Settings,
    /// Something visible changed since the last frame.
    pub dirty: bool,
    /// The terminal was resized since the last frame: the next one repaints every
    /// cell, whatever the terminal did to the old ones (even back to the same size).
    pub resized: bool,
    /// The data changed since the last derive.
    stale_derived: bool,
    last_derive: Option<Ts>,
    /// Clock ticks since the last derive.
    ticks_since_derive: u32,
    /// The previous derive's memory, reused by the next.
    scratch: metrics::dora::Scratch,
    pub quit: Option<QuitReason>,
    /// Each live fetch goes out as a [`Command::Cache`] (set by the runtime when the
    /// local cache is on; off, the data is not even copied).
    pub cache_fetches: bool,
}

/// Why the app stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuitReason {
    User,
    Shutdown(ShutdownReason),
}

impl App {
    pub fn new(view: View, settings: Settings, now: Ts) -> Self {
        App {
            model: Model::new(view, now),
            derived: Derived::default(),
            settings,
            dirty: true,
            resized: false,
            stale_derived: true,
            last_derive: None,
            ticks_since_derive: 0,
            scratch: metrics::dora::Scratch::default(),
            quit: None,
            cache_fetches: false,
        }
    }

    /// Registers a source so the header lists it before its first answer.
    pub fn register_source(&mut self, id: &str, interval: Duration) {
        if !self.model.sources.iter().any(|s| s.id == id) {
            self.model
                .sources
                .push(SourceStatus::new(id, Some(interval)));
            self.dirty = true;
        }
    }

    /// Applies one event; returns what the runtime must do.
    pub fn update(&mut self, event: Event) -> Vec<Command> {
        match event {
            Event::Input(input) => self.on_input(input),
            Event::Tick(now) => {
                self.model.now = now;
                self.ticks_since_derive = self.ticks_since_derive.saturating_add(1);
                self.dirty = true;
                Vec::new()
            }
            Event::Source(ev) => {
                let save = self
                    .cache_fetches
                    .then(|| crate::event::CacheSave::of(&ev))
                    .flatten();
                self.on_source(ev);
                save.map(|s| Command::Cache(Box::new(s)))
                    .into_iter()
                    .collect()
            }
            Event::Review(ev) => {
                self.on_review_event(ev);
                Vec::new()
            }
            Event::Shutdown(reason) => {
                self.quit = Some(QuitReason::Shutdown(reason));
                vec![Command::Quit]
            }
        }
    }

    /// The figures must be derived again before the next frame (new data, or a
    /// setting such as the DORA window changed).
    pub(crate) fn mark_data_changed(&mut self) {
        self.stale_derived = true;
        self.dirty = true;
    }

    /// Recomputes the derived figures when the data changed, or when the clock moved
    /// far enough. Call before drawing; cheap when nothing changed.
    pub fn refresh_derived(&mut self) {
        let now = self.model.now;
        let clock_due = self.last_derive.is_none() || self.ticks_since_derive >= DERIVE_EVERY;
        if !(self.stale_derived || clock_due) {
            return;
        }
        let data = &self.model.data;
        let inputs = Inputs {
            deployments: &data.deployments,
            incidents: &data.incidents,
            ratios: &data.ratios,
            series: &data.series,
            annotations: &data.annotations,
        };
        self.derived = metrics::derive_in(
            &inputs,
            &data.services,
            &self.settings,
            now,
            &mut self.scratch,
        );
        self.stale_derived = false;
        self.last_derive = Some(now);
        self.ticks_since_derive = 0;
        self.dirty = true;
    }
}

#[cfg(test)]
mod habits_tests;
#[cfg(test)]
mod tests;
