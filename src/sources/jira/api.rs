//! Jira REST answers, shaped as the official spec (Cloud v3) and the DC v2 docs give
//! them. Every string that may be shown is [`OutsideText`] (made safe as it is parsed)
//! and every field is optional: a record that lacks what the model needs is rejected
//! with a reason, not lost with its page.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::outside::OutsideText;

/// `GET /rest/api/{2,3}/serverInfo` (`ServerInfo`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ServerInfo {
    /// `Cloud`, `Server` or `DataCenter` (absent on old servers).
    pub deployment_type: Option<OutsideText>,
    pub version: Option<OutsideText>,
    pub server_title: Option<OutsideText>,
}

/// A page of `POST /rest/api/3/search/jql` (`SearchAndReconcileResults`): no
/// `total`, no `startAt`; `nextPageToken` is absent on the last page.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenPage<T> {
    #[serde(default)]
    pub is_last: Option<bool>,
    #[serde(default = "Vec::new")]
    pub issues: Vec<T>,
    /// An opaque cursor, only ever sent back verbatim and never shown, so it is kept
    /// as it came (sanitizing or cutting it would break paging); its length is
    /// checked before use.
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// A page of `GET /rest/api/2/search` (Data Center).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OffsetPage<T> {
    #[serde(default)]
    pub start_at: Option<u64>,
    #[serde(default)]
    pub max_results: Option<u64>,
    #[serde(default)]
    pub total: Option<u64>,
    #[serde(default = "Vec::new")]
    pub issues: Vec<T>,
}

/// An issue (`IssueBean`) with the fields asked for.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApiIssue {
    pub id: Option<OutsideText>,
    pub key: Option<OutsideText>,
    pub fields: ApiFields,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApiFields {
    pub summary: Option<OutsideText>,
    /// `2026-03-01T12:00:00.000+0000`.
    pub created: Option<OutsideText>,
    pub resolutiondate: Option<OutsideText>,
    pub priority: Option<Named>,
    pub labels: Vec<OutsideText>,
    /// Configured fields (severity, deployment link), read through [`field_text`].
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

/// `{"name": …}` (priority, issue type, status).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Named {
    pub id: Option<OutsideText>,
    pub name: Option<OutsideText>,
}

/// `POST /rest/api/N/issue` 201 (`CreatedIssue`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CreatedIssue {
    pub id: Option<OutsideText>,
    pub key: Option<OutsideText>,
}

/// `GET /rest/api/N/myself` (what `doctor` shows of it).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Myself {
    pub account_id: Option<OutsideText>,
    pub name: Option<OutsideText>,
    pub display_name: Option<OutsideText>,
}

/// `GET /rest/api/N/project/{key}` with its issue types.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Project {
    pub key: Option<OutsideText>,
    pub name: Option<OutsideText>,
    pub issue_types: Vec<Named>,
}

/// The text of a configured field's value, whatever shape the field has: a string,
/// a number, an option (`{"value": …}`), a user or priority (`{"name": …}`,
/// `{"displayName": …}`), or a list of those (its first). Made safe like every
/// outside string.
pub fn field_text(value: &serde_json::Value) -> Option<OutsideText> {
    use serde_json::Value;
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Object(o) => {
            return ["value", "name", "displayName", "key"]
                .iter()
                .find_map(|k| o.get(*k).and_then(field_text))
        }
        Value::Array(a) => return a.iter().find_map(field_text),
        Value::Null | Value::Bool(_) => return None,
    };
    let text = OutsideText::line(&text);
    (!text.trim().is_empty()).then_some(text)
}

/// Jira's timestamps (`2026-03-01T12:00:00.000+0000`, an offset without a colon) and
/// RFC 3339.
pub fn time(raw: &str) -> Result<crate::model::Ts, String> {
    let raw = raw.trim();
    chrono::DateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| chrono::DateTime::parse_from_rfc3339(raw))
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| format!("{raw:?} is not a timestamp"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn jira_timestamps_parse_with_and_without_a_colon_in_the_offset() {
        let a = time("2026-03-01T13:00:00.000+0100").expect("jira form");
        let b = time("2026-03-01T12:00:00Z").expect("rfc 3339");
        assert_eq!(a, b);
        assert!(time("yesterday").is_err());
    }

    #[test]
    fn field_text_reads_each_shape_of_field() {
        assert_eq!(field_text(&json!("SEV-1")).as_deref(), Some("SEV-1"));
        assert_eq!(
            field_text(&json!({"value": "High", "id": "1"})).as_deref(),
            Some("High")
        );
        assert_eq!(field_text(&json!([{"name": "P1"}])).as_deref(), Some("P1"));
        assert_eq!(field_text(&json!(42)).as_deref(), Some("42"));
        assert_eq!(field_text(&json!(null)), None);
        assert_eq!(field_text(&json!("  ")), None);
        assert_eq!(
            field_text(&json!("\u{1b}]0;x\u{7}sev"))
                .as_deref()
                .map(|s| s.contains('\u{1b}')),
            Some(false)
        );
    }
}
