//! flightdeck: a release-health cockpit for the terminal.
//!
//! Data flows one way (DESIGN §1): `sources` (tokio tasks) send [`event::Event`]s to
//! `app` (the single owner of state), which hands a read-only model to `metrics` (pure
//! functions) and `ui` (pure drawing). `store` caches what sources delivered; `report`
//! and `snapshot` are the headless faces of the same engine and panes.

pub mod app;
pub mod cli;
pub mod config;
pub mod doctor;
pub mod event;
pub mod gate;
pub mod headless;
pub mod metrics;
pub mod model;
pub mod net;
pub mod report;
pub mod review;
pub mod runtime;
pub mod snapshot;
pub mod sources;
pub mod store;
pub mod ui;
pub mod zone;
