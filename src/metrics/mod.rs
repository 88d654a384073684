//! The metrics engine (DESIGN §3): pure functions, no I/O and no clock. Every function
//! takes `now` and its data. The cockpit, the report and the benches all call
//! [`derive`]; panes never compute figures themselves.

pub mod budget;
pub mod charts;
pub mod consumed;
pub mod derive;
pub mod dora;
pub mod duration;
pub mod local;
pub mod percentile;
pub mod risk;
pub mod settings;
pub mod spc;
pub mod trend;
pub mod types;

use std::collections::BTreeMap;

pub use settings::Settings;
pub use types::*;

use crate::model::{Annotation, DeploymentLog, Incident, Series, SeriesKind, Ts, WindowRatios};

/// The data the engine reads: borrowed from the app's model (or a report's load).
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// Sorted by `started_at`, then id, with the columns the DORA figures read.
    pub deployments: &'a DeploymentLog,
    /// Sorted by `created_at`.
    pub incidents: &'a [Incident],
    pub ratios: &'a BTreeMap<String, WindowRatios>,
    pub series: &'a BTreeMap<(String, SeriesKind), Series>,
    pub annotations: &'a [Annotation],
}

/// Everything derived for one service.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceDerived {
    pub service: String,
    pub dora: Dora,
    /// The same figures over the previous window, for trend arrows.
    pub dora_previous: Dora,
    pub budget: Option<ErrorBudget>,
    pub spc: Vec<SpcChart>,
    /// Keyed by deployment id.
    pub facts: BTreeMap<String, DeploymentFacts>,
}

/// Everything the engine derives at one instant.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Derived {
    pub at: Option<Ts>,
    pub services: BTreeMap<String, ServiceDerived>,
    /// Incidents in the window linked to no deployment (shown as such, never
    /// guessed), with the reason.
    pub unlinked_incidents: Vec<UnlinkedIncident>,
}

pub use derive::{derive, derive_in};

impl ServiceDerived {
    /// The SPC chart of a metric id (`SpcMetric::id`), if derived.
    pub fn chart(&self, metric: &str) -> Option<&SpcChart> {
        self.spc.iter().find(|c| c.metric == metric)
    }
    /// Trend of each headline DORA figure against the previous window.
    pub fn trends(&self) -> trend::DoraTrends {
        trend::dora_trends(&self.dora, &self.dora_previous)
    }
}
