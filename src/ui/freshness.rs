//! Which panes show stale figures: a pane whose figures come from a source that is
//! stale or failing says so in its title ("STALE 4m"), with the age of what it shows,
//! so old numbers never pass for live ones — in words, not colour alone.
//!
//! A source marks the panes fed by the kinds of data it has delivered (see
//! [`Feeds`]); a source that never delivered anything marks nothing, since no pane
//! shows its figures (those panes say "no data" instead).

use chrono::Duration;

use crate::app::{Feeds, Health, PaneId, SourceStatus};
use crate::model::Ts;

/// The kinds of data a pane's figures come from.
pub fn pane_feeds(pane: PaneId) -> Feeds {
    match pane {
        PaneId::Deployments => Feeds::DEPLOYMENTS,
        PaneId::Budget => Feeds::RATIOS,
        // Change failures and recovery come from incidents as well as deployments.
        PaneId::Dora | PaneId::Spc => Feeds::DEPLOYMENTS.union(Feeds::INCIDENTS),
        // The charts, and the deployment and annotation markers drawn on them.
        PaneId::Signals => Feeds::SERIES.union(Feeds::ANNOTATIONS),
        // The checklist judges the release by all of it.
        PaneId::Review => Feeds::DEPLOYMENTS
            .union(Feeds::INCIDENTS)
            .union(Feeds::SERIES)
            .union(Feeds::RATIOS),
    }
}

/// What a pane shows about the freshness of its figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleMark {
    /// Age of the oldest data the pane shows from a stale or failing source.
    pub age: Duration,
    /// That source's id.
    pub source: String,
}

impl StaleMark {
    /// The words in the pane's title: "STALE 4m".
    pub fn label(&self) -> String {
        format!("STALE {}", one_unit(self.age))
    }
}

/// The kinds of data the fleet view's rows come from: budget and burn (ratios), the
/// last deployment and the DORA headline (deployments, incidents).
pub fn fleet_feeds() -> Feeds {
    Feeds::RATIOS
        .union(Feeds::DEPLOYMENTS)
        .union(Feeds::INCIDENTS)
}

/// The mark for `pane` at `now`: the oldest data among the stale or failing sources
/// that fed it, or `None` when every source behind it is healthy.
pub fn pane_mark(pane: PaneId, sources: &[SourceStatus], now: Ts) -> Option<StaleMark> {
    feeds_mark(pane_feeds(pane), sources, now)
}

/// The mark for figures made of the `wanted` kinds of data (a pane's, the fleet's).
pub fn feeds_mark(wanted: Feeds, sources: &[SourceStatus], now: Ts) -> Option<StaleMark> {
    sources
        .iter()
        .filter(|s| s.feeds.intersects(wanted))
        .filter(|s| matches!(s.health(now), Health::Stale { .. } | Health::Error))
        .filter_map(|s| {
            Some(StaleMark {
                age: s.age(now)?.max(Duration::zero()),
                source: s.id.clone(),
            })
        })
        .max_by_key(|m| m.age)
}

/// An age in its largest unit, for a title: "42s", "4m", "3h", "2d".
fn one_unit(age: Duration) -> String {
    let s = age.num_seconds().max(0);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86_399 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

#[cfg(test)]
#[path = "freshness_tests.rs"]
mod tests;
