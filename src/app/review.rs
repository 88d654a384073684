//! The review workflow's keys and events: starting a review on the selected
//! deployment (`v`), ticking manual items (Space), and what the review worker reports.
//! Every change goes out as a [`Command::Review`] (the worker stores it and appends it
//! to the audit log); the app keeps its own copy for drawing.

use crate::event::Command;
use crate::review::checklist::{checklist, ReviewData};
use crate::review::outbox::{AuditEntry, ReviewCommand, ReviewEvent};
use crate::review::session::ReviewTarget;

use super::{App, PaneId};

impl App {
    pub(super) fn on_review_event(&mut self, ev: ReviewEvent) {
        match ev {
            ReviewEvent::Delivery {
                uuid,
                phase,
                last_error,
                ..
            } => {
                // Only an item still being retried has a reason worth showing here
                // (a failed one carries its own).
                match last_error.filter(|_| !phase.is_final()) {
                    Some(e) => self.model.review.retrying.insert(uuid.clone(), e),
                    None => self.model.review.retrying.remove(&uuid),
                };
                self.model.review.deliveries.insert(uuid, phase);
            }
            ReviewEvent::StoreFailed { message } => {
                self.model.ui.flash = Some(message);
            }
            // Nothing on screen changes when the worker runs out of work.
            ReviewEvent::Idle => return,
            ReviewEvent::Sessions(stored) => {
                // Sessions started before the worker answered stay (they are newer).
                let started = std::mem::take(&mut self.model.review.sessions);
                self.model.review.sessions = stored;
                for s in started {
                    if !self.model.review.sessions.iter().any(|o| o.id == s.id) {
                        self.model.review.sessions.push(s);
                    }
                }
            }
        }
        self.dirty = true;
    }

    /// Starts a review of the selected deployment, or of its release (every
    /// deployment of its version, across services), or says why not.
    pub(super) fn start_review(&mut self, release: bool) -> Vec<Command> {
        let Some(d) = self.model.selected_deployment().cloned() else {
            self.model.ui.flash = Some("select a deployment to review".to_string());
            return Vec::new();
        };
        if let Some(id) = self.model.review.session_of(&d.id).map(|s| s.id.clone()) {
            self.model.ui.flash = Some(format!("review {} already started", short(&id)));
            self.model.ui.focus = PaneId::Review;
            return Vec::new();
        }
        let members: Vec<&crate::model::Deployment> = if release {
            self.model
                .data
                .deployments
                .iter()
                .filter(|o| o.version == d.version)
                .collect()
        } else {
            vec![&d]
        };
        let target = if release {
            ReviewTarget::Release {
                version: d.version.clone(),
                deployments: members.iter().map(|m| m.id.clone()).collect(),
            }
        } else {
            ReviewTarget::Deployment {
                id: d.id.clone(),
                service: d.service.clone(),
                version: d.version.clone(),
            }
        };
        let data = ReviewData {
            derived: &self.derived,
            series: &self.model.data.series,
            now: self.model.now,
        };
        let list = checklist(&self.model.review.setup, &members, &data, None);
        let id = self.model.review.ids.next_v4();
        let session = crate::review::checklist::start_session(id, target, &list, self.model.now);
        let audit = AuditEntry {
            kind: "start".to_string(),
            detail: format!("{} with {}", session.target.title(), session.template),
        };
        self.model.ui.flash = Some(format!("review {} started", short(&session.id)));
        self.model.ui.focus = PaneId::Review;
        self.model.review.sessions.push(session.clone());
        self.dirty = true;
        vec![Command::Review(Box::new(ReviewCommand::Save {
            session,
            audit,
        }))]
    }

    /// Ticks or unticks the manual item under the review cursor.
    pub(super) fn toggle_review_item(&mut self) -> Vec<Command> {
        let Some(d) = self.model.selected_deployment() else {
            return Vec::new();
        };
        let (id, service) = (d.id.clone(), d.service.clone());
        let Some(template) = self.model.review.template_of(&id, &service) else {
            return Vec::new();
        };
        let Some(item) = template.items.get(self.model.ui.review_cursor) else {
            return Vec::new();
        };
        if item.check.is_some() {
            self.model.ui.flash = Some("an automatic item follows the data".to_string());
            return Vec::new();
        }
        let item_id = item.id.clone();
        let Some(session) = self
            .model
            .review
            .sessions
            .iter_mut()
            .rev()
            .find(|s| s.target.covers(&id))
        else {
            self.model.ui.flash = Some("press v to start a review first".to_string());
            return Vec::new();
        };
        let Some(check) = session.check_mut(&item_id) else {
            return Vec::new();
        };
        check.checked = !check.checked;
        let audit = AuditEntry {
            kind: "check".to_string(),
            detail: format!(
                "{} {}",
                if check.checked { "ticked" } else { "unticked" },
                item_id
            ),
        };
        let session = session.clone();
        self.dirty = true;
        vec![Command::Review(Box::new(ReviewCommand::Save {
            session,
            audit,
        }))]
    }
}

/// The first block of a UUID, enough to tell reviews apart on screen.
fn short(id: &str) -> &str {
    id.split('-').next().unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use crossterm::event::{Event as Input, KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::event::Event;
    use crate::review::template::Tier;
    use crate::ui::fixture;

    fn app() -> App {
        let mut app = App::new(
            fixture::model().view.clone(),
            crate::metrics::Settings::default(),
            fixture::now(),
        );
        app.model = fixture::model();
        app.model
            .review
            .setup
            .tiers
            .insert("checkout".into(), Tier::Critical);
        app.refresh_derived();
        app
    }

    /// The one review command of `cmds`.
    fn save(cmds: &[Command]) -> Option<&ReviewCommand> {
        match cmds {
            [Command::Review(c)] => Some(c.as_ref()),
            _ => None,
        }
    }

    fn key(app: &mut App, c: char) -> Vec<Command> {
        app.update(Event::Input(Input::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        ))))
    }

    #[test]
    fn v_starts_a_review_and_space_ticks_a_manual_item_as_commands() {
        let mut a = app();
        let cmds = key(&mut a, 'v');
        let Some(ReviewCommand::Save { session, audit }) = save(&cmds) else {
            panic!("one save: {cmds:?}");
        };
        assert_eq!(audit.kind, "start");
        assert!(matches!(session.target, ReviewTarget::Deployment { .. }));
        assert_eq!(session.template, "detailed");
        assert_eq!(a.model.ui.focus, PaneId::Review);
        assert_eq!(a.model.review.sessions.len(), 1);
        // A second `v` starts nothing new.
        assert!(key(&mut a, 'v').is_empty());
        // The cursor onto the first manual item ("rollout"), then Space.
        let first_manual = a.model.review.sessions[0]
            .checks
            .iter()
            .position(|c| c.auto.is_none())
            .expect("a manual item");
        a.model.ui.review_cursor = first_manual;
        let cmds = key(&mut a, ' ');
        let Some(ReviewCommand::Save { session, audit }) = save(&cmds) else {
            panic!("one save: {cmds:?}");
        };
        assert_eq!(audit.kind, "check");
        assert!(session.checks[first_manual].checked);
        assert!(a.model.review.sessions[0].checks[first_manual].checked);
        // And back.
        key(&mut a, 'x');
        assert!(!a.model.review.sessions[0].checks[first_manual].checked);
    }

    #[test]
    fn shift_v_reviews_the_release_across_services() {
        let mut a = app();
        let d = a.model.selected_deployment().expect("selected").clone();
        let cmds = key(&mut a, 'V');
        let Some(ReviewCommand::Save { session, .. }) = save(&cmds) else {
            panic!("one save: {cmds:?}");
        };
        let ReviewTarget::Release {
            version,
            deployments,
        } = &session.target
        else {
            panic!("a release: {:?}", session.target);
        };
        assert_eq!(version, &d.version);
        let expected: Vec<&str> = a
            .model
            .data
            .deployments
            .iter()
            .filter(|o| o.version == d.version)
            .map(|o| o.id.as_str())
            .collect();
        assert_eq!(
            deployments.iter().map(String::as_str).collect::<Vec<_>>(),
            expected
        );
        assert!(a.model.review.session_of(&d.id).is_some());
    }

    #[test]
    fn automatic_items_are_not_ticked_by_hand() {
        let mut a = app();
        key(&mut a, 'v');
        let auto = a.model.review.sessions[0]
            .checks
            .iter()
            .position(|c| c.auto.is_some())
            .expect("an automatic item");
        a.model.ui.review_cursor = auto;
        assert!(key(&mut a, ' ').is_empty());
    }
}
