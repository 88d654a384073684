//! The review's forms as a pure model: a finding, a note on a checklist item, the
//! decision, an action item. Fields (text or a choice), focus moved by Tab/Shift-Tab,
//! validation that puts its message on the field, and Esc that asks before throwing
//! away what was typed. What a saved form changes is decided in `review_submit`.

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::text_input::TextInput;
use super::PaneId;
use crate::review::session::Category;

/// Jira's limit on an issue summary.
pub const SUMMARY_CHARS: usize = 255;
/// Free text: a finding, a note, a reason, success criteria.
pub const TEXT_CHARS: usize = 1_000;
pub const OWNER_CHARS: usize = 128;
/// A link (the deployment's or pipeline's URL; a release's several).
pub const LINK_CHARS: usize = 2_000;

/// The decision's outcomes.
pub const OUTCOMES: &[&str] = &["keep", "roll back", "follow up"];

/// What the form is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    Finding,
    /// A note on the checklist item `check_id`.
    Note {
        check_id: String,
        title: String,
    },
    Decision,
    Action,
}

impl FormKind {
    /// The form's title.
    pub fn title(&self) -> String {
        match self {
            FormKind::Finding => "New finding".to_string(),
            FormKind::Note { title, .. } => format!("Note on {title}"),
            FormKind::Decision => "Decision".to_string(),
            FormKind::Action => "New action item".to_string(),
        }
    }
}

/// Which field: what `review_submit` reads the values by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldId {
    Category,
    Text,
    Outcome,
    Summary,
    Owner,
    Due,
    Criteria,
    Link,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    Text(TextInput),
    /// One of `options`; Left/Right (or Space) choose.
    Choice {
        options: Vec<&'static str>,
        selected: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub id: FieldId,
    pub label: &'static str,
    /// What the field wants, shown when it is empty ("YYYY-MM-DD").
    pub hint: &'static str,
    pub value: FieldValue,
    pub required: bool,
    /// What is wrong with the value, shown under the field after a save was refused.
    pub error: Option<String>,
}

impl Field {
    fn text(id: FieldId, label: &'static str, limit: usize, required: bool) -> Field {
        Field {
            id,
            label,
            hint: "",
            value: FieldValue::Text(TextInput::new(limit)),
            required,
            error: None,
        }
    }
    fn hint(mut self, hint: &'static str) -> Field {
        self.hint = hint;
        self
    }
    fn prefilled(mut self, text: &str) -> Field {
        if let FieldValue::Text(input) = &mut self.value {
            *input = TextInput::with_text(input.limit, text);
        }
        self
    }
    fn choice(id: FieldId, label: &'static str, options: Vec<&'static str>) -> Field {
        Field {
            id,
            label,
            hint: "",
            value: FieldValue::Choice {
                options,
                selected: 0,
            },
            required: true,
            error: None,
        }
    }

    /// The value as text (a choice's option).
    pub fn as_text(&self) -> &str {
        match &self.value {
            FieldValue::Text(input) => input.text(),
            FieldValue::Choice { options, selected } => {
                options.get(*selected).copied().unwrap_or("")
            }
        }
    }
}

/// What a key did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormOutcome {
    Editing,
    /// Closed without saving.
    Cancelled,
    /// Every field is valid: save it.
    Submitted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewForm {
    pub kind: FormKind,
    /// The session the form writes to.
    pub review_id: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// Esc was pressed with something typed: the form asks before it throws it away.
    pub confirm_discard: bool,
    /// The zoom before the form opened (the form zooms the review pane for room).
    pub prev_zoom: Option<PaneId>,
    /// The values the form opened with: anything else would be lost on Esc.
    initial: Vec<String>,
}

fn category_words() -> Vec<&'static str> {
    Category::ALL.iter().map(|c| c.word()).collect()
}

/// The category a chosen word stands for.
pub fn category_of(word: &str) -> Category {
    Category::ALL
        .into_iter()
        .find(|c| c.word() == word)
        .unwrap_or(Category::DeploymentProcess)
}

impl ReviewForm {
    fn new(kind: FormKind, review_id: String, fields: Vec<Field>) -> Self {
        let initial = fields.iter().map(|f| f.as_text().to_string()).collect();
        ReviewForm {
            kind,
            review_id,
            fields,
            focus: 0,
            confirm_discard: false,
            prev_zoom: None,
            initial,
        }
    }

    pub fn finding(review_id: String) -> Self {
        // The text first: what someone types right after F lands in it.
        let fields = vec![
            Field::text(FieldId::Text, "Finding", TEXT_CHARS, true)
                .hint("what happened, what it cost"),
            Field::choice(FieldId::Category, "Category", category_words()),
        ];
        ReviewForm::new(FormKind::Finding, review_id, fields)
    }

    /// A note on item `check_id`, starting from its current note.
    pub fn note(review_id: String, check_id: String, title: String, note: Option<&str>) -> Self {
        let fields = vec![Field::text(FieldId::Text, "Note", TEXT_CHARS, true)
            .hint("what was checked, by whom")
            .prefilled(note.unwrap_or(""))];
        ReviewForm::new(FormKind::Note { check_id, title }, review_id, fields)
    }

    /// The decision, starting from the one taken before (`outcome: reason`), if any.
    pub fn decision(review_id: String, current: Option<&str>) -> Self {
        let (outcome, reason) = current
            .and_then(|d| d.split_once(": "))
            .and_then(|(o, r)| Some((OUTCOMES.iter().position(|x| *x == o)?, r)))
            .unwrap_or((0, ""));
        let mut choice = Field::choice(FieldId::Outcome, "Outcome", OUTCOMES.to_vec());
        choice.value = FieldValue::Choice {
            options: OUTCOMES.to_vec(),
            selected: outcome,
        };
        let fields = vec![
            choice,
            Field::text(FieldId::Text, "Reason", TEXT_CHARS, true)
                .hint("why")
                .prefilled(reason),
        ];
        ReviewForm::new(FormKind::Decision, review_id, fields)
    }

    /// An action item; `link` is the reviewed deployment's or pipeline's.
    pub fn action(review_id: String, link: &str) -> Self {
        let link: String = link.chars().take(LINK_CHARS).collect();
        let fields = vec![
            Field::text(FieldId::Summary, "Summary", SUMMARY_CHARS, true)
                .hint("what is to be done"),
            Field::text(FieldId::Owner, "Owner", OWNER_CHARS, false)
                .hint("tracker user; empty: unassigned"),
            Field::text(FieldId::Due, "Due", 10, false).hint("YYYY-MM-DD"),
            Field::text(FieldId::Criteria, "Success criteria", TEXT_CHARS, true)
                .hint("how we know it is done"),
            Field::choice(FieldId::Category, "Category", category_words()),
            Field::text(FieldId::Link, "Link", LINK_CHARS, false)
                .hint("deployment or pipeline URL")
                .prefilled(&link),
        ];
        ReviewForm::new(FormKind::Action, review_id, fields)
    }

    pub fn field(&self, id: FieldId) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// The trimmed text of field `id` ("" when absent).
    pub fn value(&self, id: FieldId) -> String {
        self.field(id).map_or("", Field::as_text).trim().to_string()
    }

    /// Something typed would be lost if the form closed now.
    pub fn dirty(&self) -> bool {
        self.fields
            .iter()
            .zip(&self.initial)
            .any(|(f, init)| f.as_text() != init)
    }

    /// Applies a key; `today` (in the user's zone) is what a due date must not precede.
    pub fn on_key(&mut self, key: KeyEvent, today: NaiveDate) -> FormOutcome {
        if self.confirm_discard {
            return match key.code {
                KeyCode::Esc | KeyCode::Char('y') | KeyCode::Char('Y') => FormOutcome::Cancelled,
                // Anything else: back to the form, the key not typed.
                _ => {
                    self.confirm_discard = false;
                    FormOutcome::Editing
                }
            };
        }
        let n = self.fields.len().max(1);
        match key.code {
            KeyCode::Esc if self.dirty() => self.confirm_discard = true,
            KeyCode::Esc => return FormOutcome::Cancelled,
            KeyCode::Enter => {
                if self.validate(today) {
                    return FormOutcome::Submitted;
                }
            }
            KeyCode::Tab | KeyCode::Down => self.focus = (self.focus + 1) % n,
            KeyCode::BackTab | KeyCode::Up => self.focus = (self.focus + n - 1) % n,
            _ => self.edit(key),
        }
        FormOutcome::Editing
    }

    /// Inserts pasted text into the focused field (a choice ignores it).
    pub fn paste(&mut self, text: &str) {
        self.confirm_discard = false;
        if let Some(f) = self.fields.get_mut(self.focus) {
            if let FieldValue::Text(input) = &mut f.value {
                input.insert(text);
                f.error = None;
            }
        }
    }

    fn edit(&mut self, key: KeyEvent) {
        let Some(f) = self.fields.get_mut(self.focus) else {
            return;
        };
        let changed = match &mut f.value {
            FieldValue::Text(input) => input.on_key(key),
            FieldValue::Choice { options, selected } => {
                let n = options.len().max(1);
                let plain = !key.modifiers.contains(KeyModifiers::CONTROL);
                match key.code {
                    KeyCode::Right | KeyCode::Char(' ') if plain => *selected = (*selected + 1) % n,
                    KeyCode::Left => *selected = (*selected + n - 1) % n,
                    _ => return,
                }
                true
            }
        };
        if changed {
            f.error = None;
        }
    }

    /// Checks every field, puts each problem on its field and the focus on the first;
    /// true when the form can be saved.
    pub fn validate(&mut self, today: NaiveDate) -> bool {
        for f in &mut self.fields {
            f.error = problem(f, today);
        }
        match self.fields.iter().position(|f| f.error.is_some()) {
            Some(first) => {
                self.focus = first;
                false
            }
            None => true,
        }
    }

    /// The first problem, for the footer: "Summary: must not be empty".
    pub fn first_error(&self) -> Option<String> {
        self.fields
            .iter()
            .find_map(|f| f.error.as_ref().map(|e| format!("{}: {e}", f.label)))
    }
}

/// What is wrong with one field's value, if anything.
fn problem(f: &Field, today: NaiveDate) -> Option<String> {
    let FieldValue::Text(input) = &f.value else {
        return None;
    };
    let text = input.text().trim();
    if input.capped {
        return Some(format!(
            "the paste was cut at {} characters; at most {}",
            super::text_input::HARD_CAP,
            input.limit
        ));
    }
    if input.too_long() {
        return Some(format!(
            "{} characters, at most {}",
            input.len(),
            input.limit
        ));
    }
    if text.is_empty() {
        return f.required.then(|| "must not be empty".to_string());
    }
    if f.id == FieldId::Due {
        return due_problem(text, today);
    }
    None
}

/// A due date must be a real `YYYY-MM-DD` day, today or later.
pub fn due_problem(text: &str, today: NaiveDate) -> Option<String> {
    let shaped = text.len() == 10
        && text.chars().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    let date = shaped
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten();
    match date {
        None => Some(format!("{text:?} is not a date: YYYY-MM-DD")),
        Some(d) if d < today => Some(format!("{d} is in the past (today is {today})")),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).expect("date")
    }

    fn press(form: &mut ReviewForm, code: KeyCode) -> FormOutcome {
        form.on_key(KeyEvent::new(code, KeyModifiers::NONE), today())
    }

    fn shift_tab(form: &mut ReviewForm) -> FormOutcome {
        form.on_key(
            KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT),
            today(),
        )
    }

    fn type_text(form: &mut ReviewForm, s: &str) {
        for c in s.chars() {
            press(form, KeyCode::Char(c));
        }
    }

    fn error(form: &ReviewForm, id: FieldId) -> Option<String> {
        form.field(id).and_then(|f| f.error.clone())
    }

    #[test]
    fn tab_and_shift_tab_walk_the_fields_round() {
        let mut f = ReviewForm::action("r".into(), "https://ci/p/1");
        let n = f.fields.len();
        assert_eq!(n, 6);
        for i in 1..=n {
            press(&mut f, KeyCode::Tab);
            assert_eq!(f.focus, i % n);
        }
        shift_tab(&mut f);
        assert_eq!(f.focus, n - 1);
        assert_eq!(f.fields[f.focus].id, FieldId::Link);
        assert_eq!(f.value(FieldId::Link), "https://ci/p/1");
    }

    #[test]
    fn an_action_item_is_refused_with_a_message_on_each_bad_field() {
        let mut f = ReviewForm::action("r".into(), "");
        assert_eq!(press(&mut f, KeyCode::Enter), FormOutcome::Editing);
        assert_eq!(
            error(&f, FieldId::Summary).as_deref(),
            Some("must not be empty")
        );
        assert_eq!(
            error(&f, FieldId::Criteria).as_deref(),
            Some("must not be empty")
        );
        // Optional fields may stay empty.
        assert_eq!(error(&f, FieldId::Owner), None);
        assert_eq!(error(&f, FieldId::Due), None);
        assert_eq!(f.focus, 0, "the focus goes to the first problem");
        assert_eq!(
            f.first_error().as_deref(),
            Some("Summary: must not be empty")
        );

        // Typing into the field clears its message.
        type_text(&mut f, &"s".repeat(SUMMARY_CHARS + 1));
        assert_eq!(error(&f, FieldId::Summary), None);
        press(&mut f, KeyCode::Tab);
        press(&mut f, KeyCode::Tab);
        type_text(&mut f, "2026-12-06");
        press(&mut f, KeyCode::Tab);
        type_text(&mut f, "alert fires in staging");
        assert_eq!(press(&mut f, KeyCode::Enter), FormOutcome::Editing);
        assert_eq!(
            error(&f, FieldId::Summary).as_deref(),
            Some("256 characters, at most 255")
        );
        assert_eq!(
            error(&f, FieldId::Due).as_deref(),
            Some("2026-12-06 is in the past (today is 2026-12-07)")
        );
        assert_eq!(error(&f, FieldId::Criteria), None);

        // Fixed: one character less, a date from today on.
        f.focus = 0;
        press(&mut f, KeyCode::Backspace);
        f.focus = 2;
        press(&mut f, KeyCode::Backspace);
        type_text(&mut f, "7");
        assert_eq!(press(&mut f, KeyCode::Enter), FormOutcome::Submitted);
        assert_eq!(f.value(FieldId::Due), "2026-12-07");
    }

    #[test]
    fn due_dates_must_be_real_days_written_in_full() {
        for bad in [
            "2026-13-01",
            "2026-02-30",
            "2026-1-05",
            "07/12/2026",
            "soon",
            "2026-12-7 ",
        ] {
            assert!(
                due_problem(bad, today()).is_some_and(|m| m.contains("not a date")),
                "{bad}"
            );
        }
        assert_eq!(due_problem("2026-12-07", today()), None);
        assert_eq!(due_problem("2030-01-31", today()), None);
        assert!(due_problem("2025-12-31", today()).is_some_and(|m| m.contains("past")));
    }

    #[test]
    fn choices_cycle_with_the_arrows_and_space() {
        let mut f = ReviewForm::finding("r".into());
        assert_eq!(f.value(FieldId::Category), "deployment process");
        press(&mut f, KeyCode::Tab);
        press(&mut f, KeyCode::Right);
        press(&mut f, KeyCode::Char(' '));
        assert_eq!(f.value(FieldId::Category), "dependency failure");
        press(&mut f, KeyCode::Left);
        press(&mut f, KeyCode::Left);
        press(&mut f, KeyCode::Left);
        assert_eq!(f.value(FieldId::Category), "capacity");
        assert_eq!(category_of(&f.value(FieldId::Category)), Category::Capacity);
        // Letters do not type into a choice.
        press(&mut f, KeyCode::Char('x'));
        assert_eq!(f.value(FieldId::Category), "capacity");
    }

    #[test]
    fn esc_asks_before_losing_what_was_typed() {
        // Nothing typed: Esc closes at once.
        let mut f = ReviewForm::decision("r".into(), None);
        assert_eq!(press(&mut f, KeyCode::Esc), FormOutcome::Cancelled);
        // A choice changed is something typed too.
        let mut f = ReviewForm::decision("r".into(), None);
        press(&mut f, KeyCode::Right);
        assert_eq!(press(&mut f, KeyCode::Esc), FormOutcome::Editing);
        assert!(f.confirm_discard);
        // Any other key goes back to the form, untyped.
        assert_eq!(press(&mut f, KeyCode::Char('n')), FormOutcome::Editing);
        assert!(!f.confirm_discard);
        assert_eq!(f.value(FieldId::Text), "");
        // Esc then y (or Esc again) discards.
        press(&mut f, KeyCode::Esc);
        assert_eq!(press(&mut f, KeyCode::Char('y')), FormOutcome::Cancelled);
        // Typed back to what it opened with: nothing would be lost.
        let mut f = ReviewForm::note("r".into(), "c".into(), "C".into(), Some("old"));
        type_text(&mut f, "x");
        press(&mut f, KeyCode::Backspace);
        assert!(!f.dirty());
        assert_eq!(press(&mut f, KeyCode::Esc), FormOutcome::Cancelled);
    }

    #[test]
    fn a_decision_opens_on_the_one_taken_before() {
        let f = ReviewForm::decision("r".into(), Some("roll back: error ratio: 3x"));
        assert_eq!(f.value(FieldId::Outcome), "roll back");
        assert_eq!(f.value(FieldId::Text), "error ratio: 3x");
        assert!(!f.dirty());
        let f = ReviewForm::decision("r".into(), Some("typed by hand"));
        assert_eq!(f.value(FieldId::Outcome), "keep");
        assert_eq!(f.value(FieldId::Text), "");
    }

    #[test]
    fn a_paste_goes_into_the_focused_text_field_only() {
        let mut f = ReviewForm::finding("r".into());
        press(&mut f, KeyCode::Tab);
        f.paste("ignored");
        assert_eq!(f.value(FieldId::Category), "deployment process");
        press(&mut f, KeyCode::BackTab);
        f.paste("\u{1b}[2Jflaky\r\ntest");
        assert_eq!(f.value(FieldId::Text), "flaky test");
        let mut big = ReviewForm::finding("r".into());
        big.focus = 0;
        big.paste(&"z".repeat(10_000));
        assert!(!big.validate(today()));
        assert!(error(&big, FieldId::Text).is_some_and(|e| e.contains("cut")));
    }
}
