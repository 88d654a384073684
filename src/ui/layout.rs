//! Where everything goes, by plain saturating arithmetic (no constraint solver: it is
//! cheaper per frame and cannot produce a rectangle outside the screen).

use ratatui::layout::Rect;

use crate::app::PaneId;

/// The smallest size that gets the full cockpit.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;
/// The smallest size that gets the compact view; below it, one "too small" line. At
/// 25x3 the compact view still shows its first facts whole (the service, the latest
/// deployment's status and version, the budget left and its policy); one column or row
/// less and one of them is cut or gone (`compact::tests` holds it to that).
pub const COMPACT_WIDTH: u16 = 25;
pub const COMPACT_HEIGHT: u16 = 3;

const HEADER_HEIGHT: u16 = 2;
const FOOTER_HEIGHT: u16 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Full cockpit: header, panes (or one zoomed pane), footer.
    Full(Cockpit),
    /// The most important facts only.
    Compact,
    /// One line saying the terminal is too small.
    TooSmall,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cockpit {
    pub header: Rect,
    pub footer: Rect,
    /// Every pane with its rectangle; a hidden pane (another is zoomed) has an empty one.
    pub panes: [(PaneId, Rect); 6],
}

impl Cockpit {
    pub fn rect(&self, pane: PaneId) -> Rect {
        self.panes
            .iter()
            .find(|(p, _)| *p == pane)
            .map_or(Rect::default(), |(_, r)| *r)
    }
}

pub fn screen(area: Rect, zoomed: Option<PaneId>) -> Screen {
    if area.width >= MIN_WIDTH && area.height >= MIN_HEIGHT {
        Screen::Full(cockpit(area, zoomed))
    } else if area.width >= COMPACT_WIDTH && area.height >= COMPACT_HEIGHT {
        Screen::Compact
    } else {
        Screen::TooSmall
    }
}

fn cockpit(area: Rect, zoomed: Option<PaneId>) -> Cockpit {
    let header = Rect::new(area.x, area.y, area.width, HEADER_HEIGHT.min(area.height));
    let footer_y = area.bottom().saturating_sub(FOOTER_HEIGHT);
    let footer = Rect::new(area.x, footer_y, area.width, FOOTER_HEIGHT.min(area.height));
    let body_y = header.bottom();
    let body = Rect::new(area.x, body_y, area.width, footer_y.saturating_sub(body_y));
    let mut panes = PaneId::ALL.map(|p| (p, Rect::default()));
    if let Some(zoom) = zoomed {
        for (p, r) in panes.iter_mut() {
            if *p == zoom {
                *r = body;
            }
        }
        return Cockpit {
            header,
            footer,
            panes,
        };
    }
    let (w, h) = (body.width, body.height);
    // Deployments and budget are what the on-call engineer looks at first: the top row
    // keeps at least 9 rows (7 table rows) even at 80x24.
    let top_h = (h * 36 / 100).max(9).min(h);
    let dora_h = if h >= 30 { 6 } else { 5 }.min(h - top_h);
    let bottom_h = h - top_h - dora_h;
    let top_y = body.y;
    let dora_y = top_y + top_h;
    let bottom_y = dora_y + dora_h;

    // Narrow screens give the budget pane room for its five burn-rate columns.
    let deploy_w = if w >= 100 { w * 65 / 100 } else { w * 59 / 100 };
    let signals_w = w * 45 / 100;
    let spc_w = w * 33 / 100;
    let x = body.x;
    for (p, r) in panes.iter_mut() {
        *r = match p {
            PaneId::Deployments => Rect::new(x, top_y, deploy_w, top_h),
            PaneId::Budget => Rect::new(x + deploy_w, top_y, w - deploy_w, top_h),
            PaneId::Dora => Rect::new(x, dora_y, w, dora_h),
            PaneId::Signals => Rect::new(x, bottom_y, signals_w, bottom_h),
            PaneId::Spc => Rect::new(x + signals_w, bottom_y, spc_w, bottom_h),
            PaneId::Review => Rect::new(
                x + signals_w + spc_w,
                bottom_y,
                w - signals_w - spc_w,
                bottom_h,
            ),
        };
    }
    Cockpit {
        header,
        footer,
        panes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panes_tile_the_body_without_overlap_at_80x24() {
        let Screen::Full(c) = screen(Rect::new(0, 0, 80, 24), None) else {
            panic!("80x24 must get the full cockpit");
        };
        let cells: u32 = c.panes.iter().map(|(_, r)| r.area()).sum();
        assert_eq!(cells, 80 * (24 - 3));
        for (i, (_, a)) in c.panes.iter().enumerate() {
            for (_, b) in &c.panes[i + 1..] {
                assert!(!a.intersects(*b), "{a:?} overlaps {b:?}");
            }
        }
        assert_eq!(c.rect(PaneId::Deployments).height, 9);
    }

    #[test]
    fn small_sizes_fall_back() {
        assert_eq!(screen(Rect::new(0, 0, 79, 24), None), Screen::Compact);
        assert_eq!(screen(Rect::new(0, 0, 29, 24), None), Screen::Compact);
        assert_eq!(screen(Rect::new(0, 0, 25, 3), None), Screen::Compact);
        assert_eq!(screen(Rect::new(0, 0, 24, 24), None), Screen::TooSmall);
        assert_eq!(screen(Rect::new(0, 0, 80, 2), None), Screen::TooSmall);
        assert_eq!(screen(Rect::new(0, 0, 1, 1), None), Screen::TooSmall);
    }

    #[test]
    fn zoom_gives_the_whole_body_to_one_pane() {
        let Screen::Full(c) = screen(Rect::new(0, 0, 120, 40), Some(PaneId::Spc)) else {
            panic!("120x40 must get the full cockpit");
        };
        assert_eq!(c.rect(PaneId::Spc), Rect::new(0, 2, 120, 37));
        assert_eq!(c.rect(PaneId::Budget).area(), 0);
    }
}
