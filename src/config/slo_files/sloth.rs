//! Sloth specs: `version: prometheus/v1` (snake_case keys) and the Kubernetes CRD
//! `apiVersion: sloth.slok.dev/v1`, `kind: PrometheusServiceLevel` (camelCase, under
//! `spec:`). Each SLO becomes one [`ReadSlo`]; the window is not in Sloth's spec (its
//! `--default-slo-period`, 30 days), so it comes from `[[slo_files]] window_days`.

use super::field::Field;
use super::found::{fraction, Found, Origin, ReadSlo, Sli};
use super::promql::with_window;

/// The two spellings of Sloth's keys.
struct Keys {
    error_query: &'static str,
    total_query: &'static str,
    error_ratio_query: &'static str,
    slo_plugins: &'static str,
}

const PLAIN: Keys = Keys {
    error_query: "error_query",
    total_query: "total_query",
    error_ratio_query: "error_ratio_query",
    slo_plugins: "slo_plugins",
};

const CRD: Keys = Keys {
    error_query: "errorQuery",
    total_query: "totalQuery",
    error_ratio_query: "errorRatioQuery",
    slo_plugins: "sloPlugins",
};

/// Reads one Sloth document (`crd`: the Kubernetes form) of file `file`.
pub fn read(doc: Field<'_>, crd: bool, window_days: u32, file: usize, out: &mut Found) {
    if let Err(p) = read_spec(doc, crd, window_days, file, out) {
        out.problem(file, p);
    }
}

fn read_spec(
    doc: Field<'_>,
    crd: bool,
    window_days: u32,
    file: usize,
    out: &mut Found,
) -> Result<(), super::field::Problem> {
    let (spec, keys) = if crd {
        (
            doc.require("spec", "the PrometheusServiceLevel spec")?,
            &CRD,
        )
    } else {
        (doc, &PLAIN)
    };
    let service = spec.require("service", "the service name")?.text()?;
    if let Some(plugins) = spec.get(keys.slo_plugins) {
        out.note(
            file,
            plugins.line(),
            None,
            format!(
                "`{}`: SLO plugins change the rules Sloth generates; flightdeck does not run \
                 them and reads the SLIs as written",
                plugins.path()
            ),
        );
    }
    let slos = spec.require("slos", "a list of SLOs")?;
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for slo in slos.items()? {
        let name = match slo.require("name", "the SLO name").and_then(|n| n.text()) {
            Ok(name) => name,
            Err(p) => {
                out.problem(file, p);
                continue;
            }
        };
        if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
            let at = slo.get("name").unwrap_or(slo.clone());
            out.problem(
                file,
                at.problem(format!(
                    "a second SLO named {name:?} in this file (the first is on line {first}); \
                     Sloth names its rules by service and SLO, so each name must be unique"
                )),
            );
            continue;
        }
        seen.push((name, slo.line()));
        match read_slo(&slo, keys, service, name, window_days, file, out) {
            Ok(Some(read)) => out.slos.push((file, read)),
            Ok(None) => {}
            Err(p) => out.problem(file, p),
        }
    }
    Ok(())
}

fn read_slo(
    slo: &Field<'_>,
    keys: &Keys,
    service: &str,
    name: &str,
    window_days: u32,
    file: usize,
    out: &mut Found,
) -> Result<Option<ReadSlo>, super::field::Problem> {
    let objective = slo.require("objective", "the objective in percent, like 99.9")?;
    let percent = objective.number()?;
    if !(percent > 0.0 && percent < 100.0) {
        return Err(objective.problem(format!(
            "expected a percentage above 0 and below 100, like 99.9, found {percent}"
        )));
    }
    if let Some(plugins) = slo.get("plugins") {
        out.note(
            file,
            plugins.line(),
            Some(name),
            format!(
                "`{}`: SLO plugins are not run by flightdeck; the SLI is read as written",
                plugins.path()
            ),
        );
    }
    let sli = slo.require("sli", "`events`, `raw` or `plugin`")?;
    let sli = if let Some(plugin) = sli.get("plugin") {
        let id = plugin.get("id").and_then(|i| i.text().ok()).unwrap_or("?");
        out.note(
            file,
            slo.line(),
            Some(name),
            format!(
                "a plugin SLI ({id:?}) builds its queries in Sloth's plugin code, which \
                 flightdeck cannot run: not read; give this service error_ratio_query in \
                 [[services]] instead"
            ),
        );
        return Ok(None);
    } else if let Some(events) = sli.get("events") {
        let error = query(&events, keys.error_query, "the PromQL of bad events")?;
        let total = query(&events, keys.total_query, "the PromQL of all events")?;
        Sli::ErrorRatio {
            ratio: format!("({error}) / ({total})"),
            total: Some(total),
        }
    } else if let Some(raw) = sli.get("raw") {
        Sli::ErrorRatio {
            ratio: query(
                &raw,
                keys.error_ratio_query,
                "the PromQL of the error ratio",
            )?,
            total: None,
        }
    } else {
        return Err(sli.problem("expected `events`, `raw` or `plugin`"));
    };
    Ok(Some(ReadSlo {
        service: service.to_string(),
        slo: name.to_string(),
        line: slo.line(),
        target: fraction(percent),
        window_days,
        sli,
        description: slo
            .get("description")
            .and_then(|d| d.text().ok())
            .map(str::to_string),
        origin: Origin::Sloth,
    }))
}

/// A Sloth query, which must name the window (`{{.window}}`) as Sloth itself requires.
fn query(parent: &Field<'_>, key: &str, expected: &str) -> Result<String, super::field::Problem> {
    let field = parent.require(key, expected)?;
    let text = field.text()?;
    match with_window(text) {
        Ok(Some(q)) => Ok(q.trim().to_string()),
        Ok(None) => {
            Err(field
                .problem("expected PromQL with Sloth's `{{.window}}`, e.g. rate(x[{{.window}}])"))
        }
        Err(why) => Err(field.problem(format!(
            "expected PromQL with `{{{{.window}}}}`, found {why}"
        ))),
    }
}
