//! One line of text being typed: the editing model every review form field uses. Pure
//! (no drawing, no I/O): the cursor, left/right/home/end, backspace/delete, Ctrl-U
//! (to the start) and Ctrl-W (the word before the cursor), and paste with terminal
//! escapes and control characters taken out. The length bound is the field's (Jira's
//! summary takes 255 characters): typing past it is allowed and shown as too long, so
//! a paste is never cut silently; the form refuses to save it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Past this many characters input is dropped whatever the field's bound: a runaway
/// paste cannot grow the model without end.
pub const HARD_CAP: usize = 4_096;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    /// Cursor position in characters (0 = before the first).
    cursor: usize,
    /// The most characters the field accepts on save.
    pub limit: usize,
    /// Input was dropped at [`HARD_CAP`].
    pub capped: bool,
}

/// A line bounded only by [`HARD_CAP`].
impl Default for TextInput {
    fn default() -> Self {
        TextInput::new(HARD_CAP)
    }
}

impl TextInput {
    pub fn new(limit: usize) -> Self {
        TextInput {
            text: String::new(),
            cursor: 0,
            limit,
            capped: false,
        }
    }

    /// A field that starts with `text` (cleaned like a paste), the cursor at its end.
    pub fn with_text(limit: usize, text: &str) -> Self {
        let mut input = TextInput::new(limit);
        input.insert(text);
        input
    }

    pub fn text(&self) -> &str {
        &self.text
    }
    pub fn cursor(&self) -> usize {
        self.cursor
    }
    /// Length in characters.
    pub fn len(&self) -> usize {
        self.text.chars().count()
    }
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
    /// More characters than the field's bound.
    pub fn too_long(&self) -> bool {
        self.len() > self.limit
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Inserts typed or pasted text at the cursor, made one clean line first.
    pub fn insert(&mut self, raw: &str) {
        let clean = clean_line(raw);
        let room = HARD_CAP.saturating_sub(self.len());
        let n = clean.chars().count();
        let kept: String = clean.chars().take(room).collect();
        self.capped |= n > room;
        let at = self.byte_at(self.cursor);
        self.text.insert_str(at, &kept);
        self.cursor += kept.chars().count();
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }
    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.len());
    }
    pub fn home(&mut self) {
        self.cursor = 0;
    }
    pub fn end(&mut self) {
        self.cursor = self.len();
    }
    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            let at = self.byte_at(self.cursor);
            self.text.remove(at);
        }
    }
    pub fn delete(&mut self) {
        if self.cursor < self.len() {
            let at = self.byte_at(self.cursor);
            self.text.remove(at);
        }
    }
    /// Ctrl-U: everything before the cursor.
    pub fn clear_to_start(&mut self) {
        let at = self.byte_at(self.cursor);
        self.text.replace_range(..at, "");
        self.cursor = 0;
    }
    /// Ctrl-W: the word before the cursor and the spaces after it, as in a shell.
    pub fn delete_word(&mut self) {
        let chars: Vec<char> = self.text.chars().collect();
        let mut start = self.cursor.min(chars.len());
        while start > 0 && chars[start - 1].is_whitespace() {
            start -= 1;
        }
        while start > 0 && !chars[start - 1].is_whitespace() {
            start -= 1;
        }
        let (from, to) = (self.byte_at(start), self.byte_at(self.cursor));
        self.text.replace_range(from..to, "");
        self.cursor = start;
    }

    /// Applies an editing key; `false` when the key is not an editing key (the form
    /// handles it: Tab, Enter, Esc…).
    pub fn on_key(&mut self, key: KeyEvent) -> bool {
        // AltGr arrives as Ctrl+Alt on some terminals ('@', '{' on many layouts): a
        // character, not a shortcut.
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL)
            && !key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Char('u') if ctrl => self.clear_to_start(),
            KeyCode::Char('w') if ctrl => self.delete_word(),
            KeyCode::Char('a') if ctrl => self.home(),
            KeyCode::Char('e') if ctrl => self.end(),
            KeyCode::Char(_) if ctrl => return false,
            KeyCode::Char(c) => self.insert(c.encode_utf8(&mut [0; 4])),
            KeyCode::Left => self.left(),
            KeyCode::Right => self.right(),
            KeyCode::Home => self.home(),
            KeyCode::End => self.end(),
            KeyCode::Backspace => self.backspace(),
            KeyCode::Delete => self.delete(),
            _ => return false,
        }
        true
    }
}

/// `raw` as one line of plain text: terminal escape sequences (CSI, OSC, DCS, and the
/// two-character ones) removed whole rather than leaving `[31m` behind, line breaks
/// and tabs made spaces, every other control and bidi-override character dropped.
pub fn clean_line(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                // CSI: parameters and intermediates up to a final byte @..~.
                Some('[') => skip_csi(&mut chars),
                // OSC, DCS, SOS, PM, APC: a string up to BEL or ST (ESC \).
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string(&mut chars),
                // A two-character sequence (ESC c, ESC 7…): both go.
                _ => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\n' | '\r' | '\t' => {
                // A line break pasted mid-text separates words; never two spaces.
                if !out.ends_with(' ') && !out.is_empty() {
                    out.push(' ');
                }
            }
            c if c.is_control() || is_bidi(c) => {}
            c => out.push(c),
        }
    }
    out
}

fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

fn is_bidi(c: char) -> bool {
    matches!(
        c,
        '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(s: &str) -> TextInput {
        TextInput::with_text(255, s)
    }

    fn press(input: &mut TextInput, code: KeyCode, modifiers: KeyModifiers) -> bool {
        input.on_key(KeyEvent::new(code, modifiers))
    }

    #[test]
    fn the_cursor_moves_and_edits_where_it_is() {
        let mut t = typed("héllo wörld");
        assert_eq!(t.cursor(), 11);
        t.home();
        t.right();
        t.right();
        t.insert("X");
        assert_eq!((t.text(), t.cursor()), ("héXllo wörld", 3));
        t.backspace();
        t.delete();
        assert_eq!((t.text(), t.cursor()), ("hélo wörld", 2));
        t.end();
        t.right();
        assert_eq!(t.cursor(), 10);
        t.delete();
        assert_eq!(t.text(), "hélo wörld");
        t.home();
        t.left();
        t.backspace();
        assert_eq!((t.text(), t.cursor()), ("hélo wörld", 0));
    }

    #[test]
    fn ctrl_u_and_ctrl_w_delete_as_in_a_shell() {
        let mut t = typed("roll back  the canary");
        // Cursor after "the": Ctrl-W takes "the" and stops at the double space's start.
        for _ in 0..7 {
            t.left();
        }
        assert!(press(&mut t, KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!((t.text(), t.cursor()), ("roll back   canary", 11));
        assert!(press(&mut t, KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!((t.text(), t.cursor()), ("roll  canary", 5));
        assert!(press(&mut t, KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!((t.text(), t.cursor()), (" canary", 0));
        // Ctrl-W at the start deletes nothing.
        press(&mut t, KeyCode::Char('w'), KeyModifiers::CONTROL);
        assert_eq!(t.text(), " canary");
    }

    #[test]
    fn keys_the_form_owns_are_left_to_it() {
        let mut t = typed("x");
        for code in [KeyCode::Tab, KeyCode::BackTab, KeyCode::Enter, KeyCode::Esc] {
            assert!(!press(&mut t, code, KeyModifiers::NONE), "{code:?}");
        }
        assert!(!press(&mut t, KeyCode::Char('s'), KeyModifiers::CONTROL));
        assert_eq!(t.text(), "x");
        // AltGr (Ctrl+Alt) types its character.
        assert!(press(
            &mut t,
            KeyCode::Char('@'),
            KeyModifiers::CONTROL | KeyModifiers::ALT
        ));
        assert_eq!(t.text(), "x@");
        t.backspace();
        assert!(press(&mut t, KeyCode::Char('é'), KeyModifiers::NONE));
        assert_eq!(t.text(), "xé");
    }

    #[test]
    fn a_paste_loses_escapes_and_control_characters_but_keeps_the_words() {
        let pasted = "fix \u{1b}[31mred\u{1b}[0m alert\r\nnext\tline\u{7}\u{1b}]0;evil title\u{7} \
                      \u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\ \u{9b}2Jdone \u{202e}rtl\u{1b}c";
        let mut t = typed("");
        t.insert(pasted);
        assert_eq!(t.text(), "fix red alert next line link done rtl");
        assert!(crate::model::sanitize::is_clean(t.text()));
        // Whatever arrives, nothing a terminal interprets gets in.
        let mut t = typed("");
        let every: String = (0u32..0x300).filter_map(char::from_u32).collect();
        t.insert(&every);
        assert!(crate::model::sanitize::is_clean(t.text()));
    }

    #[test]
    fn the_bound_is_reported_and_a_runaway_paste_is_capped() {
        let mut t = TextInput::new(255);
        t.insert(&"a".repeat(255));
        assert!(!t.too_long());
        t.insert("b");
        assert!(t.too_long());
        assert!(!t.capped);
        t.insert(&"c".repeat(HARD_CAP * 2));
        assert_eq!(t.len(), HARD_CAP);
        assert!(t.capped);
    }
}
