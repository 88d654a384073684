//! `[general]`, `[environments]` and `[cache]`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use super::ConfigIssue;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GeneralConfig {
    /// IANA time zone for the clock, days and change windows (e.g. "Europe/Berlin").
    pub timezone: String,
    /// Seconds between source polls unless a source sets its own.
    pub refresh_seconds: u64,
}

impl Default for GeneralConfig {
    fn default() -> Self {
        GeneralConfig {
            timezone: "UTC".to_string(),
            refresh_seconds: 30,
        }
    }
}

impl GeneralConfig {
    pub fn tz(&self) -> crate::zone::Tz {
        self.timezone.parse().unwrap_or(crate::zone::Tz::UTC)
    }

    pub fn validate(&self, path: &str, issues: &mut Vec<ConfigIssue>) {
        if self.timezone.parse::<crate::zone::Tz>().is_err() {
            issues.push(
                ConfigIssue::new(
                    format!("{path}.timezone"),
                    "an IANA time zone name such as \"UTC\" or \"Europe/Berlin\"",
                )
                .found(format!("{:?}", self.timezone)),
            );
        }
        if !(1..=86_400).contains(&self.refresh_seconds) {
            issues.push(
                ConfigIssue::new(
                    format!("{path}.refresh_seconds"),
                    "seconds between 1 and 86400",
                )
                .found(self.refresh_seconds.to_string()),
            );
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EnvironmentsConfig {
    /// Extra aliases: raw name → normalized name (`"prod-eu" = "production"`).
    pub aliases: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheConfig {
    /// Keep the local cache (SQLite). `false` starts empty every time.
    pub enabled: bool,
    /// Where the cache lives; defaults to the platform data directory.
    pub path: Option<PathBuf>,
    /// Raw data older than this many days is deleted; daily series aggregates are
    /// kept two years (`store::AGGREGATE_RETENTION`) or this long, if longer.
    pub retention_days: u32,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            enabled: true,
            path: None,
            retention_days: 90,
        }
    }
}

impl CacheConfig {
    pub fn validate(&self, path: &str, issues: &mut Vec<ConfigIssue>) {
        if self.retention_days == 0 {
            issues.push(
                ConfigIssue::new(
                    format!("{path}.retention_days"),
                    "a number of days, at least 1",
                )
                .found("0"),
            );
        }
    }
}
