//! The "How to read this report" section, once at the end: what the DORA figures,
//! trends, error budget and SPC charts mean, and the run rules in use.

use std::fmt::Write;

use crate::metrics::settings::RuleSet;
use crate::metrics::types::Rule;
use crate::report::build::ReportV1;

use super::rule_set;

pub(super) fn how_to_read(out: &mut String, report: &ReportV1) {
    let _ = writeln!(out, "## How to read this report\n");
    let _ = writeln!(
        out,
        "**DORA figures.** Deployment frequency counts successful production deployments \
         per day (levels: elite ≥ 1 / day, high ≥ 1 / week, medium ≥ 1 / month, low below). \
         Lead time runs from a commit to the successful deployment that first shipped it \
         (elite < 1 day, high < 1 week, medium < 1 month); the first deployment ever seen \
         has no predecessor, so its commits are not counted. A change failure is a \
         deployment that failed, was rolled back, was followed within the failure window by \
         a rollback or hotfix, had an incident linked to it, or failed its canary; each \
         deployment counts once, and canceled ones are not counted (elite ≤ 5%, high ≤ 10%, \
         medium ≤ 15%). Recovery time runs from a failure to the next successful deployment \
         or the incident's resolution; failures not yet recovered are shown apart (elite < \
         1 h, high < 1 day, medium < 1 week). The rework rate (DORA 2024) is the share of \
         rollbacks and hotfixes; DORA defines no levels for it.\n"
    );
    let _ = writeln!(
        out,
        "**Trends** compare each figure with the same figure over the window of the same \
         length just before. Where the service has no deployment that finished before this \
         window, there is nothing to compare with: \"no history for the previous window\". \
         Where its history starts inside the previous window, the comparison says so.\n"
    );
    let _ = writeln!(
        out,
        "**Error budget.** Remaining budget is 1 − error ratio / (1 − SLO). Deployment \
         policy: above 50% normal; 20–50% caution (canary required, longer bake); 5–20% \
         restricted (critical fixes only); 0–5% frozen; overspent: hard freeze (emergency \
         patches only).\n"
    );
    let _ = writeln!(
        out,
        "**Statistical process control.** Each chart covers the whole history the data holds \
         up to the end of the window, not only the window. Its limits come from a baseline (its \
         first {} points, restarted at a process change, or the range configured as the \
         baseline) and are then held, so they do not move as the window slides. A signal \
         means the process changed, not that one value was bad. Lower limits of figures that \
         cannot be negative are shown at 0. Per-deployment charts (XmR) plot one point per \
         deployment, named by its version and id; the weekly p-chart (change failure rate) and \
         u-chart (incidents per deployment) plot one point per whole week, with the counts \
         behind it, and their limits vary with each week's number of deployments. Limits \
         computed from fewer points than a baseline takes are provisional. For every charted \
         figure lower is better, so a signal below the centre (a lead time below its lower \
         limit, say) is good news.\n",
        report.baseline
    );
    let rules: &[Rule] = match report.rules {
        RuleSet::WesternElectric => &[Rule::We1, Rule::We2, Rule::We3, Rule::We4],
        RuleSet::Nelson => &[
            Rule::N1,
            Rule::N2,
            Rule::N3,
            Rule::N4,
            Rule::N5,
            Rule::N6,
            Rule::N7,
            Rule::N8,
        ],
    };
    let _ = writeln!(
        out,
        "Run rules in use: {} (sigma is the spread the baseline shows). Consecutive or \
         overlapping trips of one rule on one side are one signal:\n",
        rule_set(report.rules)
    );
    for r in rules {
        let _ = writeln!(out, "- {}: {}.", r.code(), r.description());
    }
    out.push('\n');
}
