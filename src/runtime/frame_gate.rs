//! No frame when nothing visible changed: the cockpit is rendered off screen and only
//! sent to the terminal when some cell differs from the last frame sent. A clock tick
//! whose shown time did not turn over, a fetch that brought the same figures, a
//! source's status that reads the same: none of them costs a write to the terminal.

use ratatui::buffer::Buffer;

#[derive(Default)]
pub struct FrameGate {
    last: Option<Buffer>,
}

impl FrameGate {
    /// Whether `frame` differs from the last frame let through (always true for the
    /// first one, and after a resize: the area is part of the buffer); keeps it when
    /// it does.
    pub fn changed(&mut self, frame: &Buffer) -> bool {
        if self.last.as_ref() == Some(frame) {
            return false;
        }
        self.last = Some(frame.clone());
        true
    }
}
