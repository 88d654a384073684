//! Deployments from Jenkins deploy jobs (API-NOTES §3): one idea per file — the API's
//! shapes, job paths, the client, the mapping into the model, the fetch, and the
//! checks `doctor` runs.

pub mod api;
pub mod client;
pub mod map;
pub mod path;
pub mod probe;
pub mod source;

pub use map::SOURCE as JENKINS_ID;
pub use source::JenkinsSource;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::poller::{spawn_poller, PollerOptions};
use super::{EventTx, SourceHandle};
use crate::config::Config;

/// The Jenkins poller (id [`JENKINS_ID`]); its builds are read as they are now, `--at`
/// or not (a build's record does not change with the instant asked about).
pub fn spawn(
    config: &Config,
    jenkins: &crate::config::JenkinsConfig,
    events: EventTx,
    shutdown: watch::Receiver<bool>,
) -> SourceHandle {
    let interval = jenkins
        .refresh_seconds
        .unwrap_or(config.general.refresh_seconds)
        .max(1);
    let options = PollerOptions::new(Duration::from_secs(interval));
    match JenkinsSource::new(jenkins, &config.environments.aliases) {
        Ok(source) => {
            // Resumes from the newest build of each job the cache remembers.
            let source = Arc::new(source.with_cache(crate::store::configured_path(&config.cache)));
            spawn_poller(JENKINS_ID, options, events, shutdown, move || {
                let source = Arc::clone(&source);
                async move { source.fetch().await }
            })
        }
        Err(error) => spawn_poller(JENKINS_ID, options, events, shutdown, move || {
            let error = error.clone();
            async move { Err(error.into()) }
        }),
    }
}
