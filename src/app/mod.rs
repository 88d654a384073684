//! The single owner of state: events in, state changes in one `update`, commands out.

pub mod keys;
pub mod model;

pub use model::*;
