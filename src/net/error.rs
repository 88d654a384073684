//! HTTP failures in words a user can act on. No message holds a URL or a secret:
//! reqwest errors are stripped of their URL and bodies are quoted only briefly and
//! sanitized.

use crate::event::{SourceError, SourceErrorKind};
use crate::model::outside::{redact_secrets, REDACTED};
use crate::model::sanitize::sanitize_line;

/// Longest piece of a server's error text that is quoted in a message.
const QUOTE_CHARS: usize = 200;

pub fn error(kind: SourceErrorKind, message: impl AsRef<str>) -> SourceError {
    SourceError::new(kind, message)
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
            " (the server did not answer in time; check the timeouts and the server's load)"
        }
        SourceErrorKind::Network => {
            " (check the url, that the server runs, and the network or proxy in between)"
        }
        _ => "",
    };
    error(kind, format!("{}{hint}", sanitize_line(&message)))
}

/// A short, sanitized quote of an error body: the `error` or `message` field of a
/// JSON body, else its first line. URLs are replaced by `<url>`, and `secrets` (the
/// credentials of the request) by `***`, so a server that echoes them leaks nothing.
pub fn quote_body(body: &[u8], secrets: &[&str]) -> String {
    let text = String::from_utf8_lossy(body);
    let from_json = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| {
            ["error", "message", "errorMessages"].iter().find_map(|k| {
                v.get(k)
                    .map(|f| f.as_str().map_or(f.to_string(), str::to_string))
            })
        });
    let raw = from_json.as_deref().unwrap_or(&text);
    let first_line = raw.trim().lines().next().unwrap_or("");
    let line = sanitize_line(&redact(first_line, secrets));
    truncate_chars(line.trim(), QUOTE_CHARS)
}

/// Replaces URLs by `<url>`, `secrets` by `***`, and every registered secret and
/// credential-looking word after `Bearer ` or `Basic ` by `***`
/// ([`redact_secrets`]).
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(secret, REDACTED);
    }
    let out = redact_secrets(&out);
    let mut result = String::with_capacity(out.len());
    let mut rest: &str = &out;
    loop {
        let lower = rest.to_ascii_lowercase();
        let Some(i) = ["http://", "https://"]
            .iter()
            .filter_map(|p| lower.find(p))
            .min()
        else {
            result.push_str(rest);
            break;
        };
        result.push_str(&rest[..i]);
        let after = &rest[i..];
        let end = after
            .find(|c: char| {
                c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')' | ',' | ';')
            })
            .unwrap_or(after.len());
        result.push_str("<url>");
        rest = &after[end..];
    }
    result
}

fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// What a final non-success status means for the user, with a short, redacted quote
/// of what the server said.
pub fn from_status(status: u16, body: &[u8], secrets: &[&str]) -> SourceError {
    let quote = quote_body(body, secrets);
    let said = if quote.is_empty() {
        String::new()
    } else {
        format!("; the server said: \"{quote}\"")
    };
    match status {
        401 | 403 => error(
            SourceErrorKind::Auth,
            format!("the server refused the request (HTTP {status}); check the token, its scopes and auth{said}"),
        ),
        404 => error(
            SourceErrorKind::Config,
            format!("not found (HTTP 404); check url and path_prefix{said}"),
        ),
        429 => error(
            SourceErrorKind::RateLimited,
            format!("HTTP 429 after retries; polling slows down{said}"),
        ),
        500..=599 => error(
            SourceErrorKind::Server,
            format!("the server failed (HTTP {status}){said}"),
        ),
        _ => error(
            SourceErrorKind::BadResponse,
            format!("unexpected answer (HTTP {status}){said}"),
        ),
    }
}

/// An HTML page where the API's JSON was expected: a login page (SSO) or a proxy's
/// own page. Named as such; only its `<title>` is quoted, redacted and short.
pub fn html_page(status: u16, body: &[u8], secrets: &[&str]) -> SourceError {
    let title = html_title(body)
        .map(|t| truncate_chars(&sanitize_line(&redact(&t, secrets)), 80))
        .filter(|t| !t.is_empty())
        .map_or(String::new(), |t| format!(" (titled \"{t}\")"));
    match status {
        200..=299 => error(
            SourceErrorKind::Auth,
            format!("the server answered with an HTML page{title} — probably a login page or a proxy in front of the API; check the token and url"),
        ),
        401 | 403 => error(
            SourceErrorKind::Auth,
            format!("the server refused the request (HTTP {status}) with an HTML page{title} — a login page or a proxy in front of the API; check the token and auth"),
        ),
        500..=599 => error(
            SourceErrorKind::Server,
            format!("HTTP {status} came as an HTML page{title} — a proxy's error page, the API behind it may be down"),
        ),
        _ => error(
            SourceErrorKind::BadResponse,
            format!("HTTP {status} came as an HTML page{title}, not the API's answer — a login page or a proxy in between; check url, path_prefix and auth"),
        ),
    }
}

/// The text of the first `<title>` element, whitespace collapsed.
fn html_title(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&body[..body.len().min(16 * 1024)]);
    let lower = text.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    Some(
        text[start..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_json_error_field_sanitized_and_short() {
        let body = br#"{"status":"error","errorType":"bad_data","error":"parse error\u001b[2J"}"#;
        assert_eq!(quote_body(body, &[]), "parse error\u{241b}[2J");
        let long = "x".repeat(500);
        assert_eq!(
            quote_body(long.as_bytes(), &[]).chars().count(),
            QUOTE_CHARS + 1
        );
        assert_eq!(quote_body(b"first line\nsecond line", &[]), "first line");
    }

    #[test]
    fn quotes_never_hold_urls_or_secrets() {
        let body = b"token s3cr3t-t0ken rejected; Authorization: Bearer abc.def.ghi; basic auth; see https://sso.example.com/login?next=/api (or http://10.0.0.1:9090/x)";
        let q = quote_body(body, &["s3cr3t-t0ken"]);
        assert_eq!(
            q,
            "token *** rejected; Authorization: Bearer ***; basic auth; see <url> (or <url>)"
        );
    }

    #[test]
    fn statuses_map_to_kinds() {
        assert_eq!(from_status(401, b"", &[]).kind, SourceErrorKind::Auth);
        assert_eq!(from_status(403, b"", &[]).kind, SourceErrorKind::Auth);
        assert_eq!(from_status(503, b"", &[]).kind, SourceErrorKind::Server);
        assert_eq!(
            from_status(429, b"", &[]).kind,
            SourceErrorKind::RateLimited
        );
        assert_eq!(from_status(404, b"", &[]).kind, SourceErrorKind::Config);
    }

    #[test]
    fn html_pages_are_named_by_their_title_only() {
        let page = b"<!DOCTYPE html><html><head><TITLE>\n  Sign in to\n Example SSO </TITLE></head><body>secret form</body></html>";
        let e = html_page(400, page, &[]);
        assert_eq!(e.kind, SourceErrorKind::BadResponse);
        assert!(
            e.message
                .contains("HTTP 400 came as an HTML page (titled \"Sign in to Example SSO\")"),
            "{}",
            e.message
        );
        assert!(e.message.contains("login page or a proxy"), "{}", e.message);
        assert!(!e.message.contains("secret form"), "{}", e.message);
        assert_eq!(html_page(502, b"<html>", &[]).kind, SourceErrorKind::Server);
        assert_eq!(html_page(200, b"<html>", &[]).kind, SourceErrorKind::Auth);
    }
}
