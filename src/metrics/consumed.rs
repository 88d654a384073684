//! Budget consumed by a deployment (DESIGN §3): over `[started_at, finished_at + bake)`
//! the errors above the baseline (the hour before the deployment), as a fraction of the
//! SLO window's budget: `(ratio − baseline) × requests / (budget × total_requests(W))`.
//! Integrated request-weighted over the series' steps. The result is signed: a
//! deployment that lowered the error ratio gave budget back. Without both series, or
//! without traffic in either interval, the figure is `None`.

use chrono::Duration;

use crate::model::{Series, Ts};

/// Error-ratio and request-rate series of one service.
#[derive(Debug, Clone, Copy)]
pub struct Traffic<'a> {
    pub ratio: &'a [(Ts, f64)],
    /// Requests per second.
    pub rate: &'a [(Ts, f64)],
}

impl<'a> Traffic<'a> {
    pub fn new(ratio: &'a Series, rate: &'a Series) -> Self {
        Traffic {
            ratio: &ratio.points,
            rate: &rate.points,
        }
    }

    /// Bad and total requests over `[a, b)`: each rate point stands for the step up to
    /// the next point (the last point for the step before it), clipped to `b`. The
    /// error ratio at a point is the latest ratio sample at or before it.
    pub fn integrate(&self, a: Ts, b: Ts) -> (f64, f64) {
        let (mut bad, mut total) = (0.0, 0.0);
        let pts = self.rate;
        let first = pts.partition_point(|(t, _)| *t < a);
        // Both series are sorted: the ratio cursor only moves forward.
        let mut cursor = self.ratio.partition_point(|(p, _)| *p <= a);
        for i in first..pts.len() {
            let (t, rate) = pts[i];
            if t >= b {
                break;
            }
            let next = match pts.get(i + 1) {
                Some((n, _)) => *n,
                None => match i.checked_sub(1).and_then(|p| pts.get(p)) {
                    Some((p, _)) => t + (t - *p),
                    None => continue,
                },
            };
            while self.ratio.get(cursor).is_some_and(|(p, _)| *p <= t) {
                cursor += 1;
            }
            // The latest ratio sample at or before `t`.
            let ratio = cursor
                .checked_sub(1)
                .and_then(|c| self.ratio.get(c))
                .map(|(_, v)| *v)
                .filter(|v| v.is_finite())
                .map(|v| v.clamp(0.0, 1.0));
            let step = (next.min(b) - t).num_milliseconds() as f64 / 1000.0;
            let Some(ratio) = ratio else {
                continue;
            };
            if !(rate.is_finite() && rate >= 0.0 && step > 0.0) {
                continue;
            }
            let requests = rate * step;
            total += requests;
            bad += ratio * requests;
        }
        (bad, total)
    }

    /// The request-rate series' step just before `t`: the gap between its last two
    /// samples before `t` (None with fewer than two).
    pub fn step_before(&self, t: Ts) -> Option<Duration> {
        let end = self.rate.partition_point(|(p, _)| *p < t);
        let [(a, _), (b, _)] = self.rate.get(end.checked_sub(2)?..end)? else {
            return None;
        };
        Some(*b - *a)
    }

    /// Request-weighted error ratio over `[a, b)`, `None` without traffic.
    pub fn ratio(&self, a: Ts, b: Ts) -> Option<f64> {
        let (bad, total) = self.integrate(a, b);
        (total > 0.0).then(|| bad / total)
    }

    /// Requests in the SLO window `[now − W, now)` from the series: the mean rate of
    /// its samples times `W` — only when the series spans the window (its first sample
    /// at most one step after the window's start, its last at most one step before
    /// `now`). A series of a few hours would take
    /// a quiet night or a busy noon for the month and misjudge every share of it.
    pub fn window_requests(&self, now: Ts, window: Duration) -> Option<f64> {
        let start = now - window;
        let step = match self.rate {
            [(a, _), (b, _), ..] => *b - *a,
            _ => return None,
        };
        let first = self.rate.iter().find(|(t, _)| *t >= start)?.0;
        let last = self.rate.iter().rev().find(|(t, _)| *t < now)?.0;
        if first - start > step || now - last > step {
            return None;
        }
        let (sum, n) = self
            .rate
            .iter()
            .filter(|(t, v)| *t >= start && *t < now && v.is_finite() && *v >= 0.0)
            .fold((0.0, 0u32), |(s, n), (_, v)| (s + v, n + 1));
        let total = (n > 0).then(|| sum / f64::from(n) * window.num_seconds() as f64)?;
        (total > 0.0).then_some(total)
    }
}

/// What a deployment did to the budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Consumption {
    pub consumed: Option<f64>,
    pub spike: bool,
}

/// Parameters of the consumption test.
#[derive(Debug, Clone, Copy)]
pub struct ConsumptionParams {
    pub budget: f64,
    pub slo_window: Duration,
    pub bake: Duration,
    pub baseline: Duration,
    pub spike_factor: f64,
}

/// Budget consumed by a deployment running `[started, finished + bake)` (clipped to
/// `now`; a running one up to `now`), and whether its error ratio was a spike.
/// `window_requests` is [`Traffic::window_requests`], computed once per service.
pub fn consumption(
    traffic: &Traffic<'_>,
    started: Ts,
    finished: Option<Ts>,
    now: Ts,
    p: &ConsumptionParams,
    window_requests: Option<f64>,
) -> Consumption {
    let end = finished.map_or(now, |f| (f + p.bake).min(now));
    let during = traffic.integrate(started, end);
    let during_ratio = (during.1 > 0.0).then(|| during.0 / during.1);
    let baseline = traffic.ratio(started - p.baseline, started);
    let spike = match (during_ratio, baseline) {
        (Some(r), Some(b)) => r > 0.0 && r >= p.spike_factor * b,
        _ => false,
    };
    let consumed = (|| {
        let base = baseline?;
        during_ratio?;
        let total = window_requests?;
        (p.budget > 0.0).then(|| (during.0 - base * during.1) / (p.budget * total))
    })();
    Consumption { consumed, spike }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(min: i64) -> Ts {
        chrono::Utc
            .timestamp_opt(1_800_000_000, 0)
            .single()
            .unwrap_or_default()
            + Duration::minutes(min)
    }

    /// Minute samples from −120 to +120: 10 req/s; error ratio 0.001 except 0.011
    /// during minutes [0, 20).
    type Points = Vec<(Ts, f64)>;

    fn series() -> (Points, Points) {
        let ratio = (-120..=120)
            .map(|m| (t(m), if (0..20).contains(&m) { 0.011 } else { 0.001 }))
            .collect();
        let rate = (-120..=120).map(|m| (t(m), 10.0)).collect();
        (ratio, rate)
    }

    #[test]
    fn consumption_by_hand() {
        let (ratio, rate) = series();
        let traffic = Traffic {
            ratio: &ratio,
            rate: &rate,
        };
        let p = ConsumptionParams {
            budget: 0.001,
            slo_window: Duration::days(30),
            bake: Duration::minutes(30),
            baseline: Duration::hours(1),
            spike_factor: 5.0,
        };
        // Deployment [0, 10) + 30 min bake = [0, 40): 20 min at 0.011, 20 at 0.001.
        // Excess over the 0.001 baseline: 0.01 × 10 req/s × 1200 s = 120 bad requests.
        // Window requests (the source's mean rate over the SLO window): 10 req/s × 30 d
        // = 25_920_000; budget 25_920 requests.
        let total = Some(10.0 * 30.0 * 86_400.0);
        let c = consumption(&traffic, t(0), Some(t(10)), t(120), &p, total);
        let expected = 120.0 / 25_920.0;
        assert!(
            c.consumed.is_some_and(|v| (v - expected).abs() < 1e-9),
            "{c:?}"
        );
        // Ratio during = (0.011 + 0.001)/2 = 0.006 ≥ 5 × 0.001: a spike.
        assert!(c.spike);
        // A deployment in calm air (baseline [30, 90) and run [90, 120) all at 0.001)
        // consumes nothing and is no spike.
        let calm = consumption(&traffic, t(90), Some(t(95)), t(120), &p, total);
        assert!(calm.consumed.is_some_and(|v| v.abs() < 1e-12), "{calm:?}");
        assert!(!calm.spike);
    }

    #[test]
    fn the_series_gives_the_window_requests_only_when_it_spans_the_window() {
        let (ratio, rate) = series();
        let traffic = Traffic {
            ratio: &ratio,
            rate: &rate,
        };
        // Four hours of samples say nothing of a 30-day window …
        assert_eq!(traffic.window_requests(t(120), Duration::days(30)), None);
        // … but do of the 3 hours before t(120): 10 req/s × 10_800 s.
        let three_hours = traffic.window_requests(t(120), Duration::hours(3));
        assert!(
            three_hours.is_some_and(|v| (v - 108_000.0).abs() < 1e-6),
            "{three_hours:?}"
        );
        // A series that stopped two hours before `now` does not speak for its window.
        assert_eq!(
            traffic.window_requests(t(240), Duration::minutes(300)),
            None
        );
        // A window starting up to one step before the first sample still counts.
        let from_first = traffic.window_requests(t(121), Duration::minutes(242));
        assert!(from_first.is_some(), "{from_first:?}");
        assert_eq!(
            traffic.window_requests(t(120), Duration::minutes(242)),
            None
        );
    }

    #[test]
    fn without_series_nothing_is_computed() {
        let traffic = Traffic {
            ratio: &[],
            rate: &[],
        };
        let p = ConsumptionParams {
            budget: 0.001,
            slo_window: Duration::days(30),
            bake: Duration::minutes(30),
            baseline: Duration::hours(1),
            spike_factor: 5.0,
        };
        let total = traffic.window_requests(t(120), p.slo_window);
        let c = consumption(&traffic, t(0), Some(t(10)), t(120), &p, total);
        assert_eq!(
            c,
            Consumption {
                consumed: None,
                spike: false
            }
        );
    }
}
