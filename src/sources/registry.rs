//! The one list of sources the config names. Spawning, `doctor` and the cache all go
//! through it: adding a source is one folder, one config section and one entry here.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::poller::{spawn_poller, PollerOptions};
use super::source::{AsOf, Source, Unavailable};
use super::{gitlab, jenkins, jira, prometheus, EventTx, SourceHandle};
use crate::config::Config;
use crate::event::SourceError;
use crate::model::Ts;

/// The id of the Prometheus source in events and the header.
pub const PROMETHEUS_ID: &str = "prometheus";

/// Every configured source, in the order the header and `doctor` show them, and a
/// line for each kind of source the config leaves out (said by `doctor`).
pub struct Registry {
    pub sources: Vec<Arc<dyn Source>>,
    pub not_configured: Vec<&'static str>,
}

/// What a running source is connected to beyond its config: the cache it resumes its
/// sync from, and where a long sync reports its progress. `doctor` wires neither.
#[derive(Clone, Default)]
pub struct Wiring {
    pub cache: Option<PathBuf>,
    pub events: Option<EventTx>,
}

/// A source's poll interval: its own `refresh_seconds`, else the general one.
fn interval(own: Option<u64>, config: &Config) -> Duration {
    Duration::from_secs(own.unwrap_or(config.general.refresh_seconds).max(1))
}

/// The source, or a stand-in that fails with the reason it could not be set up.
fn built<S: Source + 'static>(
    made: Result<S, SourceError>,
    id: &'static str,
    describe: String,
    interval: Duration,
) -> Arc<dyn Source> {
    match made {
        Ok(source) => Arc::new(source),
        Err(error) => Arc::new(Unavailable {
            id,
            describe,
            interval,
            error,
        }),
    }
}

impl Registry {
    /// The sources as `doctor` probes them: nothing read from the cache, no progress.
    pub fn from_config(config: &Config) -> Registry {
        Self::wired(config, &Wiring::default())
    }

    /// The sources as the runtime runs them: resuming from the cache the config names,
    /// reporting the pages of a long sync on `events`.
    pub fn running(config: &Config, events: &EventTx) -> Registry {
        let wiring = Wiring {
            cache: crate::store::configured_path(&config.cache),
            events: Some(events.clone()),
        };
        Self::wired(config, &wiring)
    }

    fn wired(config: &Config, wiring: &Wiring) -> Registry {
        let mut sources: Vec<Arc<dyn Source>> = Vec::new();
        let mut not_configured = Vec::new();
        match &config.prometheus {
            Some(prom) => {
                let every = interval(prom.refresh_seconds, config);
                sources.push(built(
                    prometheus::Registered::new(prom, &config.services, every, wiring),
                    PROMETHEUS_ID,
                    prometheus::Registered::describe_config(prom),
                    every,
                ));
            }
            None => not_configured.push(
                "prometheus: not configured (add a [prometheus] section to watch error budgets)",
            ),
        }
        if let Some(j) = &config.jenkins {
            let every = interval(j.refresh_seconds, config);
            sources.push(built(
                jenkins::Registered::new(j, &config.environments.aliases, every, wiring),
                jenkins::JENKINS_ID,
                jenkins::Registered::describe_config(j),
                every,
            ));
        }
        match &config.gitlab {
            Some(g) => {
                let every = interval(g.refresh_seconds, config);
                sources.push(built(
                    gitlab::Registered::new(g, &config.environments.aliases, every, wiring),
                    gitlab::SOURCE_ID,
                    gitlab::Registered::describe_config(g),
                    every,
                ));
            }
            None => not_configured
                .push("gitlab: not configured (add a [gitlab] section to read deployments)"),
        }
        if let Some(j) = &config.jira {
            let every = interval(j.refresh_seconds, config);
            sources.push(built(
                jira::Registered::new(j, every),
                jira::SOURCE_ID,
                jira::Registered::describe_config(j),
                every,
            ));
        }
        Registry {
            sources,
            not_configured,
        }
    }

    /// The sources that are polled (a tracker-only Jira is only probed).
    pub fn polled(&self) -> impl Iterator<Item = &Arc<dyn Source>> {
        self.sources.iter().filter(|s| s.polls())
    }

    /// The ids of the polled sources (what the cache restores).
    pub fn ids(&self) -> Vec<String> {
        self.polled().map(|s| s.id().to_string()).collect()
    }

    /// One poller per source. Each fetch asks for the data as of the moment it runs,
    /// or as of `as_of` when given (a headless report `--at` a past instant).
    pub fn spawn(
        &self,
        events: EventTx,
        shutdown: watch::Receiver<bool>,
        as_of: Option<Ts>,
    ) -> Vec<SourceHandle> {
        let as_of = as_of.map_or(AsOf::Now, AsOf::At);
        self.polled()
            .map(|source| {
                let options = PollerOptions::new(source.interval());
                let source = Arc::clone(source);
                let id = source.id().to_string();
                spawn_poller(id, options, events.clone(), shutdown.clone(), move || {
                    let source = Arc::clone(&source);
                    async move { source.fetch(as_of).await }
                })
            })
            .collect()
    }
}

/// The tracker the review's action items are filed in: Jira when `[jira]` names a
/// `project`, else GitLab issues when `[gitlab]` names an `issues_project`; `None`
/// when neither does (items are kept, pending). An error says why it cannot be built.
/// Whether the config names a tracker for action items (without building its client).
pub fn tracker_configured(config: &Config) -> bool {
    config.jira.as_ref().is_some_and(|j| j.project.is_some())
        || config
            .gitlab
            .as_ref()
            .is_some_and(|g| g.issues_project.is_some())
}

pub fn tracker(
    config: &Config,
) -> Option<Result<Arc<dyn crate::review::tracker::Tracker>, SourceError>> {
    use crate::review::tracker::Tracker;
    if let Some(made) = jira::configured_tracker(config) {
        return Some(made.map(|t| Arc::new(t) as Arc<dyn Tracker>));
    }
    let gitlab = config.gitlab.as_ref()?;
    let project = gitlab.issues_project.as_deref()?;
    Some(
        gitlab::tracker::GitLabTracker::new(gitlab, project)
            .map(|t| Arc::new(t) as Arc<dyn Tracker>),
    )
}

/// One running poller per configured source (see [`Registry::spawn`]).
pub fn spawn_configured(
    config: &Config,
    events: EventTx,
    shutdown: watch::Receiver<bool>,
    as_of: Option<Ts>,
) -> Vec<SourceHandle> {
    Registry::running(config, &events).spawn(events, shutdown, as_of)
}
