//! PromQL templates and range arithmetic: placeholder substitution, Prometheus
//! duration literals, and the step clamp that keeps a range under 11,000 points.

use chrono::{DateTime, Duration, Utc};

use crate::config::{SliQuery, SERVICE_PLACEHOLDER, WINDOW_PLACEHOLDER};
use crate::model::Ts;

/// Prometheus refuses ranges with more points than this per series.
pub const MAX_POINTS: i64 = 11_000;

/// The burn-rate windows, in seconds, in `WindowRatios` order (m5, m30, h1, h6, d3).
pub const BURN_WINDOWS: [i64; 5] = [300, 1_800, 3_600, 21_600, 259_200];

/// Substitutes `{{window}}` and `{{service}}`.
pub fn render(template: &str, window_seconds: i64, service: &str) -> String {
    template
        .replace(WINDOW_PLACEHOLDER, &duration_literal(window_seconds))
        .replace(SERVICE_PLACEHOLDER, service)
}

/// The error-ratio PromQL of an SLI over one window.
pub fn sli_query(sli: &SliQuery<'_>, window_seconds: i64, service: &str) -> String {
    match sli {
        SliQuery::ErrorRatio(q) => render(q, window_seconds, service),
        SliQuery::GoodTotal { good, total } => format!(
            "1 - (sum({}) / sum({}))",
            render(good, window_seconds, service),
            render(total, window_seconds, service)
        ),
    }
}

/// The shortest exact Prometheus duration literal: `300` → `5m`, `259200` → `3d`.
pub fn duration_literal(seconds: i64) -> String {
    let s = seconds.max(1);
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if s % size == 0 {
            return format!("{}{unit}", s / size);
        }
    }
    format!("{s}s")
}

/// The step to use for a range: at least `wanted`, and large enough that the range
/// holds no more than [`MAX_POINTS`] intervals.
pub fn clamp_step(range: Duration, wanted: Duration) -> Duration {
    let range_s = range.num_seconds().max(0);
    let min_step = (range_s + MAX_POINTS - 1) / MAX_POINTS;
    Duration::seconds(wanted.num_seconds().max(min_step).max(1))
}

/// A range `[end - span, end]` whose ends are multiples of `step` (Mimir's
/// query-frontend caches only step-aligned ranges).
pub fn aligned_range(now: Ts, span: Duration, step: Duration) -> (Ts, Ts) {
    let step_s = step.num_seconds().max(1);
    let end_s = now.timestamp() - now.timestamp().rem_euclid(step_s);
    let start_s = end_s - span.num_seconds();
    let start_s = start_s - start_s.rem_euclid(step_s);
    (from_secs(start_s), from_secs(end_s))
}

fn from_secs(s: i64) -> Ts {
    DateTime::<Utc>::from_timestamp(s, 0).unwrap_or_default()
}

/// Unix seconds with milliseconds, as the API takes them.
pub fn api_time(t: Ts) -> String {
    let ms = t.timestamp_millis();
    format!("{}.{:03}", ms.div_euclid(1000), ms.rem_euclid(1000))
}

/// A float Unix time from the API as a UTC instant (None when out of range).
pub fn from_api_time(t: f64) -> Option<Ts> {
    if !t.is_finite() {
        return None;
    }
    DateTime::<Utc>::from_timestamp_millis((t * 1000.0).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals() {
        assert_eq!(duration_literal(300), "5m");
        assert_eq!(duration_literal(3_600), "1h");
        assert_eq!(duration_literal(259_200), "3d");
        assert_eq!(duration_literal(30 * 86_400), "30d");
        assert_eq!(duration_literal(90), "90s");
        assert_eq!(duration_literal(5_400), "90m");
    }

    #[test]
    fn step_is_clamped_to_11000_points() {
        let month = Duration::days(30);
        // 2,592,000 s / 11,000 = 235.6 → 236 s.
        assert_eq!(
            clamp_step(month, Duration::seconds(1)),
            Duration::seconds(236)
        );
        assert!(month.num_seconds() / 236 <= MAX_POINTS);
        assert_eq!(
            clamp_step(Duration::hours(6), Duration::seconds(60)),
            Duration::seconds(60)
        );
    }

    #[test]
    fn templates_are_rendered() {
        let q = render(
            "sum(rate(x{service=\"{{service}}\"}[{{window}}]))",
            1_800,
            "api",
        );
        assert_eq!(q, "sum(rate(x{service=\"api\"}[30m]))");
        let gt = SliQuery::GoodTotal {
            good: "rate(ok[{{window}}])",
            total: "rate(all[{{window}}])",
        };
        assert_eq!(
            sli_query(&gt, 300, "api"),
            "1 - (sum(rate(ok[5m])) / sum(rate(all[5m])))"
        );
    }

    #[test]
    fn ranges_align_to_the_step_and_times_format() {
        let now = from_secs(1_000_030);
        let (s, e) = aligned_range(now, Duration::seconds(600), Duration::seconds(60));
        assert_eq!((s.timestamp(), e.timestamp()), (999_420, 1_000_020));
        assert_eq!(api_time(now), "1000030.000");
        assert_eq!(
            from_api_time(1_435_781_451.781).map(|t| t.timestamp_millis()),
            Some(1_435_781_451_781)
        );
    }
}
