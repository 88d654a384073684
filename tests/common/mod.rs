//! What several integration tests build: a deployment with only the facts a test sets,
//! so each test's own helper says just what matters to it (struct update syntax over
//! [`deployment`]), the record of a skipped test ([`report_skip`]), and the checks of
//! the raw bytes a terminal program writes ([`assert_clean_terminal_bytes`]).
//!
//! Each test binary compiles this module and uses only a part of it.
#![allow(dead_code, unused_imports)]

pub mod prometheus;
mod skip;
mod terminal_bytes;
pub mod tmux;
pub mod victoria;

pub use skip::report_skip;
pub use terminal_bytes::{
    assert_clean_terminal_bytes, assert_terminal_restored, private_modes, sequences, Sequence,
};

use flightdeck::model::{DeployKind, DeployStatus, Deployment, Trigger, Ts};

/// A successful, automatic, normal production deployment `id` of `service` (`id` is
/// also its version and sha), run from `started` to `finished`, from a source named
/// "test" by "ci", with no commits, stages or canary.
pub fn deployment(id: &str, service: &str, started: Ts, finished: Option<Ts>) -> Deployment {
    Deployment {
        id: id.into(),
        source: "test".into(),
        service: service.into(),
        environment: "production".into(),
        version: id.into(),
        sha: id.into(),
        status: DeployStatus::Success,
        started_at: started,
        finished_at: finished,
        deployer: "ci".into(),
        url: None,
        commits: Vec::new(),
        stages: Vec::new(),
        canary: None,
        trigger: Trigger::Auto,
        kind: DeployKind::Normal,
    }
}
