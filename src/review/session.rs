//! A review session: what is reviewed (one deployment, or a release: a version across
//! services), the checklist's state, findings and action items. Plain data: the app
//! holds it, the review worker stores it, the export prints it.

use serde::{Deserialize, Serialize};

use crate::model::Ts;

use super::checks::Evaluation;

/// What a review is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReviewTarget {
    Deployment {
        #[serde(deserialize_with = "crate::model::outside::de_line")]
        id: String,
        #[serde(deserialize_with = "crate::model::outside::de_line")]
        service: String,
        #[serde(deserialize_with = "crate::model::outside::de_line")]
        version: String,
    },
    /// A version across services: each of its deployments.
    Release {
        #[serde(deserialize_with = "crate::model::outside::de_line")]
        version: String,
        deployments: Vec<String>,
    },
}

impl ReviewTarget {
    /// True when deployment `id` is (one of) what is reviewed.
    pub fn covers(&self, id: &str) -> bool {
        match self {
            ReviewTarget::Deployment { id: d, .. } => d == id,
            ReviewTarget::Release { deployments, .. } => deployments.iter().any(|d| d == id),
        }
    }

    /// "deployment d41 (checkout 2.4.1)", "release 2.4.1 (3 deployments)".
    pub fn title(&self) -> String {
        match self {
            ReviewTarget::Deployment {
                id,
                service,
                version,
            } => format!("deployment {id} ({service} {version})"),
            ReviewTarget::Release {
                version,
                deployments,
            } => format!("release {version} ({} deployments)", deployments.len()),
        }
    }
}

/// The state of one checklist item in a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckState {
    #[serde(deserialize_with = "crate::model::outside::de_line")]
    pub id: String,
    #[serde(deserialize_with = "crate::model::outside::de_line")]
    pub title: String,
    /// Automatic items: the verdict and evidence when the session was last evaluated.
    #[serde(default)]
    pub auto: Option<Evaluation>,
    /// Manual items: ticked by the reviewer.
    #[serde(default)]
    pub checked: bool,
    #[serde(default, deserialize_with = "crate::model::outside::de_opt_long")]
    pub note: Option<String>,
}

/// The categories of findings and action items (the post-release review courses').
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    DeploymentProcess,
    ConfigurationDrift,
    DependencyFailure,
    TestGap,
    MonitoringGap,
    Capacity,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::DeploymentProcess,
        Category::ConfigurationDrift,
        Category::DependencyFailure,
        Category::TestGap,
        Category::MonitoringGap,
        Category::Capacity,
    ];
    pub fn word(self) -> &'static str {
        match self {
            Category::DeploymentProcess => "deployment process",
            Category::ConfigurationDrift => "configuration drift",
            Category::DependencyFailure => "dependency failure",
            Category::TestGap => "test gap",
            Category::MonitoringGap => "monitoring gap",
            Category::Capacity => "capacity",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub category: Category,
    #[serde(deserialize_with = "crate::model::outside::de_long")]
    pub text: String,
}

/// An action item: what goes to the tracker through the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItem {
    /// The outbox UUID (the tracker label is `flightdeck-<uuid>`). Every string here
    /// is sanitized and bounded when read back from the store (outside text).
    #[serde(deserialize_with = "crate::model::outside::de_line")]
    pub uuid: String,
    #[serde(deserialize_with = "crate::model::outside::de_line")]
    pub summary: String,
    #[serde(default, deserialize_with = "crate::model::outside::de_opt_line")]
    pub owner: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "crate::model::outside::de_opt_line")]
    pub due: Option<String>,
    #[serde(deserialize_with = "crate::model::outside::de_long")]
    pub success_criteria: String,
    pub category: Category,
    /// The deployment or pipeline it came from.
    #[serde(default, deserialize_with = "crate::model::outside::de_opt_long")]
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSession {
    /// A UUID.
    pub id: String,
    pub target: ReviewTarget,
    /// The checklist template's name.
    pub template: String,
    pub started_at: Ts,
    pub checks: Vec<CheckState>,
    #[serde(default)]
    pub findings: Vec<Finding>,
    #[serde(default)]
    pub actions: Vec<ActionItem>,
    /// The reviewer's decision ("release accepted", …), once taken.
    #[serde(default, deserialize_with = "crate::model::outside::de_opt_long")]
    pub decision: Option<String>,
}

impl ReviewSession {
    pub fn check_mut(&mut self, id: &str) -> Option<&mut CheckState> {
        self.checks.iter_mut().find(|c| c.id == id)
    }
}
