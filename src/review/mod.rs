//! Post-release review (DESIGN §6): checklist templates and the checklist of a
//! deployment or release (automatic items evaluated from the metrics engine's
//! outputs), review sessions with findings and action items, the exactly-once outbox
//! that writes action items to a tracker, and the hash-chained audit log. The review
//! pane only reads what this module says.

pub mod audit;
pub mod checklist;
pub mod checks;
pub mod outbox;
pub mod session;
pub mod template;
pub mod tracker;
pub mod uuid;

use std::collections::BTreeMap;

use checklist::ReviewSetup;
use outbox::state::Phase;
use session::ReviewSession;

/// What the app knows of reviews: how they are set up, the sessions started, and each
/// action item's delivery as the outbox worker last reported it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reviews {
    pub setup: ReviewSetup,
    pub sessions: Vec<ReviewSession>,
    /// By item UUID.
    pub deliveries: BTreeMap<String, Phase>,
    /// By item UUID: the last transient error of an item still being retried.
    pub retrying: BTreeMap<String, String>,
    /// Why no action item is sent at all (no tracker configured): said under each
    /// pending item, which otherwise would wait without a word.
    pub held: Option<String>,
    /// Where new review ids come from (no I/O in the app).
    pub ids: uuid::Ids,
}

impl Reviews {
    /// The latest session that reviews deployment `id` (alone or in a release).
    pub fn session_of(&self, id: &str) -> Option<&ReviewSession> {
        self.sessions.iter().rev().find(|s| s.target.covers(id))
    }

    /// The template of deployment `id`'s checklist: its review's, else its tier's.
    pub fn template_of(&self, id: &str, service: &str) -> Option<&template::Template> {
        match self.session_of(id) {
            Some(s) => self.setup.templates.get(&s.template),
            None => self
                .setup
                .template_for(std::iter::once(service))
                .map(|(_, t)| t),
        }
    }

    /// How many items the checklist of deployment `id` (of `service`) has.
    pub fn checklist_len(&self, id: &str, service: &str) -> usize {
        self.template_of(id, service).map_or(0, |t| t.items.len())
    }
}
