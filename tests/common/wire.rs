//! The HTTP/1.1 bits the in-process fakes (GitLab, Jira) share: writing one answer
//! and reading a query string. Each fake decides what to answer; this only puts it
//! on the wire.

use std::collections::HashMap;
use std::io::Write;
use std::net::TcpStream;

use super::decode;

/// Writes a whole answer (status line, headers, body) and closes the exchange.
pub fn write_answer(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        201 => "Created",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        _ => "X",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}

/// `a=1&b=x%20y` → {a: 1, b: "x y"}.
pub fn query_map(query: &str) -> HashMap<String, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}
