//! How an HTTP outcome becomes a [`TrackerError`] for the outbox: the one question it
//! asks is whether a failed write could have landed (DESIGN §6). Shared by the Jira and
//! GitLab-issues trackers.

use crate::event::SourceErrorKind;
use crate::model::outside::OutsideText;
use crate::net::error::quote_body;
use crate::net::NetError;
use crate::review::tracker::{Landed, TrackerError};
use crate::sources::FetchError;

/// A write (create, comment) that failed in transport or with an error status.
/// Maybe landed: a timeout after sending, a reset, a 5xx. Surely not: a failed
/// connect, a 429 (retry after its hint), a 4xx or a login page (permanent: a human
/// must fix the token, the project or the field).
pub fn from_write(tracker: &str, error: NetError) -> TrackerError {
    if error.may_have_applied() {
        return TrackerError {
            landed: Landed::Maybe,
            message: said(tracker, &error.message),
            retry_after: error.retry_after,
            permanent: false,
        };
    }
    refused(tracker, error)
}

/// A read (the label search) that failed: nothing was written, so nothing landed.
pub fn from_read(tracker: &str, error: FetchError) -> TrackerError {
    refused(tracker, error)
}

fn refused(tracker: &str, error: FetchError) -> TrackerError {
    let permanent = matches!(
        error.kind,
        SourceErrorKind::Auth
            | SourceErrorKind::Config
            | SourceErrorKind::Query
            | SourceErrorKind::BadResponse
    );
    TrackerError {
        landed: Landed::No,
        message: said(tracker, &error.message),
        retry_after: error.retry_after,
        permanent,
    }
}

/// A 400/422 answer to a write: the tracker refused the request's content (a
/// required field, an unknown user, a bad date). Permanent, nothing landed; the
/// message quotes what the tracker said (Jira's `errorMessages` and `errors`,
/// GitLab's `message`).
pub fn rejected(tracker: &str, status: u16, body: &[u8], secrets: &[&str]) -> TrackerError {
    TrackerError {
        landed: Landed::No,
        message: said(
            tracker,
            &format!(
                "refused (HTTP {status}): {}",
                error_collection(body).unwrap_or_else(|| quote_body(body, secrets))
            ),
        ),
        retry_after: None,
        permanent: true,
    }
}

/// A success whose answer could not be read: the write landed, but its key is unknown,
/// so the outbox searches for the label.
pub fn unreadable_success(tracker: &str, detail: &str) -> TrackerError {
    TrackerError {
        landed: Landed::Maybe,
        message: said(
            tracker,
            &format!("the answer to a successful write could not be read ({detail})"),
        ),
        retry_after: None,
        permanent: false,
    }
}

fn said(tracker: &str, message: &str) -> OutsideText {
    OutsideText::line(&format!("{tracker}: {message}"))
}

/// Jira's `ErrorCollection`: `{"errorMessages": [...], "errors": {"field": "msg"}}`,
/// as `msg; field: msg`. GitLab's `{"message": {"field": ["msg"]}}` also reads.
pub fn error_collection(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let mut parts: Vec<String> = Vec::new();
    if let Some(list) = v.get("errorMessages").and_then(|m| m.as_array()) {
        parts.extend(list.iter().filter_map(|m| m.as_str()).map(str::to_string));
    }
    for key in ["errors", "message"] {
        if let Some(map) = v.get(key).and_then(|m| m.as_object()) {
            for (field, msg) in map {
                let msg = match msg {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Array(a) => a
                        .iter()
                        .filter_map(|m| m.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => other.to_string(),
                };
                parts.push(format!("{field}: {msg}"));
            }
        }
    }
    if let Some(m) = v.get("message").and_then(|m| m.as_str()) {
        parts.push(m.to_string());
    }
    let text = parts.join("; ");
    (!text.trim().is_empty()).then(|| crate::net::error::redact(&text, &[]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::SourceError;

    fn failure(kind: SourceErrorKind, maybe_landed: bool) -> NetError {
        use crate::net::Delivery;
        NetError::new(SourceError::new(kind, "x")).with_delivery(if maybe_landed {
            Delivery::MaybeApplied
        } else {
            Delivery::NotApplied
        })
    }

    #[test]
    fn only_what_may_have_reached_the_server_is_maybe_landed() {
        let e = from_write("jira", failure(SourceErrorKind::Timeout, true));
        assert_eq!((e.landed, e.permanent), (Landed::Maybe, false));
        let e = from_write("jira", failure(SourceErrorKind::Network, false));
        assert_eq!((e.landed, e.permanent), (Landed::No, false));
        let e = from_write("jira", failure(SourceErrorKind::Auth, false));
        assert_eq!((e.landed, e.permanent), (Landed::No, true));
        let mut limited = failure(SourceErrorKind::RateLimited, false);
        limited.retry_after = Some(std::time::Duration::from_secs(7));
        let e = from_write("jira", limited);
        assert_eq!(
            (e.landed, e.permanent, e.retry_after),
            (Landed::No, false, Some(std::time::Duration::from_secs(7)))
        );
    }

    #[test]
    fn jira_error_collections_are_quoted_field_by_field() {
        let body = br#"{"errorMessages":["Issue type is required"],"errors":{"customfield_1":"Team is required."},"status":400}"#;
        let e = rejected("jira", 400, body, &[]);
        assert_eq!(
            e.message,
            "jira: refused (HTTP 400): Issue type is required; customfield_1: Team is required."
        );
        assert_eq!((e.landed, e.permanent), (Landed::No, true));
        let gitlab = br#"{"message":{"title":["can't be blank"]}}"#;
        assert_eq!(
            error_collection(gitlab).as_deref(),
            Some("title: can't be blank")
        );
    }
}
