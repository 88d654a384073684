//! GitLab as the registry runs it: one source keeps its watermarks between polls (and
//! in the cache across restarts), so each poll asks only for what changed.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::Utc;

use super::{probe, GitLabSource, SOURCE_ID};
use crate::config::GitLabConfig;
use crate::event::SourceError;
use crate::sources::progress::ProgressSink;
use crate::sources::registry::Wiring;
use crate::sources::source::{AsOf, FetchFuture, ProbeFuture, Source};

pub struct Registered {
    source: GitLabSource,
    interval: Duration,
}

impl Registered {
    pub fn new(
        config: &GitLabConfig,
        aliases: &BTreeMap<String, String>,
        interval: Duration,
        wiring: &Wiring,
    ) -> Result<Self, SourceError> {
        // Resumes from the cache's sync state; a long sync shows its pages.
        let mut source = GitLabSource::new(config, aliases)?.with_cache(wiring.cache.clone());
        if let Some(events) = &wiring.events {
            source = source.with_progress(ProgressSink::new(SOURCE_ID, events.clone()));
        }
        Ok(Registered { source, interval })
    }

    pub fn describe_config(config: &GitLabConfig) -> String {
        format!("{SOURCE_ID} ({})", config.url)
    }
}

impl Source for Registered {
    fn id(&self) -> &str {
        SOURCE_ID
    }
    fn describe(&self) -> String {
        Self::describe_config(self.source.config())
    }
    fn interval(&self) -> Duration {
        self.interval
    }
    fn fetch(&self, as_of: AsOf) -> FetchFuture<'_> {
        let at = match as_of {
            AsOf::Now => Utc::now(),
            AsOf::At(at) => at,
        };
        Box::pin(self.source.fetch_at(at))
    }
    fn probe(&self) -> ProbeFuture<'_> {
        Box::pin(probe::probe(&self.source))
    }
}
