//! DORA's five keys (DESIGN §3): deployment frequency, lead time for changes, change
//! failure rate, failed-deployment recovery time and deployment rework rate, with the
//! incident linking they depend on.
//!
//! [`Histories::build`] lays out every service's production deployments as known at
//! `now` (sorted by finish, with failure flags, lead times and recoveries computed once);
//! [`dora`] then reads any window of a history as a contiguous slice.

pub mod failure;
pub mod history;
pub mod lead_time;
pub mod levels;
pub mod linking;
pub mod table;
pub mod window;

use std::collections::HashMap;

use crate::metrics::settings::Settings;
use crate::metrics::Inputs;
use crate::model::Ts;

pub use history::{Recovery, Row, ServiceRows};
pub use linking::Link;
pub use table::Table;
pub use window::dora;

/// One service's history: its rows and their lead times (seconds, in row order).
#[derive(Debug, Clone, Default)]
pub struct History<'a> {
    pub rows: ServiceRows<'a>,
    pub lead_times: Vec<f64>,
}

/// Every service's history, and how each incident was linked.
#[derive(Debug, Clone, Default)]
pub struct Histories<'a> {
    pub services: HashMap<&'a str, History<'a>>,
    /// `links[i]` belongs to `Inputs::incidents[i]`; `None` when created at or after `now`.
    pub links: Vec<Option<Link>>,
    /// Every deployment of each service started before `now`, any environment
    /// (indices into `Inputs::deployments`, in input order).
    pub deployments_of: HashMap<&'a str, Vec<usize>>,
    /// Deployment index → its row within its service's history (`u32::MAX`: none).
    pub row_of: Vec<u32>,
}

impl Histories<'_> {
    /// The row of deployment `i` in `history` (its service's), if it is one.
    pub fn row<'h>(&self, history: &'h History<'_>, i: usize) -> Option<&'h Row<'h>> {
        let r = *self.row_of.get(i)?;
        if r == u32::MAX {
            return None;
        }
        let row = history.rows.rows.get(r as usize)?;
        (row.index == i).then_some(row)
    }
}

impl<'a> Histories<'a> {
    /// Lays out the data as known at `now`: deployments started, finishes and incidents
    /// that happened before `now` (a report `--at` a past instant sees the past).
    pub fn build(inputs: &Inputs<'a>, settings: &Settings, now: Ts) -> Self {
        let deployments = inputs.deployments;
        let table = Table::new(deployments, settings.lead_time_basis, now);
        let mut by_service: Vec<Vec<usize>> = vec![Vec::new(); table.services.len()];
        let mut all_of: Vec<Vec<usize>> = vec![Vec::new(); table.services.len()];
        for (i, &s) in table.service.iter().enumerate() {
            if table.row[i] {
                by_service[usize::from(s)].push(i);
            }
            if table.started_ms[i] < now.timestamp_millis() {
                all_of[usize::from(s)].push(i);
            }
        }
        let deployments_of = table.services.iter().copied().zip(all_of).collect();
        let rows: HashMap<&'a str, ServiceRows<'a>> = table
            .services
            .iter()
            .zip(&by_service)
            .map(|(s, idx)| (*s, ServiceRows::new(deployments, &table, idx)))
            .collect();
        let links = linking::link_all(
            deployments,
            inputs.incidents,
            &rows,
            settings.incident_link_window,
            now,
        );
        // Deployment index → row index within its service (each deployment has one).
        let mut row_index = vec![u32::MAX; deployments.len()];
        for service_rows in rows.values() {
            for (r, row) in service_rows.rows.iter().enumerate() {
                if let Some(slot) = row_index.get_mut(row.index) {
                    *slot = r as u32;
                }
            }
        }
        let services = rows
            .into_iter()
            .map(|(service, mut rows)| {
                let lead_times = lead_time::fill(&mut rows, &table, deployments);
                failure::mark_own(&mut rows);
                failure::mark_remediated(&mut rows, settings.failure_window);
                let row_of = |d: usize| {
                    let dep = deployments.get(d)?;
                    let r = *row_index.get(d)?;
                    (dep.service == service && r != u32::MAX).then_some(r as usize)
                };
                failure::mark_incidents(&mut rows, inputs.incidents, &links, row_of, now);
                failure::fill_recovery(&mut rows);
                (service, History { rows, lead_times })
            })
            .collect();
        Histories {
            services,
            links,
            deployments_of,
            row_of: row_index,
        }
    }
}
