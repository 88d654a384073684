//! HTTP failures in words a user can act on. No message holds a URL or a secret:
//! reqwest errors are stripped of their URL and bodies are quoted only briefly and
//! sanitized.

use crate::event::{SourceError, SourceErrorKind};
use crate::model::sanitize::sanitize_line;

/// Longest piece of a server's error text that is quoted in a message.
const QUOTE_CHARS: usize = 200;

pub fn error(kind: SourceErrorKind, message: impl Into<String>) -> SourceError {
    SourceError {
        kind,
        message: message.into(),
    }
}

/// Maps a transport error (connect, TLS, timeout, reset) to a source error.
pub fn from_reqwest(e: reqwest::Error) -> SourceError {
    let e = e.without_url();
    let kind = if e.is_timeout() {
        SourceErrorKind::Timeout
    } else if e.is_builder() {
        SourceErrorKind::Config
    } else {
        SourceErrorKind::Network
    };
    let mut message = e.to_string();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        let text = c.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        cause = c.source();
    }
    let hint = match kind {
        SourceErrorKind::Timeout => {
            " (the server did not answer in time; raise timeout_seconds or check the server's load)"
        }
        SourceErrorKind::Network => {
            " (check the url, that the server runs, and the network or proxy in between)"
        }
        _ => "",
    };
    error(kind, format!("{}{hint}", sanitize_line(&message)))
}

/// A short, sanitized quote of an error body: the `error` or `message` field of a
/// JSON body, else its first line.
pub fn quote_body(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let from_json = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| {
            ["error", "message", "errorMessages"].iter().find_map(|k| {
                v.get(k)
                    .map(|f| f.as_str().map_or(f.to_string(), str::to_string))
            })
        });
    let line = sanitize_line(from_json.as_deref().unwrap_or(&text).trim());
    truncate_chars(&line, QUOTE_CHARS)
}

fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// What a final non-success status means for the user.
pub fn from_status(status: u16, body: &[u8]) -> SourceError {
    let quote = quote_body(body);
    let said = if quote.is_empty() {
        String::new()
    } else {
        format!(": {quote}")
    };
    match status {
        401 | 403 => error(
            SourceErrorKind::Auth,
            format!("the server refused the credentials (HTTP {status}); check the token, its scopes and auth{said}"),
        ),
        404 => error(
            SourceErrorKind::Config,
            format!("not found (HTTP 404); check url and path_prefix{said}"),
        ),
        429 => error(
            SourceErrorKind::RateLimited,
            format!("rate limited (HTTP 429) after retries; polling slows down{said}"),
        ),
        500..=599 => error(
            SourceErrorKind::Server,
            format!("the server failed (HTTP {status}) after retries{said}"),
        ),
        _ => error(
            SourceErrorKind::BadResponse,
            format!("unexpected answer (HTTP {status}){said}"),
        ),
    }
}

pub fn html_page() -> SourceError {
    error(
        SourceErrorKind::Auth,
        "the server answered with an HTML page — probably a login page; check the token",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_json_error_field_sanitized_and_short() {
        let body = br#"{"status":"error","errorType":"bad_data","error":"parse error\u001b[2J"}"#;
        assert_eq!(quote_body(body), "parse error\u{241b}[2J");
        let long = "x".repeat(500);
        assert_eq!(quote_body(long.as_bytes()).chars().count(), QUOTE_CHARS + 1);
    }

    #[test]
    fn statuses_map_to_kinds() {
        assert_eq!(from_status(401, b"").kind, SourceErrorKind::Auth);
        assert_eq!(from_status(403, b"").kind, SourceErrorKind::Auth);
        assert_eq!(from_status(503, b"").kind, SourceErrorKind::Server);
        assert_eq!(from_status(429, b"").kind, SourceErrorKind::RateLimited);
        assert_eq!(from_status(404, b"").kind, SourceErrorKind::Config);
    }
}
