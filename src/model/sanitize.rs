//! Sanitizing of every string that comes from an API, applied once where it enters the
//! model. A commit message or incident title must never be able to move the cursor,
//! set the terminal title, write the clipboard (OSC 52) or reorder text (bidi).
//!
//! C0 controls become their Unicode "control pictures" (ESC → `␛`), DEL becomes `␡`,
//! C1 controls (including the 8-bit CSI 0x9B and OSC 0x9D) and bidi overrides and
//! isolates become `�`. A tab becomes a space. The result holds no character that a
//! terminal interprets.

/// Returns `s` with every terminal-interpreted character replaced by a visible one.
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' => out.push(' '),
            '\u{0}'..='\u{1f}' => {
                // U+2400 + code is the control picture of each C0 control.
                out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'));
            }
            '\u{7f}' => out.push('\u{2421}'),
            '\u{80}'..='\u{9f}' => out.push('\u{fffd}'),
            c if is_bidi_control(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Like [`sanitize`], for a one-line field: keeps only the first line of `s`.
pub fn sanitize_line(s: &str) -> String {
    sanitize(s.lines().next().unwrap_or(""))
}

/// Bidi embeddings, overrides, isolates and marks that can visually reorder text
/// (the "Trojan Source" characters) plus zero-width joiners used for spoofing.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}'
    )
}

/// True when `s` holds nothing a terminal would interpret (used by tests and debug
/// assertions on the model).
pub fn is_clean(s: &str) -> bool {
    // Printable ASCII (most of what APIs send) needs no decoding to tell.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return true;
    }
    !s.chars()
        .any(|c| c.is_control() && c != ' ' || is_bidi_control(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escape_sequences_are_defused() {
        let evil = "fix\x1b]0;pwned\x07 \x1b]52;c;ZXZpbA==\x07\x1b[2J\u{9b}31m\u{9d}x";
        let clean = sanitize(evil);
        assert!(!clean.contains('\x1b'));
        assert!(!clean.contains('\x07'));
        assert!(!clean.contains('\u{9b}'));
        assert!(!clean.contains('\u{9d}'));
        assert!(clean.starts_with("fix␛]0;pwned␇"));
    }

    #[test]
    fn bidi_overrides_are_replaced() {
        assert_eq!(sanitize("a\u{202e}b\u{2066}c"), "a\u{fffd}b\u{fffd}c");
    }

    #[test]
    fn ordinary_text_is_kept() {
        assert_eq!(sanitize("Fix naïve café — 日本"), "Fix naïve café — 日本");
        assert_eq!(sanitize("a\tb"), "a b");
        assert_eq!(sanitize_line("title\nbody\x1b"), "title");
    }

    proptest! {
        #[test]
        fn output_is_always_clean(s in any::<String>()) {
            prop_assert!(is_clean(&sanitize(&s)));
        }
    }
}
