//! Jira as the registry runs it: polled for incidents when `[[jira.incidents]]` names
//! any; probed by `doctor` whenever `[jira]` is configured (it is also the review's
//! tracker).

use std::time::Duration;

use chrono::Utc;

use super::{probe, JiraSource, SOURCE_ID};
use crate::config::JiraConfig;
use crate::event::SourceError;
use crate::sources::source::{AsOf, FetchFuture, ProbeFuture, Source};

pub struct Registered {
    source: JiraSource,
    url: String,
    polls: bool,
    interval: Duration,
}

impl Registered {
    pub fn new(config: &JiraConfig, interval: Duration) -> Result<Self, SourceError> {
        Ok(Registered {
            source: JiraSource::new(config)?,
            url: config.url.clone(),
            polls: !config.incidents.is_empty(),
            interval,
        })
    }

    pub fn describe_config(config: &JiraConfig) -> String {
        format!("{SOURCE_ID} ({})", config.url)
    }
}

impl Source for Registered {
    fn id(&self) -> &str {
        SOURCE_ID
    }
    fn describe(&self) -> String {
        format!("{SOURCE_ID} ({})", self.url)
    }
    fn interval(&self) -> Duration {
        self.interval
    }
    fn polls(&self) -> bool {
        self.polls
    }
    /// Incidents are read as they are now: a past instant's are the same records.
    fn fetch(&self, as_of: AsOf) -> FetchFuture<'_> {
        let at = match as_of {
            AsOf::Now => Utc::now(),
            AsOf::At(at) => at,
        };
        Box::pin(self.source.fetch_at(at))
    }
    fn probe(&self) -> ProbeFuture<'_> {
        Box::pin(probe::probe(self.source.client()))
    }
}
