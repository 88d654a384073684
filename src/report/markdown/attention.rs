//! A service's "Deployments that need attention" section: failed, spiking,
//! incident-linked, running and freeze-time deployments, most pressing first.

use std::fmt::Write;

use crate::zone::Tz;

use crate::metrics::types::RiskFlag;
use crate::report::build::{DeploymentReport, ServiceReport};
use crate::report::format::cell;

use super::{consumed, finished};

/// Failed, spiking, incident-linked, running and freeze-time deployments first, in a
/// short table: what a reader must look at.
pub(super) fn attention(out: &mut String, s: &ServiceReport, tz: Tz) {
    let mut flagged: Vec<(u8, &DeploymentReport, Vec<String>)> = s
        .deployments
        .iter()
        .filter_map(|d| {
            let why = attention_reasons(d);
            let tier = if d.failed {
                0
            } else if d.spike {
                1
            } else if !d.incidents.is_empty() {
                2
            } else if d.finished_at.is_none() {
                3
            } else {
                4
            };
            (!why.is_empty()).then_some((tier, d, why))
        })
        .collect();
    flagged.sort_by_key(|(tier, d, _)| (*tier, d.finished_at.is_none(), d.finished_at));
    let _ = writeln!(out, "### Deployments that need attention\n");
    if flagged.is_empty() {
        let _ = writeln!(
            out,
            "None: no deployment in the window failed, caused an error spike, has an incident, \
             is still running or went out during a freeze or holiday.\n"
        );
        return;
    }
    let _ = writeln!(
        out,
        "| Finished | Version | Deployment id | Status | Why | Budget consumed |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for (_, d, why) in &flagged {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            finished(d, tz),
            cell(&d.version),
            cell(&d.id),
            d.status,
            cell(&why.join("; ")),
            consumed(d),
        );
    }
    out.push('\n');
}

/// Why a deployment needs attention, most pressing first; empty when it does not.
fn attention_reasons(d: &DeploymentReport) -> Vec<String> {
    let mut why = Vec::new();
    if d.failed {
        why.push("change failure".to_string());
    }
    if d.spike {
        why.push("error spike: likely cause".into());
    }
    if !d.incidents.is_empty() {
        why.push(format!("incidents {}", d.incidents.join(", ")));
    }
    if d.finished_at.is_none() {
        why.push("still running".into());
    }
    for r in &d.risk {
        if matches!(
            r,
            RiskFlag::Freeze | RiskFlag::BudgetFreeze | RiskFlag::Holiday
        ) {
            why.push(r.word().to_string());
        }
    }
    why
}
