//! The input reader: a plain thread that turns terminal input into events, and notices
//! when the terminal goes away.
//!
//! crossterm's reader loops forever when its tty answers EOF or EIO (a dead SSH
//! session), spinning a core. So this thread first polls the tty itself: a hang-up or
//! error ends the cockpit within one poll period, and crossterm is only asked to read
//! when there is data.

use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::event::{Event, ShutdownReason};

/// How long one poll waits; bounds the exit delay after the terminal dies.
const POLL_MS: i32 = 100;

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
    let fd = std::io::stdin().as_raw_fd();
    while !stop.load(Ordering::Relaxed) {
        match poll_stdin(fd) {
            Readiness::Idle => continue,
            Readiness::Closed => {
                let _ = events.blocking_send(Event::Shutdown(ShutdownReason::InputClosed));
                return;
            }
            Readiness::Data => {}
        }
        // Drain everything crossterm has parsed from what is available now.
        loop {
            match crossterm::event::poll(Duration::ZERO) {
                Ok(true) => match crossterm::event::read() {
                    Ok(ev) => {
                        if events.blocking_send(Event::Input(ev)).is_err() {
                            return;
                        }
                    }
                    Err(_) => {
                        let _ = events.blocking_send(Event::Shutdown(ShutdownReason::InputClosed));
                        return;
                    }
                },
                Ok(false) => break,
                Err(_) => {
                    let _ = events.blocking_send(Event::Shutdown(ShutdownReason::InputClosed));
                    return;
                }
            }
        }
    }
}

enum Readiness {
    Idle,
    Data,
    /// Hang-up, error or invalid descriptor: the terminal is gone.
    Closed,
}

fn poll_stdin(fd: i32) -> Readiness {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, its count, and a timeout; poll only writes `revents`.
    let n = unsafe { libc::poll(&mut pfd, 1, POLL_MS) };
    if n < 0 {
        let err = std::io::Error::last_os_error();
        return if err.kind() == std::io::ErrorKind::Interrupted {
            Readiness::Idle
        } else {
            Readiness::Closed
        };
    }
    if n == 0 {
        return Readiness::Idle;
    }
    if pfd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
        return Readiness::Closed;
    }
    if pfd.revents & libc::POLLIN != 0 {
        Readiness::Data
    } else {
        Readiness::Idle
    }
}
