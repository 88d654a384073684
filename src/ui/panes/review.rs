//! Post-release review checklist of the selected deployment. Everything it shows comes
//! from `review::checklist` (the template the service's tier picks, automatic items
//! evaluated from the engine with their evidence, manual items as the session has
//! them): [`view`] decides the rows and words, [`draw`] only places them.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::app::{Model, PaneId};
use crate::metrics::Derived;
use crate::review::checklist::{checklist, ReviewData, RowState};
use crate::review::checks::Verdict;
use crate::ui::paint::{fit, put, put_spans, restyle, scroll_offset};
use crate::ui::theme::Sym;
use crate::ui::{Ctx, Theme};

use super::review_items::{items, ActionView, ItemState, ItemsView};

/// How a row is marked (a symbol and a word, never colour alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Pass,
    Fail,
    Unknown,
    Checked,
    Unchecked,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowView {
    pub mark: Mark,
    pub title: String,
    /// Evidence of an automatic item, the note or hint of a manual one.
    pub detail: String,
}

/// What the pane shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReviewView {
    /// Border title: the version and the template.
    pub title: String,
    pub rows: Vec<RowView>,
    /// Findings, decision and action items of the review (empty before one starts).
    pub items: ItemsView,
    /// The last line: the review's state and what a key does.
    pub note: String,
}

/// The pane's decisions, from the model and the engine's outputs; `None` without a
/// selected deployment. `sep` parts the title's and the note's pieces (the theme's:
/// `·`, or `|` in ASCII).
pub fn view(model: &Model, derived: &Derived, sep: &str) -> Option<ReviewView> {
    let d = model.selected_deployment()?;
    let session = model.review.session_of(&d.id);
    let data = ReviewData {
        derived,
        series: &model.data.series,
        now: model.now,
    };
    let release = release_members(model, session);
    let members: Vec<&crate::model::Deployment> =
        if release.is_empty() { vec![d] } else { release };
    let list = checklist(&model.review.setup, &members, &data, session);
    let rows = list
        .rows
        .into_iter()
        .map(|r| {
            let (mark, detail) = match r.state {
                RowState::Auto(e) => (
                    match e.verdict {
                        Verdict::Pass => Mark::Pass,
                        Verdict::Fail => Mark::Fail,
                        Verdict::Unknown => Mark::Unknown,
                    },
                    e.evidence,
                ),
                RowState::Manual { checked, note } => (
                    if checked {
                        Mark::Checked
                    } else {
                        Mark::Unchecked
                    },
                    note.unwrap_or(r.hint),
                ),
            };
            RowView {
                mark,
                title: r.title,
                detail,
            }
        })
        .collect();
    let note = match session {
        Some(s) => format!(
            "{} {sep} space tick {sep} n note {sep} F finding {sep} d decide {sep} a action \
             {sep} R retry",
            s.target.title()
        ),
        None => "v starts a review".to_string(),
    };
    Some(ReviewView {
        title: format!("{} {sep} {}", d.version, list.template),
        rows,
        items: items(&model.review, session),
        note,
    })
}

/// The deployments a release review covers (empty for a deployment review).
pub fn release_members<'a>(
    model: &'a Model,
    session: Option<&crate::review::session::ReviewSession>,
) -> Vec<&'a crate::model::Deployment> {
    match session.map(|s| &s.target) {
        Some(crate::review::session::ReviewTarget::Release { deployments, .. }) => model
            .data
            .deployments
            .iter()
            .filter(|d| deployments.contains(&d.id))
            .collect(),
        _ => Vec::new(),
    }
}

fn mark(theme: &Theme, m: Mark) -> (&'static str, ratatui::style::Style) {
    match m {
        Mark::Pass => (theme.sym(Sym::Ok), theme.ok()),
        Mark::Fail => (theme.sym(Sym::Fail), theme.bad()),
        Mark::Unknown => (theme.sym(Sym::Pending), theme.muted()),
        Mark::Checked => (theme.sym(Sym::Ok), theme.ok()),
        Mark::Unchecked => (theme.sym(Sym::Unchecked), theme.muted()),
    }
}

/// One line of the pane: a checklist row, a heading, a finding or the decision, an
/// action item, or a failed item's reason under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line<'a> {
    Check(&'a RowView),
    Heading(String),
    Plain(String),
    Action(&'a ActionView),
    Reason(&'a str),
}

impl Line<'_> {
    /// The review cursor's index of a row it can rest on: the checklist's rows, then
    /// the action items (`review_submit` counts them the same way).
    fn select(&self, v: &ReviewView) -> Option<usize> {
        match self {
            Line::Check(r) => v.rows.iter().position(|x| std::ptr::eq(x, *r)),
            Line::Action(a) => v
                .items
                .actions
                .iter()
                .position(|x| std::ptr::eq(x, *a))
                .map(|i| v.rows.len() + i),
            _ => None,
        }
    }
}

/// Every line, in order: the checklist, then what the review added to it.
pub fn lines(v: &ReviewView) -> Vec<Line<'_>> {
    let mut out: Vec<Line> = v.rows.iter().map(Line::Check).collect();
    let items = &v.items;
    if !items.findings.is_empty() {
        out.push(Line::Heading(format!(
            "Findings ({})",
            items.findings.len()
        )));
        out.extend(items.findings.iter().map(|f| Line::Plain(f.clone())));
    }
    if let Some(d) = &items.decision {
        out.push(Line::Heading(format!("Decision: {d}")));
    }
    if !items.actions.is_empty() {
        out.push(Line::Heading(format!(
            "Action items ({})",
            items.actions.len()
        )));
        for a in &items.actions {
            out.push(Line::Action(a));
            if let ItemState::Failed { reason }
            | ItemState::Held { reason }
            | ItemState::Pending {
                retrying: Some(reason),
            } = &a.state
            {
                out.push(Line::Reason(reason));
            }
        }
    }
    out
}

fn item_mark(theme: &Theme, s: &ItemState) -> (&'static str, ratatui::style::Style) {
    match s {
        ItemState::Pending { retrying: None } => (theme.sym(Sym::Pending), theme.muted()),
        ItemState::Held { .. } => (theme.sym(Sym::Pending), theme.warn()),
        ItemState::Pending { retrying: Some(_) } => (theme.sym(Sym::Pending), theme.warn()),
        ItemState::Sending => (theme.sym(Sym::Fetching), theme.info()),
        ItemState::Sent { .. } => (theme.sym(Sym::Ok), theme.ok()),
        ItemState::Failed { .. } => (theme.sym(Sym::Fail), theme.bad()),
    }
}

pub fn draw(ctx: &Ctx, area: Rect, buf: &mut Buffer) {
    if let Some(form) = &ctx.model.ui.review_form {
        // Over whatever is below (the compact view draws the form over itself).
        crate::ui::paint::fill(buf, area, ctx.theme.plain());
        let inner = ctx.pane_box(PaneId::Review, &form.kind.title(), area, buf);
        super::review_form::draw(ctx, form, inner, buf);
        return;
    }
    let theme = ctx.theme;
    let v = view(ctx.model, ctx.derived, ctx.theme.sym(Sym::Separator));
    let title = v.as_ref().map_or("", |v| v.title.as_str());
    let inner = ctx.pane_box(PaneId::Review, title, area, buf);
    if inner.height == 0 {
        return;
    }
    let Some(v) = v else {
        put(
            buf,
            inner,
            1,
            0,
            "select a deployment to review",
            theme.muted(),
        );
        return;
    };
    let all = lines(&v);
    if all.is_empty() {
        return;
    }
    // The last row says what a key does, when there is room for the list too.
    let note = inner.height >= 4;
    let visible = usize::from(inner.height - u16::from(note));
    let selectable = v.rows.len() + v.items.actions.len();
    let cursor = ctx.model.ui.review_cursor.min(selectable.saturating_sub(1));
    let cursor_line = all
        .iter()
        .position(|l| l.select(&v) == Some(cursor))
        .unwrap_or(0);
    let offset = scroll_offset(cursor_line, all.len(), visible);
    let text_w = usize::from(inner.width.saturating_sub(3));
    for (i, line) in all.iter().enumerate().skip(offset).take(visible) {
        let y = (i - offset) as u16;
        let here = i == cursor_line && line.select(&v).is_some();
        let cursor_sym = if here { theme.sym(Sym::Cursor) } else { " " };
        match line {
            Line::Check(row) => {
                let (sym, style) = mark(theme, row.mark);
                let title_w = row.title.chars().count().min(text_w);
                // Evidence after the title when it fits at least a few characters.
                let detail_w = text_w.saturating_sub(title_w + 3);
                let detail = if detail_w >= 8 && !row.detail.is_empty() {
                    format!(
                        " {} {}",
                        theme.sym(Sym::Separator),
                        fit(&row.detail, detail_w, theme)
                    )
                } else {
                    String::new()
                };
                put_spans(
                    buf,
                    inner,
                    0,
                    y,
                    &[
                        (cursor_sym, theme.bold()),
                        (sym, style),
                        (" ", theme.plain()),
                        (&fit(&row.title, text_w, theme), theme.plain()),
                        (&detail, theme.muted()),
                    ],
                );
            }
            Line::Heading(text) => {
                put(buf, inner, 1, y, text, theme.heading());
            }
            Line::Plain(text) => {
                put(buf, inner, 3, y, text, theme.plain());
            }
            Line::Action(a) => {
                let (sym, style) = item_mark(theme, &a.state);
                let word = a.state.word();
                let sep = format!(" {} ", theme.sym(Sym::Separator));
                put_spans(
                    buf,
                    inner,
                    0,
                    y,
                    &[
                        (cursor_sym, theme.bold()),
                        (sym, style),
                        (" ", theme.plain()),
                        (&word, style),
                        (sep.as_str(), theme.muted()),
                        (&a.summary, theme.plain()),
                    ],
                );
            }
            Line::Reason(reason) => {
                put(buf, inner, 4, y, reason, theme.bad());
            }
        }
        if here && ctx.focused(PaneId::Review) {
            restyle(
                buf,
                Rect::new(inner.x, inner.y + y, inner.width, 1),
                theme.selection(),
            );
        }
    }
    if note {
        put(buf, inner, 1, inner.height - 1, &v.note, theme.muted());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::template::Tier;
    use crate::ui::fixture;

    /// The pane shows exactly the checklist `review/` builds: one row per template
    /// item, in order, with the same titles (the duplication issue 14 names).
    #[test]
    fn the_pane_shows_the_checklist_review_builds() {
        for tier in [Tier::Low, Tier::Critical] {
            let mut model = fixture::model();
            model.review.setup.tiers.insert("checkout".into(), tier);
            let derived = fixture::derived(&model);
            let v = view(&model, &derived, "·").expect("a selected deployment");
            let (name, template) = model
                .review
                .setup
                .templates
                .for_tier(tier)
                .expect("a template");
            assert!(v.title.ends_with(name), "{}", v.title);
            let titles: Vec<&str> = v.rows.iter().map(|r| r.title.as_str()).collect();
            let expected: Vec<&str> = template.items.iter().map(|i| i.title.as_str()).collect();
            assert_eq!(titles, expected);
            let d = model.selected_deployment().expect("selected");
            assert_eq!(v.rows.len(), model.review.checklist_len(&d.id, &d.service));
        }
    }

    #[test]
    fn automatic_rows_carry_their_evidence_and_manual_rows_their_hint() {
        let mut model = fixture::model();
        model
            .review
            .setup
            .tiers
            .insert("checkout".into(), Tier::Critical);
        let derived = fixture::derived(&model);
        let v = view(&model, &derived, "·").expect("view");
        let budget = v
            .rows
            .iter()
            .find(|r| r.title.starts_with("Error budget consumed"))
            .expect("budget row");
        assert_ne!(budget.mark, Mark::Unchecked);
        assert!(!budget.detail.is_empty());
        let rollback = v
            .rows
            .iter()
            .find(|r| r.title == "Rollback plan still valid")
            .expect("manual row");
        assert_eq!(rollback.mark, Mark::Unchecked);
        assert_eq!(rollback.detail, "previous version deployable");
        assert_eq!(v.note, "v starts a review");
    }
}
