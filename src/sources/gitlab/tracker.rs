//! GitLab issues as the outbox's tracker (API-NOTES §2.8): create an issue labelled
//! `flightdeck` and `flightdeck-<uuid>`, find issues by that label, comment (a
//! note). GitLab has no idempotency key: the label is what the outbox searches for
//! after an ambiguous failure.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::client::{encode_component, project_path};
use super::GitLabSource;
use crate::config::GitLabConfig;
use crate::event::SourceError;
use crate::model::outside::OutsideText;
use crate::model::sanitize::sanitize_line;
use crate::net::{HttpClient, HttpSettings};
use crate::review::outbox::summary::{checklist_line, is_web_link};
use crate::review::tracker::{
    Landed, OutgoingItem, RemoteLink, Summary, Tracker, TrackerError, TrackerFuture, TrackerKey,
};
use crate::sources::tracker_error::{from_read, from_write, rejected, unreadable_success};

/// The tracker's id in item states and logs.
pub const TRACKER_ID: &str = "gitlab-issues";
/// The label every flightdeck issue carries besides its own.
pub const COMMON_LABEL: &str = "flightdeck";
/// GitLab's title limit.
pub const TITLE_CHARS: usize = 255;

pub struct GitLabTracker {
    /// Credentials and reads (the label search) as the source does them.
    source: GitLabSource,
    /// Writes: POSTs are not the source client's business.
    http: HttpClient,
    api: String,
    /// The project issues are created in (an id or a full path).
    project: String,
}

/// `POST /projects/:id/issues`.
#[derive(Debug, Serialize)]
struct NewIssue {
    title: String,
    description: String,
    /// Comma-separated; GitLab creates missing labels.
    labels: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    due_date: Option<String>,
    /// Free tier: one assignee by numeric user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    assignee_id: Option<u64>,
}

/// What a created or listed issue tells of itself.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IssueRef {
    iid: Option<u64>,
    references: Option<BTreeMap<String, OutsideText>>,
}

#[derive(Debug, Serialize)]
struct NewNote {
    body: String,
}

impl GitLabTracker {
    pub fn new(config: &GitLabConfig, project: &str) -> Result<Self, SourceError> {
        let settings = HttpSettings {
            total_timeout: Duration::from_secs(config.timeout_seconds),
            ca_file: config.ca_file.clone(),
            ..HttpSettings::default()
        };
        let source = GitLabSource::new(config, &BTreeMap::new())?;
        Ok(Self::with_parts(
            source,
            HttpClient::new(settings)?,
            &config.api_base(),
            project,
        ))
    }

    /// From a source (its client and credentials), a client for the writes, the
    /// REST base (`…/api/v4`) and the project.
    pub fn with_parts(source: GitLabSource, http: HttpClient, api: &str, project: &str) -> Self {
        GitLabTracker {
            source,
            http,
            api: api.trim_end_matches('/').to_string(),
            project: project.to_string(),
        }
    }

    fn key_of(&self, issue: &IssueRef) -> Option<TrackerKey> {
        let full = issue
            .references
            .as_ref()
            .and_then(|r| r.get("full"))
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty());
        full.or_else(|| issue.iid.map(|iid| format!("{}#{iid}", self.project)))
            .map(TrackerKey)
    }

    async fn auth(&self) -> Result<crate::net::Auth, TrackerError> {
        self.source
            .auth()
            .await
            .map_err(|e| from_read(TRACKER_ID, e.into()))
    }

    async fn create_issue(&self, item: &OutgoingItem) -> Result<TrackerKey, TrackerError> {
        let auth = self.auth().await?;
        let owner = match item
            .owner
            .as_deref()
            .map(str::trim)
            .filter(|o| !o.is_empty())
        {
            None => None,
            Some(o) => Some(o.parse::<u64>().map_err(|_| TrackerError {
                landed: Landed::No,
                message: OutsideText::line(&format!(
                    "{TRACKER_ID}: the owner must be a GitLab user id (a number), not {o:?}"
                )),
                retry_after: None,
                permanent: true,
            })?),
        };
        let body = NewIssue {
            title: title(&item.summary),
            description: description(item),
            labels: format!("{COMMON_LABEL},{}", item.label),
            due_date: item.due.clone().filter(|d| !d.trim().is_empty()),
            assignee_id: owner,
        };
        let url = format!("{}/{}/issues", self.api, project_path(&self.project));
        let body = serde_json::to_value(&body).expect("an issue serializes");
        let response = self
            .http
            .post_json(&url, &body, &auth, false)
            .await
            .map_err(|f| from_write(TRACKER_ID, f))?;
        if !(200..300).contains(&response.status) {
            return Err(rejected(TRACKER_ID, response.status, &response.body, &[]));
        }
        let created: IssueRef = serde_json::from_slice(&response.body)
            .map_err(|e| unreadable_success(TRACKER_ID, &e.to_string()))?;
        self.key_of(&created)
            .ok_or_else(|| unreadable_success(TRACKER_ID, "no iid in the answer"))
    }

    async fn keys_labelled(&self, label: &str) -> Result<Vec<TrackerKey>, TrackerError> {
        let auth = self.auth().await?;
        let params = [("labels", label.to_string()), ("state", "all".to_string())];
        let path = format!("{}/issues", project_path(&self.project));
        let paged = self
            .source
            .client()
            .pages::<IssueRef>(&path, &params, &auth, "the label search", |_| true)
            .await
            .map_err(|e| from_read(TRACKER_ID, e))?;
        let mut keys: Vec<TrackerKey> = paged.items.iter().filter_map(|i| self.key_of(i)).collect();
        keys.sort();
        keys.dedup();
        Ok(keys)
    }

    /// `…/issues/:iid/notes` of the issue `key` names (`#12`, `group/project#12`).
    fn notes_path(&self, key: &TrackerKey) -> Result<String, TrackerError> {
        let iid = key
            .0
            .rsplit_once('#')
            .and_then(|(_, n)| n.parse::<u64>().ok())
            .ok_or_else(|| TrackerError {
                landed: Landed::No,
                message: OutsideText::line(&format!(
                    "{TRACKER_ID}: {key} is not a GitLab issue key"
                )),
                retry_after: None,
                permanent: true,
            })?;
        Ok(format!(
            "{}/issues/{}/notes",
            project_path(&self.project),
            encode_component(&iid.to_string())
        ))
    }

    async fn add_comment(&self, key: &TrackerKey, text: &str) -> Result<(), TrackerError> {
        self.add_note(key, neutralize(text)).await
    }

    async fn add_note(&self, key: &TrackerKey, body: String) -> Result<(), TrackerError> {
        let auth = self.auth().await?;
        let url = format!("{}/{}", self.api, self.notes_path(key)?);
        let body = serde_json::to_value(NewNote { body }).expect("a note serializes");
        let response = self
            .http
            .post_json(&url, &body, &auth, false)
            .await
            .map_err(|f| from_write(TRACKER_ID, f))?;
        if !(200..300).contains(&response.status) {
            return Err(rejected(TRACKER_ID, response.status, &response.body, &[]));
        }
        Ok(())
    }
}

impl GitLabTracker {
    /// `#12`, `12` or `group/project#12` as they are; else the first issue carrying
    /// the label the rule names (`release::{version}`).
    async fn find_release_ticket(
        &self,
        rule: &str,
        version: &str,
    ) -> Result<TrackerKey, TrackerError> {
        let rule = rule.trim();
        let iid = rule.rsplit_once('#').map_or(rule, |(_, n)| n);
        if let Ok(iid) = iid.parse::<u64>() {
            return Ok(TrackerKey(format!("{}#{iid}", self.project)));
        }
        let label = rule.replace("{version}", &sanitize_line(version));
        let keys = self.keys_labelled(&label).await?;
        keys.into_iter().next().ok_or_else(|| TrackerError {
            landed: Landed::No,
            message: OutsideText::line(&format!(
                "{TRACKER_ID}: no issue is the release ticket of {version}: no issue has the label review.release_ticket names"
            )),
            retry_after: None,
            permanent: true,
        })
    }

    async fn note_marked(&self, key: &TrackerKey, marker: &str) -> Result<bool, TrackerError> {
        let auth = self.auth().await?;
        let path = self.notes_path(key)?;
        let mut found = false;
        self.source
            .client()
            .pages::<NoteBody>(&path, &[], &auth, "the release ticket's notes", |page| {
                found = found || page.iter().any(|n| n.body.contains(marker));
                !found
            })
            .await
            .map_err(|e| from_read(TRACKER_ID, e))?;
        Ok(found)
    }
}

/// A note: only its body, searched for the marker, never shown.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NoteBody {
    body: String,
}

/// The review's summary as a note in markdown; every user value is one line inside
/// a list item or after a label, so none can start a quick action.
fn summary_note(s: &Summary) -> String {
    let v = |t: &str| neutralize(&sanitize_line(t));
    let mut text = format!(
        "**Post-release review:** {}\n\n**Decision:** {}\n\n{}\n",
        v(&s.title),
        v(s.decision.as_deref().unwrap_or("none recorded")),
        checklist_line(s)
    );
    let mut section = |title: &str, rows: Vec<String>| {
        if !rows.is_empty() {
            text.push_str(&format!("\n**{title}**\n\n"));
            for r in rows {
                text.push_str(&format!("- {r}\n"));
            }
        }
    };
    section("Findings", s.findings.iter().map(|f| v(f)).collect());
    section(
        "Action items",
        s.items
            .iter()
            .map(|(what, state)| format!("{}: **{}**", v(what), v(state)))
            .collect(),
    );
    section(
        "Deployments",
        s.links
            .iter()
            .filter(|l| is_web_link(l))
            .map(|l| format!("<{}>", l.replace(['<', '>', ' '], "")))
            .collect(),
    );
    text.push_str(&format!("\nPosted by flightdeck (`{}`).", s.marker));
    text
}

impl Tracker for GitLabTracker {
    fn id(&self) -> &str {
        TRACKER_ID
    }

    fn create<'a>(&'a self, item: &'a OutgoingItem) -> TrackerFuture<'a, TrackerKey> {
        Box::pin(self.create_issue(item))
    }

    fn find_by_label<'a>(&'a self, label: &'a str) -> TrackerFuture<'a, Vec<TrackerKey>> {
        Box::pin(self.keys_labelled(label))
    }

    fn comment<'a>(&'a self, key: &'a TrackerKey, text: &'a str) -> TrackerFuture<'a, ()> {
        Box::pin(self.add_comment(key, text))
    }

    fn release_ticket<'a>(
        &'a self,
        rule: &'a str,
        version: &'a str,
    ) -> TrackerFuture<'a, TrackerKey> {
        Box::pin(self.find_release_ticket(rule, version))
    }

    fn post_summary<'a>(
        &'a self,
        key: &'a TrackerKey,
        summary: &'a Summary,
    ) -> TrackerFuture<'a, ()> {
        Box::pin(self.add_note(key, summary_note(summary)))
    }

    fn has_comment_marked<'a>(
        &'a self,
        key: &'a TrackerKey,
        marker: &'a str,
    ) -> TrackerFuture<'a, bool> {
        Box::pin(self.note_marked(key, marker))
    }

    /// GitLab has no remote links: the issue's description already links the
    /// deployment (see `description`), so there is nothing more to send.
    fn remote_link<'a>(
        &'a self,
        key: &'a TrackerKey,
        link: &'a RemoteLink,
    ) -> TrackerFuture<'a, ()> {
        let _ = (key, link);
        Box::pin(async { Ok(()) })
    }

    fn has_remote_link<'a>(
        &'a self,
        key: &'a TrackerKey,
        global_id: &'a str,
    ) -> TrackerFuture<'a, bool> {
        let _ = (key, global_id);
        Box::pin(async { Ok(true) })
    }
}

/// One line without control characters, within GitLab's limit.
fn title(raw: &str) -> String {
    let line = sanitize_line(raw.trim());
    match line.char_indices().nth(TITLE_CHARS) {
        Some(_) => {
            let keep = line
                .char_indices()
                .nth(TITLE_CHARS - 1)
                .map_or(line.len(), |(i, _)| i);
            format!("{}…", line[..keep].trim_end())
        }
        None => line,
    }
}

/// The item as markdown. Every user value is one line inside a list item, so none
/// can start a line: a `/close` or `/assign` would otherwise run as a quick action.
fn description(item: &OutgoingItem) -> String {
    let v = |s: &str| neutralize(&sanitize_line(s));
    let mut text = format!(
        "Action item from the post-release review **{}**\n\n- **Summary:** {}\n",
        v(&item.review_title),
        v(&item.summary)
    );
    if let Some(owner) = &item.owner {
        text.push_str(&format!("- **Owner:** {}\n", v(owner)));
    }
    if let Some(due) = &item.due {
        text.push_str(&format!("- **Due:** {}\n", v(due)));
    }
    text.push_str(&format!("- **Category:** {}\n", v(&item.category)));
    text.push_str(&format!(
        "- **Success criteria:** {}\n",
        v(&item.success_criteria)
    ));
    if let Some(link) = item.link.as_deref().filter(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("https://") || l.starts_with("http://")
    }) {
        text.push_str(&format!(
            "- **Deployment:** <{}>\n",
            link.replace(['<', '>', ' '], "")
        ));
    }
    text.push_str(&format!("\nCreated by flightdeck (`{}`).", item.label));
    text
}

/// A line that starts with `/` is a quick action in GitLab; a leading space keeps it
/// text.
fn neutralize(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.trim_start().starts_with('/') {
                format!(" {}", l.trim_start()).replacen('/', "&#47;", 1)
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_user_text_can_become_a_quick_action() {
        let item = OutgoingItem {
            uuid: "u".into(),
            label: "flightdeck-u".into(),
            summary: "/close".into(),
            owner: None,
            due: None,
            success_criteria: "fine\n/assign @root".into(),
            category: "test gap".into(),
            link: None,
            review_title: "r".into(),
        };
        let d = description(&item);
        assert!(d.lines().all(|l| !l.trim_start().starts_with('/')), "{d}");
        assert!(neutralize("ok\n  /close")
            .lines()
            .all(|l| !l.trim_start().starts_with('/')));
        assert_eq!(title(&"é".repeat(300)).chars().count(), TITLE_CHARS);
    }
}
