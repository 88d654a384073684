//! Which sources run: the embedded demo, or the configured ones.

use tokio::sync::{mpsc, watch};

use super::RunOptions;
use crate::app::App;
use crate::event::Event;
use crate::sources::{configured, SourceHandle};

pub(super) fn spawn(
    opts: &RunOptions,
    app: &mut App,
    events: mpsc::Sender<Event>,
    shutdown: watch::Receiver<bool>,
) -> Vec<SourceHandle> {
    let handles = if opts.demo {
        Vec::new()
    } else {
        configured::spawn_configured(&opts.config, events, shutdown)
    };
    for h in &handles {
        app.register_source(&h.id, h.interval);
    }
    handles
}
