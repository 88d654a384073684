//! What the terminal's cursor and graphic rendition are between two writes, and the
//! shortest sequence that changes them. ratatui's crossterm backend forgets both after
//! every frame (it ends each one with four resets and starts each run of cells with an
//! absolute move), so a frame that turns one digit of the clock cost 55 bytes; kept
//! across frames, it costs the digit and a three-byte move.

use std::io::Write;

use ratatui::style::{Color, Modifier};

/// The rendition a cell is drawn with.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Ink {
    pub fg: Color,
    pub bg: Color,
    pub underline: Color,
    pub modifier: Modifier,
}

impl Ink {
    /// What `ESC[0m` leaves.
    pub const PLAIN: Ink = Ink {
        fg: Color::Reset,
        bg: Color::Reset,
        underline: Color::Reset,
        modifier: Modifier::empty(),
    };

    pub fn of(cell: &ratatui::buffer::Cell) -> Ink {
        Ink {
            fg: cell.fg,
            bg: cell.bg,
            underline: cell.underline_color,
            modifier: cell.modifier,
        }
    }
}

/// The terminal's state as far as our own writes made it. `at` is `None` when the
/// cursor's place is not known for sure (before the first frame, after a character
/// whose width the terminal may judge differently, after the last column, where the
/// terminal holds a pending wrap).
#[derive(Clone, Debug)]
pub struct Pen {
    pub at: Option<(u16, u16)>,
    pub ink: Ink,
}

impl Pen {
    /// A pen that knows nothing: the next move is absolute, the next ink is given in
    /// full after a reset.
    pub fn unknown() -> Pen {
        Pen {
            at: None,
            ink: Ink::PLAIN,
        }
    }

    /// Writes the shortest move from where the cursor is to column `x`, row `y`.
    pub fn move_to(&mut self, x: u16, y: u16, out: &mut Vec<u8>) {
        if self.at != Some((x, y)) {
            out.extend_from_slice(&self.move_bytes(x, y));
            self.at = Some((x, y));
        }
    }

    /// The bytes of the shortest move to (`x`, `y`), without making it.
    pub fn move_bytes(&self, x: u16, y: u16) -> Vec<u8> {
        let absolute = match (x, y) {
            (0, 0) => b"\x1b[H".to_vec(),
            (0, y) => csi(&[y + 1], b'H'),
            (x, y) => csi(&[y + 1, x + 1], b'H'),
        };
        let Some((cx, cy)) = self.at else {
            return absolute;
        };
        let mut relative = Vec::new();
        if y < cy {
            relative.extend(relative_step(cy - y, b'A'));
        } else if y > cy {
            relative.extend(relative_step(y - cy, b'B'));
        }
        if x > cx {
            relative.extend(relative_step(x - cx, b'C'));
        } else if x < cx {
            let back = relative_step(cx - x, b'D');
            let column = csi(&[x + 1], b'G');
            relative.extend(if back.len() <= column.len() {
                back
            } else {
                column
            });
        }
        if relative.len() < absolute.len() {
            relative
        } else {
            absolute
        }
    }

    /// Writes what changes the rendition to `ink`, in one SGR sequence (nothing when
    /// it is already `ink`).
    pub fn ink(&mut self, ink: Ink, out: &mut Vec<u8>) {
        if self.ink == ink {
            return;
        }
        let mut codes: Vec<u16> = Vec::new();
        let (from, to) = (self.ink.modifier, ink.modifier);
        let removed = from - to;
        // Normal intensity ends bold and dim together: what stays is given again.
        let intensity = removed.intersects(Modifier::BOLD | Modifier::DIM);
        if intensity {
            codes.push(22);
        }
        for (modifier, off) in [
            (Modifier::ITALIC, 23),
            (Modifier::UNDERLINED, 24),
            (Modifier::SLOW_BLINK | Modifier::RAPID_BLINK, 25),
            (Modifier::REVERSED, 27),
            (Modifier::HIDDEN, 28),
            (Modifier::CROSSED_OUT, 29),
        ] {
            if removed.intersects(modifier) {
                codes.push(off);
            }
        }
        // A blink that stays is given again after 25 ended both kinds.
        let blink_reset = removed.intersects(Modifier::SLOW_BLINK | Modifier::RAPID_BLINK);
        for (modifier, on) in [
            (Modifier::BOLD, 1),
            (Modifier::DIM, 2),
            (Modifier::ITALIC, 3),
            (Modifier::UNDERLINED, 4),
            (Modifier::SLOW_BLINK, 5),
            (Modifier::RAPID_BLINK, 6),
            (Modifier::REVERSED, 7),
            (Modifier::HIDDEN, 8),
            (Modifier::CROSSED_OUT, 9),
        ] {
            let again = match on {
                1 | 2 => intensity,
                5 | 6 => blink_reset,
                _ => false,
            };
            if to.contains(modifier) && (!from.contains(modifier) || again) {
                codes.push(on);
            }
        }
        if self.ink.fg != ink.fg {
            colour(ink.fg, Layer::Fore, &mut codes);
        }
        if self.ink.bg != ink.bg {
            colour(ink.bg, Layer::Back, &mut codes);
        }
        if self.ink.underline != ink.underline {
            colour(ink.underline, Layer::Underline, &mut codes);
        }
        out.extend_from_slice(&csi(&codes, b'm'));
        self.ink = ink;
    }

    /// Writes `ESC[0m` and remembers it.
    pub fn reset_ink(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"\x1b[0m");
        self.ink = Ink::PLAIN;
    }
}

/// `ESC[n<final>`, the count left out when it is 1 (the default).
fn relative_step(n: u16, last: u8) -> Vec<u8> {
    if n == 1 {
        vec![0x1b, b'[', last]
    } else {
        csi(&[n], last)
    }
}

fn csi(params: &[u16], last: u8) -> Vec<u8> {
    let mut out = b"\x1b[".to_vec();
    for (i, p) in params.iter().enumerate() {
        if i > 0 {
            out.push(b';');
        }
        let _ = write!(out, "{p}");
    }
    out.push(last);
    out
}

enum Layer {
    Fore,
    Back,
    Underline,
}

/// The SGR parameters of one colour: the 16 named ones in their short forms (30–37,
/// 90–97 and their background twins; the same palette entries as `38;5;n`), the
/// rest as 256-colour or true-colour parameters.
fn colour(c: Color, layer: Layer, codes: &mut Vec<u16>) {
    let named = match c {
        Color::Black => Some(0),
        Color::Red => Some(1),
        Color::Green => Some(2),
        Color::Yellow => Some(3),
        Color::Blue => Some(4),
        Color::Magenta => Some(5),
        Color::Cyan => Some(6),
        Color::Gray => Some(7),
        Color::DarkGray => Some(8),
        Color::LightRed => Some(9),
        Color::LightGreen => Some(10),
        Color::LightYellow => Some(11),
        Color::LightBlue => Some(12),
        Color::LightMagenta => Some(13),
        Color::LightCyan => Some(14),
        Color::White => Some(15),
        _ => None,
    };
    let (base, bright, extended, reset) = match layer {
        Layer::Fore => (Some(30), Some(90), 38, 39),
        Layer::Back => (Some(40), Some(100), 48, 49),
        // Underline colours have no short forms.
        Layer::Underline => (None, None, 58, 59),
    };
    match (c, named) {
        (Color::Reset, _) => codes.push(reset),
        (_, Some(n)) if n < 8 && base.is_some() => codes.push(base.unwrap_or(0) + n),
        (_, Some(n)) if bright.is_some() => codes.push(bright.unwrap_or(0) + n - 8),
        (_, Some(n)) => codes.extend([extended, 5, n]),
        (Color::Indexed(i), _) => codes.extend([extended, 5, u16::from(i)]),
        (Color::Rgb(r, g, b), _) => {
            codes.extend([extended, 2, u16::from(r), u16::from(g), u16::from(b)])
        }
        _ => codes.push(reset),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moved(at: Option<(u16, u16)>, x: u16, y: u16) -> String {
        let pen = Pen {
            at,
            ink: Ink::PLAIN,
        };
        String::from_utf8(pen.move_bytes(x, y)).unwrap()
    }

    #[test]
    fn moves_are_the_shortest_form_and_absolute_when_the_place_is_unknown() {
        assert_eq!(moved(None, 0, 0), "\x1b[H");
        assert_eq!(moved(None, 0, 4), "\x1b[5H");
        assert_eq!(moved(None, 115, 0), "\x1b[1;116H");
        assert_eq!(moved(Some((116, 0)), 115, 0), "\x1b[D");
        assert_eq!(moved(Some((100, 0)), 115, 0), "\x1b[15C");
        assert_eq!(moved(Some((5, 3)), 5, 2), "\x1b[A");
        assert_eq!(moved(Some((5, 3)), 8, 9), "\x1b[10;9H");
        assert_eq!(moved(Some((20, 30)), 21, 31), "\x1b[B\x1b[C");
        // Far back on the same row: the column itself is shorter than the count.
        assert_eq!(moved(Some((110, 7)), 2, 7), "\x1b[3G");
        assert_eq!(moved(Some((0, 30)), 40, 2), "\x1b[3;41H");
    }

    #[test]
    fn ink_changes_only_what_differs_in_one_sequence() {
        let mut pen = Pen::unknown();
        let mut out = Vec::new();
        let bold_yellow = Ink {
            fg: Color::Yellow,
            modifier: Modifier::BOLD,
            ..Ink::PLAIN
        };
        pen.ink(bold_yellow, &mut out);
        assert_eq!(out, b"\x1b[1;33m");
        out.clear();
        pen.ink(bold_yellow, &mut out);
        assert!(out.is_empty(), "the same ink again costs nothing");
        pen.ink(
            Ink {
                modifier: Modifier::DIM,
                bg: Color::Indexed(236),
                ..bold_yellow
            },
            &mut out,
        );
        assert_eq!(out, b"\x1b[22;2;48;5;236m");
        out.clear();
        pen.ink(
            Ink {
                fg: Color::Rgb(1, 2, 3),
                underline: Color::Red,
                ..Ink::PLAIN
            },
            &mut out,
        );
        assert_eq!(out, b"\x1b[22;38;2;1;2;3;49;58;5;1m");
    }
}
