//! The ways a cockpit session ends without a key press, one at a time, on a
//! pseudo-terminal the test owns (no tmux, no shell): a signal (SIGHUP, SIGTERM,
//! SIGINT) and the terminal going away (the pty closed: EOF/EIO on the tty, and no
//! signal at all, since the program has no controlling terminal to hang up).
//!
//! Each asserts what only flightdeck's own handling produces: exit status 0 (a default
//! signal action would kill the process instead), the "stopped: …" line naming the
//! cause, and, in the raw bytes, every mode it set reset after the last frame.

mod common;

use std::fs::File;
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(30);

/// flightdeck on a fresh pty: its stdin and stdout are the pty's slave, its stderr a
/// pipe, and a thread copies everything it writes to the terminal into `output`.
struct Session {
    child: Child,
    output: Arc<Mutex<Vec<u8>>>,
    stop_reading: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
    home: std::path::PathBuf,
}

impl Session {
    fn start(name: &str, args: &[&str]) -> Session {
        let home = std::env::temp_dir().join(format!("fd-pty-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&home).expect("temp dir");
        let (master, slave) = open_pty(100, 30);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_flightdeck"));
        cmd.args(args)
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("LANG", "C.UTF-8")
            .env("TERM", "xterm-256color")
            .env_remove("FLIGHTDECK_CONFIG")
            .env_remove("NO_COLOR")
            .env_remove("LC_ALL")
            .env_remove("LC_CTYPE")
            .stdin(Stdio::from(slave.try_clone().expect("dup the slave")))
            .stdout(Stdio::from(slave))
            .stderr(Stdio::piped());
        // A session of its own and no controlling terminal: closing the pty then sends
        // no SIGHUP to anyone, so the EOF path is tested alone; and the program cannot
        // reach the terminal the tests run in through /dev/tty.
        // SAFETY: setsid is async-signal-safe and touches nothing of the parent's.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("flightdeck starts");
        // The parent's copies of the slave go with `cmd`, so the master reads EOF/EIO
        // once the child has exited.
        drop(cmd);
        let output = Arc::new(Mutex::new(Vec::new()));
        let stop_reading = Arc::new(AtomicBool::new(false));
        let reader = {
            let (output, stop) = (output.clone(), stop_reading.clone());
            std::thread::spawn(move || read_master(File::from(master), &output, &stop))
        };
        Session {
            child,
            output,
            stop_reading,
            reader: Some(reader),
            home,
        }
    }

    fn bytes(&self) -> Vec<u8> {
        self.output.lock().map(|o| o.clone()).unwrap_or_default()
    }

    /// Waits until a whole frame with `text` in it has been written.
    fn wait_for_frame(&self, text: &str) {
        let start = Instant::now();
        loop {
            let bytes = self.bytes();
            let frame_end = b"\x1b[?2026l";
            let drawn = find(&bytes, text.as_bytes())
                .is_some_and(|at| find(&bytes[at..], frame_end).is_some());
            if drawn {
                return;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "no frame with {text:?} after {DEADLINE:?} ({} bytes written)",
                bytes.len()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("a pid");
        // SAFETY: kill with a pid this test spawned and has not reaped yet.
        let rc = unsafe { libc::kill(pid, signal) };
        assert_eq!(rc, 0, "kill failed: {}", std::io::Error::last_os_error());
    }

    /// Closes the terminal: the reader stops and drops the pty's only master.
    fn close_terminal(&mut self) {
        self.stop_reading.store(true, Ordering::SeqCst);
        if let Some(reader) = self.reader.take() {
            reader.join().expect("the reader thread");
        }
    }

    /// The exit status and stderr; fails if the process is still running at the
    /// deadline. Afterwards `bytes` holds all it wrote to the terminal.
    fn wait_exit(&mut self) -> (ExitStatus, String) {
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            if start.elapsed() > DEADLINE {
                let _ = self.child.kill();
                panic!("flightdeck still running {DEADLINE:?} later");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        // The reader ends by itself once the child is gone (EIO on the master).
        if let Some(reader) = self.reader.take() {
            reader.join().expect("the reader thread");
        }
        (status, stderr)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.stop_reading.store(true, Ordering::SeqCst);
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

fn open_pty(cols: u16, rows: u16) -> (OwnedFd, OwnedFd) {
    let (mut master, mut slave) = (-1, -1);
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: two out-pointers to c_int, no name buffer, default termios, a valid
    // winsize; on success both descriptors are new and owned by us alone.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // Close-on-exec: a master inherited by the child would keep its own terminal
    // alive after the test closes it (the child's stdin and stdout are dups).
    for fd in [master, slave] {
        // SAFETY: fcntl on a descriptor openpty just returned.
        let rc = unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
        assert_eq!(rc, 0, "fcntl: {}", std::io::Error::last_os_error());
    }
    // SAFETY: openpty returned these descriptors open and unowned.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}

/// Copies the master's bytes into `output` until the slave side is gone (EIO) or
/// `stop` is set; polling with a timeout so that `stop` is seen even when idle.
fn read_master(mut master: File, output: &Mutex<Vec<u8>>, stop: &AtomicBool) {
    let mut buf = [0u8; 65536];
    while !stop.load(Ordering::SeqCst) {
        let mut pfd = libc::pollfd {
            fd: master.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd and its count.
        let n = unsafe { libc::poll(&mut pfd, 1, 50) };
        if n <= 0 {
            continue;
        }
        match master.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if let Ok(mut o) = output.lock() {
                    o.extend_from_slice(&buf[..n]);
                }
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Every signal that ends the cockpit is handled: the process restores the terminal
/// (mouse capture included), says why it stopped, and exits with success. Without a
/// handler the default action would kill it, leaving the modes set and no line.
#[test]
fn each_ending_signal_restores_the_terminal_and_exits_successfully() {
    for (signal, name) in [
        (libc::SIGHUP, "SIGHUP"),
        (libc::SIGTERM, "SIGTERM"),
        (libc::SIGINT, "SIGINT"),
    ] {
        let mut s = Session::start(name, &["--demo", "--mouse"]);
        s.wait_for_frame("DEMO");
        s.signal(signal);
        let (status, stderr) = s.wait_exit();
        assert_eq!(
            (status.code(), status.signal()),
            (Some(0), None),
            "{name}: exit status 0, not killed by the signal; stderr: {stderr}"
        );
        assert!(
            stderr.contains(&format!("flightdeck: stopped: received {name}")),
            "{name}: {stderr}"
        );
        let raw = s.bytes();
        common::assert_clean_terminal_bytes(&raw);
        common::assert_terminal_restored(&raw, &[1049, 25, 1000, 1002, 1003, 1006, 1015]);
    }
}

/// The terminal goes away (an SSH session drops): the pty is closed while the
/// cockpit runs. No signal arrives; the tty answers EOF/EIO, and the cockpit must
/// notice, end, and exit with success, naming the cause.
#[test]
fn a_terminal_that_goes_away_ends_the_cockpit_cleanly() {
    let mut s = Session::start("eof", &["--demo"]);
    s.wait_for_frame("DEMO");
    let before = s.bytes();
    common::assert_clean_terminal_bytes(&before);
    s.close_terminal();
    let (status, stderr) = s.wait_exit();
    assert_eq!(
        (status.code(), status.signal()),
        (Some(0), None),
        "exit status 0 after the terminal went away; stderr: {stderr}"
    );
    assert!(
        stderr.contains("flightdeck: stopped: the terminal went away"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
