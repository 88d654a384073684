//! The demo world's deployments, commits and incidents served through the same fake
//! GitLab the tests use (tests/gitlab_fake), on a loopback port, so a newcomer can
//! watch the GitLab path work without a GitLab (`scripts/live-demo` starts it).
//!
//! One project per demo service (`demo/<service>`). GitLab has no `rolled_back`
//! status: a rolled-back deployment is listed as the success it was, and its rollback
//! as a new deployment of the older sha, as GitLab shows them. Incidents are issues of
//! type incident with a `severity::` label, linked to deployments by time.
//!
//! Prints `url <base URL>` and `token <token>` on stdout, then serves until killed.
//! Usage: cargo run --release --example demo_gitlab [-- SEED] (the demo's seed by
//! default, so the deployments are the embedded demo's).

#![allow(clippy::duplicate_mod)]

#[path = "../tests/gitlab_fake/mod.rs"]
mod gitlab_fake;
#[path = "../tests/hostile/mod.rs"]
mod hostile;

use std::collections::BTreeMap;
use std::io::Write;

use chrono::{Duration, Utc};
use flightdeck::event::SourceData;
use flightdeck::model::{DeployStatus, Deployment, Incident};
use flightdeck::sources::demo::world::DemoWorld;
use gitlab_fake::{incident, Dep, FakeGitLab, Project};
use serde_json::{json, Value};

fn status(s: DeployStatus) -> &'static str {
    match s {
        DeployStatus::Running => "running",
        DeployStatus::Success | DeployStatus::RolledBack => "success",
        DeployStatus::Failed => "failed",
        DeployStatus::Canceled => "canceled",
    }
}

/// A commit as the commits and compare APIs list it.
fn commit(sha: &str, title: &str, author: &str, authored: &str, committed: &str) -> Value {
    json!({
        "id": sha,
        "short_id": &sha[..sha.len().min(8)],
        "title": title,
        "message": title,
        "author_name": author,
        "author_email": "dev@example.com",
        "authored_date": authored,
        "committer_name": author,
        "committed_date": committed,
        "created_at": committed,
        "parent_ids": []
    })
}

/// One line of history for a service: every commit its production deployments
/// shipped, in commit order, and the deployed shas among them.
fn history(deployments: &[&Deployment]) -> Vec<Value> {
    let mut by_sha: BTreeMap<String, (chrono::DateTime<Utc>, Value)> = BTreeMap::new();
    for d in deployments {
        for c in &d.commits {
            by_sha.entry(c.sha.clone()).or_insert_with(|| {
                (
                    c.committed_at,
                    commit(
                        &c.sha,
                        &c.title,
                        &c.author,
                        &c.authored_at.to_rfc3339(),
                        &c.committed_at.to_rfc3339(),
                    ),
                )
            });
        }
        // A deployment with no commits of its own still deploys a commit.
        by_sha.entry(d.sha.clone()).or_insert_with(|| {
            let at = d.started_at - Duration::minutes(30);
            (
                at,
                commit(
                    &d.sha,
                    "release",
                    &d.deployer,
                    &at.to_rfc3339(),
                    &at.to_rfc3339(),
                ),
            )
        });
    }
    let mut line: Vec<(chrono::DateTime<Utc>, Value)> = by_sha.into_values().collect();
    line.sort_by_key(|(at, _)| *at);
    line.into_iter().map(|(_, v)| v).collect()
}

fn project(
    id: u64,
    service: &str,
    deployments: &[&Deployment],
    incidents: &[&Incident],
) -> Project {
    let listed = deployments
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let finished = d.finished_at;
            let mut listed = Dep {
                id: id * 100_000 + i as u64 + 1,
                environment: "production",
                sha: Some(d.sha.clone()),
                status: status(d.status),
                created: d.started_at,
                updated: finished.unwrap_or(d.started_at) + Duration::seconds(5),
                job: Some((d.started_at, finished)),
            }
            .json();
            // Released by tag, so the version reads as the demo's ("2.14.1").
            if !listed["deployable"].is_null() {
                listed["ref"] = json!(d.version);
                listed["deployable"]["ref"] = json!(d.version);
                listed["deployable"]["tag"] = json!(true);
            }
            listed
        })
        .collect();
    let issues = incidents
        .iter()
        .enumerate()
        .map(|(i, inc)| {
            let severity = format!("severity::{}", inc.severity.to_lowercase());
            let mut issue = incident(
                i as u64 + 1,
                "incident",
                &[severity.as_str()],
                inc.created_at,
                inc.resolved_at,
            );
            issue["title"] = json!(inc.title);
            issue
        })
        .collect();
    Project {
        id,
        path: format!("demo/{service}"),
        deployments: listed,
        commits: history(deployments),
        compare_limit: None,
        jobs: Default::default(),
        issues,
        merge_requests: Vec::new(),
    }
}

fn main() {
    let seed = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(flightdeck::sources::demo::DEFAULT_SEED);
    let now = Utc::now();
    let world = DemoWorld::new(seed, now);
    let mut deployments = Vec::new();
    let mut incidents = Vec::new();
    for data in world.data_at(now) {
        match data {
            SourceData::Deployments(d) => deployments = d,
            SourceData::Incidents(i) => incidents = i,
            _ => {}
        }
    }
    let projects = DemoWorld::services()
        .iter()
        .enumerate()
        .map(|(i, service)| {
            let mut of_service: Vec<&Deployment> = deployments
                .iter()
                .filter(|d| &d.service == service && d.environment == "production")
                .collect();
            of_service.sort_by_key(|d| d.finished_at.unwrap_or(d.started_at));
            let its_incidents: Vec<&Incident> =
                incidents.iter().filter(|x| &x.service == service).collect();
            project(i as u64 + 1, service, &of_service, &its_incidents)
        })
        .collect();
    let fake = FakeGitLab::start(projects);
    let mut out = std::io::stdout();
    let _ = writeln!(out, "url {}", fake.url);
    let _ = writeln!(out, "token {}", gitlab_fake::TOKEN);
    let _ = out.flush();
    loop {
        std::thread::park();
    }
}
