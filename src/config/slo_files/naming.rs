//! What an SLO read from a file becomes: a `[[services]]` entry with a name no other
//! service has, passing the same checks as one written in the TOML.

use super::super::ServiceConfig;
use super::entry::SloFilesConfig;
use super::found::{Origin, ReadSlo, Sli};
use super::SloSummary;

/// The service an SLO becomes.
pub fn to_service(slo: &ReadSlo, entry: &SloFilesConfig) -> ServiceConfig {
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
pub fn unique(name: &str, existing: &[ServiceConfig], read: &[SloSummary]) -> Result<(), String> {
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
pub fn valid(service: &ServiceConfig) -> Result<(), String> {
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
