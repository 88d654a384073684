//! When the next frame may go out: at most one per [`MIN_FRAME_GAP`] sustained, with
//! bursts of up to [`BURST`] at once. A plain gap after every frame held the first
//! data of a start 30 ms behind the frame of its first answer (answers arrive a
//! millisecond apart), and a key pressed just after a clock tick waited for the gap;
//! the burst lets a few frames out at once while a storm of events is still drawn at
//! 30 frames a second.
//!
//! It is the generic cell rate algorithm: `due` is when the next frame would be sent
//! at exactly the sustained rate; a frame may go out up to `BURST - 1` gaps before it.

use std::time::Duration;

use tokio::time::Instant;

/// At most ~30 frames per second, however fast events arrive.
pub const MIN_FRAME_GAP: Duration = Duration::from_millis(33);

/// Frames that may go out back to back before the gap applies.
pub const BURST: u32 = 3;

#[derive(Debug, Clone, Copy)]
pub struct Pacer {
    due: Instant,
}

impl Pacer {
    pub fn new(now: Instant) -> Pacer {
        Pacer { due: now }
    }

    /// The earliest instant the next frame may go out.
    pub fn ready_at(&self) -> Instant {
        self.due
            .checked_sub(MIN_FRAME_GAP * (BURST - 1))
            .unwrap_or(self.due)
    }

    /// Records a frame sent at `now`.
    pub fn sent(&mut self, now: Instant) {
        self.due = self.due.max(now) + MIN_FRAME_GAP;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends a frame whenever allowed from `start` for `span`, wanting one every `want`.
    fn frames(start: Instant, span: Duration, want: Duration) -> Vec<Instant> {
        let mut pacer = Pacer::new(start);
        let mut sent = Vec::new();
        let mut t = start;
        while t < start + span {
            let at = t.max(pacer.ready_at());
            if at >= start + span {
                break;
            }
            pacer.sent(at);
            sent.push(at);
            t += want;
        }
        sent
    }

    #[test]
    fn a_burst_goes_out_at_once_and_then_the_gap_applies() {
        let start = Instant::now();
        let sent = frames(start, Duration::from_millis(200), Duration::ZERO);
        let at: Vec<Duration> = sent.iter().map(|t| *t - start).collect();
        assert_eq!(at[..3], [Duration::ZERO; 3], "{at:?}");
        assert_eq!(at[3], MIN_FRAME_GAP);
        assert!(at.windows(2).skip(2).all(|w| w[1] - w[0] == MIN_FRAME_GAP));
    }

    #[test]
    fn a_storm_of_events_is_drawn_at_thirty_frames_a_second_at_most() {
        let start = Instant::now();
        let sent = frames(start, Duration::from_secs(10), Duration::from_millis(1));
        let most = 10_000 / 33 + BURST as usize;
        assert!(sent.len() <= most, "{} frames in 10 s", sent.len());
        assert!(sent.len() >= most - 2, "{} frames in 10 s", sent.len());
    }

    #[test]
    fn after_a_quiet_spell_the_burst_is_whole_again() {
        let start = Instant::now();
        let mut pacer = Pacer::new(start);
        for _ in 0..BURST {
            assert!(pacer.ready_at() <= start);
            pacer.sent(start);
        }
        assert!(pacer.ready_at() > start, "the burst is spent");
        let later = start + Duration::from_secs(1);
        for _ in 0..BURST {
            assert!(pacer.ready_at() <= later);
            pacer.sent(later);
        }
    }
}
