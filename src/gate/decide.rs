//! The gate's decision, a pure function of what is known at the instant asked about.
//!
//! What each budget band means for a deploy, from DESIGN §3's policy table:
//! - normal (> 50% left): deploy.
//! - caution (20–50%): deploy, with a warning (canary required, longer bake).
//! - restricted (5–20%): critical fixes only, so hold unless `--critical-fix` says
//!   this is one.
//! - frozen (0–5%) and hard freeze (≤ 0): hold. An emergency patch is a person's call,
//!   not a pipeline's: the gate has no flag that lets one through.
//!
//! Any firing burn-rate alert (page or ticket) holds, as does a freeze, a holiday, a
//! time outside every change window or a deployment of the service already running in
//! the environment. What cannot be known (a source down, no SLO data) makes the gate
//! undecided, which fails closed unless `--fail-open`. A known reason to hold wins over
//! an unknown: a freeze holds whether or not Prometheus answers.

use chrono::{Datelike, SecondsFormat};
use serde::Serialize;

use crate::app::Health;
use crate::metrics::risk;
use crate::metrics::settings::Calendar;
use crate::metrics::types::{AlertSeverity, ErrorBudget, Policy};
use crate::model::Ts;
use crate::ui::format::{burn, percent};

use super::running::RunningDeployment;

/// The rule behind a reason; its serde id is part of `flightdeck.gate.v1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    BudgetPolicy,
    BurnAlert,
    Freeze,
    Holiday,
    OutsideChangeWindow,
    DeploymentRunning,
    SourceDown,
    NoSloData,
}

impl Rule {
    /// The id as the JSON and the text lines print it.
    pub fn id(self) -> &'static str {
        match self {
            Rule::BudgetPolicy => "budget_policy",
            Rule::BurnAlert => "burn_alert",
            Rule::Freeze => "freeze",
            Rule::Holiday => "holiday",
            Rule::OutsideChangeWindow => "outside_change_window",
            Rule::DeploymentRunning => "deployment_running",
            Rule::SourceDown => "source_down",
            Rule::NoSloData => "no_slo_data",
        }
    }
}

/// One line of the gate's answer: the rule and what it found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    pub rule: Rule,
    pub detail: String,
}

impl Reason {
    fn new(rule: Rule, detail: impl Into<String>) -> Self {
        Reason {
            rule,
            detail: detail.into(),
        }
    }
}

/// Deploy (exit 0), hold (exit 1) or could not decide (exit 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Deploy,
    Hold,
    Undecided,
}

impl Verdict {
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Deploy => 0,
            Verdict::Hold => 1,
            Verdict::Undecided => 2,
        }
    }
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Deploy => "deploy",
            Verdict::Hold => "hold",
            Verdict::Undecided => "undecided",
        }
    }
}

/// A source as the gate saw it after one round.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceState {
    pub id: String,
    pub health: Health,
    /// The last failure's message, when the last attempt failed.
    pub error: Option<String>,
}

/// Everything the decision reads, derived elsewhere (the engine, the sources).
#[derive(Debug, Clone, Copy)]
pub struct GateFacts<'a> {
    pub service: &'a str,
    pub at: Ts,
    /// The engine's error budget of the service; `None` without SLO data.
    pub budget: Option<&'a ErrorBudget>,
    pub calendar: &'a Calendar,
    pub running: &'a [RunningDeployment],
    /// Every source that feeds the figures (the local cache is not one of them: live
    /// sources are asked whether or not it loaded).
    pub sources: &'a [SourceState],
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GateOptions {
    /// The change is a critical fix: a RESTRICTED budget lets it through.
    pub critical_fix: bool,
    /// When the gate cannot decide, allow the deploy (with a warning) instead of exit 2.
    pub fail_open: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub verdict: Verdict,
    /// Why it holds, or why it could not decide; empty for a deploy.
    pub reasons: Vec<Reason>,
    /// What allows the deploy but should be read (CAUTION, a critical fix through
    /// RESTRICTED, failing open), and what was unknown when a known reason holds.
    pub warnings: Vec<Reason>,
}

/// The decision at `facts.at`.
pub fn decide(facts: &GateFacts<'_>, options: GateOptions) -> Decision {
    let mut holds = Vec::new();
    let mut warnings = Vec::new();
    if let Some(b) = facts.budget {
        budget_rules(b, options, &mut holds, &mut warnings);
    }
    calendar_rules(facts, &mut holds);
    holds.extend(facts.running.iter().map(|r| {
        Reason::new(
            Rule::DeploymentRunning,
            format!("{} already deploying: {}", facts.service, r.describe()),
        )
    }));
    let unknowns = unknowns(facts);
    if !holds.is_empty() {
        warnings.extend(unknowns);
        Decision {
            verdict: Verdict::Hold,
            reasons: holds,
            warnings,
        }
    } else if unknowns.is_empty() {
        Decision {
            verdict: Verdict::Deploy,
            reasons: Vec::new(),
            warnings,
        }
    } else if options.fail_open {
        warnings.extend(unknowns);
        Decision {
            verdict: Verdict::Deploy,
            reasons: Vec::new(),
            warnings,
        }
    } else {
        Decision {
            verdict: Verdict::Undecided,
            reasons: unknowns,
            warnings,
        }
    }
}

/// The band's consequence and every firing alert.
fn budget_rules(
    b: &ErrorBudget,
    options: GateOptions,
    holds: &mut Vec<Reason>,
    warnings: &mut Vec<Reason>,
) {
    if let (Some(policy), Some(remaining)) = (b.policy, b.remaining) {
        let band = format!(
            "{}, {} of the error budget left ({})",
            policy.word().to_uppercase(),
            percent(remaining, 1),
            policy.meaning()
        );
        match policy {
            Policy::Normal => {}
            Policy::Caution => warnings.push(Reason::new(Rule::BudgetPolicy, band)),
            Policy::Restricted if options.critical_fix => warnings.push(Reason::new(
                Rule::BudgetPolicy,
                format!("{band}: allowed as a critical fix (--critical-fix)"),
            )),
            Policy::Restricted => holds.push(Reason::new(
                Rule::BudgetPolicy,
                format!("{band}; --critical-fix lets a critical fix through"),
            )),
            Policy::Frozen | Policy::HardFreeze => {
                holds.push(Reason::new(Rule::BudgetPolicy, band))
            }
        }
    }
    holds.extend(b.alerts.iter().map(|a| {
        let severity = match a.severity {
            AlertSeverity::Page => "page",
            AlertSeverity::Ticket => "ticket",
        };
        Reason::new(
            Rule::BurnAlert,
            format!(
                "{severity} alert firing: burn rate {} over both {} and {}",
                burn(Some(a.burn)),
                a.long,
                a.short
            ),
        )
    }));
}

/// Freezes, holidays and change windows, judged as a deployment starting at `at`
/// would be (the engine's risk rules, the same calendar).
fn calendar_rules(facts: &GateFacts<'_>, holds: &mut Vec<Reason>) {
    let cal = facts.calendar;
    let at = facts.at;
    let local = at.with_timezone(&cal.tz);
    holds.extend(risk::freezes_at(cal, facts.service, at).map(|f| {
        let scope = match &f.service {
            Some(s) => format!("for {s}"),
            None => "for every service".to_string(),
        };
        Reason::new(
            Rule::Freeze,
            format!(
                "\"{}\" {scope} until {}",
                f.name,
                f.end.to_rfc3339_opts(SecondsFormat::Secs, true)
            ),
        )
    }));
    if risk::is_holiday(cal, at) {
        holds.push(Reason::new(
            Rule::Holiday,
            format!("{} is a holiday ({})", local.format("%Y-%m-%d"), cal.tz),
        ));
    }
    if risk::outside_change_window(cal, at) {
        holds.push(Reason::new(
            Rule::OutsideChangeWindow,
            format!(
                "{} {} ({}) is outside every change window",
                local.weekday(),
                local.format("%H:%M"),
                cal.tz
            ),
        ));
    }
}

/// What keeps the gate from knowing: a source not answering now, no SLO figures.
fn unknowns(facts: &GateFacts<'_>) -> Vec<Reason> {
    let mut out: Vec<Reason> = facts
        .sources
        .iter()
        .filter(|s| s.health != Health::Ok)
        .map(|s| {
            let detail = match &s.error {
                Some(e) => format!("{}: {}: {e}", s.id, s.health.word()),
                None => format!("{}: {}", s.id, s.health.word()),
            };
            Reason::new(Rule::SourceDown, detail)
        })
        .collect();
    if facts.budget.and_then(|b| b.remaining).is_none() {
        out.push(Reason::new(
            Rule::NoSloData,
            format!(
                "no error ratio over the SLO window for {}: the budget band is unknown",
                facts.service
            ),
        ));
    }
    out
}

#[cfg(test)]
#[path = "decide_tests.rs"]
mod tests;
