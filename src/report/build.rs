//! Assembling `flightdeck.report.v1` from the engine's figures.

use crate::zone::Tz;
use chrono::Duration;
use serde::Serialize;

use crate::metrics::settings::RuleSet;
use crate::metrics::types::{
    BurnRates, BurnTrend, Dora, ErrorBudget, RiskFlag, SpcChart, UnlinkedIncident, Window,
};
use crate::metrics::{derive, Inputs, ServiceDerived, Settings};
use crate::model::{DeployStatus, Ts};

pub const SCHEMA: &str = "flightdeck.report.v1";

/// The whole report. Serialized field names are the v1 keys of DESIGN §4.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportV1 {
    pub schema: &'static str,
    pub generated_at: Ts,
    pub window: Window,
    pub services: Vec<ServiceReport>,
    /// Zone for the markdown form.
    #[serde(skip)]
    pub tz: Tz,
    /// Incidents in the window linked to no deployment, with the reason.
    #[serde(skip)]
    pub unlinked_incidents: Vec<UnlinkedIncident>,
    /// The incident link window (for the markdown's explanation).
    #[serde(skip)]
    pub link_window: Duration,
    /// The window's length as asked for (`--window 12h`), which the markdown prints
    /// as given: a day count of `window` would round 12 h to 0 days.
    #[serde(skip)]
    pub window_length: Duration,
    /// The SPC run rules in use.
    #[serde(skip)]
    pub rules: RuleSet,
    /// Points an SPC baseline takes (fewer: the limits are provisional).
    #[serde(skip)]
    pub baseline: usize,
}

/// Serialized by hand (below): the DORA figures are nulls and a reason when no source
/// delivers deployments.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceReport {
    pub service: String,
    pub environment: &'static str,
    pub dora: Dora,
    /// Why the DORA figures cannot be computed (no deployment source): they are then
    /// `null` in the JSON, with this reason, never 0.
    pub dora_unavailable: Option<&'static str>,
    pub error_budget: ErrorBudget,
    pub spc: Vec<SpcChart>,
    pub deployments: Vec<DeploymentReport>,
    /// The same figures over the previous window (markdown trend arrows).
    pub previous: Dora,
    pub burn_trend: Option<BurnTrend>,
    /// The earliest finish of a production deployment of the service before the
    /// report's instant: where its history starts (trends need it to reach back).
    pub history_start: Option<Ts>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeploymentReport {
    pub id: String,
    pub version: String,
    pub status: &'static str,
    pub finished_at: Option<Ts>,
    pub failed: bool,
    pub risk: Vec<RiskFlag>,
    pub budget_consumed: Option<f64>,
    #[serde(skip)]
    pub started_at: Ts,
    #[serde(skip)]
    pub spike: bool,
    #[serde(skip)]
    pub incidents: Vec<String>,
}

impl ReportV1 {
    /// Marks every service's DORA figures as unavailable for `reason` (no deployment
    /// source): JSON nulls with the reason, and the markdown says so.
    pub fn dora_unavailable(&mut self, reason: &'static str) {
        for s in &mut self.services {
            s.dora_unavailable = Some(reason);
        }
    }
}

impl Serialize for ServiceReport {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(untagged)]
        enum DoraWire<'a> {
            Figures(&'a Dora),
            /// Every figure null (the keys stay: scripts read them), and why.
            Unavailable(serde_json::Value),
        }
        #[derive(Serialize)]
        struct Wire<'a> {
            service: &'a str,
            environment: &'a str,
            dora: DoraWire<'a>,
            error_budget: &'a ErrorBudget,
            spc: &'a [SpcChart],
            deployments: &'a [DeploymentReport],
        }
        let dora = match self.dora_unavailable {
            None => DoraWire::Figures(&self.dora),
            Some(reason) => {
                let mut v = serde_json::to_value(&self.dora).map_err(serde::ser::Error::custom)?;
                null_leaves(&mut v);
                if let serde_json::Value::Object(map) = &mut v {
                    map.insert("reason".into(), reason.into());
                }
                DoraWire::Unavailable(v)
            }
        };
        Wire {
            service: &self.service,
            environment: self.environment,
            dora,
            error_budget: &self.error_budget,
            spc: &self.spc,
            deployments: &self.deployments,
        }
        .serialize(serializer)
    }
}

/// Replaces every value inside objects by `null`, keeping the keys.
fn null_leaves(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => map.values_mut().for_each(null_leaves),
        other => *other = serde_json::Value::Null,
    }
}

/// The report at `at` over `[at − window, at)`, for every service in `services` or only
/// `service`. Data after `at` is ignored, so a report of a past instant is what the
/// cockpit showed then (with today's knowledge of that past).
pub fn build(
    inputs: &Inputs<'_>,
    services: &[String],
    settings: &Settings,
    at: Ts,
    window: Duration,
    service: Option<&str>,
) -> ReportV1 {
    let mut settings = settings.clone();
    settings.window = window;
    let window_length = window;
    let chosen: Vec<String> = match service {
        Some(s) => vec![s.to_string()],
        None => services.to_vec(),
    };
    let derived = derive(inputs, &chosen, &settings, at);
    let window = crate::metrics::local::window_ending(settings.calendar.tz, at, window);
    let services = chosen
        .iter()
        .filter_map(|name| derived.services.get(name))
        .map(|d| service_report(inputs, d, &settings, window, at))
        .collect();
    ReportV1 {
        schema: SCHEMA,
        generated_at: at,
        window,
        services,
        tz: settings.calendar.tz,
        unlinked_incidents: derived.unlinked_incidents,
        link_window: settings.incident_link_window,
        window_length,
        rules: settings.rules,
        baseline: settings.spc_baseline,
    }
}

fn service_report(
    inputs: &Inputs<'_>,
    d: &ServiceDerived,
    settings: &Settings,
    window: Window,
    at: Ts,
) -> ServiceReport {
    let slo = settings.slo(&d.service);
    let error_budget = d.budget.clone().unwrap_or_else(|| ErrorBudget {
        slo_target: slo.target,
        window_seconds: slo.window.num_seconds() as f64,
        error_ratio: None,
        remaining: None,
        policy: None,
        burn_rates: BurnRates::default(),
        alerts: Vec::new(),
        trend: None,
    });
    let deployments = inputs
        .deployments
        .iter()
        .filter(|dep| dep.service == d.service && dep.is_production() && dep.started_at < at)
        .filter_map(|dep| {
            let finished = dep
                .finished_at
                .filter(|&f| f < at && dep.status != DeployStatus::Running);
            let running = finished.is_none() && dep.status != DeployStatus::Canceled;
            if !(finished.is_some_and(|f| window.contains(f)) || running) {
                return None;
            }
            let facts = d.facts.get(&dep.id)?;
            Some(DeploymentReport {
                id: dep.id.clone(),
                version: dep.version.clone(),
                status: if finished.is_some() {
                    dep.status.as_str()
                } else {
                    DeployStatus::Running.as_str()
                },
                finished_at: finished,
                failed: facts.failed,
                risk: facts.risk.clone(),
                budget_consumed: facts.budget_consumed,
                started_at: dep.started_at,
                spike: facts.spike,
                incidents: facts.incidents.clone(),
            })
        })
        .collect();
    ServiceReport {
        service: d.service.clone(),
        environment: crate::model::environment::PRODUCTION,
        burn_trend: error_budget.trend,
        dora: d.dora.clone(),
        dora_unavailable: None,
        error_budget,
        history_start: inputs
            .deployments
            .iter()
            .filter(|dep| dep.service == d.service && dep.is_production())
            .filter(|dep| !matches!(dep.status, DeployStatus::Running | DeployStatus::Canceled))
            .filter_map(|dep| dep.finished_at.filter(|&f| f < at))
            .min(),
        spc: d.spc.clone(),
        deployments,
        previous: d.dora_previous.clone(),
    }
}
