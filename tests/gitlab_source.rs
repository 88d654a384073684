//! The GitLab source against an in-process fake GitLab that answers as the documented
//! API does: each fetch goes through the real source and client, and its result
//! reaches an `App` as the `Fetched` (or `Failed`) event the poller would send.

mod gitlab_fake;
mod hostile;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use flightdeck::app::{App, View};
use flightdeck::config::{Config, GitLabAuth, GitLabConfig, GitLabProject};
use flightdeck::event::{Event, SourceData, SourceErrorKind, SourceEvent, SourceEventKind};
use flightdeck::model::DeployStatus;
use flightdeck::sources::gitlab::probe::{probe, Outcome};
use flightdeck::sources::gitlab::GitLabSource;
use flightdeck::sources::poller::FetchResult;
use gitlab_fake::{
    commit, incident, job, merge_request, sha, Dep, FakeGitLab, Paging, Project, TOKEN,
};

const TOKEN_ENV: &str = "FD_GITLAB_TEST_TOKEN";

fn now() -> DateTime<Utc> {
    Utc::now()
}

fn project(id: u64, path: &str, deployments: Vec<serde_json::Value>) -> Project {
    Project {
        id,
        path: path.into(),
        deployments,
        commits: Vec::new(),
        compare_limit: None,
        jobs: Default::default(),
        issues: Vec::new(),
        merge_requests: Vec::new(),
    }
}

fn config(fake: &FakeGitLab, projects: &[(&str, &str)]) -> GitLabConfig {
    std::env::set_var(TOKEN_ENV, TOKEN);
    GitLabConfig {
        url: fake.url.clone(),
        auth: GitLabAuth::PrivateToken,
        token_env: Some(TOKEN_ENV.into()),
        timeout_seconds: 10,
        projects: projects
            .iter()
            .map(|(p, service)| GitLabProject {
                project: (*p).into(),
                service: (*service).into(),
                environments: vec!["production".into()],
                incidents: false,
            })
            .collect(),
        ..Default::default()
    }
}

fn source(config: &GitLabConfig) -> GitLabSource {
    GitLabSource::new(config, &BTreeMap::new()).expect("a GitLab source")
}

/// `n` successful production deployments, one an hour from `start`, each with a job,
/// deploying commit `i + 1` of the history.
fn history(n: usize, start: DateTime<Utc>) -> Vec<serde_json::Value> {
    (0..n)
        .map(|i| {
            let at = start + Duration::hours(i as i64);
            Dep {
                id: i as u64 + 1,
                environment: "production",
                sha: Some(sha(i + 1)),
                status: "success",
                created: at,
                updated: at + Duration::minutes(5),
                job: Some((at + Duration::seconds(10), Some(at + Duration::minutes(4)))),
            }
            .json()
        })
        .collect()
}

fn app() -> App {
    let view = View {
        tz: flightdeck::zone::Tz::UTC,
        demo: false,
    };
    App::new(
        view,
        flightdeck::config::metrics_settings(&Config::default()),
        now(),
    )
}

/// What the poller does with a fetch's result: one event into the app.
fn deliver(app: &mut App, result: FetchResult) {
    let at = now();
    let kind = match result {
        Ok(f) => SourceEventKind::Fetched {
            at,
            data: f.data,
            warnings: f.warnings,
        },
        Err(e) => SourceEventKind::Failed {
            at,
            error: e.error,
            retry_after: e.retry_after,
        },
    };
    app.update(Event::Source(SourceEvent {
        source: "gitlab".into(),
        kind,
    }));
}

fn ids(app: &App) -> Vec<String> {
    let mut ids: Vec<String> = app
        .model
        .data
        .deployments
        .iter()
        .map(|d| d.id.clone())
        .collect();
    ids.sort();
    ids
}

/// The model's id of the fake's deployment `i` (the only record of its pipeline,
/// which the fake numbers `i + 20000`).
fn gid(i: u64) -> String {
    format!("gitlab:pipeline:{}:production", i + 20_000)
}

fn expected_ids(n: usize) -> Vec<String> {
    let mut v: Vec<String> = (1..=n as u64).map(gid).collect();
    v.sort();
    v
}

fn old_start(n: usize) -> DateTime<Utc> {
    // Older than the commits window: no compares, only the listing is exercised.
    now()
        - Duration::days(flightdeck::sources::gitlab::COMMITS_DAYS + 30)
        - Duration::hours(n as i64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_pages_are_read_by_x_next_page_and_by_link_alone() {
    for paging in [Paging::Headers, Paging::LinkOnly] {
        let fake = FakeGitLab::start(vec![project(5, "acme/app", history(250, old_start(250)))]);
        fake.with(|s| s.paging = paging);
        let src = source(&config(&fake, &[("acme/app", "checkout")]));
        let mut app = app();
        deliver(&mut app, src.fetch_at(now()).await);
        assert_eq!(ids(&app), expected_ids(250), "{paging:?}");
        let asked = fake.requests("/deployments");
        assert_eq!(asked.len(), 3, "{paging:?}: {asked:#?}");
        assert!(
            asked[0].contains("/projects/acme%2Fapp/deployments"),
            "the path is URL-encoded: {}",
            asked[0]
        );
        for part in [
            "order_by=updated_at",
            "sort=asc",
            "per_page=100",
            "environment=production",
        ] {
            assert!(asked[0].contains(part), "{part} missing from {}", asked[0]);
        }
        assert!(app.model.data.services.contains(&"checkout".to_string()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_ten_thousand_records_are_all_read_without_total_pages() {
    let n = 10_050;
    let fake = FakeGitLab::start(vec![project(5, "acme/app", history(n, old_start(n)))]);
    let src = source(&config(&fake, &[("acme/app", "checkout")]));
    let mut app = app();
    deliver(&mut app, src.fetch_at(now()).await);
    assert_eq!(app.model.data.deployments.len(), n);
    assert_eq!(fake.requests("/deployments").len(), 101);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_poll_asks_only_for_what_changed_and_a_status_move_is_an_update() {
    let start = old_start(3);
    let mut records = history(3, start);
    let running_at = start + Duration::hours(5);
    let running = Dep {
        id: 4,
        environment: "production",
        sha: Some(sha(4)),
        status: "running",
        created: running_at,
        updated: running_at,
        job: Some((running_at, None)),
    };
    records.push(running.json());
    let fake = FakeGitLab::start(vec![project(5, "acme/app", records)]);
    let src = source(&config(&fake, &[("acme/app", "checkout")]));
    let mut app = app();
    deliver(&mut app, src.fetch_at(now()).await);
    assert_eq!(app.model.data.deployments.len(), 4);

    // Unchanged: one request, with the watermark.
    deliver(&mut app, src.fetch_at(now()).await);
    let asked = fake.requests("/deployments");
    assert_eq!(asked.len(), 2, "{asked:#?}");
    assert!(asked[1].contains("updated_after="), "{}", asked[1]);

    // The running deployment finishes: its record comes again, updated.
    let done = running_at + Duration::minutes(7);
    fake.with(|s| {
        s.projects[0].deployments[3] = Dep {
            status: "success",
            updated: done,
            job: Some((running_at, Some(done))),
            ..running
        }
        .json();
    });
    deliver(&mut app, src.fetch_at(now()).await);
    assert_eq!(
        app.model.data.deployments.len(),
        4,
        "updated, not counted twice"
    );
    let d = app
        .model
        .data
        .deployments
        .iter()
        .find(|d| d.id == gid(4))
        .expect("deployment 4");
    assert_eq!(d.status, DeployStatus::Success);
    assert_eq!(d.finished_at, Some(done));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_made_through_the_api_finishes_at_its_update() {
    // Whole seconds: the fake writes milliseconds.
    let at = DateTime::from_timestamp(now().timestamp() - 200 * 86_400, 0).expect("a time");
    let record = Dep {
        id: 1,
        environment: "production",
        sha: Some(sha(1)),
        status: "success",
        created: at,
        updated: at + Duration::minutes(3),
        job: None,
    }
    .json();
    assert!(record["deployable"].is_null());
    let fake = FakeGitLab::start(vec![project(5, "acme/app", vec![record])]);
    let src = source(&config(&fake, &[("acme/app", "checkout")]));
    let mut app = app();
    deliver(&mut app, src.fetch_at(now()).await);
    let d = app.model.data.deployments.iter().next().expect("one");
    assert_eq!(d.started_at, at);
    assert_eq!(d.finished_at, Some(at + Duration::minutes(3)));
    assert_eq!(d.url, None);
    assert_eq!(d.id, "gitlab:1", "no pipeline: the record's own id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_without_sha_is_rejected_visibly_once_and_the_rest_is_kept() {
    let start = old_start(3);
    let mut records = history(3, start);
    // The last one updated, so the next poll's watermark second reads it again.
    records[2].as_object_mut().expect("an object").remove("sha");
    let fake = FakeGitLab::start(vec![project(5, "acme/app", records)]);
    let src = source(&config(&fake, &[("acme/app", "checkout")]));
    let mut app = app();
    deliver(&mut app, src.fetch_at(now()).await);
    assert_eq!(ids(&app), [gid(1), gid(2)]);
    let rejected = &app.model.data.rejected;
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0].source, "gitlab");
    assert_eq!(rejected[0].record, "acme/app deployment 3");
    assert_eq!(rejected[0].reason, "no sha");
    // Seen again by the next poll (the watermark's second): not listed twice.
    let again = src.fetch_at(now()).await;
    assert!(fake.requests("/deployments")[1].contains("updated_after="));
    deliver(&mut app, again);
    assert_eq!(app.model.data.rejected.len(), 1);
}

/// Two successful deployments 50 commits apart: the second ships exactly those 50,
/// with their authored and committed dates. `limit` cuts the compare short.
async fn fifty_commits(limit: Option<usize>) -> (FakeGitLab, App) {
    let start = now() - Duration::days(3);
    let history_start = start - Duration::days(2);
    let commits: Vec<serde_json::Value> = (0..=60).map(|n| commit(n, history_start)).collect();
    let dep = |id: u64, n: usize, at: DateTime<Utc>| {
        Dep {
            id,
            environment: "production",
            sha: Some(sha(n)),
            status: "success",
            created: at,
            updated: at + Duration::minutes(5),
            job: Some((at, Some(at + Duration::minutes(4)))),
        }
        .json()
    };
    let records = vec![dep(1, 5, start), dep(2, 55, start + Duration::hours(3))];
    let mut p = project(5, "acme/app", records);
    p.commits = commits;
    p.compare_limit = limit;
    let fake = FakeGitLab::start(vec![p]);
    let src = source(&config(&fake, &[("acme/app", "checkout")]));
    let mut app = app();
    deliver(&mut app, src.fetch_at(now()).await);
    (fake, app)
}

fn assert_fifty(app: &App) {
    let d = app
        .model
        .data
        .deployments
        .iter()
        .find(|d| d.id == gid(2))
        .expect("deployment 2");
    let mut shas: Vec<&str> = d.commits.iter().map(|c| c.sha.as_str()).collect();
    shas.sort();
    let mut expected: Vec<String> = (6..=55).map(sha).collect();
    expected.sort();
    assert_eq!(shas, expected);
    let history_start = d.commits.iter().map(|c| c.authored_at).min().expect("some");
    for c in &d.commits {
        assert_eq!(
            c.committed_at - c.authored_at,
            Duration::seconds(30),
            "{c:?}"
        );
    }
    assert!(history_start < d.started_at);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_ships_the_commits_since_the_previous_success() {
    let (fake, mut app) = fifty_commits(None).await;
    assert_fifty(&app);
    // The DORA figures stand on them: two production deployments, 50 changes.
    app.refresh_derived();
    let dora = &app.derived.services["checkout"].dora;
    assert_eq!(dora.deployment_frequency.deployments, 2);
    assert_eq!(dora.lead_time.changes, 50);
    let first = app
        .model
        .data
        .deployments
        .iter()
        .find(|d| d.id == gid(1))
        .expect("deployment 1");
    assert!(
        first.commits.is_empty(),
        "no earlier success to compare with"
    );
    let compares = fake.requests("/repository/compare");
    assert_eq!(compares.len(), 1, "{compares:#?}");
    assert!(
        compares[0].contains(&format!("from={}", sha(5))),
        "{}",
        compares[0]
    );
    assert!(fake.requests("/repository/commits").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_compare_is_completed_from_the_commits_list() {
    let (fake, app) = fifty_commits(Some(20)).await;
    assert_fifty(&app);
    assert_eq!(fake.requests("/repository/commits").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_with_retry_after_is_waited_out() {
    let fake = FakeGitLab::start(vec![project(5, "acme/app", history(3, old_start(3)))]);
    fake.with(|s| {
        s.rate_limited = 1;
        s.retry_after_secs = 1;
    });
    let src = source(&config(&fake, &[("acme/app", "checkout")]));
    let mut app = app();
    deliver(&mut app, src.fetch_at(now()).await);
    assert_eq!(app.model.data.deployments.len(), 3);
    assert_eq!(
        fake.requests("/deployments").len(),
        2,
        "asked again after the 429"
    );

    // A wait longer than one fetch waits is handed to the poller, not ignored.
    fake.with(|s| {
        s.rate_limited = 10;
        s.retry_after_secs = 600;
    });
    let e = src.fetch_at(now()).await.expect_err("rate limited");
    assert_eq!(e.kind, SourceErrorKind::RateLimited);
    assert_eq!(e.retry_after, Some(std::time::Duration::from_secs(600)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_and_a_login_page_are_auth_errors_on_the_header() {
    let fake = FakeGitLab::start(vec![project(5, "acme/app", history(3, old_start(3)))]);
    let mut cfg = config(&fake, &[("acme/app", "checkout")]);
    std::env::set_var("FD_GITLAB_TEST_WRONG", "glpat-not-the-right-one");
    cfg.token_env = Some("FD_GITLAB_TEST_WRONG".into());
    let mut app = app();
    deliver(&mut app, source(&cfg).fetch_at(now()).await);
    let status = app
        .model
        .sources
        .iter()
        .find(|s| s.id == "gitlab")
        .expect("gitlab status");
    let (_, e) = status.last_error.as_ref().expect("an error");
    assert_eq!(e.kind, SourceErrorKind::Auth);
    assert!(e.message.contains("HTTP 401"), "{}", e.message);
    assert!(e.message.contains("401 Unauthorized"), "{}", e.message);

    fake.with(|s| s.html_login = true);
    let e = source(&config(&fake, &[("acme/app", "checkout")]))
        .fetch_at(now())
        .await
        .expect_err("a login page");
    assert_eq!(e.kind, SourceErrorKind::Auth);
    assert!(e.message.contains("HTML page"), "{}", e.message);
    assert!(e.message.contains("Sign in"), "{}", e.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_auth_sends_the_token_as_bearer() {
    let fake = FakeGitLab::start(vec![project(5, "acme/app", history(2, old_start(2)))]);
    let mut cfg = config(&fake, &[("acme/app", "checkout")]);
    cfg.auth = GitLabAuth::Bearer;
    let fetched = source(&cfg).fetch_at(now()).await.expect("bearer works");
    assert!(fetched
        .data
        .iter()
        .any(|d| matches!(d, SourceData::Deployments(v) if v.len() == 2)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeating_page_or_a_looping_link_stops_with_a_warning_and_keeps_what_was_read() {
    for paging in [Paging::RepeatPage, Paging::LinkLoop, Paging::LinkElsewhere] {
        let fake = FakeGitLab::start(vec![project(5, "acme/app", history(250, old_start(250)))]);
        fake.with(|s| s.paging = paging);
        let src = source(&config(&fake, &[("acme/app", "checkout")]));
        let fetched = src.fetch_at(now()).await.expect("what was read is kept");
        let warning = fetched
            .warnings
            .iter()
            .find(|w| w.contains("acme/app (production) deployments"))
            .unwrap_or_else(|| panic!("{paging:?}: no warning in {:?}", fetched.warnings));
        assert!(
            warning.contains("repeats")
                || warning.contains("already read")
                || warning.contains("outside the configured url"),
            "{warning}"
        );
        let asked = fake.requests("/deployments").len();
        assert!(asked <= 3, "{paging:?}: {asked} requests");
        let mut app = app();
        deliver(&mut app, Ok(fetched));
        let n = app.model.data.deployments.len();
        assert!((100..=200).contains(&n), "{paging:?}: {n}");
        assert!(fake.requests("elsewhere").is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_project_is_a_warning_while_the_others_are_read() {
    let fake = FakeGitLab::start(vec![project(5, "acme/app", history(2, old_start(2)))]);
    let src = source(&config(
        &fake,
        &[("acme/gone", "ghost"), ("acme/app", "checkout")],
    ));
    let fetched = src.fetch_at(now()).await.expect("one project works");
    assert!(
        fetched
            .warnings
            .iter()
            .any(|w| w.starts_with("acme/gone (production)") && w.contains("404")),
        "{:?}",
        fetched.warnings
    );
    let mut app = app();
    deliver(&mut app, Ok(fetched));
    assert_eq!(app.model.data.deployments.len(), 2);

    let only_gone = source(&config(&fake, &[("acme/gone", "ghost")]));
    let e = only_gone.fetch_at(now()).await.expect_err("nothing works");
    assert_eq!(e.kind, SourceErrorKind::Config);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_probe_checks_token_project_and_environments() {
    let fake = FakeGitLab::start(vec![project(5, "acme/app", history(2, old_start(2)))]);
    let mut cfg = config(&fake, &[("acme/app", "checkout"), ("acme/gone", "ghost")]);
    cfg.projects[0].environments.push("staging".into());
    let checks = probe(&source(&cfg)).await;
    let lines: Vec<(String, String)> = checks
        .iter()
        .map(|c| {
            let outcome = match &c.outcome {
                Outcome::Ok(t) => format!("ok {t}"),
                Outcome::Warn(t) => format!("warn {t}"),
                Outcome::Fail(e) => format!("FAIL {e}"),
                Outcome::Note => "note".to_string(),
            };
            (c.what.clone(), outcome)
        })
        .collect();
    let find = |what: &str| {
        lines
            .iter()
            .find(|(w, _)| w == what)
            .map(|(_, o)| o.clone())
            .unwrap_or_else(|| panic!("no {what} in {lines:#?}"))
    };
    assert_eq!(find("token"), "ok valid, for user fd-bot");
    assert!(find("project acme/app").starts_with("ok found (acme/app, id 5)"));
    assert!(find("  environment production").starts_with("ok has deployments"));
    assert!(find("  environment staging").starts_with("warn no deployments"));
    let gone = find("project acme/gone");
    assert!(
        gone.starts_with(
            "FAIL config: project: not found (HTTP 404); check the project's full path"
        ),
        "{gone}"
    );

    std::env::set_var("FD_GITLAB_TEST_WRONG2", "glpat-wrong-token-xyz");
    cfg.token_env = Some("FD_GITLAB_TEST_WRONG2".into());
    let checks = probe(&source(&cfg)).await;
    assert_eq!(checks.len(), 1, "{checks:?}");
    assert!(matches!(&checks[0].outcome, Outcome::Fail(e) if e.kind == SourceErrorKind::Auth));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_says_where_it_broke() {
    let fake = FakeGitLab::start(vec![project(5, "acme/app", history(3, old_start(3)))]);
    fake.with(|s| s.malformed = true);
    let e = source(&config(&fake, &[("acme/app", "checkout")]))
        .fetch_at(now())
        .await
        .expect_err("cut-off JSON");
    assert_eq!(e.kind, SourceErrorKind::BadResponse);
    assert!(
        e.message
            .starts_with("acme/app (production) deployments: not the JSON GitLab sends"),
        "{}",
        e.message
    );
}

/// Every string the source puts in the model, from a GitLab that puts the hostile
/// corpus in every field: clean, bounded, the token redacted, and each field's tag
/// there (it was read, not dropped).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_string_from_a_hostile_gitlab_is_clean_in_the_model() {
    use flightdeck::model::sanitize::is_clean;
    let server = hostile::HostileServer::start();
    std::env::set_var("FD_GITLAB_HOSTILE_TOKEN", hostile::TOKEN);
    let mut cfg = GitLabConfig {
        url: format!("{}/gitlab", server.url),
        token_env: Some("FD_GITLAB_HOSTILE_TOKEN".into()),
        timeout_seconds: 5,
        projects: vec![GitLabProject {
            project: "acme/app".into(),
            service: "checkout".into(),
            environments: vec!["production".into()],
            incidents: true,
        }],
        ..Default::default()
    };
    cfg.auth = GitLabAuth::PrivateToken;
    let fetched = source(&cfg)
        .fetch_at(now())
        .await
        .expect("a hostile answer");
    let mut strings: Vec<String> = fetched.warnings.iter().map(|w| w.to_string()).collect();
    for data in &fetched.data {
        match data {
            SourceData::Deployments(ds) => {
                assert_eq!(
                    ds.len(),
                    3,
                    "two production successes and a hostile environment"
                );
                for d in ds {
                    strings.extend([
                        d.id.clone(),
                        d.service.clone(),
                        d.environment.clone(),
                        d.version.clone(),
                        d.sha.clone(),
                        d.deployer.clone(),
                    ]);
                    strings.extend(d.url.clone());
                    strings.extend(d.stages.iter().map(|s| s.name.clone()));
                    for c in &d.commits {
                        strings.extend([c.sha.clone(), c.title.clone(), c.author.clone()]);
                    }
                }
            }
            SourceData::Incidents(is) => {
                assert_eq!(is.len(), 1, "the hostile incident");
                for i in is {
                    strings.extend([i.key.clone(), i.title.clone(), i.severity.clone()]);
                    strings.extend(i.linked_deployment.clone());
                }
            }
            SourceData::Rejected(rs) => {
                assert_eq!(rs.len(), 1, "the hostile status");
                for r in rs {
                    strings.extend([r.record.clone(), r.reason.clone()]);
                }
            }
            _ => {}
        }
    }
    for s in &strings {
        assert!(is_clean(s), "not clean: {s:?}");
        assert!(!s.contains(hostile::TOKEN), "the token: {s}");
        assert!(!s.contains(hostile::BEARER_WORD), "a credential: {s}");
        assert!(
            s.chars().count() <= 2_000,
            "{} characters",
            s.chars().count()
        );
    }
    let all = strings.join("\n");
    for tag in [
        "HOSTILE-ref",
        "HOSTILE-username",
        "HOSTILE-web_url",
        "hostile-environment",
        "HOSTILE-pipeline-job-stage",
        "HOSTILE-commit-title",
        "HOSTILE-commit-author",
        "HOSTILE-commit-id-1",
        "HOSTILE-status",
        "HOSTILE-incident-title",
        "hostile-incident-severity",
        "HOSTILE-incident-ref",
    ] {
        assert!(all.contains(tag), "{tag} never reached the model");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gitlab_without_deployments_yet_is_not_called_no_deployment_source() {
    let fake = FakeGitLab::start(vec![project(5, "acme/app", Vec::new())]);
    let src = source(&config(&fake, &[("acme/app", "checkout")]));
    let mut app = app();
    app.register_source("gitlab", chrono::Duration::seconds(30));
    // Before the first answer, and after an answer with no deployments.
    assert_eq!(app.model.dora_unavailable(), Some("no deployments yet"));
    deliver(&mut app, src.fetch_at(now()).await);
    assert_eq!(app.model.dora_unavailable(), Some("no deployments yet"));
    // The first deployment brings figures.
    fake.with(|s| s.projects[0].deployments = history(1, old_start(1)));
    deliver(&mut app, src.fetch_at(now()).await);
    assert_eq!(app.model.dora_unavailable(), None);
}

/// Three records of one pipeline (a matrix deploy job per region), the last still
/// running at the first poll.
fn regions(start: DateTime<Utc>, last_finish: Option<DateTime<Utc>>) -> Vec<serde_json::Value> {
    (0..3u64)
        .map(|r| {
            let begun = start + Duration::minutes(r as i64);
            let finished = if r == 2 {
                last_finish
            } else {
                Some(begun + Duration::minutes(4))
            };
            let mut v = Dep {
                id: 40 + r,
                environment: "production",
                sha: Some(sha(7)),
                status: if finished.is_some() {
                    "success"
                } else {
                    "running"
                },
                created: start,
                updated: finished.unwrap_or(begun),
                job: Some((begun, finished)),
            }
            .json();
            v["deployable"]["pipeline"]["id"] = serde_json::json!(36);
            v["deployable"]["name"] = serde_json::json!(format!("deploy: [region-{r}]"));
            v
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pipelines_parallel_deploy_records_are_one_deployment_finished_by_the_last() {
    // Inside the DORA window, in whole seconds.
    let start = DateTime::from_timestamp(now().timestamp() - 2 * 86_400, 0).expect("a time");
    let fake = FakeGitLab::start(vec![project(5, "acme/app", regions(start, None))]);
    let src = source(&config(&fake, &[("acme/app", "checkout")]));
    let mut app = app();
    deliver(&mut app, src.fetch_at(now()).await);
    let only = |app: &App| {
        let all: Vec<_> = app.model.data.deployments.iter().cloned().collect();
        assert_eq!(all.len(), 1, "one deployment per pipeline: {all:#?}");
        all[0].clone()
    };
    let d = only(&app);
    assert_eq!(d.id, "gitlab:pipeline:36:production");
    assert_eq!(d.status, DeployStatus::Running, "a region still deploys");
    assert_eq!(d.finished_at, None);
    assert_eq!(d.started_at, start);

    // The last region finishes: the same deployment, now finished by it.
    let last = start + Duration::minutes(30);
    fake.with(|s| s.projects[0].deployments = regions(start, Some(last)));
    deliver(&mut app, src.fetch_at(now()).await);
    let d = only(&app);
    assert_eq!(d.status, DeployStatus::Success);
    assert_eq!(d.finished_at, Some(last));
    app.refresh_derived();
    let dora = &app.derived.services["checkout"].dora;
    assert_eq!(
        dora.deployment_frequency.deployments, 1,
        "three records, one deployment"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stages_come_from_the_pipelines_jobs_retried_and_manual_handled() {
    use flightdeck::model::StageStatus;
    let start = DateTime::from_timestamp(now().timestamp() - 86_400, 0).expect("a time");
    let m = |n: i64| start + Duration::minutes(n);
    let mut p = project(5, "acme/app", regions(m(20), Some(m(31))));
    p.jobs.insert(
        36,
        vec![
            job(1, "build", "build", "success", Some((m(0), Some(m(8))))),
            // unit failed, was retried and passed: only the retry counts.
            job(2, "test", "unit", "failed", Some((m(9), Some(m(11))))),
            job(3, "test", "lint", "success", Some((m(9), Some(m(12))))),
            job(6, "test", "unit", "success", Some((m(12), Some(m(18))))),
            job(
                7,
                "deploy",
                "deploy: [region-0]",
                "success",
                Some((m(20), Some(m(24)))),
            ),
            job(
                8,
                "deploy",
                "deploy: [region-1]",
                "success",
                Some((m(21), Some(m(25)))),
            ),
            job(
                9,
                "deploy",
                "deploy: [region-2]",
                "success",
                Some((m(22), Some(m(31)))),
            ),
            // A manual job nobody ran.
            job(10, "verify", "manual-check", "manual", None),
        ],
    );
    let fake = FakeGitLab::start(vec![p]);
    let src = source(&config(&fake, &[("acme/app", "checkout")]));
    let mut app = app();
    deliver(&mut app, src.fetch_at(now()).await);
    let d = app
        .model
        .data
        .deployments
        .iter()
        .next()
        .expect("one")
        .clone();
    type Shown<'a> = (
        &'a str,
        StageStatus,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    );
    let shown: Vec<Shown> = d
        .stages
        .iter()
        .map(|s| (s.name.as_str(), s.status, s.started_at, s.finished_at))
        .collect();
    assert_eq!(
        shown,
        [
            ("build", StageStatus::Success, Some(m(0)), Some(m(8))),
            ("test", StageStatus::Success, Some(m(9)), Some(m(18))),
            ("deploy", StageStatus::Success, Some(m(20)), Some(m(31))),
            ("verify", StageStatus::Pending, None, None),
        ]
    );
    let asked = fake.requests("/pipelines/36/jobs");
    assert_eq!(asked.len(), 1, "{asked:#?}");
    assert!(asked[0].contains("include_retried=true"), "{}", asked[0]);

    // Unchanged, the jobs are not asked for again; the stages stay.
    deliver(&mut app, src.fetch_at(now()).await);
    assert_eq!(fake.requests("/pipelines/36/jobs").len(), 1);
    let d = app.model.data.deployments.iter().next().expect("one");
    assert_eq!(d.stages.len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gitlab_incidents_feed_change_failure_rate_and_recovery_time() {
    // Two successes a day apart; an incident labelled `deploy::<record id of the
    // second>`, resolved after 40 minutes; an ordinary issue that is no incident.
    let start = DateTime::from_timestamp(now().timestamp() - 5 * 86_400, 0).expect("a time");
    let mut p = project(5, "acme/app", history(2, start));
    let second_finished = start + Duration::hours(1) + Duration::minutes(4);
    let opened = second_finished + Duration::minutes(10);
    p.issues = vec![
        incident(
            7,
            "incident",
            &["severity::critical", "deploy::2"],
            opened,
            Some(opened + Duration::minutes(40)),
        ),
        incident(8, "issue", &[], opened, None),
    ];
    let fake = FakeGitLab::start(vec![p]);
    let mut cfg = config(&fake, &[("acme/app", "checkout")]);
    cfg.projects[0].incidents = true;
    let src = source(&cfg);
    let mut app = app();
    deliver(&mut app, src.fetch_at(now()).await);
    let incidents = &app.model.data.incidents;
    assert_eq!(incidents.len(), 1, "only the incident: {incidents:#?}");
    let i = &incidents[0];
    assert_eq!(i.key, "acme/app#7");
    assert_eq!(i.severity, "critical");
    assert_eq!(i.linked_deployment.as_deref(), Some(gid(2).as_str()));
    app.refresh_derived();
    let dora = &app.derived.services["checkout"].dora;
    assert_eq!(
        (
            dora.change_failure_rate.failed,
            dora.change_failure_rate.deployments
        ),
        (1, 2)
    );
    // From the earlier of the deployment's finish and the incident's creation to the
    // incident's resolution (no later success): 10 + 40 minutes.
    assert_eq!(dora.recovery_time.failures, 1);
    assert_eq!(dora.recovery_time.p50_seconds, Some(50.0 * 60.0));
    let asked = fake.requests("/issues");
    for part in ["issue_type=incident", "state=all", "order_by=updated_at"] {
        assert!(asked[0].contains(part), "{part} missing from {}", asked[0]);
    }

    // The next poll asks only for what changed, and finds nothing new.
    deliver(&mut app, src.fetch_at(now()).await);
    let asked = fake.requests("/issues");
    assert_eq!(asked.len(), 2);
    assert!(asked[1].contains("updated_after="), "{}", asked[1]);
    assert_eq!(app.model.data.incidents.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spent_quota_holds_the_next_request_until_its_reset() {
    let fake = FakeGitLab::start(vec![project(5, "acme/app", history(250, old_start(250)))]);
    let reset = (now().timestamp() + 2) as u64;
    fake.with(|s| s.quota_reset = Some(reset));
    let src = source(&config(&fake, &[("acme/app", "checkout")]));
    let mut app = app();
    deliver(&mut app, src.fetch_at(now()).await);
    assert_eq!(app.model.data.deployments.len(), 250);
    // Judged by the server's clock: after the first answer said "spent until
    // `reset`", no request came before it.
    let arrivals = fake.with(|s| s.arrivals.clone());
    assert_eq!(arrivals.len(), 3);
    for at in &arrivals[1..] {
        assert!(*at >= u128::from(reset) * 1_000, "{at} before {reset}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merge_requests_give_each_shipped_commit_its_merge_time() {
    let start = DateTime::from_timestamp(now().timestamp() - 3 * 86_400, 0).expect("a time");
    let history_start = start - Duration::days(2);
    let dep = |id: u64, n: usize, at: DateTime<Utc>| {
        Dep {
            id,
            environment: "production",
            sha: Some(sha(n)),
            status: "success",
            created: at,
            updated: at + Duration::minutes(5),
            job: Some((at, Some(at + Duration::minutes(4)))),
        }
        .json()
    };
    let mut p = project(
        5,
        "acme/app",
        vec![dep(1, 5, start), dep(2, 12, start + Duration::hours(3))],
    );
    p.commits = (0..=12).map(|n| commit(n, history_start)).collect();
    // Commits 6-8 merged by !1, 9-11 by !2; 12 was pushed directly.
    let first = start + Duration::hours(1);
    let second = start + Duration::hours(2);
    p.merge_requests = vec![
        merge_request(1, (6..=8).map(sha).collect(), first),
        merge_request(2, (9..=11).map(sha).collect(), second),
    ];
    let fake = FakeGitLab::start(vec![p]);
    let mut cfg = config(&fake, &[("acme/app", "checkout")]);
    cfg.merge_requests = true;
    let src = source(&cfg);
    let mut app = app();
    deliver(&mut app, src.fetch_at(now()).await);
    let d = app
        .model
        .data
        .deployments
        .iter()
        .find(|d| d.id == gid(2))
        .expect("deployment 2");
    let mut merged: Vec<(String, Option<DateTime<Utc>>)> = d
        .commits
        .iter()
        .map(|c| (c.sha.clone(), c.merged_at))
        .collect();
    merged.sort();
    let expected: Vec<(String, Option<DateTime<Utc>>)> = (6..=12)
        .map(|n| {
            let at = match n {
                6..=8 => Some(first),
                9..=11 => Some(second),
                _ => None,
            };
            (sha(n), at)
        })
        .collect();
    assert_eq!(merged, expected);
    let asked = fake.requests("/merge_requests");
    assert!(asked[0].contains("state=merged"), "{}", asked[0]);
    assert_eq!(
        asked.len(),
        3,
        "the list and each one's commits: {asked:#?}"
    );

    // Nothing merged since: one request for the list, none for commits.
    deliver(&mut app, src.fetch_at(now()).await);
    let asked = fake.requests("/merge_requests");
    assert_eq!(asked.len(), 4, "{asked:#?}");
    assert!(asked[3].contains("updated_after="), "{}", asked[3]);
}
