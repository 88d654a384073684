//! The exactly-once outbox of action items (DESIGN §6): a pure state machine per item
//! ([`state`]) and the worker task that stores each step before acting on it
//! ([`worker`]); besides the items, a review's summary comment and each item's remote
//! link ([`writes`]).

pub mod state;
pub mod summary;
pub mod worker;
pub mod writes;

pub use worker::{spawn, spawn_with, AuditEntry, ReviewCommand, ReviewEvent};
pub use writes::WriteBack;
