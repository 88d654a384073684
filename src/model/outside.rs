//! [`OutsideText`]: the one type for text that came from outside the program — an API's
//! answer, a server's error or warning, a label value, a command's output, the cache.
//!
//! It is made safe when it is built, so no output path can forget to: every value is
//! redacted (every secret the program has read, and credential-looking words after
//! `Bearer ` / `Basic `), sanitized (nothing a terminal interprets: C0, C1, DEL, bidi
//! controls; see [`super::sanitize`]) and bounded (a 5,000-character warning is cut,
//! with `…`, never printed whole). `doctor`, the overlays, the report, the cache and
//! error messages take this type, not a bare `String`.
//!
//! The secrets come from [`register_secret`], which [`crate::net::secret::Secret`]
//! calls whenever a credential is read: a server that echoes a token back inside a
//! JSON `error` or `warnings` field cannot get it shown.

use std::borrow::Cow;
use std::sync::RwLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::sanitize::sanitize;

/// Longest [`OutsideText::line`], in characters (the cut adds `…`).
pub const LINE_CHARS: usize = 300;

/// How much of a raw input is looked at: a server may send megabytes, of which at
/// most [`LINE_CHARS`] are kept. Cut before redacting only this far out, so a secret
/// split by this cut is never within the kept part.
const RAW_SCAN_BYTES: usize = 64 * 1024;

/// Secrets shorter than this are not redacted: replacing every "ab" in every text would
/// garble it, and such a credential protects nothing anyway.
const MIN_SECRET_CHARS: usize = 4;

/// A word after `Bearer ` or `Basic ` this long is taken for a credential.
const MIN_CREDENTIAL_CHARS: usize = 8;

/// What replaces a secret.
pub const REDACTED: &str = "***";

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Adds a credential to the set every [`OutsideText`] is redacted of, for the life of
/// the process.
pub fn register_secret(secret: &str) {
    if secret.chars().count() < MIN_SECRET_CHARS {
        return;
    }
    let mut secrets = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    if !secrets.iter().any(|s| s == secret) {
        secrets.push(secret.to_string());
        // Longest first, so a secret that contains another is replaced whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }
}

/// `text` with every registered secret and every credential after `Bearer ` or
/// `Basic ` replaced by `***`. Returns the input unchanged (borrowed) when there is
/// nothing to replace.
pub fn redact_secrets(text: &str) -> Cow<'_, str> {
    let secrets = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    let mut out = Cow::Borrowed(text);
    for secret in secrets.iter() {
        if out.contains(secret.as_str()) {
            out = Cow::Owned(out.replace(secret.as_str(), REDACTED));
        }
    }
    drop(secrets);
    match redact_credential_words(&out) {
        Some(replaced) => Cow::Owned(replaced),
        None => out,
    }
}

/// Replaces a credential-looking word after `Bearer ` or `Basic ` (case-insensitive):
/// "Bearer eyJhbGciOi…" but not "basic auth". `None` when there is none.
fn redact_credential_words(text: &str) -> Option<String> {
    // Checked without allocating: most text holds neither word, and text without a
    // space (a time, a sha, a status, a URL: most fields an API sends) cannot.
    if !text.as_bytes().contains(&b' ')
        || !contains_ignore_case(text, "bearer ") && !contains_ignore_case(text, "basic ")
    {
        return None;
    }
    let mut result = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let lower = rest.to_ascii_lowercase();
        let next = ["bearer ", "basic "]
            .iter()
            .filter_map(|p| lower.find(p).map(|i| (i, p.len())))
            .min_by_key(|(i, _)| *i);
        let Some((i, prefix_len)) = next else {
            result.push_str(rest);
            return Some(result);
        };
        let after = &rest[i + prefix_len..];
        let end = after.find(is_word_end).unwrap_or(after.len());
        result.push_str(&rest[..i + prefix_len]);
        if after[..end].chars().count() >= MIN_CREDENTIAL_CHARS {
            result.push_str(REDACTED);
            rest = &after[end..];
        } else {
            rest = after;
        }
    }
}

fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    hay.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn is_word_end(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')' | ',' | ';' | '\\')
}

/// A whole document (a report, a frame, a `doctor` run) made safe to print: every
/// registered secret redacted and every line sanitized, line breaks kept. The sink of
/// every command that writes text, so a string that reached it by a path that forgot
/// [`OutsideText`] still cannot drive the terminal or leak a token.
pub fn printable(text: &str) -> Cow<'_, str> {
    let redacted = redact_secrets(text);
    if redacted
        .split('\n')
        .all(|l| super::sanitize::is_clean(l.strip_suffix('\r').unwrap_or(l)))
    {
        return redacted;
    }
    let lines: Vec<String> = redacted
        .split('\n')
        .map(super::sanitize::sanitize)
        .collect();
    Cow::Owned(lines.join("\n"))
}

/// Text from outside, redacted, sanitized and bounded. Derefs to `str`.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OutsideText(String);

impl OutsideText {
    /// One line of at most [`LINE_CHARS`] characters: line breaks become spaces.
    pub fn line(raw: &str) -> Self {
        Self::with_limit(raw, LINE_CHARS)
    }

    /// One line of at most `max_chars` characters (for a field with a tighter or a
    /// looser bound than a message, e.g. a version label or a `doctor` line).
    pub fn with_limit(raw: &str, max_chars: usize) -> Self {
        // The common case (a clean, short string and no secret in it) costs one pass.
        if raw.len() <= max_chars
            && super::sanitize::is_clean(raw)
            && matches!(redact_secrets(raw), Cow::Borrowed(_))
        {
            return OutsideText(raw.to_string());
        }
        let scanned = cut_bytes(raw, RAW_SCAN_BYTES.max(max_chars * 4));
        let redacted = redact_secrets(scanned);
        let one_line: Cow<'_, str> = if redacted.contains(['\n', '\r']) {
            Cow::Owned(
                redacted
                    .split(['\n', '\r'])
                    .filter(|l| !l.trim().is_empty())
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        } else {
            redacted
        };
        let clean = sanitize(&one_line);
        OutsideText(cut_chars(&clean, max_chars))
    }

    /// Appends `more` (made safe and bounded like the rest: the whole stays a line).
    pub fn push_str(&mut self, more: &str) {
        let mut joined = std::mem::take(&mut self.0);
        joined.push_str(more);
        *self = OutsideText::line(&joined);
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// At most `max` bytes of `s`, on a character boundary.
fn cut_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// At most `max` characters of `s`, the last of them `…` when something was cut.
fn cut_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some(_) if max == 0 => String::new(),
        Some(_) => {
            let keep = s.char_indices().nth(max - 1).map_or(s.len(), |(i, _)| i);
            format!("{}…", s[..keep].trim_end())
        }
        None => s.to_string(),
    }
}

/// Any string may become outside text: construction is what makes it safe.
impl From<&str> for OutsideText {
    fn from(raw: &str) -> Self {
        OutsideText::line(raw)
    }
}

impl From<String> for OutsideText {
    fn from(raw: String) -> Self {
        OutsideText::line(&raw)
    }
}

impl From<&String> for OutsideText {
    fn from(raw: &String) -> Self {
        OutsideText::line(raw)
    }
}

impl std::ops::Deref for OutsideText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for OutsideText {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for OutsideText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Debug for OutsideText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}

impl PartialEq<str> for OutsideText {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for OutsideText {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for OutsideText {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl Serialize for OutsideText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Whatever is parsed is outside text: a field of this type is made safe by parsing
/// it, from an API's JSON or from the cache alike.
impl<'de> Deserialize<'de> for OutsideText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Cow::<'de, str>::deserialize(d)?;
        Ok(OutsideText::line(&raw))
    }
}

/// Longest URL or query kept from outside (a field longer than a line).
pub const LONG_CHARS: usize = 2_000;

/// For `#[serde(deserialize_with)]` on a model's `String` field: what is parsed (from
/// the cache, or an API mapped straight into the model) is made safe as it is read.
pub fn de_line<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(OutsideText::deserialize(d)?.into_string())
}

/// [`de_line`] for a URL or a query: bounded at [`LONG_CHARS`].
pub fn de_long<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let raw = Cow::<'de, str>::deserialize(d)?;
    Ok(OutsideText::with_limit(&raw, LONG_CHARS).into_string())
}

/// [`de_line`] for an optional field (use with `#[serde(default)]`).
pub fn de_opt_line<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<OutsideText>::deserialize(d)?.map(OutsideText::into_string))
}

/// [`de_long`] for an optional field (use with `#[serde(default)]`).
pub fn de_opt_long<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let raw = Option::<Cow<'de, str>>::deserialize(d)?;
    Ok(raw.map(|r| OutsideText::with_limit(&r, LONG_CHARS).into_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::sanitize::is_clean;
    use proptest::prelude::*;

    #[test]
    fn registered_secrets_are_redacted_wherever_they_appear() {
        register_secret("outside-test-s3cr3t-token");
        let t = OutsideText::line("invalid token outside-test-s3cr3t-token\x1b[2J!");
        assert_eq!(t, "invalid token ***␛[2J!");
        // Too short to be redacted without garbling ordinary text.
        register_secret("ab");
        assert_eq!(OutsideText::line("tab"), "tab");
    }

    #[test]
    fn credentials_after_bearer_or_basic_are_redacted_but_not_words() {
        let t =
            OutsideText::line("Authorization: Bearer abc.def.ghi; basic auth; Basic dXNlcjpwYXNz");
        assert_eq!(t, "Authorization: Bearer ***; basic auth; Basic ***");
    }

    #[test]
    fn long_text_is_bounded_and_cut_visibly() {
        let t = OutsideText::line(&"w".repeat(5_000));
        assert_eq!(t.chars().count(), LINE_CHARS);
        assert!(t.ends_with('…'));
        let short = OutsideText::with_limit("version 2.42.0 (branch: HEAD)", 14);
        assert_eq!(short, "version 2.42.…");
        assert_eq!(OutsideText::line("fits"), "fits");
    }

    #[test]
    fn lines_are_joined_not_dropped() {
        assert_eq!(
            OutsideText::line("first\r\nsecond\n\nthird"),
            "first second third"
        );
    }

    #[test]
    fn parsing_makes_it_safe() {
        let t: OutsideText = serde_json::from_str(r#""a\u001b]0;x\u0007b\u009b""#).expect("parses");
        assert_eq!(t, "a␛]0;x␇b\u{fffd}");
        assert_eq!(
            serde_json::to_string(&t).expect("serializes"),
            "\"a␛]0;x␇b\u{fffd}\""
        );
    }

    #[test]
    fn model_records_read_back_from_the_cache_are_made_safe() {
        register_secret("cache-s3cret-value");
        let json = r#"{"key":"INC-1\u001b]0;x\u0007","service":"api",
            "title":"cache-s3cret-value \u202e","severity":"sev1",
            "created_at":"2026-01-01T00:00:00Z","resolved_at":null,
            "linked_deployment":"d\u009b1"}"#;
        let i: crate::model::Incident = serde_json::from_str(json).expect("an incident");
        assert_eq!(i.key, "INC-1␛]0;x␇");
        assert_eq!(i.title, "*** \u{fffd}");
        assert_eq!(i.linked_deployment.as_deref(), Some("d\u{fffd}1"));
        let missing: crate::model::Incident = serde_json::from_str(
            r#"{"key":"k","service":"s","title":"t","severity":"v","created_at":"2026-01-01T00:00:00Z","resolved_at":null}"#,
        )
        .expect("an optional field may be absent");
        assert_eq!(missing.linked_deployment, None);
    }

    #[test]
    fn printable_keeps_lines_and_defuses_the_rest() {
        register_secret("printable-t0ken-42");
        let doc = "# Report\n| a | b |\nbuild \x1b]0;x\x07 printable-t0ken-42\n";
        assert_eq!(printable(doc), "# Report\n| a | b |\nbuild ␛]0;x␇ ***\n");
        assert!(matches!(printable("plain\ntext"), Cow::Borrowed(_)));
    }

    proptest! {
        #[test]
        fn printable_output_is_clean_per_line(s in any::<String>()) {
            for line in printable(&s).split('\n') {
                prop_assert!(is_clean(line));
            }
        }

        #[test]
        fn always_clean_bounded_and_one_line(s in any::<String>(), max in 1usize..400) {
            let t = OutsideText::with_limit(&s, max);
            prop_assert!(is_clean(&t));
            prop_assert!(t.chars().count() <= max);
            prop_assert!(!t.contains('\n'));
        }

        #[test]
        fn a_registered_secret_never_survives(prefix in "[ -~]{0,40}", suffix in "[ -~]{0,40}") {
            register_secret("pr0p-secret-XYZ");
            let t = OutsideText::line(&format!("{prefix}pr0p-secret-XYZ{suffix}"));
            prop_assert!(!t.contains("pr0p-secret-XYZ"));
        }
    }
}
