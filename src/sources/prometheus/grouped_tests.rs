use super::*;

fn label(template: &str) -> Option<String> {
    grouping(template).map(|g| g.label)
}

fn grouped(template: &str, services: &[&str]) -> String {
    let g = grouping(template).expect("groupable");
    grouped_query(template, &g, services)
}

#[test]
fn the_templates_of_the_readme_and_the_tests_group() {
    let ratio = r#"sum(rate(http_requests_total{service="{{service}}",code=~"5.."}[5m])) / sum(rate(http_requests_total{service="{{service}}"}[5m]))"#;
    assert_eq!(
        grouped(ratio, &["a", "b"]),
        r#"sum by (service) (rate(http_requests_total{service=~"a|b",code=~"5.."}[5m])) / sum by (service) (rate(http_requests_total{service=~"a|b"}[5m]))"#
    );
    let p99 = r#"histogram_quantile(0.99, sum by (le) (rate(b_bucket{job="x", service = "{{service}}"}[5m])))"#;
    assert_eq!(
        grouped(p99, &["a", "b"]),
        r#"histogram_quantile(0.99, sum by (le, service) (rate(b_bucket{job="x", service=~"a|b"}[5m])))"#
    );
    let good_total = r#"1 - (sum(sum(rate(ok{app="{{service}}"}[1h]))) / sum(sum(rate(all{app="{{service}}"}[1h]))))"#;
    assert_eq!(label(good_total).as_deref(), Some("app"));
    assert!(
        grouped(good_total, &["a"]).contains(r#"sum by (app) (sum by (app) (rate(ok{app=~"a"}"#)
    );
}

/// Every shape whose grouped answer could differ from the per-service answers is
/// refused: a selector outside any aggregation, a selector without the service
/// matcher, label-changing functions, vector matching, non-exact matchers, two
/// labels, a trailing `by`.
#[test]
fn shapes_that_could_change_an_answer_are_refused() {
    for template in [
        // Not aggregated: the answer's series are the selector's, one per instance.
        r#"rate(x{service="{{service}}"}[5m])"#,
        r#"sum(rate(e{service="{{service}}"}[5m])) / rate(t{service="{{service}}"}[5m])"#,
        // A selector that is not the service's: per service it is a global total.
        r#"sum(rate(e{service="{{service}}"}[5m])) / sum(rate(t[5m]))"#,
        r#"sum(rate(e{service="{{service}}"}[5m])) / sum(rate(t{job="x"}[5m]))"#,
        // Label-changing functions, vector matching, set operators.
        r#"sum(label_replace(rate(e{service="{{service}}"}[5m]), "a", "b", "c", "d"))"#,
        r#"sum(rate(e{service="{{service}}"}[5m])) / on(x) sum(rate(t{service="{{service}}"}[5m]))"#,
        r#"sum(rate(e{service="{{service}}"}[5m])) or vector(0)"#,
        r#"topk(1, sum(rate(e{service="{{service}}"}[5m])))"#,
        r#"sum without (le) (rate(e{service="{{service}}"}[5m]))"#,
        r#"sum(rate(e{service="{{service}}"}[5m])) by (le)"#,
        // The placeholder not as an exact matcher value.
        r#"sum(rate(e{service=~"{{service}}"}[5m]))"#,
        r#"sum(rate(e{service!="{{service}}"}[5m]))"#,
        r#"sum(rate(e{service="{{service}}-api"}[5m]))"#,
        r#"sum(rate({{service}}_errors[5m]))"#,
        // Two labels, or none.
        r#"sum(rate(e{service="{{service}}"}[5m])) / sum(rate(t{app="{{service}}"}[5m]))"#,
        r#"sum(rate(e[5m]))"#,
        // Unbalanced.
        r#"sum(rate(e{service="{{service}}"}[5m])"#,
    ] {
        assert_eq!(label(template), None, "{template}");
    }
}

#[test]
fn strings_and_ranges_do_not_confuse_the_scanner() {
    // `sum(` inside a matcher value and `by` inside a string are not syntax.
    let t = r#"sum(rate(e{service="{{service}}",path="/sum(by)"}[5m:1m]))"#;
    assert_eq!(
        grouped(t, &["a", "b"]),
        r#"sum by (service) (rate(e{service=~"a|b",path="/sum(by)"}[5m:1m]))"#
    );
    assert_eq!(
        label(r#"sum(rate(e{service="{{service}}"}[5m] offset 1h))"#).as_deref(),
        Some("service")
    );
}

#[test]
fn only_plain_names_join_an_alternation() {
    for plain in ["checkout-api_2", "/api/v1/query", "shop:cart", "api.v2"] {
        assert!(plain_name(plain), "{plain}");
    }
    for odd in [
        "", "a|b", "a\"b", "a\\b", "ünï", "a b", "(a)", "a*", "a+b", "[a]",
    ] {
        assert!(!plain_name(odd), "{odd}");
    }
}

#[test]
fn a_dot_in_a_name_matches_only_a_dot() {
    let t = r#"sum(rate(e{handler="{{service}}"}[5m]))"#;
    let g = grouping(t).expect("groupable");
    let q = grouped_query(t, &g, &["/api/v1/query", "api.v2"]);
    assert!(q.contains(r#"handler=~"/api/v1/query|api\\.v2""#), "{q}");
}
