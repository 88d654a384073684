//! Golden signals of the selected service over the last three hours: error ratio (with
//! the SLO threshold line) and p99 latency, with a vertical marker at each deployment
//! labelled by its version (rollbacks get the rollback symbol, failures the bad style)
//! and at each deployment a `deploy_marker_query` saw that no deployment source knows.

use chrono::Duration;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::app::{Model, PaneId};
use crate::model::{AnnotationKind, DeployKind, DeployStatus, Series, SeriesKind, Ts};
use crate::ui::paint::{put, put_spans};
use crate::ui::theme::Sym;
use crate::ui::widgets::chart::{Chart, HLine, VMark};
use crate::ui::{format, Ctx};

/// The span the charts show, ending at `model.now`.
const SPAN_HOURS: i64 = 3;

pub fn draw(ctx: &Ctx, area: Rect, buf: &mut Buffer) {
    let (model, theme) = (ctx.model, ctx.theme);
    let inner = ctx.pane_box(PaneId::Signals, &format!("last {SPAN_HOURS}h"), area, buf);
    if inner.height == 0 {
        return;
    }
    let inner = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    let Some(service) = model.selected_service() else {
        put(buf, inner, 0, 0, "no service selected yet", theme.muted());
        return;
    };
    let start = model.now - Duration::hours(SPAN_HOURS);
    let x_of = |t: Ts| (t - start).num_seconds() as f64;
    let x_range = (0.0, x_of(model.now));

    let found = markers(model, service, start, model.now, theme.sym(Sym::Rollback));
    let marks: Vec<VMark> = found
        .iter()
        .map(|m| VMark {
            x: x_of(m.at),
            label: &m.label,
            style: if m.bad { theme.bad() } else { theme.warn() },
        })
        .collect();

    let top_h = inner.height / 2;
    let top = Rect::new(inner.x, inner.y, inner.width, top_h);
    let bottom = Rect::new(inner.x, inner.y + top_h, inner.width, inner.height - top_h);
    let slo = ctx
        .service()
        .and_then(|s| s.budget.as_ref())
        .map(|b| 1.0 - b.slo_target);
    let errors = model
        .data
        .series
        .get(&(service.to_string(), SeriesKind::ErrorRatio));
    let latency = model
        .data
        .series
        .get(&(service.to_string(), SeriesKind::LatencyP99));
    let span = Span {
        start,
        end: model.now,
        x_range,
        marks: &marks,
    };
    draw_one(
        ctx,
        "error ratio",
        errors,
        1.0,
        slo,
        &span,
        top,
        buf,
        false,
        |v| format::percent(v, 2),
    );
    draw_one(
        ctx,
        "p99 latency",
        latency,
        1000.0,
        None,
        &span,
        bottom,
        buf,
        true,
        |v| format!("{v:.0}ms"),
    );
}

/// One vertical marker on the charts: when, its label, and whether it marks a failure.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub at: Ts,
    pub label: String,
    pub bad: bool,
}

/// How far apart a deploy marker from the metrics and a deployment (or another marker
/// with the same label) may be and still be the same deployment: a marker query is
/// sampled once a step, so one deployment can show in two neighbouring samples.
const SAME_DEPLOYMENT: Duration = Duration::minutes(10);

/// The markers of `service` in `[start, end]`, newest first (the first placed wins a
/// clash of labels): its deployments (rollbacks labelled with `rollback`), then the
/// deployments a `deploy_marker_query` saw that no deployment already marks. With no
/// deployment source the metrics' markers are all a real config has.
pub fn markers(model: &Model, service: &str, start: Ts, end: Ts, rollback: &str) -> Vec<Marker> {
    let in_span = |t: Ts| t >= start && t <= end;
    let deployments = model.service_deployments();
    let mut out: Vec<Marker> = deployments
        .iter()
        .filter(|d| in_span(d.started_at))
        .map(|d| Marker {
            at: d.started_at,
            label: if d.kind == DeployKind::Rollback || d.status == DeployStatus::RolledBack {
                format!("{rollback}{}", d.version)
            } else {
                d.version.clone()
            },
            bad: matches!(d.status, DeployStatus::Failed | DeployStatus::RolledBack),
        })
        .collect();
    let near = |a: Ts, b: Ts| (a - b).abs() <= SAME_DEPLOYMENT;
    let seen = model.data.annotations.iter().filter(|a| {
        a.kind == AnnotationKind::DeployMarker
            && a.service.as_deref() == Some(service)
            && in_span(a.at)
    });
    for a in seen {
        let version = a.text.strip_prefix("deploy ").map(str::trim);
        let known = deployments.iter().any(|d| match version {
            Some(v) => d.version == v,
            None => near(d.started_at, a.at),
        });
        let label = version.unwrap_or("deploy");
        let twice = out.iter().any(|m| m.label == label && near(m.at, a.at));
        if !known && !twice {
            out.push(Marker {
                at: a.at,
                label: label.to_string(),
                bad: false,
            });
        }
    }
    out.sort_by_key(|m| std::cmp::Reverse(m.at));
    out
}

struct Span<'a> {
    start: Ts,
    end: Ts,
    x_range: (f64, f64),
    marks: &'a [VMark<'a>],
}

#[allow(clippy::too_many_arguments)]
fn draw_one(
    ctx: &Ctx,
    name: &str,
    series: Option<&Series>,
    unit: f64,
    threshold: Option<f64>,
    span: &Span,
    area: Rect,
    buf: &mut Buffer,
    time_axis: bool,
    fmt: impl Fn(f64) -> String,
) {
    let theme = ctx.theme;
    if area.height == 0 {
        return;
    }
    let points: Vec<(f64, f64)> = series.map_or_else(Vec::new, |s| {
        let from = s.points.partition_point(|(t, _)| *t < span.start);
        s.points[from..]
            .iter()
            .take_while(|(t, _)| *t <= span.end)
            .map(|(t, v)| ((*t - span.start).num_seconds() as f64, v * unit))
            .collect()
    });
    let latest = points
        .iter()
        .rev()
        .find(|p| p.1.is_finite())
        .map(|p| fmt(p.1));
    let latest = latest.unwrap_or_else(|| format::NA.to_string());
    let slo_text = threshold
        .map(|t| format!("  SLO limit {}", fmt(t * unit)))
        .unwrap_or_default();
    put_spans(
        buf,
        area,
        0,
        0,
        &[
            (name, theme.bold()),
            (" now ", theme.muted()),
            (&latest, theme.plain()),
            (&slo_text, theme.muted()),
        ],
    );
    if points.is_empty() {
        put(buf, area, 0, 1, "no data in this span", theme.muted());
        return;
    }
    let max = points
        .iter()
        .map(|p| p.1)
        .chain(threshold.map(|t| t * unit))
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let y_range = (0.0, if max > 0.0 { max * 1.15 } else { 1.0 });
    let hlines: Vec<HLine> = threshold
        .map(|t| HLine {
            y: t * unit,
            label: "SLO",
            style: theme.bad(),
            dashed: true,
        })
        .into_iter()
        .collect();
    let (top, bottom) = (fmt(y_range.1), fmt(0.0));
    let tz = ctx.model.view.tz;
    let (from, to) = (format::hm(span.start, tz), format::hm(span.end, tz));
    Chart {
        points: &points,
        x_range: span.x_range,
        y_range,
        style: theme.chart(),
        hlines: &hlines,
        vmarks: span.marks,
        highlights: &[],
        highlight_style: theme.bad(),
        y_labels: (&top, &bottom),
        x_labels: time_axis.then_some((from.as_str(), to.as_str())),
    }
    .render(
        Rect::new(area.x, area.y + 1, area.width, area.height - 1),
        buf,
        theme,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::View;
    use crate::model::Annotation;
    use chrono::{TimeZone, Utc};

    fn at(min: i64) -> Ts {
        Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
            .single()
            .unwrap_or_default()
            + Duration::minutes(min)
    }

    fn marker(service: &str, min: i64, text: &str) -> Annotation {
        Annotation {
            at: at(min),
            service: Some(service.to_string()),
            text: text.to_string(),
            kind: AnnotationKind::DeployMarker,
        }
    }

    fn model_with(annotations: Vec<Annotation>) -> Model {
        let view = View {
            tz: crate::zone::Tz::UTC,
            demo: false,
        };
        let mut m = Model::new(view, at(180));
        m.data.services = vec!["api".into(), "web".into()];
        m.data.annotations = annotations;
        m
    }

    #[test]
    fn a_real_configs_deploy_markers_are_drawn_for_their_service_in_the_span() {
        let m = model_with(vec![
            marker("api", -30, "deploy 1.0"),
            marker("api", 60, "deploy 1.1"),
            // One deployment seen in two neighbouring samples is one marker.
            marker("api", 61, "deploy 1.1"),
            marker("api", 120, "deploy"),
            marker("web", 90, "deploy 9.9"),
            Annotation {
                kind: AnnotationKind::Note,
                ..marker("api", 100, "a note")
            },
        ]);
        let found = markers(&m, "api", at(0), at(180), "<");
        let labels: Vec<(&str, Ts)> = found.iter().map(|k| (k.label.as_str(), k.at)).collect();
        assert_eq!(labels, vec![("deploy", at(120)), ("1.1", at(60))]);
        assert!(found.iter().all(|k| !k.bad));
    }

    #[test]
    fn the_chart_draws_the_markers_of_a_config_without_deployments() {
        use crate::metrics::Derived;
        use crate::ui::{Ctx, Theme};
        let mut m = model_with(vec![marker("api", 90, "deploy 7.7.7")]);
        m.data.series.insert(
            ("api".into(), SeriesKind::ErrorRatio),
            Series {
                query: "q".into(),
                points: (0..=180).step_by(5).map(|i| (at(i), 0.001)).collect(),
            },
        );
        let derived = Derived::default();
        let theme = Theme::new(false, false);
        let ctx = Ctx {
            model: &m,
            derived: &derived,
            theme: &theme,
        };
        let mut buf = Buffer::empty(Rect::new(0, 0, 60, 16));
        draw(&ctx, buf.area, &mut buf);
        let text = crate::ui::buffer_to_text(&buf);
        assert!(text.contains("7.7.7"), "{text}");
        assert!(text.contains(theme.sym(Sym::Marker)), "{text}");
    }

    #[test]
    fn a_marker_of_a_known_deployment_is_not_drawn_twice() {
        use crate::model::{Deployment, Trigger};
        let mut m = model_with(vec![
            marker("api", 62, "deploy 2.0"),
            marker("api", 65, "deploy"),
            marker("api", 150, "deploy"),
        ]);
        m.data.deployments.upsert(vec![Deployment {
            id: "d2".into(),
            source: "test".into(),
            service: "api".into(),
            environment: "production".into(),
            version: "2.0".into(),
            sha: "abc".into(),
            status: DeployStatus::Failed,
            started_at: at(60),
            finished_at: Some(at(70)),
            deployer: "ann".into(),
            url: None,
            commits: Vec::new(),
            stages: Vec::new(),
            canary: None,
            trigger: Trigger::Auto,
            kind: DeployKind::Normal,
        }]);
        let found = markers(&m, "api", at(0), at(180), "<");
        let labels: Vec<&str> = found.iter().map(|k| k.label.as_str()).collect();
        assert_eq!(labels, vec!["deploy", "2.0"]);
        assert!(
            found[1].bad,
            "a failed deployment is drawn in the bad style"
        );
    }
}
