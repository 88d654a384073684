//! A private tmux server running one flightdeck session, with every byte the program
//! writes recorded from its first (`pipe-pane`), driven by keys as a user would.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How long a wait may take before the test fails (they check that something
/// happens, never how fast).
pub const DEADLINE: Duration = Duration::from_secs(30);

/// A private tmux server running one flightdeck session.
pub struct Tmux {
    socket: String,
    home: PathBuf,
}

impl Tmux {
    pub fn start(name: &str, size: (u16, u16), env: &[(&str, &str)], args: &str) -> Tmux {
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

    pub fn raw_path(&self) -> PathBuf {
        self.home.join("raw")
    }

    /// Every byte the pane's programs wrote, once the pane's shell has printed the exit
    /// status (which comes after the last byte of flightdeck's).
    pub fn raw_after_exit(&self) -> Vec<u8> {
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
    pub fn pid(&self) -> String {
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

    pub fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux must be installed (scripts/install-test-deps installs it)")
    }

    pub fn screen(&self) -> String {
        let out = self.tmux(&["capture-pane", "-p", "-t", "fd"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Sends keys one at a time, paced like a person: an Esc followed at once by
    /// another key is read as Alt+key, as in any terminal program.
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "fd", k]);
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// "alternate_on cursor_flag" of the pane: "0 1" is a restored terminal.
    pub fn flags(&self) -> String {
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
    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
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

/// Where `needle` first occurs in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
