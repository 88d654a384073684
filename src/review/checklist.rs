//! The checklist of a deployment or a release: the template its service's tier picks,
//! each automatic item evaluated from data, each manual item as the session has it.
//! This is the one list the review pane, the cursor and the export read.

use std::collections::BTreeMap;

use crate::metrics::consumed::Traffic;
use crate::metrics::Derived;
use crate::model::{Deployment, Series, SeriesKind, Ts};

use super::checks::{evaluate, CheckInputs, Evaluation, Thresholds, Verdict};
use super::session::{CheckState, ReviewSession, ReviewTarget};
use super::template::{Template, Templates, Tier};

/// How reviews are set up (`[review]` and each service's `tier`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReviewSetup {
    pub templates: Templates,
    /// Services without an entry are [`Tier::default`].
    pub tiers: BTreeMap<String, Tier>,
    pub thresholds: Thresholds,
}

impl ReviewSetup {
    pub fn tier(&self, service: &str) -> Tier {
        self.tiers.get(service).copied().unwrap_or_default()
    }

    /// The template for `service`; the highest tier wins for a release.
    pub fn template_for<'a>(
        &self,
        services: impl Iterator<Item = &'a str>,
    ) -> Option<(&str, &Template)> {
        let tier = services.map(|s| self.tier(s)).max().unwrap_or_default();
        self.templates.for_tier(tier)
    }
}

/// What the automatic items read: the engine's outputs and the series behind them.
#[derive(Debug, Clone, Copy)]
pub struct ReviewData<'a> {
    pub derived: &'a Derived,
    pub series: &'a BTreeMap<(String, SeriesKind), Series>,
    pub now: Ts,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowState {
    Auto(Evaluation),
    Manual { checked: bool, note: Option<String> },
}

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistRow {
    pub id: String,
    pub title: String,
    pub hint: String,
    pub state: RowState,
}

/// A checklist with the template it came from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Checklist {
    pub template: String,
    pub rows: Vec<ChecklistRow>,
}

/// The checklist of `deployments` (one, or a release's), with the manual items as
/// `session` has them (unticked without one).
pub fn checklist(
    setup: &ReviewSetup,
    deployments: &[&Deployment],
    data: &ReviewData<'_>,
    session: Option<&ReviewSession>,
) -> Checklist {
    // A started review keeps the template it started with.
    let chosen = session
        .and_then(|s| {
            setup
                .templates
                .get(&s.template)
                .map(|t| (s.template.as_str(), t))
        })
        .or_else(|| setup.template_for(deployments.iter().map(|d| d.service.as_str())));
    let Some((name, template)) = chosen else {
        return Checklist::default();
    };
    let rows = template
        .items
        .iter()
        .map(|item| {
            let saved = session.and_then(|s| s.checks.iter().find(|c| c.id == item.id));
            let state = match item.check {
                Some(check) => RowState::Auto(combine(deployments, |d| {
                    evaluate(check, &inputs(setup, d, data))
                })),
                None => RowState::Manual {
                    checked: saved.is_some_and(|c| c.checked),
                    note: saved.and_then(|c| c.note.clone()),
                },
            };
            ChecklistRow {
                id: item.id.clone(),
                title: item.title.clone(),
                hint: item.hint.clone(),
                state,
            }
        })
        .collect();
    Checklist {
        template: name.to_string(),
        rows,
    }
}

fn inputs<'a>(setup: &ReviewSetup, d: &'a Deployment, data: &ReviewData<'a>) -> CheckInputs<'a> {
    let key = |k| (d.service.clone(), k);
    let traffic = match (
        data.series.get(&key(SeriesKind::ErrorRatio)),
        data.series.get(&key(SeriesKind::RequestRate)),
    ) {
        (Some(ratio), Some(rate)) => Some(Traffic::new(ratio, rate)),
        _ => None,
    };
    CheckInputs {
        deployment: d,
        derived: data.derived.services.get(&d.service),
        traffic,
        thresholds: setup.thresholds,
        now: data.now,
    }
}

/// One deployment's evaluation as is; a release's: the worst verdict (fail, then
/// unknown), with each service's evidence.
fn combine(deployments: &[&Deployment], eval: impl Fn(&Deployment) -> Evaluation) -> Evaluation {
    if let [one] = deployments {
        return eval(one);
    }
    let rank = |v: Verdict| match v {
        Verdict::Pass => 0,
        Verdict::Unknown => 1,
        Verdict::Fail => 2,
    };
    let mut verdict = Verdict::Pass;
    let mut evidence = Vec::new();
    for d in deployments {
        let e = eval(d);
        if rank(e.verdict) > rank(verdict) {
            verdict = e.verdict;
        }
        evidence.push(format!("{}: {}", d.service, e.evidence));
    }
    if deployments.is_empty() {
        verdict = Verdict::Unknown;
        evidence.push("no deployment".to_string());
    }
    Evaluation {
        verdict,
        evidence: evidence.join("; "),
    }
}

/// A new session on `target` with the checklist as it stands (automatic items with
/// their evidence at this moment).
pub fn start_session(id: String, target: ReviewTarget, list: &Checklist, now: Ts) -> ReviewSession {
    ReviewSession {
        id,
        target,
        template: list.template.clone(),
        started_at: now,
        checks: list
            .rows
            .iter()
            .map(|r| CheckState {
                id: r.id.clone(),
                title: r.title.clone(),
                auto: match &r.state {
                    RowState::Auto(e) => Some(e.clone()),
                    RowState::Manual { .. } => None,
                },
                checked: false,
                note: None,
            })
            .collect(),
        findings: Vec::new(),
        actions: Vec::new(),
        decision: None,
    }
}

#[cfg(test)]
#[path = "checklist_tests.rs"]
mod tests;
