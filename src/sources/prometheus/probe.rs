//! What `doctor` asks Prometheus: are the credentials read, is the server reached
//! (its version), and what does each configured query of each service answer now.

use chrono::Utc;

use super::api::QueryData;
use super::query::{render, sli_query};
use super::PrometheusSource;
use crate::config::{PrometheusConfig, ServiceConfig};
use crate::sources::check::Check;

/// Runs the checks in order; stops after a failure every later query would share.
pub async fn probe(
    source: &PrometheusSource,
    config: &PrometheusConfig,
    services: &[ServiceConfig],
) -> Vec<Check> {
    let mut checks = Vec::new();
    let auth = match source.auth().await {
        Ok(a) => {
            if config.has_credentials() {
                checks.push(Check::ok("credentials", "read"));
            }
            a
        }
        Err(e) => {
            checks.push(Check::fail("credentials", e));
            return checks;
        }
    };
    match source.client().build_info(&auth).await {
        Ok(version) => checks.push(Check::ok("reached", format!("server version {version}"))),
        Err(e) => {
            checks.push(Check::fail("reached", e.error));
            return checks;
        }
    }
    let now = Utc::now();
    for (index, service) in services.iter().enumerate() {
        checks.push(Check::note(format!(
            "service {} (services[{index}])",
            service.name
        )));
        if !service.has_queries() {
            checks.push(Check::warn(
                "queries",
                "none configured; nothing is fetched for this service",
            ));
            continue;
        }
        for (what, query) in service_queries(service) {
            match source.client().instant(&query, now, &auth).await {
                Ok(answer) => {
                    let detail = describe(&answer.data);
                    if detail.starts_with("no data") {
                        checks.push(Check::warn(what, detail));
                    } else {
                        checks.push(Check::ok(what, detail));
                    }
                    for w in answer.warnings {
                        checks.push(Check::warn(what, w));
                    }
                }
                Err(e) => checks.push(Check::fail(what, e.error)),
            }
        }
    }
    checks
}

/// Each configured query of a service, as doctor tries it (instant, 5-minute window).
fn service_queries(service: &ServiceConfig) -> Vec<(&'static str, String)> {
    let name = service.name.as_str();
    let mut queries = Vec::new();
    if let Some(sli) = service.sli() {
        queries.push(("error ratio (5m)", sli_query(&sli, 300, name)));
        let slo = i64::from(service.slo_window_days) * 86_400;
        queries.push(("error ratio (SLO window)", sli_query(&sli, slo, name)));
    }
    for (what, q) in [
        ("p99 latency", &service.latency_p99_query),
        ("request rate", &service.request_rate_query),
        ("deploy markers", &service.deploy_marker_query),
    ] {
        if let Some(q) = q {
            queries.push((what, render(q, 300, name)));
        }
    }
    queries
}

fn describe(data: &QueryData) -> String {
    match data {
        QueryData::Vector(v) if v.is_empty() => {
            "no data (empty result); check metric names and labels, or whether traffic exists"
                .to_string()
        }
        QueryData::Vector(v) => {
            let first = v[0].value.as_ref().map_or(f64::NAN, |p| p.value());
            if v.len() == 1 {
                format!("{first}")
            } else {
                format!(
                    "{} series (first {first}); aggregate with sum() for one number",
                    v.len()
                )
            }
        }
        QueryData::Scalar(p) => format!("{}", p.value()),
        QueryData::Matrix(m) => format!("{} series", m.len()),
        QueryData::String(p) => format!("string {:?}", p.1),
    }
}
