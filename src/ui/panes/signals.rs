//! Golden signals of the selected service over the last three hours: error ratio (with
//! the SLO threshold line) and p99 latency, with a vertical marker at each deployment
//! labelled by its version (rollbacks get the rollback symbol, failures the bad style).

use chrono::Duration;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::app::PaneId;
use crate::model::{DeployKind, DeployStatus, Series, SeriesKind, Ts};
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

    // Deployment markers: labels live as long as the charts, so build them first.
    let deployments = model.service_deployments();
    let labels: Vec<String> = deployments
        .iter()
        .map(|d| {
            if d.kind == DeployKind::Rollback || d.status == DeployStatus::RolledBack {
                format!("{}{}", theme.sym(Sym::Rollback), d.version)
            } else {
                d.version.clone()
            }
        })
        .collect();
    let marks: Vec<VMark> = deployments
        .iter()
        .zip(&labels)
        .filter(|(d, _)| d.started_at >= start && d.started_at <= model.now)
        .map(|(d, label)| VMark {
            x: x_of(d.started_at),
            label,
            style: match d.status {
                DeployStatus::Failed | DeployStatus::RolledBack => theme.bad(),
                _ => theme.warn(),
            },
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
