//! A stat tile: name, value with trend arrow, the counts behind it and a level badge.
//! It adapts to the rows it gets: 4+ rows give one fact per row, 3 rows put the badge
//! beside the counts, 2 rows drop the counts, 1 row is name and value.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::ui::paint::{fit, put_spans, width};

use crate::ui::theme::Theme;

pub struct Tile<'a> {
    pub name: &'a str,
    pub value: &'a str,
    pub value_style: Style,
    /// Trend arrow and a word for it ("better", "worse"), styled by goodness.
    pub arrow: &'a str,
    pub trend_word: &'a str,
    /// What replaces the word where it does not fit (✓ better, ✗ worse): the arrow
    /// gives the direction only, and colour alone must not say whether it is good.
    pub trend_mark: &'a str,
    pub trend_style: Style,
    /// The counts behind the value, longest form first; the first that fits is shown
    /// (the last, cut, when none does).
    pub counts: &'a [String],
    pub badge: &'a str,
    pub badge_style: Style,
}

impl Tile<'_> {
    fn counts_within(&self, w: usize) -> &str {
        self.counts
            .iter()
            .find(|c| width(c) <= w)
            .or(self.counts.last())
            .map_or("", String::as_str)
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let w = usize::from(area.width);
        let p = theme.plain();
        let name = fit(self.name, w, theme);
        // The trend word when it fits beside the value, else its mark.
        let with_word = width(self.value) + width(self.arrow) + width(self.trend_word) + 2 <= w;
        let (gap, word) = if with_word {
            (" ", self.trend_word)
        } else {
            ("", self.trend_mark)
        };
        let value_line: [(&str, Style); 5] = [
            (self.value, self.value_style),
            (" ", p),
            (self.arrow, self.trend_style),
            (gap, p),
            (word, self.trend_style),
        ];
        match area.height {
            0 => {}
            1 => {
                let col = put_spans(buf, area, 0, 0, &[(&name, theme.bold()), (" ", p)]);
                let short = [
                    value_line[0],
                    value_line[1],
                    value_line[2],
                    (self.trend_mark, self.trend_style),
                ];
                put_spans(buf, area, col, 0, &short);
            }
            2 | 3 => {
                put_spans(buf, area, 0, 0, &[(&name, theme.bold())]);
                put_spans(buf, area, 0, 1, &value_line);
                if area.height == 3 {
                    let rest = w.saturating_sub(width(self.badge) + 1);
                    put_spans(
                        buf,
                        area,
                        0,
                        2,
                        &[
                            (self.badge, self.badge_style),
                            (" ", p),
                            (&fit(self.counts_within(rest), rest, theme), theme.muted()),
                        ],
                    );
                }
            }
            _ => {
                put_spans(buf, area, 0, 0, &[(&name, theme.bold())]);
                put_spans(buf, area, 0, 1, &value_line);
                put_spans(
                    buf,
                    area,
                    0,
                    2,
                    &[(&fit(self.counts_within(w), w, theme), theme.muted())],
                );
                put_spans(buf, area, 0, 3, &[(self.badge, self.badge_style)]);
            }
        }
    }
}
