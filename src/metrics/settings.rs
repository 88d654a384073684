//! Thresholds and calendars the engine needs, with the defaults of DESIGN §3. Built
//! from the config (`[metrics]`, `[calendar]`, `[[services]]`).

use std::collections::BTreeMap;

use crate::zone::Tz;
use chrono::{Duration, NaiveDate, NaiveTime, Weekday};

use crate::model::Ts;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadTimeBasis {
    Committed,
    Authored,
    /// From the merge of each change's merge request (`[gitlab] merge_requests`),
    /// its commit time where no merge is known.
    Merged,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSet {
    WesternElectric,
    Nelson,
}

/// A recurring change window: allowed days and hours, in the calendar's zone.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeWindow {
    pub days: Vec<Weekday>,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// A change freeze `[start, end)`, optionally for one service only.
#[derive(Debug, Clone, PartialEq)]
pub struct Freeze {
    pub name: String,
    pub start: Ts,
    pub end: Ts,
    pub service: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    pub tz: Tz,
    pub holidays: Vec<NaiveDate>,
    /// Empty: no change window configured, nothing is "outside" it.
    pub change_windows: Vec<ChangeWindow>,
    pub freezes: Vec<Freeze>,
}

/// The SLO of one service.
#[derive(Debug, Clone, PartialEq)]
pub struct Slo {
    /// e.g. 0.999
    pub target: f64,
    pub window: Duration,
}

/// Remaining-budget bands (fractions) that select the deployment policy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PolicyBands {
    /// Above this: normal (default 0.5).
    pub normal_above: f64,
    /// Above this: caution (default 0.2).
    pub caution_above: f64,
    /// Above this: restricted (default 0.05); above 0: frozen; ≤ 0: hard freeze.
    pub restricted_above: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// DORA window (default 30 days).
    pub window: Duration,
    /// Rollback or hotfix within this after a deployment marks it failed (24 h).
    pub failure_window: Duration,
    /// Incident created within this after a deployment links to it (24 h).
    pub incident_link_window: Duration,
    /// Bake time after a deployment for the budget it consumed (30 m).
    pub bake: Duration,
    /// Baseline before a deployment for the spike test (1 h).
    pub baseline: Duration,
    /// Error ratio ≥ this × baseline flags a spike (5).
    pub spike_factor: f64,
    pub lead_time_basis: LeadTimeBasis,
    pub policy: PolicyBands,
    /// Points in an SPC baseline (20).
    pub spc_baseline: usize,
    /// A range `[start, end)` the user marked as the SPC baseline instead of the
    /// first points (none by default).
    pub spc_baseline_range: Option<(Ts, Ts)>,
    pub rules: RuleSet,
    /// More changes than this is a large batch (default 20).
    pub large_batch: usize,
    pub calendar: Calendar,
    /// Per-service SLO; services without one use `default_slo`.
    pub slos: BTreeMap<String, Slo>,
    pub default_slo: Slo,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            window: Duration::days(30),
            failure_window: Duration::hours(24),
            incident_link_window: Duration::hours(24),
            bake: Duration::minutes(30),
            baseline: Duration::hours(1),
            spike_factor: 5.0,
            lead_time_basis: LeadTimeBasis::Committed,
            policy: PolicyBands {
                normal_above: 0.5,
                caution_above: 0.2,
                restricted_above: 0.05,
            },
            spc_baseline: 20,
            spc_baseline_range: None,
            rules: RuleSet::WesternElectric,
            large_batch: 20,
            calendar: Calendar {
                tz: Tz::UTC,
                holidays: Vec::new(),
                change_windows: Vec::new(),
                freezes: Vec::new(),
            },
            slos: BTreeMap::new(),
            default_slo: Slo {
                target: 0.999,
                window: Duration::days(30),
            },
        }
    }
}

impl Settings {
    pub fn slo(&self, service: &str) -> &Slo {
        self.slos.get(service).unwrap_or(&self.default_slo)
    }
}
