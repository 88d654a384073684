//! Incident → deployment linking (DESIGN §3): an explicit link wins; otherwise the
//! latest production deployment (any status but canceled) of the same service that
//! finished before the incident was created, if within the link window; otherwise the
//! incident is unlinked and shown as such — never guessed.

use std::collections::HashMap;

use chrono::Duration;

use crate::model::{Deployment, Incident, Ts};

use super::history::ServiceRows;
use super::table::FnvMap;

/// How one incident found (or did not find) its deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// The tracker named the deployment; index into the deployments.
    Explicit(usize),
    /// The window rule chose it; index into the deployments.
    Window(usize),
    /// No deployment: none in the window, or the named one is unknown.
    Unlinked,
}

impl Link {
    pub fn deployment(self) -> Option<usize> {
        match self {
            Link::Explicit(i) | Link::Window(i) => Some(i),
            Link::Unlinked => None,
        }
    }
}

/// Links every incident created before `now` (`None` for later ones: they do not exist
/// yet at `now`). `rows` are each service's production rows sorted by finish.
pub fn link_all(
    deployments: &[Deployment],
    incidents: &[Incident],
    rows: &HashMap<&str, ServiceRows<'_>>,
    window: Duration,
    now: Ts,
) -> Vec<Option<Link>> {
    // Only the ids someone referenced are indexed: one pass, no map of every deployment.
    let wanted: FnvMap<&str, ()> = incidents
        .iter()
        .filter_map(|i| i.linked_deployment.as_deref())
        .map(|id| (id, ()))
        .collect();
    let mut by_id: FnvMap<&str, usize> = FnvMap::default();
    if !wanted.is_empty() {
        for (i, d) in deployments.iter().enumerate() {
            if d.started_at < now && wanted.contains_key(d.id.as_str()) {
                by_id.entry(d.id.as_str()).or_insert(i);
            }
        }
    }
    incidents
        .iter()
        .map(|inc| {
            if inc.created_at >= now {
                return None;
            }
            if let Some(id) = inc.linked_deployment.as_deref() {
                return Some(match by_id.get(id) {
                    Some(&i) => Link::Explicit(i),
                    None => Link::Unlinked,
                });
            }
            let link = rows
                .get(inc.service.as_str())
                .and_then(|r| r.latest_finished_before(inc.created_at))
                .filter(|(_, finished)| inc.created_at - *finished < window)
                .map_or(Link::Unlinked, |(i, _)| Link::Window(i));
            Some(link)
        })
        .collect()
}
