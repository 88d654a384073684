//! The decision over every combination of band, alert, calendar, running deployment,
//! source health and flag, against the rules as DESIGN §3 and the module doc state them.

use super::*;
use crate::metrics::budget::error_budget;
use crate::metrics::settings::{ChangeWindow, Freeze, Settings};
use crate::model::WindowRatios;
use crate::zone::Tz;
use chrono::{Duration, NaiveDate, NaiveTime, Weekday};

/// Monday 2026-12-07 10:00 UTC (11:00 in Berlin).
fn at() -> Ts {
    "2026-12-07T10:00:00Z".parse().unwrap_or_default()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Band {
    Normal,
    Caution,
    Restricted,
    Frozen,
    HardFreeze,
    NoData,
}

const BANDS: [Band; 6] = [
    Band::Normal,
    Band::Caution,
    Band::Restricted,
    Band::Frozen,
    Band::HardFreeze,
    Band::NoData,
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Alert {
    None,
    Page,
    Ticket,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Cal {
    Clear,
    Freeze,
    OtherServiceFreeze,
    Holiday,
    OutsideWindow,
}

/// The engine's budget for a remaining fraction and alert, from window ratios (SLO
/// 99.9%: a budget of 0.001), so the band and alerts are the engine's, not the test's.
fn budget(band: Band, alert: Alert) -> Option<ErrorBudget> {
    let remaining = match band {
        Band::Normal => 0.8,
        Band::Caution => 0.35,
        Band::Restricted => 0.12,
        Band::Frozen => 0.03,
        Band::HardFreeze => -0.2,
        Band::NoData => return None,
    };
    let quiet = Some(0.0001);
    let (fast, slow) = match alert {
        Alert::None => (quiet, quiet),
        Alert::Page => (Some(0.02), quiet),
        Alert::Ticket => (quiet, Some(0.002)),
    };
    let ratios = WindowRatios {
        slo_window: Some((1.0 - remaining) * 0.001),
        m5: fast,
        h1: fast,
        m30: quiet,
        h6: slow,
        d3: slow,
        ..Default::default()
    };
    let settings = Settings::default();
    Some(error_budget(settings.slo("api"), &ratios, &settings.policy))
}

fn calendar(cal: Cal) -> Calendar {
    let mut c = Settings::default().calendar;
    c.tz = Tz::named("Europe/Berlin");
    let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default();
    let freeze = |service: Option<&str>| Freeze {
        name: "year-end".into(),
        start: at() - Duration::days(1),
        end: at() + Duration::days(1),
        service: service.map(str::to_string),
    };
    match cal {
        Cal::Clear => {}
        Cal::Freeze => c.freezes.push(freeze(None)),
        Cal::OtherServiceFreeze => c.freezes.push(freeze(Some("web"))),
        Cal::Holiday => c
            .holidays
            .push(NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default()),
        Cal::OutsideWindow => c.change_windows.push(ChangeWindow {
            days: vec![Weekday::Mon],
            start: t(13),
            end: t(17),
        }),
    }
    // A window that is open now: configured windows alone never hold.
    if cal != Cal::OutsideWindow {
        c.change_windows.push(ChangeWindow {
            days: vec![Weekday::Mon],
            start: t(9),
            end: t(17),
        });
    }
    c
}

fn running(yes: bool) -> Vec<RunningDeployment> {
    if yes {
        vec![RunningDeployment {
            id: "gitlab:41".into(),
            version: "1.4.2".into(),
            started_at: at() - Duration::minutes(3),
        }]
    } else {
        Vec::new()
    }
}

fn sources(down: bool) -> Vec<SourceState> {
    vec![SourceState {
        id: "prometheus".into(),
        health: if down { Health::Error } else { Health::Ok },
        error: down.then(|| "connection refused".to_string()),
    }]
}

fn rules(reasons: &[Reason]) -> Vec<Rule> {
    let mut r: Vec<Rule> = reasons.iter().map(|r| r.rule).collect();
    r.sort();
    r
}

#[test]
fn every_combination_follows_the_rules() {
    let mut seen = [0usize; 3];
    for band in BANDS {
        for alert in [Alert::None, Alert::Page, Alert::Ticket] {
            for cal in [
                Cal::Clear,
                Cal::Freeze,
                Cal::OtherServiceFreeze,
                Cal::Holiday,
                Cal::OutsideWindow,
            ] {
                for is_running in [false, true] {
                    for down in [false, true] {
                        for critical_fix in [false, true] {
                            for fail_open in [false, true] {
                                let b = budget(band, alert);
                                let c = calendar(cal);
                                let r = running(is_running);
                                let s = sources(down);
                                let facts = GateFacts {
                                    service: "api",
                                    at: at(),
                                    budget: b.as_ref(),
                                    calendar: &c,
                                    running: &r,
                                    sources: &s,
                                };
                                let options = GateOptions {
                                    critical_fix,
                                    fail_open,
                                };
                                let d = decide(&facts, options);
                                let case = format!(
                                    "{band:?} {alert:?} {cal:?} running={is_running} \
                                     down={down} critical_fix={critical_fix} \
                                     fail_open={fail_open}: {d:?}"
                                );

                                // The rules that hold, from the table in the module doc.
                                let mut holds = Vec::new();
                                let band_holds = matches!(band, Band::Frozen | Band::HardFreeze)
                                    || (band == Band::Restricted && !critical_fix);
                                if band_holds {
                                    holds.push(Rule::BudgetPolicy);
                                }
                                if band != Band::NoData && alert != Alert::None {
                                    holds.push(Rule::BurnAlert);
                                }
                                match cal {
                                    Cal::Freeze => holds.push(Rule::Freeze),
                                    Cal::Holiday => holds.push(Rule::Holiday),
                                    Cal::OutsideWindow => holds.push(Rule::OutsideChangeWindow),
                                    Cal::Clear | Cal::OtherServiceFreeze => {}
                                }
                                if is_running {
                                    holds.push(Rule::DeploymentRunning);
                                }
                                holds.sort();
                                let mut unknown = Vec::new();
                                if down {
                                    unknown.push(Rule::SourceDown);
                                }
                                if band == Band::NoData {
                                    unknown.push(Rule::NoSloData);
                                }
                                let (verdict, reasons) = if !holds.is_empty() {
                                    (Verdict::Hold, holds)
                                } else if unknown.is_empty() || fail_open {
                                    (Verdict::Deploy, Vec::new())
                                } else {
                                    (Verdict::Undecided, unknown.clone())
                                };
                                assert_eq!(d.verdict, verdict, "{case}");
                                assert_eq!(rules(&d.reasons), reasons, "{case}");
                                // Nothing unknown is ever silent: it is a reason or a
                                // warning line.
                                let mut said = rules(&d.reasons);
                                said.extend(rules(&d.warnings));
                                for u in &unknown {
                                    assert!(said.contains(u), "{u:?} unsaid: {case}");
                                }
                                // CAUTION and a critical fix through RESTRICTED warn.
                                let band_warns = band == Band::Caution
                                    || (band == Band::Restricted && critical_fix);
                                assert_eq!(
                                    d.warnings.iter().any(|w| w.rule == Rule::BudgetPolicy),
                                    band_warns,
                                    "{case}"
                                );
                                seen[usize::from(d.verdict.exit_code())] += 1;
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(
        seen.iter().all(|&n| n > 0),
        "every exit code reached: {seen:?}"
    );
}

fn decide_one(band: Band, alert: Alert, cal: Cal, options: GateOptions) -> Decision {
    let b = budget(band, alert);
    let c = calendar(cal);
    let facts = GateFacts {
        service: "api",
        at: at(),
        budget: b.as_ref(),
        calendar: &c,
        running: &[],
        sources: &sources(false),
    };
    decide(&facts, options)
}

#[test]
fn reasons_name_the_band_the_remaining_budget_and_the_alert_windows() {
    let d = decide_one(
        Band::Frozen,
        Alert::Page,
        Cal::Clear,
        GateOptions::default(),
    );
    let lines: Vec<&str> = d.reasons.iter().map(|r| r.detail.as_str()).collect();
    assert_eq!(
        lines,
        [
            "FROZEN, 3.0% of the error budget left (deploys frozen)",
            "page alert firing: burn rate 20.0x over both 1h and 5m",
        ]
    );
    let d = decide_one(
        Band::Restricted,
        Alert::None,
        Cal::Clear,
        GateOptions::default(),
    );
    assert!(d.reasons[0]
        .detail
        .starts_with("RESTRICTED, 12.0% of the error budget left"));
    assert!(d.reasons[0].detail.contains("--critical-fix"));
}

#[test]
fn calendar_reasons_name_the_freeze_the_date_and_the_local_time() {
    let d = decide_one(
        Band::Normal,
        Alert::None,
        Cal::Freeze,
        GateOptions::default(),
    );
    assert_eq!(
        d.reasons[0].detail,
        "\"year-end\" for every service until 2026-12-08T10:00:00Z"
    );
    let d = decide_one(
        Band::Normal,
        Alert::None,
        Cal::Holiday,
        GateOptions::default(),
    );
    assert_eq!(
        d.reasons[0].detail,
        "2026-12-07 is a holiday (Europe/Berlin)"
    );
    let d = decide_one(
        Band::Normal,
        Alert::None,
        Cal::OutsideWindow,
        GateOptions::default(),
    );
    assert_eq!(
        d.reasons[0].detail,
        "Mon 11:00 (Europe/Berlin) is outside every change window"
    );
}

#[test]
fn a_stale_or_silent_source_is_as_unknown_as_a_failed_one() {
    for health in [
        Health::Pending,
        Health::Stale { since: at() },
        Health::Error,
    ] {
        let b = budget(Band::Normal, Alert::None);
        let c = calendar(Cal::Clear);
        let s = [SourceState {
            id: "gitlab".into(),
            health: health.clone(),
            error: None,
        }];
        let facts = GateFacts {
            service: "api",
            at: at(),
            budget: b.as_ref(),
            calendar: &c,
            running: &[],
            sources: &s,
        };
        let d = decide(&facts, GateOptions::default());
        assert_eq!(d.verdict, Verdict::Undecided, "{health:?}");
        assert_eq!(d.reasons[0].detail, format!("gitlab: {}", health.word()));
    }
}
