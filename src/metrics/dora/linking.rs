//! Incident → deployment linking (DESIGN §3): an explicit link wins; otherwise the
//! latest production deployment (any status but canceled) of the same service that
//! finished before the incident was created, if within the link window; otherwise the
//! incident is unlinked and shown as such — never guessed.
//!
//! "Before" is strict: an incident is linked to a deployment that finished before it
//! was opened, so the link window of a deployment is `(finished, finished + window)`.
//! An incident opened at the very instant a deployment finished does not link to it
//! (it links to the latest deployment that finished earlier, if that one is within
//! its window); one opened exactly `window` later does not link either, as every
//! window ends before its end. Finishes are whole milliseconds; an incident opened a
//! fraction of a millisecond after a finish is after it.
//!
//! An explicit link counts only when it names a deployment that is counted: a
//! production deployment, not canceled, started before `now`. A link to a staging or
//! canceled deployment, or to an id nobody knows, is not thrown away with the
//! incident: the window rule is tried instead, and when that finds nothing either the
//! incident is unlinked with both reasons.

use std::collections::HashMap;

use chrono::Duration;

use crate::metrics::types::{NamedLink, NoMatch};
use crate::model::{DeployStatus, Deployment, Incident, Ts};

use super::history::History;
use crate::model::fnv::FnvMap;

/// How one incident found (or did not find) its deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// The tracker named the deployment; index into the deployments.
    Explicit(usize),
    /// The window rule chose it; index into the deployments.
    Window(usize),
    /// No deployment: why the window rule found none, and why a deployment the
    /// tracker named was not used (`None`: it named none).
    Unlinked {
        why: NoMatch,
        named: Option<NamedLink>,
    },
}

impl Link {
    pub fn deployment(self) -> Option<usize> {
        match self {
            Link::Explicit(i) | Link::Window(i) => Some(i),
            Link::Unlinked { .. } => None,
        }
    }
}

/// Links every incident created before `now` (`None` for later ones: they do not exist
/// yet at `now`). `rows` are each service's production rows sorted by finish; `by_id`
/// holds the deployments started before `now` whose ids [`wanted_ids`] lists.
pub fn link_all(
    deployments: &[Deployment],
    incidents: &[Incident],
    rows: &HashMap<&str, History>,
    by_id: &FnvMap<&str, usize>,
    window: Duration,
    now: Ts,
) -> Vec<Option<Link>> {
    incidents
        .iter()
        .map(|inc| {
            if inc.created_at >= now {
                return None;
            }
            let named = match inc.linked_deployment.as_deref() {
                None => None,
                Some(id) => match by_id.get(id).map(|&i| (i, &deployments[i])) {
                    None => Some(NamedLink::Unknown),
                    Some((_, d)) if !d.is_production() => Some(NamedLink::NotProduction),
                    Some((_, d)) if d.status == DeployStatus::Canceled => Some(NamedLink::Canceled),
                    Some((i, _)) => return Some(Link::Explicit(i)),
                },
            };
            let latest = rows
                .get(inc.service.as_str())
                .and_then(|r| r.latest_finished_before(inc.created_at));
            Some(match latest {
                Some((i, finished)) if inc.created_at - finished < window => Link::Window(i),
                Some(_) => Link::Unlinked {
                    why: NoMatch::OutsideWindow,
                    named,
                },
                None => Link::Unlinked {
                    why: NoMatch::NoEarlierDeployment,
                    named,
                },
            })
        })
        .collect()
}

/// The deployment ids the incidents name: only these are indexed, so that no map of
/// every deployment is built.
pub fn wanted_ids(incidents: &[Incident]) -> FnvMap<&str, ()> {
    incidents
        .iter()
        .filter_map(|i| i.linked_deployment.as_deref())
        .map(|id| (id, ()))
        .collect()
}
