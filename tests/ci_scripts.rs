//! The test runners themselves, in a sandbox with stand-ins for what they call (no
//! test suite runs): `.ci/run` refuses to skip anything, and scripts/test lists every
//! skipped test in its summary, fails under FLIGHTDECK_FORBID_SKIPS=1 when one skipped,
//! and still prints the summary when a test fails.

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

impl Sandbox {
    /// A copy of the repository's `script` (e.g. ".ci/run") at the same place in an
    /// empty tree, next to the stand-ins given as `(path, shell body)`.
    fn new(name: &str, script: &str, stand_ins: &[(&str, &str)]) -> Sandbox {
        let dir = std::env::temp_dir().join(format!("fd-ci-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let sb = Sandbox { dir };
        let real = Path::new(env!("CARGO_MANIFEST_DIR")).join(script);
        let text = std::fs::read_to_string(&real).expect("the script");
        sb.write(script, &text);
        for (path, body) in stand_ins {
            sb.write(path, &format!("#!/usr/bin/env bash\n{body}\n"));
        }
        sb
    }

    fn write(&self, path: &str, text: &str) {
        let path = self.dir.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
        let mut perms = std::fs::metadata(&path).expect("stat").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&path, perms).expect("chmod");
    }

    /// Runs `script` with the stand-in `bin/` first on PATH and exactly `env` of the
    /// variables these scripts read.
    fn run(&self, script: &str, env: &[(&str, &str)]) -> Output {
        let path = format!(
            "{}:{}",
            self.dir.join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut cmd = Command::new(self.dir.join(script));
        cmd.current_dir(&self.dir)
            .env("PATH", path)
            .env_remove("FLIGHTDECK_SKIP_PROMETHEUS")
            .env_remove("FLIGHTDECK_FORBID_SKIPS")
            .env_remove("FLIGHTDECK_SKIP_REPORT");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("the script runs")
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn ci_refuses_to_skip_the_prometheus_tests_whatever_the_value() {
    let sb = Sandbox::new(
        "refuse",
        ".ci/run",
        &[(
            "scripts/test",
            "echo \"RAN with FLIGHTDECK_FORBID_SKIPS=${FLIGHTDECK_FORBID_SKIPS:-unset}\"",
        )],
    );
    for value in ["1", "0", ""] {
        let out = sb.run(".ci/run", &[("FLIGHTDECK_SKIP_PROMETHEUS", value)]);
        let all = text(&out);
        assert!(!out.status.success(), "value {value:?} accepted: {all}");
        assert!(!all.contains("RAN"), "the suite ran anyway: {all}");
        assert!(all.contains("FLIGHTDECK_SKIP_PROMETHEUS"), "{all}");
    }
    let out = sb.run(".ci/run", &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("RAN with FLIGHTDECK_FORBID_SKIPS=1"),
        "CI forbids any skip: {}",
        text(&out)
    );
}

/// A `cargo` whose `test` records a skip when STUB_SKIP is set (as tests/common/skip.rs
/// does) and exits with STUB_STATUS; fmt and clippy pass.
const CARGO: &str = r#"
if [ "$1" = test ]; then
    if [ -n "${STUB_SKIP:-}" ]; then
        echo "prometheus_live (known): prometheus not installed" >> "$FLIGHTDECK_SKIP_REPORT"
    fi
    exit "${STUB_STATUS:-0}"
fi
exit 0"#;

/// A sandbox of its own for each test (`name`): tests run in parallel.
fn test_script(name: &str) -> Sandbox {
    Sandbox::new(
        name,
        "scripts/test",
        &[
            ("scripts/install-test-deps", "exit 0"),
            ("bin/cargo", CARGO),
        ],
    )
}

#[test]
fn the_summary_lists_every_skipped_test() {
    let sb = test_script("summary-lists");
    let out = sb.run("scripts/test", &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("SKIPPED: 0"), "{}", text(&out));

    let out = sb.run("scripts/test", &[("STUB_SKIP", "1")]);
    let all = text(&out);
    assert!(out.status.success(), "a local skip is allowed: {all}");
    assert!(all.contains("SKIPPED: 1 test(s)"), "{all}");
    assert!(
        all.contains("SKIPPED prometheus_live (known): prometheus not installed"),
        "{all}"
    );
}

#[test]
fn a_skip_fails_when_skips_are_forbidden_and_a_failure_still_shows_the_skips() {
    let sb = test_script("summary-forbid");
    let forbid = ("FLIGHTDECK_FORBID_SKIPS", "1");
    let out = sb.run("scripts/test", &[forbid]);
    assert!(out.status.success(), "nothing skipped: {}", text(&out));
    let out = sb.run("scripts/test", &[forbid, ("STUB_SKIP", "1")]);
    let all = text(&out);
    assert!(!out.status.success(), "{all}");
    assert!(
        all.contains("FLIGHTDECK_FORBID_SKIPS=1 and 1 test(s) skipped"),
        "{all}"
    );

    let out = sb.run(
        "scripts/test",
        &[("STUB_SKIP", "1"), ("STUB_STATUS", "101")],
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(101), "the tests' failure: {all}");
    assert!(all.contains("SKIPPED: 1 test(s)"), "{all}");
}
