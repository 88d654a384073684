//! End to end: the real binary in a real pseudo-terminal (tmux), driven by keys as a
//! user would, then resized and quit; the terminal must be restored afterwards. Both
//! what tmux shows and the raw bytes the program wrote (recorded with `pipe-pane` from
//! before it starts) are checked: tmux re-renders the screen, so only the raw bytes
//! show a stray escape sequence, an unbalanced synchronized update or a mode left set.
//!
//! Waits poll the screen with generous deadlines: they check that something happens,
//! never how fast.

mod common;

use std::time::{Duration, Instant};

use common::tmux::{Tmux, DEADLINE};

#[test]
fn cockpit_starts_navigates_resizes_and_restores_the_terminal() {
    let t = Tmux::start("nav", (120, 40), &[("LANG", "C.UTF-8")], "--demo");
    // The demo watches several services: it starts on the fleet, one row each.
    // Rows carry the last deployment's age: the services have arrived.
    t.wait_for("the demo fleet", |s| {
        s.contains("DEMO") && s.contains("POLICY") && s.contains(" ago")
    });
    t.keys(&["Enter"]);
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
