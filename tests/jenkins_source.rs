//! The Jenkins source against the in-process fake (tests/jenkins_fake): every fetch
//! goes through the real client and mapping, and its result reaches an `App` as the
//! `Fetched` / `Failed` events the poller sends, so what is checked is what the
//! cockpit holds.

mod jenkins_fake;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use flightdeck::app::{App, View};
use flightdeck::config::{Config, JenkinsConfig, JenkinsJob};
use flightdeck::event::{Event, SourceData, SourceErrorKind, SourceEvent, SourceEventKind};
use flightdeck::model::{DeployStatus, Deployment, StageStatus, Trigger};
use flightdeck::sources::jenkins::probe::{probe, Outcome};
use flightdeck::sources::jenkins::JenkinsSource;
use flightdeck::sources::poller::Fetched;
use flightdeck::sources::FetchError;
use jenkins_fake::{build, FakeJenkins, Job, Mode};
use serde_json::json;

const T0: i64 = 1_790_000_000_000;
const TOKEN_ENV: &str = "FD_TEST_JENKINS_TOKEN";

/// URL paths of the fake's jobs: folders repeat `job/`, the branch is double-encoded.
const PIPELINE_PATH: &str = "/job/team/job/deploy/job/checkout";
const BRANCH_PATH: &str = "/job/team/job/checkout/job/release%252F1.2";

fn jenkins_config(fake: &FakeJenkins, jobs: Vec<JenkinsJob>) -> JenkinsConfig {
    std::env::set_var(TOKEN_ENV, jenkins_fake::TOKEN);
    JenkinsConfig {
        url: fake.url.clone(),
        username: Some(jenkins_fake::USER.into()),
        token_env: Some(TOKEN_ENV.into()),
        timeout_seconds: 5,
        jobs,
        ..Default::default()
    }
}

fn pipeline_job() -> JenkinsJob {
    JenkinsJob {
        job: "team/deploy/checkout".into(),
        service: "checkout".into(),
        environment_param: Some("TARGET".into()),
        version_param: Some("VERSION".into()),
        ..Default::default()
    }
}

fn branch_job() -> JenkinsJob {
    JenkinsJob {
        job: "team/checkout/release%2F1.2".into(),
        service: "checkout".into(),
        environment: Some("stg".into()),
        ..Default::default()
    }
}

fn ms(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t).expect("a time")
}

fn params(version: &str) -> Vec<(&'static str, String)> {
    vec![("TARGET", "prod".into()), ("VERSION", version.into())]
}

/// Pipeline build `n`: started at T0 + n h, 10 min long, one commit an hour before.
fn pipeline_build(n: u64, result: Option<&str>) -> serde_json::Value {
    let ts = T0 + n as i64 * 3_600_000;
    let version = format!("1.0.{n}");
    let p = params(&version);
    let p: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let sha = format!("{n:040x}");
    build(
        n,
        result,
        ts,
        600_000,
        &p,
        &[(&sha, ts - 3_600_000, &format!("change {n}"), "Jane Doe")],
        true,
    )
}

fn new_app() -> App {
    let view = View {
        tz: flightdeck::zone::Tz::UTC,
        demo: false,
    };
    let config = Config::default();
    App::new(view, flightdeck::config::metrics_settings(&config), ms(T0))
}

/// Hands a fetch's result to the app as the poller does.
fn deliver(app: &mut App, result: &Result<Fetched, FetchError>) {
    let kind = match result {
        Ok(f) => SourceEventKind::Fetched {
            at: Utc::now(),
            data: f.data.clone(),
            warnings: f.warnings.clone(),
        },
        Err(e) => SourceEventKind::Failed {
            at: Utc::now(),
            error: e.error.clone(),
            retry_after: e.retry_after,
        },
    };
    app.update(Event::Source(SourceEvent {
        source: "jenkins".into(),
        kind,
    }));
}

fn deployments_of(f: &Fetched) -> Vec<&Deployment> {
    f.data
        .iter()
        .filter_map(|d| match d {
            SourceData::Deployments(v) => Some(v),
            _ => None,
        })
        .flatten()
        .collect()
}

fn by_id(app: &App) -> BTreeMap<String, Deployment> {
    app.model
        .data
        .deployments
        .iter()
        .map(|d| (d.id.clone(), d.clone()))
        .collect()
}

fn source(config: &JenkinsConfig) -> JenkinsSource {
    JenkinsSource::new(config, &BTreeMap::new()).expect("a source")
}

#[tokio::test]
async fn nested_folders_a_branch_both_change_set_shapes_and_stages_reach_the_app() {
    let fake = FakeJenkins::start();
    fake.add_job(
        PIPELINE_PATH,
        Job {
            pipeline: true,
            builds: vec![
                pipeline_build(3, None),
                pipeline_build(2, Some("FAILURE")),
                pipeline_build(1, Some("SUCCESS")),
            ],
        },
    );
    fake.lock().stages.insert(
        (PIPELINE_PATH.into(), 2),
        json!([
            {"id": "6", "name": "Build", "status": "SUCCESS", "startTimeMillis": T0 + 7_200_000, "durationMillis": 120_000},
            {"id": "9", "name": "Deploy", "status": "FAILED", "startTimeMillis": T0 + 7_320_000, "durationMillis": 60_000}
        ]),
    );
    let freestyle = build(
        7,
        Some("UNSTABLE"),
        T0,
        30_000,
        &[],
        &[
            ("abc123", T0 - 60_000, "Fix login", "Ann Example"),
            ("def456", -1, "no time", "Bob"),
        ],
        false,
    );
    fake.add_job(
        BRANCH_PATH,
        Job {
            pipeline: false,
            builds: vec![freestyle],
        },
    );
    let config = jenkins_config(&fake, vec![pipeline_job(), branch_job()]);
    let result = source(&config).fetch().await;
    let mut app = new_app();
    deliver(&mut app, &result);
    let fetched = result.expect("the fetch succeeds");
    assert_eq!(deployments_of(&fetched).len(), 4);
    let all = by_id(&app);
    assert_eq!(all.len(), 4, "{:?}", all.keys().collect::<Vec<_>>());

    let running = &all["jenkins:team/deploy/checkout#3"];
    assert_eq!(running.status, DeployStatus::Running);
    assert_eq!(running.finished_at, None, "a running build has no finish");
    assert_eq!(running.started_at, ms(T0 + 3 * 3_600_000));

    let failed = &all["jenkins:team/deploy/checkout#2"];
    assert_eq!(failed.status, DeployStatus::Failed);
    assert_eq!(failed.environment, "production", "prod is an alias");
    assert_eq!(failed.version, "1.0.2");
    assert_eq!(failed.service, "checkout");
    assert_eq!(failed.trigger, Trigger::Manual);
    assert_eq!(failed.deployer, "Jane Doe");
    assert_eq!(
        failed.finished_at,
        Some(ms(T0 + 2 * 3_600_000 + 600_000)),
        "finish = timestamp + duration"
    );
    assert_eq!(failed.commits.len(), 1);
    let c = &failed.commits[0];
    assert_eq!(
        (c.sha.as_str(), c.title.as_str(), c.author.as_str()),
        (&*format!("{:040x}", 2), "change 2", "Jane Doe")
    );
    assert_eq!(c.committed_at, ms(T0 + 3_600_000));
    let stages: Vec<(&str, StageStatus, Option<Duration>)> = failed
        .stages
        .iter()
        .map(|s| {
            let took = s.finished_at.zip(s.started_at).map(|(f, st)| f - st);
            (s.name.as_str(), s.status, took)
        })
        .collect();
    assert_eq!(
        stages,
        [
            ("Build", StageStatus::Success, Some(Duration::seconds(120))),
            ("Deploy", StageStatus::Failed, Some(Duration::seconds(60)))
        ]
    );

    let branch = &all["jenkins:team/checkout/release%2F1.2#7"];
    assert_eq!(branch.status, DeployStatus::Failed, "UNSTABLE");
    assert_eq!(branch.environment, "staging");
    assert_eq!(
        branch.version, "release/1.2",
        "the branch name, shown with its /"
    );
    assert_eq!(branch.sha, "abc123", "the change set's commit");
    assert_eq!(
        branch
            .commits
            .iter()
            .map(|c| c.sha.as_str())
            .collect::<Vec<_>>(),
        ["abc123"],
        "freestyle changeSet; an entry without a time is left out"
    );
    assert!(branch.stages.is_empty(), "freestyle jobs have no wfapi");
    assert!(
        fetched
            .warnings
            .iter()
            .any(|w| w.contains("1 commit(s) without an id or a time")),
        "{:?}",
        fetched.warnings
    );
    // Jobs were found only by their exact encoded paths.
    let requests = fake.take_requests();
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("/jenkins/job/team/job/checkout/job/release%252F1.2/api/json")),
        "{requests:#?}"
    );
}

#[tokio::test]
async fn a_running_build_is_updated_when_it_finishes_and_never_counted_twice() {
    let fake = FakeJenkins::start();
    fake.add_job(
        PIPELINE_PATH,
        Job {
            pipeline: true,
            builds: vec![pipeline_build(2, None), pipeline_build(1, Some("SUCCESS"))],
        },
    );
    let config = jenkins_config(&fake, vec![pipeline_job()]);
    let source = source(&config);
    let mut app = new_app();
    deliver(&mut app, &source.fetch().await);
    assert_eq!(app.model.data.deployments.len(), 2);

    // Nothing changed: one request, nothing re-sent.
    fake.take_requests();
    let quiet = source.fetch().await.expect("a quiet fetch");
    let requests = fake.take_requests();
    let numbers: Vec<&str> = deployments_of(&quiet)
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    assert_eq!(
        numbers,
        ["jenkins:team/deploy/checkout#2"],
        "only the running build again"
    );
    deliver(&mut app, &Ok(quiet));
    assert_eq!(app.model.data.deployments.len(), 2);

    // Build 2 finishes, build 3 starts, 4 succeeds.
    fake.lock().jobs.get_mut(PIPELINE_PATH).expect("job").builds = vec![
        pipeline_build(4, Some("SUCCESS")),
        pipeline_build(3, None),
        pipeline_build(2, Some("SUCCESS")),
        pipeline_build(1, Some("SUCCESS")),
    ];
    let next = source.fetch().await.expect("the next fetch");
    let mut sent: Vec<&str> = deployments_of(&next)
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    sent.sort_unstable();
    assert_eq!(
        sent,
        [
            "jenkins:team/deploy/checkout#2",
            "jenkins:team/deploy/checkout#3",
            "jenkins:team/deploy/checkout#4"
        ],
        "new builds and the one that was running; build 1 is not sent again"
    );
    deliver(&mut app, &Ok(next));
    let all = by_id(&app);
    assert_eq!(all.len(), 4, "each build once");
    let two = &all["jenkins:team/deploy/checkout#2"];
    assert_eq!(two.status, DeployStatus::Success);
    assert_eq!(two.finished_at, Some(ms(T0 + 2 * 3_600_000 + 600_000)));
    let successes = all
        .values()
        .filter(|d| d.status == DeployStatus::Success)
        .count();
    assert_eq!(successes, 3);

    // Unchanged but for the running build 3: one request for the builds.
    fake.take_requests();
    source.fetch().await.expect("a fetch");
    let builds_requests = fake
        .take_requests()
        .into_iter()
        .filter(|r| r.contains("/api/json?"))
        .count();
    assert_eq!(builds_requests, 1);
    assert!(
        requests.iter().filter(|r| r.contains("/api/json?")).count() == 1,
        "{requests:#?}"
    );
}

fn long_job(total: u64) -> Job {
    Job {
        pipeline: false,
        builds: (1..=total)
            .rev()
            .map(|n| {
                let p = params(&format!("2.0.{n}"));
                let p: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
                build(
                    n,
                    Some("SUCCESS"),
                    T0 + n as i64 * 60_000,
                    1_000,
                    &p,
                    &[],
                    false,
                )
            })
            .collect(),
    }
}

#[tokio::test]
async fn history_past_the_newest_hundred_comes_from_all_builds_ranges() {
    let fake = FakeJenkins::start();
    fake.add_job(PIPELINE_PATH, long_job(250));
    let mut config = jenkins_config(&fake, vec![pipeline_job()]);
    config.history_builds = 1_000;
    let fetched = source(&config).fetch().await.expect("a first sync");
    let mut numbers: Vec<u64> = deployments_of(&fetched)
        .iter()
        .filter_map(|d| d.id.rsplit('#').next()?.parse().ok())
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=250).collect::<Vec<_>>(), "every build, once");
    let trees: Vec<String> = fake
        .take_requests()
        .into_iter()
        .filter_map(|r| r.split_once("tree=").map(|(_, t)| t.to_string()))
        .collect();
    let lists: Vec<(bool, String)> = trees
        .iter()
        .map(|t| {
            (
                t.contains("allBuilds["),
                t[t.rfind('{').unwrap_or(0)..].to_string(),
            )
        })
        .collect();
    assert_eq!(
        lists,
        [
            (false, "{0,100}".to_string()),
            (true, "{100,200}".to_string()),
            (true, "{200,300}".to_string())
        ]
    );
    assert!(trees
        .iter()
        .all(|t| t.contains("changeSet[items[") && t.contains("changeSets[items[")));

    // history_builds bounds the first sync.
    config.history_builds = 150;
    let fetched = source(&config).fetch().await.expect("a bounded first sync");
    let mut numbers: Vec<u64> = deployments_of(&fetched)
        .iter()
        .filter_map(|d| d.id.rsplit('#').next()?.parse().ok())
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (101..=250).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_burst_of_new_builds_is_walked_back_to_the_last_seen_one() {
    let fake = FakeJenkins::start();
    fake.add_job(PIPELINE_PATH, long_job(10));
    let config = jenkins_config(&fake, vec![pipeline_job()]);
    let source = source(&config);
    source.fetch().await.expect("a first sync");
    *fake.lock().jobs.get_mut(PIPELINE_PATH).expect("job") = long_job(140);
    let fetched = source.fetch().await.expect("a later fetch");
    let mut numbers: Vec<u64> = deployments_of(&fetched)
        .iter()
        .filter_map(|d| d.id.rsplit('#').next()?.parse().ok())
        .collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (11..=140).collect::<Vec<_>>(),
        "nothing missed, nothing repeated"
    );
}

#[tokio::test]
async fn a_build_missing_a_required_field_is_rejected_with_its_reason() {
    let fake = FakeJenkins::start();
    let mut no_version = pipeline_build(2, Some("SUCCESS"));
    no_version["actions"] = json!([{"parameters": [{"name": "TARGET", "value": "prod"}]}]);
    let mut no_time = pipeline_build(3, Some("SUCCESS"));
    no_time
        .as_object_mut()
        .expect("an object")
        .remove("timestamp");
    fake.add_job(
        PIPELINE_PATH,
        Job {
            pipeline: true,
            builds: vec![no_time, no_version, pipeline_build(1, Some("SUCCESS"))],
        },
    );
    let config = jenkins_config(&fake, vec![pipeline_job()]);
    let result = source(&config).fetch().await;
    let mut app = new_app();
    deliver(&mut app, &result);
    assert_eq!(app.model.data.deployments.len(), 1, "never half-used");
    let mut reasons: Vec<(String, String)> = app
        .model
        .data
        .rejected
        .iter()
        .map(|r| (r.record.clone(), r.reason.clone()))
        .collect();
    reasons.sort();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert_eq!(reasons[0].0, "job team/deploy/checkout #2");
    assert!(reasons[0].1.contains("VERSION"), "{reasons:?}");
    assert_eq!(reasons[1].0, "job team/deploy/checkout #3");
    assert!(reasons[1].1.contains("timestamp"), "{reasons:?}");
    assert!(app
        .model
        .data
        .rejected
        .iter()
        .all(|r| r.source == "jenkins"));
}

#[tokio::test]
async fn auth_failures_and_bad_answers_are_named_and_nothing_is_lost() {
    let fake = FakeJenkins::start();
    fake.add_job(
        PIPELINE_PATH,
        Job {
            pipeline: true,
            builds: vec![pipeline_build(1, Some("SUCCESS"))],
        },
    );
    let config = jenkins_config(&fake, vec![pipeline_job()]);
    let source = source(&config);
    let mut app = new_app();
    deliver(&mut app, &source.fetch().await);
    assert_eq!(app.model.data.deployments.len(), 1);
    for (mode, kind, words) in [
        (Mode::Unauthorized, SourceErrorKind::Auth, "HTTP 401"),
        (
            Mode::LoginPage,
            SourceErrorKind::Auth,
            "HTML page (titled \"Sign in [Jenkins]\")",
        ),
        (
            Mode::RedirectToLogin,
            SourceErrorKind::Auth,
            "HTML page (titled \"Sign in [Jenkins]\")",
        ),
        (
            Mode::MalformedJson,
            SourceErrorKind::BadResponse,
            "malformed JSON",
        ),
    ] {
        fake.set_mode(mode);
        let result = source.fetch().await;
        let e = result
            .as_ref()
            .err()
            .unwrap_or_else(|| panic!("{mode:?} must fail"));
        assert_eq!(e.kind, kind, "{mode:?}: {e}");
        assert!(e.message.contains(words), "{mode:?}: {e}");
        if kind == SourceErrorKind::Auth {
            assert!(e.message.contains("API token"), "{mode:?}: {e}");
        }
        assert!(!e.message.contains(jenkins_fake::TOKEN), "{e}");
        deliver(&mut app, &result);
        let status = app
            .model
            .sources
            .iter()
            .find(|s| s.id == "jenkins")
            .expect("the source's status");
        assert_eq!(status.last_error.as_ref().map(|(_, e)| e.kind), Some(kind));
        assert_eq!(
            app.model.data.deployments.len(),
            1,
            "{mode:?}: what was fetched stays"
        );
    }
    // A wrong token is refused like any 401.
    fake.set_mode(Mode::Normal);
    std::env::set_var("FD_TEST_JENKINS_WRONG", "not-the-token");
    let mut wrong = config.clone();
    wrong.token_env = Some("FD_TEST_JENKINS_WRONG".into());
    let e = JenkinsSource::new(&wrong, &BTreeMap::new())
        .expect("a source")
        .fetch()
        .await
        .expect_err("refused");
    assert_eq!(e.kind, SourceErrorKind::Auth, "{e}");
    // And the failed fetches lost no state: the next one sends nothing new.
    let again = source.fetch().await.expect("recovered");
    assert!(deployments_of(&again).is_empty());
}

#[tokio::test]
async fn doctor_checks_the_token_and_names_a_missing_job() {
    let fake = FakeJenkins::start();
    fake.add_job(
        PIPELINE_PATH,
        Job {
            pipeline: true,
            builds: vec![],
        },
    );
    let mut missing = pipeline_job();
    missing.job = "team/deploy/cart".into();
    let config = jenkins_config(&fake, vec![pipeline_job(), missing]);
    let checks = probe(&config).await;
    let shown: Vec<String> = checks
        .iter()
        .map(|c| match &c.outcome {
            Outcome::Ok(detail) => format!("ok {}: {detail}", c.what),
            Outcome::Fail(error) => format!("FAIL {}: {error}", c.what),
            other => format!("{other:?} {}", c.what),
        })
        .collect();
    assert_eq!(shown.len(), 3, "{shown:#?}");
    assert_eq!(
        shown[0],
        format!("ok credentials: authenticated as {}", jenkins_fake::USER)
    );
    assert!(
        shown[1].starts_with("ok job team/deploy/checkout: found (pipeline)"),
        "{shown:#?}"
    );
    assert!(
        shown[2].starts_with(
            "FAIL job team/deploy/cart: config: job team/deploy/cart not found (HTTP 404)"
        ),
        "{shown:#?}"
    );
    fake.set_mode(Mode::RedirectToLogin);
    let checks = probe(&config).await;
    assert!(
        matches!(&checks[..], [c] if c.what == "credentials" && matches!(&c.outcome, Outcome::Fail(e) if e.kind == SourceErrorKind::Auth)),
        "{checks:?}"
    );
}

/// The configured poller (id "jenkins") sends what the source fetched as events; the
/// app built from those events holds the job's deployments.
#[tokio::test]
async fn the_configured_poller_delivers_jenkins_deployments_as_events() {
    let fake = FakeJenkins::start();
    fake.add_job(
        PIPELINE_PATH,
        Job {
            pipeline: true,
            builds: vec![
                pipeline_build(2, Some("SUCCESS")),
                pipeline_build(1, Some("ABORTED")),
            ],
        },
    );
    let config = Config {
        jenkins: Some(jenkins_config(&fake, vec![pipeline_job()])),
        ..Default::default()
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let handles = flightdeck::sources::registry::spawn_configured(&config, tx, shutdown, None);
    assert_eq!(
        handles.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
        ["jenkins"]
    );
    let mut app = new_app();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let event = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("an event in time")
            .expect("the channel stays open");
        let fetched = matches!(
            &event,
            Event::Source(SourceEvent {
                kind: SourceEventKind::Fetched { .. },
                ..
            })
        );
        app.update(event);
        if fetched {
            break;
        }
    }
    let _ = stop.send(true);
    let all = by_id(&app);
    assert_eq!(all.len(), 2);
    assert_eq!(
        all["jenkins:team/deploy/checkout#1"].status,
        DeployStatus::Canceled
    );
    assert_eq!(
        all["jenkins:team/deploy/checkout#2"].status,
        DeployStatus::Success
    );
    let status = app
        .model
        .sources
        .iter()
        .find(|s| s.id == "jenkins")
        .expect("a status");
    assert!(status.last_ok.is_some() && status.last_error.is_none());
}

/// The newest build of each job is kept in the cache's sync state: a restart asks
/// for one small page per job, and only a build newer than the cached ones is new.
#[tokio::test]
async fn a_restart_resumes_from_the_newest_build_the_cache_remembers() {
    let dir = std::env::temp_dir().join(format!("fd-jenkins-resume-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("cache.sqlite3");
    let fake = FakeJenkins::start();
    fake.add_job(PIPELINE_PATH, long_job(250));
    let mut config = jenkins_config(&fake, vec![pipeline_job()]);
    config.history_builds = 1_000;
    let first = source(&config).with_cache(Some(path.clone()));
    let fetched = first.fetch().await.expect("a first sync");
    assert_eq!(first.last_request_count(), 3);
    let mut cache = flightdeck::store::Cache::open(&path).expect("cache");
    cache
        .save("jenkins", Utc::now(), &fetched.data)
        .expect("saved");
    drop(cache);
    fake.take_requests();

    *fake.lock().jobs.get_mut(PIPELINE_PATH).expect("job") = long_job(251);
    let second = source(&config).with_cache(Some(path));
    let fetched = second.fetch().await.expect("after a restart");
    assert_eq!(
        second.last_request_count(),
        1,
        "{:#?}",
        fake.take_requests()
    );
    let numbers: Vec<u64> = deployments_of(&fetched)
        .iter()
        .filter_map(|d| d.id.rsplit('#').next()?.parse().ok())
        .collect();
    assert_eq!(numbers, vec![251], "only the build that is new");
}
