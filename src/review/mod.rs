//! Post-release review: checklist templates now; sessions, action items and the
//! exactly-once outbox come with the review workflow.

pub mod checklist;
pub mod tracker;
