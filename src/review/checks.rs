//! Automatic checklist items, evaluated from the metrics engine's outputs (never a
//! second copy of a metric): each gives a verdict and the evidence a reviewer reads.
//! Pure: data and `now` in, [`Evaluation`] out.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::metrics::consumed::Traffic;
use crate::metrics::{ServiceDerived, SpcChart};
use crate::model::{Deployment, Ts};
use crate::ui::format;

use super::template::AutoCheck;

/// Thresholds of the automatic items (`[review]`, and the engine's bake and baseline).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// The engine's bake time after a deployment (`metrics::Settings::bake`).
    pub bake: Duration,
    /// The engine's baseline before a deployment (`metrics::Settings::baseline`).
    pub baseline: Duration,
    /// Budget consumed by a deployment at or above this fails (fraction of the SLO
    /// window's budget; default 0.05).
    pub budget_consumed_max: f64,
    /// The error ratio at the end of the bake time may exceed the baseline by this
    /// factor (default 0.2: up to 1.2 × baseline), plus [`RATIO_FLOOR`].
    pub baseline_tolerance: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        let engine = crate::metrics::Settings::default();
        Thresholds {
            bake: engine.bake,
            baseline: engine.baseline,
            budget_consumed_max: 0.05,
            baseline_tolerance: 0.2,
        }
    }
}

/// An absolute slack on the error ratio, so a zero baseline does not fail on one error
/// in a million requests.
pub const RATIO_FLOOR: f64 = 1e-4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    /// The data cannot say yet (bake not over, no traffic series, too few points).
    Unknown,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    pub verdict: Verdict,
    /// What the verdict rests on, in words ("0.12% at the end of the bake, baseline
    /// 0.10%"). Read back from the store as outside text.
    #[serde(deserialize_with = "crate::model::outside::de_long")]
    pub evidence: String,
}

impl Evaluation {
    fn new(verdict: Verdict, evidence: impl Into<String>) -> Self {
        Evaluation {
            verdict,
            evidence: evidence.into(),
        }
    }
    fn unknown(evidence: impl Into<String>) -> Self {
        Self::new(Verdict::Unknown, evidence)
    }
}

/// What an automatic check reads.
#[derive(Debug, Clone, Copy)]
pub struct CheckInputs<'a> {
    pub deployment: &'a Deployment,
    pub derived: Option<&'a ServiceDerived>,
    pub traffic: Option<Traffic<'a>>,
    pub thresholds: Thresholds,
    pub now: Ts,
}

pub fn evaluate(check: AutoCheck, i: &CheckInputs<'_>) -> Evaluation {
    match check {
        AutoCheck::ErrorRatioBaseline => error_ratio_baseline(i),
        AutoCheck::BudgetConsumed => budget_consumed(i),
        AutoCheck::NoLinkedIncident => no_linked_incident(i),
        AutoCheck::LeadTimeInLimits => in_limits(i, "lead_time", "lead time"),
        AutoCheck::DurationInLimits => in_limits(i, "deploy_duration", "deploy duration"),
        AutoCheck::NoSpcSignal => no_spc_signal(i),
    }
}

/// The error ratio over the last part of the bake time (its last quarter, at least
/// 5 minutes and one step of the series) against the baseline hour before the
/// deployment started.
fn error_ratio_baseline(i: &CheckInputs<'_>) -> Evaluation {
    let Some(finished) = i.deployment.finished_at else {
        return Evaluation::unknown("still running");
    };
    let bake_end = finished + i.thresholds.bake;
    if bake_end > i.now {
        return Evaluation::unknown(format!(
            "bake time not over ({} left)",
            format::duration(bake_end - i.now)
        ));
    }
    let Some(traffic) = i.traffic else {
        return Evaluation::unknown("no error-ratio and request-rate series");
    };
    // At least one step of the series, or a coarse history (a 10-minute step in
    // older data, say) has no sample inside it and could never be judged.
    let step = traffic.step_before(bake_end).unwrap_or_else(Duration::zero);
    let tail = (i.thresholds.bake / 4).max(Duration::minutes(5)).max(step);
    let started = i.deployment.started_at;
    let baseline = traffic.ratio(started - i.thresholds.baseline, started);
    let end = traffic.ratio(bake_end - tail, bake_end);
    match (baseline, end) {
        (Some(b), Some(e)) => {
            let limit = b * (1.0 + i.thresholds.baseline_tolerance) + RATIO_FLOOR;
            let verdict = if e <= limit {
                Verdict::Pass
            } else {
                Verdict::Fail
            };
            Evaluation::new(
                verdict,
                format!(
                    "{} at the end of the bake time, baseline {}",
                    format::percent(e, 2),
                    format::percent(b, 2)
                ),
            )
        }
        (None, _) => Evaluation::unknown("no traffic in the baseline hour"),
        (_, None) => Evaluation::unknown("no traffic at the end of the bake time"),
    }
}

fn facts<'a>(i: &CheckInputs<'a>) -> Option<&'a crate::metrics::DeploymentFacts> {
    i.derived?.facts.get(&i.deployment.id)
}

fn budget_consumed(i: &CheckInputs<'_>) -> Evaluation {
    let max = i.thresholds.budget_consumed_max;
    match facts(i).and_then(|f| f.budget_consumed) {
        Some(c) => Evaluation::new(
            if c < max {
                Verdict::Pass
            } else {
                Verdict::Fail
            },
            format!(
                "consumed {} of the budget (limit {})",
                format::percent(c, 2),
                format::percent(max, 1)
            ),
        ),
        None => Evaluation::unknown("no budget figure for this deployment"),
    }
}

fn no_linked_incident(i: &CheckInputs<'_>) -> Evaluation {
    let Some(f) = facts(i) else {
        return Evaluation::unknown("not derived yet");
    };
    if f.incidents.is_empty() {
        Evaluation::new(Verdict::Pass, "no incident linked")
    } else {
        Evaluation::new(Verdict::Fail, format!("linked: {}", f.incidents.join(", ")))
    }
}

/// The chart point of this deployment (XmR points are stamped with `finished_at`).
fn point_of<'a>(i: &CheckInputs<'a>, metric: &str) -> Option<(&'a SpcChart, usize)> {
    let chart = i.derived?.chart(metric)?;
    let finished = i.deployment.finished_at?;
    let index = chart.points.iter().rposition(|p| p.at == finished)?;
    Some((chart, index))
}

fn in_limits(i: &CheckInputs<'_>, metric: &str, name: &str) -> Evaluation {
    let Some((chart, index)) = point_of(i, metric) else {
        return Evaluation::unknown(format!("no {name} point for this deployment"));
    };
    let p = &chart.points[index];
    let l = p.limits;
    if !(l.ucl.is_finite() && l.lcl.is_finite()) {
        return Evaluation::unknown(format!("{name}: no control limits yet"));
    }
    let inside = p.value >= l.lcl && p.value <= l.ucl;
    Evaluation::new(
        if inside { Verdict::Pass } else { Verdict::Fail },
        format!(
            "{name} {} (limits {} to {})",
            format::secs_f64(p.value),
            format::secs_f64(l.lcl),
            format::secs_f64(l.ucl)
        ),
    )
}

fn no_spc_signal(i: &CheckInputs<'_>) -> Evaluation {
    let mut found = Vec::new();
    let mut charted = false;
    for metric in ["lead_time", "deploy_duration", "recovery_time"] {
        let Some((chart, index)) = point_of(i, metric) else {
            continue;
        };
        charted = true;
        for s in &chart.signals {
            if s.index == index || s.points.contains(&index) {
                found.push(format!("{metric}: {}", s.rule.code()));
            }
        }
    }
    if !charted {
        return Evaluation::unknown("not on any control chart");
    }
    found.dedup();
    if found.is_empty() {
        Evaluation::new(Verdict::Pass, "no run rule trips at this deployment")
    } else {
        Evaluation::new(Verdict::Fail, found.join(", "))
    }
}
