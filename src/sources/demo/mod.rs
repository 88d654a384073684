//! The embedded demo source: a deterministic world of four services with 90 days of
//! history and a live canary rollout of `checkout` that goes wrong, trips the page
//! alert and can be rolled back (`b`). It runs when no config file exists or with
//! `--demo`, and talks to the app through the same [`SourceContext`] events as every
//! real source.
//!
//! [`DemoWorld`] is pure (every query takes the instant); [`spawn`] is the only part
//! that reads the clock.
//!
//! [`SourceContext`]: crate::sources::SourceContext

pub mod catalog;
pub mod clock;
pub mod history;
pub mod incidents;
pub mod pipeline;
pub mod rng;
pub mod rollout;
pub mod sli;
mod task;
pub mod world;

use chrono::{DateTime, Duration};

use crate::model::Ts;

pub use clock::{DemoClock, SPEED};
pub use rollout::{LIVE_SERVICE, NEW_VERSION_ERROR_RATIO};
pub use task::{spawn, SOURCE_ID, UPDATE_INTERVAL};
pub use world::DemoWorld;

/// The seed used unless `--seed` says otherwise.
pub const DEFAULT_SEED: u64 = 20_240_917;

/// How long (in demo time) before the snapshot instant the demo world's origin lies:
/// 35 min puts the checkout rollout 5 min into its 100% step, still running, with the
/// canary analysis failed and the multiwindow page alert (1 h and 5 m burn ≥ 14.4)
/// firing, before the incident opens.
pub const SNAPSHOT_LEAD: Duration = Duration::seconds(35 * 60);

/// Demo time from the origin to the first canary step of the live rollout.
pub const ROLLOUT_DELAY: Duration = Duration::seconds(rollout::ROLLOUT_DELAY_SECS);

/// The demo services with their SLO targets, in display order (30-day windows).
pub const SERVICES: [(&str, f64); 4] = [
    (catalog::PROFILES[0].name, catalog::PROFILES[0].slo_target),
    (catalog::PROFILES[1].name, catalog::PROFILES[1].slo_target),
    (catalog::PROFILES[2].name, catalog::PROFILES[2].slo_target),
    (catalog::PROFILES[3].name, catalog::PROFILES[3].slo_target),
];

/// SLO window of every demo service.
pub const SLO_WINDOW: Duration = Duration::days(catalog::SLO_WINDOW_DAYS);

pub(crate) const HOUR: i64 = 3600;
pub(crate) const DAY: i64 = 24 * HOUR;

/// Epoch seconds to a timestamp. Callers keep seconds within chrono's range (the
/// world clamps its origin); out of range would give the epoch rather than panic.
pub(crate) fn ts(secs: i64) -> Ts {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}
