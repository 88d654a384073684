//! Spawns one poller per source the config names.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;

use super::gitlab::GitLabSource;
use super::poller::{spawn_poller, PollerOptions};
use super::prometheus::PrometheusSource;
use super::{EventTx, SourceHandle};
use crate::config::Config;
use crate::model::Ts;

/// The id of the Prometheus source in events and the header.
pub const PROMETHEUS_ID: &str = "prometheus";

/// One running poller per configured source. A source that cannot even be set up
/// (an unreadable `ca_file`, say) still gets a poller, which reports the reason as
/// its error, so the header shows it instead of the source silently missing.
///
/// Each fetch asks for the data as of the moment it runs, or as of `as_of` when given
/// (a headless report `--at` a past instant asks Prometheus about that instant).
pub fn spawn_configured(
    config: &Config,
    events: EventTx,
    shutdown: watch::Receiver<bool>,
    as_of: Option<Ts>,
) -> Vec<SourceHandle> {
    let mut handles = Vec::new();
    if let Some(prom) = &config.prometheus {
        let interval = Duration::from_secs(
            prom.refresh_seconds
                .unwrap_or(config.general.refresh_seconds)
                .max(1),
        );
        let options = PollerOptions::new(interval);
        let handle = match PrometheusSource::new(prom, &config.services) {
            Ok(source) => {
                let source = Arc::new(source.showing_arrivals(events.clone(), PROMETHEUS_ID));
                spawn_poller(
                    PROMETHEUS_ID,
                    options,
                    events.clone(),
                    shutdown.clone(),
                    move || {
                        let source = Arc::clone(&source);
                        // A past instant asks everything about then; the present
                        // reuses what cannot have changed since the last poll.
                        async move {
                            match as_of {
                                Some(at) => source.fetch_at(at).await,
                                None => source.poll(Utc::now()).await,
                            }
                        }
                    },
                )
            }
            Err(error) => spawn_poller(
                PROMETHEUS_ID,
                options,
                events.clone(),
                shutdown.clone(),
                move || {
                    let error = error.clone();
                    async move { Err(error.into()) }
                },
            ),
        };
        handles.push(handle);
    }
    if let Some(jenkins) = &config.jenkins {
        handles.push(super::jenkins::spawn(
            config,
            jenkins,
            events.clone(),
            shutdown.clone(),
        ));
    }
    if let Some(gitlab) = &config.gitlab {
        handles.push(spawn_gitlab(config, gitlab, events, shutdown, as_of));
    }
    handles
}

/// The GitLab poller (id [`super::gitlab::SOURCE_ID`]): one source keeps its
/// watermarks between polls, so each poll asks only for what changed.
fn spawn_gitlab(
    config: &Config,
    gitlab: &crate::config::GitLabConfig,
    events: EventTx,
    shutdown: watch::Receiver<bool>,
    as_of: Option<Ts>,
) -> SourceHandle {
    let interval = Duration::from_secs(
        gitlab
            .refresh_seconds
            .unwrap_or(config.general.refresh_seconds)
            .max(1),
    );
    let options = PollerOptions::new(interval);
    let id = super::gitlab::SOURCE_ID;
    match GitLabSource::new(gitlab, &config.environments.aliases) {
        Ok(source) => {
            let source = Arc::new(source);
            spawn_poller(id, options, events, shutdown, move || {
                let source = Arc::clone(&source);
                async move { source.fetch_at(as_of.unwrap_or_else(Utc::now)).await }
            })
        }
        Err(error) => spawn_poller(id, options, events, shutdown, move || {
            let error = error.clone();
            async move { Err(error.into()) }
        }),
    }
}
