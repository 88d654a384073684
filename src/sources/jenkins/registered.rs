//! Jenkins as the registry runs it. Its builds are read as they are now, `--at` or
//! not (a build's record does not change with the instant asked about).

use std::collections::BTreeMap;
use std::time::Duration;

use super::{probe, JenkinsSource, JENKINS_ID};
use crate::config::JenkinsConfig;
use crate::event::SourceError;
use crate::sources::registry::Wiring;
use crate::sources::source::{AsOf, FetchFuture, ProbeFuture, Source};

pub struct Registered {
    source: JenkinsSource,
    config: JenkinsConfig,
    interval: Duration,
}

impl Registered {
    pub fn new(
        config: &JenkinsConfig,
        aliases: &BTreeMap<String, String>,
        interval: Duration,
        wiring: &Wiring,
    ) -> Result<Self, SourceError> {
        Ok(Registered {
            // Resumes from the newest build of each job the cache remembers.
            source: JenkinsSource::new(config, aliases)?.with_cache(wiring.cache.clone()),
            config: config.clone(),
            interval,
        })
    }

    pub fn describe_config(config: &JenkinsConfig) -> String {
        format!("{JENKINS_ID} ({})", config.url)
    }
}

impl Source for Registered {
    fn id(&self) -> &str {
        JENKINS_ID
    }
    fn describe(&self) -> String {
        Self::describe_config(&self.config)
    }
    fn interval(&self) -> Duration {
        self.interval
    }
    fn fetch(&self, _as_of: AsOf) -> FetchFuture<'_> {
        Box::pin(self.source.fetch())
    }
    fn probe(&self) -> ProbeFuture<'_> {
        Box::pin(probe::probe(&self.config))
    }
}
