//! scripts/install-test-deps against stand-ins for apt-get, sudo and id on a private
//! PATH (nothing is installed): a post-install failure with the commands on PATH is
//! a success, a real failure says how to skip, FLIGHTDECK_SKIP_PROMETHEUS=1 means
//! prometheus is not needed, and DEBIAN_FRONTEND survives sudo.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Sandbox {
    dir: PathBuf,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn which(tool: &str) -> PathBuf {
    std::env::var_os("PATH")
        .and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(tool))
                .find(|p| p.is_file())
        })
        .unwrap_or_else(|| panic!("{tool} is needed to run this test"))
}

impl Sandbox {
    /// A bin directory holding only `head` (the script's one outside command besides
    /// the stand-ins) and a stand-in `id` printing `uid`.
    fn new(name: &str, uid: u32) -> Sandbox {
        let dir = std::env::temp_dir().join(format!("fd-deps-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("bin")).expect("sandbox");
        let sb = Sandbox { dir };
        std::os::unix::fs::symlink(which("head"), sb.bin().join("head")).expect("link head");
        std::os::unix::fs::symlink(which("env"), sb.bin().join("env")).expect("link env");
        sb.script("id", &format!("echo {uid}"));
        sb
    }

    fn bin(&self) -> PathBuf {
        self.dir.join("bin")
    }

    fn log(&self) -> PathBuf {
        self.dir.join("log")
    }

    fn script(&self, name: &str, body: &str) {
        let path = self.bin().join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write stub");
        let chmod = Command::new(which("chmod"))
            .arg("+x")
            .arg(&path)
            .status()
            .expect("chmod");
        assert!(chmod.success());
    }

    /// A command that answers `--version` / `-V` like the real one.
    fn tool(&self, name: &str) {
        self.script(name, &format!("echo '{name} version 0.0-stub'"));
    }

    /// apt-get that logs its arguments and DEBIAN_FRONTEND; `install` then creates
    /// `creates` and exits with `install_status`.
    fn apt_get(&self, creates: &[&str], install_status: u8) {
        let mut body = format!(
            "echo \"apt-get $* DEBIAN_FRONTEND=${{DEBIAN_FRONTEND:-unset}}\" >> '{}'\n\
             [ \"$1\" = update ] && exit 0\n",
            self.log().display()
        );
        for tool in creates {
            let path = self.bin().join(tool);
            body.push_str(&format!(
                "printf '#!/bin/sh\\necho {tool} version 0.0-stub\\n' > '{p}'\n/bin/chmod +x '{p}'\n",
                p = path.display()
            ));
        }
        body.push_str(&format!("exit {install_status}"));
        self.script("apt-get", &body);
    }

    fn run(&self, skip_prometheus: bool) -> Output {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-test-deps");
        let mut cmd = Command::new(which("bash"));
        cmd.arg(script)
            .env_clear()
            .env("PATH", self.bin())
            .env("HOME", &self.dir);
        if skip_prometheus {
            cmd.env("FLIGHTDECK_SKIP_PROMETHEUS", "1");
        }
        cmd.output().expect("bash runs the script")
    }

    fn logged(&self) -> String {
        std::fs::read_to_string(self.log()).unwrap_or_default()
    }
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_failing_post_install_with_the_commands_on_path_is_a_success() {
    let sb = Sandbox::new("postinst", 0);
    sb.apt_get(&["prometheus", "promtool", "victoria-metrics", "tmux"], 100);
    let out = sb.run(false);
    assert!(out.status.success(), "{}", text(&out));
    let log = sb.logged();
    assert!(
        log.contains(
            "apt-get install -y -qq --no-install-recommends prometheus victoria-metrics tmux DEBIAN_FRONTEND=noninteractive"
        ),
        "{log}"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("going on"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_failed_install_exits_1_and_names_the_skip_variable() {
    let sb = Sandbox::new("fails", 0);
    sb.apt_get(&[], 100);
    let out = sb.run(false);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("apt-get install failed") && err.contains("FLIGHTDECK_SKIP_PROMETHEUS=1"),
        "{}",
        text(&out)
    );
}

#[test]
fn with_the_skip_variable_prometheus_is_not_needed() {
    let sb = Sandbox::new("skip", 0);
    sb.tool("tmux");
    let out = sb.run(true);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(sb.logged(), "", "nothing to install");

    // Without tmux, only tmux is installed.
    let sb = Sandbox::new("skip-tmux", 0);
    sb.apt_get(&["tmux"], 0);
    let out = sb.run(true);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        sb.logged()
            .contains("install -y -qq --no-install-recommends tmux DEBIAN_FRONTEND"),
        "{}",
        sb.logged()
    );
}

#[test]
fn debian_frontend_survives_sudo() {
    let sb = Sandbox::new("sudo", 1000);
    sb.apt_get(&["prometheus", "promtool", "victoria-metrics", "tmux"], 0);
    // sudo -n: logs how it was called, then runs the command (here: as is).
    sb.script(
        "sudo",
        &format!(
            "echo \"sudo $*\" >> '{}'\n[ \"$1\" = -n ] && shift\nexec \"$@\"",
            sb.log().display()
        ),
    );
    sb.tool("true");
    let out = sb.run(false);
    assert!(out.status.success(), "{}", text(&out));
    let log = sb.logged();
    assert!(
        log.contains("sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install"),
        "{log}"
    );
    assert!(
        log.contains("apt-get install -y -qq --no-install-recommends prometheus victoria-metrics tmux DEBIAN_FRONTEND=noninteractive"),
        "{log}"
    );
}
