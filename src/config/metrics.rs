//! `[metrics]` and `[calendar]`: thresholds and calendars of the metrics engine.
//! Owned by the metrics engine; converted into `metrics::Settings` by [`settings`].
//! Durations are written like "24h", "30m", "7d"; times of day like "09:00".

use crate::zone::Tz;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::Deserialize;

use super::{Config, ConfigIssue};
use crate::metrics::duration::parse_duration;
use crate::metrics::local;
use crate::metrics::settings::{
    Calendar, ChangeWindow, Freeze, LeadTimeBasis, PolicyBands, RuleSet, Settings, Slo,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadTimeBasisConfig {
    Committed,
    Authored,
    /// Needs `[gitlab] merge_requests = true` to know when changes were merged.
    Merged,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RulesConfig {
    WesternElectric,
    Nelson,
}

/// `[metrics.policy]`: remaining-budget fractions that select the deployment policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyConfig {
    pub normal_above: f64,
    pub caution_above: f64,
    pub restricted_above: f64,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            normal_above: 0.5,
            caution_above: 0.2,
            restricted_above: 0.05,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// DORA and SPC window in days.
    pub window_days: u32,
    /// A rollback or hotfix within this after a deployment marks it failed.
    pub failure_window: String,
    /// An incident created within this after a deployment links to it.
    pub incident_link_window: String,
    /// Bake time after a deployment for the budget it consumed.
    pub bake: String,
    /// Baseline before a deployment for the spike test.
    pub baseline: String,
    /// Error ratio ≥ this × the baseline flags a spike.
    pub spike_factor: f64,
    pub lead_time_basis: LeadTimeBasisConfig,
    pub policy: PolicyConfig,
    /// Points in an SPC baseline (also accepted as `spc_baseline_points`).
    #[serde(alias = "spc_baseline_points")]
    pub spc_baseline: usize,
    /// A range marked as the SPC baseline instead of the first points: RFC 3339, or a
    /// local date / date-time in `[general] timezone`; both or neither.
    pub spc_baseline_start: Option<String>,
    pub spc_baseline_end: Option<String>,
    pub rules: RulesConfig,
    /// More changes than this is a large batch.
    pub large_batch: usize,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            window_days: 30,
            failure_window: "24h".into(),
            incident_link_window: "24h".into(),
            bake: "30m".into(),
            baseline: "1h".into(),
            spike_factor: 5.0,
            lead_time_basis: LeadTimeBasisConfig::Committed,
            policy: PolicyConfig::default(),
            spc_baseline: 20,
            spc_baseline_start: None,
            spc_baseline_end: None,
            rules: RulesConfig::WesternElectric,
            large_batch: 20,
        }
    }
}

impl MetricsConfig {
    pub fn validate(&self, path: &str, issues: &mut Vec<ConfigIssue>) {
        for (key, value) in [
            ("failure_window", &self.failure_window),
            ("incident_link_window", &self.incident_link_window),
            ("bake", &self.bake),
            ("baseline", &self.baseline),
        ] {
            if parse_duration(value).is_err() {
                issues.push(
                    ConfigIssue::new(
                        format!("{path}.{key}"),
                        "a duration such as \"30m\", \"24h\" or \"7d\"",
                    )
                    .found(format!("{value:?}")),
                );
            }
        }
        if !(1..=400).contains(&self.window_days) {
            issues.push(
                ConfigIssue::new(format!("{path}.window_days"), "days between 1 and 400")
                    .found(self.window_days.to_string()),
            );
        }
        if !(self.spike_factor.is_finite() && self.spike_factor > 1.0) {
            issues.push(
                ConfigIssue::new(format!("{path}.spike_factor"), "a number above 1, like 5")
                    .found(self.spike_factor.to_string()),
            );
        }
        if !(2..=1000).contains(&self.spc_baseline) {
            issues.push(
                ConfigIssue::new(
                    format!("{path}.spc_baseline"),
                    "a number of points between 2 and 1000",
                )
                .found(self.spc_baseline.to_string()),
            );
        }
        match (&self.spc_baseline_start, &self.spc_baseline_end) {
            (None, None) => {}
            (Some(start), Some(end)) => {
                let parsed = |key: &str, text: &str, issues: &mut Vec<ConfigIssue>| {
                    let t = parse_instant(text, Tz::UTC);
                    if t.is_none() {
                        issues.push(
                            ConfigIssue::new(
                                format!("{path}.{key}"),
                                "an RFC 3339 time, a local date (\"2026-09-01\") or a local date-time (\"2026-09-01T09:00\")",
                            )
                            .found(format!("{text:?}")),
                        );
                    }
                    t
                };
                let s = parsed("spc_baseline_start", start, issues);
                let e = parsed("spc_baseline_end", end, issues);
                // Compared as if both were UTC: only the order matters here.
                if let (Some(s), Some(e)) = (s, e) {
                    if e <= s {
                        issues.push(
                            ConfigIssue::new(
                                format!("{path}.spc_baseline_end"),
                                "an end after spc_baseline_start",
                            )
                            .found(format!("{end:?}")),
                        );
                    }
                }
            }
            (Some(_), None) | (None, Some(_)) => {
                let missing = if self.spc_baseline_end.is_none() {
                    "spc_baseline_end"
                } else {
                    "spc_baseline_start"
                };
                issues.push(ConfigIssue::new(
                    format!("{path}.{missing}"),
                    "both spc_baseline_start and spc_baseline_end (a baseline range), or neither",
                ));
            }
        }
        let p = &self.policy;
        let ordered = 0.0 <= p.restricted_above
            && p.restricted_above <= p.caution_above
            && p.caution_above <= p.normal_above
            && p.normal_above <= 1.0;
        if !ordered {
            issues.push(
                ConfigIssue::new(
                    format!("{path}.policy"),
                    "fractions with 0 ≤ restricted_above ≤ caution_above ≤ normal_above ≤ 1",
                )
                .found(format!(
                    "{} / {} / {}",
                    p.restricted_above, p.caution_above, p.normal_above
                )),
            );
        }
    }
}

/// `[[calendar.change_windows]]`: allowed days and local hours.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeWindowConfig {
    /// "mon" … "sun" (or full names).
    pub days: Vec<String>,
    /// "09:00"
    pub start: String,
    /// "17:00"; before `start` for a window that runs overnight.
    pub end: String,
}

/// `[[calendar.freezes]]`: a change freeze.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreezeConfig {
    pub name: String,
    /// RFC 3339 ("2026-12-20T00:00:00+01:00"), or a local date or date-time in
    /// `[general] timezone` ("2026-12-20", "2026-12-20T18:00").
    pub start: String,
    pub end: String,
    /// Only this service; all services when absent.
    pub service: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalendarConfig {
    /// Local dates, "2026-12-24".
    pub holidays: Vec<String>,
    pub change_windows: Vec<ChangeWindowConfig>,
    pub freezes: Vec<FreezeConfig>,
}

impl CalendarConfig {
    pub fn validate(&self, path: &str, issues: &mut Vec<ConfigIssue>) {
        for (i, h) in self.holidays.iter().enumerate() {
            if parse_date(h).is_none() {
                issues.push(
                    ConfigIssue::new(
                        format!("{path}.holidays[{i}]"),
                        "a date like \"2026-12-24\"",
                    )
                    .found(format!("{h:?}")),
                );
            }
        }
        for (i, w) in self.change_windows.iter().enumerate() {
            let key = format!("{path}.change_windows[{i}]");
            for (j, d) in w.days.iter().enumerate() {
                if parse_weekday(d).is_none() {
                    issues.push(
                        ConfigIssue::new(
                            format!("{key}.days[{j}]"),
                            "a weekday: mon, tue, wed, thu, fri, sat or sun",
                        )
                        .found(format!("{d:?}")),
                    );
                }
            }
            for (name, t) in [("start", &w.start), ("end", &w.end)] {
                if parse_time(t).is_none() {
                    issues.push(
                        ConfigIssue::new(format!("{key}.{name}"), "a local time like \"09:00\"")
                            .found(format!("{t:?}")),
                    );
                }
            }
        }
        for (i, f) in self.freezes.iter().enumerate() {
            let key = format!("{path}.freezes[{i}]");
            let start = parse_instant(&f.start, Tz::UTC);
            let end = parse_instant(&f.end, Tz::UTC);
            for (name, text, parsed) in [("start", &f.start, start), ("end", &f.end, end)] {
                if parsed.is_none() {
                    issues.push(
                        ConfigIssue::new(
                            format!("{key}.{name}"),
                            "an RFC 3339 time, a local date (\"2026-12-20\") or a local date-time (\"2026-12-20T18:00\")",
                        )
                        .found(format!("{text:?}")),
                    );
                }
            }
            // Compared as if both were UTC: only the order matters here.
            if let (Some(s), Some(e)) = (start, end) {
                if e <= s {
                    issues.push(
                        ConfigIssue::new(format!("{key}.end"), "an end after the start")
                            .found(format!("{:?}", f.end)),
                    );
                }
            }
        }
    }
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

fn parse_time(text: &str) -> Option<NaiveTime> {
    let t = text.trim();
    NaiveTime::parse_from_str(t, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"))
        .ok()
}

fn parse_weekday(text: &str) -> Option<Weekday> {
    let t = text.trim().to_ascii_lowercase();
    let short = t.get(..3)?;
    let day = match short {
        "mon" => Weekday::Mon,
        "tue" => Weekday::Tue,
        "wed" => Weekday::Wed,
        "thu" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" => Weekday::Sat,
        "sun" => Weekday::Sun,
        _ => return None,
    };
    // "monday" or "mon", not "monkey".
    let full = format!("{day}").to_ascii_lowercase();
    let long = match day {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    };
    (t == full || t == long).then_some(day)
}

/// An instant from RFC 3339, or from a local date / date-time in `tz`.
fn parse_instant(text: &str, tz: Tz) -> Option<crate::model::Ts> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.to_utc());
    }
    let local = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S"))
        .ok()
        .or_else(|| parse_date(t).and_then(|d| d.and_hms_opt(0, 0, 0)))?;
    Some(local::from_local(tz, local))
}

impl Config {
    /// The metrics engine's settings (see [`settings`]).
    pub fn metrics_settings(&self) -> Settings {
        settings(self)
    }
}

/// The engine's settings from a (validated) config: `[metrics]`, `[calendar]`, the
/// zone of `[general]` and each service's SLO. Values that would not validate fall
/// back to the defaults of DESIGN §3 rather than panic.
pub fn settings(config: &Config) -> Settings {
    let defaults = Settings::default();
    let m = &config.metrics;
    let c = &config.calendar;
    let tz = config.general.tz();
    let dur = |text: &str, fallback| parse_duration(text).unwrap_or(fallback);
    let calendar = Calendar {
        tz,
        holidays: c.holidays.iter().filter_map(|h| parse_date(h)).collect(),
        change_windows: c
            .change_windows
            .iter()
            .filter_map(|w| {
                Some(ChangeWindow {
                    days: w.days.iter().filter_map(|d| parse_weekday(d)).collect(),
                    start: parse_time(&w.start)?,
                    end: parse_time(&w.end)?,
                })
            })
            .collect(),
        freezes: c
            .freezes
            .iter()
            .filter_map(|f| {
                Some(Freeze {
                    name: f.name.clone(),
                    start: parse_instant(&f.start, tz)?,
                    end: parse_instant(&f.end, tz)?,
                    service: f.service.clone(),
                })
            })
            .collect(),
    };
    let slos = config
        .services
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                Slo {
                    target: s.slo_target,
                    window: chrono::Duration::days(i64::from(s.slo_window_days.max(1))),
                },
            )
        })
        .collect();
    Settings {
        window: chrono::Duration::days(i64::from(m.window_days.clamp(1, 400))),
        failure_window: dur(&m.failure_window, defaults.failure_window),
        incident_link_window: dur(&m.incident_link_window, defaults.incident_link_window),
        bake: dur(&m.bake, defaults.bake),
        baseline: dur(&m.baseline, defaults.baseline),
        spike_factor: m.spike_factor,
        lead_time_basis: match m.lead_time_basis {
            LeadTimeBasisConfig::Committed => LeadTimeBasis::Committed,
            LeadTimeBasisConfig::Authored => LeadTimeBasis::Authored,
            LeadTimeBasisConfig::Merged => LeadTimeBasis::Merged,
        },
        policy: PolicyBands {
            normal_above: m.policy.normal_above,
            caution_above: m.policy.caution_above,
            restricted_above: m.policy.restricted_above,
        },
        spc_baseline: m.spc_baseline.max(2),
        spc_baseline_range: match (&m.spc_baseline_start, &m.spc_baseline_end) {
            (Some(a), Some(b)) => parse_instant(a, tz)
                .zip(parse_instant(b, tz))
                .filter(|(a, b)| a < b),
            _ => None,
        },
        rules: match m.rules {
            RulesConfig::WesternElectric => RuleSet::WesternElectric,
            RulesConfig::Nelson => RuleSet::Nelson,
        },
        large_batch: m.large_batch,
        calendar,
        slos,
        default_slo: defaults.default_slo,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn load(text: &str) -> Result<Config, super::super::ConfigError> {
        super::super::load_str(text, Path::new("t.toml")).map_err(|e| e.first().clone())
    }

    #[test]
    fn defaults_are_the_design_defaults() {
        let s = settings(&Config::default());
        assert_eq!(s, Settings::default());
    }

    #[test]
    fn demo_config_loads() {
        let config = load(include_str!("../../assets/demo.toml"));
        assert!(config.is_ok(), "{config:?}");
        let s = config.map(|c| settings(&c)).unwrap_or_default();
        assert_eq!(s.calendar.tz, Tz::named("Europe/Berlin"));
        assert_eq!(s.slo("payments").target, 0.9995);
        assert_eq!(s.slos.len(), 4);
        assert!(!s.calendar.holidays.is_empty());
        assert_eq!(s.calendar.change_windows.len(), 1);
        assert_eq!(s.calendar.freezes.len(), 1);
    }

    #[test]
    fn every_key_is_read() {
        let c = load(
            r#"
[general]
timezone = "Europe/Berlin"
[metrics]
window_days = 90
failure_window = "12h"
incident_link_window = "6h"
bake = "45m"
baseline = "2h"
spike_factor = 4.0
lead_time_basis = "authored"
spc_baseline = 25
spc_baseline_start = "2026-09-01"
spc_baseline_end = "2026-10-01T00:00:00Z"
rules = "nelson"
large_batch = 50
[metrics.policy]
normal_above = 0.6
caution_above = 0.3
restricted_above = 0.1
[calendar]
holidays = ["2026-12-24"]
[[calendar.change_windows]]
days = ["mon", "Friday"]
start = "09:00"
end = "17:30"
[[calendar.freezes]]
name = "year end"
start = "2026-12-20"
end = "2027-01-02T00:00:00Z"
service = "checkout"
"#,
        );
        let s = c.map(|c| settings(&c)).unwrap_or_default();
        assert_eq!(s.window, chrono::Duration::days(90));
        assert_eq!(s.failure_window, chrono::Duration::hours(12));
        assert_eq!(s.incident_link_window, chrono::Duration::hours(6));
        assert_eq!(s.bake, chrono::Duration::minutes(45));
        assert_eq!(s.baseline, chrono::Duration::hours(2));
        assert_eq!(s.spike_factor, 4.0);
        assert_eq!(s.lead_time_basis, LeadTimeBasis::Authored);
        assert_eq!(s.spc_baseline, 25);
        // Local midnight in Berlin (CEST) is 22:00 UTC the day before.
        assert_eq!(
            s.spc_baseline_range,
            Some((
                "2026-08-31T22:00:00Z"
                    .parse::<crate::model::Ts>()
                    .unwrap_or_default(),
                "2026-10-01T00:00:00Z"
                    .parse::<crate::model::Ts>()
                    .unwrap_or_default()
            ))
        );
        assert_eq!(s.rules, RuleSet::Nelson);
        assert_eq!(s.large_batch, 50);
        assert_eq!(s.policy.normal_above, 0.6);
        assert_eq!(
            s.calendar.change_windows[0].days,
            vec![Weekday::Mon, Weekday::Fri]
        );
        // A local date in Berlin: midnight CET is 23:00 UTC the day before.
        assert_eq!(
            s.calendar.freezes[0].start,
            "2026-12-19T23:00:00Z"
                .parse::<crate::model::Ts>()
                .unwrap_or_default()
        );
    }

    #[test]
    fn bad_values_are_located() {
        let e = load("[metrics]\nbake = \"30 minutes\"\n").err();
        assert!(
            e.as_ref()
                .is_some_and(|e| e.line == Some(2) && e.message.contains("\"30m\"")),
            "{e:?}"
        );
        let e = load("[metrics]\nrules = \"shewhart\"\n").err();
        assert!(
            e.as_ref().is_some_and(|e| e.message.contains("nelson")),
            "{e:?}"
        );
        let e = load("[calendar]\nholidays = [\"24.12.2026\"]\n").err();
        assert!(
            e.as_ref()
                .is_some_and(|e| e.key.as_deref() == Some("calendar.holidays[0]")),
            "{e:?}"
        );
        let e = load(
            "[[calendar.change_windows]]\ndays = [\"monkey\"]\nstart = \"9\"\nend = \"17:00\"\n",
        )
        .err();
        assert!(
            e.as_ref()
                .is_some_and(|e| e.key.as_deref() == Some("calendar.change_windows[0].days[0]")),
            "{e:?}"
        );
        let e = load(
            "[[calendar.freezes]]\nname = \"x\"\nstart = \"2026-12-20\"\nend = \"2026-12-01\"\n",
        )
        .err();
        assert!(
            e.as_ref()
                .is_some_and(|e| e.key.as_deref() == Some("calendar.freezes[0].end")),
            "{e:?}"
        );
        let e = load("[metrics.policy]\nnormal_above = 0.1\n").err();
        assert!(e.is_some());
        let e = load("[metrics]\nspc_baseline_start = \"2026-09-01\"\n").err();
        assert!(
            e.as_ref()
                .is_some_and(|e| e.key.as_deref() == Some("metrics.spc_baseline_end")),
            "{e:?}"
        );
        let e = load(
            "[metrics]\nspc_baseline_start = \"2026-09-01\"\nspc_baseline_end = \"2026-08-01\"\n",
        )
        .err();
        assert!(
            e.as_ref()
                .is_some_and(|e| e.key.as_deref() == Some("metrics.spc_baseline_end")),
            "{e:?}"
        );
        let e =
            load("[metrics]\nspc_baseline_start = \"soon\"\nspc_baseline_end = \"2026-08-01\"\n")
                .err();
        assert!(
            e.as_ref()
                .is_some_and(|e| e.key.as_deref() == Some("metrics.spc_baseline_start")),
            "{e:?}"
        );
        // The name the issue uses is accepted too.
        let c = load("[metrics]\nspc_baseline_points = 12\n");
        assert_eq!(c.map(|c| settings(&c).spc_baseline).ok(), Some(12));
    }
}
