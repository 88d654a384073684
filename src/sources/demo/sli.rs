//! The service level indicators: request rate, error ratio and p99 latency per step.
//!
//! Each step's values are a pure function of (seed, service, step start, step length)
//! plus the disturbances of the history and the live rollout's traffic share, so any
//! instant can be rendered without replaying the past. Steps are 5 minutes over the 90
//! days and 15 seconds over the last 3 hours (smooth golden-signal charts) — about 26k
//! points per series. Window ratios integrate exactly these steps, so the burn rates
//! agree with the charts.

use crate::model::sanitize::sanitize;
use crate::model::{Series, SeriesKind, WindowRatios};

use super::catalog::PROFILES;
use super::incidents::Bump;
use super::rng::{hash, mix, normal_from};
use super::rollout::NEW_VERSION_ERROR_RATIO;
use super::{ts, DAY, HOUR};

/// 10 minutes: 13k points per series over 90 days keeps the whole demo near 20 MB
/// resident while still resolving a deployment's 30-minute bake window.
pub const COARSE_STEP: i64 = 600;
pub const FINE_STEP: i64 = 15;
/// The recent span served at the fine step.
pub const FINE_SPAN: i64 = 3 * HOUR;
/// How far back series reach from the instant they are rendered at.
pub const SERIES_SPAN: i64 = 90 * DAY;
/// How far back the p99 latency series reaches. Only the golden-signal chart reads it
/// (its last 3 hours), and a Prometheus source charts 6 hours (`range_hours`); 90 days
/// of it would hold 1.3 MB that nothing shows.
pub const LATENCY_SPAN: i64 = 6 * HOUR;

/// One step of one service: `[start, start + len)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    pub start: i64,
    pub len: i64,
    /// Requests per second.
    pub rate: f64,
    /// Failed / all requests.
    pub ratio: f64,
    /// Seconds.
    pub p99: f64,
}

#[derive(Debug, Clone)]
pub struct Sli {
    seed: u64,
    /// First coarse step start (aligned).
    data_start: i64,
    bumps: Vec<Vec<Bump>>,
    /// Per service, the coarse steps from `data_start` up to `cache_end`, which no
    /// live event touches; stored as f32 to keep the world small.
    cache: Vec<Vec<[f32; 3]>>,
    cache_end: i64,
}

/// Daily traffic shape: low at 03:00 UTC, peak at 15:00, quieter weekends. In (0, 1].
fn load(t: i64) -> f64 {
    let hour = t.rem_euclid(DAY) as f64 / HOUR as f64;
    let daily = 0.25 + 0.75 * (1.0 + (std::f64::consts::TAU * (hour - 15.0) / 24.0).cos()) / 2.0;
    // 1970-01-01 was a Thursday: weekday 5 and 6 (Mon = 0) are the weekend.
    let weekday = (t.div_euclid(DAY) + 3).rem_euclid(7);
    if weekday >= 5 {
        daily * 0.7
    } else {
        daily
    }
}

impl Sli {
    /// Prepares the model and caches the coarse steps that end before `cache_until`.
    pub fn new(seed: u64, data_start: i64, cache_until: i64, bumps: Vec<Vec<Bump>>) -> Sli {
        let data_start = data_start.div_euclid(COARSE_STEP) * COARSE_STEP + COARSE_STEP;
        let count = ((cache_until - data_start) / COARSE_STEP).max(0);
        let mut sli = Sli {
            seed,
            data_start,
            bumps,
            cache: Vec::new(),
            cache_end: data_start,
        };
        let cache = (0..PROFILES.len())
            .map(|svc| {
                (0..count)
                    .map(|k| {
                        let s = sli.eval(svc, data_start + k * COARSE_STEP, COARSE_STEP, 0.0);
                        [s.rate as f32, s.ratio as f32, s.p99 as f32]
                    })
                    .collect()
            })
            .collect();
        sli.cache = cache;
        sli.cache_end = data_start + count * COARSE_STEP;
        sli
    }

    /// Extra error ratio and latency factor from the history's disturbances, weighted
    /// by how much of the step each covers.
    fn disturbance(&self, svc: usize, start: i64, end: i64) -> (f64, f64) {
        let mut extra = 0.0;
        let mut latency = 1.0;
        for b in self.bumps.get(svc).map_or(&[][..], Vec::as_slice) {
            if b.start >= end {
                break;
            }
            let overlap = (b.end.min(end) - b.start.max(start)).max(0);
            if overlap > 0 {
                let w = overlap as f64 / (end - start) as f64;
                extra += w * b.extra_ratio;
                latency += w * (b.latency_factor - 1.0);
            }
        }
        (extra, latency)
    }

    /// The values of one step; `share` is the new version's mean traffic share in it.
    pub fn eval(&self, svc: usize, start: i64, len: i64, share: f64) -> Step {
        let Some(p) = PROFILES.get(svc) else {
            return Step {
                start,
                len,
                rate: 0.0,
                ratio: 0.0,
                p99: 0.0,
            };
        };
        let l = load(start + len / 2);
        let key = hash(&[self.seed, svc as u64, len as u64, start as u64]);
        let z = |i: u64| normal_from(mix(key ^ i));
        let rate = p.peak_rps * l * (1.0 + 0.04 * z(1));
        // Fewer requests per step means a noisier ratio; the -σ²/2 keeps the mean.
        let sigma = if len < COARSE_STEP { 0.45 } else { 0.2 };
        let base = p.base_ratio * (0.7 + 0.6 * l) * (sigma * z(2) - sigma * sigma / 2.0).exp();
        let (extra, slow) = self.disturbance(svc, start, start + len);
        let old = base + extra;
        let new = NEW_VERSION_ERROR_RATIO * (1.0 + 0.03 * z(3));
        let ratio = old * (1.0 - share) + new * share;
        let p99 =
            p.p99_seconds * (0.8 + 0.4 * l) * (0.07 * z(4)).exp() * slow * (1.0 + 2.5 * share);
        Step {
            start,
            len,
            rate: rate.max(0.0),
            ratio: ratio.clamp(0.0, 1.0),
            p99: p99.max(0.0),
        }
    }

    fn coarse(&self, svc: usize, start: i64, share: &dyn Fn(i64, i64) -> f64) -> Step {
        if start >= self.data_start && start + COARSE_STEP <= self.cache_end {
            let k = ((start - self.data_start) / COARSE_STEP) as usize;
            if let Some([rate, ratio, p99]) = self.cache.get(svc).and_then(|c| c.get(k)) {
                return Step {
                    start,
                    len: COARSE_STEP,
                    rate: f64::from(*rate),
                    ratio: f64::from(*ratio),
                    p99: f64::from(*p99),
                };
            }
        }
        self.eval(svc, start, COARSE_STEP, share(start, start + COARSE_STEP))
    }

    /// The complete steps of a service before `t`: coarse up to three hours ago,
    /// fine after. `share(a, b)` is the live rollout's traffic share over `[a, b)`.
    pub fn steps(&self, svc: usize, t: i64, share: &dyn Fn(i64, i64) -> f64) -> Vec<Step> {
        let span_start = (t - SERIES_SPAN).div_euclid(COARSE_STEP) * COARSE_STEP + COARSE_STEP;
        let first = self.data_start.max(span_start);
        let fine_start = first.max((t - FINE_SPAN).div_euclid(COARSE_STEP) * COARSE_STEP);
        let mut out = Vec::with_capacity(((t - first).max(0) / COARSE_STEP) as usize + 800);
        let mut s = first;
        while s + COARSE_STEP <= fine_start {
            out.push(self.coarse(svc, s, share));
            s += COARSE_STEP;
        }
        let mut s = fine_start;
        while s + FINE_STEP <= t {
            out.push(self.eval(svc, s, FINE_STEP, share(s, s + FINE_STEP)));
            s += FINE_STEP;
        }
        out
    }
}

/// Request-weighted error ratios over the standard windows ending at `t`.
pub fn window_ratios(steps: &[Step], t: i64, slo_window: i64) -> WindowRatios {
    const N: usize = 6;
    let windows: [i64; N] = [300, 1800, HOUR, 6 * HOUR, 3 * DAY, slo_window];
    let mut bad = [0.0f64; N];
    let mut all = [0.0f64; N];
    for s in steps.iter().rev() {
        let end = (s.start + s.len).min(t);
        if end <= t - slo_window.max(3 * DAY) {
            break;
        }
        for i in 0..N {
            let overlap = (end - s.start.max(t - windows[i])).max(0);
            if overlap > 0 {
                let requests = s.rate * overlap as f64;
                all[i] += requests;
                bad[i] += requests * s.ratio;
            }
        }
    }
    let r = |i: usize| (all[i] > 0.0).then(|| bad[i] / all[i]);
    WindowRatios {
        m5: r(0),
        m30: r(1),
        h1: r(2),
        h6: r(3),
        d3: r(4),
        slo_window: r(5),
        // The SLO window's requests over its length, as a `rate(…[W])` would give.
        slo_window_request_rate: (all[5] > 0.0).then(|| all[5] / slo_window as f64),
    }
}

/// The query a real Prometheus source would have run for this series.
fn query(service: &str, kind: SeriesKind) -> String {
    match kind {
        SeriesKind::ErrorRatio => format!(
            "sum(rate(http_requests_total{{service=\"{service}\",code=~\"5..\"}}[1m])) / sum(rate(http_requests_total{{service=\"{service}\"}}[1m]))"
        ),
        SeriesKind::LatencyP99 => format!(
            "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{{service=\"{service}\"}}[1m])))"
        ),
        SeriesKind::RequestRate => {
            format!("sum(rate(http_requests_total{{service=\"{service}\"}}[1m]))")
        }
    }
}

/// The steps that end after `from` (steps are in time order).
pub fn since(steps: &[Step], from: i64) -> &[Step] {
    &steps[steps.partition_point(|s| s.start + s.len <= from)..]
}

/// One series out of the steps, stamped at each step's start.
pub fn series(steps: &[Step], service: &str, kind: SeriesKind) -> Series {
    let value = |s: &Step| match kind {
        SeriesKind::ErrorRatio => s.ratio,
        SeriesKind::LatencyP99 => s.p99,
        SeriesKind::RequestRate => s.rate,
    };
    Series {
        query: sanitize(&query(service, kind)),
        points: steps.iter().map(|s| (ts(s.start), value(s))).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(rate: f64, ratio: f64, start: i64, n: i64, len: i64) -> Vec<Step> {
        (0..n)
            .map(|i| Step {
                start: start + i * len,
                len,
                rate,
                ratio,
                p99: 0.1,
            })
            .collect()
    }

    #[test]
    fn window_ratios_weight_by_requests_and_overlap() {
        // Two 5-minute steps: 100 req/s at 1% then 300 req/s at 5%.
        let mut steps = flat(100.0, 0.01, 0, 1, 300);
        steps.extend(flat(300.0, 0.05, 300, 1, 300));
        let r = window_ratios(&steps, 600, 30 * DAY);
        assert_eq!(r.m5, Some(0.05));
        // 10 min: (30000·0.01 + 90000·0.05) / 120000 = 0.04.
        assert!((r.m30.unwrap_or(0.0) - 0.04).abs() < 1e-12);
        // At t = 450 the 5-minute window covers half of each step.
        let r = window_ratios(&steps, 450, 30 * DAY);
        let want = (150.0 * 100.0 * 0.01 + 150.0 * 300.0 * 0.05) / (150.0 * 400.0);
        assert!((r.m5.unwrap_or(0.0) - want).abs() < 1e-12);
    }

    #[test]
    fn no_traffic_is_none_not_zero() {
        let r = window_ratios(&[], 1000, 30 * DAY);
        assert_eq!(r.m5, None);
        assert_eq!(r.slo_window, None);
    }

    #[test]
    fn load_peaks_in_the_afternoon_and_dips_at_weekends() {
        let monday = 4 * DAY; // 1970-01-05 was a Monday.
        assert!(load(monday + 15 * HOUR) > load(monday + 3 * HOUR) * 3.0);
        assert!(load(monday + 5 * DAY + 15 * HOUR) < load(monday + 15 * HOUR));
    }

    #[test]
    fn steps_are_coarse_then_fine_and_contiguous() {
        let origin = 1_750_000_000;
        let sli = Sli::new(1, origin - 90 * DAY, origin, vec![Vec::new(); 4]);
        let steps = sli.steps(0, origin, &|_, _| 0.0);
        let expected = ((SERIES_SPAN - FINE_SPAN) / COARSE_STEP + FINE_SPAN / FINE_STEP) as usize;
        assert!(
            steps.len().abs_diff(expected) <= expected / 50,
            "{} steps, expected about {expected}",
            steps.len()
        );
        assert!(steps
            .windows(2)
            .all(|w| w[0].start + w[0].len == w[1].start));
        assert_eq!(steps.last().map(|s| s.len), Some(FINE_STEP));
        assert!(steps.last().is_some_and(|s| s.start + s.len <= origin));
        assert!(steps.iter().all(|s| (0.0..=1.0).contains(&s.ratio)));
    }
}
