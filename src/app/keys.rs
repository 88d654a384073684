//! Every key the cockpit understands, in one table: the help overlay and the footer
//! read it, so what is documented is what is bound.

/// (keys as shown, what they do). Order is the help overlay's order.
pub const HELP: &[(&str, &str)] = &[
    (
        "q, Ctrl-C, Ctrl-D",
        "quit (in an overlay Ctrl-D scrolls instead)",
    ),
    ("?", "show or hide this help"),
    ("Tab, Shift-Tab", "focus the next / previous pane"),
    ("j, k, Down, Up", "move the selection (scroll in overlays)"),
    (
        "g, G, Home, End",
        "first / last row (top / end in overlays)",
    ),
    ("PgDn, PgUp", "move a page"),
    (
        "Ctrl-D, Ctrl-U",
        "in overlays: scroll half a page down / up",
    ),
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
    ("v", "review: start a review of the selected deployment"),
    (
        "V",
        "review: start a review of its release (the version across services)",
    ),
    ("Space, x", "review pane: tick or untick the manual item"),
    ("h", "source health details"),
    ("r", "refresh every source now"),
    ("b", "demo only: roll back the live rollout"),
];

/// Keys that act only on the embedded demo: neither the help nor the footer offers
/// them elsewhere, and elsewhere they emit no command.
pub const DEMO_ONLY: &[&str] = &["b"];

/// Whether the key (as written in [`HELP`] or [`FOOTER`]) is offered in this run.
pub fn offered(keys: &str, demo: bool) -> bool {
    demo || !DEMO_ONLY.contains(&keys)
}

/// The short hints the footer shows, in the order shown, each with its rank: when
/// the terminal is narrow the footer keeps the lowest ranks (the keys the README
/// points at: quit, help, the demo's rollback, refresh) and drops the others.
pub const FOOTER: &[(&str, &str, u8)] = &[
    ("q", "quit", 0),
    ("?", "help", 1),
    ("Tab", "pane", 4),
    ("j/k", "move", 5),
    ("Enter", "open", 6),
    ("s", "service", 7),
    ("1-6", "zoom", 8),
    ("m", "metric", 9),
    ("v", "review", 10),
    ("r", "refresh", 3),
    ("b", "rollback", 2),
];
