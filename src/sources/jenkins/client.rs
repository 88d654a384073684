//! Calls to one Jenkins over the shared HTTP layer: a job's builds through the `tree`
//! parameter, a run's stages from `wfapi/describe`, and `whoAmI` for `doctor`.
//!
//! Failures are told in Jenkins's words: an HTML answer (a login page, also the one a
//! redirect to `/login` ends on) is an auth error naming the API token; a 404 names
//! the job.

use std::time::Duration;

use serde::de::DeserializeOwned;
use tokio::sync::Mutex;

use super::api::{build_fields, JobBuilds, RunDescription, WhoAmI};
use super::path::{display_name, job_path};
use crate::config::JenkinsConfig;
use crate::event::{SourceError, SourceErrorKind};
use crate::net::secret::SecretSource;
use crate::net::{Auth, HttpClient, HttpSettings};
use crate::sources::FetchError;

/// `builds` holds at most this many (the newest); older ones need `allBuilds`.
pub const BUILDS_CAP: u64 = 100;

/// Which builds a request asks for: newest first, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildRange {
    pub start: u64,
    pub end: u64,
}

impl BuildRange {
    /// The `tree` for this range: `builds{M,N}` while inside the newest 100 (cheap),
    /// `allBuilds{M,N}` past them (it loads every build record on the server).
    pub fn tree(self) -> String {
        let list = if self.end <= BUILDS_CAP {
            "builds"
        } else {
            "allBuilds"
        };
        format!(
            "_class,{list}[{}]{{{},{}}}",
            build_fields(),
            self.start,
            self.end
        )
    }
}

pub struct JenkinsClient {
    http: HttpClient,
    base: String,
    username: Option<String>,
    secret: Option<SecretSource>,
    /// Resolved on first use and again after an auth failure (a rotated token).
    auth: Mutex<Option<Auth>>,
}

impl JenkinsClient {
    pub fn new(config: &JenkinsConfig) -> Result<Self, SourceError> {
        let settings = HttpSettings {
            total_timeout: Duration::from_secs(config.timeout_seconds),
            read_timeout: Duration::from_secs(config.timeout_seconds),
            ca_file: config.ca_file.clone(),
            ..HttpSettings::default()
        };
        Ok(JenkinsClient {
            http: HttpClient::new(settings)?,
            base: config.url.trim_end_matches('/').to_string(),
            username: config.username.clone(),
            secret: SecretSource::from_parts(
                config.token_env.as_deref(),
                config.token_cmd.as_deref(),
            ),
            auth: Mutex::new(None),
        })
    }

    /// Basic auth with the API token (exempt from CSRF crumbs, API-NOTES §3.3), or
    /// anonymous when no token is configured.
    async fn auth(&self) -> Result<Auth, SourceError> {
        let mut guard = self.auth.lock().await;
        if let Some(auth) = guard.as_ref() {
            return Ok(auth.clone());
        }
        let auth = match &self.secret {
            None => Auth::None,
            Some(source) => Auth::Basic {
                username: self.username.clone().unwrap_or_default(),
                password: source.resolve().await?,
            },
        };
        *guard = Some(auth.clone());
        Ok(auth)
    }

    async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        job: Option<&str>,
    ) -> Result<T, FetchError> {
        let auth = self.auth().await?;
        let url = format!("{}{path}", self.base);
        let response = match self.http.get(&url, query, &auth).await {
            Ok(r) => r,
            Err(e) => return Err(self.explain(e, job).await),
        };
        if !(200..300).contains(&response.status) {
            let e = crate::net::error::from_status(response.status, &response.body, &[]);
            return Err(self.explain(e.into(), job).await);
        }
        serde_json::from_slice(&response.body).map_err(|e| {
            FetchError::new(SourceError::new(
                SourceErrorKind::BadResponse,
                format!(
                    "Jenkins answered {} with malformed JSON ({e}); check url (with the context path)",
                    job.map_or("a request".to_string(), |j| format!("job {}", display_name(j)))
                ),
            ))
        })
    }

    /// Jenkins's words for an auth failure or a missing job.
    async fn explain(&self, mut e: FetchError, job: Option<&str>) -> FetchError {
        match e.kind {
            SourceErrorKind::Auth => {
                *self.auth.lock().await = None;
                e.error.message.push_str(
                    "; Jenkins wants username and an API token (user menu → Security → API Token), \
                     and a login page or a redirect to /login means they were not accepted",
                );
            }
            // Jenkins's 404 is an HTML page; either way it is a name to fix.
            _ if is_not_found(&e) => {
                e.error.kind = SourceErrorKind::Config;
                if let Some(job) = job {
                    e.error.message = format!(
                        "job {} not found (HTTP 404); check jobs[].job (its full name, folders \
                         separated by /) and that the user may read it",
                        display_name(job)
                    )
                    .into();
                }
            }
            _ => {}
        }
        e
    }

    /// The job's class and the builds in `range`, newest first.
    pub async fn builds(&self, job: &str, range: BuildRange) -> Result<JobBuilds, FetchError> {
        let path = format!("{}/api/json", job_path(job));
        self.get_json(&path, &[("tree", range.tree())], Some(job))
            .await
    }

    /// A pipeline run's stages; `None` when the stage view plugin is not installed or
    /// the run has none (404).
    pub async fn stages(
        &self,
        job: &str,
        number: u64,
    ) -> Result<Option<RunDescription>, FetchError> {
        let path = format!("{}/{number}/wfapi/describe", job_path(job));
        match self.get_json(&path, &[], Some(job)).await {
            Ok(d) => Ok(Some(d)),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Who the credentials authenticate as.
    pub async fn who_am_i(&self) -> Result<WhoAmI, FetchError> {
        self.get_json("/whoAmI/api/json", &[], None).await
    }

    /// The job's class, proving it exists and is readable.
    pub async fn job_class(&self, job: &str) -> Result<JobBuilds, FetchError> {
        let path = format!("{}/api/json", job_path(job));
        self.get_json(&path, &[("tree", "_class".to_string())], Some(job))
            .await
    }
}

fn is_not_found(e: &FetchError) -> bool {
    matches!(
        e.kind,
        SourceErrorKind::Config | SourceErrorKind::BadResponse
    ) && e.message.contains("HTTP 404")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_past_the_newest_hundred_ask_for_all_builds() {
        let newest = BuildRange { start: 0, end: 100 }.tree();
        assert!(newest.starts_with("_class,builds["), "{newest}");
        assert!(newest.ends_with("]{0,100}"), "{newest}");
        assert!(newest.contains("changeSet[items[") && newest.contains("changeSets[items["));
        let older = BuildRange {
            start: 100,
            end: 200,
        }
        .tree();
        assert!(older.starts_with("_class,allBuilds["), "{older}");
        assert!(older.ends_with("]{100,200}"), "{older}");
    }
}
