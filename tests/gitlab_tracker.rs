//! GitLab issues as the outbox's tracker, against the in-process fake GitLab: create
//! with the deterministic label, find by label, comment, and each failure's answer to
//! "could it have landed?".

mod gitlab_fake;
mod hostile;

use std::collections::BTreeMap;
use std::time::Duration;

use flightdeck::config::{GitLabAuth, GitLabConfig, GitLabProject};
use flightdeck::net::{HttpClient, HttpSettings, RetryPolicy};
use flightdeck::review::tracker::{Landed, OutgoingItem, Tracker, TrackerKey};
use flightdeck::sources::gitlab::tracker::GitLabTracker;
use flightdeck::sources::gitlab::GitLabSource;
use gitlab_fake::{FakeGitLab, Project, TOKEN};

const TOKEN_ENV: &str = "FD_GITLAB_TRACKER_TOKEN";

fn fake() -> FakeGitLab {
    FakeGitLab::start(vec![Project {
        id: 5,
        path: "acme/app".into(),
        deployments: Vec::new(),
        commits: Vec::new(),
        compare_limit: None,
        jobs: Default::default(),
        issues: Vec::new(),
        merge_requests: Vec::new(),
    }])
}

fn tracker(fake: &FakeGitLab, token_env: &str) -> GitLabTracker {
    let cfg = GitLabConfig {
        url: fake.url.clone(),
        auth: GitLabAuth::PrivateToken,
        token_env: Some(token_env.into()),
        timeout_seconds: 5,
        projects: vec![GitLabProject {
            project: "acme/app".into(),
            service: "checkout".into(),
            environments: vec!["production".into()],
            incidents: true,
        }],
        ..Default::default()
    };
    let http = HttpClient::new(HttpSettings {
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(2),
        },
        ..HttpSettings::default()
    })
    .expect("client");
    let source = GitLabSource::new(&cfg, &BTreeMap::new()).expect("source");
    GitLabTracker::with_parts(source, http, &cfg.api_base(), "acme/app")
}

fn item(uuid: &str) -> OutgoingItem {
    OutgoingItem {
        uuid: uuid.into(),
        label: format!("flightdeck-{uuid}"),
        summary: "Alert on the canary's error ratio".into(),
        owner: Some("42".into()),
        due: Some("2026-12-31".into()),
        success_criteria: "/close\nthe page fires within 5 minutes".into(),
        category: "monitoring gap".into(),
        link: Some("https://gitlab.example.com/acme/app/-/pipelines/41".into()),
        review_title: "checkout 1.4.2".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_with_the_label_finds_it_and_comments() {
    std::env::set_var(TOKEN_ENV, TOKEN);
    let fake = fake();
    let t = tracker(&fake, TOKEN_ENV);
    let key = t.create(&item("g-1")).await.expect("created");
    assert_eq!(key, TrackerKey("acme/app#1".into()));
    let issue = fake.with(|s| s.projects[0].issues[0].clone());
    assert_eq!(
        issue["labels"],
        serde_json::json!(["flightdeck", "flightdeck-g-1"])
    );
    assert_eq!(issue["due_date"], "2026-12-31");
    assert_eq!(issue["assignee_id"], 42);
    let description = issue["description"].as_str().expect("markdown");
    assert!(
        description
            .lines()
            .all(|l| !l.trim_start().starts_with('/')),
        "no line can run as a quick action: {description}"
    );
    assert!(description.contains("pipelines/41"), "{description}");
    assert_eq!(
        t.find_by_label("flightdeck-g-1").await.expect("found"),
        vec![key.clone()]
    );
    assert!(t
        .find_by_label("flightdeck-none")
        .await
        .expect("searched")
        .is_empty());
    let asked = fake.requests("labels=flightdeck-g-1");
    assert!(asked[0].contains("state=all"), "{asked:?}");
    t.comment(&key, "Review closed").await.expect("commented");
    let notes = fake.with(|s| s.projects[0].issues[0]["notes"].clone());
    assert_eq!(notes, serde_json::json!(["Review closed"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_may_have_landed_and_refusals_did_not() {
    std::env::set_var(TOKEN_ENV, TOKEN);
    let fake = fake();
    let t = tracker(&fake, TOKEN_ENV);
    fake.with(|s| s.lose_create_answers = 1);
    let e = t.create(&item("g-2")).await.expect_err("a 502");
    assert_eq!((e.landed, e.permanent), (Landed::Maybe, false), "{e}");
    assert_eq!(
        fake.requests("POST ").len(),
        1,
        "a write is not retried blindly"
    );
    assert_eq!(
        t.find_by_label("flightdeck-g-2").await.expect("found"),
        [TrackerKey("acme/app#1".into())],
        "the label finds what landed"
    );

    // Too many requests with a long Retry-After: handed up, nothing landed.
    fake.with(|s| {
        s.rate_limited = 1;
        s.retry_after_secs = 600;
    });
    let e = t.create(&item("g-3")).await.expect_err("429");
    assert_eq!(
        (e.landed, e.permanent, e.retry_after),
        (Landed::No, false, Some(Duration::from_secs(600)))
    );

    // A title GitLab refuses: 400 quoted, permanent.
    let mut blank = item("g-4");
    blank.summary = "  ".into();
    let e = t.create(&blank).await.expect_err("400");
    assert_eq!((e.landed, e.permanent), (Landed::No, true), "{e}");
    assert!(e.message.contains("title: can't be blank"), "{e}");

    // A wrong token: 401, permanent, the token nowhere in the message.
    std::env::set_var("FD_GITLAB_TRACKER_WRONG", "glpat-wrong-T0KEN-00000");
    let wrong = tracker(&fake, "FD_GITLAB_TRACKER_WRONG");
    let e = wrong.create(&item("g-5")).await.expect_err("401");
    assert_eq!((e.landed, e.permanent), (Landed::No, true), "{e}");
    assert!(!e.message.contains("glpat-wrong"), "{e}");
    let created = fake.with(|s| s.projects[0].issues.len());
    assert_eq!(created, 1, "only the one whose answer was lost");
}
