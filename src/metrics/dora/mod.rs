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
pub struct History {
    pub rows: ServiceRows,
    pub lead_times: Vec<f64>,
    /// The finished rows again, as small dense columns: what window figures scan.
    pub cols: Columns,
}

/// Columns of a history's finished rows (index = row), made once the rows are final.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    /// Finish in epoch milliseconds (finishes are whole milliseconds).
    pub finished_ms: Vec<i64>,
    /// [`Columns::SUCCESS`], [`Columns::COUNTS`]… of each row.
    pub flags: Vec<u8>,
    /// Recovery seconds of a recovered failure (0 otherwise).
    pub recovery: Vec<f64>,
    /// `lead_start[r]`: lead times of rows before `r` (one more entry than rows).
    pub lead_start: Vec<u32>,
}

impl Columns {
    pub const SUCCESS: u8 = 1;
    /// In the change-failure denominator ([`Row::counts`]).
    pub const COUNTS: u8 = 2;
    pub const FAILED: u8 = 4;
    pub const REMEDIATION: u8 = 8;
    pub const RECOVERED: u8 = 16;
    pub const ONGOING: u8 = 32;

    /// Columns for `finished` rows, to be set row by row ([`Columns::set`]), and the
    /// number of lead times (the end of the last row's).
    fn sized(finished: usize, lead_times: usize) -> Self {
        let mut lead_start = vec![0u32; finished + 1];
        lead_start[finished] = lead_times as u32;
        Columns {
            finished_ms: vec![0; finished],
            flags: vec![0; finished],
            recovery: vec![0.0; finished],
            lead_start,
        }
    }

    /// Sets finished row `i` (its figures final).
    fn set(&mut self, i: usize, r: &Row) {
        let mut f = 0;
        if r.status == crate::model::DeployStatus::Success {
            f |= Self::SUCCESS;
        }
        if r.counts() {
            f |= Self::COUNTS;
        }
        if r.failed {
            f |= Self::FAILED;
        }
        if r.remediation {
            f |= Self::REMEDIATION;
        }
        let secs = match r.recovery {
            Recovery::Recovered(s) => {
                f |= Self::RECOVERED;
                s
            }
            Recovery::Ongoing => {
                f |= Self::ONGOING;
                0.0
            }
            Recovery::NotFailed => 0.0,
        };
        self.finished_ms[i] = r.finished_ms;
        self.flags[i] = f;
        self.recovery[i] = secs;
        // Lead times are laid out in row order: a row's start where the previous ended.
        self.lead_start[i] = r.changes.start;
    }

    /// Rows finished in `[start, end)` (as [`ServiceRows::range`]).
    pub fn range(&self, start: Ts, end: Ts) -> std::ops::Range<usize> {
        let before = |t: Ts| {
            let bound = table::ms_ceil(t);
            self.finished_ms.partition_point(|&ms| ms < bound)
        };
        let a = before(start);
        a..before(end).max(a)
    }
}

/// Every service's history, and how each incident was linked.
#[derive(Debug, Clone, Default)]
pub struct Histories<'a> {
    pub services: HashMap<&'a str, History>,
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
    pub fn row<'h>(&self, history: &'h History, i: usize) -> Option<&'h Row> {
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
        let wanted = linking::wanted_ids(inputs.incidents);
        let mut table = Table::new(deployments, now, &wanted);
        let names = &table.cols.services;
        let rows: HashMap<&'a str, ServiceRows> = names
            .iter()
            .zip(std::mem::take(&mut table.rows_of))
            .map(|(s, rows)| (s.as_str(), ServiceRows::new(rows)))
            .collect();
        let links = linking::link_all(
            deployments,
            inputs.incidents,
            &rows,
            &table.by_id,
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
        let mut rows = rows;
        let mut services = HashMap::with_capacity(rows.len());
        for (s, service) in names.iter().enumerate() {
            let service = service.as_str();
            let Some(mut rows) = rows.remove(service) else {
                continue;
            };
            let commits = table.cols.service_commits(s);
            let lead_times =
                lead_time::fill(&mut rows, commits, settings.lead_time_basis, deployments);
            failure::mark_remediated(&mut rows, settings.failure_window);
            let row_of = |d: usize| {
                let r = *row_index.get(d)?;
                (table.cols.service.get(d).map(|&id| id as usize) == Some(s) && r != u32::MAX)
                    .then_some(r as usize)
            };
            failure::mark_incidents(&mut rows, inputs.incidents, &links, row_of, now);
            // The last pass over the rows: recoveries, and the columns windows read.
            let mut cols = Columns::sized(rows.finished, lead_times.len());
            failure::fill_recovery(&mut rows, |i, row| cols.set(i, row));
            services.insert(
                service,
                History {
                    rows,
                    lead_times,
                    cols,
                },
            );
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
            row_of: row_index,
        }
    }
}
