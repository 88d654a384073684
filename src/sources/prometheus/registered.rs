//! Prometheus as the registry runs it: a live poll reuses the windows that cannot have
//! moved since the last one; a past instant asks everything about then.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use super::{probe, PrometheusSource};
use crate::config::{PrometheusConfig, ServiceConfig};
use crate::event::SourceError;
use crate::sources::registry::{Wiring, PROMETHEUS_ID};
use crate::sources::source::{AsOf, FetchFuture, ProbeFuture, Source};

pub struct Registered {
    source: Arc<PrometheusSource>,
    config: PrometheusConfig,
    /// Every configured service, also those without queries (doctor names them).
    services: Vec<ServiceConfig>,
    interval: Duration,
}

impl Registered {
    pub fn new(
        config: &PrometheusConfig,
        services: &[ServiceConfig],
        interval: Duration,
        wiring: &Wiring,
    ) -> Result<Self, SourceError> {
        let mut source = PrometheusSource::new(config, services)?;
        // The first poll shows each service as its answers arrive.
        if let Some(events) = &wiring.events {
            source = source.showing_arrivals(events.clone(), PROMETHEUS_ID);
        }
        Ok(Registered {
            source: Arc::new(source),
            config: config.clone(),
            services: services.to_vec(),
            interval,
        })
    }

    pub fn describe_config(config: &PrometheusConfig) -> String {
        format!("{PROMETHEUS_ID} ({})", config.url)
    }
}

impl Source for Registered {
    fn id(&self) -> &str {
        PROMETHEUS_ID
    }
    fn describe(&self) -> String {
        Self::describe_config(&self.config)
    }
    fn interval(&self) -> Duration {
        self.interval
    }
    fn fetch(&self, as_of: AsOf) -> FetchFuture<'_> {
        Box::pin(async move {
            match as_of {
                AsOf::At(at) => self.source.fetch_at(at).await,
                AsOf::Now => self.source.poll(Utc::now()).await,
            }
        })
    }
    fn probe(&self) -> ProbeFuture<'_> {
        Box::pin(probe::probe(&self.source, &self.config, &self.services))
    }
}
