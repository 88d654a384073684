//! The report in plain ASCII (`--ascii`, or a locale that is not UTF-8), for the jump
//! host whose terminal would show the markdown's arrows and signs as mojibake: the
//! report's own symbols get ASCII spellings, and any other non-ASCII character (a name
//! or a title from an API) becomes `?`, as the terminal would otherwise garble it.

/// The report's own symbols and their ASCII spellings.
const SPELLINGS: [(char, &str); 17] = [
    ('↑', "^"),
    ('↓', "v"),
    ('→', "->"),
    ('×', "x"),
    ('—', "--"),
    ('–', "-"),
    ('−', "-"),
    ('σ', "sigma"),
    ('≥', ">="),
    ('≤', "<="),
    ('…', "..."),
    ('·', "*"),
    ('±', "+/-"),
    ('√', "sqrt"),
    // X̄ and p̄ are a letter and a combining macron: "X-bar".
    ('\u{0304}', "-bar"),
    ('’', "'"),
    ('“', "\""),
];

/// `text` with every character ASCII.
pub fn to_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else if let Some((_, s)) = SPELLINGS.iter().find(|(k, _)| *k == c) {
            out.push_str(s);
        } else if c == '”' {
            out.push('"');
        } else {
            out.push('?');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::to_ascii;

    #[test]
    fn symbols_are_spelled_and_the_rest_is_replaced() {
        assert_eq!(
            to_ascii("↑ better — 17.3× over 1h → X̄ ± 3σ, ≥ 14.4"),
            "^ better -- 17.3x over 1h -> X-bar +/- 3sigma, >= 14.4"
        );
        assert_eq!(to_ascii("deployed by Zoë 李"), "deployed by Zo? ?");
        assert!(to_ascii("“quoted” … ’").is_ascii());
    }
}
