//! Merging what sources deliver into the model: deployments and incidents upserted by
//! id, series and ratios replaced, source health updated.
//!
//! The cache is replayed while the first polls run, so a `Cached` event can arrive
//! after a live `Fetched` of the same source. It then only fills gaps (records and
//! series the live answer did not bring); it never replaces live data.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use super::selection::Anchor;
use super::{App, Feeds, SourceStatus};
use crate::event::{SourceData, SourceEvent, SourceEventKind};
use crate::model::{Deployment, Incident};

/// Rejected records kept for the data-quality view (oldest dropped first).
const MAX_REJECTED: usize = 500;

/// How a batch of data meets what the model holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Merge {
    /// Live data: upsert records, replace series and ratios.
    Replace,
    /// Cached data after a live fetch of the same source: add only what is missing.
    FillGaps,
    /// Part of a live fetch (`Arrived`): as `Replace`, but a window not answered yet
    /// (None) keeps the figure shown for it until the whole fetch says.
    Partial,
}

/// Default poll interval of a source the runtime did not register.
const DEFAULT_INTERVAL_SECS: i64 = 30;

impl App {
    pub(super) fn on_source(&mut self, ev: SourceEvent) {
        let now = self.model.now;
        let status = self.source_status(&ev.source);
        match ev.kind {
            SourceEventKind::Fetching => {
                // Not a reason to draw: a fetch that ends before the next clock tick
                // is never seen; one still running at the tick shows its indicator.
                status.fetching = true;
                return;
            }
            SourceEventKind::Fetched { at, data, warnings } => {
                status.fetching = false;
                status.progress = None;
                status.feeds = feeds_of(status.feeds, &data);
                status.last_ok = Some(at);
                status.from_cache = false;
                status.retry_not_before = None;
                // Warnings are OutsideText: made safe where they were parsed.
                status.warnings = warnings;
                self.apply_data(data);
            }
            SourceEventKind::Arrived { data } => {
                // Live data: a cache replayed after it must only fill gaps. The
                // source's health waits for the whole fetch.
                status.partly_live = true;
                self.apply_data_with(data, Merge::Partial);
            }
            SourceEventKind::Cached { at, data } => {
                status.feeds = feeds_of(status.feeds, &data);
                if status.has_live_data() || status.partly_live {
                    // A live answer already arrived and is newer than the cache.
                    self.apply_data_with(data, Merge::FillGaps);
                } else {
                    status.last_ok = Some(at);
                    status.from_cache = true;
                    self.apply_data(data);
                }
            }
            SourceEventKind::Failed {
                at,
                error,
                retry_after,
            } => {
                status.fetching = false;
                status.progress = None;
                // The message is OutsideText: already redacted, sanitized, bounded.
                status.last_error = Some((at.max(now), error));
                status.retry_not_before = retry_after
                    .and_then(|d| chrono::Duration::from_std(d).ok())
                    .map(|d| at.max(now) + d);
            }
            SourceEventKind::NextAttempt { at } => status.next_attempt = Some(at),
            SourceEventKind::Progress {
                records,
                pages,
                data,
                ..
            } => {
                // Live data, usable at once; health waits for the fetch's end.
                status.progress = Some((records, pages));
                status.feeds = feeds_of(status.feeds, &data);
                self.apply_data(data);
            }
        }
        self.dirty = true;
    }

    fn source_status(&mut self, id: &str) -> &mut SourceStatus {
        let pos = match self.model.sources.iter().position(|s| s.id == id) {
            Some(p) => p,
            None => {
                // The cache is not polled: its state never goes stale, it changes.
                let interval = (id != crate::store::CACHE_SOURCE_ID)
                    .then(|| chrono::Duration::seconds(DEFAULT_INTERVAL_SECS));
                self.model.sources.push(SourceStatus::new(id, interval));
                self.model.sources.len() - 1
            }
        };
        &mut self.model.sources[pos]
    }

    fn apply_data(&mut self, data: Vec<SourceData>) {
        self.apply_data_with(data, Merge::Replace);
    }

    fn apply_data_with(&mut self, data: Vec<SourceData>, merge: Merge) {
        // New rows can land above the cursor: it follows its deployment, not its row.
        let anchor = Anchor::take(&self.model);
        for item in data {
            match merge {
                Merge::Replace => self.apply_one(item),
                Merge::FillGaps => self.fill_gap(item),
                Merge::Partial => self.apply_part(item),
            }
        }
        self.stale_derived = true;
        anchor.restore(&mut self.model);
    }

    /// Cached data under live data: only what the model does not hold yet.
    fn fill_gap(&mut self, item: SourceData) {
        let d = &mut self.model.data;
        match item {
            SourceData::Deployments(items) => {
                let known: HashSet<&str> = d.deployments.iter().map(|x| x.id.as_str()).collect();
                let missing: Vec<Deployment> = items
                    .into_iter()
                    .filter(|x| !known.contains(x.id.as_str()))
                    .collect();
                self.apply_one(SourceData::Deployments(missing));
            }
            SourceData::Incidents(items) => {
                let known: HashSet<&str> = d.incidents.iter().map(|x| x.key.as_str()).collect();
                let missing: Vec<Incident> = items
                    .into_iter()
                    .filter(|x| !known.contains(x.key.as_str()))
                    .collect();
                self.apply_one(SourceData::Incidents(missing));
            }
            SourceData::Series {
                service,
                kind,
                series,
            } => {
                d.series.entry((service, kind)).or_insert(series);
            }
            SourceData::Ratios { service, ratios } => {
                d.ratios.entry(service).or_insert(ratios);
            }
            // Adding names and deduplicated markers never replaces anything.
            other @ (SourceData::Services(_) | SourceData::Annotations(_)) => self.apply_one(other),
            // Rejections describe one fetch; the live one has its own.
            SourceData::Rejected(_) | SourceData::SyncState(_) => {}
        }
    }

    /// Part of a live fetch: window ratios merge field by field, the rest replaces.
    fn apply_part(&mut self, item: SourceData) {
        match item {
            SourceData::Ratios { service, ratios } => {
                let merged = match self.model.data.ratios.get(&service) {
                    Some(shown) => ratios.or(shown),
                    None => ratios,
                };
                self.apply_one(SourceData::Ratios {
                    service,
                    ratios: merged,
                });
            }
            other => self.apply_one(other),
        }
    }

    /// Names the configured services before any source answers, so a source that is
    /// down still shows each service (with "no data") instead of an empty cockpit.
    pub fn register_services(&mut self, names: impl IntoIterator<Item = String>) {
        self.apply_one(SourceData::Services(names.into_iter().collect()));
        self.dirty = true;
        self.stale_derived = true;
    }

    fn apply_one(&mut self, item: SourceData) {
        let d = &mut self.model.data;
        match item {
            SourceData::Services(names) => {
                for name in names {
                    if !d.services.contains(&name) {
                        d.services.push(name);
                    }
                }
            }
            SourceData::Deployments(items) => {
                d.deployments.upsert(items);
                // The log names each service once: no walk over every deployment.
                for name in &d.deployments.columns().services {
                    if !d.services.contains(name) {
                        d.services.push(name.clone());
                    }
                }
            }
            SourceData::Incidents(items) => {
                upsert(&mut d.incidents, items, |x| x.key.clone(), incident_order);
            }
            SourceData::Series {
                service,
                kind,
                series,
            } => {
                d.series.insert((service, kind), series);
            }
            SourceData::Ratios { service, ratios } => {
                d.ratios.insert(service, ratios);
            }
            SourceData::Annotations(items) => {
                for a in items {
                    if !d.annotations.contains(&a) {
                        d.annotations.push(a);
                    }
                }
                d.annotations.sort_by_key(|a| a.at);
            }
            SourceData::Rejected(items) => {
                d.rejected.extend(items);
                let excess = d.rejected.len().saturating_sub(MAX_REJECTED);
                d.rejected.drain(..excess);
            }
            // The source's own bookkeeping, for the cache alone.
            SourceData::SyncState(_) => {}
        }
    }

    /// Keeps cursors inside their lists after data or service changes.
    pub(super) fn clamp_cursors(&mut self) {
        let services = self.model.data.services.len();
        if self.model.ui.service >= services {
            self.model.ui.service = services.saturating_sub(1);
        }
        let rows = self.model.service_deployments().len();
        if self.model.ui.deploy_cursor >= rows {
            self.model.ui.deploy_cursor = rows.saturating_sub(1);
        }
    }
}

/// What a source has fed so far, plus what `data` brings.
fn feeds_of(known: Feeds, data: &[SourceData]) -> Feeds {
    data.iter()
        .filter_map(Feeds::of)
        .fold(known, |all, kind| all.union(kind))
}

fn incident_order(a: &Incident, b: &Incident) -> Ordering {
    a.created_at
        .cmp(&b.created_at)
        .then_with(|| a.key.cmp(&b.key))
}

/// Replaces items with the same id (the last of a batch wins), appends new ones, and
/// keeps the list sorted.
fn upsert<T>(
    list: &mut Vec<T>,
    items: Vec<T>,
    id: impl Fn(&T) -> String,
    order: impl Fn(&T, &T) -> Ordering,
) {
    if items.is_empty() {
        return;
    }
    let mut index: HashMap<String, usize> =
        list.iter().enumerate().map(|(i, x)| (id(x), i)).collect();
    for item in items {
        let key = id(&item);
        match index.get(&key) {
            Some(&i) => list[i] = item,
            None => {
                index.insert(key, list.len());
                list.push(item);
            }
        }
    }
    list.sort_by(|a, b| order(a, b));
}
