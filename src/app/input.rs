//! Keys and mouse: what each input does to the UI state, and which commands it emits.
//! The bindings here are the ones `keys::HELP` documents.

use crossterm::event::{
    Event as Input, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind,
};

use super::review_submit::FormChoice;
use super::{App, Overlay, OverlayScroll, PaneId, QuitReason, SpcMetric};
use crate::event::{Command, SourceCommand};

/// Rows moved by PgUp / PgDn.
const PAGE: usize = 10;
/// Lines Ctrl-D / Ctrl-U scroll an overlay (vim's half page).
const HALF_PAGE: u16 = (PAGE / 2) as u16;

impl App {
    pub(super) fn on_input(&mut self, input: Input) -> Vec<Command> {
        self.dirty = true;
        match input {
            Input::Key(key) if key.kind != KeyEventKind::Release => self.on_key(key),
            Input::Paste(text) => {
                self.on_paste(&text);
                Vec::new()
            }
            Input::Resize(..) => {
                self.resized = true;
                Vec::new()
            }
            Input::Mouse(m) => {
                let fleet = self.model.ui.fleet.open && self.model.ui.overlays.is_empty();
                match m.kind {
                    MouseEventKind::ScrollDown if fleet => self.move_fleet_cursor(1),
                    MouseEventKind::ScrollUp if fleet => self.move_fleet_cursor(-1),
                    MouseEventKind::ScrollDown => self.move_cursor(1),
                    MouseEventKind::ScrollUp => self.move_cursor(-1),
                    _ => {}
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        // Inside a scrollable overlay Ctrl-D and Ctrl-U scroll half a page, as in vim
        // and less; everywhere else Ctrl-D quits, as the README says.
        let scrolling = matches!(
            self.model.ui.overlays.last(),
            Some(o) if !matches!(o, Overlay::ServicePicker { .. })
        );
        if ctrl && scrolling && matches!(key.code, KeyCode::Char('d') | KeyCode::Char('u')) {
            self.model.ui.flash = None;
            let ui = &mut self.model.ui;
            ui.overlay_scroll = if key.code == KeyCode::Char('d') {
                ui.overlay_scroll.down(HALF_PAGE)
            } else {
                ui.overlay_scroll.up(HALF_PAGE)
            };
            return Vec::new();
        }
        if ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('d')) {
            // What was typed in a form is not lost to a reflex: a form with changes
            // asks first, and a second Ctrl-C while it asks quits.
            if let Some(form) = self.model.ui.review_form.as_mut() {
                if form.dirty() && !form.confirm_discard {
                    form.confirm_discard = true;
                    return Vec::new();
                }
            }
            return self.quit();
        }
        self.model.ui.flash = None;
        if self.model.ui.command.is_some() {
            return self.on_command_key(key);
        }
        if self.model.ui.review_form.is_some() {
            return self.on_review_form_key(key);
        }
        let typing = self.model.ui.fleet.open && self.model.ui.fleet.typing;
        let picking = matches!(
            self.model.ui.overlays.last(),
            Some(Overlay::ServicePicker { .. })
        );
        if key.code == KeyCode::Char(':') && !typing && !picking {
            self.open_command_line();
            return Vec::new();
        }
        match self.model.ui.overlays.last().cloned() {
            Some(Overlay::ServicePicker { filter, cursor }) => {
                self.on_picker_key(key, filter, cursor);
                Vec::new()
            }
            Some(overlay) => self.on_overlay_key(key, overlay),
            None if self.model.ui.fleet.open => self.on_fleet_key(key),
            None => self.on_pane_key(key),
        }
    }

    pub(super) fn quit(&mut self) -> Vec<Command> {
        self.quit = Some(QuitReason::User);
        vec![Command::Quit]
    }

    fn on_pane_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let ui = &mut self.model.ui;
        match key.code {
            KeyCode::Char('q') => return self.quit(),
            KeyCode::Char('?') => self.open(Overlay::Help),
            KeyCode::Tab => ui.focus = step_focus(ui.focus, 1),
            KeyCode::BackTab => ui.focus = step_focus(ui.focus, -1),
            KeyCode::Char('j') | KeyCode::Down => self.move_cursor(1),
            KeyCode::Char('k') | KeyCode::Up => self.move_cursor(-1),
            KeyCode::PageDown => self.move_cursor(PAGE as isize),
            KeyCode::PageUp => self.move_cursor(-(PAGE as isize)),
            KeyCode::Char('g') | KeyCode::Home => self.move_cursor(isize::MIN),
            KeyCode::Char('G') | KeyCode::End => self.move_cursor(isize::MAX),
            KeyCode::Enter => {
                if ui.focus == PaneId::Deployments {
                    if let Some(d) = self.model.selected_deployment() {
                        let id = d.id.clone();
                        self.open(Overlay::Deployment(id));
                    }
                } else {
                    toggle_zoom(ui, ui.focus);
                }
            }
            KeyCode::Char(c @ '1'..='6') => {
                let pane = PaneId::ALL[(c as usize) - ('1' as usize)];
                ui.focus = pane;
                toggle_zoom(ui, pane);
            }
            KeyCode::Char('z') => toggle_zoom(ui, ui.focus),
            KeyCode::Esc => ui.zoomed = None,
            KeyCode::Char('s') | KeyCode::Char('/') => {
                let cursor = ui.service;
                self.open(Overlay::ServicePicker {
                    filter: String::new(),
                    cursor,
                })
            }
            KeyCode::Char(']') => self.step_service(1),
            KeyCode::Char('[') => self.step_service(-1),
            KeyCode::Char('m') => ui.spc_metric = next_metric(ui.spc_metric),
            KeyCode::Char('h') => self.open(Overlay::Sources),
            KeyCode::Char('f') => self.open_fleet(),
            KeyCode::Char('y') => self.copy_selected(),
            KeyCode::Char('v') => return self.start_review(false),
            KeyCode::Char('V') => return self.start_review(true),
            KeyCode::Char(' ') | KeyCode::Char('x') if ui.focus == PaneId::Review => {
                return self.toggle_review_item()
            }
            KeyCode::Char(c @ ('n' | 'F' | 'd' | 'a')) if ui.focus == PaneId::Review => self
                .open_review_form(match c {
                    'n' => FormChoice::Note,
                    'F' => FormChoice::Finding,
                    'd' => FormChoice::Decision,
                    _ => FormChoice::Action,
                }),
            KeyCode::Char('R') if ui.focus == PaneId::Review => return self.retry_action_item(),
            KeyCode::Char('r') => return self.refresh(),
            KeyCode::Char('b') => return self.rollback(),
            _ => {}
        }
        Vec::new()
    }

    /// Pasted text goes where text is being typed: the command line, the fleet's
    /// filter or the service picker's; elsewhere it is ignored (never read as keys).
    fn on_paste(&mut self, text: &str) {
        if self.paste_into_review_form(text) {
            return;
        }
        if let Some(line) = self.model.ui.command.as_mut() {
            line.insert(text);
        } else if let Some(Overlay::ServicePicker { filter, cursor }) =
            self.model.ui.overlays.last_mut()
        {
            filter.extend(text.chars().filter(|c| !c.is_control()));
            *cursor = 0;
        } else if self.model.ui.fleet.open && self.model.ui.fleet.typing {
            self.type_into_fleet_filter(text);
        }
    }

    pub(super) fn refresh(&mut self) -> Vec<Command> {
        self.model.ui.flash = Some("refresh requested from every source".to_string());
        vec![Command::RefreshAll]
    }

    fn rollback(&mut self) -> Vec<Command> {
        let Some(service) = self.model.selected_service().map(str::to_string) else {
            return Vec::new();
        };
        if !self.model.view.demo {
            self.model.ui.flash =
                Some("rollback is a demo action; roll back with your deploy tool".to_string());
            return Vec::new();
        }
        self.model.ui.flash = Some(format!("rollback of {service} requested"));
        vec![Command::ToSource {
            source: "demo".to_string(),
            command: SourceCommand::Rollback { service },
        }]
    }

    fn on_overlay_key(&mut self, key: KeyEvent, overlay: Overlay) -> Vec<Command> {
        let ui = &mut self.model.ui;
        match key.code {
            KeyCode::Char('q') => return self.quit(),
            KeyCode::Esc | KeyCode::Backspace => self.close_overlay(),
            KeyCode::Char('?') if overlay == Overlay::Help => self.close_overlay(),
            KeyCode::Char('h') if overlay == Overlay::Sources => self.close_overlay(),
            KeyCode::Enter if matches!(overlay, Overlay::Deployment(_)) => self.close_overlay(),
            KeyCode::Char('j') | KeyCode::Down => ui.overlay_scroll = ui.overlay_scroll.down(1),
            KeyCode::Char('k') | KeyCode::Up => ui.overlay_scroll = ui.overlay_scroll.up(1),
            KeyCode::PageDown => ui.overlay_scroll = ui.overlay_scroll.down(PAGE as u16),
            KeyCode::PageUp => ui.overlay_scroll = ui.overlay_scroll.up(PAGE as u16),
            KeyCode::Char('g') | KeyCode::Home => ui.overlay_scroll = OverlayScroll::Top(0),
            KeyCode::Char('G') | KeyCode::End => ui.overlay_scroll = OverlayScroll::End(0),
            KeyCode::Char('v') => return self.start_review(false),
            KeyCode::Char('V') => return self.start_review(true),
            KeyCode::Char(' ') | KeyCode::Char('x') if ui.focus == PaneId::Review => {
                return self.toggle_review_item()
            }
            KeyCode::Char('r') => return self.refresh(),
            _ => {}
        }
        Vec::new()
    }

    fn on_picker_key(&mut self, key: KeyEvent, mut filter: String, mut cursor: usize) {
        let matches = self.model.picker_matches(&filter);
        match key.code {
            KeyCode::Esc => {
                self.close_overlay();
                return;
            }
            KeyCode::Enter => {
                if let Some(&index) = matches.get(cursor) {
                    self.select_service(index);
                }
                self.close_overlay();
                return;
            }
            KeyCode::Down | KeyCode::Tab => {
                cursor = (cursor + 1).min(matches.len().saturating_sub(1))
            }
            KeyCode::Up | KeyCode::BackTab => cursor = cursor.saturating_sub(1),
            KeyCode::Backspace => {
                filter.pop();
                cursor = 0;
            }
            KeyCode::Char(c) if !c.is_control() => {
                filter.push(c);
                cursor = 0;
            }
            _ => {}
        }
        if let Some(top) = self.model.ui.overlays.last_mut() {
            *top = Overlay::ServicePicker { filter, cursor };
        }
    }

    pub(super) fn open(&mut self, overlay: Overlay) {
        self.model.ui.overlay_scroll = OverlayScroll::default();
        self.model.ui.overlays.push(overlay);
    }

    fn close_overlay(&mut self) {
        self.model.ui.overlays.pop();
        self.model.ui.overlay_scroll = OverlayScroll::default();
    }

    fn step_service(&mut self, delta: isize) {
        let n = self.model.data.services.len();
        if n == 0 {
            return;
        }
        let next = (self.model.ui.service as isize + delta).rem_euclid(n as isize) as usize;
        self.select_service(next);
    }

    pub(super) fn select_service(&mut self, index: usize) {
        if index != self.model.ui.service {
            self.model.ui.service = index;
            self.model.ui.deploy_cursor = 0;
        }
        self.clamp_cursors();
    }

    /// Moves the cursor of the focused pane; `isize::MIN`/`MAX` jump to the ends.
    fn move_cursor(&mut self, delta: isize) {
        let ui = &self.model.ui;
        let (cursor, len) = match ui.focus {
            PaneId::Deployments => (ui.deploy_cursor, self.model.service_deployments().len()),
            PaneId::Review => (ui.review_cursor, self.review_rows_len()),
            PaneId::Spc => {
                if delta != 0 {
                    let ui = &mut self.model.ui;
                    ui.spc_metric = if delta > 0 {
                        next_metric(ui.spc_metric)
                    } else {
                        prev_metric(ui.spc_metric)
                    };
                }
                return;
            }
            _ => return,
        };
        let last = len.saturating_sub(1);
        let next = match delta {
            isize::MIN => 0,
            isize::MAX => last,
            d if d < 0 => cursor.saturating_sub(d.unsigned_abs()),
            d => cursor.saturating_add(d as usize).min(last),
        };
        let ui = &mut self.model.ui;
        match ui.focus {
            PaneId::Deployments => ui.deploy_cursor = next,
            PaneId::Review => ui.review_cursor = next,
            _ => {}
        }
    }
}

fn step_focus(focus: PaneId, delta: isize) -> PaneId {
    let n = PaneId::ALL.len() as isize;
    let i = PaneId::ALL.iter().position(|p| *p == focus).unwrap_or(0) as isize;
    PaneId::ALL[(i + delta).rem_euclid(n) as usize]
}

fn toggle_zoom(ui: &mut super::UiState, pane: PaneId) {
    ui.zoomed = if ui.zoomed == Some(pane) {
        None
    } else {
        Some(pane)
    };
}

fn next_metric(m: SpcMetric) -> SpcMetric {
    let i = SpcMetric::ALL.iter().position(|x| *x == m).unwrap_or(0);
    SpcMetric::ALL[(i + 1) % SpcMetric::ALL.len()]
}

fn prev_metric(m: SpcMetric) -> SpcMetric {
    let i = SpcMetric::ALL.iter().position(|x| *x == m).unwrap_or(0);
    SpcMetric::ALL[(i + SpcMetric::ALL.len() - 1) % SpcMetric::ALL.len()]
}
