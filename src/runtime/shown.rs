//! What the terminal shows, kept compact between frames. A ratatui `Cell` is 48 bytes
//! (a `CompactString` of 24 among them); what the painter needs to compare the next
//! frame with is its text and its look (ink and diff flags), and a frame has few
//! looks: here a cell is its text's bytes and the index of its look, 8 bytes. On a
//! 300x100 terminal that is 0.24 MB instead of 1.4 MB, and the frame being drawn is
//! released once it is painted, where two full buffers used to hold 2.9 MB.

use std::collections::HashMap;

use ratatui::buffer::{Buffer, Cell, CellDiffOption};
use ratatui::layout::Rect;

use super::pen::Ink;

/// Marks a cell's text as an index into [`Shown::long`] rather than inline bytes.
const LONG: u8 = u8::MAX;

/// The look of a cell past the first 65,535 distinct looks of a frame (a frame of
/// that many colours): not kept, so the cell is written again next frame.
const LOST: u16 = u16::MAX;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct ShownCell {
    /// The text's UTF-8 bytes when it is one char (`len` of them), else the index of
    /// its entry in `long` (little-endian, `len == LONG`).
    text: [u8; 4],
    len: u8,
    /// Index of its look in `looks`, or [`LOST`].
    look: u16,
}

/// Everything of a cell but its text that ratatui's diff compares.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
struct Look {
    ink: Ink,
    diff: CellDiffOption,
    /// ratatui's deprecated `skip` flag, which its cells still compare.
    skip: bool,
}

impl Look {
    fn of(cell: &Cell) -> Look {
        #[allow(deprecated)]
        let skip = cell.skip;
        Look {
            ink: Ink::of(cell),
            diff: cell.diff_option,
            skip,
        }
    }
}

/// The frame on screen: one compact cell per column, row after row.
#[derive(Default)]
pub struct Shown {
    pub area: Rect,
    cells: Vec<ShownCell>,
    /// The texts longer than one char (wide graphemes, combining marks).
    long: Vec<Box<str>>,
    /// The frame's distinct looks.
    looks: Vec<Look>,
}

impl Shown {
    /// Forgets the frame: the next one is painted whole.
    pub fn clear(&mut self) {
        self.area = Rect::ZERO;
        self.cells = Vec::new();
        self.long = Vec::new();
        self.looks = Vec::new();
    }

    /// Takes `frame` as what is shown.
    pub fn keep(&mut self, frame: &Buffer) {
        self.keep_cells(frame.area, frame.content.iter());
    }

    /// Takes a blank frame of `area` as what is shown (after the screen was cleared),
    /// without laying out a full ratatui buffer of it.
    pub fn blank(&mut self, area: Rect) {
        let empty = Cell::EMPTY;
        self.keep_cells(area, std::iter::repeat_n(&empty, area.area() as usize));
    }

    /// The cells of a frame of `area`, row after row.
    fn keep_cells<'a>(&mut self, area: Rect, content: impl ExactSizeIterator<Item = &'a Cell>) {
        self.area = area;
        self.long.clear();
        self.looks.clear();
        self.cells.clear();
        self.cells.reserve_exact(content.len());
        let mut index: HashMap<Look, u16> = HashMap::new();
        let mut last: Option<(Look, u16)> = None;
        for cell in content {
            let (text, len) = self.intern(cell.symbol());
            let look = Look::of(cell);
            // Runs of one look are the rule (a pane's text, its border): check the
            // last one before the table.
            let id = match last {
                Some((l, id)) if l == look => id,
                _ => match index.get(&look) {
                    Some(&id) => id,
                    None if self.looks.len() < usize::from(LOST) => {
                        self.looks.push(look);
                        let id = (self.looks.len() - 1) as u16;
                        index.insert(look, id);
                        id
                    }
                    None => LOST,
                },
            };
            last = Some((look, id));
            self.cells.push(ShownCell {
                text,
                len,
                look: id,
            });
        }
    }

    /// Whether `row` of the next frame (its cells) needs no write over row `y` shown:
    /// every cell equal, none asking to be written anyway.
    pub fn row_unchanged(&self, y: u16, row: &[Cell]) -> bool {
        let shown = self.row(y);
        shown.len() == row.len()
            && row.iter().zip(shown).all(|(cell, s)| {
                cell.diff_option != CellDiffOption::AlwaysUpdate
                    && self.look(s) == Some(Look::of(cell))
                    && self.text(s) == cell.symbol()
            })
    }

    /// Row `y` as ratatui cells, into `into` (a one-row buffer as wide as the frame).
    pub fn row_into(&self, y: u16, into: &mut Buffer) {
        for (cell, s) in into.content.iter_mut().zip(self.row(y)) {
            cell.reset();
            cell.set_symbol(self.text(s));
            match self.look(s) {
                Some(look) => {
                    cell.fg = look.ink.fg;
                    cell.bg = look.ink.bg;
                    cell.underline_color = look.ink.underline;
                    cell.modifier = look.ink.modifier;
                    cell.diff_option = look.diff;
                    #[allow(deprecated)]
                    {
                        cell.skip = look.skip;
                    }
                }
                // What the terminal shows there is not known: a flag no drawn cell
                // carries makes it differ from any next cell, so it is written.
                #[allow(deprecated)]
                None => cell.skip = true,
            }
        }
    }

    /// The text at (`x`, `y`).
    #[cfg(test)]
    pub fn symbol(&self, x: u16, y: u16) -> &str {
        self.text(&self.row(y)[usize::from(x)])
    }

    fn row(&self, y: u16) -> &[ShownCell] {
        let w = usize::from(self.area.width);
        let from = usize::from(y) * w;
        self.cells.get(from..from + w).unwrap_or(&[])
    }

    fn intern(&mut self, text: &str) -> ([u8; 4], u8) {
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => {
                let mut bytes = [0; 4];
                let len = c.encode_utf8(&mut bytes).len() as u8;
                (bytes, len)
            }
            _ => {
                self.long.push(text.into());
                ((self.long.len() as u32 - 1).to_le_bytes(), LONG)
            }
        }
    }

    fn look(&self, s: &ShownCell) -> Option<Look> {
        self.looks.get(s.look as usize).copied()
    }

    fn text<'a>(&'a self, s: &'a ShownCell) -> &'a str {
        if s.len == LONG {
            let i = u32::from_le_bytes(s.text) as usize;
            self.long.get(i).map_or("", |t| t)
        } else {
            std::str::from_utf8(&s.text[..usize::from(s.len)]).unwrap_or("")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Modifier, Style};

    fn frame() -> Buffer {
        let mut b = Buffer::empty(Rect::new(0, 0, 6, 2));
        b.set_string(0, 0, "ab", Style::default().fg(Color::Red));
        // Texts longer than one char: a combining accent, an emoji with a selector.
        b[(2, 0)].set_symbol("e\u{301}");
        b[(3, 0)].set_symbol("❤\u{fe0f}");
        b[(0, 1)].set_symbol("コ").modifier = Modifier::BOLD;
        b[(5, 1)].set_diff_option(CellDiffOption::Skip);
        b
    }

    #[test]
    fn a_cell_is_kept_in_a_sixth_of_the_room_of_ratatuis() {
        assert!(std::mem::size_of::<ShownCell>() <= 8);
        assert!(std::mem::size_of::<ShownCell>() * 6 <= std::mem::size_of::<Cell>());
    }

    #[test]
    fn past_the_looks_it_can_index_a_cell_is_written_again() {
        // 300x250 cells, each its own colour: more looks than a u16 indexes.
        let area = Rect::new(0, 0, 300, 250);
        let mut b = Buffer::empty(area);
        for (i, cell) in b.content.iter_mut().enumerate() {
            let [_, r, g, bl] = (i as u32).to_be_bytes();
            cell.set_symbol("x").fg = Color::Rgb(r, g, bl);
        }
        let mut shown = Shown::default();
        shown.keep(&b);
        let first = &b.content[..300];
        assert!(shown.row_unchanged(0, first), "early rows keep their looks");
        let last = &b.content[249 * 300..];
        assert!(!shown.row_unchanged(249, last), "a lost look is a change");
        let mut prev = Buffer::empty(Rect::new(0, 0, 300, 1));
        let mut next = Buffer::empty(Rect::new(0, 0, 300, 1));
        shown.row_into(249, &mut prev);
        next.content.clone_from_slice(last);
        assert_eq!(
            prev.diff_iter(&next).count(),
            300,
            "every lost cell is written"
        );
    }

    #[test]
    fn every_row_comes_back_as_the_cells_it_was_taken_from() {
        let b = frame();
        let mut shown = Shown::default();
        shown.keep(&b);
        let mut row = Buffer::empty(Rect::new(0, 0, 6, 1));
        for y in 0..2 {
            shown.row_into(y, &mut row);
            let w = 6;
            let from = usize::from(y) * w;
            assert_eq!(row.content, b.content[from..from + w], "row {y}");
            assert!(shown.row_unchanged(y, &b.content[from..from + w]));
        }
        assert_eq!(shown.symbol(2, 0), "e\u{301}");
        assert_eq!(shown.symbol(3, 0), "❤\u{fe0f}");
    }

    #[test]
    fn a_change_of_text_ink_or_flag_is_a_changed_row() {
        let b = frame();
        let mut shown = Shown::default();
        shown.keep(&b);
        let row = |b: &Buffer| b.content[..6].to_vec();
        let mut text = frame();
        text[(3, 0)].set_symbol("❤");
        let mut ink = frame();
        ink[(1, 0)].bg = Color::Blue;
        let mut always = frame();
        always[(4, 0)].set_diff_option(CellDiffOption::AlwaysUpdate);
        for (what, other) in [("text", text), ("ink", ink), ("always", always)] {
            assert!(!shown.row_unchanged(0, &row(&other)), "{what}");
        }
        assert!(shown.row_unchanged(0, &row(&b)));
    }
}
