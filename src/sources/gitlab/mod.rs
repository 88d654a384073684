//! GitLab REST v4 (API-NOTES §2): deployments per project and environment, fetched
//! incrementally, and the commits each successful deployment shipped.

pub mod api;
pub mod client;
pub mod group;
pub mod incidents;
pub mod map;
pub mod merges;
pub mod probe;
mod registered;
pub mod saved;
mod source;
pub mod stages;
pub mod throttle;
pub mod tracker;

pub use client::GitLabClient;
pub use map::SOURCE_ID;
pub use registered::Registered;
pub use source::{is_truncated, GitLabSource, COMMITS_DAYS, COMPARES_PER_FETCH};
