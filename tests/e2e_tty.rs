//! End to end: the real binary in a real pseudo-terminal (tmux), driven by keys as a
//! user would, then resized and quit; the terminal must be restored afterwards. Both
//! what tmux shows and the raw bytes the program wrote (recorded with `pipe-pane` from
//! before it starts) are checked: tmux re-renders the screen, so only the raw bytes
//! show a stray escape sequence, an unbalanced synchronized update or a mode left set.
//!
//! Waits poll the screen with generous deadlines: they check that something happens,
//! never how fast.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(30);

/// A private tmux server running one flightdeck session.
struct Tmux {
    socket: String,
    home: PathBuf,
}

impl Tmux {
    fn start(name: &str, size: (u16, u16), env: &[(&str, &str)], args: &str) -> Tmux {
        let socket = format!("fd-e2e-{name}-{}", std::process::id());
        let home = std::env::temp_dir().join(&socket);
        std::fs::create_dir_all(&home).expect("temp dir");
        let bin = env!("CARGO_BIN_EXE_flightdeck");
        let vars: String = env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
        // The pane waits for `go` so that the raw bytes are recorded from the program's
        // first byte; the inner `sh` writes its pid (flightdeck's, after `exec`) so the
        // test can signal it without pgrep. The trailing shell keeps the pane open after
        // flightdeck exits, so its exit code and the restored screen stay visible.
        let script = format!(
            "while [ ! -e {home}/go ]; do sleep 0.05; done; \
             env -u NO_COLOR -u LC_ALL -u LC_CTYPE HOME={home} XDG_CONFIG_HOME={home}/config \
             XDG_DATA_HOME={home}/data {vars} sh -c 'echo $$ > {home}/pid; exec \"$0\" \"$@\"' \
             {bin} {args}; echo EXITED:$?; sleep 60",
            home = home.display()
        );
        let t = Tmux { socket, home };
        let (w, h) = (size.0.to_string(), size.1.to_string());
        let out = t.tmux(&["new-session", "-d", "-s", "fd", "-x", &w, "-y", &h, &script]);
        assert!(
            out.status.success(),
            "tmux failed to start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let record = format!("cat >> {}", t.raw_path().display());
        let out = t.tmux(&["pipe-pane", "-o", "-t", "fd", &record]);
        assert!(out.status.success(), "tmux pipe-pane failed");
        std::fs::write(t.home.join("go"), "").expect("start the program");
        t
    }

    fn raw_path(&self) -> PathBuf {
        self.home.join("raw")
    }

    /// Every byte the pane's programs wrote, once the pane's shell has printed the exit
    /// status (which comes after the last byte of flightdeck's).
    fn raw_after_exit(&self) -> Vec<u8> {
        let start = Instant::now();
        loop {
            let raw = std::fs::read(self.raw_path()).unwrap_or_default();
            if let Some(end) = find(&raw, b"EXITED:") {
                return raw[..end].to_vec();
            }
            assert!(
                start.elapsed() < DEADLINE,
                "the recording never showed the exit ({} bytes)",
                raw.len()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// flightdeck's process id, written by the pane before it started.
    fn pid(&self) -> String {
        let path = self.home.join("pid");
        let start = Instant::now();
        loop {
            let pid = std::fs::read_to_string(&path).unwrap_or_default();
            if !pid.trim().is_empty() {
                return pid.trim().to_string();
            }
            assert!(start.elapsed() < DEADLINE, "no pid written to {path:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux must be installed (scripts/install-test-deps installs it)")
    }

    fn screen(&self) -> String {
        let out = self.tmux(&["capture-pane", "-p", "-t", "fd"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Sends keys one at a time, paced like a person: an Esc followed at once by
    /// another key is read as Alt+key, as in any terminal program.
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "fd", k]);
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// "alternate_on cursor_flag" of the pane: "0 1" is a restored terminal.
    fn flags(&self) -> String {
        let out = self.tmux(&[
            "display-message",
            "-p",
            "-t",
            "fd",
            "#{alternate_on} #{cursor_flag}",
        ]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Waits until `pred` holds for the screen; panics with the last screen otherwise.
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            if start.elapsed() > DEADLINE {
                panic!("timed out waiting for {what}; screen was:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

#[test]
fn cockpit_starts_navigates_resizes_and_restores_the_terminal() {
    let t = Tmux::start("nav", (120, 40), &[("LANG", "C.UTF-8")], "--demo");
    let first = t.wait_for("the demo cockpit", |s| {
        s.contains("DEMO") && s.contains("Deployments") && s.contains("checkout")
    });
    assert_eq!(
        t.flags().split(' ').next(),
        Some("1"),
        "runs on the alternate screen"
    );
    assert!(first.contains("DORA"), "all panes on one screen:\n{first}");

    t.keys(&["?"]);
    t.wait_for("the help overlay", |s| s.contains("show or hide this help"));
    t.keys(&["Escape"]);
    t.wait_for("help closed", |s| !s.contains("show or hide this help"));

    t.keys(&["j", "Enter"]);
    t.wait_for("the deployment detail", |s| s.contains("Commits ("));
    t.keys(&["Escape"]);
    t.wait_for("detail closed", |s| !s.contains("Commits ("));
    t.keys(&["3"]);
    t.wait_for("the DORA pane zoomed", |s| {
        !s.contains("Golden signals") && s.contains("DORA")
    });
    t.keys(&["3"]);
    t.wait_for("DORA unzoomed", |s| s.contains("Golden signals"));

    t.tmux(&["resize-window", "-t", "fd", "-x", "80", "-y", "24"]);
    t.wait_for("a redraw at 80x24", |s| {
        s.contains("DEMO")
            && s.contains("Deployments")
            && s.lines().all(|l| l.chars().count() <= 80)
    });
    t.tmux(&["resize-window", "-t", "fd", "-x", "40", "-y", "10"]);
    t.wait_for("the small-terminal view", |s| !s.contains("Deployments"));
    t.tmux(&["resize-window", "-t", "fd", "-x", "120", "-y", "40"]);
    t.wait_for("the full layout again", |s| s.contains("Deployments"));

    t.keys(&["q"]);
    t.wait_for("a clean exit", |s| s.contains("EXITED:0"));
    assert_eq!(t.flags(), "0 1", "alternate screen left and cursor shown");
    let raw = t.raw_after_exit();
    common::assert_clean_terminal_bytes(&raw);
    common::assert_terminal_restored(&raw, &[1049, 25]);
    // Many frames, each in its own synchronized update (resizes and keys redraw).
    let updates = common::private_modes(&raw)
        .iter()
        .filter(|&&m| m == (2026, true))
        .count();
    assert!(updates > 5, "{updates} synchronized updates");
}

#[test]
fn ascii_locale_and_no_color_are_honoured() {
    let t = Tmux::start(
        "ascii",
        (100, 30),
        &[("LANG", "C"), ("NO_COLOR", "1")],
        "--demo",
    );
    let s = t.wait_for("the demo cockpit", |s| {
        s.contains("DEMO") && s.contains("checkout")
    });
    assert!(s.is_ascii(), "LANG=C must give pure ASCII, got:\n{s}");
    // With NO_COLOR the pane holds no colour: no SGR parameter sets one.
    let styled = t.tmux(&["capture-pane", "-p", "-e", "-t", "fd"]);
    let styled = String::from_utf8_lossy(&styled.stdout);
    let colours = sgr_colours(&styled);
    assert!(
        colours.is_empty(),
        "colours {colours:?} present under NO_COLOR"
    );
    t.keys(&["C-c"]);
    t.wait_for("a clean exit", |s| s.contains("EXITED:0"));
    assert_eq!(t.flags(), "0 1");
    let raw = t.raw_after_exit();
    common::assert_clean_terminal_bytes(&raw);
    common::assert_terminal_restored(&raw, &[1049, 25]);
    assert!(raw.is_ascii(), "LANG=C must write pure ASCII bytes");
}

/// `--mouse` turns mouse reporting on, and quitting turns every mode of it off.
#[test]
fn mouse_capture_is_entered_and_left() {
    let t = Tmux::start("mouse", (100, 30), &[("LANG", "C.UTF-8")], "--demo --mouse");
    t.wait_for("the demo cockpit", |s| s.contains("DEMO"));
    t.keys(&["q"]);
    t.wait_for("a clean exit", |s| s.contains("EXITED:0"));
    let raw = t.raw_after_exit();
    common::assert_clean_terminal_bytes(&raw);
    common::assert_terminal_restored(&raw, &[1049, 25, 1000, 1002, 1003, 1006, 1015]);
}

/// The whole session dies (tmux's server killed, the pty closed: the shell and the
/// program see a hang-up and EOF at once, in either order): flightdeck must not outlive
/// it. Which of the two paths ends it, and that each restores the terminal and exits
/// with success, is tested one at a time in tests/e2e_hangup.rs.
#[test]
fn the_process_ends_when_its_session_dies() {
    let t = Tmux::start("hup", (120, 40), &[("LANG", "C.UTF-8")], "--demo");
    t.wait_for("the demo cockpit", |s| s.contains("DEMO"));
    let pid = t.pid();
    assert!(alive(&pid), "flightdeck runs as pid {pid}");
    t.tmux(&["kill-server"]);
    let start = Instant::now();
    while alive(&pid) {
        assert!(
            start.elapsed() < DEADLINE,
            "flightdeck still running after its terminal died"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The colour-setting SGR parameters (30-38, 40-48, 90-97, 100-107) in `text`;
/// 39 and 49 (default colours) and attributes such as bold are allowed.
fn sgr_colours(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for seq in text.split("\x1b[").skip(1) {
        let Some(end) = seq.find('m') else { continue };
        let params = &seq[..end];
        if !params.chars().all(|c| c.is_ascii_digit() || c == ';') {
            continue;
        }
        for p in params.split(';').filter_map(|p| p.parse::<u32>().ok()) {
            if matches!(p, 30..=38 | 40..=48 | 90..=97 | 100..=107) {
                found.push(params.to_string());
                break;
            }
        }
    }
    found
}

/// Running and not a zombie (a zombie has exited; only its parent has not reaped it).
fn alive(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}
