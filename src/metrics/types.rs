//! The figures the metrics engine derives. Panes, the report and the store read only
//! these; how they are computed lives in the sibling modules. `None` always means
//! "cannot be computed" (no data), never zero.

use crate::metrics::spc::Subgroup;
use serde::Serialize;

use crate::model::Ts;

/// DORA performance level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Elite,
    High,
    Medium,
    Low,
}

impl Level {
    pub fn word(self) -> &'static str {
        match self {
            Level::Elite => "elite",
            Level::High => "high",
            Level::Medium => "medium",
            Level::Low => "low",
        }
    }
}

/// Half-open time window `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub start: Ts,
    pub end: Ts,
}

impl Window {
    pub fn contains(&self, t: Ts) -> bool {
        self.start <= t && t < self.end
    }
    pub fn seconds(&self) -> f64 {
        (self.end - self.start).num_milliseconds() as f64 / 1000.0
    }
    /// The window of the same length that ends where this one starts.
    pub fn previous(&self) -> Window {
        Window {
            start: self.start - (self.end - self.start),
            end: self.start,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeploymentFrequency {
    /// Successful production deployments in the window.
    pub deployments: u32,
    pub per_day: Option<f64>,
    /// Median over the window's whole weeks of days with ≥ 1 successful deployment.
    pub deployment_days_per_week: Option<f64>,
    pub level: Option<Level>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadTime {
    pub changes: u32,
    pub p50_seconds: Option<f64>,
    pub p90_seconds: Option<f64>,
    pub level: Option<Level>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeFailureRate {
    pub failed: u32,
    pub deployments: u32,
    pub rate: Option<f64>,
    pub level: Option<Level>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecoveryTime {
    /// Recovered failures (the percentiles' population).
    pub failures: u32,
    /// Failures not yet recovered at `now`; not in the percentiles.
    #[serde(skip)]
    pub ongoing: u32,
    pub p50_seconds: Option<f64>,
    pub p90_seconds: Option<f64>,
    pub level: Option<Level>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReworkRate {
    pub rework: u32,
    pub deployments: u32,
    pub rate: Option<f64>,
}

/// The five keys for one service (or all) over one window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dora {
    #[serde(skip)]
    pub window: Window,
    pub deployment_frequency: DeploymentFrequency,
    pub lead_time: LeadTime,
    pub change_failure_rate: ChangeFailureRate,
    pub recovery_time: RecoveryTime,
    pub rework_rate: ReworkRate,
}

/// Direction of a figure against the previous window, and whether that is good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Better,
    Worse,
    Same,
    /// One of the two windows has no value.
    Unknown,
}

/// Deployment policy band from the remaining error budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    Normal,
    Caution,
    Restricted,
    Frozen,
    HardFreeze,
}

impl Policy {
    pub fn word(self) -> &'static str {
        match self {
            Policy::Normal => "normal",
            Policy::Caution => "caution",
            Policy::Restricted => "restricted",
            Policy::Frozen => "frozen",
            Policy::HardFreeze => "hard freeze",
        }
    }
    /// What the policy asks of deployers, one line.
    pub fn meaning(self) -> &'static str {
        match self {
            Policy::Normal => "deploy as usual",
            Policy::Caution => "canary required, longer bake",
            Policy::Restricted => "critical fixes only",
            Policy::Frozen => "deploys frozen",
            Policy::HardFreeze => "emergency patches only",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertSeverity {
    Page,
    Ticket,
}

/// A firing multiwindow burn-rate alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BurnAlert {
    pub severity: AlertSeverity,
    /// Long and short window names ("1h", "5m").
    pub long: &'static str,
    pub short: &'static str,
    /// The lower of the two windows' burn rates (both are ≥ the threshold).
    pub burn: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BurnTrend {
    Increasing,
    Recovering,
    Steady,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct BurnRates {
    #[serde(rename = "5m")]
    pub m5: Option<f64>,
    #[serde(rename = "30m")]
    pub m30: Option<f64>,
    #[serde(rename = "1h")]
    pub h1: Option<f64>,
    #[serde(rename = "6h")]
    pub h6: Option<f64>,
    #[serde(rename = "3d")]
    pub d3: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorBudget {
    pub slo_target: f64,
    pub window_seconds: f64,
    pub error_ratio: Option<f64>,
    /// Fraction of the budget left; below zero when overspent.
    pub remaining: Option<f64>,
    pub policy: Option<Policy>,
    pub burn_rates: BurnRates,
    pub alerts: Vec<BurnAlert>,
    #[serde(skip)]
    pub trend: Option<BurnTrend>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    Xmr,
    P,
    U,
}

/// A run rule. Western Electric 1–4 by default, Nelson 1–8 on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Rule {
    #[serde(rename = "WE1")]
    We1,
    #[serde(rename = "WE2")]
    We2,
    #[serde(rename = "WE3")]
    We3,
    #[serde(rename = "WE4")]
    We4,
    #[serde(rename = "N1")]
    N1,
    #[serde(rename = "N2")]
    N2,
    #[serde(rename = "N3")]
    N3,
    #[serde(rename = "N4")]
    N4,
    #[serde(rename = "N5")]
    N5,
    #[serde(rename = "N6")]
    N6,
    #[serde(rename = "N7")]
    N7,
    #[serde(rename = "N8")]
    N8,
}

impl Rule {
    pub fn code(self) -> &'static str {
        match self {
            Rule::We1 => "WE1",
            Rule::We2 => "WE2",
            Rule::We3 => "WE3",
            Rule::We4 => "WE4",
            Rule::N1 => "N1",
            Rule::N2 => "N2",
            Rule::N3 => "N3",
            Rule::N4 => "N4",
            Rule::N5 => "N5",
            Rule::N6 => "N6",
            Rule::N7 => "N7",
            Rule::N8 => "N8",
        }
    }
    /// One line a release manager understands.
    pub fn description(self) -> &'static str {
        match self {
            Rule::We1 | Rule::N1 => "1 point beyond 3 sigma",
            Rule::We2 | Rule::N5 => "2 of 3 beyond 2 sigma, same side",
            Rule::We3 | Rule::N6 => "4 of 5 beyond 1 sigma, same side",
            Rule::We4 => "8 in a row on one side",
            Rule::N2 => "9 in a row on one side",
            Rule::N3 => "6 in a row steadily rising or falling",
            Rule::N4 => "14 in a row alternating up and down",
            Rule::N7 => "15 in a row within 1 sigma",
            Rule::N8 => "8 in a row outside 1 sigma, both sides",
        }
    }
}

/// Control limits that apply at one point (p-charts vary them with n).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Limits {
    pub center: f64,
    pub ucl: f64,
    pub lcl: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpcPoint {
    pub at: Ts,
    pub value: f64,
    /// Limits in force at this point (held from the baseline of its segment); NaN
    /// (written as `null`) where no baseline exists yet (fewer than two points).
    pub limits: Limits,
    /// A weekly point's counts: `count` (failed deployments, or incidents) of `n`
    /// deployments. `None` on XmR charts.
    #[serde(skip)]
    pub counts: Option<Subgroup>,
    /// The end of a weekly point's week `[at, until)`, where the charts say it (the
    /// chart itself knows only where each week starts).
    #[serde(skip)]
    pub until: Option<Ts>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signal {
    pub rule: Rule,
    /// The point at which the rule trips (the last of its run).
    pub index: usize,
    pub at: Ts,
    /// Every point of the run that trips the rule.
    #[serde(skip)]
    pub points: Vec<usize>,
}

/// Moving-range chart accompanying an XmR chart, segment by segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MovingRange {
    /// One per point of the chart: `|x[i] − x[i−1]|`, `None` at the first point of
    /// each segment (no range is taken across a process change).
    pub values: Vec<Option<f64>>,
    /// The last segment's mR̄ and upper limit `3.267·mR̄`; `None` when its baseline
    /// holds fewer than two points.
    pub center: Option<f64>,
    pub ucl: Option<f64>,
    /// Indices (into `values`, that is the chart's points) of the moving ranges above
    /// their own segment's upper limit.
    pub beyond: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpcChart {
    /// Metric id (`lead_time`, `deploy_duration`, `recovery_time`, `change_failure_rate`,
    /// `incidents_per_deployment`).
    pub metric: &'static str,
    pub chart: ChartKind,
    /// Limits of the last segment (what the report prints).
    pub center: Option<f64>,
    pub ucl: Option<f64>,
    pub lcl: Option<f64>,
    pub points: Vec<SpcPoint>,
    pub signals: Vec<Signal>,
    #[serde(skip)]
    pub moving_range: Option<MovingRange>,
    /// The latest segment's baseline has no variation (σ = 0: all XmR baseline values
    /// equal, or a p̄ of 0 or 1, or a ū of 0): its limits collapse onto the centre and
    /// cannot tell a signal from noise, so no run rule judges its points.
    #[serde(skip)]
    pub no_spread: bool,
    /// Points in the latest segment's baseline when it holds fewer than a baseline
    /// takes (and is not a range the user marked): its limits still move as points
    /// arrive.
    #[serde(skip)]
    pub provisional: Option<usize>,
    /// On p- and u-charts, the counts summed over the latest segment's baseline: the
    /// centre's numerator and denominator.
    #[serde(skip)]
    pub baseline_counts: Option<Subgroup>,
}

/// Why a deployment is risky.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskFlag {
    Weekend,
    Holiday,
    OutsideChangeWindow,
    Freeze,
    BudgetFreeze,
    LargeBatch,
    Manual,
}

impl RiskFlag {
    /// Every flag, in the order the help overlay explains them.
    pub const ALL: [RiskFlag; 7] = [
        RiskFlag::Weekend,
        RiskFlag::Holiday,
        RiskFlag::OutsideChangeWindow,
        RiskFlag::Freeze,
        RiskFlag::BudgetFreeze,
        RiskFlag::LargeBatch,
        RiskFlag::Manual,
    ];

    /// A short tag for the deployments table.
    pub fn tag(self) -> &'static str {
        match self {
            RiskFlag::Weekend => "wknd",
            RiskFlag::Holiday => "hol",
            RiskFlag::OutsideChangeWindow => "ooh",
            RiskFlag::Freeze => "frz",
            RiskFlag::BudgetFreeze => "bfrz",
            RiskFlag::LargeBatch => "big",
            RiskFlag::Manual => "man",
        }
    }
    pub fn word(self) -> &'static str {
        match self {
            RiskFlag::Weekend => "weekend",
            RiskFlag::Holiday => "holiday",
            RiskFlag::OutsideChangeWindow => "outside change window",
            RiskFlag::Freeze => "during a freeze",
            RiskFlag::BudgetFreeze => "during a budget freeze",
            RiskFlag::LargeBatch => "large batch",
            RiskFlag::Manual => "manual trigger",
        }
    }
}

/// Facts about one deployment that need more than the deployment itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeploymentFacts {
    /// Counted as a change failure (any of the four causes) — as the change failure
    /// rate counts it: a running deployment is not yet one, whatever its canary says.
    pub failed: bool,
    pub risk: Vec<RiskFlag>,
    /// Fraction of the SLO window's budget this deployment consumed over its bake window.
    pub budget_consumed: Option<f64>,
    /// Its error ratio was ≥ 5× the baseline hour: likely cause of a spike.
    pub spike: bool,
    /// Incidents linked to it (explicitly or by the window rule).
    pub incidents: Vec<String>,
    /// Changes (commits) counted for lead time: false for the first deployment seen.
    pub changes_counted: bool,
}

/// Why the window rule linked an incident to no deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoMatch {
    /// No production deployment of its service had finished when it was opened.
    NoEarlierDeployment,
    /// The latest one finished longer than the link window before it was opened.
    OutsideWindow,
}

/// Why the deployment an incident names explicitly was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NamedLink {
    /// No deployment with that id (at `now`).
    Unknown,
    /// Not a production deployment (staging, development…).
    NotProduction,
    /// Canceled: not in the change-failure denominator.
    Canceled,
}

/// An incident linked to no deployment, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnlinkedIncident {
    pub key: String,
    pub why: NoMatch,
    /// The deployment id the tracker named, and why it was not used.
    pub named: Option<(String, NamedLink)>,
}

impl UnlinkedIncident {
    /// One line for people: "no production deployment of its service finished in the
    /// 24 h before it was opened; the tracker named staging deployment d7".
    pub fn reason(&self, link_window: &str) -> String {
        let why = match self.why {
            NoMatch::NoEarlierDeployment => {
                "no production deployment of its service had finished when it was opened"
                    .to_string()
            }
            NoMatch::OutsideWindow => format!(
                "no production deployment of its service finished in the {link_window} before it was opened"
            ),
        };
        match &self.named {
            None => why,
            Some((id, named)) => {
                let what = match named {
                    NamedLink::Unknown => "an unknown deployment",
                    NamedLink::NotProduction => "a non-production deployment",
                    NamedLink::Canceled => "a canceled deployment",
                };
                format!("{why}; the tracker named {what}, {id}, which is not counted")
            }
        }
    }
}
