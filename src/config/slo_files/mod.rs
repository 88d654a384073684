//! `[[slo_files]]`: SLOs from the files teams already keep — Sloth specs and OpenSLO
//! v1 — turned into flightdeck services with their SLI queries.
//!
//! Each SLO becomes one service (flightdeck holds one SLO per service), named by the id
//! its own tool gives it unless `service_name` says otherwise: Sloth's `sloth_id`
//! (`{service}-{slo}`), OpenSLO's `metadata.name` (`{slo}`). A name that is also a
//! `[[services]]` entry is an error: a service comes from one place.
//!
//! A mistake names the file, line and field and stops the load, as a TOML mistake
//! does; what flightdeck cannot express (a latency threshold, a non-Prometheus source,
//! time-slice budgeting, a calendar window, a Sloth plugin) is a [`SloNote`]: left out,
//! never guessed, and listed by `doctor`.

mod classify;
mod entry;
mod field;
mod found;
mod load;
mod naming;
mod openslo;
mod paths;
mod promql;
mod sloth;
mod yaml;

pub use entry::{SloFilesConfig, SloFormat};

use std::fmt;
use std::path::{Path, PathBuf};

use super::{ConfigError, ConfigIssue, ServiceConfig};
use field::{Field, Problem};
use found::Found;

/// One SLO that became a service, for `doctor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SloSummary {
    pub service: String,
    pub file: PathBuf,
    pub line: usize,
    pub description: Option<String>,
}

/// What was left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SloNote {
    pub file: PathBuf,
    pub line: usize,
    pub slo: Option<String>,
    pub message: String,
}

impl fmt::Display for SloNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file.display(), self.line)?;
        if let Some(slo) = &self.slo {
            write!(f, "{slo}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

/// What `[[slo_files]]` read, kept on the config for `doctor` and the startup warning.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SloFilesRead {
    pub files: usize,
    pub slos: Vec<SloSummary>,
    pub notes: Vec<SloNote>,
}

/// Mistakes: in the config's own `[[slo_files]]` keys, or in the files they name.
#[derive(Debug, Default)]
pub struct SloFilesErrors {
    pub config: Vec<ConfigIssue>,
    pub files: Vec<ConfigError>,
}

/// Reads every entry's files (paths relative to `base`) into services, checked against
/// the names `existing` already takes.
pub fn read(
    entries: &[SloFilesConfig],
    base: &Path,
    existing: &[ServiceConfig],
) -> Result<(Vec<ServiceConfig>, SloFilesRead), SloFilesErrors> {
    let mut errors = SloFilesErrors::default();
    // (entry index, file)
    let mut files: Vec<(usize, PathBuf)> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        match paths::expand(base, &entry.path) {
            Ok(found) => files.extend(found.into_iter().map(|f| (i, f))),
            Err(why) => errors.config.push(
                ConfigIssue::new(format!("slo_files[{i}].path"), why)
                    .found(format!("{:?}", entry.path)),
            ),
        }
    }
    let mut docs: Vec<Vec<yaml::Node>> = Vec::with_capacity(files.len());
    for (_, file) in &files {
        match load::load(file) {
            Ok(d) => docs.push(d),
            Err(e) => {
                errors.files.push(e);
                docs.push(Vec::new());
            }
        }
    }
    let mut found = Found::default();
    let mut objects = Vec::new();
    for (f, file_docs) in docs.iter().enumerate() {
        let entry = &entries[files[f].0];
        for doc in file_docs {
            classify::classify(Field::root(doc), entry, f, &mut found, &mut objects);
        }
    }
    openslo::read_all(&objects, &|f| entries[files[f].0].window_days, &mut found);
    let file_of = |f: usize| files[f].1.clone();
    errors.files.extend(
        found
            .problems
            .into_iter()
            .map(|(f, p)| located(&file_of(f), p)),
    );
    let mut read = SloFilesRead {
        files: files.len(),
        slos: Vec::new(),
        notes: found
            .notes
            .into_iter()
            .map(|(f, n)| SloNote {
                file: file_of(f),
                line: n.line,
                slo: n.slo,
                message: n.message,
            })
            .collect(),
    };
    let mut services: Vec<ServiceConfig> = Vec::new();
    for (f, slo) in found.slos {
        let entry = &entries[files[f].0];
        let file = file_of(f);
        let service = naming::to_service(&slo, entry);
        if let Err(message) =
            naming::unique(&service.name, existing, &read.slos).and(naming::valid(&service))
        {
            errors.files.push(ConfigError {
                file,
                line: Some(slo.line),
                column: None,
                key: None,
                message,
            });
            continue;
        }
        read.slos.push(SloSummary {
            service: service.name.clone(),
            file,
            line: slo.line,
            description: slo.description.clone(),
        });
        services.push(service);
    }
    if errors.config.is_empty() && errors.files.is_empty() {
        Ok((services, read))
    } else {
        errors
            .files
            .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        // An SLI that several SLOs name is read, and found wrong, once for each.
        errors.files.dedup();
        Err(errors)
    }
}

fn located(file: &Path, p: Problem) -> ConfigError {
    ConfigError {
        file: file.to_path_buf(),
        line: Some(p.line),
        column: Some(p.col),
        key: (!p.field.is_empty()).then_some(p.field),
        message: p.message,
    }
}
