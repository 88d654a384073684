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

mod field;
mod found;
mod openslo;
mod paths;
mod promql;
mod sloth;
mod yaml;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{ConfigError, ConfigIssue, ServiceConfig};
use crate::review::template::Tier;
use field::{Field, Problem};
use found::{Found, Origin, ReadSlo, Sli};

/// A file larger than this is refused: SLO files are a few kilobytes.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Which reader a `[[slo_files]]` entry's files go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SloFormat {
    /// Each document says what it is (`version:` or `apiVersion:`).
    #[default]
    Auto,
    Sloth,
    OpenSlo,
}

/// One `[[slo_files]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SloFilesConfig {
    /// A file, or `*`/`?` in the file name; relative to the config file's directory.
    pub path: String,
    #[serde(default)]
    pub format: SloFormat,
    /// The flightdeck service name of each SLO, from `{service}` and `{slo}`.
    #[serde(default)]
    pub service_name: Option<String>,
    /// The fleet view's group of these services (default: the file's service).
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub tier: Tier,
    /// The SLO window of Sloth files (Sloth keeps it out of the spec) and of OpenSLO
    /// SLOs without a `timeWindow`.
    #[serde(default = "default_window_days")]
    pub window_days: u32,
}

fn default_window_days() -> u32 {
    30
}

impl SloFilesConfig {
    pub fn validate(&self, path: &str, issues: &mut Vec<ConfigIssue>) {
        if self.path.trim().is_empty() {
            issues.push(ConfigIssue::new(
                format!("{path}.path"),
                "a file or pattern like \"slos/*.yaml\"",
            ));
        }
        issues.extend(ConfigIssue::out_of_range(
            format!("{path}.window_days"),
            self.window_days,
            1..=400,
            "days between 1 and 400",
        ));
        if let Some(template) = &self.service_name {
            if let Err(why) = check_template(template) {
                issues.push(
                    ConfigIssue::new(format!("{path}.service_name"), why)
                        .found(format!("{template:?}")),
                );
            }
        }
    }
}

/// A name template must tell SLOs apart and use only the placeholders there are.
fn check_template(template: &str) -> Result<(), String> {
    let rest = template.replace("{service}", "").replace("{slo}", "");
    if rest.contains(['{', '}']) {
        return Err("only the placeholders {service} and {slo}".into());
    }
    if !template.contains("{slo}") && !template.contains("{service}") {
        return Err("a name with {slo} or {service} in it, like \"{service}-{slo}\"".into());
    }
    Ok(())
}

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
        match load(file) {
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
            classify(Field::root(doc), entry, f, &mut found, &mut objects);
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
        let service = to_service(&slo, entry);
        if let Err(message) = unique(&service.name, existing, &read.slos).and(valid(&service)) {
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
        Err(errors)
    }
}

/// The documents of one file, or the error that names why it cannot be read.
fn load(file: &Path) -> Result<Vec<yaml::Node>, ConfigError> {
    let error = |line, column, message| ConfigError {
        file: file.to_path_buf(),
        line,
        column,
        key: None,
        message,
    };
    let size = std::fs::metadata(file)
        .map_err(|e| error(None, None, format!("cannot read the SLO file: {e}")))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(error(
            None,
            None,
            format!("an SLO file of at most {MAX_FILE_BYTES} bytes, found {size}"),
        ));
    }
    let text = std::fs::read_to_string(file)
        .map_err(|e| error(None, None, format!("cannot read the SLO file: {e}")))?;
    yaml::parse(&text).map_err(|e| {
        error(
            Some(e.line),
            Some(e.col),
            format!("YAML syntax: {}", e.message),
        )
    })
}

/// Sends a document to its reader by what it says it is.
fn classify<'a>(
    doc: Field<'a>,
    entry: &SloFilesConfig,
    file: usize,
    found: &mut Found,
    objects: &mut Vec<openslo::Object<'a>>,
) {
    if !doc.is_map() {
        found.problem(
            file,
            doc.problem(format!(
                "expected a Sloth or OpenSLO document (a mapping), found {}",
                doc.node.kind()
            )),
        );
        return;
    }
    let text = |key: &str| doc.get(key).and_then(|v| v.text().ok());
    let api = text("apiVersion");
    let is_sloth = api.is_none() && text("version") == Some("prometheus/v1")
        || api == Some("sloth.slok.dev/v1");
    let is_openslo = api.is_some_and(|a| a.starts_with("openslo/"));
    let wrong_format = match entry.format {
        SloFormat::Sloth if !is_sloth => Some("sloth"),
        SloFormat::OpenSlo if !is_openslo => Some("openslo"),
        _ => None,
    };
    if let Some(format) = wrong_format {
        found.problem(
            file,
            doc.problem(format!(
                "a {} document, as `format = \"{format}\"` in [[slo_files]] says",
                if format == "sloth" {
                    "Sloth (version: prometheus/v1, or apiVersion: sloth.slok.dev/v1)"
                } else {
                    "OpenSLO (apiVersion: openslo/v1)"
                }
            )),
        );
        return;
    }
    if is_sloth {
        let kind = text("kind");
        if api.is_some() && kind != Some("PrometheusServiceLevel") {
            let kind = kind.unwrap_or("?");
            found.note(
                file,
                doc.line(),
                None,
                format!("Sloth kind {kind:?} skipped: flightdeck reads PrometheusServiceLevel"),
            );
            return;
        }
        sloth::read(doc, api.is_some(), entry.window_days, file, found);
    } else if api == Some("openslo/v1") {
        let kind = doc
            .require("kind", "the OpenSLO kind, like SLO")
            .and_then(|k| k.text());
        let name = doc
            .require("metadata", "metadata with a name")
            .and_then(|m| m.require("name", "the object's name"))
            .and_then(|n| n.text());
        match (kind, name) {
            (Ok(kind), Ok(name)) => objects.push(openslo::Object {
                file,
                kind,
                name,
                doc,
            }),
            (Err(p), _) | (_, Err(p)) => found.problem(file, p),
        }
    } else if let Some(api) = api.filter(|_| is_openslo) {
        found.note(
            file,
            doc.line(),
            None,
            format!("apiVersion {api:?} skipped: flightdeck reads openslo/v1"),
        );
    } else {
        let at = doc
            .get("apiVersion")
            .or_else(|| doc.get("version"))
            .unwrap_or(doc.clone());
        found.problem(
            file,
            at.problem(
                "a Sloth or OpenSLO document: `version: prometheus/v1`, or `apiVersion:` \
                 sloth.slok.dev/v1 or openslo/v1",
            ),
        );
    }
}

/// The service an SLO becomes.
fn to_service(slo: &ReadSlo, entry: &SloFilesConfig) -> ServiceConfig {
    let template = entry.service_name.as_deref().unwrap_or(match slo.origin {
        Origin::Sloth => "{service}-{slo}",
        Origin::OpenSlo => "{slo}",
    });
    let name = template
        .replace("{service}", &slo.service)
        .replace("{slo}", &slo.slo);
    let (error_ratio_query, good_query, total_query) = match &slo.sli {
        Sli::ErrorRatio { ratio, total } => (Some(ratio.clone()), None, total.clone()),
        Sli::GoodTotal { good, total } => (None, Some(good.clone()), Some(total.clone())),
    };
    ServiceConfig {
        name,
        slo_target: slo.target,
        slo_window_days: slo.window_days,
        error_ratio_query,
        good_query,
        total_query,
        request_rate_query: None,
        latency_p99_query: None,
        deploy_marker_query: None,
        group: Some(entry.group.clone().unwrap_or_else(|| slo.service.clone())),
        tier: entry.tier,
    }
}

/// Services are keyed by name everywhere: one from a file may not reuse a name.
fn unique(name: &str, existing: &[ServiceConfig], read: &[SloSummary]) -> Result<(), String> {
    if name.chars().any(char::is_control) {
        return Err(format!(
            "a service name without control characters, found {:?}",
            name
        ));
    }
    if let Some(i) = existing.iter().position(|s| s.name.trim() == name) {
        return Err(format!(
            "the service name {name:?} is also services[{i}] in the config; a service comes \
             from one place: remove one, or set service_name in [[slo_files]]"
        ));
    }
    if let Some(first) = read.iter().find(|s| s.service == name) {
        return Err(format!(
            "the service name {name:?} is taken by the SLO at {}:{}; set service_name in \
             [[slo_files]] (e.g. \"{{service}}-{{slo}}\") to tell them apart",
            first.file.display(),
            first.line
        ));
    }
    Ok(())
}

/// The readers check what they map; this is the same check a `[[services]]` entry
/// gets, so a service from a file can never be one the TOML would refuse.
fn valid(service: &ServiceConfig) -> Result<(), String> {
    let mut issues = Vec::new();
    service.validate("service", &mut issues);
    match issues.first() {
        None => Ok(()),
        Some(issue) => Err(format!(
            "this SLO makes a service flightdeck cannot use: `{}` expected {}",
            issue.key, issue.expected
        )),
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
