//! Which reader a YAML document goes to, by what it says it is: `version:
//! prometheus/v1` or `apiVersion: sloth.slok.dev/v1` (Sloth), `apiVersion: openslo/v1`
//! (OpenSLO); anything else is a mistake, or a note when it is a kind or version of
//! those tools that flightdeck does not read.

use super::entry::{SloFilesConfig, SloFormat};
use super::field::Field;
use super::found::Found;
use super::{openslo, sloth};

/// Sends a document to its reader by what it says it is.
pub fn classify<'a>(
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
