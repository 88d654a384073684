//! Signals become events: SIGTERM, SIGHUP and SIGINT end the cockpit (restoring the
//! terminal on the way out), SIGWINCH redraws at the new size.

use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc;

use crate::event::{Event, ShutdownReason};

/// Spawns one task per signal; each stops when the event channel closes.
pub fn spawn(events: mpsc::Sender<Event>) -> std::io::Result<()> {
    for (kind, name) in [
        (SignalKind::terminate(), "SIGTERM"),
        (SignalKind::hangup(), "SIGHUP"),
        (SignalKind::interrupt(), "SIGINT"),
    ] {
        let mut stream = signal(kind)?;
        let tx = events.clone();
        tokio::spawn(async move {
            if stream.recv().await.is_some() {
                let _ = tx.send(Event::Shutdown(ShutdownReason::Signal(name))).await;
            }
        });
    }
    let mut winch = signal(SignalKind::window_change())?;
    tokio::spawn(async move {
        while winch.recv().await.is_some() {
            let (w, h) = crossterm::terminal::size().unwrap_or((80, 24));
            let resize = crossterm::event::Event::Resize(w, h);
            if events.send(Event::Input(resize)).await.is_err() {
                return;
            }
        }
    });
    Ok(())
}
