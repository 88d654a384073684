//! A time-series line chart drawn cell by cell: braille dots (2x4 per cell) in UTF-8,
//! `*` points joined by `.` in ASCII. Horizontal reference lines (SLO threshold,
//! control limits) and vertical labelled markers (deployments) sit under the data.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::ui::paint::{put, put_right, width};
use crate::ui::theme::{Sym, Theme};

/// A horizontal reference line with a label at its right end.
pub struct HLine<'a> {
    pub y: f64,
    pub label: &'a str,
    pub style: Style,
    pub dashed: bool,
}

/// A vertical marker (a deployment) labelled at the top of the plot.
pub struct VMark<'a> {
    pub x: f64,
    pub label: &'a str,
    pub style: Style,
}

pub struct Chart<'a> {
    /// (x, y) in data units, sorted by x; non-finite values break the line.
    pub points: &'a [(f64, f64)],
    pub x_range: (f64, f64),
    pub y_range: (f64, f64),
    pub style: Style,
    pub hlines: &'a [HLine<'a>],
    pub vmarks: &'a [VMark<'a>],
    /// Points drawn with the signal symbol (run-rule trips).
    pub highlights: &'a [(f64, f64)],
    pub highlight_style: Style,
    /// Labels of the top and bottom of the y axis.
    pub y_labels: (&'a str, &'a str),
    /// Labels of the left and right end of the x axis, on a row of their own.
    pub x_labels: Option<(&'a str, &'a str)>,
}

const BRAILLE_BITS: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];

/// Maps `v` in `range` onto `0..=steps-1`; a flat range maps to the middle.
fn scale(v: f64, range: (f64, f64), steps: u32) -> u32 {
    let max = steps.saturating_sub(1);
    let span = range.1 - range.0;
    let f = if span > 0.0 && span.is_finite() {
        (v - range.0) / span
    } else {
        0.5
    };
    (f.clamp(0.0, 1.0) * f64::from(max)).round() as u32
}

impl Chart<'_> {
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let area = area.intersection(buf.area);
        if area.width < 3 || area.height < 1 {
            return;
        }
        let label_w = width(self.y_labels.0).max(width(self.y_labels.1));
        let gutter = if label_w > 0 && usize::from(area.width) > label_w + 8 {
            label_w as u16 + 1
        } else {
            0
        };
        let x_row = self.x_labels.is_some() && area.height >= 4;
        let plot = Rect::new(
            area.x + gutter,
            area.y,
            area.width - gutter,
            area.height - u16::from(x_row),
        );
        if gutter > 0 {
            put(buf, area, 0, 0, self.y_labels.0, theme.muted());
            // On a one-row plot both labels would share a row: keep the top one.
            if plot.height > 1 {
                put(
                    buf,
                    area,
                    0,
                    plot.height - 1,
                    self.y_labels.1,
                    theme.muted(),
                );
            }
        }
        if let (true, Some((left, right))) = (x_row, self.x_labels) {
            let row = Rect::new(plot.x, plot.bottom(), plot.width, 1);
            put(buf, row, 0, 0, left, theme.muted());
            put_right(buf, row, 0, right, theme.muted());
        }
        self.draw_hlines(plot, buf, theme);
        self.draw_vmarks(plot, buf, theme);
        self.draw_data(plot, buf, theme);
        // Labels go on top of the data: a label hidden by a line is worse than a few
        // dots hidden by a label.
        self.draw_labels(plot, buf);
        for &(x, y) in self.highlights {
            if x.is_finite() && y.is_finite() {
                let col = scale(x, self.x_range, u32::from(plot.width)) as u16;
                let row = plot.height - 1 - scale(y, self.y_range, u32::from(plot.height)) as u16;
                put(
                    buf,
                    plot,
                    col,
                    row,
                    theme.sym(Sym::Signal),
                    self.highlight_style,
                );
            }
        }
    }

    fn row_of(&self, y: f64, plot: Rect) -> u16 {
        plot.height - 1 - scale(y, self.y_range, u32::from(plot.height)) as u16
    }

    fn draw_hlines(&self, plot: Rect, buf: &mut Buffer, theme: &Theme) {
        for line in self.hlines {
            if !line.y.is_finite() || line.y < self.y_range.0 || line.y > self.y_range.1 {
                continue;
            }
            let row = self.row_of(line.y, plot);
            let sym = theme.sym(if line.dashed { Sym::Dashed } else { Sym::HLine });
            for col in 0..plot.width {
                put(buf, plot, col, row, sym, line.style);
            }
        }
    }

    fn draw_vmarks(&self, plot: Rect, buf: &mut Buffer, theme: &Theme) {
        for mark in self.vmarks {
            if !mark.x.is_finite() || mark.x < self.x_range.0 || mark.x > self.x_range.1 {
                continue;
            }
            let col = scale(mark.x, self.x_range, u32::from(plot.width)) as u16;
            for row in 0..plot.height {
                put(buf, plot, col, row, theme.sym(Sym::Marker), mark.style);
            }
        }
    }

    fn draw_labels(&self, plot: Rect, buf: &mut Buffer) {
        // Marker labels (on the top row), first given first placed; a label that would
        // overlap one already placed is left out rather than garbled.
        let taken = self.draw_vmark_labels(plot, buf);
        // Reference-line labels at the right end, unless a marker label holds that
        // spot: which version was deployed matters more than the line's name.
        for line in self.hlines {
            if !(line.y.is_finite() && line.y >= self.y_range.0 && line.y <= self.y_range.1) {
                continue;
            }
            let row = self.row_of(line.y, plot);
            let w = width(line.label) as u16;
            let start = plot.width.saturating_sub(w);
            let clash = row == 0 && taken.iter().any(|&(a, b)| start < b && a < plot.width);
            if !clash {
                put_right(buf, plot, row, line.label, line.style);
            }
        }
    }

    /// Places the marker labels on the top row; returns the column spans they took.
    fn draw_vmark_labels(&self, plot: Rect, buf: &mut Buffer) -> Vec<(u16, u16)> {
        let mut taken: Vec<(u16, u16)> = Vec::with_capacity(self.vmarks.len());
        for mark in self.vmarks {
            if !mark.x.is_finite() || mark.x < self.x_range.0 || mark.x > self.x_range.1 {
                continue;
            }
            let col = scale(mark.x, self.x_range, u32::from(plot.width)) as u16;
            // The label reads rightwards from the marker, or leftwards at the right edge.
            let w = width(mark.label) as u16;
            let start = if col + 1 + w <= plot.width {
                col + 1
            } else {
                col.saturating_sub(w)
            };
            let end = start + w;
            if taken.iter().any(|&(a, b)| start <= b && a <= end) {
                continue;
            }
            taken.push((start, end));
            put(buf, plot, start, 0, mark.label, mark.style);
        }
        taken
    }

    fn draw_data(&self, plot: Rect, buf: &mut Buffer, theme: &Theme) {
        let (sx, sy) = if theme.ascii { (1, 1) } else { (2, 4) };
        let dots_w = u32::from(plot.width) * sx;
        let dots_h = u32::from(plot.height) * sy;
        // Per cell: braille bits, or in ASCII 1 = line passes, 2 = a data point.
        let mut grid = vec![0u8; usize::from(plot.width) * usize::from(plot.height)];
        let mut set = |dx: u32, dy: u32, point: bool| {
            let (cx, cy) = (dx / sx, dy / sy);
            let i = (cy * u32::from(plot.width) + cx) as usize;
            if let Some(cell) = grid.get_mut(i) {
                if theme.ascii {
                    *cell = (*cell).max(if point { 2 } else { 1 });
                } else {
                    *cell |= BRAILLE_BITS[(dx % 2) as usize][(dy % 4) as usize];
                }
            }
        };
        let mut prev: Option<(u32, u32)> = None;
        for &(x, y) in self.points {
            if !(x.is_finite() && y.is_finite()) {
                prev = None;
                continue;
            }
            let dx = scale(x, self.x_range, dots_w);
            let dy = dots_h - 1 - scale(y, self.y_range, dots_h);
            if let Some((px, py)) = prev {
                line(px, py, dx, dy, |a, b| set(a, b, false));
            }
            set(dx, dy, true);
            prev = Some((dx, dy));
        }
        for (i, &v) in grid.iter().enumerate() {
            if v == 0 {
                continue;
            }
            let x = plot.x + (i % usize::from(plot.width)) as u16;
            let y = plot.y + (i / usize::from(plot.width)) as u16;
            if let Some(cell) = buf.cell_mut((x, y)) {
                if theme.ascii {
                    cell.set_char(if v == 2 { '*' } else { '.' });
                } else {
                    cell.set_char(char::from_u32(0x2800 + u32::from(v)).unwrap_or('*'));
                }
                cell.set_style(self.style);
            }
        }
    }
}

/// Bresenham's line from (x0, y0) to (x1, y1), both ends included.
fn line(x0: u32, y0: u32, x1: u32, y1: u32, mut plot: impl FnMut(u32, u32)) {
    let (x0, y0, x1, y1) = (i64::from(x0), i64::from(y0), i64::from(x1), i64::from(y1));
    let (dx, dy) = ((x1 - x0).abs(), -(y1 - y0).abs());
    let (step_x, step_y) = (if x0 < x1 { 1 } else { -1 }, if y0 < y1 { 1 } else { -1 });
    let (mut x, mut y, mut err) = (x0, y0, dx + dy);
    loop {
        plot(x as u32, y as u32);
        if x == x1 && y == y1 {
            break;
        }
        let e2 = 2 * err;
        if e2 >= dy {
            err += dy;
            x += step_x;
        }
        if e2 <= dx {
            err += dx;
            y += step_y;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::text::buffer_to_text;

    #[test]
    fn scale_maps_ends_and_clamps() {
        assert_eq!(scale(0.0, (0.0, 10.0), 11), 0);
        assert_eq!(scale(10.0, (0.0, 10.0), 11), 10);
        assert_eq!(scale(5.0, (0.0, 10.0), 11), 5);
        assert_eq!(scale(99.0, (0.0, 10.0), 11), 10);
        assert_eq!(scale(3.0, (3.0, 3.0), 5), 2);
    }

    #[test]
    fn ascii_chart_draws_points_lines_and_markers() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 9, 3));
        let chart = Chart {
            points: &[(0.0, 0.0), (8.0, 2.0)],
            x_range: (0.0, 8.0),
            y_range: (0.0, 2.0),
            style: Style::new(),
            hlines: &[HLine {
                y: 1.0,
                label: "L",
                style: Style::new(),
                dashed: false,
            }],
            vmarks: &[VMark {
                x: 4.0,
                label: "v",
                style: Style::new(),
            }],
            highlights: &[],
            highlight_style: Style::new(),
            y_labels: ("", ""),
            x_labels: None,
        };
        chart.render(buf.area, &mut buf, &Theme::new(false, true));
        // Data over markers over the reference line; the line's label on the right.
        assert_eq!(buffer_to_text(&buf), "    |v..*\n--....--L\n*.  |");
    }

    #[test]
    fn a_one_row_chart_keeps_one_y_label_and_the_marker_label_wins_the_top_row() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 1));
        let chart = Chart {
            points: &[(0.0, 0.0), (10.0, 0.0)],
            x_range: (0.0, 10.0),
            y_range: (0.0, 1.0),
            style: Style::new(),
            hlines: &[HLine {
                y: 1.0,
                label: "SLO",
                style: Style::new(),
                dashed: true,
            }],
            vmarks: &[VMark {
                x: 10.0,
                label: "v2",
                style: Style::new(),
            }],
            highlights: &[],
            highlight_style: Style::new(),
            y_labels: ("top", "low"),
            x_labels: None,
        };
        chart.render(buf.area, &mut buf, &Theme::new(false, true));
        let text = buffer_to_text(&buf);
        assert!(text.starts_with("top "), "{text:?}");
        assert!(!text.contains("low"), "{text:?}");
        assert!(text.contains("v2"), "{text:?}");
        assert!(!text.contains('S') && !text.contains('O'), "{text:?}");
    }
}
