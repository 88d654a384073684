//! The Jira adapter (tracker and incident source) against an in-process fake Jira in
//! Cloud and Data Center mode (tests/jira_fake): every request goes through the real
//! client and the shared HTTP layer; incidents reach an `App` as the poller's event
//! would, and feed the DORA engine.

mod common;
mod jira_fake;

use std::time::Duration;

use chrono::{DateTime, Utc};
use flightdeck::app::{App, View};
use flightdeck::config::{Config, JiraConfig, JiraDeployment, JiraIncidents};
use flightdeck::event::{Event, SourceData, SourceErrorKind, SourceEvent, SourceEventKind};
use flightdeck::net::{HttpClient, HttpSettings, RetryPolicy};
use flightdeck::review::tracker::{Landed, OutgoingItem, Tracker, TrackerKey};
use flightdeck::sources::gitlab::probe::Outcome;
use flightdeck::sources::jira::{probe, Flavor, JiraClient, JiraSource, JiraTracker};
use flightdeck::sources::poller::FetchResult;
use jira_fake::{incident, valid_adf, FakeJira, LostAnswer, Mode, EMAIL, TOKEN};
use serde_json::{json, Value};

const TOKEN_ENV: &str = "FD_JIRA_TEST_TOKEN";

fn config(fake: &FakeJira, mode: Mode) -> JiraConfig {
    std::env::set_var(TOKEN_ENV, TOKEN);
    JiraConfig {
        url: fake.url.clone(),
        email: (mode == Mode::Cloud).then(|| EMAIL.to_string()),
        token_env: Some(TOKEN_ENV.into()),
        project: Some("OPS".into()),
        incidents: vec![JiraIncidents {
            service: "checkout".into(),
            jql: "project = OPS AND issuetype = Incident ORDER BY created DESC".into(),
        }],
        ..JiraConfig::default()
    }
}

/// A client with short timeouts and quick retries (no test waits long).
fn client(cfg: &JiraConfig) -> JiraClient {
    let settings = HttpSettings {
        total_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(2),
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(2),
        },
        ..HttpSettings::default()
    };
    JiraClient::with_http(HttpClient::new(settings).expect("client"), cfg)
}

fn item(uuid: &str) -> OutgoingItem {
    OutgoingItem {
        uuid: uuid.into(),
        label: format!("flightdeck-{uuid}"),
        summary: "Add a canary gate before 100%".into(),
        owner: Some("5b10a2844c20165700ede21g".into()),
        due: Some("2026-12-31".into()),
        success_criteria: "a failed canary stops the rollout".into(),
        category: "deployment process".into(),
        link: Some("https://ci.example.com/pipelines/41".into()),
        review_title: "checkout 1.4.2".into(),
    }
}

fn app() -> App {
    let view = View {
        tz: flightdeck::zone::Tz::UTC,
        demo: false,
    };
    App::new(
        view,
        flightdeck::config::metrics_settings(&Config::default()),
        Utc::now(),
    )
}

fn deliver(app: &mut App, source: &str, result: FetchResult) {
    let at = Utc::now();
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
        source: source.into(),
        kind,
    }));
}

/// Five incidents: OPS-1 linked by label to deployment `d2`, resolved 40 min later.
fn five_incidents(fake: &FakeJira, d2_finished: DateTime<Utc>) {
    let opened = d2_finished + chrono::Duration::minutes(10);
    fake.with(|s| {
        s.issues.push(incident(
            "OPS-1",
            opened,
            Some(opened + chrono::Duration::minutes(40)),
            "Highest",
            &["incident", "deploy:d2"],
        ));
        for n in 2..=5 {
            // Long before the deployments: unlinked.
            let old = d2_finished - chrono::Duration::days(30 + n);
            s.issues
                .push(incident(&format!("OPS-{n}"), old, Some(old), "Low", &[]));
        }
    });
}

async fn incidents_feed_dora(mode: Mode) -> FakeJira {
    let fake = FakeJira::start(mode);
    let start = Utc::now() - chrono::Duration::days(5);
    let d1 = common::deployment(
        "d1",
        "checkout",
        start,
        Some(start + chrono::Duration::minutes(4)),
    );
    let d2_start = start + chrono::Duration::hours(24);
    let d2_finished = d2_start + chrono::Duration::minutes(4);
    let d2 = common::deployment("d2", "checkout", d2_start, Some(d2_finished));
    five_incidents(&fake, d2_finished);
    fake.with(|s| s.max_page = 2);
    let src = JiraSource::with_client(client(&config(&fake, mode)));
    let mut app = app();
    deliver(
        &mut app,
        "test",
        Ok(flightdeck::sources::poller::Fetched {
            data: vec![
                SourceData::Services(vec!["checkout".into()]),
                SourceData::Deployments(vec![d1, d2]),
            ],
            warnings: Vec::new(),
        }),
    );
    deliver(&mut app, "jira", src.fetch_at(Utc::now()).await);
    let incidents = &app.model.data.incidents;
    assert_eq!(incidents.len(), 5, "every page read: {incidents:#?}");
    let i = incidents.iter().find(|i| i.key == "OPS-1").expect("OPS-1");
    assert_eq!(i.service, "checkout");
    assert_eq!(i.severity, "highest", "the priority's name");
    assert_eq!(
        i.linked_deployment.as_deref(),
        Some("d2"),
        "the deploy: label"
    );
    app.refresh_derived();
    let dora = &app.derived.services["checkout"].dora;
    assert_eq!(
        (
            dora.change_failure_rate.failed,
            dora.change_failure_rate.deployments
        ),
        (1, 2)
    );
    // From the earlier of the deployment's finish and the incident's creation (the
    // finish) to the resolution: 10 + 40 minutes.
    assert_eq!(dora.recovery_time.failures, 1);
    assert_eq!(dora.recovery_time.p50_seconds, Some(50.0 * 60.0));
    fake
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloud_incidents_page_by_token_until_is_last_and_feed_dora() {
    let fake = incidents_feed_dora(Mode::Cloud).await;
    let searches = fake.requests("POST", "/rest/api/3/search/jql");
    assert_eq!(searches.len(), 3, "5 issues in pages of 2");
    let bodies: Vec<Value> = searches
        .iter()
        .map(|l| serde_json::from_str(&l.body).expect("json body"))
        .collect();
    assert!(bodies[0].get("nextPageToken").is_none(), "{}", bodies[0]);
    assert_eq!(bodies[1]["nextPageToken"], "tok:2");
    assert_eq!(bodies[2]["nextPageToken"], "tok:4");
    for b in &bodies {
        assert!(
            b.get("startAt").is_none(),
            "startAt is not in the schema: {b}"
        );
        let fields = b["fields"].as_array().expect("fields asked for");
        assert!(fields.contains(&json!("resolutiondate")), "{b}");
    }
    assert!(
        fake.requests("POST", "/rest/api/3/search?").is_empty()
            && fake.with(|s| s.log.iter().all(|l| !l.target.ends_with("/search"))),
        "the removed /search is never asked"
    );
    assert_eq!(
        fake.requests("GET", "/rest/api/2/serverInfo").len(),
        1,
        "asked once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_center_incidents_page_by_start_at_with_a_bearer_pat() {
    let fake = incidents_feed_dora(Mode::DataCenter).await;
    let searches = fake.requests("GET", "/rest/api/2/search");
    let starts: Vec<bool> = ["startAt=0", "startAt=2", "startAt=4"]
        .iter()
        .zip(&searches)
        .map(|(s, l)| l.target.contains(s))
        .collect();
    assert_eq!(searches.len(), 3, "{searches:#?}");
    assert_eq!(starts, [true, true, true], "{searches:#?}");
    assert!(fake.requests("POST", "search/jql").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_old_cloud_search_answers_410_as_jira_does_now() {
    let fake = FakeJira::start(Mode::Cloud);
    let http = reqwest::Client::new();
    let answer = http
        .post(format!("{}/rest/api/3/search", fake.url))
        .basic_auth(EMAIL, Some(TOKEN))
        .header("content-type", "application/json")
        .body(json!({"jql": "project = OPS"}).to_string())
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status().as_u16(), 410);
    let text = answer.text().await.expect("body");
    assert!(text.contains("/rest/api/3/search/jql"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloud_creates_with_adf_and_the_label_then_finds_and_comments() {
    let fake = FakeJira::start(Mode::Cloud);
    let tracker = JiraTracker::with_client(client(&config(&fake, Mode::Cloud)));
    let key = tracker.create(&item("u-1")).await.expect("created");
    assert_eq!(key, TrackerKey("OPS-1".into()));
    let stored = fake.labelled("flightdeck-u-1");
    assert_eq!(stored.len(), 1);
    let f = &stored[0]["fields"];
    valid_adf(&f["description"]).expect("the description is ADF");
    assert_eq!(f["labels"], json!(["flightdeck", "flightdeck-u-1"]));
    assert_eq!(
        f["assignee"],
        json!({"accountId": "5b10a2844c20165700ede21g"})
    );
    assert_eq!(f["duedate"], "2026-12-31");
    assert!(f["description"]
        .to_string()
        .contains("https://ci.example.com/pipelines/41"));
    assert_eq!(
        tracker
            .find_by_label("flightdeck-u-1")
            .await
            .expect("found"),
        vec![key.clone()]
    );
    assert!(tracker
        .find_by_label("flightdeck-other")
        .await
        .expect("searched")
        .is_empty());
    tracker
        .comment(&key, "Review closed: 2 items")
        .await
        .expect("commented");
    let comments = fake
        .with(|s| s.comments.get("OPS-1").cloned())
        .expect("a comment");
    valid_adf(&comments[0]).expect("an ADF comment");
    // The label search quotes the label.
    let body: Value =
        serde_json::from_str(&fake.requests("POST", "search/jql")[0].body).expect("json");
    assert_eq!(body["jql"], "labels = \"flightdeck-u-1\"");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_center_creates_with_wiki_text_and_a_user_name() {
    let fake = FakeJira::start(Mode::DataCenter);
    let tracker = JiraTracker::with_client(client(&config(&fake, Mode::DataCenter)));
    let mut it = item("u-2");
    it.owner = Some("jsmith".into());
    let key = tracker.create(&it).await.expect("created");
    let stored = fake.labelled("flightdeck-u-2");
    let f = &stored[0]["fields"];
    assert!(f["description"]
        .as_str()
        .expect("wiki text")
        .contains("* *Owner:* jsmith"));
    assert_eq!(f["assignee"], json!({"name": "jsmith"}));
    assert_eq!(
        tracker
            .find_by_label("flightdeck-u-2")
            .await
            .expect("found"),
        vec![key.clone()]
    );
    tracker.comment(&key, "done").await.expect("commented");
    assert_eq!(fake.requests("POST", "/rest/api/2/issue").len(), 2);
    assert!(fake.requests("POST", "/rest/api/3/").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_explicit_flavor_skips_server_info() {
    let fake = FakeJira::start(Mode::DataCenter);
    let mut cfg = config(&fake, Mode::DataCenter);
    cfg.deployment = JiraDeployment::DataCenter;
    let c = client(&cfg);
    assert_eq!(c.flavor().await.expect("known"), Flavor::DataCenter);
    assert!(fake.requests("GET", "serverInfo").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_whose_answer_is_lost_may_have_landed_and_is_found_by_its_label() {
    for (n, lost) in [
        LostAnswer::Timeout,
        LostAnswer::Reset,
        LostAnswer::BadGateway,
    ]
    .into_iter()
    .enumerate()
    {
        let fake = FakeJira::start(Mode::Cloud);
        fake.with(|s| {
            s.lose_answers = vec![lost];
            s.search_lag = 2;
        });
        let tracker = JiraTracker::with_client(client(&config(&fake, Mode::Cloud)));
        let label = format!("flightdeck-lost-{n}");
        let mut it = item(&format!("lost-{n}"));
        it.label = label.clone();
        let e = tracker.create(&it).await.expect_err("the answer was lost");
        assert_eq!(e.landed, Landed::Maybe, "{lost:?}: {e}");
        assert!(!e.permanent, "{lost:?}");
        assert_eq!(
            fake.requests("POST", "/rest/api/3/issue").len(),
            1,
            "{lost:?}: a write is never retried blindly"
        );
        // Eventually consistent: not found for two searches, then found, once.
        assert!(tracker
            .find_by_label(&label)
            .await
            .expect("searched")
            .is_empty());
        assert!(tracker
            .find_by_label(&label)
            .await
            .expect("searched")
            .is_empty());
        assert_eq!(
            tracker.find_by_label(&label).await.expect("searched"),
            [TrackerKey("OPS-1".into())],
            "{lost:?}"
        );
        assert_eq!(fake.labelled(&label).len(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_permanent_say_what_to_do_and_never_land() {
    let fake = FakeJira::start(Mode::Cloud);
    // A wrong token: 401 JSON.
    std::env::set_var("FD_JIRA_WRONG_TOKEN", "wrong-T0KEN-value-123");
    let mut cfg = config(&fake, Mode::Cloud);
    cfg.token_env = Some("FD_JIRA_WRONG_TOKEN".into());
    let tracker = JiraTracker::with_client(client(&cfg));
    let e = tracker.create(&item("a")).await.expect_err("401");
    assert_eq!((e.landed, e.permanent), (Landed::No, true), "{e}");
    assert!(e.message.contains("401"), "{e}");
    assert!(!e.message.contains("wrong-T0KEN-value-123"), "{e}");
    let e = tracker
        .find_by_label("flightdeck-a")
        .await
        .expect_err("401");
    assert!(e.message.contains("API token"), "says what to check: {e}");

    // A required field the project wants, and a user who cannot be assigned: 400
    // with Jira's ErrorCollection quoted.
    fake.with(|s| {
        s.required_field = Some("customfield_10001".into());
        s.unassignable = vec!["5b10a2844c20165700ede21g".into()];
    });
    let tracker = JiraTracker::with_client(client(&config(&fake, Mode::Cloud)));
    let e = tracker.create(&item("b")).await.expect_err("400");
    assert_eq!((e.landed, e.permanent), (Landed::No, true), "{e}");
    assert!(
        e.message.contains("customfield_10001: Team is required."),
        "{e}"
    );
    assert!(e.message.contains("cannot be assigned"), "{e}");

    // A project the user may not create issues in: 403, permanent, quoted.
    let mut locked = config(&fake, Mode::Cloud);
    locked.project = Some("LOCKED".into());
    let e = JiraTracker::with_client(client(&locked))
        .create(&item("c"))
        .await
        .expect_err("403");
    assert_eq!((e.landed, e.permanent), (Landed::No, true), "{e}");
    assert!(e.message.contains("HTTP 403"), "{e}");
    assert!(e.message.contains("do not have permission"), "{e}");
    assert!(fake.with(|s| s.issues.is_empty()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_are_waited_out_or_handed_up_with_their_hint() {
    // A short Retry-After is waited for inside the call: the search succeeds.
    let fake = FakeJira::start(Mode::Cloud);
    fake.with(|s| {
        s.rate_limited = 1;
        s.retry_after = Some(1);
    });
    let tracker = JiraTracker::with_client(client(&config(&fake, Mode::Cloud)));
    assert!(tracker
        .find_by_label("flightdeck-x")
        .await
        .expect("after the wait")
        .is_empty());
    assert_eq!(fake.requests("POST", "search/jql").len(), 2);

    // A create under a long Retry-After: not sent again here; nothing landed.
    fake.with(|s| {
        s.rate_limited = 1;
        s.retry_after = Some(3_600);
    });
    let e = tracker.create(&item("r")).await.expect_err("429");
    assert_eq!((e.landed, e.permanent), (Landed::No, false), "{e}");
    assert_eq!(e.retry_after, Some(Duration::from_secs(3_600)));
    assert_eq!(fake.requests("POST", "/rest/api/3/issue").len(), 1);

    // 429s without Retry-After: backed off and retried (a 429 did not land), then
    // handed up as not landed.
    fake.with(|s| {
        s.rate_limited = 10;
        s.retry_after = None;
    });
    let e = tracker.create(&item("s")).await.expect_err("429s");
    assert_eq!(
        (e.landed, e.permanent, e.retry_after),
        (Landed::No, false, None),
        "{e}"
    );
    assert_eq!(
        fake.requests("POST", "/rest/api/3/issue").len(),
        4,
        "1 + 3 attempts"
    );
    assert!(fake.with(|s| s.issues.is_empty()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sso_login_page_and_malformed_json_are_named() {
    let fake = FakeJira::start(Mode::DataCenter);
    fake.with(|s| s.html_login = true);
    let src = JiraSource::with_client(client(&config(&fake, Mode::DataCenter)));
    let Err(e) = src.fetch_at(Utc::now()).await else {
        panic!("a login page must fail the fetch");
    };
    assert_eq!(e.kind, SourceErrorKind::Auth);
    assert!(e.message.contains("HTML page"), "{}", e.message);
    assert!(e.message.contains("Log in - Jira SSO"), "{}", e.message);
    let tracker = JiraTracker::with_client(client(&config(&fake, Mode::DataCenter)));
    let w = tracker.create(&item("h")).await.expect_err("a login page");
    assert_eq!((w.landed, w.permanent), (Landed::No, true), "{w}");

    fake.with(|s| {
        s.html_login = false;
        s.malformed = true;
    });
    // One search's broken answer is a warning naming it; the poll goes on.
    let fetched = src
        .fetch_at(Utc::now())
        .await
        .expect("a fetch with a warning");
    assert_eq!(fetched.warnings.len(), 1, "{:?}", fetched.warnings);
    let w = &fetched.warnings[0];
    assert!(
        w.contains("checkout incidents: not the JSON Jira sends"),
        "{w}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_jql_is_a_warning_naming_its_service_and_others_are_read() {
    let fake = FakeJira::start(Mode::Cloud);
    fake.with(|s| {
        s.issues
            .push(incident("OPS-9", Utc::now(), None, "High", &[]))
    });
    let mut cfg = config(&fake, Mode::Cloud);
    cfg.incidents.insert(
        0,
        JiraIncidents {
            service: "search".into(),
            jql: "summary ~ broken".into(),
        },
    );
    let fetched = JiraSource::with_client(client(&cfg))
        .fetch_at(Utc::now())
        .await
        .expect("a fetch with a warning");
    assert_eq!(fetched.warnings.len(), 1);
    assert!(
        fetched.warnings[0].contains("search incidents"),
        "{}",
        fetched.warnings[0]
    );
    assert!(
        fetched.warnings[0].contains("Error in the JQL Query"),
        "{}",
        fetched.warnings[0]
    );
    let n = fetched
        .data
        .iter()
        .map(|d| match d {
            SourceData::Incidents(i) => i.len(),
            _ => 0,
        })
        .sum::<usize>();
    assert_eq!(n, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_checks_server_token_project_issue_type_and_each_jql() {
    let fake = FakeJira::start(Mode::Cloud);
    let mut cfg = config(&fake, Mode::Cloud);
    let checks = probe::probe(&client(&cfg)).await;
    let ok: Vec<&str> = checks
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Ok(_)))
        .map(|c| c.what.as_str())
        .collect();
    assert_eq!(
        ok,
        [
            "server",
            "token",
            "project OPS",
            "  issue type Task",
            "incidents of checkout"
        ],
        "{checks:#?}"
    );
    cfg.issue_type = "Bug".into();
    cfg.project = Some("OPS".into());
    let checks = probe::probe(&client(&cfg)).await;
    let failed: Vec<String> = checks
        .iter()
        .filter_map(|c| match &c.outcome {
            Outcome::Fail(e) => Some(format!("{}: {}", c.what, e.message)),
            _ => None,
        })
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(
        failed[0].contains("set jira.issue_type to one of: Task, Incident"),
        "{failed:?}"
    );
    cfg.project = Some("NOPE".into());
    let checks = probe::probe(&client(&cfg)).await;
    assert!(
        checks.iter().any(
            |c| matches!(&c.outcome, Outcome::Fail(e) if e.message.contains("check jira.project"))
        ),
        "{checks:#?}"
    );
    cfg.token_env = Some("FD_JIRA_UNSET_VARIABLE".into());
    let checks = probe::probe(&client(&cfg)).await;
    assert!(
        matches!(&checks.last().expect("a check").outcome, Outcome::Fail(_)),
        "{checks:#?}"
    );
}

/// The Cloud request bodies the adapter sends, checked against the official spec's
/// schemas: only the properties the schema declares, and an ADF description. The
/// schemas are the official spec's own (../shared/specs/jira-cloud-swagger-v3.v3.json),
/// cut down by jq to the three request bodies the adapter writes and kept in the repo,
/// so the test runs wherever the repository is cloned.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloud_request_bodies_match_the_official_spec() {
    let spec_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/jira-cloud-v3-request-schemas.json");
    let text = std::fs::read_to_string(&spec_path).expect("the spec's request schemas");
    let spec: Value = serde_json::from_str(&text).expect("the spec parses");
    let schema = |name: &str| spec["components"]["schemas"][name].clone();
    let keys = |s: &Value| -> Vec<String> {
        s["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .cloned()
            .collect()
    };
    let fake = FakeJira::start(Mode::Cloud);
    let tracker = JiraTracker::with_client(client(&config(&fake, Mode::Cloud)));
    let key = tracker.create(&item("spec")).await.expect("created");
    tracker
        .find_by_label("flightdeck-spec")
        .await
        .expect("searched");
    tracker.comment(&key, "a comment").await.expect("commented");

    let search = schema("SearchAndReconcileRequestBean");
    assert_eq!(search["additionalProperties"], json!(false));
    let allowed = keys(&search);
    for l in fake.requests("POST", "search/jql") {
        let body: Value = serde_json::from_str(&l.body).expect("json");
        for k in body.as_object().expect("an object").keys() {
            assert!(
                allowed.contains(k),
                "{k} is not in SearchAndReconcileRequestBean"
            );
        }
        assert!(body["maxResults"].is_i64());
        assert!(body["fields"].is_array());
    }
    let create_path = &spec["paths"]["/rest/api/3/issue"]["post"]["requestBody"]["content"]
        ["application/json"]["schema"]["$ref"];
    assert_eq!(create_path, "#/components/schemas/IssueUpdateDetails");
    let allowed = keys(&schema("IssueUpdateDetails"));
    let create = &fake.requests("POST", "/rest/api/3/issue")[0];
    let body: Value = serde_json::from_str(&create.body).expect("json");
    for k in body.as_object().expect("an object").keys() {
        assert!(allowed.contains(k), "{k} is not in IssueUpdateDetails");
    }
    assert!(
        body["fields"].is_object(),
        "fields: an object of field values"
    );
    valid_adf(&body["fields"]["description"]).expect("ADF");
    let comment_ref = &spec["paths"]["/rest/api/3/issue/{issueIdOrKey}/comment"]["post"]
        ["requestBody"]["content"]["application/json"]["schema"]["$ref"];
    assert_eq!(comment_ref, "#/components/schemas/Comment");
    let allowed = keys(&schema("Comment"));
    let comment = &fake.requests("POST", "/comment")[0];
    let body: Value = serde_json::from_str(&comment.body).expect("json");
    for k in body.as_object().expect("an object").keys() {
        assert!(allowed.contains(k), "{k} is not in Comment");
    }
    valid_adf(&body["body"]).expect("ADF");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_that_cannot_connect_surely_did_not_land() {
    // A port nothing listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    std::env::set_var(TOKEN_ENV, TOKEN);
    let cfg = JiraConfig {
        url: format!("http://127.0.0.1:{port}/jira"),
        deployment: JiraDeployment::Cloud,
        email: Some(EMAIL.into()),
        token_env: Some(TOKEN_ENV.into()),
        project: Some("OPS".into()),
        ..JiraConfig::default()
    };
    let e = JiraTracker::with_client(client(&cfg))
        .create(&item("n"))
        .await
        .expect_err("nothing listens");
    assert_eq!((e.landed, e.permanent), (Landed::No, false), "{e}");
}
