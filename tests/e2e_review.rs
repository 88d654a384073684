//! End to end: a whole post-release review driven by keys in a real terminal (tmux) at
//! 80x24, the binary polling a fake GitLab for its deployment and writing action items
//! to a fake Jira Cloud. Start the review, tick an item, add a finding, add an action
//! item through the form; the item goes out through the outbox and exactly that ticket
//! (summary, `flightdeck-<uuid>` label) is then found in the fake tracker, the review's
//! records and audit chain in the cache.
//!
//! Waits poll the screen with generous deadlines: they check that something happens,
//! never how fast.

// The fakes and `common` each compile the one percent-decoder they share.
#![allow(clippy::duplicate_mod)]

mod common;
mod gitlab_fake;
mod hostile;
mod jira_fake;

use chrono::{Duration, Utc};
use common::tmux::Tmux;
use flightdeck::review::audit;
use flightdeck::review::outbox::state::Phase;
use flightdeck::store::review::ReviewStore;
use gitlab_fake::{Dep, FakeGitLab, Project};
use jira_fake::{FakeJira, Mode};
use serde_json::json;

const GITLAB_TOKEN_ENV: &str = "FD_E2E_GITLAB_TOKEN";
const JIRA_TOKEN_ENV: &str = "FD_E2E_JIRA_TOKEN";
const SHA: &str = "c0ffee0012345678901234567890123456789012";
const SUMMARY: &str = "Add a canary alert on checkout 5xx";

fn checkout() -> Project {
    let finished = Utc::now() - Duration::hours(2);
    let commit = json!({
        "id": SHA,
        "short_id": &SHA[..8],
        "title": "the change",
        "message": "the change",
        "author_name": "Dev",
        "author_email": "dev@example.com",
        "authored_date": (finished - Duration::hours(3)).to_rfc3339(),
        "committer_name": "Dev",
        "committed_date": (finished - Duration::hours(2)).to_rfc3339(),
        "created_at": (finished - Duration::hours(2)).to_rfc3339(),
        "parent_ids": []
    });
    Project {
        id: 42,
        path: "acme/checkout".into(),
        deployments: vec![Dep {
            id: 7,
            environment: "production",
            sha: Some(SHA.into()),
            status: "success",
            created: finished - Duration::minutes(10),
            updated: finished + Duration::minutes(1),
            job: Some((finished - Duration::minutes(5), Some(finished))),
        }
        .json()],
        commits: vec![commit],
        compare_limit: None,
        jobs: Default::default(),
        issues: Vec::new(),
        merge_requests: Vec::new(),
    }
}

#[test]
fn a_whole_review_at_80x24_files_exactly_its_ticket_in_jira() {
    let gitlab = FakeGitLab::start(vec![checkout()]);
    let jira = FakeJira::start(Mode::Cloud);
    let dir = std::env::temp_dir().join(format!("fd-e2e-review-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let cache = dir.join("cache.sqlite3");
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[cache]
path = "{cache}"

[gitlab]
url = "{gitlab}"
token_env = "{GITLAB_TOKEN_ENV}"

[[gitlab.projects]]
project = "acme/checkout"
service = "checkout"

[jira]
url = "{jira}"
deployment = "cloud"
email = "{email}"
token_env = "{JIRA_TOKEN_ENV}"
project = "OPS"
"#,
            cache = cache.display(),
            gitlab = gitlab.url,
            jira = jira.url,
            email = jira_fake::EMAIL,
        ),
    )
    .expect("write config");
    // It names token variables: readable by its owner only, or flightdeck warns.
    std::fs::set_permissions(&config, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .expect("chmod the config");

    let args = format!("--config {}", config.display());
    let t = Tmux::start(
        "review",
        (80, 24),
        &[
            ("LANG", "C.UTF-8"),
            (GITLAB_TOKEN_ENV, gitlab_fake::TOKEN),
            (JIRA_TOKEN_ENV, jira_fake::TOKEN),
        ],
        &args,
    );
    t.wait_for("the deployment from GitLab", |s| {
        s.contains("Deployments") && s.contains(&SHA[..8])
    });

    // Start the review, zoom its pane, tick its last item (a manual one).
    t.keys(&["v"]);
    t.wait_for("the review started", |s| s.contains("started"));
    t.keys(&["6", "G", "Space"]);
    t.wait_for("the last item ticked", |s| {
        s.lines()
            .any(|l| l.contains("Action items filed") && l.contains('✓'))
    });

    // A finding: the category three to the right (test gap), then its text.
    t.keys(&["F"]);
    t.wait_for("the finding form", |s| s.contains("New finding"));
    t.tmux(&["send-keys", "-t", "fd", "-l", "flaky checkout test"]);
    t.wait_for("the finding typed", |s| s.contains("flaky checkout test"));
    t.keys(&["Tab", "Right", "Right", "Right"]);
    t.keys(&["Enter"]);
    t.wait_for("the finding listed", |s| {
        s.contains("Findings (1)") && s.contains("test gap: flaky checkout test")
    });

    // An action item: a refused save first (no success criteria), then fixed.
    t.keys(&["a"]);
    t.wait_for("the action item form", |s| s.contains("New action item"));
    t.tmux(&["send-keys", "-t", "fd", "-l", SUMMARY]);
    t.keys(&["Enter"]);
    // The focus goes to the field the message is on.
    t.wait_for("the refusal on its field", |s| {
        s.contains("must not be empty") && s.contains("› Success criteria")
    });
    // Pasted (bracketed, as terminals paste): the line break and the colour escape
    // are neither Enter nor Esc, and do not reach the field.
    t.tmux(&[
        "set-buffer",
        "-b",
        "crit",
        "alert fires\n\u{1b}[31min staging\u{1b}[0m",
    ]);
    t.tmux(&["paste-buffer", "-p", "-b", "crit", "-t", "fd"]);
    t.wait_for("the criteria typed", |s| {
        s.lines()
            .any(|l| l.contains("Success criteria") && l.contains("alert fires in staging"))
    });
    t.keys(&["Enter"]);
    let sent = t.wait_for("the item sent to Jira", |s| {
        s.contains("Action items (1)") && s.contains("sent OPS-")
    });
    assert!(sent.contains(SUMMARY), "{sent}");

    t.keys(&["q"]);
    t.wait_for("a clean exit", |s| s.contains("EXITED:0"));
    let raw = t.raw_after_exit();
    common::assert_clean_terminal_bytes(&raw);
    common::assert_terminal_restored(&raw, &[1049, 25, 2004]);

    // Exactly one ticket, the item's: its summary and its outbox label.
    let store = ReviewStore::open(&cache).expect("the cache");
    let rows = store.outbox().expect("outbox");
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(row.item.summary, SUMMARY);
    assert_eq!(row.item.success_criteria, "alert fires in staging");
    let Phase::Sent { key } = &row.delivery.phase else {
        panic!("not sent: {:?}", row.delivery);
    };
    let issues = jira.with(|s| s.issues.clone());
    assert_eq!(issues.len(), 1, "{issues:#?}");
    let label = format!("flightdeck-{}", row.item.uuid);
    let found = jira.labelled(&label);
    assert_eq!(found.len(), 1, "{label} on {issues:#?}");
    assert_eq!(found[0]["key"].as_str(), Some(key.as_str()));
    assert_eq!(found[0]["fields"]["summary"].as_str(), Some(SUMMARY));

    // The session as reviewed, and every step in an intact audit chain.
    let sessions = store.sessions().expect("sessions");
    assert_eq!(sessions.len(), 1);
    let s = &sessions[0];
    assert!(s.checks.last().expect("checks").checked);
    assert_eq!(s.findings.len(), 1);
    assert_eq!(s.findings[0].text, "flaky checkout test");
    assert_eq!(s.actions.len(), 1);
    assert_eq!(s.actions[0].uuid, row.item.uuid);
    let records = store.audit().expect("audit");
    let kinds: Vec<&str> = records.iter().map(|r| r.kind.as_str()).collect();
    for kind in ["start", "check", "finding", "item", "action", "send"] {
        assert!(kinds.contains(&kind), "no {kind} record in {kinds:?}");
    }
    audit::verify(&records).expect("an intact chain");
    let _ = std::fs::remove_dir_all(&dir);
}
