//! Memory kept from one derive for the next. A cockpit derives on every poll; at a
//! million deployments the histories are some 60 MB, and laying them out in fresh
//! memory each time costs about 15,000 page faults — a third of the work. Histories
//! given back here are emptied and laid out again in the same buffers.

use super::{Histories, History};

/// Buffers of earlier histories, ready for the next [`Histories::build_in`].
#[derive(Debug, Default)]
pub struct Scratch {
    histories: Vec<History>,
    row_of: Vec<u32>,
}

impl Scratch {
    /// Keeps the buffers of `histories`; their contents are dropped when handed out.
    pub fn recycle(&mut self, histories: Histories<'_>) {
        self.histories.extend(histories.services.into_values());
        self.row_of = histories.row_of;
    }

    /// An empty history (with the memory of a recycled one, if any).
    pub(super) fn history(&mut self) -> History {
        let mut history = self.histories.pop().unwrap_or_default();
        history.clear();
        history
    }

    /// An empty row index (with the memory of a recycled one, if any).
    pub(super) fn row_of(&mut self) -> Vec<u32> {
        let mut row_of = std::mem::take(&mut self.row_of);
        row_of.clear();
        row_of
    }
}
