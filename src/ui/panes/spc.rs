//! SPC control chart of the metric chosen with `m`: points, centre line and control
//! limits (labelled), points that trip a run rule marked with the signal symbol, and a
//! legend naming each rule that fired (or saying why nothing could: no variation in
//! the baseline, or no limits yet). Zoomed and tall enough, the moving-range chart of
//! an XmR chart is drawn below, segment by segment, its ranges above their segment's
//! upper limit marked with the signal symbol.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::app::PaneId;
use crate::metrics::{ChartKind, Rule, SpcChart};
use crate::ui::paint::{put, put_spans};
use crate::ui::theme::Sym;
use crate::ui::widgets::chart::{Chart, HLine};
use crate::ui::{format, Ctx};

/// Rows the moving-range chart needs before it is worth drawing.
const MR_MIN_ROWS: u16 = 20;

fn kind_word(kind: ChartKind) -> &'static str {
    match kind {
        ChartKind::Xmr => "XmR",
        ChartKind::P => "p-chart",
        ChartKind::U => "u-chart",
    }
}

/// Padded y range holding every value and line.
fn y_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.05).max(f64::EPSILON);
    (lo - pad, hi + pad)
}

pub fn draw(ctx: &Ctx, area: Rect, buf: &mut Buffer) {
    let (model, theme) = (ctx.model, ctx.theme);
    let metric = model.ui.spc_metric;
    let chart = ctx
        .service()
        .and_then(|s| s.spc.iter().find(|c| c.metric == metric.id()));
    let kind = chart.map_or("", |c| kind_word(c.chart));
    let inner = ctx.pane_box(
        PaneId::Spc,
        &format!("{} {kind}", metric.title()),
        area,
        buf,
    );
    if inner.height == 0 {
        return;
    }
    let inner = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    match chart {
        Some(c) if !c.points.is_empty() => draw_chart(ctx, c, inner, buf),
        _ => {
            put(
                buf,
                inner,
                0,
                0,
                "not enough data for this chart",
                theme.muted(),
            );
            put(buf, inner, 0, 1, "m: chart another metric", theme.muted());
        }
    }
}

fn draw_chart(ctx: &Ctx, c: &SpcChart, area: Rect, buf: &mut Buffer) {
    let (model, theme) = (ctx.model, ctx.theme);
    let fmt = |v: Option<f64>| {
        v.map_or_else(
            || format::NA.to_string(),
            |v| format::spc_value(c.metric, v),
        )
    };
    let (cl, ucl, lcl) = (fmt(c.center), fmt(c.ucl), fmt(c.lcl));
    // Limits from fewer points than a baseline takes still move as points arrive.
    let provisional = c
        .provisional
        .filter(|_| c.center.is_some())
        .map_or_else(String::new, |n| {
            format!("  provisional: {n}-point baseline")
        });
    put_spans(
        buf,
        area,
        0,
        0,
        &[
            ("CL ", theme.muted()),
            (&cl, theme.plain()),
            ("  UCL ", theme.muted()),
            (&ucl, theme.warn()),
            ("  LCL ", theme.muted()),
            (&lcl, theme.warn()),
            (&provisional, theme.muted()),
        ],
    );

    // Rules that fired, in first-seen order, with how often.
    let mut fired: Vec<(Rule, usize)> = Vec::new();
    for s in &c.signals {
        match fired.iter_mut().find(|(r, _)| *r == s.rule) {
            Some((_, n)) => *n += 1,
            None => fired.push((s.rule, 1)),
        }
    }
    let legend_rows = (fired.len().max(1) as u16)
        .min(area.height.saturating_sub(4) / 2)
        .max(1);
    let zoomed = model.ui.zoomed == Some(PaneId::Spc);
    let show_mr = zoomed && area.height >= MR_MIN_ROWS && c.moving_range.is_some();
    let charts_h = area.height.saturating_sub(1 + legend_rows);
    let (x_h, mr_h) = if show_mr {
        (charts_h * 2 / 3, charts_h - charts_h * 2 / 3)
    } else {
        (charts_h, 0)
    };

    let points: Vec<(f64, f64)> = c
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| (i as f64, p.value))
        .collect();
    let mut highlights: Vec<(f64, f64)> = Vec::new();
    for s in &c.signals {
        let run = if s.points.is_empty() {
            std::slice::from_ref(&s.index)
        } else {
            &s.points[..]
        };
        for &i in run {
            if let Some(p) = c.points.get(i) {
                highlights.push((i as f64, p.value));
            }
        }
    }
    let lines = [c.center, c.ucl, c.lcl];
    let yr = y_range(
        points
            .iter()
            .map(|p| p.1)
            .chain(lines.iter().flatten().copied()),
    );
    let hlines: Vec<HLine> = [
        (c.ucl, "UCL", true),
        (c.center, "CL", false),
        (c.lcl, "LCL", true),
    ]
    .into_iter()
    .filter_map(|(v, label, dashed)| {
        v.map(|y| HLine {
            y,
            label,
            style: if dashed { theme.warn() } else { theme.muted() },
            dashed,
        })
    })
    .collect();
    let (top, bottom) = (
        format::spc_value(c.metric, yr.1),
        format::spc_value(c.metric, yr.0),
    );
    let first = c.points.first().map(|p| {
        p.at.with_timezone(&model.view.tz)
            .format("%d %b")
            .to_string()
    });
    let last = c.points.last().map(|p| {
        p.at.with_timezone(&model.view.tz)
            .format("%d %b")
            .to_string()
    });
    let x_labels = first.as_deref().zip(last.as_deref());
    Chart {
        points: &points,
        x_range: (0.0, (points.len().saturating_sub(1)) as f64),
        y_range: yr,
        style: theme.chart(),
        hlines: &hlines,
        vmarks: &[],
        highlights: &highlights,
        highlight_style: theme.bad(),
        y_labels: (&top, &bottom),
        x_labels,
    }
    .render(Rect::new(area.x, area.y + 1, area.width, x_h), buf, theme);

    if let (true, Some(mr)) = (show_mr, &c.moving_range) {
        let mr_area = Rect::new(area.x, area.y + 1 + x_h, area.width, mr_h);
        put(buf, mr_area, 0, 0, "moving range", theme.muted());
        // One range per point; none at the first point of a segment (NaN breaks the
        // line there: no range across a process change).
        let mr_points: Vec<(f64, f64)> = mr
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| (i as f64, v.unwrap_or(f64::NAN)))
            .collect();
        let mr_beyond: Vec<(f64, f64)> = mr
            .beyond
            .iter()
            .filter_map(|&i| Some((i as f64, (*mr.values.get(i)?)?)))
            .collect();
        let yr = y_range(
            mr.values
                .iter()
                .flatten()
                .copied()
                .chain([0.0])
                .chain(mr.ucl),
        );
        let mr_lines: Vec<HLine> = [
            (mr.ucl, "UCL", theme.warn(), true),
            (mr.center, "MR", theme.muted(), false),
        ]
        .into_iter()
        .filter_map(|(v, label, style, dashed)| {
            v.map(|y| HLine {
                y,
                label,
                style,
                dashed,
            })
        })
        .collect();
        let (top, bottom) = (
            format::spc_value(c.metric, yr.1),
            format::spc_value(c.metric, 0.0),
        );
        Chart {
            points: &mr_points,
            x_range: (0.0, (points.len().saturating_sub(1)) as f64),
            y_range: yr,
            style: theme.chart_alt(),
            hlines: &mr_lines,
            vmarks: &[],
            highlights: &mr_beyond,
            highlight_style: theme.bad(),
            y_labels: (&top, &bottom),
            x_labels: None,
        }
        .render(
            Rect::new(
                mr_area.x,
                mr_area.y + 1,
                mr_area.width,
                mr_h.saturating_sub(1),
            ),
            buf,
            theme,
        );
    }

    let legend_y = area.height.saturating_sub(legend_rows);
    if fired.is_empty() {
        // "In control" only where the limits could have judged the latest points.
        let (text, style) = if c.no_spread {
            (
                "no variation in the baseline: limits cannot judge points",
                theme.warn(),
            )
        } else if c.center.is_none() {
            (
                "no limits yet: the latest baseline is too short",
                theme.muted(),
            )
        } else {
            ("in control: no run rule tripped", theme.ok())
        };
        put(buf, area, 0, legend_y, text, style);
    }
    for (i, (rule, n)) in fired.iter().take(usize::from(legend_rows)).enumerate() {
        let text = format!(" {} {} (x{n})", rule.code(), rule.description());
        put_spans(
            buf,
            area,
            0,
            legend_y + i as u16,
            &[
                (theme.sym(Sym::Signal), theme.bad()),
                (&text, theme.plain()),
            ],
        );
    }
}
