//! The request bodies of a create and a comment, per flavor, as typed values: Cloud
//! gets an ADF description and `assignee.accountId`, Data Center wiki markup and
//! `assignee.name` (API-NOTES §4.2, §4.4). Pure, so each shape is tested as it goes
//! out.

use serde::Serialize;

use super::adf::{Block, Doc, Inline};
use super::client::Flavor;
use crate::model::sanitize::sanitize_line;
use crate::review::outbox::summary::checklist_line;
use crate::review::tracker::{OutgoingItem, RemoteLink, Summary};

/// Jira refuses a summary longer than this.
pub const SUMMARY_CHARS: usize = 255;

/// `POST /rest/api/N/issue` (`IssueUpdateDetails`, only `fields`).
#[derive(Debug, Clone, Serialize)]
pub struct CreateRequest {
    pub fields: CreateFields,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreateFields {
    pub project: KeyRef,
    pub issuetype: NameRef,
    pub summary: String,
    pub description: Description,
    pub labels: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duedate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<UserRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct KeyRef {
    pub key: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NameRef {
    pub name: String,
}

/// Cloud: an ADF document; Data Center: wiki markup.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Description {
    Adf(Doc),
    Wiki(String),
}

/// Cloud names users by `accountId` (`name` is refused); Data Center by `name`.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum UserRef {
    Cloud {
        #[serde(rename = "accountId")]
        account_id: String,
    },
    DataCenter {
        name: String,
    },
}

/// `POST /rest/api/N/issue/{key}/comment`.
#[derive(Debug, Clone, Serialize)]
pub struct CommentRequest {
    pub body: Description,
}

/// The label every flightdeck issue carries besides its own `flightdeck-<uuid>`.
pub const COMMON_LABEL: &str = "flightdeck";

pub fn create(
    flavor: Flavor,
    project: &str,
    issue_type: &str,
    item: &OutgoingItem,
) -> CreateRequest {
    let description = match flavor {
        Flavor::Cloud => Description::Adf(adf_description(item)),
        Flavor::DataCenter => Description::Wiki(wiki_description(item)),
    };
    let assignee = item
        .owner
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| match flavor {
            Flavor::Cloud => UserRef::Cloud {
                account_id: o.to_string(),
            },
            Flavor::DataCenter => UserRef::DataCenter {
                name: o.to_string(),
            },
        });
    CreateRequest {
        fields: CreateFields {
            project: KeyRef {
                key: project.to_string(),
            },
            issuetype: NameRef {
                name: issue_type.to_string(),
            },
            summary: summary(&item.summary),
            description,
            labels: vec![COMMON_LABEL.to_string(), item.label.clone()],
            duedate: item.due.clone().filter(|d| !d.trim().is_empty()),
            assignee,
        },
    }
}

pub fn comment(flavor: Flavor, text: &str) -> CommentRequest {
    CommentRequest {
        body: match flavor {
            Flavor::Cloud => Description::Adf(Doc::text(text)),
            Flavor::DataCenter => Description::Wiki(wiki_escape(text)),
        },
    }
}

/// `POST /rest/api/N/issue/{key}/remotelink` (`RemoteIssueLinkRequest`): the same
/// `globalId` again updates the link instead of adding one.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteLinkRequest {
    pub global_id: String,
    pub application: Application,
    pub relationship: String,
    pub object: RemoteObject,
}

#[derive(Debug, Clone, Serialize)]
pub struct Application {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RemoteObject {
    pub url: String,
    pub title: String,
}

pub fn remote_link(link: &RemoteLink) -> RemoteLinkRequest {
    RemoteLinkRequest {
        global_id: link.global_id.clone(),
        application: Application {
            kind: "flightdeck".to_string(),
            name: "flightdeck".to_string(),
        },
        relationship: "deployment".to_string(),
        object: RemoteObject {
            url: link.url.clone(),
            title: summary(&link.title),
        },
    }
}

/// The review's summary as a comment: ADF on Cloud, wiki markup on Data Center. The
/// marker is in its last line, as text.
pub fn summary_comment(flavor: Flavor, s: &Summary) -> CommentRequest {
    CommentRequest {
        body: match flavor {
            Flavor::Cloud => Description::Adf(summary_adf(s)),
            Flavor::DataCenter => Description::Wiki(summary_wiki(s)),
        },
    }
}

fn summary_adf(s: &Summary) -> Doc {
    let mut blocks = vec![
        Block::paragraph(vec![
            Inline::strong("Post-release review: "),
            Inline::plain(&s.title),
        ]),
        Block::paragraph(vec![
            Inline::strong("Decision: "),
            Inline::plain(s.decision.as_deref().unwrap_or("none recorded")),
        ]),
        Block::paragraph(vec![Inline::plain(&checklist_line(s))]),
    ];
    let mut section = |title: &str, rows: Vec<Vec<Inline>>| {
        if !rows.is_empty() {
            blocks.push(Block::paragraph(vec![Inline::strong(title)]));
            blocks.push(Block::bullets(rows));
        }
    };
    section(
        "Findings",
        s.findings.iter().map(|f| vec![Inline::plain(f)]).collect(),
    );
    section(
        "Action items",
        s.items
            .iter()
            .map(|(what, state)| vec![Inline::plain(&format!("{what}: ")), Inline::strong(state)])
            .collect(),
    );
    section(
        "Deployments",
        s.links
            .iter()
            .filter(|l| is_web_link(l))
            .map(|l| vec![Inline::link(l, l)])
            .collect(),
    );
    blocks.push(Block::paragraph(vec![Inline::plain(&format!(
        "Posted by flightdeck ({}).",
        s.marker
    ))]));
    Doc::new(blocks)
}

fn summary_wiki(s: &Summary) -> String {
    let mut text = format!(
        "*Post-release review:* {}\n*Decision:* {}\n{}\n",
        wiki_escape(&s.title),
        wiki_escape(s.decision.as_deref().unwrap_or("none recorded")),
        wiki_escape(&checklist_line(s))
    );
    let mut section = |title: &str, rows: Vec<String>| {
        if !rows.is_empty() {
            text.push_str(&format!("\n*{title}*\n"));
            for r in rows {
                text.push_str(&format!("* {r}\n"));
            }
        }
    };
    section(
        "Findings",
        s.findings.iter().map(|f| wiki_escape(f)).collect(),
    );
    section(
        "Action items",
        s.items
            .iter()
            .map(|(what, state)| format!("{}: *{}*", wiki_escape(what), wiki_escape(state)))
            .collect(),
    );
    section(
        "Deployments",
        s.links
            .iter()
            .filter(|l| is_web_link(l))
            .map(|l| format!("[{}]", l.replace(['|', ']', '['], "")))
            .collect(),
    );
    text.push_str(&format!("\nPosted by flightdeck ({}).", s.marker));
    text
}

/// One line without control characters, cut to Jira's limit (the whole summary is
/// also in the description).
pub fn summary(raw: &str) -> String {
    let line = sanitize_line(raw.trim());
    match line.char_indices().nth(SUMMARY_CHARS) {
        Some(_) => {
            let keep = line
                .char_indices()
                .nth(SUMMARY_CHARS - 1)
                .map_or(line.len(), |(i, _)| i);
            format!("{}…", line[..keep].trim_end())
        }
        None => line,
    }
}

/// The item's details as (label, value, link) rows, in the order both flavors show.
fn rows(item: &OutgoingItem) -> Vec<(&'static str, String)> {
    let mut rows = vec![("Summary", sanitize_line(&item.summary))];
    if let Some(owner) = &item.owner {
        rows.push(("Owner", sanitize_line(owner)));
    }
    if let Some(due) = &item.due {
        rows.push(("Due", sanitize_line(due)));
    }
    rows.push(("Category", sanitize_line(&item.category)));
    rows.push(("Success criteria", sanitize_line(&item.success_criteria)));
    rows
}

fn adf_description(item: &OutgoingItem) -> Doc {
    let mut bullets: Vec<Vec<Inline>> = rows(item)
        .into_iter()
        .map(|(k, v)| vec![Inline::strong(&format!("{k}: ")), Inline::plain(&v)])
        .collect();
    if let Some(link) = item.link.as_deref().filter(|l| is_web_link(l)) {
        bullets.push(vec![
            Inline::strong("Deployment: "),
            Inline::link(link, link),
        ]);
    }
    Doc::new(vec![
        Block::paragraph(vec![
            Inline::plain("Action item from the post-release review "),
            Inline::strong(&sanitize_line(&item.review_title)),
        ]),
        Block::bullets(bullets),
        Block::paragraph(vec![Inline::plain(&format!(
            "Created by flightdeck ({}).",
            item.label
        ))]),
    ])
}

fn wiki_description(item: &OutgoingItem) -> String {
    let mut text = format!(
        "Action item from the post-release review *{}*\n\n",
        wiki_escape(&sanitize_line(&item.review_title))
    );
    for (k, v) in rows(item) {
        text.push_str(&format!("* *{k}:* {}\n", wiki_escape(&v)));
    }
    if let Some(link) = item.link.as_deref().filter(|l| is_web_link(l)) {
        text.push_str(&format!(
            "* *Deployment:* [{}]\n",
            link.replace(['|', ']', '['], "")
        ));
    }
    text.push_str(&format!("\nCreated by flightdeck ({}).", item.label));
    text
}

/// Wiki markup's special characters escaped, so a user's `{code}`, `[link|…]` or
/// `*` stays text.
pub fn wiki_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '{' | '}' | '[' | ']' | '|' | '*' | '_' | '!' | '^' | '~' | '\\'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Only http(s) links become links (a `javascript:` href would be stored as one).
fn is_web_link(link: &str) -> bool {
    let l = link.trim().to_ascii_lowercase();
    (l.starts_with("https://") || l.starts_with("http://")) && !link.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item() -> OutgoingItem {
        OutgoingItem {
            uuid: "3f9c".into(),
            label: "flightdeck-3f9c".into(),
            summary: "Add a canary gate\u{1b}[2J".into(),
            owner: Some("5b10a2844c20165700ede21g".into()),
            due: Some("2026-12-31".into()),
            success_criteria: "no *bold* {code}".into(),
            category: "test gap".into(),
            link: Some("https://ci.example.com/p/41".into()),
            review_title: "checkout 1.4.2".into(),
        }
    }

    #[test]
    fn cloud_creates_carry_adf_an_account_id_and_both_labels() {
        let v = serde_json::to_value(create(Flavor::Cloud, "OPS", "Task", &item())).expect("json");
        let f = &v["fields"];
        assert_eq!(f["project"], json!({"key": "OPS"}));
        assert_eq!(f["issuetype"], json!({"name": "Task"}));
        assert_eq!(f["summary"], json!("Add a canary gate\u{241b}[2J"));
        assert_eq!(f["labels"], json!(["flightdeck", "flightdeck-3f9c"]));
        assert_eq!(f["duedate"], json!("2026-12-31"));
        assert_eq!(
            f["assignee"],
            json!({"accountId": "5b10a2844c20165700ede21g"})
        );
        assert_eq!(f["description"]["type"], json!("doc"));
        assert_eq!(f["description"]["version"], json!(1));
        let text = f["description"].to_string();
        assert!(text.contains("https://ci.example.com/p/41"), "{text}");
        assert!(
            text.contains("no *bold* {code}"),
            "ADF keeps text as text: {text}"
        );
    }

    #[test]
    fn data_center_creates_carry_escaped_wiki_text_and_a_user_name() {
        let mut it = item();
        it.owner = Some("jsmith".into());
        let v = serde_json::to_value(create(Flavor::DataCenter, "OPS", "Task", &it)).expect("json");
        let f = &v["fields"];
        assert_eq!(f["assignee"], json!({"name": "jsmith"}));
        let d = f["description"].as_str().expect("a wiki string");
        assert!(
            d.contains("* *Success criteria:* no \\*bold\\* \\{code\\}"),
            "{d}"
        );
        assert!(
            d.contains("* *Deployment:* [https://ci.example.com/p/41]"),
            "{d}"
        );
        assert!(!d.contains('\u{1b}'), "{d}");
    }

    #[test]
    fn summaries_are_one_line_within_jiras_limit() {
        let s = summary(&format!("{}\nsecond", "x".repeat(300)));
        assert_eq!(s.chars().count(), SUMMARY_CHARS);
        assert!(s.ends_with('…'));
        assert!(!s.contains('\n'));
        let mut it = item();
        it.owner = None;
        it.due = None;
        it.link = Some("javascript:alert(1)".into());
        let v = serde_json::to_value(create(Flavor::Cloud, "OPS", "Task", &it)).expect("json");
        assert!(v["fields"].get("assignee").is_none());
        assert!(v["fields"].get("duedate").is_none());
        assert!(!v.to_string().contains("javascript:"), "{v}");
    }
}
