//! The raw-byte checks of tests/common can fail: every family of sequence a hostile
//! string could smuggle in is refused, wherever it sits in a frame, while what the
//! painter emits passes; and an unrestored terminal is caught.

mod common;

use common::{assert_clean_terminal_bytes, assert_terminal_restored};

/// Fails unless `check` panics on `bytes`.
fn refused(what: &str, bytes: &[u8], check: fn(&[u8])) {
    let result = std::panic::catch_unwind(|| check(bytes));
    assert!(result.is_err(), "{what} passed the check: {bytes:02x?}");
}

/// A frame as flightdeck draws it (entering, one synchronized frame, leaving), with
/// `inside` written in the middle of the frame's text.
fn session(inside: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(b"\x1b[?1049h\x1b[?25l\x1b[?2026h\x1b[1;1H\x1b[1m\x1b[38;5;4;49mflight");
    b.extend_from_slice(inside);
    b.extend_from_slice("deck \u{2588}\u{2500}\x1b[2;3H\x1b[0m\x1b[?25l\x1b[?2026l".as_bytes());
    b.extend_from_slice(b"\x1b[?2026l\x1b[?1049l\x1b[?25h\x1b[?25h");
    b.extend_from_slice(b"flightdeck: stopped: received SIGHUP\r\n");
    b
}

#[test]
fn what_the_painter_emits_passes() {
    let frame = session(b"");
    assert_clean_terminal_bytes(&frame);
    assert_terminal_restored(&frame, &[1049, 25]);
}

#[test]
fn every_family_of_stray_sequence_is_refused() {
    let corpus: [(&str, &[u8]); 20] = [
        ("OSC title, BEL", b"\x1b]0;pwned\x07"),
        ("OSC title, ST", b"\x1b]2;pwned\x1b\\"),
        ("OSC 52 clipboard", b"\x1b]52;c;cm0gLXJmIH4=\x07"),
        ("OSC 8 hyperlink", b"\x1b]8;;http://x\x1b\\"),
        ("DCS", b"\x1bP+q544e\x1b\\"),
        ("APC", b"\x1b_Gf=100;AAAA\x1b\\"),
        ("PM", b"\x1b^private\x1b\\"),
        ("SOS", b"\x1bXstring\x1b\\"),
        ("8-bit CSI", b"\x9b2J"),
        ("8-bit OSC", b"\x9d0;pwned\x9c"),
        ("C1 CSI in UTF-8", "\u{9b}2J".as_bytes()),
        ("bidi override", "\u{202e}txt".as_bytes()),
        ("bidi isolate", "\u{2066}txt".as_bytes()),
        ("BEL", b"\x07"),
        ("backspace", b"\x08"),
        ("a window title op", b"\x1b[21t"),
        ("a status report request", b"\x1b[6n"),
        ("a charset switch", b"\x1b(0"),
        ("invalid UTF-8", b"\xff\xfe"),
        ("an unknown private mode", b"\x1b[?1004h"),
    ];
    for (what, bad) in corpus {
        refused(what, &session(bad), assert_clean_terminal_bytes);
    }
    refused(
        "an escape cut off at the end",
        b"text\x1b[1;",
        assert_clean_terminal_bytes,
    );
}

#[test]
fn unbalanced_synchronized_output_is_refused() {
    refused(
        "an update never ended",
        b"\x1b[?2026hframe",
        assert_clean_terminal_bytes,
    );
    refused(
        "nested updates",
        b"\x1b[?2026ha\x1b[?2026hb\x1b[?2026l",
        assert_clean_terminal_bytes,
    );
}

#[test]
fn a_terminal_left_in_a_mode_or_drawn_unsynchronized_is_caught() {
    let frame = session(b"");
    let cut = |tail: &[u8]| -> Vec<u8> {
        let end = frame
            .windows(tail.len())
            .position(|w| w == tail)
            .expect("in the frame");
        [&frame[..end], &frame[end + tail.len()..]].concat()
    };
    let check = |b: &[u8]| assert_terminal_restored(b, &[1049, 25]);
    refused("alternate screen not left", &cut(b"\x1b[?1049l"), |b| {
        assert_terminal_restored(b, &[1049, 25])
    });
    refused("cursor left hidden", &cut(b"\x1b[?25h\x1b[?25h"), |b| {
        assert_terminal_restored(b, &[1049, 25])
    });
    refused("mouse capture expected", &frame, |b| {
        assert_terminal_restored(b, &[1049, 25, 1000])
    });
    let unsynced = [b"\x1b[?1049h\x1b[?25lframe".as_slice(), &frame].concat();
    refused("text outside an update", &unsynced, |b| {
        assert_terminal_restored(b, &[1049, 25])
    });
    check(&frame);
}
