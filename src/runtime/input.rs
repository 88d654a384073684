//! The input reader: a plain thread that turns terminal input into events, and notices
//! when the terminal goes away.
//!
//! crossterm's reader loops forever when its tty answers EOF or EIO (a dead SSH
//! session), spinning a core. So before each wait the tty is checked for a hang-up,
//! and the clock checks it once a second too ([`terminal_gone`]): whichever notices
//! first ends the cockpit, so the process exits even if crossterm is stuck inside.
//! crossterm stays the only reader of the tty (its epoll is edge-triggered, so a
//! second, level-triggered reader would leave bytes it never sees).

use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::event::{Event, ShutdownReason};

/// How long one wait for input lasts. Idle, the thread wakes only this often: a hang-up
/// is caught by the clock's once-a-second check, and `stop` by [`wake`], so the wait
/// bounds nothing the user can see.
const WAIT: Duration = Duration::from_secs(30);

/// Spawns the reader; it stops when `stop` is set, the channel closes, or input ends.
pub fn spawn(
    events: mpsc::Sender<Event>,
    stop: Arc<AtomicBool>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || read_loop(&events, &stop))
}

fn read_loop(events: &mpsc::Sender<Event>, stop: &AtomicBool) {
    let closed = || {
        let _ = events.blocking_send(Event::Shutdown(ShutdownReason::InputClosed));
    };
    while !stop.load(Ordering::Relaxed) {
        if terminal_gone() {
            return closed();
        }
        match crossterm::event::poll(WAIT) {
            Ok(false) => {}
            Ok(true) => match crossterm::event::read() {
                Ok(ev) => {
                    if events.blocking_send(Event::Input(ev)).is_err() {
                        return;
                    }
                }
                Err(_) => return closed(),
            },
            Err(_) => return closed(),
        }
    }
}

/// Wakes the reader out of its wait so that it sees `stop` now rather than after
/// [`WAIT`]: a SIGWINCH to ourselves ends crossterm's poll with a resize event, which
/// is harmless to anyone else listening (it only asks for a redraw).
pub fn wake() {
    // SAFETY: kill with our own pid and a signal whose handlers crossterm and tokio
    // installed; it touches no memory.
    unsafe {
        libc::kill(libc::getpid(), libc::SIGWINCH);
    }
}

/// True when stdin (the terminal) has hung up or errs: the session is gone. Does not
/// wait and reads nothing.
pub fn terminal_gone() -> bool {
    let mut pfd = libc::pollfd {
        fd: std::io::stdin().as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, its count, and a zero timeout; poll only writes `revents`.
    let n = unsafe { libc::poll(&mut pfd, 1, 0) };
    if n < 0 {
        return std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted;
    }
    n > 0 && pfd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
}
