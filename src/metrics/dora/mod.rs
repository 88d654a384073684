//! DORA's five keys (DESIGN §3): deployment frequency, lead time for changes, change
//! failure rate, failed-deployment recovery time and deployment rework rate, with the
//! incident linking they depend on.
//!
//! [`Histories::build`] lays out every service's production deployments as known at
//! `now` as columns sorted by finish, with failure flags, lead times and recoveries
//! computed once; [`dora`] then reads any window of a history as contiguous slices.

pub mod failure;
pub mod history;
pub mod lead_time;
pub mod levels;
pub mod linking;
pub mod scratch;
pub mod table;
pub mod window;

use std::collections::HashMap;

use crate::metrics::settings::Settings;
use crate::metrics::Inputs;
use crate::model::Ts;

pub use history::{History, Recovery};
pub use linking::Link;
pub use scratch::Scratch;
pub use table::Table;
pub use window::dora;

use table::Rows;

/// Every service's history, and how each incident was linked.
#[derive(Debug, Clone, Default)]
pub struct Histories<'a> {
    pub services: HashMap<&'a str, History>,
    /// `links[i]` belongs to `Inputs::incidents[i]`; `None` when created at or after `now`.
    pub links: Vec<Option<Link>>,
    /// Every deployment of each service started before `now`, any environment
    /// (indices into `Inputs::deployments`, in input order).
    pub deployments_of: HashMap<&'a str, &'a [u32]>,
    /// Deployment index → its row within its service's history (`u32::MAX`: none).
    pub row_of: Vec<u32>,
}

impl Histories<'_> {
    /// The row of deployment `i` in `history` (its service's), if it has one.
    pub fn row(&self, history: &History, i: usize) -> Option<usize> {
        let r = *self.row_of.get(i)?;
        if r == u32::MAX {
            return None;
        }
        let r = r as usize;
        (history.index.get(r).map(|&d| d as usize) == Some(i)).then_some(r)
    }
}

/// Lays out one service's rows in finish order (running ones last, by start), with
/// the flags they have so far, in `history` (empty: see [`Scratch::history`]), from
/// the finish order its columns keep
/// ([`ServiceColumns::by_finish`](crate::model::log::ServiceColumns::by_finish)); returns it and,
/// for each row, its `k`. `before_now` as in [`table::rows`].
fn by_finish(rows: &Rows<'_>, before_now: i64, mut history: History) -> (History, Vec<u32>) {
    debug_assert!(history.is_empty() && history.lead_times.is_empty());
    let c = rows.cols;
    // What finished before `now` is a prefix of the finish order: it holds every
    // finished row (and the deployments that are no rows, or are still running by
    // their status, or started after `now`, which are skipped).
    let prefix = c
        .by_finish()
        .partition_point(|&k| c.finished_ms[k as usize] < before_now);
    let finished = c.by_finish()[..prefix]
        .iter()
        .copied()
        .filter(|&k| rows.is_finished(k as usize));
    let mut order: Vec<u32> = Vec::with_capacity(rows.len());
    order.extend(finished);
    let n_finished = order.len();
    order.extend_from_slice(&rows.running);
    let n = order.len();
    // One pass over the order fills every column (each row read once).
    let h = &mut history;
    h.finished_ms.reserve(n);
    h.started_ms.reserve(n);
    h.index.reserve(n);
    h.flags.reserve(n);
    for (r, &k) in order.iter().enumerate() {
        let k = k as usize;
        h.finished_ms.push(if r < n_finished {
            c.finished_ms[k]
        } else {
            i64::MAX
        });
        h.started_ms.push(c.started_ms[k]);
        h.index.push(c.pos[k]);
        h.flags.push(rows.flags[k]);
    }
    h.finished = n_finished;
    h.recovery.resize(n, 0.0);
    (history, order)
}

impl<'a> Histories<'a> {
    /// Lays out the data as known at `now`: deployments started, finishes and incidents
    /// that happened before `now` (a report `--at` a past instant sees the past).
    pub fn build(inputs: &Inputs<'a>, settings: &Settings, now: Ts) -> Self {
        Histories::build_in(inputs, settings, now, &mut Scratch::default())
    }

    /// [`Histories::build`], laid out in the memory of histories given back to
    /// `scratch` ([`Scratch::recycle`]): what a cockpit deriving on every poll does,
    /// so that it does not fault in fresh pages for every history each time.
    pub fn build_in(
        inputs: &Inputs<'a>,
        settings: &Settings,
        now: Ts,
        scratch: &mut Scratch,
    ) -> Self {
        let deployments = inputs.deployments;
        let wanted = linking::wanted_ids(inputs.incidents);
        let table = Table::new(deployments, now, &wanted);
        let cols = table.cols;
        let names = &cols.services;
        let before_now = table::ms_ceil(now);
        let mut services: HashMap<&'a str, History> = HashMap::with_capacity(names.len());
        for ((name, columns), started) in names.iter().zip(&cols.of).zip(&table.started_of) {
            // One service at a time, its rows dropped before the next one's are
            // laid out: the next service's scratch reuses the same memory.
            let mut rows = table::rows(columns, started.len(), before_now);
            // In start order: what a remediation repairs is decided by starts.
            failure::mark_remediated(&mut rows, settings.failure_window);
            let (mut history, order) = by_finish(&rows, before_now, scratch.history());
            lead_time::fill(
                &mut history,
                columns,
                &order,
                settings.lead_time_basis,
                deployments,
            );
            services.insert(name.as_str(), history);
        }
        let links = linking::link_all(
            deployments,
            inputs.incidents,
            &services,
            &table.by_id,
            settings.incident_link_window,
            now,
        );
        // Deployment index → row index within its service (each deployment has one).
        let mut row_of = scratch.row_of();
        row_of.resize(deployments.len(), u32::MAX);
        for history in services.values() {
            for (r, &i) in history.index.iter().enumerate() {
                if let Some(slot) = row_of.get_mut(i as usize) {
                    *slot = r as u32;
                }
            }
        }
        for (s, name) in names.iter().enumerate() {
            let Some(history) = services.get_mut(name.as_str()) else {
                continue;
            };
            let row_of = |d: usize| {
                let r = *row_of.get(d)?;
                (cols.service.get(d).map(|&id| id as usize) == Some(s) && r != u32::MAX)
                    .then_some(r as usize)
            };
            failure::mark_incidents(history, inputs.incidents, &links, row_of, now);
            failure::fill_recovery(history);
        }
        let deployments_of = names
            .iter()
            .map(String::as_str)
            .zip(table.started_of)
            .collect();
        Histories {
            services,
            links,
            deployments_of,
            row_of,
        }
    }
}
