//! An open review form inside the (zoomed) review pane: one row per field, the label,
//! the text scrolled so the cursor stays in view, the count against the field's bound,
//! and the message of a refused save under its field. [`rows`] and [`window`] decide
//! what shows; [`draw`] places it. A form that does not fit says so.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;

use crate::app::review_form::{FieldValue, ReviewForm};
use crate::ui::paint::{fit, put, put_spans, width};
use crate::ui::theme::Sym;
use crate::ui::Ctx;

/// The narrowest inside a form is drawn in.
pub const MIN_FORM_WIDTH: u16 = 40;

/// What one field shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRow {
    pub label: &'static str,
    pub focused: bool,
    /// The text as typed, or a choice as `< option >`.
    pub text: String,
    /// The cursor, in characters into `text` (the focused text field only).
    pub cursor: Option<usize>,
    /// Shown instead of an empty text ("YYYY-MM-DD").
    pub hint: &'static str,
    /// "23/255", and whether it is over.
    pub count: Option<(String, bool)>,
    pub error: Option<String>,
}

/// The fields as the form shows them.
pub fn rows(form: &ReviewForm) -> Vec<FieldRow> {
    form.fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let focused = i == form.focus;
            let (text, cursor, count) = match &f.value {
                FieldValue::Text(input) => {
                    // The bound shows on the field being typed in, and on any over it.
                    let count = (focused || input.too_long())
                        .then(|| (format!("{}/{}", input.len(), input.limit), input.too_long()));
                    (
                        input.text().to_string(),
                        focused.then_some(input.cursor()),
                        count,
                    )
                }
                FieldValue::Choice { options, selected } => (
                    format!("< {} >", options.get(*selected).copied().unwrap_or("")),
                    None,
                    None,
                ),
            };
            FieldRow {
                label: f.label,
                focused,
                text,
                cursor,
                hint: f.hint,
                count,
                error: f.error.clone(),
            }
        })
        .collect()
}

/// The part of `text` shown in `room` cells with the cursor (a character index) on
/// screen, and the cursor's column in it. A cursor at the end needs a cell of its own.
pub fn window(text: &str, cursor: usize, room: usize) -> (String, usize) {
    let chars: Vec<char> = text.chars().collect();
    let cursor = cursor.min(chars.len());
    if room == 0 {
        return (String::new(), 0);
    }
    // Scroll right until the cursor's cell fits.
    let mut first = 0;
    while first < cursor && cells(&chars[first..cursor]) + 1 > room {
        first += 1;
    }
    let mut shown = String::new();
    let mut used = 0;
    for c in &chars[first..] {
        let w = width(c.encode_utf8(&mut [0; 4]));
        if used + w > room {
            break;
        }
        used += w;
        shown.push(*c);
    }
    (shown, cells(&chars[first..cursor]))
}

fn cells(chars: &[char]) -> usize {
    chars
        .iter()
        .map(|c| width(c.encode_utf8(&mut [0; 4])))
        .sum()
}

/// Rows the form takes: each field, each message, and the prompt line.
pub fn height(rows: &[FieldRow]) -> usize {
    rows.len() + rows.iter().filter(|r| r.error.is_some()).count() + 2
}

pub fn draw(ctx: &Ctx, form: &ReviewForm, inner: Rect, buf: &mut Buffer) {
    let theme = ctx.theme;
    let rows = rows(form);
    let need = height(&rows);
    if inner.width < MIN_FORM_WIDTH || usize::from(inner.height) < need {
        let say = format!(
            "the form needs {MIN_FORM_WIDTH}x{need} inside; enlarge the terminal (Esc cancels)"
        );
        // Word by word over the rows there are, so the sizes stay readable when narrow.
        let (mut row, mut col) = (0u16, 0u16);
        for word in say.split(' ') {
            let w = u16::try_from(width(word)).unwrap_or(u16::MAX);
            if col > 0 && col.saturating_add(w) >= inner.width {
                row += 1;
                col = 0;
            }
            col = put(buf, inner, col, row, word, theme.warn()).saturating_add(1);
        }
        return;
    }
    let label_w = rows.iter().map(|r| width(r.label)).max().unwrap_or(0) + 2;
    let text_x = 2 + label_w as u16;
    let count_w = 10u16;
    let room = usize::from(inner.width.saturating_sub(text_x + count_w + 1));
    let mut y: u16 = 0;
    for r in &rows {
        let cursor_sym = if r.focused {
            theme.sym(Sym::Cursor)
        } else {
            " "
        };
        let label_style = if r.focused {
            theme.bold()
        } else {
            theme.plain()
        };
        put_spans(
            buf,
            inner,
            0,
            y,
            &[
                (cursor_sym, theme.bold()),
                (" ", theme.plain()),
                (r.label, label_style),
            ],
        );
        // The typing area is underlined across its width, so an empty field shows.
        let field = Rect::new(inner.x + text_x, inner.y + y, room as u16, 1);
        buf.set_style(
            field.intersection(buf.area),
            theme.plain().add_modifier(Modifier::UNDERLINED),
        );
        let (shown, at) = window(&r.text, r.cursor.unwrap_or(0), room);
        if r.text.is_empty() && !r.focused {
            put(buf, field, 0, 0, r.hint, theme.muted());
        } else if r.cursor.is_none() {
            // Not being typed in: the start, a cut marked as such.
            put(buf, field, 0, 0, &fit(&r.text, room, theme), theme.plain());
        } else {
            put(buf, field, 0, 0, &shown, theme.plain());
        }
        if r.cursor.is_some() {
            let under = shown
                .chars()
                .scan(0, |col, c| {
                    let here = *col;
                    *col += width(c.encode_utf8(&mut [0; 4]));
                    Some((here, c))
                })
                .find(|(col, _)| *col == at)
                .map_or(" ".to_string(), |(_, c)| c.to_string());
            put(buf, field, at as u16, 0, &under, theme.selection());
        }
        if let Some((count, over)) = &r.count {
            let style = if *over { theme.bad() } else { theme.muted() };
            put(buf, inner, text_x + room as u16 + 1, y, count, style);
        }
        y += 1;
        if let Some(e) = &r.error {
            let text = format!("{} {e}", theme.sym(Sym::Fail));
            put(buf, inner, text_x, y, &text, theme.bad());
            y += 1;
        }
    }
    y += 1;
    let sep = theme.sym(Sym::Separator);
    let (prompt, style) = if form.confirm_discard {
        (
            "Discard what you typed? y or Esc discards, any other key goes back".to_string(),
            theme.warn(),
        )
    } else {
        (
            format!("Tab next field {sep} Enter save {sep} Esc cancel"),
            theme.muted(),
        )
    };
    put(buf, inner, 2, y, &prompt, style);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_keeps_the_cursor_in_view() {
        assert_eq!(window("hello", 5, 10), ("hello".to_string(), 5));
        assert_eq!(window("hello", 0, 3), ("hel".to_string(), 0));
        // At the end of a long text: the tail, and a cell for the cursor.
        assert_eq!(window("abcdefgh", 8, 4), ("fgh".to_string(), 3));
        assert_eq!(window("abcdefgh", 4, 4), ("bcde".to_string(), 3));
        // Wide characters count two cells.
        assert_eq!(window("日本語", 3, 5), ("本語".to_string(), 4));
        assert_eq!(window("x", 9, 0), (String::new(), 0));
    }

    #[test]
    fn rows_show_the_bound_where_it_matters() {
        let mut form = ReviewForm::action("r".into(), "https://ci/1");
        form.paste(&"s".repeat(300));
        let r = rows(&form);
        assert_eq!(r[0].count, Some(("300/255".to_string(), true)));
        assert_eq!(r[0].cursor, Some(300));
        assert_eq!(r[1].count, None, "not focused, not over");
        assert_eq!(r[4].text, "< deployment process >");
        assert_eq!(r[5].text, "https://ci/1");
    }

    /// An open form with wide characters, a long text and messages: drawn at every
    /// size from nothing to 100x30, it never panics and leaves no unsafe cell.
    #[test]
    fn an_open_form_draws_at_any_size() {
        use crossterm::event::{Event as Input, KeyCode, KeyEvent, KeyModifiers};
        let mut app = crate::app::App::new(
            crate::ui::fixture::model().view.clone(),
            crate::metrics::Settings::default(),
            crate::ui::fixture::now(),
        );
        app.model = crate::ui::fixture::model();
        app.refresh_derived();
        let press = |app: &mut crate::app::App, code| {
            app.update(crate::event::Event::Input(Input::Key(KeyEvent::new(
                code,
                KeyModifiers::NONE,
            ))));
        };
        press(&mut app, KeyCode::Char('v'));
        press(&mut app, KeyCode::Char('a'));
        app.update(crate::event::Event::Input(Input::Paste(
            "日本語のテキスト \u{1b}[31m".repeat(40),
        )));
        press(&mut app, KeyCode::Left);
        press(&mut app, KeyCode::Enter);
        assert!(app.model.ui.review_form.is_some());
        let theme = crate::ui::Theme::new(true, false);
        for w in 0..=100u16 {
            for h in 0..=30u16 {
                let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
                crate::ui::render(&mut buf, &app.model, &app.derived, &theme);
                for cell in buf.content.iter() {
                    assert!(crate::model::sanitize::is_clean(cell.symbol()), "{w}x{h}");
                }
            }
        }
    }
}
