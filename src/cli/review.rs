//! `flightdeck review list | export ID --format markdown|json | verify`: the review
//! records in the cache file. Everything printed passes the sanitizing sink
//! (`output::emit`): summaries, notes and evidence were typed by people or quoted from
//! servers, and the file itself may have been edited.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use color_eyre::eyre::{eyre, Result};
use serde_json::json;

use super::{output, ReportFormat, ReviewCmd};
use crate::review::audit;
use crate::review::checks::Verdict;
use crate::review::outbox::state::Phase;
use crate::review::session::ReviewSession;
use crate::store::review::{OutboxRow, ReviewStore};

pub fn run(path: &Path, cmd: &ReviewCmd) -> Result<ExitCode> {
    if !path.exists() {
        return match cmd {
            ReviewCmd::Verify => output::emit("audit log intact: 0 records (no cache file yet)\n"),
            ReviewCmd::List => output::emit("no reviews yet\n"),
            ReviewCmd::Export { id, .. } => {
                Err(eyre!("no review {id:?}: there is no cache file yet"))
            }
            ReviewCmd::Sync { .. } => Err(eyre!("review sync is run with the config")),
        };
    }
    let store =
        ReviewStore::open(path).map_err(|e| eyre!("cannot open {}: {e}", path.display()))?;
    match cmd {
        ReviewCmd::List => output::emit(&list(&store)?),
        ReviewCmd::Export { id, format } => {
            let session = find(&store, id)?;
            let items: Vec<OutboxRow> = store
                .outbox()?
                .into_iter()
                .filter(|r| r.review_id == session.id)
                .collect();
            match format {
                ReportFormat::Markdown => output::emit(&markdown(&session, &items)),
                ReportFormat::Json => output::emit(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&export_json(&session, &items))?
                )),
            }
        }
        ReviewCmd::Verify => {
            let records = store.audit()?;
            match audit::verify(&records) {
                Ok(head) => output::emit(&format!(
                    "audit log intact: {} records, head {head}\n",
                    records.len()
                )),
                Err(broken) => {
                    output::emit(&format!("audit log BROKEN: {broken}\n"))?;
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        ReviewCmd::Sync { .. } => Err(eyre!("review sync is run with the config")),
    }
}

/// The review with this id, or the only one whose id starts with it.
fn find(store: &ReviewStore, id: &str) -> Result<ReviewSession> {
    if let Some(s) = store.session(id)? {
        return Ok(s);
    }
    let mut matching: Vec<ReviewSession> = store
        .sessions()?
        .into_iter()
        .filter(|s| !id.is_empty() && s.id.starts_with(id))
        .collect();
    match matching.len() {
        1 => Ok(matching.remove(0)),
        0 => Err(eyre!(
            "no review {id:?}; `flightdeck review list` shows them"
        )),
        n => Err(eyre!("{n} reviews start with {id:?}; give more of the id")),
    }
}

fn list(store: &ReviewStore) -> Result<String> {
    let sessions = store.sessions()?;
    if sessions.is_empty() {
        return Ok("no reviews yet\n".to_string());
    }
    let items = store.outbox()?;
    let mut out = String::new();
    for s in &sessions {
        let done = s
            .checks
            .iter()
            .filter(|c| c.checked || c.auto.as_ref().is_some_and(|e| e.verdict == Verdict::Pass))
            .count();
        let mine: Vec<&OutboxRow> = items.iter().filter(|r| r.review_id == s.id).collect();
        let sent = mine
            .iter()
            .filter(|r| matches!(r.delivery.phase, Phase::Sent { .. }))
            .count();
        let _ = writeln!(
            out,
            "{}  {}  {}  {}  checks {done}/{}  items {} ({sent} sent)",
            s.id,
            s.started_at.format("%Y-%m-%d %H:%M UTC"),
            s.target.title(),
            s.template,
            s.checks.len(),
            mine.len()
        );
    }
    Ok(out)
}

fn mark(c: &crate::review::session::CheckState) -> String {
    match &c.auto {
        Some(e) => format!("[{}] {}: {}", e.verdict.word(), c.title, e.evidence),
        None => format!("[{}] {}", if c.checked { "x" } else { " " }, c.title),
    }
}

fn markdown(s: &ReviewSession, items: &[OutboxRow]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Post-release review: {}\n", s.target.title());
    let _ = writeln!(out, "- id: {}", s.id);
    let _ = writeln!(out, "- started: {}", s.started_at.to_rfc3339());
    let _ = writeln!(out, "- template: {}", s.template);
    if let Some(d) = &s.decision {
        let _ = writeln!(out, "- decision: {d}");
    }
    let _ = writeln!(out, "\n## Checklist\n");
    for c in &s.checks {
        let _ = writeln!(out, "- {}", mark(c));
        if let Some(note) = &c.note {
            let _ = writeln!(out, "  - note: {note}");
        }
    }
    let _ = writeln!(out, "\n## Findings\n");
    if s.findings.is_empty() {
        let _ = writeln!(out, "none");
    }
    for f in &s.findings {
        let _ = writeln!(out, "- ({}) {}", f.category.word(), f.text);
    }
    let _ = writeln!(out, "\n## Action items\n");
    if items.is_empty() {
        let _ = writeln!(out, "none");
    }
    for r in items {
        let i = &r.item;
        let _ = writeln!(out, "- {} [{}]", i.summary, r.delivery.phase.describe());
        let _ = writeln!(
            out,
            "  - owner: {}; due: {}; category: {}",
            i.owner.as_deref().unwrap_or("unassigned"),
            i.due.as_deref().unwrap_or("none"),
            i.category.word()
        );
        let _ = writeln!(out, "  - success criteria: {}", i.success_criteria);
        if let Some(link) = &i.link {
            let _ = writeln!(out, "  - link: {link}");
        }
        let _ = writeln!(out, "  - label: flightdeck-{}", i.uuid);
    }
    out
}

fn export_json(s: &ReviewSession, items: &[OutboxRow]) -> serde_json::Value {
    let actions: Vec<serde_json::Value> = items
        .iter()
        .map(|r| {
            let (key, reason) = match &r.delivery.phase {
                Phase::Sent { key } => (Some(key.clone()), None),
                Phase::Failed { reason, .. } => (None, Some(reason.clone())),
                _ => (None, None),
            };
            json!({
                "uuid": r.item.uuid,
                "label": format!("flightdeck-{}", r.item.uuid),
                "summary": r.item.summary,
                "owner": r.item.owner,
                "due": r.item.due,
                "success_criteria": r.item.success_criteria,
                "category": r.item.category,
                "link": r.item.link,
                "state": r.delivery.phase.word(),
                "tracker_key": key,
                "reason": reason,
            })
        })
        .collect();
    json!({
        "schema": "flightdeck.review.v1",
        "id": s.id,
        "target": s.target,
        "template": s.template,
        "started_at": s.started_at,
        "decision": s.decision,
        "checklist": s.checks,
        "findings": s.findings,
        "action_items": actions,
    })
}
