//! What the terminal shows, and the bytes that turn it into the next frame. Frames are
//! rendered off screen into a buffer; only the cells that differ from what is shown
//! are written, with the cursor and the rendition kept between frames ([`Pen`]), so a
//! frame costs about the bytes of the text that changed. No cell differs, no byte: a
//! clock tick whose text did not turn over, a fetch that brought the same figures,
//! cost no write.
//!
//! What is shown is kept compact between frames ([`Shown`], 8 bytes a cell), and on a
//! large terminal the frame drawn is released once painted: a 300x100 terminal costs
//! 0.24 MB between frames, where two ratatui buffers held 2.9 MB. Up to
//! [`KEEP_FRAME_CELLS`] the frame's buffer is kept and blanked for the next frame
//! instead: at 120x40 it is about 190 KB, above the allocator's own-mapping threshold,
//! so a fresh one each clock tick was a map, some 50 page faults and an unmap a second:
//! keeping it cut the idle cockpit's CPU by about 6 % (0.217 to 0.204 % of a core,
//! medians of 4 rounds). Rows are compared in place; a row that differs is diffed by
//! ratatui's own `diff_iter` (wide characters, skipped cells) over a one-row copy of
//! each side.

use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::Rect;

use super::pen::{Ink, Pen};
use super::shown::Shown;

/// The largest frame (in cells) whose buffer is kept between frames: 120x40 is 4,800,
/// 200x50 is 10,000 (about 0.4 MB). Larger ones are released once painted.
pub const KEEP_FRAME_CELLS: usize = 10_000;

pub struct Screen {
    shown: Shown,
    next: Buffer,
    /// One row of what is shown, and of the next frame, for ratatui's diff.
    row_shown: Buffer,
    row_next: Buffer,
    pen: Pen,
}

impl Default for Screen {
    fn default() -> Self {
        Screen {
            shown: Shown::default(),
            next: Buffer::empty(Rect::ZERO),
            row_shown: Buffer::empty(Rect::ZERO),
            row_next: Buffer::empty(Rect::ZERO),
            pen: Pen::unknown(),
        }
    }
}

impl Screen {
    /// A blank buffer of `area` to render the next frame into: the last frame's,
    /// blanked, when it was kept and has this size; a fresh one otherwise.
    pub fn next_frame(&mut self, area: Rect) -> &mut Buffer {
        if self.next.area == area {
            self.next.reset();
        } else {
            self.next = Buffer::empty(area);
        }
        &mut self.next
    }

    /// Forgets what the terminal shows, so the next frame is drawn whole on a cleared
    /// screen: after a resize the terminal may have cut or reflowed what it showed,
    /// even when it ends at the size it had.
    pub fn invalidate(&mut self) {
        self.shown.clear();
    }

    /// Appends to `out` the bytes that turn the screen into the frame rendered since
    /// [`Screen::next_frame`] (nothing when no cell differs); that frame is then what
    /// is shown, and its buffer is released (kept up to [`KEEP_FRAME_CELLS`]). A frame
    /// of another size is drawn whole on a cleared screen.
    pub fn paint(&mut self, out: &mut Vec<u8>) {
        let area = self.next.area;
        if self.shown.area != area {
            self.pen = Pen::unknown();
            self.pen.reset_ink(out);
            out.extend_from_slice(b"\x1b[2J");
            self.shown.blank(area);
        }
        let row_area = Rect::new(0, 0, area.width, 1.min(area.height));
        if self.row_shown.area != row_area {
            self.row_shown = Buffer::empty(row_area);
            self.row_next = Buffer::empty(row_area);
        }
        let width = usize::from(area.width);
        for y in 0..area.height {
            let from = usize::from(y) * width;
            let Some(row) = self.next.content.get(from..from + width) else {
                break;
            };
            if self.shown.row_unchanged(y, row) {
                continue;
            }
            self.shown.row_into(y, &mut self.row_shown);
            self.row_next.content.clone_from_slice(row);
            for (x, _, cell) in self.row_shown.diff_iter(&self.row_next) {
                go_to(&mut self.pen, &self.next, x + area.x, y + area.y, out);
                self.pen.ink(Ink::of(cell), out);
                put(&mut self.pen, cell, area, out);
            }
        }
        self.shown.keep(&self.next);
        if self.next.content.len() > KEEP_FRAME_CELLS {
            self.next = Buffer::empty(Rect::ZERO);
        }
    }
}

/// Moves to (`x`, `y`), or, when the cursor is a few cells left of it on the same row
/// and those cells are plain one-column text in the current ink, writes them again
/// (they are on screen already): cheaper than a move.
fn go_to(pen: &mut Pen, frame: &Buffer, x: u16, y: u16, out: &mut Vec<u8>) {
    if let Some((cx, cy)) = pen.at {
        if cy == y && cx < x {
            let move_len = pen.move_bytes(x, y).len();
            let gap: Option<Vec<&Cell>> = (cx..x).map(|gx| frame.cell((gx, y))).collect();
            if let Some(gap) = gap {
                let bytes: usize = gap.iter().map(|c| c.symbol().len()).sum();
                let rewritable = gap
                    .iter()
                    .all(|c| Ink::of(c) == pen.ink && one_column(c.symbol()));
                if rewritable && bytes < move_len {
                    for c in gap {
                        out.extend_from_slice(c.symbol().as_bytes());
                    }
                    pen.at = Some((x, y));
                    return;
                }
            }
        }
    }
    pen.move_to(x, y, out);
}

/// Writes the cell's text and follows the cursor: one column on, or unknown after a
/// wide character and at the last column (the terminal holds a pending wrap there).
fn put(pen: &mut Pen, cell: &Cell, area: Rect, out: &mut Vec<u8>) {
    let symbol = cell.symbol();
    out.extend_from_slice(symbol.as_bytes());
    pen.at = match pen.at {
        Some((x, y)) if one_column(symbol) && x + 1 < area.right() => Some((x + 1, y)),
        _ => None,
    };
}

/// Whether `s` takes one column, as ratatui measures it when it lays the frame out
/// (ratatui's own backend trusts the same); a wide or zero-width text leaves the
/// cursor's place unknown, so the next cell is reached by an absolute move.
fn one_column(s: &str) -> bool {
    match s.as_bytes() {
        [b] => b.is_ascii_graphic() || *b == b' ',
        _ => ratatui::text::Span::raw(s).width() == 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Style};

    fn frame(screen: &mut Screen, area: Rect, draw: impl Fn(&mut Buffer)) -> Vec<u8> {
        draw(screen.next_frame(area));
        let mut out = Vec::new();
        screen.paint(&mut out);
        out
    }

    fn clock(buf: &mut Buffer, text: &str) {
        buf.set_string(0, 0, "flightdeck", Style::default().fg(Color::Cyan));
        buf.set_string(12, 0, text, Style::default().bold());
    }

    #[test]
    fn a_kept_frame_buffer_starts_blank_so_what_the_last_frame_drew_is_erased() {
        let area = Rect::new(0, 0, 20, 2);
        assert!(usize::from(area.width * area.height) <= KEEP_FRAME_CELLS);
        let mut screen = Screen::default();
        frame(&mut screen, area, |b| {
            b.set_string(2, 1, "abc", Style::default())
        });
        let empty = frame(&mut screen, area, |_| {});
        assert!(
            empty.ends_with(b"   "),
            "the three cells are written blank again: {:?}",
            String::from_utf8_lossy(&empty)
        );
        // A large frame's buffer is released once painted; the next starts fresh.
        let large = Rect::new(0, 0, 200, 60);
        assert!(usize::from(large.width * large.height) > KEEP_FRAME_CELLS);
        frame(&mut screen, large, |b| {
            b.set_string(2, 1, "abc", Style::default())
        });
        assert_eq!(screen.next.area, Rect::ZERO);
        let erased = frame(&mut screen, large, |_| {});
        assert!(
            erased.ends_with(b"   "),
            "{:?}",
            String::from_utf8_lossy(&erased)
        );
    }

    #[test]
    fn a_frame_costs_the_changed_text_and_an_unchanged_one_nothing() {
        let area = Rect::new(0, 0, 30, 3);
        let mut screen = Screen::default();
        let first = frame(&mut screen, area, |b| clock(b, "14:00:01"));
        assert!(first.starts_with(b"\x1b[0m\x1b[2J"), "{first:?}");
        let same = frame(&mut screen, area, |b| clock(b, "14:00:01"));
        assert!(same.is_empty(), "nothing changed: {same:?}");
        // The cursor sits after the last digit written, in its ink: back one, write.
        let tick = frame(&mut screen, area, |b| clock(b, "14:00:02"));
        assert_eq!(tick, b"\x1b[D2");
        let minute = frame(&mut screen, area, |b| clock(b, "14:01:00"));
        assert_eq!(minute, b"\x1b[4D1:00");
    }

    #[test]
    fn after_invalidate_the_same_frame_is_drawn_whole() {
        let area = Rect::new(0, 0, 30, 3);
        let mut screen = Screen::default();
        let first = frame(&mut screen, area, |b| clock(b, "14:00:01"));
        screen.invalidate();
        let again = frame(&mut screen, area, |b| clock(b, "14:00:01"));
        assert_eq!(
            again, first,
            "a resize back to the same size repaints it all"
        );
    }

    #[test]
    fn whatever_the_frames_the_terminal_ends_up_showing_the_last_one() {
        // A small terminal replays the bytes of a few hundred random frames, each a
        // few edits away from the last (runs of text, styles that repeat or change,
        // box-drawing, a wide character, the last column): it must hold every frame.
        let area = Rect::new(0, 0, 14, 5);
        let mut screen = Screen::default();
        let mut term = Emulator::new(area);
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut rnd = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let words = ["a", "bc", "x y", "──", "│ok│", "コ", "12:00", "  ", "Ω"];
        let colours = [Color::Reset, Color::Red, Color::Indexed(33)];
        let mut rows: Vec<Vec<(u16, &str, usize)>> = vec![Vec::new(); 5];
        for i in 0..400 {
            for _ in 0..=rnd(3) {
                let row = &mut rows[rnd(5) as usize];
                if rnd(4) == 0 {
                    row.clear();
                }
                row.push((rnd(14) as u16, words[rnd(9) as usize], rnd(3) as usize));
            }
            let out = frame(&mut screen, area, |b| {
                for (y, row) in rows.iter().enumerate() {
                    for &(x, text, ink) in row {
                        let style = Style::default().fg(colours[ink]);
                        b.set_stringn(x, y as u16, text, usize::from(14 - x), style);
                    }
                }
                // As the painter leaves it: a wide character's second column blank.
                for y in 0..5 {
                    for x in 0..13 {
                        if b[(x, y)].symbol() == "コ" {
                            b[(x + 1, y)].reset();
                        }
                    }
                }
            });
            term.feed(&out);
            assert_eq!(term.rows(), screen_rows(&screen.shown), "after frame {i}");
        }
    }

    fn screen_rows(shown: &Shown) -> Vec<String> {
        (0..shown.area.height)
            .map(|y| {
                (0..shown.area.width)
                    .map(|x| shown.symbol(x, y).to_string())
                    .collect()
            })
            .collect()
    }

    /// What the emulator keeps in the column a wide character covers.
    const RIGHT_HALF: &str = "\0";

    /// Enough of a terminal to replay what the screen writes: text (a wide character
    /// takes two columns; the last column holds a pending wrap), CUP, CUU/CUD/CUF/CUB,
    /// CHA, ED 2, and SGR (ignored).
    struct Emulator {
        cells: Vec<Vec<String>>,
        x: usize,
        y: usize,
        wrap_pending: bool,
    }

    impl Emulator {
        fn new(area: Rect) -> Self {
            let row = vec![" ".to_string(); usize::from(area.width)];
            Emulator {
                cells: vec![row; usize::from(area.height)],
                x: 0,
                y: 0,
                wrap_pending: false,
            }
        }

        fn rows(&self) -> Vec<String> {
            self.cells
                .iter()
                .map(|r| r.concat().replace(RIGHT_HALF, " "))
                .collect()
        }

        fn print(&mut self, c: char) {
            let w = self.cells[0].len();
            if self.wrap_pending {
                self.x = 0;
                self.y = (self.y + 1).min(self.cells.len() - 1);
                self.wrap_pending = false;
            }
            let wide = c == 'コ';
            let (x, row) = (self.x, &mut self.cells[self.y]);
            // Writing over either half of a wide character blanks its other half.
            if row[x] == RIGHT_HALF {
                row[x - 1] = " ".into();
            }
            if row.get(x + 1).is_some_and(|c| c == RIGHT_HALF) {
                row[x + 1] = " ".into();
            }
            row[x] = c.to_string();
            if wide && x + 1 < w {
                if row.get(x + 2).is_some_and(|c| c == RIGHT_HALF) {
                    row[x + 2] = " ".into();
                }
                row[x + 1] = RIGHT_HALF.into();
            }
            let next = self.x + if wide { 2 } else { 1 };
            if next >= w {
                self.x = w - 1;
                self.wrap_pending = true;
            } else {
                self.x = next;
            }
        }

        fn feed(&mut self, bytes: &[u8]) {
            let text = std::str::from_utf8(bytes).unwrap();
            let mut chars = text.chars();
            let (w, h) = (self.cells[0].len(), self.cells.len());
            while let Some(c) = chars.next() {
                if c != '\x1b' {
                    self.print(c);
                    continue;
                }
                assert_eq!(chars.next(), Some('['));
                let mut params = String::new();
                let last = loop {
                    let c = chars.next().unwrap();
                    if c.is_ascii_digit() || c == ';' {
                        params.push(c);
                    } else {
                        break c;
                    }
                };
                let n: Vec<usize> = params.split(';').map(|p| p.parse().unwrap_or(1)).collect();
                let n0 = n[0].max(1);
                self.wrap_pending = false;
                match last {
                    'H' => {
                        self.y = n0 - 1;
                        self.x = n.get(1).copied().unwrap_or(1).max(1) - 1;
                    }
                    'A' => self.y = self.y.saturating_sub(n0),
                    'B' => self.y = (self.y + n0).min(h - 1),
                    'C' => self.x = (self.x + n0).min(w - 1),
                    'D' => self.x = self.x.saturating_sub(n0),
                    'G' => self.x = (n0 - 1).min(w - 1),
                    'J' => {
                        for r in &mut self.cells {
                            r.iter_mut().for_each(|c| *c = " ".into());
                        }
                    }
                    'm' => {}
                    other => panic!("unexpected CSI {other}"),
                }
            }
        }
    }
}
