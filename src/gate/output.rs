//! The gate's answer as text (one line per reason, for a pipeline's log) and as
//! `flightdeck.gate.v1` JSON (for a script). Both come from one [`GateReport`].

use chrono::SecondsFormat;
use serde::Serialize;

use crate::metrics::types::{BurnAlert, ErrorBudget, Policy};
use crate::model::Ts;

use super::decide::{Decision, Reason, SourceState};

pub const SCHEMA: &str = "flightdeck.gate.v1";

/// Everything printed, in the v1 key order. A figure that is unknown is `null`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateReport {
    pub schema: &'static str,
    /// "deploy", "hold" or "undecided".
    pub decision: &'static str,
    pub exit_code: u8,
    pub service: String,
    pub env: String,
    #[serde(serialize_with = "rfc3339")]
    pub at: Ts,
    pub reasons: Vec<Reason>,
    pub warnings: Vec<Reason>,
    pub figures: Figures,
    pub sources: Vec<SourceLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// Fraction of the error budget left (below 0: overspent).
    pub budget_remaining: Option<f64>,
    pub policy: Option<Policy>,
    pub alerts: Vec<BurnAlert>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceLine {
    pub id: String,
    /// "ok", "stale", "error" or "pending".
    pub health: &'static str,
    pub error: Option<String>,
}

fn rfc3339<S: serde::Serializer>(t: &Ts, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

impl GateReport {
    pub fn new(
        decision: Decision,
        service: &str,
        env: &str,
        at: Ts,
        budget: Option<&ErrorBudget>,
        sources: &[SourceState],
    ) -> Self {
        GateReport {
            schema: SCHEMA,
            decision: decision.verdict.word(),
            exit_code: decision.verdict.exit_code(),
            service: service.to_string(),
            env: env.to_string(),
            at,
            reasons: decision.reasons,
            warnings: decision.warnings,
            figures: Figures {
                budget_remaining: budget.and_then(|b| b.remaining),
                policy: budget.and_then(|b| b.policy),
                alerts: budget.map(|b| b.alerts.clone()).unwrap_or_default(),
            },
            sources: sources
                .iter()
                .map(|s| SourceLine {
                    id: s.id.clone(),
                    health: s.health.word(),
                    error: s.error.clone(),
                })
                .collect(),
        }
    }
}

/// The JSON object, one line, newline-terminated.
pub fn to_json(report: &GateReport) -> String {
    // Serializing plain structs of strings and numbers cannot fail; should it ever,
    // the pipeline still gets a JSON object and the exit code says the rest.
    let body = serde_json::to_string(report)
        .unwrap_or_else(|e| format!("{{\"schema\":\"{SCHEMA}\",\"error\":{:?}}}", e.to_string()));
    format!("{body}\n")
}

/// The headline, then one line per reason and per warning, each naming its rule:
///
/// ```text
/// HOLD checkout (production) at 2026-12-07T10:00:00Z
/// hold: budget_policy: FROZEN, 3.0% of the error budget left (deploys frozen)
/// warning: source_down: gitlab: error: connection refused
/// ```
pub fn to_text(report: &GateReport) -> String {
    let mut out = format!(
        "{} {} ({}) at {}\n",
        report.decision.to_uppercase(),
        report.service,
        report.env,
        report.at.to_rfc3339_opts(SecondsFormat::Secs, true)
    );
    let label = if report.exit_code == 2 {
        "unknown"
    } else {
        "hold"
    };
    for r in &report.reasons {
        out.push_str(&format!("{label}: {}: {}\n", r.rule.id(), r.detail));
    }
    for w in &report.warnings {
        out.push_str(&format!("warning: {}: {}\n", w.rule.id(), w.detail));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Health;
    use crate::gate::decide::{Rule, Verdict};

    fn report(verdict: Verdict) -> GateReport {
        let decision = Decision {
            verdict,
            reasons: vec![Reason {
                rule: Rule::Freeze,
                detail: "\"year-end\" for every service until 2027-01-02T00:00:00Z".into(),
            }],
            warnings: vec![Reason {
                rule: Rule::SourceDown,
                detail: "gitlab: error: refused".into(),
            }],
        };
        let sources = [SourceState {
            id: "gitlab".into(),
            health: Health::Error,
            error: Some("refused".into()),
        }];
        let at = "2026-12-07T10:00:00Z".parse().unwrap_or_default();
        GateReport::new(decision, "api", "production", at, None, &sources)
    }

    #[test]
    fn json_has_the_v1_keys_and_nulls_for_unknown_figures() {
        let v: serde_json::Value =
            serde_json::from_str(&to_json(&report(Verdict::Hold))).unwrap_or_default();
        assert_eq!(v["schema"], "flightdeck.gate.v1");
        assert_eq!(v["decision"], "hold");
        assert_eq!(v["exit_code"], 1);
        assert_eq!(v["service"], "api");
        assert_eq!(v["env"], "production");
        assert_eq!(v["at"], "2026-12-07T10:00:00Z");
        assert_eq!(v["reasons"][0]["rule"], "freeze");
        assert_eq!(v["warnings"][0]["rule"], "source_down");
        let figures = v["figures"].as_object().cloned().unwrap_or_default();
        assert!(figures["budget_remaining"].is_null() && figures["policy"].is_null());
        assert_eq!(figures["alerts"], serde_json::json!([]));
        assert_eq!(
            v["sources"],
            serde_json::json!([{"id": "gitlab", "health": "error", "error": "refused"}])
        );
    }

    #[test]
    fn text_is_one_line_per_reason_naming_its_rule() {
        let text = to_text(&report(Verdict::Hold));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "HOLD api (production) at 2026-12-07T10:00:00Z",
                "hold: freeze: \"year-end\" for every service until 2027-01-02T00:00:00Z",
                "warning: source_down: gitlab: error: refused",
            ]
        );
        assert!(to_text(&report(Verdict::Undecided)).contains("\nunknown: freeze: "));
    }
}
