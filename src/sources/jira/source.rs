//! The Jira incident source: each `[[jira.incidents]]` JQL searched every poll, its
//! issues mapped into the model's incidents. Incidents are few, so each poll reads
//! them whole (no watermark); the app upserts by key.

use super::api::ApiIssue;
use super::client::JiraClient;
use super::incidents::{incident, Fields};
use crate::config::JiraConfig;
use crate::event::{SourceData, SourceError, SourceErrorKind};
use crate::model::outside::OutsideText;
use crate::model::Ts;
use crate::sources::poller::Fetched;
use crate::sources::FetchError;

pub struct JiraSource {
    client: JiraClient,
    fields: Fields,
}

impl JiraSource {
    pub fn new(config: &JiraConfig) -> Result<Self, SourceError> {
        Ok(Self::with_client(JiraClient::new(config)?))
    }

    pub fn with_client(client: JiraClient) -> Self {
        let fields = Fields::from_config(client.config());
        JiraSource { client, fields }
    }

    pub fn client(&self) -> &JiraClient {
        &self.client
    }

    /// Every service's incidents. A failure every request would share (auth,
    /// network, rate limit, server) fails the fetch; one JQL that Jira refuses is a
    /// warning naming its service, and the others are still read.
    pub async fn fetch_at(&self, _now: Ts) -> Result<Fetched, FetchError> {
        let mut fetched = Fetched::default();
        let mut incidents = Vec::new();
        let mut rejected = Vec::new();
        let requested = self.fields.requested();
        for entry in &self.client.config().incidents {
            let what = format!("{} incidents", entry.service);
            let found = match self
                .client
                .search::<ApiIssue>(&entry.jql, &requested, &what)
                .await
            {
                Ok(found) => found,
                Err(e) if ends_the_fetch(e.kind) => return Err(e),
                Err(e) => {
                    fetched.warnings.push(e.error.message);
                    continue;
                }
            };
            if let Some(problem) = found.problem {
                fetched.warnings.push(problem.message);
            }
            for issue in &found.items {
                match incident(issue, &entry.service, &self.fields) {
                    Ok(i) => incidents.push(i),
                    Err(r) => rejected.push(r),
                }
            }
        }
        let mut services: Vec<String> = Vec::new();
        for entry in &self.client.config().incidents {
            if !services.contains(&entry.service) {
                services.push(entry.service.clone());
            }
        }
        fetched.data.push(SourceData::Services(services));
        fetched.data.push(SourceData::Incidents(incidents));
        if !rejected.is_empty() {
            fetched.data.push(SourceData::Rejected(rejected));
        }
        if fetched.warnings.len() > 20 {
            fetched.warnings.truncate(20);
            fetched
                .warnings
                .push(OutsideText::line("more Jira warnings left out"));
        }
        Ok(fetched)
    }
}

fn ends_the_fetch(kind: SourceErrorKind) -> bool {
    matches!(
        kind,
        SourceErrorKind::Auth
            | SourceErrorKind::Network
            | SourceErrorKind::Timeout
            | SourceErrorKind::RateLimited
            | SourceErrorKind::Server
            | SourceErrorKind::Config
    )
}
