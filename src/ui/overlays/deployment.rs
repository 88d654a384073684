//! Enter on a deployment: its commits, stages with durations, linked incidents, risk
//! flags and the error budget it consumed.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::Doc;
use crate::model::{DeployKind, DeployStatus, Deployment, StageStatus, Trigger, Ts};
use crate::ui::panes::deployments::canary_text;
use crate::ui::theme::Sym;
use crate::ui::{format, Ctx};

pub fn draw(ctx: &Ctx, id: &str, area: Rect, buf: &mut Buffer) {
    let (model, theme) = (ctx.model, ctx.theme);
    let tz = model.view.tz;
    let p = theme.plain();
    let mut doc = Doc::default();
    let Some(d) = model.data.deployments.iter().find(|d| d.id == id) else {
        doc.text(
            format!("deployment {id} is no longer loaded"),
            theme.muted(),
        );
        doc.show(ctx, area, 60, "Deployment", buf);
        return;
    };
    let facts = ctx
        .derived
        .services
        .get(&d.service)
        .and_then(|s| s.facts.get(&d.id));
    let (sym, style) = theme.status(d.status);
    let sep = theme.sym(Sym::Separator);
    doc.line(vec![
        (format!("{sym} {}", d.status.word()), style),
        (
            format!(
                "  {} {sep} {} {sep} {}",
                d.version, d.service, d.environment
            ),
            theme.bold(),
        ),
    ]);
    let finished = d
        .finished_at
        .map_or_else(|| "running".to_string(), |t| format::date_time(t, tz));
    let field = |doc: &mut Doc, name: &str, value: String| {
        doc.line(vec![(format!("{name:<11}"), theme.muted()), (value, p)]);
    };
    field(&mut doc, "started", format::date_time(d.started_at, tz));
    field(&mut doc, "finished", finished);
    field(&mut doc, "took", format::duration(d.duration(model.now)));
    let trigger = match d.trigger {
        Trigger::Auto => "automatic",
        Trigger::Manual => "manual",
    };
    let kind = format!("{:?}", d.kind).to_lowercase();
    field(
        &mut doc,
        "deployer",
        format!("{} ({trigger}, {kind})", d.deployer),
    );
    field(&mut doc, "canary", canary_text(d));
    field(&mut doc, "sha", d.sha.chars().take(12).collect());
    if let Some(url) = &d.url {
        field(&mut doc, "link", url.clone());
    }
    match facts {
        Some(f) => {
            let failed = if f.failed {
                "yes: counts as a change failure"
            } else {
                "no"
            };
            doc.line(vec![
                (format!("{:<11}", "failed"), theme.muted()),
                (
                    failed.to_string(),
                    if f.failed { theme.bad() } else { theme.ok() },
                ),
            ]);
            if f.spike {
                doc.line(vec![
                    (format!("{:<11}", "spike"), theme.muted()),
                    (
                        "error ratio >= 5x the hour before: likely cause".to_string(),
                        theme.bad(),
                    ),
                ]);
            }
            let risk: Vec<&str> = f.risk.iter().map(|r| r.word()).collect();
            let risk = if risk.is_empty() {
                "none".to_string()
            } else {
                risk.join(", ")
            };
            field(&mut doc, "risk", risk);
            let budget = f.budget_consumed.map_or_else(
                || format::NA.to_string(),
                |b| format!("{} of the window's error budget", format::percent(b, 2)),
            );
            field(&mut doc, "budget", budget);
        }
        None => field(&mut doc, "failed", format::NA.to_string()),
    }

    doc.blank();
    doc.text(format!("Stages ({})", d.stages.len()), theme.heading());
    for s in &d.stages {
        let (sym, style) = match s.status {
            StageStatus::Success => (theme.sym(Sym::Ok), theme.ok()),
            StageStatus::Failed => (theme.sym(Sym::Fail), theme.bad()),
            StageStatus::Running => (theme.sym(Sym::Running), theme.info()),
            StageStatus::Canceled => (theme.sym(Sym::Canceled), theme.muted()),
            StageStatus::Pending | StageStatus::Skipped => (theme.sym(Sym::Pending), theme.muted()),
        };
        let took = match (s.started_at, s.finished_at) {
            (Some(a), Some(b)) => format::duration(b - a),
            (Some(a), None) => format!("{} so far", format::duration(model.now - a)),
            _ => "-".to_string(),
        };
        let word = format!("{:?}", s.status).to_lowercase();
        doc.line(vec![
            (format!("{sym} {word:<9}"), style),
            (format!(" {:<20} {took}", s.name), p),
        ]);
    }

    doc.blank();
    let incidents = facts.map_or(&[][..], |f| &f.incidents[..]);
    doc.text(
        format!("Linked incidents ({})", incidents.len()),
        theme.heading(),
    );
    for key in incidents {
        match model.data.incidents.iter().find(|i| &i.key == key) {
            Some(i) => {
                let state = i.resolved_at.map_or_else(
                    || "open".to_string(),
                    |r| format!("resolved after {}", format::duration(r - i.created_at)),
                );
                doc.line(vec![
                    (format!("{} {} ", i.key, i.severity), theme.bad()),
                    (format!("{} ({state})", i.title), p),
                ]);
            }
            None => doc.text(key.clone(), p),
        }
    }

    doc.blank();
    let counted = facts.is_none_or(|f| f.changes_counted);
    let note = if counted {
        String::new()
    } else {
        format!(
            " - not counted in lead time: {}",
            uncounted_reason(d, model.now)
        )
    };
    doc.text(
        format!("Commits ({}){note}", d.commits.len()),
        theme.heading(),
    );
    let finished = d.finished_at.filter(|f| *f <= model.now);
    for c in &d.commits {
        let lead = finished.map_or_else(
            || format::NA.to_string(),
            |f| format::duration(f - c.committed_at),
        );
        doc.line(vec![
            (
                format!("{} ", c.sha.chars().take(8).collect::<String>()),
                theme.info(),
            ),
            (format!("{} ", c.title), p),
            (format!("({}, lead {lead})", c.author), theme.muted()),
        ]);
    }
    doc.show(ctx, area, 96, &format!("Deployment {}", d.id), buf);
}

/// Why the engine did not count this deployment's commits as lead time, from the
/// rules of DESIGN §3: only a finished, successful production deployment that has a
/// predecessor ships changes.
fn uncounted_reason(d: &Deployment, now: Ts) -> &'static str {
    if d.finished_at.is_none_or(|f| f > now) {
        "still running"
    } else if !d.is_production() {
        "not a production deployment"
    } else if d.status != DeployStatus::Success {
        "not successful"
    } else if d.kind == DeployKind::Rollback {
        "a rollback ships no new changes"
    } else {
        "first deployment seen (no predecessor to count from)"
    }
}
