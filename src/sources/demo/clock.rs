//! The demo's clock: demo time runs [`SPEED`] times faster than the wall clock, so the
//! story of a bad rollout — canary, page alert, rollback, recovery — plays out in about
//! a minute while the burn-rate alerts use their real windows (1 h and 5 m, 6 h and
//! 30 m; DESIGN §3). The header says so ("DEMO ×60 time").

use chrono::{Duration, Utc};

use crate::model::Ts;

/// How many demo seconds pass per wall-clock second.
pub const SPEED: i32 = 60;

/// Demo time: `origin` on the wall clock is `origin` in the demo; from there the demo
/// runs `speed` times faster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoClock {
    origin: Ts,
    speed: i32,
}

impl DemoClock {
    /// A clock at [`SPEED`] whose demo time starts at `origin` (the world's origin).
    pub fn starting_at(origin: Ts) -> Self {
        DemoClock {
            origin,
            speed: SPEED,
        }
    }

    pub fn origin(&self) -> Ts {
        self.origin
    }

    pub fn speed(&self) -> i32 {
        self.speed
    }

    /// Demo time at the wall-clock instant `wall`; saturates instead of overflowing.
    pub fn at(&self, wall: Ts) -> Ts {
        let elapsed = wall - self.origin;
        let scaled = elapsed
            .num_milliseconds()
            .saturating_mul(i64::from(self.speed));
        self.origin
            .checked_add_signed(Duration::milliseconds(scaled))
            .unwrap_or(wall)
    }

    /// Demo time now.
    pub fn now(&self) -> Ts {
        self.at(Utc::now())
    }

    /// A wall-clock duration as demo time (an update interval, for staleness).
    pub fn scale(&self, wall: Duration) -> Duration {
        wall * self.speed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_time_runs_speed_times_faster_from_the_origin() {
        let origin = Utc::now();
        let clock = DemoClock::starting_at(origin);
        assert_eq!(clock.at(origin), origin);
        assert_eq!(
            clock.at(origin + Duration::seconds(1)),
            origin + Duration::seconds(i64::from(SPEED))
        );
        assert_eq!(
            clock.at(origin + Duration::milliseconds(1500)),
            origin + Duration::milliseconds(1500 * i64::from(SPEED))
        );
        assert_eq!(clock.scale(Duration::seconds(2)), Duration::seconds(120));
    }
}
