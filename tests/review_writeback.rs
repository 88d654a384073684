//! The outbox's write-back besides the action items, through the real Jira adapter
//! against the fake Jira (and GitLab issues against the fake GitLab): the review's
//! summary as a comment on the release ticket (found by a JQL with `{version}`), and a
//! remote link from each item's issue to its deployment. Exactly once under the
//! faults that matter: a comment whose answer is lost after it landed, a 500 before
//! it landed, a 403 on the ticket; the Cloud bodies checked against the official
//! spec's request schemas.

// Both fakes carry their own copy of the shared wire helpers (tests/common).
#![allow(clippy::duplicate_mod)]

mod gitlab_fake;
mod hostile;
mod jira_fake;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use flightdeck::config::{JiraConfig, JiraDeployment};
use flightdeck::net::{HttpClient, HttpSettings, RetryPolicy};
use flightdeck::review::outbox::state::{Phase, Policy};
use flightdeck::review::outbox::worker::{self, AuditEntry, ReviewCommand, ReviewEvent};
use flightdeck::review::outbox::WriteBack;
use flightdeck::review::session::{ActionItem, Category, CheckState, ReviewSession, ReviewTarget};
use flightdeck::review::tracker::Tracker;
use flightdeck::sources::jira::{JiraClient, JiraTracker};
use flightdeck::store::review::ReviewStore;
use jira_fake::{valid_adf, FakeJira, LostAnswer, Mode, EMAIL, TOKEN};
use serde_json::Value;
use tokio::sync::mpsc;

const TOKEN_ENV: &str = "FD_WRITEBACK_TEST_TOKEN";
const REVIEW: &str = "r1";
const UUID: &str = "00000000-0000-4000-8000-000000000001";
const DEPLOY_URL: &str = "https://ci.example.com/acme/checkout/-/deployments/41";

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fd-writeback-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

fn tracker(fake: &FakeJira, mode: Mode) -> Arc<dyn Tracker> {
    std::env::set_var(TOKEN_ENV, TOKEN);
    let cfg = JiraConfig {
        url: fake.url.clone(),
        deployment: match mode {
            Mode::Cloud => JiraDeployment::Cloud,
            Mode::DataCenter => JiraDeployment::DataCenter,
        },
        email: (mode == Mode::Cloud).then(|| EMAIL.to_string()),
        token_env: Some(TOKEN_ENV.into()),
        project: Some("OPS".into()),
        ..JiraConfig::default()
    };
    // A short timeout: the fake's lost answer (5 s) is a timeout here.
    let http = HttpClient::new(HttpSettings {
        total_timeout: Duration::from_secs(1),
        read_timeout: Duration::from_secs(1),
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(2),
        },
        ..HttpSettings::default()
    })
    .expect("client");
    Arc::new(JiraTracker::with_client(JiraClient::with_http(http, &cfg)))
}

fn write_back() -> WriteBack {
    WriteBack {
        release_ticket: Some("project = REL AND fixVersion = {version}".into()),
        summary_comment: true,
        remote_link: true,
    }
}

fn policy() -> Policy {
    Policy {
        backoff_base: chrono::Duration::milliseconds(1),
        backoff_max: chrono::Duration::milliseconds(20),
        search_window: chrono::Duration::milliseconds(30),
        search_every: chrono::Duration::milliseconds(3),
    }
}

struct Running {
    commands: mpsc::UnboundedSender<ReviewCommand>,
    events: mpsc::Receiver<ReviewEvent>,
    task: tokio::task::JoinHandle<()>,
    /// The last state of each item and write, by id.
    states: BTreeMap<String, Phase>,
}

fn start(path: &Path, tracker: Arc<dyn Tracker>) -> Running {
    let store = ReviewStore::open(path).expect("open the cache");
    let (tx, rx) = mpsc::unbounded_channel();
    let (etx, erx) = mpsc::channel(10_000);
    let task = worker::spawn_with(
        store,
        Some(tracker),
        policy(),
        write_back(),
        worker::system_clock(),
        rx,
        etx,
    );
    Running {
        commands: tx,
        events: erx,
        task,
        states: BTreeMap::new(),
    }
}

impl Running {
    /// Waits (bounded, a guard against a hang, not a timing assertion) until `id`
    /// reports a final state; returns it.
    async fn final_state(&mut self, id: &str) -> Phase {
        let wait = async {
            loop {
                if let Some(p) = self.states.get(id).filter(|p| p.is_final()) {
                    return p.clone();
                }
                match self.events.recv().await {
                    Some(ReviewEvent::Delivery { uuid, phase, .. }) => {
                        self.states.insert(uuid, phase);
                    }
                    Some(_) => {}
                    None => panic!("the worker ended"),
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(60), wait)
            .await
            .unwrap_or_else(|_| panic!("{id} never settled: {:?}", self.states))
    }

    fn send(&self, c: ReviewCommand) {
        self.commands.send(c).expect("worker alive");
    }
}

fn session() -> ReviewSession {
    ReviewSession {
        id: REVIEW.into(),
        target: ReviewTarget::Release {
            version: "2.4.1".into(),
            deployments: vec!["gitlab:41".into()],
        },
        template: "detailed".into(),
        started_at: Utc::now(),
        checks: vec![CheckState {
            id: "rollback-tested".into(),
            title: "Rollback tested".into(),
            auto: None,
            checked: true,
            note: None,
        }],
        findings: Vec::new(),
        actions: Vec::new(),
        decision: Some("release accepted".into()),
    }
}

fn item() -> ActionItem {
    ActionItem {
        uuid: UUID.into(),
        summary: "Add an alert on queue depth".into(),
        owner: None,
        due: Some("2026-12-31".into()),
        success_criteria: "the alert fires in the staging drill".into(),
        category: Category::MonitoringGap,
        link: Some(DEPLOY_URL.into()),
    }
}

/// The decision recorded: what makes the summary go out.
fn decide(r: &Running) {
    r.send(ReviewCommand::Save {
        session: session(),
        audit: AuditEntry {
            kind: "decision".into(),
            detail: "release accepted".into(),
        },
    });
}

fn summary_id() -> String {
    format!("summary-{REVIEW}")
}

fn link_id() -> String {
    format!("flightdeck-link-{UUID}")
}

fn marked(comments: &[Value]) -> usize {
    comments
        .iter()
        .filter(|c| {
            c.to_string()
                .contains(&format!("flightdeck-summary-{REVIEW}"))
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_summary_and_the_remote_link_go_out_once_and_not_again_after_a_restart() {
    let dir = tempdir("once");
    let path = dir.join("cache.sqlite3");
    let fake = FakeJira::start(Mode::Cloud);
    fake.release_ticket("REL-1", "2.4.1");
    // The item's first create is refused (429 through the client's own retries): the
    // summary, ready by then, must wait for the item's key.
    fake.with(|s| {
        s.rate_limited = 3;
        s.retry_after = Some(1);
    });
    let mut r = start(&path, tracker(&fake, Mode::Cloud));
    r.send(ReviewCommand::Enqueue {
        review_id: REVIEW.into(),
        review_title: "release 2.4.1".into(),
        item: item(),
    });
    decide(&r);
    assert_eq!(
        r.final_state(UUID).await,
        Phase::Sent {
            key: "OPS-2".into()
        }
    );
    assert_eq!(
        r.final_state(&link_id()).await,
        Phase::Sent {
            key: "OPS-2".into()
        }
    );
    assert_eq!(
        r.final_state(&summary_id()).await,
        Phase::Sent {
            key: "REL-1".into()
        }
    );
    let comments = fake.comments_on("REL-1");
    assert_eq!(marked(&comments), 1, "{comments:?}");
    // The summary waited for the item: its key is in it.
    assert!(comments[0].to_string().contains("OPS-2"), "{comments:?}");
    let links = fake.links_on("OPS-2");
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!(links[0]["globalId"], link_id().as_str());
    assert_eq!(links[0]["object"]["url"], DEPLOY_URL);

    // Started again on the same cache and asked again: nothing is sent twice.
    r.task.abort();
    let mut r = start(&path, tracker(&fake, Mode::Cloud));
    r.send(ReviewCommand::Publish {
        review_id: REVIEW.into(),
    });
    decide(&r);
    assert!(r.final_state(&summary_id()).await.is_final());
    // A command after the two: once handled, so were they.
    r.send(ReviewCommand::Retry {
        uuid: "nothing".into(),
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(marked(&fake.comments_on("REL-1")), 1);
    assert_eq!(fake.links_on("OPS-2").len(), 1);
    assert_eq!(fake.requests("POST", "/comment").len(), 1);
    r.task.abort();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_summary_that_timed_out_but_landed_is_found_by_its_marker_not_posted_again() {
    let dir = tempdir("timeout");
    let fake = FakeJira::start(Mode::Cloud);
    fake.release_ticket("REL-1", "2.4.1");
    fake.with(|s| s.lose_comment_answers = vec![LostAnswer::Timeout]);
    let mut r = start(&dir.join("cache.sqlite3"), tracker(&fake, Mode::Cloud));
    decide(&r);
    assert_eq!(
        r.final_state(&summary_id()).await,
        Phase::Sent {
            key: "REL-1".into()
        }
    );
    assert_eq!(marked(&fake.comments_on("REL-1")), 1);
    assert_eq!(fake.requests("POST", "/comment").len(), 1);
    assert!(
        !fake.requests("GET", "/REL-1/comment").is_empty(),
        "the ticket's comments were read for the marker"
    );
    r.task.abort();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_then_success_posts_one_summary() {
    let dir = tempdir("500");
    let fake = FakeJira::start(Mode::Cloud);
    fake.release_ticket("REL-1", "2.4.1");
    fake.with(|s| s.fail_comments = vec![500]);
    let mut r = start(&dir.join("cache.sqlite3"), tracker(&fake, Mode::Cloud));
    decide(&r);
    assert_eq!(
        r.final_state(&summary_id()).await,
        Phase::Sent {
            key: "REL-1".into()
        }
    );
    assert_eq!(marked(&fake.comments_on("REL-1")), 1);
    assert_eq!(fake.requests("POST", "/comment").len(), 2, "posted again");
    r.task.abort();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_403_on_the_ticket_is_said_on_the_summary_which_is_kept_and_sent_on_retry() {
    let dir = tempdir("403");
    let path = dir.join("cache.sqlite3");
    let fake = FakeJira::start(Mode::Cloud);
    fake.release_ticket("REL-1", "2.4.1");
    fake.with(|s| s.forbidden = vec!["REL-1".into()]);
    let mut r = start(&path, tracker(&fake, Mode::Cloud));
    decide(&r);
    let Phase::Failed { reason, .. } = r.final_state(&summary_id()).await else {
        panic!("a 403 fails the summary");
    };
    assert!(reason.contains("403"), "{reason}");
    assert!(reason.contains("permission"), "Jira's words: {reason}");
    assert!(fake.comments_on("REL-1").is_empty());
    // Kept in the outbox (nothing lost) …
    let stored = ReviewStore::open(&path)
        .expect("open")
        .writes()
        .expect("writes");
    assert_eq!(stored.len(), 1);
    assert!(matches!(stored[0].delivery.phase, Phase::Failed { .. }));
    // … and sent once the permission is granted and it is retried.
    fake.with(|s| s.forbidden.clear());
    r.states.clear();
    r.send(ReviewCommand::Retry { uuid: summary_id() });
    assert_eq!(
        r.final_state(&summary_id()).await,
        Phase::Sent {
            key: "REL-1".into()
        }
    );
    assert_eq!(marked(&fake.comments_on("REL-1")), 1);
    r.task.abort();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_center_gets_wiki_text_and_the_same_remote_link() {
    let dir = tempdir("dc");
    let fake = FakeJira::start(Mode::DataCenter);
    fake.release_ticket("REL-1", "2.4.1");
    let mut r = start(&dir.join("cache.sqlite3"), tracker(&fake, Mode::DataCenter));
    r.send(ReviewCommand::Enqueue {
        review_id: REVIEW.into(),
        review_title: "release 2.4.1".into(),
        item: item(),
    });
    decide(&r);
    assert!(matches!(
        r.final_state(&summary_id()).await,
        Phase::Sent { .. }
    ));
    assert!(matches!(
        r.final_state(&link_id()).await,
        Phase::Sent { .. }
    ));
    let comments = fake.comments_on("REL-1");
    let text = comments[0].as_str().expect("wiki text");
    assert!(text.contains("*Decision:* release accepted"), "{text}");
    assert!(text.contains(&format!("[{DEPLOY_URL}]")), "{text}");
    assert_eq!(fake.links_on("OPS-2").len(), 1);
    assert!(
        fake.requests("POST", "/rest/api/2/issue/OPS-2/remotelink")
            .len()
            == 1
    );
    r.task.abort();
    let _ = std::fs::remove_dir_all(dir);
}

/// The comment and remote link bodies, against the official spec's request schemas
/// (cut down by jq to what the adapter writes and kept in the repository).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloud_summary_and_link_bodies_match_the_official_spec() {
    let spec_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/jira-cloud-v3-request-schemas.json");
    let spec: Value =
        serde_json::from_str(&std::fs::read_to_string(spec_path).expect("schemas")).expect("json");
    let schema = |name: &str| spec["components"]["schemas"][name].clone();
    let keys = |s: &Value| -> Vec<String> {
        s["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .cloned()
            .collect()
    };
    let required = |s: &Value| -> Vec<String> {
        s["required"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter_map(|k| k.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let check = |body: &Value, name: &str| {
        let s = schema(name);
        let allowed = keys(&s);
        for k in body.as_object().expect("an object").keys() {
            assert!(allowed.contains(k), "{k} is not in {name}");
        }
        for k in required(&s) {
            assert!(body.get(&k).is_some(), "{name} requires {k}: {body}");
        }
    };
    let dir = tempdir("spec");
    let fake = FakeJira::start(Mode::Cloud);
    fake.release_ticket("REL-1", "2.4.1");
    let mut r = start(&dir.join("cache.sqlite3"), tracker(&fake, Mode::Cloud));
    r.send(ReviewCommand::Enqueue {
        review_id: REVIEW.into(),
        review_title: "release 2.4.1".into(),
        item: item(),
    });
    decide(&r);
    r.final_state(&summary_id()).await;
    r.final_state(&link_id()).await;

    let comment_ref = &spec["paths"]["/rest/api/3/issue/{issueIdOrKey}/comment"]["post"]
        ["requestBody"]["content"]["application/json"]["schema"]["$ref"];
    assert_eq!(comment_ref, "#/components/schemas/Comment");
    let sent = &fake.requests("POST", "/REL-1/comment")[0];
    let body: Value = serde_json::from_str(&sent.body).expect("json");
    check(&body, "Comment");
    valid_adf(&body["body"]).expect("ADF");

    let link_ref = &spec["paths"]["/rest/api/3/issue/{issueIdOrKey}/remotelink"]["post"]
        ["requestBody"]["content"]["application/json"]["schema"]["$ref"];
    assert_eq!(link_ref, "#/components/schemas/RemoteIssueLinkRequest");
    let sent = &fake.requests("POST", "/remotelink")[0];
    let body: Value = serde_json::from_str(&sent.body).expect("json");
    check(&body, "RemoteIssueLinkRequest");
    check(&body["object"], "RemoteObject");
    check(&body["application"], "Application");
    assert!(body["globalId"].as_str().is_some_and(|g| g.len() <= 255));
    r.task.abort();
    let _ = std::fs::remove_dir_all(dir);
}

const GITLAB_TOKEN_ENV: &str = "FD_WRITEBACK_GITLAB_TOKEN";

fn gitlab_tracker(fake: &gitlab_fake::FakeGitLab) -> Arc<dyn Tracker> {
    use flightdeck::config::{GitLabAuth, GitLabConfig, GitLabProject};
    use flightdeck::sources::gitlab::tracker::GitLabTracker;
    use flightdeck::sources::gitlab::GitLabSource;
    std::env::set_var(GITLAB_TOKEN_ENV, gitlab_fake::TOKEN);
    let cfg = GitLabConfig {
        url: fake.url.clone(),
        auth: GitLabAuth::PrivateToken,
        token_env: Some(GITLAB_TOKEN_ENV.into()),
        timeout_seconds: 5,
        projects: vec![GitLabProject {
            project: "acme/app".into(),
            service: "checkout".into(),
            environments: vec!["production".into()],
            incidents: true,
        }],
        ..Default::default()
    };
    let http = HttpClient::new(HttpSettings::default()).expect("client");
    let source = GitLabSource::new(&cfg, &BTreeMap::new()).expect("source");
    Arc::new(GitLabTracker::with_parts(
        source,
        http,
        &cfg.api_base(),
        "acme/app",
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gitlab_gets_the_summary_as_one_marked_note_on_the_labelled_release_issue() {
    let mut release = gitlab_fake::incident(1, "issue", &["release::2.4.1"], Utc::now(), None);
    release["notes"] = serde_json::json!([]);
    let fake = gitlab_fake::FakeGitLab::start(vec![gitlab_fake::Project {
        id: 5,
        path: "acme/app".into(),
        deployments: Vec::new(),
        commits: Vec::new(),
        compare_limit: None,
        jobs: Default::default(),
        issues: vec![release],
        merge_requests: Vec::new(),
    }]);
    let dir = tempdir("gitlab");
    let path = dir.join("cache.sqlite3");
    let store = ReviewStore::open(&path).expect("open");
    let (tx, rx) = mpsc::unbounded_channel();
    let (etx, erx) = mpsc::channel(10_000);
    let task = worker::spawn_with(
        store,
        Some(gitlab_tracker(&fake)),
        policy(),
        WriteBack {
            release_ticket: Some("release::{version}".into()),
            summary_comment: true,
            remote_link: true,
        },
        worker::system_clock(),
        rx,
        etx,
    );
    let mut r = Running {
        commands: tx,
        events: erx,
        task,
        states: BTreeMap::new(),
    };
    r.send(ReviewCommand::Enqueue {
        review_id: REVIEW.into(),
        review_title: "release 2.4.1".into(),
        item: item(),
    });
    decide(&r);
    assert_eq!(
        r.final_state(&summary_id()).await,
        Phase::Sent {
            key: "acme/app#1".into()
        }
    );
    // No remote links in GitLab: the issue's description carries the deployment.
    assert!(matches!(
        r.final_state(&link_id()).await,
        Phase::Sent { .. }
    ));
    let notes = fake.with(|s| s.projects[0].issues[0]["notes"].clone());
    let notes = notes.as_array().expect("notes");
    assert_eq!(marked(notes), 1, "{notes:?}");
    let text = notes[0].as_str().expect("markdown");
    assert!(text.contains("acme/app#2"), "the item's key: {text}");
    assert!(text.contains(DEPLOY_URL), "{text}");
    assert!(
        text.lines().all(|l| !l.trim_start().starts_with('/')),
        "{text}"
    );
    r.task.abort();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_sent_before_its_link_was_queued_gets_it_at_the_next_start() {
    let dir = tempdir("resume-link");
    let path = dir.join("cache.sqlite3");
    let fake = FakeJira::start(Mode::Cloud);
    // A run that sent the item but ended before it queued the link (here: a run
    // without remote links).
    let store = ReviewStore::open(&path).expect("open");
    let (tx, rx) = mpsc::unbounded_channel();
    let (etx, erx) = mpsc::channel(10_000);
    let task = worker::spawn(
        store,
        Some(tracker(&fake, Mode::Cloud)),
        policy(),
        worker::system_clock(),
        rx,
        etx,
    );
    let mut r = Running {
        commands: tx,
        events: erx,
        task,
        states: BTreeMap::new(),
    };
    r.send(ReviewCommand::Enqueue {
        review_id: REVIEW.into(),
        review_title: "release 2.4.1".into(),
        item: item(),
    });
    let key = match r.final_state(UUID).await {
        Phase::Sent { key } => key,
        other => panic!("{other:?}"),
    };
    r.task.abort();
    assert!(fake.links_on(&key).is_empty());
    let mut r = start(&path, tracker(&fake, Mode::Cloud));
    assert!(matches!(
        r.final_state(&link_id()).await,
        Phase::Sent { .. }
    ));
    assert_eq!(fake.links_on(&key).len(), 1);
    let creates = fake.requests("POST", "/rest/api/3/issue");
    let creates = creates.iter().filter(|l| l.target.ends_with("/issue"));
    assert_eq!(creates.count(), 1, "no second issue");
    r.task.abort();
    let _ = std::fs::remove_dir_all(dir);
}
