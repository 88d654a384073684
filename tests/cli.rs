//! The command line as a user (or a script) meets it: the release binary's headless
//! commands, their determinism and their behaviour on a closed pipe.

use std::io::Read;
use std::process::{Command, Output, Stdio};

const AT: &str = "2026-11-20T14:00:00Z";

fn flightdeck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(args)
        // No user config may leak in: the demo is what is rendered.
        .env(
            "XDG_CONFIG_HOME",
            std::env::temp_dir().join("fd-cli-no-config"),
        )
        .env_remove("FLIGHTDECK_CONFIG")
        .env("LANG", "C.UTF-8")
        .output()
        .expect("run flightdeck")
}

#[test]
fn a_snapshot_at_an_instant_is_the_same_bytes_every_time_and_one_line_per_row() {
    let args = ["snapshot", "--demo", "--at", AT, "--size", "100x30"];
    let first = flightdeck(&args);
    let second = flightdeck(&args);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(first.stdout, second.stdout);
    let text = String::from_utf8(first.stdout).expect("UTF-8");
    assert!(text.ends_with('\n'), "a frame ends with a newline");
    assert_eq!(text.lines().count(), 30);
    assert!(text.contains("DEMO"));
    // Another instant is another frame (the clock alone differs).
    let later = flightdeck(&[
        "snapshot",
        "--demo",
        "--at",
        "2026-11-20T14:05:00Z",
        "--size",
        "100x30",
    ]);
    assert_ne!(later.stdout, second.stdout);
}

#[test]
fn an_ascii_monochrome_snapshot_has_no_byte_above_0x7f_and_no_escape() {
    let out = flightdeck(&["snapshot", "--demo", "--at", AT, "--ascii", "--no-color"]);
    assert!(out.status.success());
    let bad: Vec<u8> = out
        .stdout
        .iter()
        .copied()
        .filter(|b| *b > 0x7f || *b == 0x1b)
        .collect();
    assert!(bad.is_empty(), "{} bytes above 0x7F or ESC", bad.len());
}

/// On a jump host without UTF-8 the markdown report is plain ASCII, its signs spelled
/// out (the same report otherwise: its tables and trend arrows are all there).
#[test]
fn an_ascii_markdown_report_has_no_byte_above_0x7f() {
    let args = ["report", "--demo", "--format", "markdown", "--at", AT];
    let out = flightdeck(&[&args[..], &["--ascii"]].concat());
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.stdout.is_ascii(), "non-ASCII bytes in the report");
    assert!(
        text.contains("| Service |") && text.contains("3 sigma"),
        "{text}"
    );
    assert!(
        text.contains("^ worse") || text.contains("^ better"),
        "{text}"
    );
    // Without --ascii (and in a UTF-8 locale) the arrows are arrows.
    let utf8 = flightdeck(&args);
    assert!(String::from_utf8_lossy(&utf8.stdout).contains('↑'));
}

/// Linux's default pipe buffer; a write larger than this into a pipe nobody reads
/// blocks until the reader goes, then fails with EPIPE.
const PIPE_BUFFER: usize = 64 * 1024;

/// `flightdeck report | head -c 100`: the reader goes away while the report is still
/// being written, so the write fails with EPIPE; the command must end quietly with
/// success, not panic and not report an error.
#[test]
fn a_closed_pipe_ends_the_report_quietly() {
    let args = [
        "report", "--demo", "--at", AT, "--format", "json", "--window", "90d",
    ];
    // The premise: the report is far larger than what the pipe holds, so it cannot
    // all be written before the reader below closes its end.
    let whole = flightdeck(&args);
    assert!(whole.status.success());
    assert!(
        whole.stdout.len() > 4 * PIPE_BUFFER,
        "the report ({} bytes) must overflow the pipe for EPIPE to happen",
        whole.stdout.len()
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(args)
        .env(
            "XDG_CONFIG_HOME",
            std::env::temp_dir().join("fd-cli-no-config"),
        )
        .env_remove("FLIGHTDECK_CONFIG")
        .env("LANG", "C.UTF-8")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 100];
    stdout.read_exact(&mut first).expect("the report starts");
    drop(stdout);
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}: {stderr}", out.status);
    assert!(stderr.is_empty(), "nothing said about the pipe: {stderr}");
}

#[test]
fn a_user_mistake_is_one_plain_line_not_a_backtrace() {
    let out = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["report", "--demo", "--service", "nosuch"])
        .env_remove("RUST_BACKTRACE")
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nosuch"), "{stderr}");
    assert!(
        stderr.contains("checkout"),
        "names the known services: {stderr}"
    );
    assert!(
        !stderr.contains("BACKTRACE") && !stderr.contains('\x1b'),
        "{stderr}"
    );
}

#[test]
fn a_broken_config_points_at_the_demo_and_the_demo_runs_in_spite_of_it() {
    let dir = std::env::temp_dir().join(format!("fd-cli-broken-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let bad = dir.join("config.toml");
    std::fs::write(&bad, "[[services]]\nname = \"api\"\nslo_target = 99.9\n").expect("write");
    let bad = bad.to_str().expect("utf-8 path");

    let out = flightdeck(&["--config", bad, "snapshot", "--at", AT]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("slo_target"), "names the key: {stderr}");
    assert!(
        stderr.contains("flightdeck --demo"),
        "recommends the demo: {stderr}"
    );

    for args in [
        vec!["--config", bad, "--demo", "snapshot", "--at", AT],
        vec![
            "--config", bad, "report", "--demo", "--at", AT, "--format", "json",
        ],
    ] {
        let out = flightdeck(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "{args:?}: exit {:?}: {stderr}",
            out.status
        );
        assert!(stderr.contains("ignoring the config"), "{args:?}: {stderr}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("checkout"),
            "{args:?}: the demo's services: {stdout}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every value inside objects, with its path.
fn leaves(v: &serde_json::Value, path: String, out: &mut Vec<(String, serde_json::Value)>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                leaves(v, format!("{path}.{k}"), out);
            }
        }
        other => out.push((path, other.clone())),
    }
}

#[test]
fn a_real_config_without_a_deployment_source_says_so_and_never_reports_0() {
    let dir = std::env::temp_dir().join(format!("fd-cli-nodeploy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let cfg = dir.join("config.toml");
    // Prometheus (down here) is the only source: it lists no deployments.
    std::fs::write(
        &cfg,
        "[cache]\nenabled = false\n[prometheus]\nurl = \"http://127.0.0.1:9\"\n\
         connect_timeout_seconds = 1\n[[services]]\nname = \"api\"\n\
         error_ratio_query = 'sum(rate(x{service=\"{{service}}\"}[{{window}}]))'\n",
    )
    .expect("write");
    let cfg = cfg.to_str().expect("utf-8 path");

    let out = flightdeck(&["--config", cfg, "report", "--format", "json", "--at", AT]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let dora = &json["services"][0]["dora"];
    assert_eq!(dora["reason"], "no deployment source", "{dora}");
    let mut found = Vec::new();
    leaves(dora, "dora".into(), &mut found);
    // The v1 keys are all there, every figure null: none of them is a 0.
    for key in [
        "deployments",
        "per_day",
        "deployment_days_per_week",
        "level",
    ] {
        let v = dora["deployment_frequency"].get(key);
        assert_eq!(
            v,
            Some(&serde_json::Value::Null),
            "deployment_frequency.{key}: {v:?}"
        );
    }
    for (path, v) in &found {
        assert!(v.is_null() || path == "dora.reason", "{path} = {v}");
    }
    assert!(found.len() > 15, "too few figures: {found:?}");

    let out = flightdeck(&[
        "--config", cfg, "report", "--format", "markdown", "--at", AT,
    ]);
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("Not computed: no deployment source"), "{md}");
    assert!(!md.contains("0.00 / day"), "{md}");

    let out = flightdeck(&["--config", cfg, "snapshot", "--at", AT, "--size", "80x24"]);
    let frame = String::from_utf8_lossy(&out.stdout);
    assert!(frame.contains("no deployment source"), "{frame}");
    assert!(
        !frame.contains("/week") && !frame.contains("[LOW]"),
        "{frame}"
    );
    assert!(
        !frame.contains("rollback"),
        "b is offered outside the demo: {frame}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_report_window_past_the_limit_is_told_the_limit() {
    let out = flightdeck(&["report", "--demo", "--at", AT, "--window", "100000d"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("at most 3650d"), "{stderr}");
    assert!(!stderr.contains("positive whole number"), "{stderr}");
}

#[test]
fn every_subcommand_has_help_and_the_binary_a_version() {
    for sub in ["snapshot", "report", "gate", "doctor"] {
        let out = flightdeck(&[sub, "--help"]);
        assert!(out.status.success(), "{sub} --help");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{sub}"
        );
    }
    let out = flightdeck(&["--version"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("flightdeck {}", env!("CARGO_PKG_VERSION"))
    );
}
