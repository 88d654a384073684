//! The fleet view: every service on one screen, one row each, the start screen when
//! more than one service is configured. This file holds its UI state; [`rows`] turns
//! the model and the derived figures into its rows (pure, unit-tested), and the
//! painter (`ui::panes::fleet`) only lays them out.

mod input;
pub mod rows;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

/// How the fleet's rows are ordered (`o` cycles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FleetSort {
    /// Least budget left first: who needs attention.
    #[default]
    Budget,
    /// Fastest burn first.
    Burn,
    /// Most recent deployment first.
    LastDeploy,
    Name,
}

impl FleetSort {
    pub const ALL: [FleetSort; 4] = [
        FleetSort::Budget,
        FleetSort::Burn,
        FleetSort::LastDeploy,
        FleetSort::Name,
    ];
    pub fn word(self) -> &'static str {
        match self {
            FleetSort::Budget => "budget",
            FleetSort::Burn => "burn",
            FleetSort::LastDeploy => "last deploy",
            FleetSort::Name => "name",
        }
    }
    pub fn next(self) -> FleetSort {
        let i = FleetSort::ALL.iter().position(|s| *s == self).unwrap_or(0);
        FleetSort::ALL[(i + 1) % FleetSort::ALL.len()]
    }
}

/// Which configured tag rolls rows up under a group line (`t` cycles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupBy {
    /// `group = "team-a"` on a service.
    #[default]
    Group,
    /// `tier = "1"` on a service.
    Tier,
    /// One flat list.
    None,
}

impl GroupBy {
    pub fn word(self) -> &'static str {
        match self {
            GroupBy::Group => "group",
            GroupBy::Tier => "tier",
            GroupBy::None => "none",
        }
    }
    pub fn next(self) -> GroupBy {
        match self {
            GroupBy::Group => GroupBy::Tier,
            GroupBy::Tier => GroupBy::None,
            GroupBy::None => GroupBy::Group,
        }
    }
}

/// The fleet view's state; kept while the cockpit is shown, so coming back finds the
/// same sort, filter and row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FleetUi {
    /// The fleet is on screen instead of the cockpit.
    pub open: bool,
    /// Index into the shown services ([`rows::FleetRows::services`]), not the lines.
    pub cursor: usize,
    pub sort: FleetSort,
    pub group_by: GroupBy,
    /// Case-insensitive part of a service's name (or its group or tier).
    pub filter: String,
    /// `/` was pressed: typed keys edit the filter until Enter or Esc.
    pub typing: bool,
}

/// What the config says about a service besides its queries: the fleet's roll-ups.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceTags {
    pub group: Option<String>,
    pub tier: Option<String>,
}

impl ServiceTags {
    pub fn get(&self, by: GroupBy) -> Option<&str> {
        match by {
            GroupBy::Group => self.group.as_deref(),
            GroupBy::Tier => self.tier.as_deref(),
            GroupBy::None => None,
        }
    }
}

/// Tags by service name.
pub type TagMap = BTreeMap<String, ServiceTags>;
