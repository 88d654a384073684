//! The registry is the one list of sources: spawning, `doctor` and the cache restore
//! all go through it. A source that cannot be set up still takes part (failing with
//! its reason); a kind of source left out of the config is named by `doctor`; and what
//! a source no longer configured left in the cache is not drawn.

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use flightdeck::config::{load_str, Config, ConfigSource};
use flightdeck::event::{Event, SourceErrorKind, SourceEvent, SourceEventKind};
use flightdeck::sources::check::Outcome;
use flightdeck::sources::registry::Registry;
use flightdeck::sources::source::AsOf;
use flightdeck::store::{send_cached_of, spawn_cache_writer};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fd-registry-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Prometheus with a CA file that does not exist (it cannot be set up), Jenkins and
/// GitLab on ports nobody listens on.
fn config(dir: &Path) -> Config {
    let text = format!(
        r#"
[prometheus]
url = "http://127.0.0.1:9"
ca_file = "{}/missing-ca.pem"

[jenkins]
url = "http://127.0.0.1:9/jenkins"

[[jenkins.jobs]]
job = "team/deploy/checkout"
service = "checkout"
environment = "production"

[gitlab]
url = "http://127.0.0.1:9"
timeout_seconds = 2
refresh_seconds = 45

[[gitlab.projects]]
project = "acme/checkout"
service = "checkout"

[[services]]
name = "checkout"
slo_target = 0.999
"#,
        dir.display()
    );
    load_str(&text, &dir.join("config.toml")).expect("valid config")
}

#[tokio::test]
async fn every_configured_source_is_registered_even_one_that_cannot_be_set_up() {
    let dir = temp_dir("all");
    let registry = Registry::from_config(&config(&dir));
    assert_eq!(registry.ids(), ["prometheus", "jenkins", "gitlab"]);
    assert!(registry.not_configured.is_empty());
    let gitlab = &registry.sources[2];
    assert_eq!(gitlab.interval().as_secs(), 45, "its own refresh_seconds");

    let prometheus = &registry.sources[0];
    let error = prometheus
        .fetch(AsOf::Now)
        .await
        .expect_err("cannot be set up");
    assert_eq!(error.kind, SourceErrorKind::Config);
    assert!(
        error.message.contains("missing-ca.pem"),
        "{}",
        error.message
    );
    let checks = prometheus.probe().await;
    assert!(
        matches!(&checks[..], [c] if c.what == "client" && matches!(c.outcome, Outcome::Fail(_))),
        "{checks:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn doctor_reports_each_registered_source_and_names_what_is_not_configured() {
    let dir = temp_dir("doctor");
    let mut config = config(&dir);
    config.cache.enabled = false;
    let mut out = Vec::new();
    let ok = flightdeck::doctor::run(&config, &ConfigSource::None, &mut out).await;
    let text = String::from_utf8_lossy(&out);
    assert!(!ok, "{text}");
    for heading in [
        "prometheus (http://127.0.0.1:9)",
        "jenkins (http://127.0.0.1:9/jenkins)",
        "gitlab (http://127.0.0.1:9)",
    ] {
        assert!(text.lines().any(|l| l == heading), "{heading} in:\n{text}");
    }
    assert!(text.contains("FAIL  client: config:"), "{text}");
    assert!(!text.contains("not configured"), "{text}");

    config.gitlab = None;
    config.prometheus = None;
    let mut out = Vec::new();
    flightdeck::doctor::run(&config, &ConfigSource::None, &mut out).await;
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("gitlab: not configured"), "{text}");
    assert!(text.contains("prometheus: not configured"), "{text}");
    assert!(!text.contains("gitlab (http"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_cache_restores_only_the_sources_the_registry_has() {
    let dir = temp_dir("cache");
    let path = dir.join("cache.sqlite3");
    let at = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let writer = spawn_cache_writer(path.clone(), 90, rx, None);
    for source in ["gitlab", "jenkins"] {
        tx.send((source.to_string(), at, Vec::new()))
            .await
            .expect("writer alive");
    }
    drop(tx);
    writer.join().expect("writer").expect("no store error");

    let mut config = config(&dir);
    config.jenkins = None;
    let registry = Registry::from_config(&config);
    let (events, mut rx) = tokio::sync::mpsc::channel(8);
    let sent = send_cached_of(path.clone(), events, Some(registry.ids()))
        .await
        .expect("loads");
    assert_eq!(sent, 1);
    let Some(Event::Source(SourceEvent {
        source,
        kind: SourceEventKind::Cached { .. },
    })) = rx.recv().await
    else {
        panic!("a cached event");
    };
    assert_eq!(source, "gitlab");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The review's action items go to Jira when `[jira]` names a project, else to GitLab
/// issues when `[gitlab]` names an `issues_project`, else nowhere (kept pending); a
/// Jira configured only for incidents files nothing, and is polled but not a tracker.
#[test]
fn the_tracker_is_jira_with_a_project_else_gitlab_issues_else_none() {
    use flightdeck::config::JiraConfig;
    use flightdeck::sources::registry::tracker;
    let dir = temp_dir("tracker");
    let mut config = config(&dir);
    assert!(tracker(&config).is_none(), "no project named anywhere");

    config.gitlab.as_mut().expect("gitlab").issues_project = Some("acme/ops".into());
    let chosen = tracker(&config).expect("a tracker").expect("it builds");
    assert_eq!(chosen.id(), "gitlab-issues");

    config.jira = Some(JiraConfig {
        url: "http://127.0.0.1:9/jira".into(),
        ..Default::default()
    });
    let chosen = tracker(&config).expect("a tracker").expect("it builds");
    assert_eq!(
        chosen.id(),
        "gitlab-issues",
        "a Jira without a project files nothing"
    );

    config.jira.as_mut().expect("jira").project = Some("OPS".into());
    let chosen = tracker(&config).expect("a tracker").expect("it builds");
    assert_eq!(chosen.id(), "jira");
    let _ = std::fs::remove_dir_all(&dir);
}
