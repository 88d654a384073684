//! The review forms in the app: which key opens which form (on the review of the
//! selected deployment), where form keys and pastes go while one is open, and what a
//! saved form changes: a finding, a note or the decision is a `ReviewCommand::Save` of
//! the session with its audit entry; an action item is committed to the outbox
//! (`Enqueue`, audited by the worker) and then saved with the session so the pane
//! lists it after a restart. `R` retries a failed item.

use crossterm::event::KeyEvent;

use super::review_form::{category_of, FieldId, FormKind, FormOutcome, ReviewForm};
use super::{App, PaneId};
use crate::event::Command;
use crate::review::outbox::state::Phase;
use crate::review::outbox::{AuditEntry, ReviewCommand};
use crate::review::session::{ActionItem, Finding, ReviewSession, ReviewTarget};

/// Which form a key opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormChoice {
    Finding,
    Note,
    Decision,
    Action,
}

impl App {
    /// The session of the selected deployment, or the flash saying how to start one.
    fn current_session(&mut self) -> Option<ReviewSession> {
        let d = self.model.selected_deployment()?;
        let found = self.model.review.session_of(&d.id).cloned();
        if found.is_none() {
            self.model.ui.flash = Some("press v to start a review first".to_string());
        }
        found
    }

    /// Rows the review cursor moves over: the checklist, then the action items.
    pub(super) fn review_rows_len(&self) -> usize {
        let Some(d) = self.model.selected_deployment() else {
            return 0;
        };
        let items = self
            .model
            .review
            .session_of(&d.id)
            .map_or(0, |s| s.actions.len());
        self.model.review.checklist_len(&d.id, &d.service) + items
    }

    /// The action item under the review cursor, if the cursor is past the checklist.
    fn action_under_cursor(&self, session: &ReviewSession) -> Option<ActionItem> {
        let d = self.model.selected_deployment()?;
        let n = self.model.review.checklist_len(&d.id, &d.service);
        let i = self.model.ui.review_cursor.checked_sub(n)?;
        session.actions.get(i).cloned()
    }

    pub(super) fn open_review_form(&mut self, choice: FormChoice) {
        let Some(session) = self.current_session() else {
            return;
        };
        let id = session.id.clone();
        let form = match choice {
            FormChoice::Finding => ReviewForm::finding(id),
            FormChoice::Decision => ReviewForm::decision(id, session.decision.as_deref()),
            FormChoice::Action => ReviewForm::action(id, &self.link_of(&session.target)),
            FormChoice::Note => {
                // The row under the cursor is the template's item (as Space reads it).
                let item_id = self.model.selected_deployment().and_then(|d| {
                    let t = self.model.review.template_of(&d.id, &d.service)?;
                    Some(t.items.get(self.model.ui.review_cursor)?.id.clone())
                });
                let check = item_id.and_then(|i| session.checks.iter().find(|c| c.id == i));
                match check {
                    Some(c) if c.auto.is_none() => {
                        ReviewForm::note(id, c.id.clone(), c.title.clone(), c.note.as_deref())
                    }
                    Some(_) => {
                        self.model.ui.flash = Some(
                            "an automatic item shows its evidence; notes go on manual items".into(),
                        );
                        return;
                    }
                    None => {
                        self.model.ui.flash = Some("move to a checklist item to note it".into());
                        return;
                    }
                }
            }
        };
        let ui = &mut self.model.ui;
        let mut form = form;
        form.prev_zoom = ui.zoomed;
        // The form needs the room: the review pane takes the body while it is open.
        ui.review_form = Some(form);
        ui.zoomed = Some(PaneId::Review);
        ui.focus = PaneId::Review;
    }

    /// What the action item links to: the reviewed deployment's (or each of the
    /// release's) pipeline URL, else its id.
    fn link_of(&self, target: &ReviewTarget) -> String {
        let ids: Vec<&str> = match target {
            ReviewTarget::Deployment { id, .. } => vec![id.as_str()],
            ReviewTarget::Release { deployments, .. } => {
                deployments.iter().map(String::as_str).collect()
            }
        };
        let links: Vec<String> = ids
            .iter()
            .map(|id| {
                self.model
                    .data
                    .deployments
                    .iter()
                    .find(|d| d.id == *id)
                    .and_then(|d| d.url.clone())
                    .unwrap_or_else(|| format!("deployment {id}"))
            })
            .collect();
        links.join(" ")
    }

    pub(super) fn on_review_form_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let today = self
            .model
            .now
            .with_timezone(&self.model.view.tz)
            .date_naive();
        let Some(form) = self.model.ui.review_form.as_mut() else {
            return Vec::new();
        };
        match form.on_key(key, today) {
            FormOutcome::Editing => {
                self.model.ui.flash = form.first_error();
                Vec::new()
            }
            FormOutcome::Cancelled => {
                self.close_review_form();
                self.model.ui.flash = Some("nothing saved".to_string());
                Vec::new()
            }
            FormOutcome::Submitted => {
                let form = form.clone();
                self.close_review_form();
                self.submit_review_form(&form)
            }
        }
    }

    pub(super) fn paste_into_review_form(&mut self, text: &str) -> bool {
        match self.model.ui.review_form.as_mut() {
            Some(form) => {
                form.paste(text);
                true
            }
            None => false,
        }
    }

    fn close_review_form(&mut self) {
        if let Some(form) = self.model.ui.review_form.take() {
            self.model.ui.zoomed = form.prev_zoom;
        }
    }

    /// The session changed by the form, and the commands that store it.
    fn submit_review_form(&mut self, form: &ReviewForm) -> Vec<Command> {
        let new_uuid = match form.kind {
            FormKind::Action => Some(self.model.review.ids.next_v4()),
            _ => None,
        };
        let Some(session) = self
            .model
            .review
            .sessions
            .iter_mut()
            .find(|s| s.id == form.review_id)
        else {
            self.model.ui.flash = Some("the review is gone; nothing saved".to_string());
            return Vec::new();
        };
        let text = form.value(FieldId::Text);
        let save = |session: &ReviewSession, kind: &str, detail: String| {
            Command::Review(Box::new(ReviewCommand::Save {
                session: session.clone(),
                audit: AuditEntry {
                    kind: kind.to_string(),
                    detail,
                },
            }))
        };
        let (flash, commands) = match &form.kind {
            FormKind::Finding => {
                let category = category_of(&form.value(FieldId::Category));
                let detail = format!("{}: {text}", category.word());
                session.findings.push(Finding { category, text });
                ("finding added", vec![save(session, "finding", detail)])
            }
            FormKind::Note { check_id, .. } => {
                let Some(check) = session.check_mut(check_id) else {
                    return Vec::new();
                };
                check.note = Some(text.clone());
                let detail = format!("{check_id}: {text}");
                ("note saved", vec![save(session, "note", detail)])
            }
            FormKind::Decision => {
                let decision = format!("{}: {text}", form.value(FieldId::Outcome));
                session.decision = Some(decision.clone());
                (
                    "decision recorded",
                    vec![save(session, "decision", decision)],
                )
            }
            FormKind::Action => {
                let optional = |id| Some(form.value(id)).filter(|v| !v.is_empty());
                let item = ActionItem {
                    uuid: new_uuid.unwrap_or_default(),
                    summary: form.value(FieldId::Summary),
                    owner: optional(FieldId::Owner),
                    due: optional(FieldId::Due),
                    success_criteria: form.value(FieldId::Criteria),
                    category: category_of(&form.value(FieldId::Category)),
                    link: optional(FieldId::Link),
                };
                session.actions.push(item.clone());
                let detail = format!("{} ({}) listed in the review", item.summary, item.uuid);
                let enqueue = Command::Review(Box::new(ReviewCommand::Enqueue {
                    review_id: session.id.clone(),
                    review_title: session.target.title(),
                    item,
                }));
                // Committed to the outbox first: the session record only lists it.
                (
                    "action item queued",
                    vec![enqueue, save(session, "action", detail)],
                )
            }
        };
        self.model.ui.flash = Some(flash.to_string());
        self.dirty = true;
        commands
    }

    /// `R`: sends the failed action item under the cursor again.
    pub(super) fn retry_action_item(&mut self) -> Vec<Command> {
        let Some(session) = self.current_session() else {
            return Vec::new();
        };
        let Some(item) = self.action_under_cursor(&session) else {
            self.model.ui.flash = Some("move to a failed action item to retry it".into());
            return Vec::new();
        };
        match self.model.review.deliveries.get(&item.uuid) {
            Some(Phase::Failed { .. }) => {
                self.model.ui.flash = Some(format!("retrying {}", item.summary));
                vec![Command::Review(Box::new(ReviewCommand::Retry {
                    uuid: item.uuid,
                }))]
            }
            other => {
                let state = other.map_or("pending".to_string(), Phase::describe);
                self.model.ui.flash = Some(format!(
                    "only a failed item is retried; this one is {state}"
                ));
                Vec::new()
            }
        }
    }
}

#[cfg(test)]
#[path = "review_submit_tests.rs"]
mod tests;
