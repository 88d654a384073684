//! End to end against a hostile server: the real binary in tmux, pointed at the
//! in-process server of `hostile/` (every escape family, bidi controls, the client's
//! token echoed back and oversized text in every field of every answer). The raw bytes
//! the cockpit and `doctor` write to their terminal are checked, not tmux's re-rendered
//! screen: only text, SGR, cursor moves, erases and the cockpit's own modes may reach
//! the terminal, never the token.

mod common;
mod hostile;

use common::tmux::Tmux;
use hostile::{HostileServer, Mode, TOKEN};

fn config_file(server: &HostileServer, name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("fd-e2e-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        hostile::config(server, Mode::Json, &dir.join("cache.sqlite3")),
    )
    .expect("write config");
    path
}

fn assert_no_secret(raw: &[u8]) {
    let text = String::from_utf8_lossy(raw);
    assert!(!text.contains(TOKEN), "the token reached the terminal");
    assert!(
        !text.contains(hostile::BEARER_WORD),
        "a bearer credential reached the terminal"
    );
}

#[test]
fn the_cockpit_shows_a_hostile_server_defused() {
    let server = HostileServer::start();
    let config = config_file(&server, "tui");
    let t = Tmux::start(
        "hostile-tui",
        (100, 30),
        &[("LANG", "C.UTF-8"), ("FD_HOSTILE_TOKEN", TOKEN)],
        &format!("--config {}", config.display()),
    );
    t.wait_for("the first fetch", |s| s.contains("prometheus ok"));
    // The source details overlay quotes the warnings and the rejected query's error.
    t.keys(&["h"]);
    let screen = t.wait_for("the source details", |s| {
        s.contains("HOSTILE-warning") && s.contains("HOSTILE-error")
    });
    assert!(
        screen.contains("***"),
        "the echoed token is not redacted:\n{screen}"
    );
    t.keys(&["Escape", "q"]);
    let raw = t.raw_after_exit();
    common::assert_clean_terminal_bytes(&raw);
    assert_no_secret(&raw);
    // The hostile text did reach the terminal, as visible control pictures.
    assert!(
        String::from_utf8_lossy(&raw).contains("␛]0;PWNED-TITLE"),
        "the hostile text never reached the screen, so this test proves nothing"
    );
    let _ = std::fs::remove_dir_all(config.parent().expect("dir"));
}

#[test]
fn doctor_on_a_terminal_writes_no_escape_and_no_token() {
    let server = HostileServer::start();
    let config = config_file(&server, "doctor");
    let t = Tmux::start(
        "hostile-doctor",
        (100, 30),
        &[("LANG", "C.UTF-8"), ("FD_HOSTILE_TOKEN", TOKEN)],
        &format!("doctor --config {}", config.display()),
    );
    let raw = t.raw_after_exit();
    common::assert_clean_terminal_bytes(&raw);
    assert_no_secret(&raw);
    let text = String::from_utf8_lossy(&raw);
    for field in ["version", "warning", "info", "etype", "error"] {
        assert!(
            text.contains(&format!("HOSTILE-{field}")),
            "doctor never printed the hostile `{field}`:\n{text}"
        );
    }
    let _ = std::fs::remove_dir_all(config.parent().expect("dir"));
}
