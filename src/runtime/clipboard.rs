//! The clipboard through the terminal: OSC 52 (`ESC ] 52 ; c ; <base64> BEL`), which
//! xterm, kitty, WezTerm, iTerm2, Windows Terminal and tmux (`set-clipboard on`) honour,
//! locally and over SSH. The text is base64: nothing in it reaches the terminal as a
//! control sequence. No crate: base64 is a dozen lines.

use std::io::{self, Write};

use crate::app::copy::Clip;

/// Largest text sent: terminals cap OSC 52 payloads (xterm at about 100 kB).
const MAX_BYTES: usize = 64 * 1024;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (RFC 4648 §4).
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The sequence that puts `text` on the system clipboard.
pub fn osc52(text: &str) -> String {
    let mut end = text.len().min(MAX_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("\x1b]52;c;{}\x07", base64(&text.as_bytes()[..end]))
}

/// Remembers which copy was written, so each is written once.
#[derive(Debug, Default)]
pub struct ClipboardWriter {
    written: u64,
}

impl ClipboardWriter {
    /// Writes the pending copy, if any, to `out` (the terminal backend).
    pub fn write(&mut self, clip: &Clip, out: &mut impl Write) -> io::Result<()> {
        if clip.seq == self.written {
            return Ok(());
        }
        self.written = clip.seq;
        out.write_all(osc52(&clip.text).as_bytes())?;
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_test_vectors() {
        // RFC 4648 §10.
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain:?}");
        }
        assert_eq!(base64(&[0xff, 0xfe, 0x00]), "//4A");
    }

    #[test]
    fn each_copy_is_written_once_as_osc_52() {
        let mut w = ClipboardWriter::default();
        let mut out = Vec::new();
        let mut clip = Clip::default();
        w.write(&clip, &mut out).expect("write");
        assert!(out.is_empty(), "nothing copied yet");
        clip.seq = 1;
        clip.text = "v2.15.0\x1b]0;owned\x07".into();
        w.write(&clip, &mut out).expect("write");
        w.write(&clip, &mut out).expect("write");
        let s = String::from_utf8(out).expect("ascii");
        assert_eq!(s.matches("\x1b]52;c;").count(), 1);
        // The payload is base64: the escape in the text never reaches the terminal.
        let payload = &s["\x1b]52;c;".len()..s.len() - 1];
        assert!(payload.bytes().all(|b| ALPHABET.contains(&b) || b == b'='));
        assert_eq!(payload, base64(clip.text.as_bytes()));
    }
}
