//! Word wrapping of styled lines for overlays: a long error reason or commit title is
//! read whole on the next rows instead of being cut at the box edge.

use ratatui::style::Style;

use crate::ui::paint::width;

pub type Line = Vec<(String, Style)>;

/// Continuation rows are indented by this many cells, so they read as one item.
const INDENT: usize = 4;

/// Splits `line` into rows of at most `max` cells, breaking after spaces where it can
/// and inside a word only when the word alone is wider than a row.
pub fn wrap(line: &Line, max: usize) -> Vec<Line> {
    let total: usize = line.iter().map(|(s, _)| width(s)).sum();
    if total <= max || max <= INDENT + 1 {
        return vec![line.clone()];
    }
    let mut rows: Vec<Line> = vec![Vec::new()];
    let mut used = 0;
    for (piece, style) in line {
        for word in piece.split_inclusive(' ') {
            let w = width(word);
            let bare = width(word.trim_end_matches(' '));
            if used > 0 && used + bare > max {
                rows.push(vec![(" ".repeat(INDENT), Style::new())]);
                used = INDENT;
            }
            if used + w <= max || used + bare <= max {
                push(rows.last_mut(), word, *style);
                used += w;
                continue;
            }
            // A word wider than a whole row: cut it.
            for ch in word.chars() {
                let cw = width(ch.encode_utf8(&mut [0; 4]));
                if used + cw > max {
                    rows.push(vec![(" ".repeat(INDENT), Style::new())]);
                    used = INDENT;
                }
                push(rows.last_mut(), ch.encode_utf8(&mut [0; 4]), *style);
                used += cw;
            }
        }
    }
    rows
}

fn push(row: Option<&mut Line>, s: &str, style: Style) {
    let Some(row) = row else { return };
    match row.last_mut() {
        Some((text, st)) if *st == style => text.push_str(s),
        _ => row.push((s.to_string(), style)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(rows: &[Line]) -> Vec<String> {
        rows.iter()
            .map(|r| r.iter().map(|(s, _)| s.as_str()).collect::<String>())
            .collect()
    }

    #[test]
    fn short_lines_stay_whole_and_long_ones_break_between_words() {
        let plain = Style::new();
        let line = vec![
            ("error: ".to_string(), plain),
            ("tcp connect refused by host".to_string(), plain),
        ];
        assert_eq!(
            text(&wrap(&line, 80)),
            ["error: tcp connect refused by host"]
        );
        let rows = text(&wrap(&line, 16));
        assert_eq!(
            rows,
            ["error: tcp ", "    connect ", "    refused by ", "    host"]
        );
        assert!(rows.iter().all(|r| width(r.trim_end()) <= 16), "{rows:?}");
    }

    #[test]
    fn a_word_wider_than_a_row_is_cut() {
        let line = vec![("abcdefghijklmnop".to_string(), Style::new())];
        let rows = text(&wrap(&line, 10));
        assert_eq!(rows, ["abcdefghij", "    klmnop"]);
    }
}
