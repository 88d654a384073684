//! One query for many services: when services share a query template whose only
//! per-service part is a `LABEL="{{service}}"` matcher and whose every selector sits
//! inside an aggregation, the template is asked once with `LABEL=~"a|b|…"` and every
//! aggregation grouped `by (LABEL)`, and the answer is split by that label. Each
//! service's series is then exactly what its own query would have answered, so the
//! number of requests per refresh does not grow with the number of services.
//!
//! Anything the scanner below does not understand keeps the per-service queries:
//! grouping is an optimisation that must never change an answer.

use crate::config::SERVICE_PLACEHOLDER;

/// Aggregations that take `by (…)` and keep one series per group.
const AGGREGATIONS: [&str; 8] = [
    "sum", "avg", "min", "max", "count", "group", "stddev", "stdvar",
];

/// Words whose presence makes a template ungroupable: they change, match on or drop
/// labels in ways a textual `by (LABEL)` cannot follow.
const UNGROUPABLE: [&str; 20] = [
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "topk",
    "bottomk",
    "limitk",
    "limit_ratio",
    "quantile",
    "count_values",
    "label_replace",
    "label_join",
    "scalar",
    "vector",
    "absent",
    "absent_over_time",
    "or",
    "unless",
];

/// How a template (its window already rendered, `{{service}}` still in it) can be
/// asked for several services at once: the label the placeholder matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grouping {
    pub label: String,
}

/// The grouping a template allows, or `None` when it must be asked per service.
pub fn grouping(template: &str) -> Option<Grouping> {
    let label = service_label(template)?;
    scan(template, &label).then_some(Grouping { label })
}

/// Whether a service name can stand in a regex alternation: letters, digits, `_`, `-`,
/// and the `/`, `:` and `.` of handler paths and dotted names (a dot is escaped by
/// [`alternative`]). Names with other regex or PromQL-string metacharacters keep their
/// own query.
pub fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/' | ':' | '.'))
}

/// A [`plain_name`] as one alternative of a PromQL regex string: a dot matches only
/// itself (`\\.` in the string is `\.` in the regex).
fn alternative(name: &str) -> String {
    name.replace('.', "\\\\.")
}

/// The grouped query for `services` (each a [`plain_name`]).
pub fn grouped_query(template: &str, grouping: &Grouping, services: &[&str]) -> String {
    let label = &grouping.label;
    let mut out = String::with_capacity(template.len() + services.len() * 16);
    let mut copied = 0;
    for site in aggregation_sites(template) {
        match site {
            // `sum(` → `sum by (LABEL) (`.
            Site::Bare { after_name } => {
                out.push_str(&template[copied..after_name]);
                out.push_str(&format!(" by ({label}) "));
                copied = after_name;
            }
            // `sum by (le) (` → `sum by (le, LABEL) (`.
            Site::ByList { close, labels } => {
                out.push_str(&template[copied..close]);
                if !labels.split(',').any(|l| l.trim() == label) {
                    if labels.trim().is_empty() {
                        out.push_str(label);
                    } else {
                        out.push_str(&format!(", {label}"));
                    }
                }
                copied = close;
            }
        }
    }
    out.push_str(&template[copied..]);
    let exact = format!("{label}=\"{SERVICE_PLACEHOLDER}\"");
    let alternatives: Vec<String> = services.iter().map(|s| alternative(s)).collect();
    let any = format!("{label}=~\"{}\"", alternatives.join("|"));
    squash_matchers(&out, label).replace(&exact, &any)
}

/// Where an aggregation's grouping is written.
#[derive(Debug, PartialEq)]
enum Site {
    /// `sum (`: the offset just past the name.
    Bare { after_name: usize },
    /// `sum by (labels) (`: the offset of the list's `)` and the list itself.
    ByList { close: usize, labels: String },
}

/// Every aggregation of the template, in order (strings and matchers skipped).
fn aggregation_sites(text: &str) -> Vec<Site> {
    let mut sites = Vec::new();
    let mut tokens = Tokens::new(text);
    while let Some(tok) = tokens.next() {
        let Token::Word(range) = tok else { continue };
        if !AGGREGATIONS.contains(&&text[range.clone()]) {
            continue;
        }
        match tokens.peek_char() {
            Some('(') => sites.push(Site::Bare {
                after_name: range.end,
            }),
            Some('b') => {
                if let Some((close, labels)) = tokens.by_list() {
                    sites.push(Site::ByList { close, labels });
                }
            }
            _ => {}
        }
    }
    sites
}

/// The matcher spelled without spaces (`service = "{{service}}"` → `service="{{service}}"`)
/// so that one replacement finds every occurrence.
fn squash_matchers(text: &str, label: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(SERVICE_PLACEHOLDER) {
        let (head, tail) = rest.split_at(i);
        let head = head.trim_end_matches('"').trim_end();
        let head = head.strip_suffix('=').unwrap_or(head).trim_end();
        let head = head.strip_suffix(label).unwrap_or(head);
        out.push_str(head);
        out.push_str(label);
        out.push_str("=\"");
        out.push_str(SERVICE_PLACEHOLDER);
        rest = &tail[SERVICE_PLACEHOLDER.len()..];
    }
    out.push_str(rest);
    out
}

/// The label every `{{service}}` is the exact-match value of; `None` when the
/// placeholder appears anywhere else or under two labels.
fn service_label(template: &str) -> Option<String> {
    let mut label: Option<String> = None;
    let mut rest = template;
    let mut found = false;
    while let Some(i) = rest.find(SERVICE_PLACEHOLDER) {
        let head = &rest[..i];
        let tail = &rest[i + SERVICE_PLACEHOLDER.len()..];
        if !tail.starts_with('"') {
            return None;
        }
        let head = head.strip_suffix('"')?.trim_end();
        let head = head.strip_suffix('=')?;
        // `!=`, `=~` and `!~` are not exact matches.
        if head.ends_with(['!', '=', '~']) {
            return None;
        }
        let head = head.trim_end();
        let start = head
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |p| p + 1);
        let name = &head[start..];
        let before = head[..start].trim_end();
        if name.is_empty() || !(before.ends_with('{') || before.ends_with(',')) {
            return None;
        }
        match &label {
            Some(l) if l != name => return None,
            Some(_) => {}
            None => label = Some(name.to_string()),
        }
        found = true;
        rest = tail;
    }
    found.then_some(label).flatten()
}

/// True when every selector of the template sits inside an aggregation, every one
/// carries the service matcher, and nothing ungroupable appears.
fn scan(text: &str, label: &str) -> bool {
    // One entry per open parenthesis: whether it opened an aggregation's argument.
    let mut parens: Vec<bool> = Vec::new();
    let mut tokens = Tokens::new(text);
    let mut pending_aggregation = false;
    let mut aggregations = 0;
    while let Some(tok) = tokens.next() {
        match tok {
            Token::Word(range) => {
                let word = &text[range];
                if UNGROUPABLE.contains(&word) {
                    return false;
                }
                let next = tokens.peek_char();
                if AGGREGATIONS.contains(&word) && next == Some('b') {
                    // `sum by (le) (`: the list is consumed here, so a `by` met later
                    // is a trailing one (`sum(x) by (le)`), which is refused above.
                    if tokens.by_list().is_none() || tokens.peek_char() != Some('(') {
                        return false;
                    }
                    pending_aggregation = true;
                    aggregations += 1;
                } else if AGGREGATIONS.contains(&word) && next == Some('(') {
                    pending_aggregation = true;
                    aggregations += 1;
                } else if next == Some('(') || is_keyword(word) {
                    // A function call, or `bool`/`offset`/`inf`/`nan`.
                } else {
                    // A metric name: a selector, which must carry its matchers here.
                    if next != Some('{') || !inside_aggregation(&parens) {
                        return false;
                    }
                }
            }
            Token::Open => {
                parens.push(pending_aggregation);
                pending_aggregation = false;
            }
            Token::Close => {
                if parens.pop().is_none() {
                    return false;
                }
            }
            Token::Matchers(range) => {
                let matchers = &text[range];
                if !inside_aggregation(&parens)
                    || !matchers.contains(SERVICE_PLACEHOLDER)
                    || !matchers.contains(label)
                {
                    return false;
                }
            }
            Token::Other => {}
        }
    }
    aggregations > 0 && parens.is_empty()
}

fn inside_aggregation(parens: &[bool]) -> bool {
    parens.iter().any(|&aggregation| aggregation)
}

fn is_keyword(word: &str) -> bool {
    matches!(
        word.to_ascii_lowercase().as_str(),
        "bool" | "offset" | "inf" | "nan" | "and"
    ) || word.starts_with(|c: char| c.is_ascii_digit())
}

#[derive(Debug)]
enum Token {
    /// An identifier (metric, function, keyword) or a number.
    Word(std::ops::Range<usize>),
    Open,
    Close,
    /// A `{…}` block, braces included.
    Matchers(std::ops::Range<usize>),
    /// Operators, commas, ranges `[…]`, strings outside matchers.
    Other,
}

/// A small PromQL tokenizer: enough to tell selectors, calls and parentheses apart.
struct Tokens<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str) -> Self {
        Tokens { text, at: 0 }
    }

    /// The next character that is not white space.
    fn peek_char(&self) -> Option<char> {
        self.text[self.at..].chars().find(|c| !c.is_whitespace())
    }

    /// Skips past the closing `close`, stepping over quoted strings.
    fn skip_to(&mut self, close: char) {
        let bytes = self.text.as_bytes();
        while self.at < bytes.len() {
            let c = bytes[self.at] as char;
            self.at += 1;
            if c == close {
                return;
            }
            if c == '"' || c == '\'' || c == '`' {
                self.skip_string(c);
            }
        }
    }

    /// At `by (a, b)`: consumes it and returns the offset of its `)` and the list.
    fn by_list(&mut self) -> Option<(usize, String)> {
        let rest = &self.text[self.at..];
        let after_by = rest.trim_start().strip_prefix("by")?;
        if after_by.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        let list = after_by.trim_start().strip_prefix('(')?;
        let close = list.find(')')?;
        let labels = &list[..close];
        if !labels
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ',' || c.is_whitespace())
        {
            return None;
        }
        let consumed = rest.len() - list.len() + close;
        self.at += consumed + 1;
        Some((self.at - 1, labels.to_string()))
    }

    fn skip_string(&mut self, quote: char) {
        let bytes = self.text.as_bytes();
        while self.at < bytes.len() {
            let c = bytes[self.at] as char;
            self.at += 1;
            if c == '\\' && quote != '`' {
                self.at += 1;
            } else if c == quote {
                return;
            }
        }
    }
}

impl Iterator for Tokens<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let rest = &self.text[self.at..];
        let skipped = rest.len() - rest.trim_start().len();
        self.at += skipped;
        let c = self.text[self.at..].chars().next()?;
        let start = self.at;
        if c.is_ascii_alphanumeric() || c == '_' || c == ':' || c == '.' {
            let len = self.text[start..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':' || c == '.'))
                .unwrap_or(self.text.len() - start);
            self.at += len;
            return Some(Token::Word(start..self.at));
        }
        self.at += c.len_utf8();
        Some(match c {
            '(' => Token::Open,
            ')' => Token::Close,
            '{' => {
                self.skip_to('}');
                Token::Matchers(start..self.at)
            }
            '[' => {
                self.skip_to(']');
                Token::Other
            }
            '"' | '\'' | '`' => {
                self.skip_string(c);
                Token::Other
            }
            _ => Token::Other,
        })
    }
}

#[cfg(test)]
#[path = "grouped_tests.rs"]
mod tests;
