//! The exactly-once outbox of action items (DESIGN §6): a pure state machine per item
//! ([`state`]) and the worker task that stores each step before acting on it
//! ([`worker`]).

pub mod state;
pub mod worker;

pub use worker::{spawn, AuditEntry, ReviewCommand, ReviewEvent};
