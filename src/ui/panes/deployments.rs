//! Recent deployments of the selected service, newest first, with the cursor row kept
//! on screen.
//!
//! Columns are chosen by priority for the width: status, version, age, canary and
//! flags always; environment, duration, deployer, then service when there is room
//! (the title already names the service, so it is the first to go). Width left over
//! goes to the deployer's name before the flags.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::app::PaneId;
use crate::metrics::DeploymentFacts;
use crate::model::{CanaryOutcome, DeployKind, Deployment};
use crate::ui::paint::{border_note, fit, put, put_spans, restyle, scroll_offset, width};
use crate::ui::theme::Sym;
use crate::ui::{format, Ctx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Status,
    Service,
    Version,
    Env,
    Age,
    Duration,
    Canary,
    Deployer,
    Flags,
}

const HEADINGS: [(Column, &str); 9] = [
    (Column::Status, "STATUS"),
    (Column::Service, "SERVICE"),
    (Column::Version, "VERSION"),
    (Column::Env, "ENV"),
    (Column::Age, "AGE"),
    (Column::Duration, "TOOK"),
    (Column::Canary, "CANARY"),
    (Column::Deployer, "BY"),
    (Column::Flags, "FLAGS"),
];
/// The flags column (failure, spike, risk tags) keeps at least this many cells.
const FLAGS_MIN: u16 = 9;
/// Room for every flag a deployment usually carries ("FAIL SPIKE hotfix wknd ooh").
const FLAGS_WIDE: u16 = 26;

/// Canary stage and result: "25% wait", "100% ok", "25% fail", "-" without a canary.
pub fn canary_text(d: &Deployment) -> String {
    match &d.canary {
        None => "-".to_string(),
        Some(c) => match c.outcome {
            // A word, not "…": an ellipsis reads as text cut off.
            CanaryOutcome::InProgress => format!("{}% wait", c.traffic_percent),
            CanaryOutcome::Passed => format!("{}% ok", c.traffic_percent),
            CanaryOutcome::Failed => format!("{}% fail", c.traffic_percent),
        },
    }
}

/// Failure and spike markers, then the deployment kind and risk tags.
fn flags_text(d: &Deployment, facts: Option<&DeploymentFacts>) -> String {
    let mut out = String::new();
    let mut push = |s: &str| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(s);
    };
    if let Some(f) = facts {
        if f.failed {
            push("FAIL");
        }
        if f.spike {
            push("SPIKE");
        }
    }
    match d.kind {
        DeployKind::Hotfix => push("hotfix"),
        DeployKind::Rollback => push("rollback"),
        DeployKind::Normal => {}
    }
    if let Some(f) = facts {
        for r in &f.risk {
            push(r.tag());
        }
    }
    out
}

pub fn draw(ctx: &Ctx, area: Rect, buf: &mut Buffer) {
    let (model, theme) = (ctx.model, ctx.theme);
    let service = model.selected_service().unwrap_or("");
    // `:env NAME` narrows the table: the title says so, or an empty table would lie.
    let title = match &model.ui.environment {
        Some(env) => format!("{service} {} {env} only", theme.sym(Sym::Separator)),
        None => service.to_string(),
    };
    let inner = ctx.pane_box(PaneId::Deployments, &title, area, buf);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let rows = model.service_deployments();
    if rows.is_empty() {
        if let Some(reason) = model.dora_unavailable() {
            // "No source" means none will come until one is configured; "none yet"
            // means the configured source has listed none so far.
            put(buf, inner, 1, 0, reason, theme.warn());
            let hint = if reason == crate::app::NO_DEPLOYMENTS_YET {
                "they appear here once the deployment source lists one"
            } else {
                "deploy markers show on the golden-signal charts"
            };
            put(buf, inner, 1, 1, hint, theme.muted());
            return;
        }
        let msg = if service.is_empty() {
            "no service selected yet"
        } else {
            "no deployments for this service yet"
        };
        put(buf, inner, 1, 0, msg, theme.muted());
        return;
    }
    let cursor = model.ui.deploy_cursor.min(rows.len() - 1);
    border_note(
        buf,
        area,
        &format!(" {}/{} ", cursor + 1, rows.len()),
        theme.muted(),
    );

    let facts = ctx.service().map(|s| &s.facts);
    let version_w = rows
        .iter()
        .map(|d| width(&d.version))
        .max()
        .unwrap_or(0)
        .clamp(7, 14) as u16;
    let env_w = rows
        .iter()
        .map(|d| width(&d.environment))
        .max()
        .unwrap_or(0)
        .clamp(3, 10) as u16;
    let deployer_full = rows
        .iter()
        .map(|d| width(&d.deployer))
        .max()
        .unwrap_or(0)
        .clamp(2, 20) as u16;
    let deployer_w = deployer_full.min(10);
    let service_w = width(service).clamp(7, 16) as u16;
    let canary_w = rows
        .iter()
        .map(|d| width(&canary_text(d)))
        .max()
        .unwrap_or(0)
        .clamp(6, 9) as u16;
    // (column, width) in priority order; flags take the rest.
    let wanted = [
        (Column::Status, 13),
        (Column::Version, version_w),
        (Column::Age, 4),
        (Column::Canary, canary_w),
        (Column::Env, env_w),
        (Column::Duration, 6),
        (Column::Deployer, deployer_w),
        (Column::Service, service_w),
    ];
    let avail = inner.width.saturating_sub(1); // column 0 holds the cursor marker
    let mut used = 0u16;
    let mut chosen: Vec<(Column, u16)> = Vec::with_capacity(8);
    for (i, (col, w)) in wanted.iter().enumerate() {
        let always = i < 4;
        if always || used + w + 1 + FLAGS_MIN <= avail {
            chosen.push((*col, *w));
            used += w + 1;
        }
    }
    // Spare width beyond what the flags need goes to whole deployer names.
    let spare = avail.saturating_sub(used + FLAGS_WIDE);
    if let Some((_, w)) = chosen.iter_mut().find(|(c, _)| *c == Column::Deployer) {
        let grow = deployer_full.saturating_sub(*w).min(spare);
        *w += grow;
        used += grow;
    }
    chosen.push((Column::Flags, avail.saturating_sub(used)));
    // Display order follows the heading order.
    chosen.sort_by_key(|(c, _)| HEADINGS.iter().position(|(h, _)| h == c));

    let mut x = 1;
    for (col, w) in &chosen {
        let name = HEADINGS
            .iter()
            .find(|(c, _)| c == col)
            .map_or("", |(_, n)| n);
        put(
            buf,
            inner,
            x,
            0,
            &fit(name, usize::from(*w), theme),
            theme.bold(),
        );
        x += w + 1;
    }

    let visible = usize::from(inner.height.saturating_sub(1));
    let offset = scroll_offset(cursor, rows.len(), visible);
    for (i, d) in rows.iter().enumerate().skip(offset).take(visible) {
        let row = (i - offset + 1) as u16;
        let selected = i == cursor;
        let f = facts.and_then(|f| f.get(&d.id));
        let mut x = 1;
        for (col, w) in &chosen {
            let cell = Rect::new(inner.x + x, inner.y, *w, inner.height);
            draw_cell(ctx, *col, d, f, cell, row, buf);
            x += w + 1;
        }
        if selected {
            put(buf, inner, 0, row, theme.sym(Sym::Cursor), theme.bold());
            restyle(
                buf,
                Rect::new(inner.x, inner.y + row, inner.width, 1),
                theme.selection(),
            );
        }
    }
}

fn draw_cell(
    ctx: &Ctx,
    col: Column,
    d: &Deployment,
    facts: Option<&DeploymentFacts>,
    cell: Rect,
    row: u16,
    buf: &mut Buffer,
) {
    let (model, theme) = (ctx.model, ctx.theme);
    let w = usize::from(cell.width);
    let text = |s: &str, style: Style, buf: &mut Buffer| {
        put(buf, cell, 0, row, &fit(s, w, theme), style);
    };
    match col {
        Column::Status => {
            let (sym, style) = theme.status(d.status);
            put_spans(
                buf,
                cell,
                0,
                row,
                &[(sym, style), (" ", style), (d.status.word(), style)],
            );
        }
        Column::Service => text(&d.service, theme.plain(), buf),
        Column::Version => text(&d.version, theme.bold(), buf),
        Column::Env => text(&d.environment, theme.plain(), buf),
        Column::Age => {
            let age = format::secs((model.now - d.started_at).num_seconds());
            // Only the largest unit: "5m", "3h", "2d".
            let short = age.split(' ').next().unwrap_or("");
            text(short, theme.muted(), buf);
        }
        Column::Duration => text(
            &format::duration_compact(d.duration(model.now)),
            theme.plain(),
            buf,
        ),
        Column::Canary => {
            let style = match d.canary.as_ref().map(|c| c.outcome) {
                Some(CanaryOutcome::Failed) => theme.bad(),
                Some(CanaryOutcome::InProgress) => theme.info(),
                Some(CanaryOutcome::Passed) => theme.ok(),
                None => theme.muted(),
            };
            text(&canary_text(d), style, buf);
        }
        Column::Deployer => text(&d.deployer, theme.plain(), buf),
        Column::Flags => {
            let style = if facts.is_some_and(|f| f.failed || f.spike) {
                theme.bad()
            } else {
                theme.warn()
            };
            text(&flags_text(d, facts), style, buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CanaryResult, DeployKind, DeployStatus, Trigger};

    #[test]
    fn every_canary_state_reads_as_a_word_never_as_cut_text() {
        let theme = crate::ui::Theme::new(true, false);
        for outcome in [
            CanaryOutcome::InProgress,
            CanaryOutcome::Passed,
            CanaryOutcome::Failed,
        ] {
            let d = Deployment {
                id: "x".into(),
                source: "test".into(),
                service: "api".into(),
                environment: "production".into(),
                version: "1.0".into(),
                sha: "abc".into(),
                status: DeployStatus::Running,
                started_at: chrono::Utc::now(),
                finished_at: None,
                deployer: "ann".into(),
                url: None,
                commits: Vec::new(),
                stages: Vec::new(),
                canary: Some(CanaryResult {
                    traffic_percent: 5,
                    outcome,
                }),
                trigger: Trigger::Auto,
                kind: DeployKind::Normal,
            };
            let text = canary_text(&d);
            let last = text.split(' ').next_back().unwrap_or_default();
            assert!(text.starts_with("5% "), "{text}");
            assert!(
                last.len() >= 2 && last.chars().all(|c| c.is_ascii_alphabetic()),
                "{outcome:?} reads {text:?}"
            );
            assert!(!text.contains(theme.sym(Sym::Ellipsis)), "{text}");
        }
    }
}
