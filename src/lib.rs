//! flightdeck: a release-health cockpit for the terminal.
//!
//! Data flows one way (DESIGN §1): `sources` (tokio tasks) send [`event::Event`]s to
//! `app` (the single owner of state), which hands a read-only model to `metrics` (pure
//! functions) and `ui` (pure drawing).

pub mod app;
pub mod config;
pub mod event;
pub mod metrics;
pub mod model;
pub mod sources;
pub mod ui;
