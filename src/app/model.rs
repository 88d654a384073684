//! The app's state: the data the sources delivered, each source's health, and the UI
//! state. Only `App::update` mutates it; panes read it.

use std::collections::BTreeMap;

use crate::zone::Tz;
use chrono::Duration;

use crate::event::SourceError;
use crate::model::outside::OutsideText;
use crate::model::{
    Annotation, Deployment, DeploymentLog, Incident, Rejected, Series, SeriesKind, Ts, WindowRatios,
};

/// Everything the sources delivered, merged.
#[derive(Debug, Clone, Default)]
pub struct Data {
    /// Service names in display order.
    pub services: Vec<String>,
    /// Sorted by `started_at`, then id (oldest first), with the metrics' columns.
    pub deployments: DeploymentLog,
    /// Sorted by `created_at`, then key.
    pub incidents: Vec<Incident>,
    pub series: BTreeMap<(String, SeriesKind), Series>,
    pub ratios: BTreeMap<String, WindowRatios>,
    pub annotations: Vec<Annotation>,
    /// Records a source could not use, with the reason (data-quality view).
    pub rejected: Vec<Rejected>,
}

/// Health of a source as the header shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// Nothing fetched yet.
    Pending,
    Ok,
    /// Data older than the source's staleness limit (or loaded from the cache).
    Stale {
        since: Ts,
    },
    /// The last fetch failed.
    Error,
}

impl Health {
    pub fn word(&self) -> &'static str {
        match self {
            Health::Pending => "pending",
            Health::Ok => "ok",
            Health::Stale { .. } => "stale",
            Health::Error => "error",
        }
    }
}

#[derive(Debug, Clone)]
pub struct SourceStatus {
    pub id: String,
    /// Poll interval: data older than 3 intervals is stale. `None` for a source that is
    /// not polled (the cache): its state changes, it never goes stale.
    pub interval: Option<Duration>,
    pub fetching: bool,
    /// Time of the last successful fetch (or of the cached data).
    pub last_ok: Option<Ts>,
    pub last_error: Option<(Ts, SourceError)>,
    /// When the last failure carried a server's `Retry-After`: the source asks again
    /// no sooner than this (the header can say "rate limited, next try 14:05").
    pub retry_not_before: Option<Ts>,
    /// When the poller will try next (it says so after every attempt); `None` for a
    /// source that does not say (the demo, the cache).
    pub next_attempt: Option<Ts>,
    /// The kinds of data this source has delivered: which panes its health marks.
    pub feeds: Feeds,
    /// What the API warned about in the last successful fetch (partial answers,
    /// rejected queries…); kept through failures until the next success replaces it.
    pub warnings: Vec<OutsideText>,
    /// The data shown came from the local cache and has not been refreshed yet.
    pub from_cache: bool,
    /// A long fetch under way: records and pages read so far (the header says so).
    pub progress: Option<(u64, u64)>,
    /// Some live data arrived (a fetch still running sent part of it).
    pub partly_live: bool,
}

impl SourceStatus {
    pub fn new(id: impl Into<String>, interval: Option<Duration>) -> Self {
        SourceStatus {
            id: id.into(),
            interval,
            fetching: false,
            last_ok: None,
            last_error: None,
            retry_not_before: None,
            next_attempt: None,
            feeds: Feeds::default(),
            warnings: Vec::new(),
            from_cache: false,
            progress: None,
            partly_live: false,
        }
    }

    /// Health at `now`: error when the last attempt failed, stale when the data is older
    /// than three intervals or only cached, ok otherwise.
    pub fn health(&self, now: Ts) -> Health {
        let failed_last = match (&self.last_error, self.last_ok) {
            (Some((err_at, _)), Some(ok_at)) => *err_at > ok_at,
            (Some(_), None) => true,
            _ => false,
        };
        if failed_last {
            return Health::Error;
        }
        match self.last_ok {
            None => Health::Pending,
            Some(at) if self.from_cache || self.interval.is_some_and(|i| now - at > i * 3) => {
                Health::Stale { since: at }
            }
            Some(_) => Health::Ok,
        }
    }

    /// True once a live fetch succeeded (cached data no longer replaces anything).
    pub fn has_live_data(&self) -> bool {
        self.last_ok.is_some() && !self.from_cache
    }

    /// How long until the next attempt, if one is planned after `now`: the poller's
    /// backoff, or a server's `Retry-After` when that is later.
    pub fn next_try_in(&self, now: Ts) -> Option<Duration> {
        let at = match (self.next_attempt, self.retry_not_before) {
            (Some(a), Some(b)) => a.max(b),
            (a, b) => a.or(b)?,
        };
        (at > now).then(|| at - now)
    }

    /// Age of the data at `now`, if any.
    pub fn age(&self, now: Ts) -> Option<Duration> {
        self.last_ok.map(|at| now - at)
    }
}

/// Kinds of data a source delivers, as a small set: which panes a stale or failing
/// source marks is decided by what it fed them (see `ui::freshness`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Feeds(u8);

impl Feeds {
    pub const DEPLOYMENTS: Feeds = Feeds(1);
    pub const INCIDENTS: Feeds = Feeds(1 << 1);
    pub const SERIES: Feeds = Feeds(1 << 2);
    pub const RATIOS: Feeds = Feeds(1 << 3);
    pub const ANNOTATIONS: Feeds = Feeds(1 << 4);

    /// The kind of one piece of data; `None` for what no pane's figures come from
    /// (service names, rejected records).
    pub fn of(data: &crate::event::SourceData) -> Option<Feeds> {
        use crate::event::SourceData as D;
        match data {
            D::Deployments(_) => Some(Feeds::DEPLOYMENTS),
            D::Incidents(_) => Some(Feeds::INCIDENTS),
            D::Series { .. } => Some(Feeds::SERIES),
            D::Ratios { .. } => Some(Feeds::RATIOS),
            D::Annotations(_) => Some(Feeds::ANNOTATIONS),
            D::Services(_) | D::Rejected(_) | D::SyncState(_) => None,
        }
    }
    pub fn union(self, other: Feeds) -> Feeds {
        Feeds(self.0 | other.0)
    }
    pub fn intersects(self, other: Feeds) -> bool {
        self.0 & other.0 != 0
    }
}

/// The panes, in focus order: reading order on screen (left to right, top to bottom),
/// so Tab and the number keys follow what the eye sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaneId {
    Deployments,
    Budget,
    Dora,
    Signals,
    Spc,
    Review,
}

impl PaneId {
    pub const ALL: [PaneId; 6] = [
        PaneId::Deployments,
        PaneId::Budget,
        PaneId::Dora,
        PaneId::Signals,
        PaneId::Spc,
        PaneId::Review,
    ];
    pub fn title(self) -> &'static str {
        match self {
            PaneId::Deployments => "Deployments",
            PaneId::Budget => "Error budget",
            PaneId::Dora => "DORA",
            PaneId::Spc => "SPC",
            PaneId::Signals => "Golden signals",
            PaneId::Review => "Review",
        }
    }
    /// The number key that zooms this pane (1-based position).
    pub fn number(self) -> u8 {
        PaneId::ALL.iter().position(|p| *p == self).unwrap_or(0) as u8 + 1
    }
}

/// Which SPC metric the chart shows (`m` cycles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpcMetric {
    #[default]
    LeadTime,
    DeployDuration,
    RecoveryTime,
    ChangeFailureRate,
    IncidentsPerDeployment,
}

impl SpcMetric {
    pub const ALL: [SpcMetric; 5] = [
        SpcMetric::LeadTime,
        SpcMetric::DeployDuration,
        SpcMetric::RecoveryTime,
        SpcMetric::ChangeFailureRate,
        SpcMetric::IncidentsPerDeployment,
    ];
    /// The metric id used by `metrics::SpcChart::metric` and the report.
    pub fn id(self) -> &'static str {
        match self {
            SpcMetric::LeadTime => "lead_time",
            SpcMetric::DeployDuration => "deploy_duration",
            SpcMetric::RecoveryTime => "recovery_time",
            SpcMetric::ChangeFailureRate => "change_failure_rate",
            SpcMetric::IncidentsPerDeployment => "incidents_per_deployment",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            SpcMetric::LeadTime => "lead time",
            SpcMetric::DeployDuration => "deploy duration",
            SpcMetric::RecoveryTime => "recovery time",
            SpcMetric::ChangeFailureRate => "change failure rate / week",
            SpcMetric::IncidentsPerDeployment => "incidents per deployment / week",
        }
    }
}

/// A view drawn over the panes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help,
    /// Detail of one deployment, by id.
    Deployment(String),
    /// Service picker with its filter text and cursor.
    ServicePicker {
        filter: String,
        cursor: usize,
    },
    /// Source health details (reasons for errors, warnings).
    Sources,
}

/// Where an overlay is scrolled to, counted from its top or from its end: the app
/// does not know how many lines an overlay wraps into (the painter does), so `G`
/// anchors at the end and `k` then steps up from there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverlayScroll {
    /// This many lines below the top.
    Top(u16),
    /// This many lines above the last page.
    End(u16),
}

impl Default for OverlayScroll {
    fn default() -> Self {
        OverlayScroll::Top(0)
    }
}

impl OverlayScroll {
    /// `lines` further down (towards the end).
    pub fn down(self, lines: u16) -> Self {
        match self {
            OverlayScroll::Top(n) => OverlayScroll::Top(n.saturating_add(lines)),
            OverlayScroll::End(n) => OverlayScroll::End(n.saturating_sub(lines)),
        }
    }
    /// `lines` further up (towards the top).
    pub fn up(self, lines: u16) -> Self {
        match self {
            OverlayScroll::Top(n) => OverlayScroll::Top(n.saturating_sub(lines)),
            OverlayScroll::End(n) => OverlayScroll::End(n.saturating_add(lines)),
        }
    }
    /// The first line shown when the overlay can scroll by at most `max` lines.
    pub fn offset(self, max: usize) -> usize {
        match self {
            OverlayScroll::Top(n) => usize::from(n).min(max),
            OverlayScroll::End(n) => max.saturating_sub(usize::from(n)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiState {
    pub focus: PaneId,
    pub zoomed: Option<PaneId>,
    /// Overlays stack; Esc pops the top one.
    pub overlays: Vec<Overlay>,
    /// Index into the selected service's deployments, newest first.
    pub deploy_cursor: usize,
    /// Index into `Data::services`.
    pub service: usize,
    pub spc_metric: SpcMetric,
    pub review_cursor: usize,
    /// Scroll position of the top overlay (help, detail).
    pub overlay_scroll: OverlayScroll,
    /// A one-line message for the footer ("refresh requested"), cleared by the next key.
    pub flash: Option<String>,
    /// The fleet view's state (shown instead of the cockpit when `fleet.open`).
    pub fleet: super::fleet::FleetUi,
    /// The `:` command line while it is open.
    pub command: Option<super::command_line::CommandLine>,
    /// What `y` last copied (the runtime writes it to the clipboard once).
    pub clip: super::copy::Clip,
    /// `:env NAME`: the deployments table shows only this environment.
    pub environment: Option<String>,
    /// The review form being filled in (keys and pastes go to it while it is open).
    pub review_form: Option<super::review_form::ReviewForm>,
}

impl Default for UiState {
    fn default() -> Self {
        UiState {
            focus: PaneId::Deployments,
            zoomed: None,
            overlays: Vec::new(),
            deploy_cursor: 0,
            service: 0,
            spc_metric: SpcMetric::LeadTime,
            review_cursor: 0,
            overlay_scroll: OverlayScroll::default(),
            flash: None,
            fleet: Default::default(),
            command: None,
            clip: Default::default(),
            environment: None,
            review_form: None,
        }
    }
}

/// What DORA figures read when no source delivers deployments (the TUI and the report).
pub const NO_DEPLOYMENT_SOURCE: &str = "no deployment source";

/// What DORA figures read when a deployment source is configured but has listed none.
pub const NO_DEPLOYMENTS_YET: &str = "no deployments yet";

/// How the cockpit presents itself; fixed for the run.
#[derive(Debug, Clone)]
pub struct View {
    pub tz: Tz,
    /// Running on the embedded demo: the header says DEMO.
    pub demo: bool,
}

/// The whole state the panes read.
#[derive(Debug, Clone)]
pub struct Model {
    pub data: Data,
    pub sources: Vec<SourceStatus>,
    pub ui: UiState,
    pub view: View,
    /// The clock, advanced by ticks (never read from the system while drawing).
    pub now: Ts,
    /// Each service's group and tier from the config (the fleet's roll-ups).
    pub tags: super::fleet::TagMap,
    /// `[environments.aliases]` from the config: `:env prd` means what the sources mean.
    pub env_aliases: std::collections::BTreeMap<String, String>,
    /// What the config read but left out (`[[slo_files]]` SLOs flightdeck cannot
    /// express), one line each, listed in the sources overlay.
    pub config_notes: Vec<String>,
    /// Review setup and sessions (the review pane reads them through `review::`).
    pub review: crate::review::Reviews,
}

impl Model {
    pub fn new(view: View, now: Ts) -> Self {
        Model {
            data: Data::default(),
            sources: Vec::new(),
            ui: UiState::default(),
            view,
            now,
            tags: Default::default(),
            env_aliases: Default::default(),
            config_notes: Vec::new(),
            review: crate::review::Reviews::default(),
        }
    }

    /// Warnings of every source together (the header's count). Each source keeps its
    /// own in [`SourceStatus::warnings`] until its next successful fetch.
    pub fn warning_count(&self) -> usize {
        self.sources.iter().map(|s| s.warnings.len()).sum()
    }

    /// Why there are no DORA figures to show, if so: no source delivers deployments
    /// (DORA counts deployments; without them "0.0/week [LOW]" would be a lie), or a
    /// configured deployment source has listed none yet. See [`super::dora_reason`].
    pub fn dora_unavailable(&self) -> Option<&'static str> {
        super::dora_reason::dora_unavailable(
            self.view.demo,
            !self.data.deployments.is_empty(),
            &self.sources,
        )
    }

    /// The selected service's name, if any service is known.
    pub fn selected_service(&self) -> Option<&str> {
        self.data.services.get(self.ui.service).map(String::as_str)
    }

    /// The selected service's deployments, newest first (the table's order).
    pub fn service_deployments(&self) -> Vec<&Deployment> {
        let Some(service) = self.selected_service() else {
            return Vec::new();
        };
        let env = self.ui.environment.as_deref();
        self.data
            .deployments
            .iter()
            .rev()
            .filter(|d| d.service == service && env.is_none_or(|e| d.environment == e))
            .collect()
    }

    /// Indices into `Data::services` whose name contains `filter` (case-insensitive),
    /// in display order: the service picker's rows.
    pub fn picker_matches(&self, filter: &str) -> Vec<usize> {
        let needle = filter.to_lowercase();
        self.data
            .services
            .iter()
            .enumerate()
            .filter(|(_, s)| s.to_lowercase().contains(&needle))
            .map(|(i, _)| i)
            .collect()
    }

    /// The deployment under the table cursor.
    pub fn selected_deployment(&self) -> Option<&Deployment> {
        self.service_deployments()
            .get(self.ui.deploy_cursor)
            .copied()
    }
}
