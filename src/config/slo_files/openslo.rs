//! OpenSLO v1: `kind: SLO` with an inline `indicator` or an `indicatorRef` to a
//! `kind: SLI` anywhere in the files read, whose `ratioMetric` (good/total, bad/total
//! or raw) comes from Prometheus, budgeted by occurrences over a rolling window.
//! `Service` documents give descriptions, `DataSource` documents the source type of a
//! `metricSourceRef`. What flightdeck cannot express is noted and left out.

use std::collections::HashMap;

use super::field::{Field, Problem};
use super::found::{fraction, Found, Origin, ReadSlo, Sli};
use super::promql::openslo_query;

/// The kinds OpenSLO v1 defines that flightdeck has no use for.
const SKIPPED_KINDS: [&str; 3] = ["AlertPolicy", "AlertCondition", "AlertNotificationTarget"];

/// One `openslo/v1` document with its kind and name.
pub struct Object<'a> {
    pub file: usize,
    pub kind: &'a str,
    pub name: &'a str,
    pub doc: Field<'a>,
}

/// Outcome of reading one part of an SLO: a value, or a note on why it is left out.
enum Read<T> {
    Ok(T),
    Skip(String),
}

/// The value of a `Read`, or return its reason to skip from the calling reader.
macro_rules! value {
    ($read:expr) => {
        match $read {
            Read::Ok(v) => v,
            Read::Skip(why) => return Ok(Read::Skip(why)),
        }
    };
}

/// [`value!`] of a `Result<Read<_>, Problem>`, a problem returned as it is.
macro_rules! take {
    ($e:expr) => {
        value!($e?)
    };
}

/// Everything an SLO may refer to by name.
struct Index<'a> {
    slis: HashMap<&'a str, &'a Object<'a>>,
    source_types: HashMap<&'a str, &'a str>,
    services: HashMap<&'a str, &'a str>,
}

/// Reads every SLO among `objects`; `window_days(file)` is the window of an SLO whose
/// file gives none.
pub fn read_all(objects: &[Object<'_>], window_days: &dyn Fn(usize) -> u32, out: &mut Found) {
    let index = index(objects, out);
    for object in objects {
        match object.kind {
            "SLO" => match read_slo(object, &index, window_days(object.file)) {
                Ok(Read::Ok(slo)) => out.slos.push((object.file, slo)),
                Ok(Read::Skip(why)) => {
                    out.note(object.file, object.doc.line(), Some(object.name), why)
                }
                Err((file, p)) => out.problem(file, p),
            },
            "SLI" | "Service" | "DataSource" => {}
            kind => {
                let what = if SKIPPED_KINDS.contains(&kind) {
                    "flightdeck does not read this kind"
                } else {
                    "not a kind of OpenSLO v1"
                };
                out.note(
                    object.file,
                    object.doc.line(),
                    Some(object.name),
                    format!("kind {kind:?} skipped: {what}"),
                );
            }
        }
    }
}

fn index<'a>(objects: &'a [Object<'a>], out: &mut Found) -> Index<'a> {
    let mut index = Index {
        slis: HashMap::new(),
        source_types: HashMap::new(),
        services: HashMap::new(),
    };
    let mut seen: HashMap<(&str, &str), &Object<'_>> = HashMap::new();
    for object in objects {
        if let Some(first) = seen.get(&(object.kind, object.name)) {
            let at = object.doc.get("metadata").unwrap_or(object.doc.clone());
            out.problem(
                object.file,
                at.problem(format!(
                    "a second {} named {:?} (the first starts on line {}{})",
                    object.kind,
                    object.name,
                    first.doc.line(),
                    if first.file == object.file {
                        ""
                    } else {
                        " of another file"
                    }
                )),
            );
            continue;
        }
        seen.insert((object.kind, object.name), object);
        let spec_text = |key: &str| {
            object
                .doc
                .get("spec")
                .and_then(|s| s.get(key))
                .and_then(|t| t.text().ok())
        };
        match object.kind {
            "SLI" => {
                index.slis.insert(object.name, object);
            }
            "DataSource" => {
                if let Some(t) = spec_text("type") {
                    index.source_types.insert(object.name, t);
                }
            }
            "Service" => {
                if let Some(d) = spec_text("description") {
                    index.services.insert(object.name, d);
                }
            }
            _ => {}
        }
    }
    index
}

/// An SLO, or the problem and the index of the file it is in (the SLI an
/// `indicatorRef` names may be in another file than the SLO).
fn read_slo(
    object: &Object<'_>,
    index: &Index<'_>,
    window_days: u32,
) -> Result<Read<ReadSlo>, (usize, Problem)> {
    let here = |p: Problem| (object.file, p);
    let spec = object.doc.require("spec", "the SLO spec").map_err(here)?;
    let service = spec
        .require("service", "the name of the service")
        .and_then(|s| s.text())
        .map_err(here)?;
    let method = spec
        .require(
            "budgetingMethod",
            "Occurrences, Timeslices or RatioTimeslices",
        )
        .map_err(here)?;
    match method.text().map_err(here)? {
        "Occurrences" => {}
        m @ ("Timeslices" | "RatioTimeslices") => {
            return Ok(Read::Skip(format!(
                "budgetingMethod {m} counts good time slices; flightdeck's budget counts \
                 events (Occurrences), so it cannot express this SLO"
            )))
        }
        other => {
            return Err(here(method.problem(format!(
                "expected Occurrences, Timeslices or RatioTimeslices, found {other:?}"
            ))))
        }
    }
    let (sli_file, indicator) = take!(indicator(&spec, index, object.file));
    let target = take!(objective(&spec).map_err(here));
    let window_days = take!(window(&spec, window_days).map_err(here));
    let sli = take!(sli(&indicator, index).map_err(|p| (sli_file, p)));
    let description = spec
        .get("description")
        .and_then(|d| d.text().ok())
        .or_else(|| index.services.get(service).copied());
    Ok(Read::Ok(ReadSlo {
        service: service.to_string(),
        slo: object.name.to_string(),
        line: object.doc.line(),
        target,
        window_days,
        sli,
        description: description.map(str::to_string),
        origin: Origin::OpenSlo,
    }))
}

/// The SLI's `spec` and the file it is in: inline under `indicator` (the SLO's file
/// `file`), or the `SLI` named by `indicatorRef`.
fn indicator<'a>(
    spec: &Field<'a>,
    index: &Index<'a>,
    file: usize,
) -> Result<Read<(usize, Field<'a>)>, (usize, Problem)> {
    let here = |p: Problem| (file, p);
    if let Some(inline) = spec.get("indicator") {
        let sli = inline.require("spec", "the SLI spec").map_err(here)?;
        return Ok(Read::Ok((file, sli)));
    }
    let Some(reference) = spec.get("indicatorRef") else {
        return Err(here(
            spec.missing("indicator", "an inline SLI, or indicatorRef naming one"),
        ));
    };
    let name = reference.text().map_err(here)?;
    match index.slis.get(name) {
        Some(sli) => {
            let spec = sli
                .doc
                .require("spec", "the SLI spec")
                .map_err(|p| (sli.file, p))?;
            Ok(Read::Ok((sli.file, spec)))
        }
        None => Err(here(reference.problem(format!(
            "no kind: SLI named {name:?} in the files of [[slo_files]]"
        )))),
    }
}

/// The one objective's target as a fraction.
fn objective(spec: &Field<'_>) -> Result<Read<f64>, Problem> {
    let objectives = spec.require("objectives", "a list with one objective")?;
    let items = objectives.items()?;
    let Some(first) = items.first() else {
        return Err(objectives.problem("expected one objective, found none"));
    };
    if items.len() > 1 {
        return Ok(Read::Skip(format!(
            "{} objectives; flightdeck keeps one target per service, so it does not pick one",
            items.len()
        )));
    }
    if first.get("indicator").is_some() || first.get("indicatorRef").is_some() {
        return Ok(Read::Skip(
            "a composite SLO (an objective with its own indicator) cannot be expressed".into(),
        ));
    }
    let (field, target) = match (first.get("target"), first.get("targetPercent")) {
        (Some(_), Some(p)) => {
            return Err(p.problem("either target or targetPercent, not both"));
        }
        (Some(t), None) => {
            let n = t.number()?;
            (t, n)
        }
        (None, Some(p)) => {
            let n = fraction(p.number()?);
            (p, n)
        }
        (None, None) => {
            return Err(first.missing("target", "a fraction like 0.999 (or targetPercent: 99.9)"))
        }
    };
    if !(target > 0.0 && target < 1.0) {
        return Err(field.problem(format!(
            "expected a target above 0 and below 1 (targetPercent: above 0, below 100), found {}",
            field.node.scalar().unwrap_or("?")
        )));
    }
    Ok(Read::Ok(target))
}

/// The rolling window in whole days (`timeWindow` is optional: the default applies).
fn window(spec: &Field<'_>, default_days: u32) -> Result<Read<u32>, Problem> {
    let Some(windows) = spec.get("timeWindow") else {
        return Ok(Read::Ok(default_days));
    };
    let items = windows.items()?;
    let [tw] = items.as_slice() else {
        return Err(windows.problem(format!(
            "expected exactly one time window, found {}",
            items.len()
        )));
    };
    let duration = tw.require("duration", "a duration like 28d or 4w")?;
    let text = duration.text()?;
    let rolling = match tw.get("isRolling") {
        Some(r) => r.boolean()?,
        None => tw.get("calendar").is_none(),
    };
    if !rolling || tw.get("calendar").is_some() {
        return Ok(Read::Skip(format!(
            "a calendar-aligned window ({text}); flightdeck's window rolls, so it cannot \
             express this one"
        )));
    }
    let (count, unit) = text.split_at(text.len().saturating_sub(1));
    let count: Option<u32> = count.parse().ok().filter(|n| *n > 0);
    let days = match (count, unit) {
        (Some(n), "d") => Some(n),
        (Some(n), "w") => n.checked_mul(7),
        (Some(n), "h") if n % 24 == 0 => Some(n / 24),
        (Some(n), "m") if n % 1440 == 0 => Some(n / 1440),
        (Some(_), "h" | "m" | "M" | "Q" | "Y") => {
            return Ok(Read::Skip(format!(
                "a rolling window of {text}; flightdeck's window is a whole number of days"
            )))
        }
        _ => None,
    };
    match days.filter(|d| (1..=400).contains(d)) {
        Some(d) => Ok(Read::Ok(d)),
        None => Err(duration.problem(format!(
            "expected a duration like 28d or 4w (up to 400 days), found {text:?}"
        ))),
    }
}

/// The SLI as queries: a Prometheus `ratioMetric` only.
fn sli(indicator: &Field<'_>, index: &Index<'_>) -> Result<Read<Sli>, Problem> {
    if indicator.get("thresholdMetric").is_some() {
        return Ok(Read::Skip(
            "a thresholdMetric SLI (a value against a threshold, e.g. latency) cannot be \
             expressed: flightdeck's SLI is a ratio of events; count slow requests as bad \
             events (a ratioMetric) instead"
                .into(),
        ));
    }
    let ratio = indicator.require("ratioMetric", "a ratioMetric (or thresholdMetric)")?;
    let counter = match ratio.get("counter") {
        Some(c) => c.boolean()?,
        None => false,
    };
    let part = |key: &str| -> Result<Option<Read<String>>, Problem> {
        match ratio.get(key) {
            None => Ok(None),
            Some(part) => prometheus(&part, index, counter).map(Some),
        }
    };
    if let Some(raw) = part("raw")? {
        let raw = value!(raw);
        let kind = ratio.require("rawType", "success or failure")?;
        let ratio = match kind.text()? {
            "failure" => raw,
            "success" => format!("1 - ({raw})"),
            other => {
                return Err(kind.problem(format!("expected success or failure, found {other:?}")))
            }
        };
        return Ok(Read::Ok(Sli::ErrorRatio { ratio, total: None }));
    }
    let Some(total) = part("total")? else {
        return Err(ratio.missing("total", "the query of all events (with good or bad)"));
    };
    let total = value!(total);
    match (part("good")?, part("bad")?) {
        (Some(_), Some(_)) => Err(ratio.problem("either good or bad, not both")),
        (Some(good), None) => {
            let good = value!(good);
            Ok(Read::Ok(Sli::GoodTotal { good, total }))
        }
        (None, Some(bad)) => {
            let bad = value!(bad);
            Ok(Read::Ok(Sli::ErrorRatio {
                ratio: format!("({bad}) / ({total})"),
                total: Some(total),
            }))
        }
        (None, None) => Err(ratio.missing("good", "the query of good events (or bad)")),
    }
}

/// The windowed PromQL of one part (`good`, `bad`, `total`, `raw`).
fn prometheus(part: &Field<'_>, index: &Index<'_>, counter: bool) -> Result<Read<String>, Problem> {
    let source = part.require("metricSource", "the metric source")?;
    let kind = match source.get("type") {
        Some(t) => t.text()?,
        None => {
            let reference = source.get("metricSourceRef");
            let named = reference
                .as_ref()
                .and_then(|r| r.text().ok())
                .and_then(|r| index.source_types.get(r).copied());
            match named {
                Some(t) => t,
                None => {
                    return Err(source.missing(
                        "type",
                        "the source type (Prometheus), or metricSourceRef naming a DataSource \
                         with one",
                    ))
                }
            }
        }
    };
    if !kind.eq_ignore_ascii_case("prometheus") {
        return Ok(Read::Skip(format!(
            "`{}` reads from {kind:?}; flightdeck reads SLIs from Prometheus only",
            source.path()
        )));
    }
    let query = source
        .require("spec", "the source's spec with a query")?
        .require("query", "the PromQL")?;
    match openslo_query(query.text()?, counter) {
        Ok(q) => Ok(Read::Ok(q)),
        Err(why) => Ok(Read::Skip(format!("`{}`: {why}", query.path()))),
    }
}
