//! Deployments from Jenkins deploy jobs (API-NOTES §3): one idea per file — the API's
//! shapes, job paths, the client, the mapping into the model, the fetch, and the
//! checks `doctor` runs.

pub mod api;
pub mod client;
pub mod map;
pub mod path;
pub mod probe;
pub mod registered;
pub mod source;

pub use map::SOURCE as JENKINS_ID;
pub use registered::Registered;
pub use source::JenkinsSource;
