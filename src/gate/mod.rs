//! `flightdeck gate`: may this service be deployed now? A pure decision over what the
//! metrics engine derived (the budget policy band and the firing burn-rate alerts of
//! DESIGN §3), the calendar (freezes, holidays, change windows), the deployments already
//! running and the sources' health — and its two printed forms, text and JSON.

pub mod decide;
pub mod output;
pub mod running;

pub use decide::{decide, Decision, GateFacts, GateOptions, Reason, Rule, SourceState, Verdict};
pub use output::{to_json, to_text, GateReport, SCHEMA};
pub use running::{running_at, RunningDeployment};
