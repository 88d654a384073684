//! Every key the cockpit understands, in one table: the help overlay and the footer
//! read it, so what is documented is what is bound.

/// (keys as shown, what they do). Order is the help overlay's order.
pub const HELP: &[(&str, &str)] = &[
    ("q, Ctrl-C, Ctrl-D", "quit"),
    ("?", "show or hide this help"),
    ("Tab, Shift-Tab", "focus the next / previous pane"),
    ("j, k, Down, Up", "move the selection (scroll in overlays)"),
    ("g, G, Home, End", "first / last row"),
    ("PgDn, PgUp", "move a page"),
    (
        "Enter",
        "open the selected deployment; in other panes, zoom",
    ),
    ("1-6", "zoom pane 1-6 (again to unzoom)"),
    ("z", "zoom or unzoom the focused pane"),
    ("Esc", "back: close the overlay or unzoom"),
    ("s, /", "pick a service (type to filter, Enter to choose)"),
    ("[, ]", "previous / next service"),
    ("m", "SPC: cycle the charted metric"),
    ("h", "source health details"),
    ("r", "refresh every source now"),
    ("b", "demo: roll back the live rollout"),
];

/// The short hints the footer shows, most important first; the footer drops hints
/// from the end when the terminal is narrow.
pub const FOOTER: &[(&str, &str)] = &[
    ("q", "quit"),
    ("?", "help"),
    ("Tab", "pane"),
    ("j/k", "move"),
    ("Enter", "open"),
    ("s", "service"),
    ("1-6", "zoom"),
    ("m", "metric"),
    ("r", "refresh"),
    ("b", "rollback"),
];
