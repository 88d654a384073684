//! Every command's raw output against a hostile server: the corpus of `hostile/` (every
//! escape family, bidi controls, an echoed token, oversized text) in every field the
//! Prometheus, GitLab, Jenkins and Jira APIs have, through `doctor`, `report` (JSON and markdown)
//! and `snapshot`.
//! The assertions are on the bytes the process wrote, stdout and stderr alike, and
//! each run also proves the hostile fields reached the output (their tags appear,
//! defused), so a command that printed nothing could not pass.

mod hostile;

use std::path::PathBuf;
use std::process::Command;

use hostile::{problems, HostileServer, Mode, TOKEN};

/// `doctor` prints lines of at most this many characters (src/doctor.rs).
const DOCTOR_LINE: usize = 1_000;
/// A frame is as wide as asked; a report line holds a few bounded fields.
const OTHER_LINE: usize = 2_000;

struct Run {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Run {
    fn all(&self) -> Vec<u8> {
        [self.stdout.as_slice(), b"\n", self.stderr.as_slice()].concat()
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.all()).into_owned()
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fd-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn run(server: &HostileServer, mode: Mode, name: &str, args: &[&str]) -> Run {
    let dir = temp_dir(name);
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        hostile::config(server, mode, &dir.join("cache.sqlite3")),
    )
    .expect("write config");
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(args)
        .arg("--config")
        .arg(&config)
        .env("FD_HOSTILE_TOKEN", TOKEN)
        .env("NO_COLOR", "1")
        .env("LANG", "C.UTF-8")
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run flightdeck");
    let _ = std::fs::remove_dir_all(&dir);
    Run {
        stdout: out.stdout,
        stderr: out.stderr,
    }
}

fn assert_safe(run: &Run, what: &str, longest_line: usize) {
    let found = problems(&run.all(), longest_line);
    assert!(
        found.is_empty(),
        "{what} printed: {found:?}\n--- output ---\n{}",
        run.text()
    );
}

/// The tags that must appear in `run`: the field reached the output, defused.
fn assert_reached(run: &Run, what: &str, tags: &[&str]) {
    let text = run.text();
    for tag in tags {
        assert!(
            text.contains(&format!("HOSTILE-{tag}")),
            "{what}: the hostile `{tag}` field never reached the output, so the test proves nothing\n{text}"
        );
    }
    // Defused, not dropped: the escape shows as its control picture.
    assert!(text.contains("␛]0;PWNED-TITLE"), "{what}: {text}");
}

#[test]
fn doctor_defuses_every_field_of_a_json_answer() {
    let server = HostileServer::start();
    let r = run(&server, Mode::Json, "doctor-json", &["doctor"]);
    assert_safe(&r, "doctor (json)", DOCTOR_LINE);
    assert_reached(
        &r,
        "doctor (json)",
        &["version", "warning", "info", "etype", "error"],
    );
    assert!(
        r.text().contains("***"),
        "the echoed token was not redacted"
    );
}

#[test]
fn doctor_defuses_html_titles_and_raw_error_bodies() {
    let server = HostileServer::start();
    let html = run(&server, Mode::Html, "doctor-html", &["doctor"]);
    assert_safe(&html, "doctor (html)", DOCTOR_LINE);
    assert_reached(&html, "doctor (html)", &["title"]);
    let text = run(&server, Mode::Text, "doctor-text", &["doctor"]);
    assert_safe(&text, "doctor (text)", DOCTOR_LINE);
    assert_reached(&text, "doctor (text)", &["body"]);
}

#[test]
fn report_and_snapshot_defuse_every_field() {
    let server = HostileServer::start();
    for mode in [Mode::Json, Mode::Html, Mode::Text] {
        for (name, args) in [
            ("report-json", &["report", "--format", "json"][..]),
            ("report-md", &["report", "--format", "markdown"][..]),
            ("snapshot", &["snapshot", "--size", "120x40"][..]),
            ("snapshot-small", &["snapshot", "--size", "80x24"][..]),
        ] {
            let what = format!("{name} ({mode:?})");
            let r = run(&server, mode, &format!("{name}-{mode:?}"), args);
            assert_safe(&r, &what, OTHER_LINE);
        }
    }
    // The failing modes name what the server said in the cockpit's status line.
    let r = run(&server, Mode::Html, "snapshot-html", &["snapshot"]);
    assert!(
        r.text().contains("prometheus error"),
        "the snapshot does not say the source failed:\n{}",
        r.text()
    );
}

#[test]
fn every_gitlab_field_is_defused_in_doctor_report_and_snapshot() {
    let server = HostileServer::start();
    let r = run(&server, Mode::GitLab, "doctor-gitlab", &["doctor"]);
    assert_safe(&r, "doctor (gitlab)", DOCTOR_LINE);
    assert_reached(&r, "doctor (gitlab)", &["username", "project-path", "ref"]);
    for (name, args) in [
        ("report-json", &["report", "--format", "json"][..]),
        ("report-md", &["report", "--format", "markdown"][..]),
        ("snapshot", &["snapshot", "--size", "120x40"][..]),
        ("snapshot-small", &["snapshot", "--size", "80x24"][..]),
    ] {
        let what = format!("{name} (gitlab)");
        let r = run(&server, Mode::GitLab, &format!("{name}-gitlab"), args);
        assert_safe(&r, &what, OTHER_LINE);
        if name.starts_with("report") {
            // The deployments reached the report: their version holds the ref.
            assert_reached(&r, &what, &["ref"]);
        }
    }
}

#[test]
fn every_jenkins_field_is_defused_in_doctor_report_and_snapshot() {
    let server = HostileServer::start();
    let doctor = run(&server, Mode::Jenkins, "jenkins-doctor", &["doctor"]);
    assert_safe(&doctor, "doctor (jenkins)", DOCTOR_LINE);
    assert_reached(&doctor, "doctor (jenkins)", &["whoami", "jobname"]);
    let report = run(
        &server,
        Mode::Jenkins,
        "jenkins-report-json",
        &["report", "--format", "json"],
    );
    assert_safe(&report, "report json (jenkins)", OTHER_LINE);
    assert_reached(
        &report,
        "report json (jenkins)",
        &["jobname", "version-param"],
    );
    assert!(
        report.text().contains("***"),
        "the echoed token was not redacted:\n{}",
        report.text()
    );
    for (name, args) in [
        ("jenkins-report-md", &["report", "--format", "markdown"][..]),
        ("jenkins-snapshot", &["snapshot", "--size", "120x40"][..]),
        (
            "jenkins-snapshot-small",
            &["snapshot", "--size", "80x24"][..],
        ),
    ] {
        let r = run(&server, Mode::Jenkins, name, args);
        assert_safe(&r, name, OTHER_LINE);
    }
}

#[test]
fn every_jira_field_is_defused_in_doctor_report_and_snapshot() {
    let server = HostileServer::start();
    let doctor = run(&server, Mode::Jira, "jira-doctor", &["doctor"]);
    assert_safe(&doctor, "doctor (jira)", DOCTOR_LINE);
    assert_reached(
        &doctor,
        "doctor (jira)",
        &[
            "server-version",
            "display-name",
            "project-name",
            "issue-type",
        ],
    );
    let report = run(
        &server,
        Mode::Jira,
        "jira-report-md",
        &["report", "--format", "markdown"],
    );
    assert_safe(&report, "report markdown (jira)", OTHER_LINE);
    assert_reached(&report, "report markdown (jira)", &["incident-key"]);
    for (name, args) in [
        ("jira-report-json", &["report", "--format", "json"][..]),
        ("jira-snapshot", &["snapshot", "--size", "120x40"][..]),
        ("jira-snapshot-small", &["snapshot", "--size", "80x24"][..]),
    ] {
        let r = run(&server, Mode::Jira, name, args);
        assert_safe(&r, name, OTHER_LINE);
    }
}

/// A config file is outside text too: a key that carries an escape sequence is named in
/// the error, defused.
#[test]
fn a_hostile_config_key_is_named_defused() {
    let dir = temp_dir("config-key");
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        "[general]\n\"HOSTILE-key\\u001b]0;PWNED-TITLE\\u0007\\u202e\" = 1\n",
    )
    .expect("write config");
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["snapshot", "--config"])
        .arg(&config)
        .output()
        .expect("run flightdeck");
    let r = Run {
        stdout: out.stdout,
        stderr: out.stderr,
    };
    assert_eq!(out.status.code(), Some(2), "{}", r.text());
    assert_safe(&r, "a config error", OTHER_LINE);
    assert!(r.text().contains("HOSTILE-key"), "{}", r.text());
    let _ = std::fs::remove_dir_all(&dir);
}
