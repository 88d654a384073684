//! What `doctor` checks of Jenkins: that the credentials are accepted (`whoAmI`, and
//! not as anonymous when a token is configured) and that every job is found.

use super::client::JenkinsClient;
use super::path::display_name;
use crate::config::JenkinsConfig;
use crate::event::{SourceError, SourceErrorKind};

pub use crate::sources::check::{Check, Outcome};

/// Runs every check; a failure of the credentials skips the jobs (each would fail
/// the same way).
pub async fn probe(config: &JenkinsConfig) -> Vec<Check> {
    let client = match JenkinsClient::new(config) {
        Ok(c) => c,
        Err(error) => return vec![Check::fail("client", error)],
    };
    let mut checks = Vec::new();
    match client.who_am_i().await {
        Ok(me) => {
            let name = me.name.as_deref().unwrap_or("?").to_string();
            let anonymous = me.anonymous == Some(true) || me.authenticated == Some(false);
            if config.has_credentials() && anonymous {
                checks.push(Check::fail(
                    "credentials",
                    SourceError::new(
                        SourceErrorKind::Auth,
                        "Jenkins took the request as anonymous; check username and the API token",
                    ),
                ));
            } else {
                checks.push(Check::ok(
                    "credentials",
                    if anonymous {
                        "anonymous access (no token configured)".to_string()
                    } else {
                        format!("authenticated as {name}")
                    },
                ));
            }
        }
        Err(e) => {
            checks.push(Check::fail("credentials", e.error));
            return checks;
        }
    }
    for job in &config.jobs {
        let what = format!("job {}", display_name(&job.job));
        match client.job_class(&job.job).await {
            Ok(answer) => {
                let kind = if answer.is_pipeline() {
                    "pipeline"
                } else {
                    "freestyle or other"
                };
                checks.push(Check::ok(
                    what,
                    format!("found ({kind}), deploys {}", job.service),
                ));
            }
            Err(e) => checks.push(Check::fail(what, e.error)),
        }
    }
    checks
}
