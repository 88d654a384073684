//! The zoomed DORA pane's detail under the tiles: each key for this window and the
//! previous one side by side, with every count, both percentiles and the level bands,
//! so a release manager can read the tiles' arrows back to the numbers behind them.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::metrics::Dora;
use crate::ui::format;
use crate::ui::paint::{fit, put, width};
use crate::ui::theme::Theme;

/// Rows the detail needs: a heading, the window dates and one row per figure.
pub const ROWS: u16 = 8;

/// Widest first column (the figure's name).
const NAME_W: u16 = 22;
/// The level bands are shown only with at least this much room left for them.
const BANDS_MIN_W: u16 = 24;

/// One figure: its name, its text in the current and previous window (longest form
/// first: the first that fits its column is shown), its level bands.
struct Line {
    name: &'static str,
    current: [String; 2],
    previous: [String; 2],
    bands: &'static str,
}

fn frequency(d: &Dora) -> [String; 2] {
    let f = &d.deployment_frequency;
    match f.per_day {
        Some(p) => [
            format!("{p:.2}/day ({} deploys)", f.deployments),
            format!("{p:.2}/day (n={})", f.deployments),
        ],
        None => [format::NA.to_string(), format::NA.to_string()],
    }
}

fn days_per_week(d: &Dora) -> [String; 2] {
    let v = d
        .deployment_frequency
        .deployment_days_per_week
        .map_or_else(|| format::NA.to_string(), |v| format!("{v:.1} of 7"));
    [v.clone(), v]
}

fn lead_time(d: &Dora) -> [String; 2] {
    let l = &d.lead_time;
    let (p50, p90) = (
        format::opt_secs(l.p50_seconds),
        format::opt_secs(l.p90_seconds),
    );
    [
        format!("{p50} / {p90} ({} changes)", l.changes),
        format!("{p50} / {p90} (n={})", l.changes),
    ]
}

fn failure_rate(d: &Dora) -> [String; 2] {
    let c = &d.change_failure_rate;
    let rate = format::opt_percent(c.rate, 1);
    [
        format!("{rate} ({})", format::of(c.failed, c.deployments)),
        format!("{rate} ({}/{})", c.failed, c.deployments),
    ]
}

fn recovery(d: &Dora) -> [String; 2] {
    let r = &d.recovery_time;
    let (p50, p90) = (
        format::opt_secs(r.p50_seconds),
        format::opt_secs(r.p90_seconds),
    );
    if r.ongoing > 0 {
        [
            format!(
                "{p50} / {p90} ({} recovered, {} ongoing)",
                r.failures, r.ongoing
            ),
            format!("{p50} / {p90} (n={}+{} open)", r.failures, r.ongoing),
        ]
    } else {
        [
            format!("{p50} / {p90} ({} recovered)", r.failures),
            format!("{p50} / {p90} (n={})", r.failures),
        ]
    }
}

fn rework(d: &Dora) -> [String; 2] {
    let w = &d.rework_rate;
    let rate = format::opt_percent(w.rate, 1);
    [
        format!("{rate} ({})", format::of(w.rework, w.deployments)),
        format!("{rate} ({}/{})", w.rework, w.deployments),
    ]
}

fn lines(cur: &Dora, prev: &Dora) -> [Line; 6] {
    let line = |name, f: fn(&Dora) -> [String; 2], bands| Line {
        name,
        current: f(cur),
        previous: f(prev),
        bands,
    };
    [
        line(
            "Deploy frequency",
            frequency,
            "elite >=1/day, high >=1/week, medium >=1/month",
        ),
        line(
            "Deploy days per week",
            days_per_week,
            "median over the whole weeks",
        ),
        line(
            "Lead time p50 / p90",
            lead_time,
            "elite <1 day, high <1 week, medium <1 month",
        ),
        line(
            "Change failure rate",
            failure_rate,
            "elite <=5%, high <=10%, medium <=15%",
        ),
        line(
            "Recovery p50 / p90",
            recovery,
            "elite <1 h, high <1 day, medium <1 week",
        ),
        line("Rework rate", rework, "DORA defines no levels"),
    ]
}

/// A window as its column's heading: "03 Nov - 03 Dec".
fn span(d: &Dora, tz: crate::zone::Tz) -> String {
    let day = |t: crate::model::Ts| t.with_timezone(&tz).format("%d %b").to_string();
    format!("{} - {}", day(d.window.start), day(d.window.end))
}

/// The form both windows show in a row (so that they read alike): the long one when
/// it fits both columns of `room` characters, else the short one.
fn form(l: &Line, room: [usize; 2]) -> usize {
    let fits = width(&l.current[0]) <= room[0] && width(&l.previous[0]) <= room[1];
    usize::from(!fits)
}

/// Draws the detail into `area` (at least [`ROWS`] high to show every figure; fewer
/// rows show fewer figures, never a panic).
pub fn draw(
    cur: &Dora,
    prev: &Dora,
    tz: crate::zone::Tz,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    if area.width < 40 || area.height < 3 {
        return;
    }
    let lines = lines(cur, prev);
    let headings = [
        format!("this: {}", span(cur, tz)),
        format!("previous: {}", span(prev, tz)),
    ];
    let name_w = NAME_W.min(area.width / 3);
    // Each window's column is as wide as its longest text (plus a gap), within its
    // share; the level bands take what is left, if that is enough to read.
    let share = usize::from((area.width - name_w) / 2);
    let natural = |forms: fn(&Line) -> &[String; 2], heading: &str| {
        lines
            .iter()
            .map(|l| width(&forms(l)[0]))
            .chain([width(heading)])
            .max()
            .unwrap_or(0)
            + 2
    };
    let cur_w = natural(|l| &l.current, &headings[0]).min(share) as u16;
    let prev_w = natural(|l| &l.previous, &headings[1]).min(share) as u16;
    let bands_x = name_w + cur_w + prev_w;
    let bands_w = area.width.saturating_sub(bands_x);
    let with_bands = bands_w >= BANDS_MIN_W;
    let columns = [(name_w, cur_w), (name_w + cur_w, prev_w)];
    put(
        buf,
        area,
        0,
        0,
        "This window against the previous one",
        theme.bold(),
    );
    for ((x, w), heading) in columns.iter().zip(&headings) {
        let text = fit(heading, usize::from(w.saturating_sub(2)), theme);
        put(buf, area, *x, 1, &text, theme.muted());
    }
    if with_bands {
        put(buf, area, bands_x, 1, "DORA level bands", theme.muted());
    }
    for (i, l) in lines.iter().enumerate() {
        let row = 2 + i as u16;
        if row >= area.height {
            break;
        }
        let name = fit(l.name, usize::from(name_w.saturating_sub(1)), theme);
        put(buf, area, 0, row, &name, theme.plain());
        let room = columns.map(|(_, w)| usize::from(w.saturating_sub(2)));
        let f = form(l, room);
        for (((x, _), room), (forms, style)) in columns
            .iter()
            .zip(room)
            .zip([(&l.current, theme.bold()), (&l.previous, theme.plain())])
        {
            put(buf, area, *x, row, &fit(&forms[f], room, theme), style);
        }
        if with_bands {
            let text = fit(l.bands, usize::from(bands_w), theme);
            put(buf, area, bands_x, row, &text, theme.muted());
        }
    }
}
