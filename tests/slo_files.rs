//! `[[slo_files]]`: Sloth and OpenSLO files (fixtures in tests/fixtures/slo, written in
//! the shapes the two projects publish) become services with the PromQL, objective and
//! window they state; every mistake names file, line and field; what cannot be mapped
//! is noted and left out, never guessed.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{Duration, DurationRound, SecondsFormat, Utc};
use common::prometheus::start_prometheus;
use flightdeck::sources::prometheus::backfill::{openmetrics, SyntheticService};

use flightdeck::config::{self, Config, ConfigErrors, ServiceConfig};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/slo")
}

/// Loads config text as if it were a file in the fixtures directory.
fn load(toml: &str) -> Result<Config, ConfigErrors> {
    let path = fixtures().join("inline.toml");
    let mut config = config::load_str(toml, &path)?;
    config::read_slo_files(&mut config, toml, &path)?;
    Ok(config)
}

fn errors(toml: &str) -> ConfigErrors {
    load(toml).expect_err("the SLO files must be refused")
}

fn service<'a>(config: &'a Config, name: &str) -> &'a ServiceConfig {
    config
        .services
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| {
            let names: Vec<&str> = config.services.iter().map(|s| s.name.as_str()).collect();
            panic!("no service {name:?}; have {names:?}")
        })
}

fn the_fixture_config() -> Config {
    let (config, _) =
        config::load(Some(&fixtures().join("flightdeck.toml"))).expect("the fixtures load");
    config
}

#[test]
fn sloth_events_become_an_error_ratio_with_the_window_placeholder() {
    let c = the_fixture_config();
    let s = service(&c, "checkout-requests-availability");
    assert_eq!(s.slo_target, 0.999);
    assert_eq!(s.slo_window_days, 28, "[[slo_files]] window_days");
    assert_eq!(
        s.error_ratio_query.as_deref(),
        Some(
            "(sum(rate(http_requests_total{job=\"checkout\",code=~\"(5..|429)\"}[{{window}}]))) \
             / (sum(rate(http_requests_total{job=\"checkout\"}[{{window}}])))"
        )
    );
    assert_eq!(
        s.total_query.as_deref(),
        Some("sum(rate(http_requests_total{job=\"checkout\"}[{{window}}]))"),
        "the total feeds the request-rate chart"
    );
    assert_eq!(s.good_query, None);
    assert_eq!(s.group.as_deref(), Some("shop-team"));
    assert_eq!(s.tags().tier.as_deref(), Some("high"));

    // A block scalar with `{{ .window }}` (spaces, as Go templates allow).
    let latency = service(&c, "checkout-requests-latency");
    assert_eq!(latency.slo_target, 0.99);
    let q = latency.error_ratio_query.as_deref().expect("ratio");
    assert!(!q.contains(".window"), "{q}");
    assert_eq!(q.matches("{{window}}").count(), 3, "{q}");

    let raw = service(&c, "checkout-queue-freshness");
    assert_eq!(raw.slo_target, 0.95);
    assert_eq!(
        raw.error_ratio_query.as_deref(),
        Some("1 - avg_over_time(checkout_queue_fresh_ratio[{{window}}])")
    );
    assert_eq!(raw.total_query, None);
}

#[test]
fn the_sloth_kubernetes_form_reads_camel_case_under_spec() {
    let c = the_fixture_config();
    let s = service(&c, "search-availability");
    assert_eq!(s.slo_target, 0.995);
    assert_eq!(
        s.error_ratio_query.as_deref(),
        Some(
            "(sum(rate(search_requests_total{code=~\"5..\"}[{{window}}]))) / \
             (sum(rate(search_requests_total[{{window}}])))"
        )
    );
}

#[test]
fn openslo_ratio_metrics_map_to_queries_objectives_and_windows() {
    let c = the_fixture_config();
    // indicatorRef to a kind: SLI; bad/total counters through a DataSource's type;
    // targetPercent; a 4-week rolling window.
    let cart = service(&c, "cart-availability");
    assert_eq!(cart.slo_target, 0.995, "exactly as a TOML 0.995");
    assert_eq!(cart.slo_window_days, 28);
    assert_eq!(
        cart.error_ratio_query.as_deref(),
        Some(
            "(sum(rate(shop_cart_requests_total{code=~\"5..\"}[{{window}}]))) / \
             (sum(rate(shop_cart_requests_total[{{window}}])))"
        )
    );
    assert_eq!(
        cart.group.as_deref(),
        Some("web-shop"),
        "grouped by its service"
    );
    // An inline good/total SLI with the window written in.
    let main = service(&c, "main-page-availability");
    assert_eq!(main.slo_target, 0.999);
    assert_eq!(main.slo_window_days, 28);
    assert_eq!(
        main.good_query.as_deref(),
        Some("sum(rate(shop_http_requests_total{page=\"main\",code!~\"5..\"}[{{window}}]))")
    );
    assert_eq!(
        main.total_query.as_deref(),
        Some("sum(rate(shop_http_requests_total{page=\"main\"}[{{window}}]))")
    );
    assert_eq!(main.error_ratio_query, None);
    // The TOML's own service is kept beside them.
    assert_eq!(service(&c, "gateway").slo_target, 0.995);
}

#[test]
fn every_service_from_a_file_passes_the_services_own_validation() {
    let c = the_fixture_config();
    assert_eq!(
        c.services.len(),
        1 + 4 + 2,
        "gateway, 4 Sloth SLOs less the plugin one + search, 2 OpenSLO"
    );
    assert!(c.validate().is_empty(), "{:?}", c.validate());
}

#[test]
fn what_cannot_be_mapped_is_noted_with_file_line_and_slo_and_left_out() {
    let c = the_fixture_config();
    let notes: Vec<String> = c
        .slo_files_read
        .notes
        .iter()
        .map(|n| n.to_string())
        .collect();
    let has = |file: &str, line: usize, slo: &str, words: &str| {
        let prefix = format!("{}:{line}: {slo}", fixtures().join(file).display());
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with(&prefix) && n.contains(words)),
            "no note {prefix:?} with {words:?} in {notes:#?}"
        );
        assert!(
            !c.services.iter().any(|s| s.name == slo),
            "{slo} must be left out"
        );
    };
    has("sloth/checkout.yml", 51, "payments-plugin", "plugin SLI");
    has(
        "openslo/web-shop.yaml",
        85,
        "search-latency",
        "thresholdMetric",
    );
    has(
        "openslo/web-shop.yaml",
        109,
        "checkout-datadog",
        "\"Datadog\"",
    );
    has(
        "openslo/web-shop.yaml",
        135,
        "cart-timeslices",
        "Timeslices",
    );
    has(
        "openslo/web-shop.yaml",
        151,
        "cart-monthly",
        "calendar-aligned",
    );
    has("openslo/web-shop.yaml", 167, "page-on-burn", "AlertPolicy");
    assert!(
        notes
            .iter()
            .any(|n| n.contains("sloth/search-k8s.yml:23:") && n.contains("AlertWindows")),
        "{notes:#?}"
    );
    assert_eq!(notes.len(), 7, "{notes:#?}");
    assert_eq!(c.slo_files_read.files, 3);
    assert_eq!(c.slo_files_read.slos.len(), 6);
}

/// One error, checked for its file, line and (when given) field.
fn one_error(toml: &str, file: &str, line: usize, field: Option<&str>) -> String {
    let e = errors(toml);
    assert_eq!(e.len(), 1, "{e}");
    let e = e.first();
    assert_eq!(e.file, fixtures().join(file), "{e}");
    assert_eq!(e.line, Some(line), "{e}");
    assert_eq!(e.key.as_deref(), field, "{e}");
    e.to_string()
}

#[test]
fn a_yaml_syntax_error_names_file_line_and_column() {
    let shown = one_error(
        "[[slo_files]]\npath = \"bad/syntax.yml\"\n",
        "bad/syntax.yml",
        6,
        None,
    );
    let e = errors("[[slo_files]]\npath = \"bad/syntax.yml\"\n");
    assert!(e.first().column.is_some(), "{shown}");
    assert!(shown.contains("YAML syntax"), "{shown}");
}

#[test]
fn a_missing_objective_names_the_slo_and_field() {
    let shown = one_error(
        "[[slo_files]]\npath = \"bad/missing-objective.yml\"\n",
        "bad/missing-objective.yml",
        9,
        Some("slos[1].objective"),
    );
    assert!(shown.contains("missing"), "{shown}");
}

#[test]
fn two_slos_of_one_name_in_one_sloth_file_name_both_lines() {
    let shown = one_error(
        "[[slo_files]]\npath = \"bad/duplicate-slo.yml\"\n",
        "bad/duplicate-slo.yml",
        9,
        Some("slos[1].name"),
    );
    assert!(shown.contains("line 4"), "{shown}");
    assert!(shown.contains("\"availability\""), "{shown}");
}

#[test]
fn every_mistake_in_a_file_is_reported_each_at_its_field() {
    let e = errors("[[slo_files]]\npath = \"bad/no-window.yml\"\n");
    let found: Vec<(Option<usize>, Option<&str>)> =
        e.iter().map(|e| (e.line, e.key.as_deref())).collect();
    assert_eq!(
        found,
        [
            (Some(5), Some("slos[0].objective")),
            (Some(13), Some("slos[1].sli.events.error_query")),
        ],
        "{e}"
    );
    assert!(e.to_string().contains("below 100"), "{e}");
    assert!(e.to_string().contains("{{.window}}"), "{e}");
}

#[test]
fn a_document_that_is_neither_sloth_nor_openslo_is_an_error() {
    let shown = one_error(
        "[[slo_files]]\npath = \"bad/not-an-slo.yaml\"\n",
        "bad/not-an-slo.yaml",
        1,
        Some("apiVersion"),
    );
    assert!(shown.contains("openslo/v1"), "{shown}");
}

#[test]
fn a_format_the_file_is_not_is_an_error() {
    let e = errors("[[slo_files]]\npath = \"openslo/web-shop.yaml\"\nformat = \"sloth\"\n");
    assert_eq!(e.len(), 10, "each document: {e}");
    assert_eq!(e.first().line, Some(4));
    assert!(e.first().message.contains("format = \"sloth\""), "{e}");
}

#[test]
fn an_indicator_ref_to_no_sli_names_the_reference() {
    let shown = one_error(
        "[[slo_files]]\npath = \"bad/missing-sli.yaml\"\n",
        "bad/missing-sli.yaml",
        7,
        Some("spec.indicatorRef"),
    );
    assert!(shown.contains("orders-errors"), "{shown}");
}

#[test]
fn a_name_from_a_file_that_the_config_or_another_file_has_is_an_error() {
    let toml = "[[services]]\nname = \"checkout-requests-availability\"\n\n\
                [[slo_files]]\npath = \"sloth/checkout.yml\"\n";
    let shown = one_error(toml, "sloth/checkout.yml", 9, None);
    assert!(shown.contains("services[0]"), "{shown}");

    let toml = "[[slo_files]]\npath = \"sloth/checkout.yml\"\nservice_name = \"{service}\"\n";
    let e = errors(toml);
    // Three SLOs of the one service "checkout": the second and third are refused.
    assert_eq!(e.len(), 2, "{e}");
    assert!(e.first().message.contains("checkout.yml:9"), "{e}");
}

#[test]
fn a_pattern_that_matches_nothing_is_located_in_the_config() {
    let e = errors("[cache]\nenabled = false\n\n[[slo_files]]\npath = \"nosuch/*.yaml\"\n");
    let e = e.first();
    assert_eq!(e.file, fixtures().join("inline.toml"));
    assert_eq!(e.line, Some(5), "{e}");
    assert_eq!(e.key.as_deref(), Some("slo_files[0].path"));
}

#[test]
fn a_bad_service_name_template_is_refused_by_the_config() {
    let e = config::load_str(
        "[[slo_files]]\npath = \"x.yaml\"\nservice_name = \"{team}-{slo}\"\n",
        Path::new("t.toml"),
    )
    .expect_err("refused");
    assert_eq!(e.first().key.as_deref(), Some("slo_files[0].service_name"));
    assert_eq!(e.first().line, Some(3));
}

fn flightdeck(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(args)
        .env_remove("FLIGHTDECK_CONFIG")
        .env("XDG_CONFIG_HOME", fixtures().join("no-such-dir"))
        .env("XDG_DATA_HOME", fixtures().join("no-such-dir"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run flightdeck")
}

#[test]
fn the_report_covers_the_services_of_the_slo_files_end_to_end() {
    let config = fixtures().join("flightdeck.toml");
    let out = flightdeck(&[
        "--config",
        config.to_str().expect("utf-8 path"),
        "report",
        "--format",
        "json",
        "--at",
        "2026-01-15T12:00:00Z",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let services = report["services"].as_array().expect("services");
    let by_name = |name: &str| {
        services
            .iter()
            .find(|s| s["service"] == name)
            .unwrap_or_else(|| panic!("{name} not in the report"))
    };
    let cart = &by_name("cart-availability")["error_budget"];
    assert_eq!(cart["slo_target"], 0.995);
    assert_eq!(cart["window_seconds"], 28.0 * 86_400.0);
    let checkout = &by_name("checkout-requests-availability")["error_budget"];
    assert_eq!(checkout["slo_target"], 0.999);
    by_name("gateway");
    assert!(
        !services.iter().any(|s| s["service"] == "search-latency"),
        "an unmapped SLO is not a service"
    );
    // What was left out is said once on stderr, pointing at doctor.
    assert!(
        stderr.contains("7") && stderr.contains("doctor"),
        "{stderr}"
    );
}

#[test]
fn doctor_lists_the_slos_read_and_each_one_left_out() {
    let config = fixtures().join("flightdeck.toml");
    let out = flightdeck(&["--config", config.to_str().expect("utf-8 path"), "doctor"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("6 SLOs from 3 files"), "{text}");
    // Each service read, with what its file says it is for (an OpenSLO SLO without a
    // description takes its Service's).
    assert!(
        text.contains("checkout.yml:9): Checkout answers without a server error."),
        "{text}"
    );
    assert!(
        text.contains("web-shop.yaml:39): The shop's storefront and cart"),
        "{text}"
    );
    assert!(
        text.contains("web-shop.yaml:85: search-latency: a thresholdMetric"),
        "{text}"
    );
    assert_eq!(text.matches("  warn  slo_files:").count(), 7, "{text}");
}

#[test]
fn more_shapes_flightdeck_cannot_express_are_each_noted_and_left_out() {
    let c = load("[[slo_files]]\npath = \"notes/more.yaml\"\n").expect("notes are not errors");
    let notes: Vec<String> = c
        .slo_files_read
        .notes
        .iter()
        .map(|n| n.to_string())
        .collect();
    let file = fixtures().join("notes/more.yaml").display().to_string();
    for (line, words) in [
        (2, "two-objectives: 2 objectives"),
        (31, "gauge-ratio: `spec.indicator.spec.ratioMetric.total.metricSource.spec.query`: a query with no `{{.window}}` that is not a counter"),
        (57, "hourly-window: a rolling window of 12h"),
        (84, "apiVersion \"openslo/v1alpha\" skipped"),
    ] {
        let prefix = format!("{file}:{line}: ");
        assert!(
            notes.iter().any(|n| n.starts_with(&prefix) && n.contains(words)),
            "no note at line {line} with {words:?}: {notes:#?}"
        );
    }
    assert_eq!(notes.len(), 4, "{notes:#?}");
    // The raw failure ratio of a shared SLI (type written in lower case) is read.
    let names: Vec<&str> = c.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["orders-raw"]);
    let raw = &c.services[0];
    assert_eq!(raw.slo_target, 0.99);
    assert_eq!(
        raw.slo_window_days, 30,
        "the [[slo_files]] default without a timeWindow"
    );
    assert_eq!(
        raw.error_ratio_query.as_deref(),
        Some("avg_over_time(orders_error_ratio[{{window}}])")
    );
}

#[test]
fn a_terminal_escape_in_a_file_never_reaches_the_output() {
    let e = errors("[[slo_files]]\npath = \"bad/escape.yml\"\n");
    let shown = e.to_string();
    assert!(shown.contains("control characters"), "{shown}");
    assert!(
        !shown.contains('\x1b') && !shown.contains('\x07'),
        "{shown:?}"
    );
}

/// The PromQL made of a Sloth events SLI and of OpenSLO counters without a window,
/// asked of a real Prometheus (backfilled, a constant 0.05% of errors) through the
/// binary: both read the error ratio the data holds, so half the 99.9% budget is left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queries_made_of_slo_files_read_a_real_prometheus() {
    let end = Utc::now()
        .duration_trunc(Duration::minutes(1))
        .expect("minute")
        - Duration::minutes(1);
    let shop = SyntheticService {
        name: "shop".into(),
        requests_per_minute: Box::new(|_| 1_000),
        error_ratio: Box::new(|_| 0.0005),
        median_latency: Box::new(|_| 0.1),
        deployed: Box::new(|_| false),
    };
    let history = openmetrics(&[shop], end, 31, 8);
    let Some(server) = start_prometheus("slo-files", &history).await else {
        return;
    };
    let config = server.dir.join("config.toml");
    let files = fixtures().join("live/shop.*");
    std::fs::write(
        &config,
        format!(
            "[cache]\nenabled = false\n\n[prometheus]\nurl = \"{}\"\n\n\
             [[slo_files]]\npath = \"{}\"\n",
            server.url,
            files.display()
        ),
    )
    .expect("write config");
    let out = flightdeck(&[
        "--config",
        config.to_str().expect("utf-8 path"),
        "report",
        "--format",
        "json",
        "--at",
        &end.to_rfc3339_opts(SecondsFormat::Secs, true),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    for name in ["shop-availability", "shop-good-requests"] {
        let budget = report["services"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["service"] == name))
            .map(|s| &s["error_budget"])
            .unwrap_or_else(|| panic!("{name} not in {report}"));
        let ratio = budget["error_ratio"].as_f64().unwrap_or(f64::NAN);
        assert!((ratio - 0.0005).abs() < 0.00005, "{name}: {budget}");
        let remaining = budget["remaining"].as_f64().unwrap_or(f64::NAN);
        assert!((remaining - 0.5).abs() < 0.05, "{name}: {budget}");
    }
}

#[test]
fn a_mistake_in_an_sli_another_file_holds_is_located_there_once() {
    let shown = one_error(
        "[[slo_files]]\npath = \"bad/sli-elsewhere/*.yaml\"\n",
        "bad/sli-elsewhere/b-sli.yaml",
        7,
        Some("spec.ratioMetric.total"),
    );
    assert!(shown.contains("missing"), "{shown}");
}
