//! Sources: one tokio task each, sending events. Sources know nothing of the UI.
