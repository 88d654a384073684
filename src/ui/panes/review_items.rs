//! What the review pane lists under the checklist: the findings, the decision, and
//! each action item with its delivery as the outbox worker last reported it (pending,
//! sending, sent KEY, failed with the reason). Pure: [`items`] decides the words.

use crate::model::outside::OutsideText;
use crate::review::outbox::state::Phase;
use crate::review::session::ReviewSession;
use crate::review::Reviews;

/// The longest failure reason the pane carries (it is cut to the width anyway).
pub const REASON_CHARS: usize = 200;

/// An action item's delivery, as the pane says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemState {
    /// Committed, not sent yet (or no word from the worker yet); `retrying` is the
    /// last transient error when the tracker refused or failed it for now.
    Pending {
        retrying: Option<String>,
    },
    /// A create is in flight, or the tracker is searched for it after a doubtful one.
    /// Committed, and nothing will send it until the config names a tracker.
    Held {
        reason: String,
    },
    Sending,
    Sent {
        key: String,
    },
    Failed {
        reason: String,
    },
}

impl ItemState {
    fn of(phase: Option<&Phase>, retrying: Option<&String>, held: Option<&str>) -> ItemState {
        // Keys and reasons come from a server (through the store): made one safe,
        // bounded line here whatever path they took.
        let reason = |r: &str| OutsideText::with_limit(r, REASON_CHARS).into_string();
        match phase {
            None | Some(Phase::Pending) => match (retrying, held) {
                (None, Some(why)) => ItemState::Held {
                    reason: why.to_string(),
                },
                (retrying, _) => ItemState::Pending {
                    retrying: retrying.map(|r| reason(r)),
                },
            },
            Some(Phase::Sending | Phase::Searching { .. }) => ItemState::Sending,
            Some(Phase::Sent { key }) => ItemState::Sent {
                key: OutsideText::with_limit(key, 64).into_string(),
            },
            Some(Phase::Failed { reason: r, .. }) => ItemState::Failed { reason: reason(r) },
        }
    }

    /// "pending", "sending", "sent OPS-12", "failed".
    pub fn word(&self) -> String {
        match self {
            ItemState::Pending { retrying: None } | ItemState::Held { .. } => "pending".to_string(),
            ItemState::Pending { retrying: Some(_) } => "pending, retrying".to_string(),
            ItemState::Sending => "sending".to_string(),
            ItemState::Sent { key } => format!("sent {key}"),
            ItemState::Failed { .. } => "failed".to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionView {
    pub summary: String,
    pub state: ItemState,
}

/// Everything under the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemsView {
    /// "test gap: flaky checkout test".
    pub findings: Vec<String>,
    pub decision: Option<String>,
    pub actions: Vec<ActionView>,
}

pub fn items(reviews: &Reviews, session: Option<&ReviewSession>) -> ItemsView {
    let Some(s) = session else {
        return ItemsView::default();
    };
    ItemsView {
        findings: s
            .findings
            .iter()
            .map(|f| format!("{}: {}", f.category.word(), OutsideText::line(&f.text)))
            .collect(),
        decision: s
            .decision
            .as_deref()
            .map(|d| OutsideText::line(d).into_string()),
        actions: s
            .actions
            .iter()
            .map(|a| ActionView {
                summary: OutsideText::line(&a.summary).into_string(),
                state: ItemState::of(
                    reviews.deliveries.get(&a.uuid),
                    reviews.retrying.get(&a.uuid),
                    reviews.held.as_deref(),
                ),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::outbox::state::Resume;
    use crate::review::session::{ActionItem, Category, ReviewTarget};

    fn session(n: usize) -> ReviewSession {
        ReviewSession {
            id: "r1".into(),
            target: ReviewTarget::Deployment {
                id: "d1".into(),
                service: "checkout".into(),
                version: "1.0".into(),
            },
            template: "detailed".into(),
            started_at: crate::ui::fixture::now(),
            checks: Vec::new(),
            findings: Vec::new(),
            actions: (0..n)
                .map(|i| ActionItem {
                    uuid: format!("u{i}"),
                    summary: format!("item {i}"),
                    owner: None,
                    due: None,
                    success_criteria: "done".into(),
                    category: Category::TestGap,
                    link: None,
                })
                .collect(),
            decision: None,
        }
    }

    #[test]
    fn each_item_shows_the_state_the_worker_last_reported() {
        let s = session(5);
        let mut reviews = Reviews::default();
        let phases = [
            Phase::Sending,
            Phase::Searching {
                since: crate::ui::fixture::now(),
                empty: 1,
            },
            Phase::Sent {
                key: "OPS-7".into(),
            },
            Phase::Failed {
                reason: format!("403 \u{1b}[31mforbidden{}", "!".repeat(500)),
                resume: Resume::Create,
            },
        ];
        for (i, p) in phases.into_iter().enumerate() {
            reviews.deliveries.insert(format!("u{}", i + 1), p);
        }
        let v = items(&reviews, Some(&s));
        let words: Vec<String> = v.actions.iter().map(|a| a.state.word()).collect();
        assert_eq!(
            words,
            ["pending", "sending", "sending", "sent OPS-7", "failed"]
        );
        // A pending item the tracker refused for now says why it waits, made safe.
        reviews
            .retrying
            .insert("u0".into(), "503 \u{1b}]0;pwned\u{7}busy".into());
        let v = items(&reviews, Some(&s));
        let ItemState::Pending {
            retrying: Some(why),
        } = &v.actions[0].state
        else {
            panic!("retrying: {:?}", v.actions[0]);
        };
        assert!(why.starts_with("503 ") && why.ends_with("busy"), "{why}");
        assert!(crate::model::sanitize::is_clean(why), "{why:?}");
        assert_eq!(v.actions[0].state.word(), "pending, retrying");
        let ItemState::Failed { reason } = &v.actions[4].state else {
            panic!("failed: {:?}", v.actions[4]);
        };
        assert!(reason.starts_with("403 "), "{reason}");
        assert!(crate::model::sanitize::is_clean(reason), "{reason:?}");
        assert!(reason.chars().count() <= REASON_CHARS, "{}", reason.len());
        assert_eq!(v.actions[2].summary, "item 2");

        // With no tracker configured, a pending item says what it waits for; one sent
        // or being retried says what it always did.
        reviews.held = Some("kept here: no tracker".into());
        let v = items(&reviews, Some(&s));
        assert!(matches!(
            &v.actions[0].state,
            ItemState::Pending { retrying: Some(_) }
        ));
        reviews.retrying.clear();
        let v = items(&reviews, Some(&s));
        assert_eq!(
            v.actions[0].state,
            ItemState::Held {
                reason: "kept here: no tracker".into()
            }
        );
        assert_eq!(v.actions[0].state.word(), "pending");
        assert_eq!(v.actions[3].state.word(), "sent OPS-7");
    }
}
