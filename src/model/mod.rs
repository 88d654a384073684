//! The normalized domain model (DESIGN §2). Every source maps its API answers into
//! these types; everything downstream (metrics, panes, store, report) reads only these.
//!
//! Strings that came from an API are sanitized before they are put here (see
//! [`sanitize`]); the constructors in the source adapters are responsible for that.

pub mod environment;
pub mod fnv;
pub mod log;
pub mod outside;
pub mod sanitize;

pub use log::DeploymentLog;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A UTC instant. All model times are UTC; the UI converts to the configured zone.
pub type Ts = DateTime<Utc>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployStatus {
    Running,
    Success,
    Failed,
    RolledBack,
    Canceled,
}

impl DeployStatus {
    /// The word shown beside the status symbol (never colour alone).
    pub fn word(self) -> &'static str {
        match self {
            DeployStatus::Running => "running",
            DeployStatus::Success => "success",
            DeployStatus::Failed => "failed",
            DeployStatus::RolledBack => "rolled back",
            DeployStatus::Canceled => "canceled",
        }
    }
    /// Machine form, as in the report and the cache.
    pub fn as_str(self) -> &'static str {
        match self {
            DeployStatus::Running => "running",
            DeployStatus::Success => "success",
            DeployStatus::Failed => "failed",
            DeployStatus::RolledBack => "rolled_back",
            DeployStatus::Canceled => "canceled",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    Auto,
    Manual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployKind {
    Normal,
    Hotfix,
    Rollback,
}

/// One commit shipped by a deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    #[serde(deserialize_with = "outside::de_line")]
    pub sha: String,
    #[serde(deserialize_with = "outside::de_line")]
    pub title: String,
    #[serde(deserialize_with = "outside::de_line")]
    pub author: String,
    pub authored_at: Ts,
    pub committed_at: Ts,
    pub merged_at: Option<Ts>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageStatus {
    Pending,
    Running,
    Success,
    Failed,
    Skipped,
    Canceled,
}

/// A pipeline stage of a deployment (build, test, canary 5%, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    #[serde(deserialize_with = "outside::de_line")]
    pub name: String,
    pub status: StageStatus,
    pub started_at: Option<Ts>,
    pub finished_at: Option<Ts>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CanaryOutcome {
    InProgress,
    Passed,
    Failed,
}

/// Canary analysis of a progressive rollout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CanaryResult {
    /// Share of traffic on the new version, in percent (5, 25, 100…).
    pub traffic_percent: u8,
    pub outcome: CanaryOutcome,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    /// Unique across sources (sources prefix their native ids, e.g. `gitlab:41`).
    #[serde(deserialize_with = "outside::de_line")]
    pub id: String,
    /// The source id that produced it (`demo`, `gitlab`, …).
    #[serde(deserialize_with = "outside::de_line")]
    pub source: String,
    #[serde(deserialize_with = "outside::de_line")]
    pub service: String,
    /// Normalized through [`environment::normalize`].
    #[serde(deserialize_with = "outside::de_line")]
    pub environment: String,
    #[serde(deserialize_with = "outside::de_line")]
    pub version: String,
    #[serde(deserialize_with = "outside::de_line")]
    pub sha: String,
    pub status: DeployStatus,
    pub started_at: Ts,
    /// `None` while running.
    pub finished_at: Option<Ts>,
    #[serde(deserialize_with = "outside::de_line")]
    pub deployer: String,
    #[serde(default, deserialize_with = "outside::de_opt_long")]
    pub url: Option<String>,
    pub commits: Vec<Change>,
    pub stages: Vec<Stage>,
    pub canary: Option<CanaryResult>,
    pub trigger: Trigger,
    pub kind: DeployKind,
}

impl Deployment {
    pub fn is_production(&self) -> bool {
        self.environment == environment::PRODUCTION
    }
    /// Wall time from start to finish, or to `now` while running.
    pub fn duration(&self, now: Ts) -> chrono::Duration {
        self.finished_at
            .unwrap_or(now)
            .signed_duration_since(self.started_at)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    #[serde(deserialize_with = "outside::de_line")]
    pub key: String,
    #[serde(deserialize_with = "outside::de_line")]
    pub service: String,
    #[serde(deserialize_with = "outside::de_line")]
    pub title: String,
    #[serde(deserialize_with = "outside::de_line")]
    pub severity: String,
    pub created_at: Ts,
    pub resolved_at: Option<Ts>,
    /// Explicit link from the tracker (a field or a `deploy:<id>` label).
    #[serde(default, deserialize_with = "outside::de_opt_line")]
    pub linked_deployment: Option<String>,
}

/// What a series measures; the golden-signal pane and the budget engine read these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeriesKind {
    /// bad / total per step, a fraction in [0, 1].
    ErrorRatio,
    /// 99th percentile latency in seconds.
    LatencyP99,
    /// Requests per second.
    RequestRate,
}

/// A time series as a query returned it. Points are sorted by time; values may be NaN.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Series {
    #[serde(deserialize_with = "outside::de_long")]
    pub query: String,
    pub points: Vec<(Ts, f64)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnnotationKind {
    /// Starts a new SPC baseline.
    ProcessChange,
    Note,
    /// A deployment seen in metrics (a deploy-marker query), drawn on the charts.
    DeployMarker,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Annotation {
    pub at: Ts,
    #[serde(default, deserialize_with = "outside::de_opt_line")]
    pub service: Option<String>,
    #[serde(deserialize_with = "outside::de_line")]
    pub text: String,
    pub kind: AnnotationKind,
}

/// Error ratios of one service's SLI over the standard windows, as of `at`.
/// `None` means the source could not compute it (no traffic, no data) — never 0.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct WindowRatios {
    pub m5: Option<f64>,
    pub m30: Option<f64>,
    pub h1: Option<f64>,
    pub h6: Option<f64>,
    pub d3: Option<f64>,
    /// Over the whole SLO window (30 d by default).
    pub slo_window: Option<f64>,
    /// Mean requests per second over the whole SLO window: with the window's length,
    /// the `total_requests(W)` that the budget a deployment consumed is a share of.
    /// (Absent from caches written before it existed.)
    #[serde(default)]
    pub slo_window_request_rate: Option<f64>,
}

impl WindowRatios {
    /// Each window from `self`, or from `shown` where `self` has none: a partial answer
    /// laid over the figures it updates.
    pub fn or(self, shown: &WindowRatios) -> WindowRatios {
        WindowRatios {
            m5: self.m5.or(shown.m5),
            m30: self.m30.or(shown.m30),
            h1: self.h1.or(shown.h1),
            h6: self.h6.or(shown.h6),
            d3: self.d3.or(shown.d3),
            slo_window: self.slo_window.or(shown.slo_window),
            slo_window_request_rate: self
                .slo_window_request_rate
                .or(shown.slo_window_request_rate),
        }
    }
}

/// A record a source could not map into the model, kept for the data-quality view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejected {
    #[serde(deserialize_with = "outside::de_line")]
    pub source: String,
    #[serde(deserialize_with = "outside::de_line")]
    pub record: String,
    #[serde(deserialize_with = "outside::de_line")]
    pub reason: String,
}
