//! Synthetic history in OpenMetrics text for `promtool tsdb create-blocks-from
//! openmetrics`: the live demo's 30 days of the demo services, and the integration
//! tests' services with known error ratios.
//!
//! Series written: `http_requests_total{service,code}` (code 200 and 500),
//! `http_request_duration_seconds_bucket{service,le}` (with `_sum` and `_count`) and
//! `deployments_total{service}`. Samples are one minute apart in the last
//! `fine_hours` and ten minutes apart before (enough for `rate()` over 3 d or 30 d,
//! and it keeps 30 days of four services under 20 MB).

use std::fmt::Write as _;

use chrono::{Datelike, Duration, Timelike};

use crate::model::Ts;

/// Histogram bucket bounds in seconds (the last is `+Inf`).
pub const LATENCY_BUCKETS: [f64; 6] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

/// One synthetic service. Each function is evaluated per sample interval.
pub struct SyntheticService {
    pub name: String,
    /// Requests per minute at a time.
    pub requests_per_minute: Box<dyn Fn(Ts) -> u64>,
    /// Share of requests that fail (code 500) at a time.
    pub error_ratio: Box<dyn Fn(Ts) -> f64>,
    /// Median latency in seconds at a time (latency is exponential around it).
    pub median_latency: Box<dyn Fn(Ts) -> f64>,
    /// Whether a deployment finished at this whole minute. Asked for every minute of
    /// the history, whatever the sample grid: a sample at `t` counts the deployments
    /// of every minute in `(previous sample, t]`.
    pub deployed: Box<dyn Fn(Ts) -> bool>,
}

/// Share of requests faster than `le` when latency is exponential with `median`.
pub fn latency_cdf(le: f64, median: f64) -> f64 {
    if median <= 0.0 {
        return 1.0;
    }
    1.0 - (-(le / median) * std::f64::consts::LN_2).exp()
}

/// `t` truncated to its whole minute (seconds and nanoseconds dropped).
pub fn whole_minute(t: Ts) -> Ts {
    t - Duration::seconds(i64::from(t.second())) - Duration::nanoseconds(i64::from(t.nanosecond()))
}

/// Sample times from `end - days` to `end`, whole minutes; fine in the last hours.
fn sample_times(end: Ts, days: u32, fine_hours: u32) -> Vec<Ts> {
    let end = whole_minute(end);
    let start = end - Duration::days(i64::from(days));
    let fine_from = end - Duration::hours(i64::from(fine_hours));
    let mut times = Vec::new();
    let mut t = start;
    while t <= end {
        times.push(t);
        t += if t < fine_from {
            Duration::minutes(10)
        } else {
            Duration::minutes(1)
        };
    }
    times
}

/// Cumulative counters of one service at each sample time.
struct Counters {
    ok: Vec<u64>,
    errors: Vec<u64>,
    buckets: Vec<[u64; LATENCY_BUCKETS.len() + 1]>,
    latency_sum: Vec<f64>,
    deployments: Vec<u64>,
}

fn accumulate(service: &SyntheticService, times: &[Ts]) -> Counters {
    // Counters start high, as on a long-running server, so `rate()` never
    // extrapolates to below zero at the window's start.
    let mut ok = 1_000_000u64;
    let mut errors = 10_000u64;
    let mut buckets = [0u64; LATENCY_BUCKETS.len() + 1];
    let mut sum = 0.0;
    let mut deploys = 0u64;
    // Fractional errors carried to the next interval, so that over any window the
    // counted errors match the ratio to within one request.
    let mut carry = 0.0;
    let mut c = Counters {
        ok: vec![],
        errors: vec![],
        buckets: vec![],
        latency_sum: vec![],
        deployments: vec![],
    };
    for (i, t) in times.iter().enumerate() {
        if i > 0 {
            let minutes = (*t - times[i - 1]).num_minutes().max(0) as u64;
            let total = (service.requests_per_minute)(*t) * minutes;
            let exact = (total as f64) * (service.error_ratio)(*t).clamp(0.0, 1.0) + carry;
            let bad = exact.floor().max(0.0) as u64;
            carry = exact - bad as f64;
            ok += total - bad.min(total);
            errors += bad.min(total);
            let median = (service.median_latency)(*t);
            for (slot, le) in LATENCY_BUCKETS.iter().enumerate() {
                buckets[slot] += ((total as f64) * latency_cdf(*le, median)).round() as u64;
            }
            buckets[LATENCY_BUCKETS.len()] += total;
            sum += total as f64 * median / std::f64::consts::LN_2;
            // Every minute since the previous sample: on the 10-minute grid a daily
            // deployment at 14:00 falls between samples as often as on one.
            deploys += (1..=minutes as i64)
                .filter(|m| (service.deployed)(times[i - 1] + Duration::minutes(*m)))
                .count() as u64;
        }
        c.ok.push(ok);
        c.errors.push(errors);
        c.buckets.push(buckets);
        c.latency_sum.push(sum);
        c.deployments.push(deploys);
    }
    c
}

/// OpenMetrics text for `services` over `days` ending at `end`, terminated by `# EOF`.
pub fn openmetrics(services: &[SyntheticService], end: Ts, days: u32, fine_hours: u32) -> String {
    let times = sample_times(end, days, fine_hours);
    let mut out = String::new();
    let series =
        |out: &mut String, name: &str, labels: &str, values: &mut dyn Iterator<Item = String>| {
            for (t, v) in times.iter().zip(values) {
                let _ = writeln!(out, "{name}{{{labels}}} {v} {}", t.timestamp());
            }
        };
    let counters: Vec<Counters> = services.iter().map(|s| accumulate(s, &times)).collect();
    let _ = writeln!(out, "# TYPE http_requests counter");
    for (s, c) in services.iter().zip(&counters) {
        let n = &s.name;
        series(
            &mut out,
            "http_requests_total",
            &format!("service=\"{n}\",code=\"200\""),
            &mut c.ok.iter().map(u64::to_string),
        );
        series(
            &mut out,
            "http_requests_total",
            &format!("service=\"{n}\",code=\"500\""),
            &mut c.errors.iter().map(u64::to_string),
        );
    }
    let _ = writeln!(out, "# TYPE http_request_duration_seconds histogram");
    for (s, c) in services.iter().zip(&counters) {
        let n = &s.name;
        for slot in 0..=LATENCY_BUCKETS.len() {
            let le = LATENCY_BUCKETS
                .get(slot)
                .map_or("+Inf".to_string(), |b| b.to_string());
            series(
                &mut out,
                "http_request_duration_seconds_bucket",
                &format!("service=\"{n}\",le=\"{le}\""),
                &mut c.buckets.iter().map(|b| b[slot].to_string()),
            );
        }
        series(
            &mut out,
            "http_request_duration_seconds_count",
            &format!("service=\"{n}\""),
            &mut c
                .buckets
                .iter()
                .map(|b| b[LATENCY_BUCKETS.len()].to_string()),
        );
        series(
            &mut out,
            "http_request_duration_seconds_sum",
            &format!("service=\"{n}\""),
            &mut c.latency_sum.iter().map(|v| format!("{v:.3}")),
        );
    }
    let _ = writeln!(out, "# TYPE deployments counter");
    for (s, c) in services.iter().zip(&counters) {
        series(
            &mut out,
            "deployments_total",
            &format!("service=\"{}\"", s.name),
            &mut c.deployments.iter().map(u64::to_string),
        );
    }
    out.push_str("# EOF\n");
    out
}

/// A smooth daily cycle in [1 - depth, 1 + depth], peaking mid-afternoon UTC.
fn diurnal(t: Ts, depth: f64) -> f64 {
    let hour = f64::from(t.hour()) + f64::from(t.minute()) / 60.0;
    1.0 + depth * ((hour - 9.0) / 24.0 * std::f64::consts::TAU).sin()
}

/// How far past `now` the demo's history reaches, so that a Prometheus started on it
/// shows live-looking windows (5 m, 30 m…) for this long.
pub const DEMO_AHEAD: Duration = Duration::hours(2);

/// The demo's four services over the `days` before `now` and [`DEMO_AHEAD`] after it:
/// steady traffic with a daily cycle, a deployment most days at 14:00, an incident in
/// checkout three days ago, a bad afternoon in search ten days ago, and checkout
/// burning budget since a deployment 40 minutes ago.
pub fn demo_openmetrics(now: Ts, days: u32) -> String {
    let daily_deploy = |minute: u32| move |t: Ts| t.hour() == 14 && t.minute() == minute;
    // Whole minutes, like the sample grid, so "40 minutes ago" is a sample time.
    let now = whole_minute(now);
    let services = vec![
        SyntheticService {
            name: "checkout".into(),
            requests_per_minute: Box::new(|t| (1_200.0 * diurnal(t, 0.4)) as u64),
            error_ratio: Box::new(move |t| {
                let ago = now - t;
                if ago <= Duration::minutes(40) {
                    0.004
                } else if ago >= Duration::hours(72) && ago < Duration::hours(74) {
                    0.02
                } else {
                    0.0005
                }
            }),
            median_latency: Box::new(move |t| {
                if now - t <= Duration::minutes(40) {
                    0.09
                } else {
                    0.06
                }
            }),
            deployed: Box::new(move |t| daily_deploy(0)(t) || now - t == Duration::minutes(40)),
        },
        SyntheticService {
            name: "payments".into(),
            requests_per_minute: Box::new(|t| (400.0 * diurnal(t, 0.3)) as u64),
            error_ratio: Box::new(|_| 0.0002),
            median_latency: Box::new(|_| 0.12),
            deployed: Box::new(daily_deploy(20)),
        },
        SyntheticService {
            name: "search".into(),
            requests_per_minute: Box::new(|t| (3_000.0 * diurnal(t, 0.5)) as u64),
            error_ratio: Box::new(move |t| {
                let ago = now - t;
                if ago >= Duration::days(10) && ago < Duration::days(10) + Duration::hours(6) {
                    0.01
                } else {
                    0.001
                }
            }),
            median_latency: Box::new(|_| 0.04),
            deployed: Box::new(daily_deploy(40)),
        },
        SyntheticService {
            name: "gateway".into(),
            requests_per_minute: Box::new(|t| (5_000.0 * diurnal(t, 0.45)) as u64),
            error_ratio: Box::new(|_| 0.0003),
            median_latency: Box::new(|_| 0.02),
            deployed: Box::new(|t| {
                t.hour() == 10 && t.minute() == 0 && t.weekday().number_from_monday() == 2
            }),
        },
    ];
    let fine_hours = 12 + DEMO_AHEAD.num_hours() as u32;
    openmetrics(&services, now + DEMO_AHEAD, days, fine_hours)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn constant(name: &str, rpm: u64, ratio: f64) -> SyntheticService {
        SyntheticService {
            name: name.into(),
            requests_per_minute: Box::new(move |_| rpm),
            error_ratio: Box::new(move |_| ratio),
            median_latency: Box::new(|_| 0.1),
            deployed: Box::new(|_| false),
        }
    }

    #[test]
    fn counters_grow_by_the_configured_amounts() {
        let end = chrono::Utc
            .with_ymd_and_hms(2026, 3, 2, 12, 0, 30)
            .single()
            .expect("time");
        let text = openmetrics(&[constant("api", 1_000, 0.002)], end, 1, 1);
        assert!(text.ends_with("# EOF\n"));
        let errors: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("http_requests_total{service=\"api\",code=\"500\"}"))
            .collect();
        // 1 day in 10-minute steps up to 11:00, then minutes to 12:00: 138 + 60 + 1 samples.
        assert_eq!(errors.len(), 138 + 60 + 1);
        let last: Vec<&str> = errors[errors.len() - 1].split(' ').collect();
        let prev: Vec<&str> = errors[errors.len() - 2].split(' ').collect();
        assert_eq!(last[2], end.timestamp().saturating_sub(30).to_string());
        let diff = last[1].parse::<u64>().expect("int") - prev[1].parse::<u64>().expect("int");
        assert_eq!(
            diff, 2,
            "1000 requests a minute at 0.2% is 2 errors a minute"
        );
    }

    /// Every (timestamp, value) sample of one series in OpenMetrics text.
    fn samples(text: &str, series: &str) -> Vec<(i64, u64)> {
        text.lines()
            .filter_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
            .filter_map(|rest| {
                let (v, t) = rest.split_once(' ')?;
                Some((t.parse().ok()?, v.parse().ok()?))
            })
            .collect()
    }

    /// `now` with seconds and nanoseconds: checkout's bad deployment 40 minutes ago is
    /// counted at that very minute, and the daily 14:00 deployments are counted on
    /// every day of the 10-minute grid, not only in the last hours.
    #[test]
    fn demo_counts_every_deployment_on_any_grid() {
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 3, 2, 12, 0, 30)
            .single()
            .expect("time")
            + Duration::nanoseconds(123_456_789);
        let text = demo_openmetrics(now, 30);
        let checkout = samples(&text, "deployments_total{service=\"checkout\"}");
        // History from 2026-01-31 14:00 to 2026-03-02 14:00 (now + 2 h): the 14:00 of
        // Feb 1…28, Mar 1 and Mar 2 (30 days), and the bad one at 11:20 today.
        assert_eq!(checkout.last().map(|s| s.1), Some(31));
        let bad = chrono::Utc
            .with_ymd_and_hms(2026, 3, 2, 11, 20, 0)
            .single()
            .expect("time")
            .timestamp();
        let at = checkout
            .iter()
            .position(|s| s.0 == bad)
            .expect("a sample at 11:20");
        assert_eq!(checkout[at].1 - checkout[at - 1].1, 1, "deployed at 11:20");
        // Payments deploys at 14:20, on the coarse grid too (samples at :00, :10, …):
        // Jan 31 (20 minutes after the history starts) and Feb 1…10 by Feb 10 14:30;
        // Jan 31…Mar 1 in all (Mar 2 14:20 is past the history's end).
        let payments = samples(&text, "deployments_total{service=\"payments\"}");
        let feb_10 = chrono::Utc
            .with_ymd_and_hms(2026, 2, 10, 14, 30, 0)
            .single()
            .expect("time")
            .timestamp();
        let upto = |t: i64| payments.iter().rfind(|s| s.0 <= t).map(|s| s.1);
        assert_eq!(upto(feb_10), Some(11));
        assert_eq!(payments.last().map(|s| s.1), Some(30));
    }

    #[test]
    fn demo_has_every_service() {
        let end = chrono::Utc
            .with_ymd_and_hms(2026, 3, 2, 12, 0, 0)
            .single()
            .expect("time");
        let text = demo_openmetrics(end, 1);
        for s in ["checkout", "payments", "search", "gateway"] {
            assert!(
                text.contains(&format!("deployments_total{{service=\"{s}\"}}")),
                "{s}"
            );
        }
    }
}
