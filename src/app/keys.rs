//! Every key the cockpit understands, in one table: the help overlay, the footer and
//! the README read it, so what is documented is what is bound.

/// Where a binding acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// On every screen (the cockpit, the fleet, and overlays where it says so).
    Everywhere,
    /// On the cockpit's panes.
    Cockpit,
    /// On the fleet view.
    Fleet,
    /// While a review form is open (every other key types).
    Form,
}

impl Scope {
    pub const ALL: [Scope; 4] = [Scope::Everywhere, Scope::Cockpit, Scope::Fleet, Scope::Form];
    /// The help overlay's heading for the scope.
    pub fn heading(self) -> &'static str {
        match self {
            Scope::Everywhere => "Everywhere",
            Scope::Cockpit => "Cockpit",
            Scope::Fleet => "Fleet view",
            Scope::Form => "Review forms",
        }
    }
}

/// A short footer hint: the key as shown, one word, and its rank (when the terminal
/// is narrow the footer keeps the lowest ranks: the keys the README points at).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint {
    pub key: &'static str,
    pub word: &'static str,
    pub rank: u8,
}

/// One binding: the keys as shown (comma-separated), what they do, where, and the
/// footer's hint for it if it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub keys: &'static str,
    pub what: &'static str,
    pub scope: Scope,
    pub hint: Option<Hint>,
}

const fn bind(keys: &'static str, what: &'static str, scope: Scope) -> Binding {
    Binding {
        keys,
        what,
        scope,
        hint: None,
    }
}

const fn hinted(
    keys: &'static str,
    what: &'static str,
    scope: Scope,
    hint: (&'static str, &'static str, u8),
) -> Binding {
    Binding {
        keys,
        what,
        scope,
        hint: Some(Hint {
            key: hint.0,
            word: hint.1,
            rank: hint.2,
        }),
    }
}

use Scope::{Cockpit, Everywhere, Fleet, Form};

/// Every binding. Order is the footer's order (and, scope by scope, the help's).
pub const KEYS: &[Binding] = &[
    hinted(
        "q, Ctrl-C, Ctrl-D",
        "quit (in an overlay Ctrl-D scrolls instead)",
        Everywhere,
        ("q", "quit", 0),
    ),
    hinted("?", "show or hide this help", Everywhere, ("?", "help", 1)),
    hinted(
        "Tab, Shift-Tab",
        "focus the next / previous pane",
        Cockpit,
        ("Tab", "pane", 4),
    ),
    hinted(
        "j, k, Down, Up",
        "move the selection (scroll in overlays)",
        Everywhere,
        ("j/k", "move", 5),
    ),
    bind(
        "g, G, Home, End",
        "first / last row (top / end in overlays)",
        Everywhere,
    ),
    bind("PgDn, PgUp", "move a page", Everywhere),
    bind(
        "Ctrl-D, Ctrl-U",
        "in overlays: scroll half a page down / up",
        Everywhere,
    ),
    hinted(
        "Enter",
        "open the selected deployment; in other panes, zoom",
        Cockpit,
        ("Enter", "open", 6),
    ),
    hinted(
        "Enter",
        "open the selected service's cockpit",
        Fleet,
        ("Enter", "open", 6),
    ),
    hinted(
        "s, /",
        "pick a service (type to filter, Enter to choose)",
        Cockpit,
        ("s", "service", 7),
    ),
    hinted(
        "/",
        "filter by name, group or tier (Enter keeps it, Esc clears it)",
        Fleet,
        ("/", "filter", 7),
    ),
    hinted(
        "1-6",
        "zoom pane 1-6 (again to unzoom)",
        Cockpit,
        ("1-6", "zoom", 8),
    ),
    hinted(
        "o",
        "sort by budget left, fastest burn, last deploy or name",
        Fleet,
        ("o", "sort", 8),
    ),
    bind("z", "zoom or unzoom the focused pane", Cockpit),
    bind("Esc", "back: close the overlay or unzoom", Cockpit),
    bind("Esc", "clear the filter", Fleet),
    bind("[, ]", "previous / next service", Cockpit),
    hinted(
        "m",
        "SPC: cycle the charted metric",
        Cockpit,
        ("m", "metric", 9),
    ),
    hinted(
        "v",
        "review: start a review of the selected deployment",
        Cockpit,
        ("v", "review", 10),
    ),
    bind(
        "V",
        "review: start a review of its release (the version across services)",
        Cockpit,
    ),
    bind(
        "Space, x",
        "review pane: tick or untick the manual item",
        Cockpit,
    ),
    bind(
        "n",
        "review pane: a note on the manual item (a form)",
        Cockpit,
    ),
    bind(
        "F",
        "review pane: a finding with its category (a form)",
        Cockpit,
    ),
    bind(
        "d",
        "review pane: the decision, keep, roll back or follow up, with a reason (a form)",
        Cockpit,
    ),
    bind(
        "a",
        "review pane: an action item for the tracker (a form)",
        Cockpit,
    ),
    bind(
        "R",
        "review pane: send the failed action item under the cursor again",
        Cockpit,
    ),
    hinted(
        "t",
        "roll up by group, by tier, or not at all",
        Fleet,
        ("t", "group", 9),
    ),
    bind("f", "the fleet view: every service, one row each", Cockpit),
    bind(
        "y",
        "copy the deployment's version (again: sha, then URL) via OSC 52",
        Cockpit,
    ),
    bind(
        ":",
        "command line: :service NAME, :env NAME, :window 7d, :q (Esc cancels)",
        Everywhere,
    ),
    bind("h", "source health details", Everywhere),
    hinted(
        "r",
        "refresh every source now",
        Everywhere,
        ("r", "refresh", 3),
    ),
    hinted(
        "b",
        "demo only: roll back the live rollout",
        Cockpit,
        ("b", "rollback", 2),
    ),
    hinted(
        "Enter",
        "save the form (or say what is wrong, on the field)",
        Form,
        ("Enter", "save", 0),
    ),
    hinted(
        "Esc",
        "cancel the form (asks first when something typed would be lost)",
        Form,
        ("Esc", "cancel", 1),
    ),
    hinted(
        "Tab, Shift-Tab, Down, Up",
        "next / previous field",
        Form,
        ("Tab", "next field", 2),
    ),
    hinted(
        "Left, Right",
        "move the cursor; on a choice, the previous / next option",
        Form,
        ("Left/Right", "choose", 3),
    ),
    bind(
        "Home, End, Ctrl-A, Ctrl-E",
        "to the start / end of the text",
        Form,
    ),
    bind(
        "Backspace, Delete",
        "delete before / under the cursor",
        Form,
    ),
    hinted(
        "Ctrl-U",
        "delete everything before the cursor",
        Form,
        ("^U", "clear", 4),
    ),
    hinted(
        "Ctrl-W",
        "delete the word before the cursor",
        Form,
        ("^W", "word", 5),
    ),
];

/// Keys that act only on the embedded demo: neither the help nor the footer offers
/// them elsewhere, and elsewhere they emit no command.
pub const DEMO_ONLY: &[&str] = &["b"];

/// Whether the key (as written in [`KEYS`] or a [`Hint`]) is offered in this run.
pub fn offered(keys: &str, demo: bool) -> bool {
    demo || !DEMO_ONLY.contains(&keys)
}

/// Whether a binding acts on the screen shown (the fleet or the cockpit).
pub fn acts_on(scope: Scope, fleet: bool) -> bool {
    match scope {
        Scope::Everywhere => true,
        Scope::Cockpit => !fleet,
        Scope::Fleet => fleet,
        // Only while a form is open, and then alone (see `ui::footer`).
        Scope::Form => false,
    }
}
