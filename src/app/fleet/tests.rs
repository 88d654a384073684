//! The fleet's rows and keys, on the hand-built fixtures: every figure in a row must
//! be the one the engine derived for that service, whatever the sort, filter or
//! roll-up.

use crossterm::event::{Event as Input, KeyCode, KeyEvent, KeyModifiers};

use super::rows::{fleet_rows, Line, UNGROUPED};
use super::{FleetSort, GroupBy, ServiceTags};
use crate::app::{App, Model, View};
use crate::event::Event;
use crate::metrics::{AlertSeverity, Derived, Settings};
use crate::ui::{fixture, fleet_fixture};

fn names(model: &Model, derived: &Derived) -> Vec<String> {
    let rows = fleet_rows(model, derived);
    rows.services.iter().map(|s| s.name.to_string()).collect()
}

fn setup() -> (Model, Derived) {
    let model = fixture::model();
    let derived = fixture::derived(&model);
    (model, derived)
}

#[test]
fn each_row_is_what_the_engine_derived_for_its_service() {
    let model = fleet_fixture::model(60);
    let derived = fleet_fixture::derived(&model);
    let rows = fleet_rows(&model, &derived);
    assert_eq!(rows.services.len(), 60);
    for s in &rows.services {
        let d = &derived.services[s.name];
        let budget = d.budget.as_ref().expect("every fixture service has ratios");
        assert_eq!(model.data.services[s.index], s.name);
        assert_eq!(s.policy, budget.policy, "{}", s.name);
        assert_eq!(s.remaining, budget.remaining, "{}", s.name);
        let fastest = [
            budget.burn_rates.m5,
            budget.burn_rates.m30,
            budget.burn_rates.h1,
            budget.burn_rates.h6,
            budget.burn_rates.d3,
        ]
        .into_iter()
        .flatten()
        .fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(s.burn.map(|b| b.rate), Some(fastest), "{}", s.name);
        let page = budget
            .alerts
            .iter()
            .any(|a| a.severity == AlertSeverity::Page);
        assert_eq!(s.alert == Some(AlertSeverity::Page), page, "{}", s.name);
        assert_eq!(s.alert.is_none(), budget.alerts.is_empty(), "{}", s.name);
        let newest = model
            .data
            .deployments
            .iter()
            .rfind(|d| d.service == s.name)
            .map(|d| d.id.as_str());
        assert_eq!(s.last.map(|d| d.id.as_str()), newest, "{}", s.name);
        assert_eq!(s.per_day, d.dora.deployment_frequency.per_day);
        assert_eq!(s.change_failure_rate, d.dora.change_failure_rate.rate);
    }
    // The fixture spreads the services over the bands: the rows show more than one.
    let bands: std::collections::BTreeSet<_> = rows.services.iter().map(|s| s.policy).collect();
    assert!(bands.len() >= 3, "{bands:?}");
}

#[test]
fn every_sort_orders_by_its_figure_with_unknowns_last() {
    let (mut model, derived) = setup();
    // Only checkout has an error budget and a burn; cart and checkout have deployed.
    model.ui.fleet.sort = FleetSort::Budget;
    assert_eq!(
        names(&model, &derived),
        ["checkout", "cart", "payments", "search"]
    );
    model.ui.fleet.sort = FleetSort::Name;
    assert_eq!(
        names(&model, &derived),
        ["cart", "checkout", "payments", "search"]
    );
    model.ui.fleet.sort = FleetSort::LastDeploy;
    assert_eq!(
        names(&model, &derived),
        ["checkout", "cart", "payments", "search"]
    );
    // On a larger fleet each order holds pair by pair.
    let mut model = fleet_fixture::model(80);
    let derived = fleet_fixture::derived(&model);
    for sort in FleetSort::ALL {
        model.ui.fleet.sort = sort;
        model.ui.fleet.group_by = GroupBy::None;
        let rows = fleet_rows(&model, &derived);
        for w in rows.services.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            let ok = match sort {
                FleetSort::Budget => a.remaining <= b.remaining || b.remaining.is_none(),
                FleetSort::Burn => a.burn.map(|x| x.rate) >= b.burn.map(|x| x.rate),
                FleetSort::LastDeploy => {
                    a.last.map(|d| d.started_at) >= b.last.map(|d| d.started_at)
                }
                FleetSort::Name => a.name < b.name,
            };
            assert!(ok, "{sort:?}: {} before {}", a.name, b.name);
        }
    }
}

#[test]
fn groups_roll_up_under_a_line_naming_their_worst_member() {
    let (mut model, derived) = setup();
    let tag = |g: &str| ServiceTags {
        group: Some(g.to_string()),
        tier: None,
    };
    model.tags.insert("cart".into(), tag("team-a"));
    model.tags.insert("checkout".into(), tag("team-a"));
    model.tags.insert("search".into(), tag("team-b"));
    model.ui.fleet.sort = FleetSort::Name;
    let rows = fleet_rows(&model, &derived);
    let shown: Vec<String> = rows
        .lines
        .iter()
        .map(|l| match l {
            Line::Group {
                name,
                members,
                worst,
            } => format!("[{name} {members} worst {}]", rows.services[*worst].name),
            Line::Service(i) => rows.services[*i].name.to_string(),
        })
        .collect();
    // checkout is in CAUTION with a page firing: worse than cart, which has no budget.
    assert_eq!(
        shown,
        [
            "[team-a 2 worst checkout]",
            "cart",
            "checkout",
            "[team-b 1 worst search]",
            "search",
            &format!("[{UNGROUPED} 1 worst payments]"),
            "payments",
        ]
    );
    // By tier, which nobody has: one flat list.
    model.ui.fleet.group_by = GroupBy::Tier;
    let rows = fleet_rows(&model, &derived);
    assert!(rows.lines.iter().all(|l| matches!(l, Line::Service(_))));
}

#[test]
fn the_worst_member_is_the_worst_of_every_group() {
    let mut model = fleet_fixture::model(120);
    let derived = fleet_fixture::derived(&model);
    for sort in FleetSort::ALL {
        model.ui.fleet.sort = sort;
        let rows = fleet_rows(&model, &derived);
        let mut groups = 0;
        for (n, line) in rows.lines.iter().enumerate() {
            let Line::Group { members, worst, .. } = line else {
                continue;
            };
            groups += 1;
            let w = &rows.services[*worst];
            for l in &rows.lines[n + 1..n + 1 + members] {
                let Line::Service(i) = l else {
                    panic!("a group line inside a group")
                };
                let s = &rows.services[*i];
                assert_eq!(s.group, w.group);
                let band = |p: Option<crate::metrics::Policy>| p.map_or(0, |p| p as u8 + 1);
                assert!(
                    band(s.policy) <= band(w.policy),
                    "{} worse than {}",
                    s.name,
                    w.name
                );
            }
        }
        assert_eq!(groups, 5);
    }
}

#[test]
fn a_filter_matches_names_and_tags_and_may_match_nothing() {
    let mut model = fleet_fixture::model(500);
    let derived = fleet_fixture::derived(&model);
    model.ui.fleet.filter = "CHECKOUT".into();
    let rows = fleet_rows(&model, &derived);
    assert!(rows.services.len() > 1);
    assert!(rows.services.iter().all(|s| s.name.contains("checkout")));
    assert_eq!(rows.total, 500);
    model.ui.fleet.filter = "team-c".into();
    assert_eq!(fleet_rows(&model, &derived).services.len(), 100);
    model.ui.fleet.filter = "no such thing".into();
    let rows = fleet_rows(&model, &derived);
    assert!(rows.services.is_empty() && rows.lines.is_empty());
}

fn app_on(model: Model, derived: Derived) -> App {
    let view = View {
        tz: crate::zone::Tz::UTC,
        demo: false,
    };
    let mut app = App::new(view, Settings::default(), model.now);
    app.model = model;
    app.derived = derived;
    app
}

fn press(app: &mut App, code: KeyCode) {
    app.update(Event::Input(Input::Key(KeyEvent::new(
        code,
        KeyModifiers::NONE,
    ))));
}

#[test]
fn enter_opens_the_service_under_the_cursor_and_f_comes_back() {
    let model = fleet_fixture::model(500);
    let derived = fleet_fixture::derived(&model);
    let mut app = app_on(model, derived);
    app.model.ui.fleet.sort = FleetSort::Name;
    app.model.ui.fleet.group_by = GroupBy::None;
    for _ in 0..3 {
        press(&mut app, KeyCode::PageDown);
    }
    press(&mut app, KeyCode::Char('j'));
    let expected = {
        let rows = fleet_rows(&app.model, &app.derived);
        rows.services[31].name.to_string()
    };
    press(&mut app, KeyCode::Enter);
    assert!(!app.model.ui.fleet.open);
    assert_eq!(app.model.selected_service(), Some(expected.as_str()));
    press(&mut app, KeyCode::Char('f'));
    assert!(app.model.ui.fleet.open);
    assert_eq!(app.model.ui.fleet.cursor, 31, "back on the same row");
}

#[test]
fn typing_after_slash_filters_and_esc_clears() {
    let (model, derived) = setup();
    let mut app = app_on(model, derived);
    app.open_fleet();
    press(&mut app, KeyCode::Char('/'));
    for c in "cXa".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Backspace);
    // Typed keys go to the filter, not to the bindings: 'a' did not quit or sort.
    press(&mut app, KeyCode::Char('a'));
    press(&mut app, KeyCode::Char('r'));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.model.ui.fleet.filter, "car");
    assert!(!app.model.ui.fleet.typing && app.quit.is_none());
    assert_eq!(names(&app.model, &app.derived), ["cart"]);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.model.selected_service(), Some("cart"));
    press(&mut app, KeyCode::Char('f'));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.model.ui.fleet.filter, "");
    press(&mut app, KeyCode::Char('o'));
    assert_eq!(app.model.ui.fleet.sort, FleetSort::Burn);
}
