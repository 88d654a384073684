//! The base URL of a source reached over its REST API (GitLab, Jira): http(s), a host,
//! no credentials in it, no query or fragment, and not the API path flightdeck appends.

use super::issue::ConfigIssue;

/// What a source's `url` must be; `example` is shown in the message, `api_path` is the
/// path flightdeck appends itself (`/api/v4`, `/rest/api`).
pub(super) struct BaseUrl<'a> {
    pub example: &'a str,
    pub api_path: &'a str,
}

impl BaseUrl<'_> {
    pub(super) fn validate(&self, url: &str, key: &str, issues: &mut Vec<ConfigIssue>) {
        let Some(rest) = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
        else {
            issues.push(
                ConfigIssue::new(
                    key,
                    format!("an http:// or https:// URL, like {}", self.example),
                )
                .found(format!("{url:?}")),
            );
            return;
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.is_empty() {
            issues.push(ConfigIssue::new(key, "a URL with a host").found(format!("{url:?}")));
        } else if authority.contains('@') {
            issues.push(ConfigIssue::new(
                key,
                "a URL without credentials (use token_env or token_cmd)",
            ));
        } else if rest.contains(['?', '#']) {
            issues.push(
                ConfigIssue::new(key, "a base URL without ?query or #fragment")
                    .found(format!("{url:?}")),
            );
        } else if rest.contains(self.api_path) {
            issues.push(
                ConfigIssue::new(
                    key,
                    format!(
                        "the site's URL without {} (flightdeck appends it)",
                        self.api_path
                    ),
                )
                .found(format!("{url:?}")),
            );
        }
    }
}
