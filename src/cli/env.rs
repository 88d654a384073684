//! What the environment says about the terminal: colour and character set.

/// True when the user asked for no colour: `NO_COLOR` set to anything non-empty
/// (no-color.org), or a terminal that cannot do colour.
pub fn no_color_requested(get: impl Fn(&str) -> Option<String>) -> bool {
    let set = |k: &str| get(k).is_some_and(|v| !v.is_empty());
    set("NO_COLOR") || get("TERM").is_some_and(|t| t == "dumb")
}

/// True when the locale's character set is UTF-8, by the POSIX precedence
/// LC_ALL > LC_CTYPE > LANG. Unset means the "C" locale: not UTF-8.
pub fn locale_is_utf8(get: impl Fn(&str) -> Option<String>) -> bool {
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .filter_map(|k| get(k))
        .find(|v| !v.is_empty());
    match locale {
        Some(v) => {
            let v = v.to_ascii_lowercase();
            v.contains("utf-8") || v.contains("utf8")
        }
        None => false,
    }
}

/// Reads a variable from the process environment.
pub fn process_env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn locale_precedence() {
        assert!(locale_is_utf8(env(&[("LANG", "en_US.UTF-8")])));
        assert!(!locale_is_utf8(env(&[("LANG", "C")])));
        assert!(!locale_is_utf8(env(&[
            ("LC_ALL", "C"),
            ("LANG", "en_US.UTF-8")
        ])));
        assert!(locale_is_utf8(env(&[
            ("LC_CTYPE", "de_DE.utf8"),
            ("LANG", "C")
        ])));
        assert!(locale_is_utf8(env(&[("LC_ALL", ""), ("LANG", "C.UTF-8")])));
        assert!(!locale_is_utf8(env(&[])));
    }

    #[test]
    fn no_color_rules() {
        assert!(no_color_requested(env(&[("NO_COLOR", "1")])));
        assert!(!no_color_requested(env(&[("NO_COLOR", "")])));
        assert!(no_color_requested(env(&[("TERM", "dumb")])));
        assert!(!no_color_requested(env(&[("TERM", "xterm-256color")])));
    }
}
