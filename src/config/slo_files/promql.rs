//! The queries of SLO files as flightdeck's templates: Sloth's Go-template window
//! `{{.window}}` becomes `{{window}}`; an OpenSLO counter query without one is put over
//! the window only where that is unambiguous (a bare selector, or `sum(selector)`).

use crate::config::WINDOW_PLACEHOLDER;

/// `query` with every `{{.window}}` (spaces allowed, as Go templates allow them) as
/// `{{window}}`. `Ok(None)` when it names no window; an error for any other template
/// variable, which flightdeck has no value for.
pub fn with_window(query: &str) -> Result<Option<String>, String> {
    let mut out = String::with_capacity(query.len());
    let mut rest = query;
    let mut windowed = false;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            return Err("an unclosed `{{` template".into());
        };
        match after[..close].trim() {
            ".window" | "window" => {
                out.push_str(WINDOW_PLACEHOLDER);
                windowed = true;
            }
            other => {
                return Err(format!(
                    "the template variable `{{{{{other}}}}}`, which flightdeck has no value for \
                     (it knows `{{{{.window}}}}`)"
                ))
            }
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(windowed.then_some(out))
}

/// An OpenSLO Prometheus query as a windowed rate: as written when it names the
/// window; for a counter, a bare selector `m{...}` or `sum(m{...})` becomes
/// `sum(rate(m{...}[{{window}}]))`. Anything else cannot be put over a window without
/// guessing, so it is refused with the reason.
pub fn openslo_query(query: &str, counter: bool) -> Result<String, String> {
    if let Some(q) = with_window(query)? {
        return Ok(q);
    }
    let q = query.trim();
    let inner = q
        .strip_prefix("sum(")
        .and_then(|s| s.strip_suffix(')'))
        .map(str::trim)
        .unwrap_or(q);
    if !counter {
        return Err(
            "a query with no `{{.window}}` that is not a counter (counter: false): \
             flightdeck cannot put it over a window"
                .into(),
        );
    }
    if !is_selector(inner) {
        return Err(
            "a counter query flightdeck cannot put over a window (it does so only for \
             `metric{...}` or `sum(metric{...})`); write it with `[{{.window}}]`"
                .into(),
        );
    }
    Ok(format!("sum(rate({inner}[{WINDOW_PLACEHOLDER}]))"))
}

/// A plain vector selector: a metric name with optional `{label matchers}`, or only
/// matchers; nothing that a range `[...]` after it would change the meaning of.
fn is_selector(text: &str) -> bool {
    let (name, matchers) = match text.find('{') {
        Some(i) => (&text[..i], Some(&text[i..])),
        None => (text, None),
    };
    let name_ok = name.is_empty()
        || (name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'));
    let matchers_ok = match matchers {
        None => !name.is_empty(),
        Some(m) => m.ends_with('}') && closes_at_end(m),
    };
    name_ok && matchers_ok
}

/// True when the `{` opening `m` is closed by its last character (quotes respected).
fn closes_at_end(m: &str) -> bool {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in m.char_indices() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' || c == '`' => quote = Some(c),
            None if c == '}' => return i + 1 == m.len(),
            None if c == '{' && i > 0 => return false,
            None => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sloth_window_becomes_flightdecks() {
        assert_eq!(
            with_window("sum(rate(x[{{.window}}])) / sum(rate(y[{{ .window }}]))"),
            Ok(Some(
                "sum(rate(x[{{window}}])) / sum(rate(y[{{window}}]))".into()
            ))
        );
        assert_eq!(with_window("sum(rate(x[5m]))"), Ok(None));
        assert!(with_window("rate(x[{{.period}}])").is_err());
        assert!(with_window("rate(x[{{.window]))").is_err());
    }

    #[test]
    fn only_plain_counters_are_put_over_a_window() {
        let sel = r#"http_requests_total{code=~"2..",path="/a}b"}"#;
        let want = format!("sum(rate({sel}[{{{{window}}}}]))");
        assert_eq!(openslo_query(sel, true), Ok(want.clone()));
        assert_eq!(openslo_query(&format!("sum({sel})"), true), Ok(want));
        assert!(openslo_query(sel, false).is_err());
        for q in [
            "sum by (code) (x)",
            "rate(x[5m])",
            "x{a=\"1\"} / y",
            "x{a=\"1\"}{b=\"2\"}",
            "",
        ] {
            assert!(openslo_query(q, true).is_err(), "{q}");
        }
        assert_eq!(
            openslo_query("sum(increase(x[{{.window}}]))", false),
            Ok("sum(increase(x[{{window}}]))".into())
        );
    }
}
