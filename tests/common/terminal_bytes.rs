//! The raw bytes a program writes to its terminal, read the way a terminal reads them,
//! and checked against what flightdeck's painter may emit: text, CR/LF, CSI SGR,
//! cursor moves and erases, and the private modes it sets and resets. Anything else
//! (OSC such as a title or the clipboard, DCS, APC, PM, SOS, a C1 control in 7- or
//! 8-bit form, another C0 control, a bidi control, invalid UTF-8) is a stray sequence
//! that someone else's text smuggled in, or a painter bug.

use std::fmt;

/// One unit of the stream as a terminal parses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sequence {
    /// Printable text (no controls).
    Text(String),
    /// A C0 control byte other than ESC, or DEL.
    Control(u8),
    /// `ESC [` with its private marker (`?`, `>`, …), parameters, intermediates, final.
    Csi {
        private: String,
        params: String,
        intermediates: String,
        last: char,
    },
    /// A two-or-more-byte escape such as `ESC 7` or `ESC ( B`.
    Esc { intermediates: String, last: char },
    /// A control string: OSC, DCS, APC, PM or SOS, with its body.
    ControlString { kind: &'static str, body: Vec<u8> },
    /// A C1 control, as a raw 8-bit byte or UTF-8 encoded (both act on some terminals).
    C1 { code: u8, utf8: bool },
    /// A bidirectional-text control character, which reorders what the user reads.
    Bidi(char),
    /// Bytes that are not UTF-8, or an escape cut off by the end of the stream.
    Malformed(Vec<u8>),
}

/// A sequence with the offset of its first byte, for failure messages.
#[derive(Debug, Clone)]
pub struct Located {
    pub at: usize,
    pub seq: Sequence,
}

impl fmt::Display for Sequence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Sequence::Text(t) => write!(f, "text {t:?}"),
            Sequence::Control(b) => write!(f, "control 0x{b:02x}"),
            Sequence::Csi {
                private,
                params,
                intermediates,
                last,
            } => write!(
                f,
                "CSI {:?}",
                format!("{private}{params}{intermediates}{last}")
            ),
            Sequence::Esc {
                intermediates,
                last,
            } => write!(f, "ESC {:?}", format!("{intermediates}{last}")),
            Sequence::ControlString { kind, body } => {
                write!(f, "{kind} {:?}", String::from_utf8_lossy(body))
            }
            Sequence::C1 { code, utf8 } => {
                let form = if *utf8 { "UTF-8" } else { "8-bit" };
                write!(f, "C1 control 0x{code:02x} ({form})")
            }
            Sequence::Bidi(c) => write!(f, "bidi control U+{:04X}", u32::from(*c)),
            Sequence::Malformed(b) => write!(f, "malformed bytes {b:02x?}"),
        }
    }
}

/// Parses `bytes` into what a terminal would act on, in order.
pub fn sequences(bytes: &[u8]) -> Vec<Located> {
    let mut out: Vec<Located> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let at = i;
        let (seq, len) = next(&bytes[i..]);
        i += len;
        // Adjacent text joins into one run, so messages quote readable text.
        if let (
            Sequence::Text(t),
            Some(Located {
                seq: Sequence::Text(prev),
                ..
            }),
        ) = (&seq, out.last_mut())
        {
            prev.push_str(t);
            continue;
        }
        out.push(Located { at, seq });
    }
    out
}

/// The first sequence of `b` (not empty) and its length in bytes.
fn next(b: &[u8]) -> (Sequence, usize) {
    match b[0] {
        0x1b => escape(b),
        c @ (0x00..=0x1a | 0x1c..=0x1f | 0x7f) => (Sequence::Control(c), 1),
        0x20..=0x7e => {
            let n = b.iter().take_while(|c| (0x20..=0x7e).contains(*c)).count();
            let text = String::from_utf8_lossy(&b[..n]).into_owned();
            (Sequence::Text(text), n)
        }
        _ => non_ascii(b),
    }
}

fn non_ascii(b: &[u8]) -> (Sequence, usize) {
    let width = match b[0] {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => 0,
    };
    let decoded = (width > 0 && b.len() >= width)
        .then(|| std::str::from_utf8(&b[..width]).ok())
        .flatten()
        .and_then(|s| s.chars().next());
    match decoded {
        Some(c @ '\u{80}'..='\u{9f}') => (
            Sequence::C1 {
                code: c as u8,
                utf8: true,
            },
            width,
        ),
        Some(c) if is_bidi(c) => (Sequence::Bidi(c), width),
        Some(c) => (Sequence::Text(c.to_string()), width),
        None if (0x80..=0x9f).contains(&b[0]) => (
            Sequence::C1 {
                code: b[0],
                utf8: false,
            },
            1,
        ),
        None => (Sequence::Malformed(vec![b[0]]), 1),
    }
}

fn is_bidi(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

fn escape(b: &[u8]) -> (Sequence, usize) {
    let Some(&kind) = b.get(1) else {
        return (Sequence::Malformed(b.to_vec()), b.len());
    };
    match kind {
        b'[' => csi(b),
        b']' => control_string(b, "OSC"),
        b'P' => control_string(b, "DCS"),
        b'_' => control_string(b, "APC"),
        b'^' => control_string(b, "PM"),
        b'X' => control_string(b, "SOS"),
        _ => {
            let n = b[1..]
                .iter()
                .take_while(|c| (0x20..=0x2f).contains(*c))
                .count();
            match b.get(1 + n) {
                Some(&last @ 0x30..=0x7e) => (
                    Sequence::Esc {
                        intermediates: String::from_utf8_lossy(&b[1..1 + n]).into_owned(),
                        last: char::from(last),
                    },
                    n + 2,
                ),
                _ => (
                    Sequence::Malformed(b[..(n + 2).min(b.len())].to_vec()),
                    n + 2,
                ),
            }
        }
    }
}

fn csi(b: &[u8]) -> (Sequence, usize) {
    let body = &b[2..];
    let private = body
        .iter()
        .take_while(|c| matches!(c, b'<' | b'=' | b'>' | b'?'))
        .count();
    let params = body[private..]
        .iter()
        .take_while(|c| (0x30..=0x3f).contains(*c))
        .count();
    let inter = body[private + params..]
        .iter()
        .take_while(|c| (0x20..=0x2f).contains(*c))
        .count();
    let end = private + params + inter;
    let text = |r: std::ops::Range<usize>| String::from_utf8_lossy(&body[r]).into_owned();
    match body.get(end) {
        Some(&last @ 0x40..=0x7e) => (
            Sequence::Csi {
                private: text(0..private),
                params: text(private..private + params),
                intermediates: text(private + params..end),
                last: char::from(last),
            },
            end + 3,
        ),
        _ => {
            let len = (end + 3).min(b.len());
            (Sequence::Malformed(b[..len].to_vec()), len)
        }
    }
}

/// A control string runs to ST (`ESC \`), or BEL for OSC; unterminated, to the end.
fn control_string(b: &[u8], kind: &'static str) -> (Sequence, usize) {
    let mut i = 2;
    while i < b.len() {
        if b[i] == 0x07 && kind == "OSC" {
            return (body(kind, &b[2..i]), i + 1);
        }
        if b[i] == 0x1b && b.get(i + 1) == Some(&b'\\') {
            return (body(kind, &b[2..i]), i + 2);
        }
        i += 1;
    }
    (body(kind, &b[2..]), b.len())
}

fn body(kind: &'static str, b: &[u8]) -> Sequence {
    Sequence::ControlString {
        kind,
        body: b.to_vec(),
    }
}

/// The private modes (DECSET/DECRST) flightdeck may toggle: cursor visibility (25),
/// the alternate screen (1049), synchronized output (2026), mouse reporting (1000,
/// 1002, 1003, 1006, 1015) and bracketed paste (2004).
const MODES: [u16; 9] = [25, 1000, 1002, 1003, 1006, 1015, 1049, 2004, 2026];

/// Why `seq` is not something the painter emits, or `None` when it is.
fn stray(seq: &Sequence) -> Option<&'static str> {
    let numeric = |p: &str| p.bytes().all(|c| c.is_ascii_digit() || c == b';');
    match seq {
        Sequence::Text(_) => None,
        Sequence::Control(b'\r' | b'\n') => None,
        Sequence::Control(_) => Some("a C0 control other than CR and LF"),
        Sequence::Csi {
            private,
            params,
            intermediates,
            last,
        } => match (private.as_str(), intermediates.as_str(), last) {
            // SGR: colours (including `38:2::r:g:b` forms) and attributes.
            ("", "", 'm')
                if params
                    .bytes()
                    .all(|c| c.is_ascii_digit() || c == b';' || c == b':') =>
            {
                None
            }
            // Cursor moves and erases.
            ("", "", 'A'..='H' | 'J' | 'K' | 'f') if numeric(params) => None,
            ("?", "", 'h' | 'l')
                if !params.is_empty()
                    && params
                        .split(';')
                        .all(|m| m.parse().is_ok_and(|m: u16| MODES.contains(&m))) =>
            {
                None
            }
            _ => Some("a CSI sequence outside the allow-list"),
        },
        Sequence::Esc { .. } => Some("an escape sequence outside the allow-list"),
        Sequence::ControlString { .. } => Some("a control string (OSC, DCS, APC, PM, SOS)"),
        Sequence::C1 { .. } => Some("a C1 control"),
        Sequence::Bidi(_) => Some("a bidi control"),
        Sequence::Malformed(_) => Some("malformed: not UTF-8, or a cut-off escape"),
    }
}

/// `(mode, set)` for every DECSET (`ESC[?…h`, true) and DECRST (`ESC[?…l`, false), in
/// order.
pub fn private_modes(bytes: &[u8]) -> Vec<(u16, bool)> {
    sequences(bytes)
        .iter()
        .flat_map(|l| private_modes_of(&l.seq))
        .collect()
}

/// Asserts that `bytes` hold only what flightdeck's painter emits (see [`stray`]) and
/// that synchronized-output updates (`ESC[?2026h` … `ESC[?2026l`) never nest and are
/// all closed. An end without a begin is allowed: restoring the terminal ends any
/// update a failed frame may have left open. Fails listing every problem with its
/// byte offset and the bytes around it.
pub fn assert_clean_terminal_bytes(bytes: &[u8]) {
    let mut problems = Vec::new();
    let mut open_update: Option<usize> = None;
    for l in sequences(bytes) {
        if let Some(why) = stray(&l.seq) {
            problems.push(format!("at byte {}: {why}: {}", l.at, l.seq));
            continue;
        }
        for (mode, set) in private_modes_of(&l.seq) {
            if mode != 2026 {
                continue;
            }
            match (set, open_update) {
                (true, Some(begun)) => problems.push(format!(
                    "at byte {}: a synchronized update begins inside the one begun at byte {begun}",
                    l.at
                )),
                (true, None) => open_update = Some(l.at),
                (false, _) => open_update = None,
            }
        }
    }
    if let Some(begun) = open_update {
        problems.push(format!(
            "the synchronized update begun at byte {begun} is never ended"
        ));
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) in {} bytes written to the terminal:\n  {}",
        problems.len(),
        bytes.len(),
        problems
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

fn private_modes_of(seq: &Sequence) -> Vec<(u16, bool)> {
    match seq {
        Sequence::Csi {
            private,
            params,
            intermediates,
            last: last @ ('h' | 'l'),
        } if private == "?" && intermediates.is_empty() => params
            .split(';')
            .filter_map(|m| m.parse().ok())
            .map(|m| (m, *last == 'h'))
            .collect(),
        _ => Vec::new(),
    }
}

/// Asserts what a full-screen session must do to the terminal: each mode of
/// `entered` is switched on (for 25, the cursor hidden) before the first text is
/// drawn; while the alternate screen is on, text and cursor moves are drawn only
/// inside synchronized updates; and at the end every private mode touched is back
/// at its default (the cursor shown, everything else off).
pub fn assert_terminal_restored(bytes: &[u8], entered: &[u16]) {
    let default_on = |mode: u16| mode == 25;
    let mut problems = Vec::new();
    let mut state: Vec<(u16, bool)> = Vec::new();
    let mut drawn = false;
    let (mut alternate, mut updating) = (false, false);
    for l in sequences(bytes) {
        let modes = private_modes_of(&l.seq);
        for &(mode, set) in &modes {
            match state.iter_mut().find(|(m, _)| *m == mode) {
                Some(s) => s.1 = set,
                None => state.push((mode, set)),
            }
            if mode == 1049 {
                alternate = set;
            }
            if mode == 2026 {
                updating = set;
            }
        }
        let paints = matches!(l.seq, Sequence::Text(_))
            || matches!(&l.seq, Sequence::Csi { private, .. } if modes.is_empty() && private.is_empty());
        if paints && alternate && !updating {
            problems.push(format!(
                "at byte {}: {} drawn outside a synchronized update",
                l.at, l.seq
            ));
        }
        if matches!(l.seq, Sequence::Text(_)) && !drawn {
            drawn = true;
            for &mode in entered {
                let on = state
                    .iter()
                    .any(|&(m, set)| m == mode && set != default_on(mode));
                if !on {
                    problems.push(format!(
                        "mode {mode} not entered before the first text (byte {})",
                        l.at
                    ));
                }
            }
        }
    }
    if !drawn {
        problems.push("nothing was drawn".to_string());
    }
    for (mode, set) in state {
        if set != default_on(mode) {
            problems.push(format!(
                "mode {mode} left {} at the end",
                if set { "set" } else { "reset" }
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "the terminal was not entered and restored cleanly ({} bytes):\n  {}",
        bytes.len(),
        problems
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}
