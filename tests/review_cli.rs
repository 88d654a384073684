//! `flightdeck review list | export | verify` on a cache file written through the
//! store, as a user meets them: the binary, its output and its exit code. The audit
//! file is tampered with rusqlite directly, as someone with the file would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{TimeZone, Utc};
use flightdeck::review::checks::{Evaluation, Verdict};
use flightdeck::review::outbox::state::{Delivery, Phase};
use flightdeck::review::session::{
    ActionItem, Category, CheckState, Finding, ReviewSession, ReviewTarget,
};
use flightdeck::store::review::{OutboxRow, ReviewStore};

const REVIEW: &str = "5f0c3a9e-1111-4222-8333-444455556666";

fn setup() -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "fd-review-cli-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).expect("dir");
    let cache = dir.join("cache.sqlite3");
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!("[cache]\npath = {:?}\n", cache.display().to_string()),
    )
    .expect("config");
    let at = Utc
        .with_ymd_and_hms(2026, 11, 20, 14, 0, 0)
        .single()
        .expect("t");
    let mut store = ReviewStore::open(&cache).expect("open");
    let session = ReviewSession {
        id: REVIEW.into(),
        target: ReviewTarget::Deployment {
            id: "gitlab:41".into(),
            service: "checkout".into(),
            version: "2.4.1".into(),
        },
        template: "detailed".into(),
        started_at: at,
        checks: vec![
            CheckState {
                id: "incidents".into(),
                title: "No incident linked to the deployment".into(),
                auto: Some(Evaluation {
                    verdict: Verdict::Fail,
                    evidence: "linked: INC-101".into(),
                }),
                checked: false,
                note: None,
            },
            CheckState {
                id: "rollback-plan".into(),
                title: "Rollback plan still valid".into(),
                auto: None,
                checked: true,
                // Typed by a person, or quoted: an escape must never reach the terminal.
                note: Some("v2.4.0 \u{1b}]0;pwned\u{7}redeployable".into()),
            },
        ],
        findings: vec![Finding {
            category: Category::DependencyFailure,
            text: "payment provider timeouts".into(),
        }],
        actions: Vec::new(),
        decision: Some("accepted with actions".into()),
    };
    store.save_session(&session).expect("save");
    for (kind, detail) in [
        ("start", "deployment gitlab:41 with detailed"),
        ("check", "ticked rollback-plan"),
        ("finding", "dependency failure"),
        ("item", "Add a timeout alert"),
        ("send", "sent OPS-7"),
    ] {
        store.append_audit(at, REVIEW, kind, detail).expect("audit");
    }
    let item = ActionItem {
        uuid: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee".into(),
        summary: "Add a timeout alert on the payment provider".into(),
        owner: Some("alice".into()),
        due: Some("2026-12-15".into()),
        success_criteria: "alert fires in the drill".into(),
        category: Category::MonitoringGap,
        link: Some("https://gitlab.example/checkout/-/pipelines/41".into()),
    };
    let row = OutboxRow {
        review_id: REVIEW.into(),
        review_title: "deployment gitlab:41 (checkout 2.4.1)".into(),
        item,
        delivery: Delivery::new(at),
    };
    store.enqueue(&row, at).expect("enqueue");
    let sent = Delivery {
        phase: Phase::Sent {
            key: "OPS-7".into(),
        },
        ..Delivery::new(at)
    };
    store.set_delivery(&row.item.uuid, &sent).expect("sent");
    (config, cache)
}

fn flightdeck(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(args)
        .env("FLIGHTDECK_CONFIG", config)
        .env("LANG", "C.UTF-8")
        .output()
        .expect("run flightdeck")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn list_and_export_show_the_review_with_keys_and_no_escape() {
    let (config, _) = setup();
    let list = flightdeck(&config, &["review", "list"]);
    assert!(list.status.success(), "{list:?}");
    let text = stdout(&list);
    assert!(text.contains(REVIEW), "{text}");
    assert!(text.contains("checks 1/2"), "{text}");
    assert!(text.contains("items 1 (1 sent)"), "{text}");

    let md = flightdeck(
        &config,
        &["review", "export", "5f0c3a9e", "--format", "markdown"],
    );
    assert!(md.status.success(), "{md:?}");
    let text = stdout(&md);
    for expected in [
        "[fail] No incident linked to the deployment: linked: INC-101",
        "[x] Rollback plan still valid",
        "(dependency failure) payment provider timeouts",
        "Add a timeout alert on the payment provider [sent OPS-7]",
        "label: flightdeck-aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    assert!(!md.stdout.contains(&0x1b), "no escape byte reaches stdout");

    let json = flightdeck(&config, &["review", "export", REVIEW, "--format", "json"]);
    assert!(json.status.success(), "{json:?}");
    assert!(!json.stdout.contains(&0x1b));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(v["schema"], "flightdeck.review.v1");
    assert_eq!(v["action_items"][0]["tracker_key"], "OPS-7");
    assert_eq!(v["action_items"][0]["state"], "sent");
    assert_eq!(v["checklist"][0]["auto"]["verdict"], "fail");
    assert_eq!(v["findings"][0]["category"], "dependency_failure");
}

#[test]
fn verify_passes_an_intact_chain_and_names_the_record_edited_deleted_or_moved() {
    let (config, cache) = setup();
    let ok = flightdeck(&config, &["review", "verify"]);
    assert!(ok.status.success(), "{ok:?}");
    assert!(
        stdout(&ok).starts_with("audit log intact: 5 records"),
        "{}",
        stdout(&ok)
    );

    type Tamper = fn(&rusqlite::Connection);
    let cases: [(&str, Tamper, &str); 3] = [
        (
            "edit",
            |c| {
                c.execute(
                    "UPDATE audit_log SET detail = 'unticked rollback-plan' WHERE seq = 2",
                    [],
                )
                .expect("edit");
            },
            "record 2 ",
        ),
        (
            "delete",
            |c| {
                c.execute("DELETE FROM audit_log WHERE seq = 3", [])
                    .expect("delete");
            },
            "record 4 ",
        ),
        (
            "reorder",
            |c| {
                // Swap the content of records 2 and 3 (their hashes go with them).
                c.execute_batch(
                    "UPDATE audit_log SET seq = 100 WHERE seq = 2;
                     UPDATE audit_log SET seq = 2 WHERE seq = 3;
                     UPDATE audit_log SET seq = 3 WHERE seq = 100;",
                )
                .expect("swap");
            },
            "record 2 ",
        ),
    ];
    for (what, tamper, named) in cases {
        let (config, cache) = setup();
        let conn = rusqlite::Connection::open(&cache).expect("open");
        tamper(&conn);
        drop(conn);
        let out = flightdeck(&config, &["review", "verify"]);
        assert!(!out.status.success(), "{what}: {out:?}");
        let text = stdout(&out);
        assert!(text.contains("BROKEN"), "{what}: {text}");
        assert!(text.contains(named), "{what}: {named:?} in {text}");
    }
    drop(cache);
}
