//! Keys on the fleet view: move, open a service's cockpit, sort, roll up, filter.

use crossterm::event::{KeyCode, KeyEvent};

use super::rows::fleet_rows;
use crate::app::{App, Overlay};
use crate::event::Command;

/// Rows moved by PgUp / PgDn.
const PAGE: isize = 10;

impl App {
    /// Shows the fleet with the selected service under the cursor.
    pub fn open_fleet(&mut self) {
        self.model.ui.fleet.open = true;
        self.model.ui.zoomed = None;
        let selected = self.model.ui.service;
        let rows = fleet_rows(&self.model, &self.derived);
        if let Some(i) = rows.services.iter().position(|s| s.index == selected) {
            self.model.ui.fleet.cursor = i;
        }
    }

    pub(in crate::app) fn on_fleet_key(&mut self, key: KeyEvent) -> Vec<Command> {
        if self.model.ui.fleet.typing {
            self.on_fleet_filter_key(key);
            return Vec::new();
        }
        match key.code {
            KeyCode::Char('q') => return self.quit(),
            KeyCode::Char('?') => self.open(Overlay::Help),
            KeyCode::Char('h') => self.open(Overlay::Sources),
            KeyCode::Char('r') => return self.refresh(),
            KeyCode::Char('j') | KeyCode::Down => self.move_fleet_cursor(1),
            KeyCode::Char('k') | KeyCode::Up => self.move_fleet_cursor(-1),
            KeyCode::PageDown => self.move_fleet_cursor(PAGE),
            KeyCode::PageUp => self.move_fleet_cursor(-PAGE),
            KeyCode::Char('g') | KeyCode::Home => self.move_fleet_cursor(isize::MIN),
            KeyCode::Char('G') | KeyCode::End => self.move_fleet_cursor(isize::MAX),
            KeyCode::Enter => self.open_cockpit(),
            KeyCode::Char('/') => self.model.ui.fleet.typing = true,
            KeyCode::Char('o') => {
                let fleet = &mut self.model.ui.fleet;
                fleet.sort = fleet.sort.next();
                fleet.cursor = 0;
                self.model.ui.flash = Some(format!("fleet sorted by {}", fleet.sort.word()));
            }
            KeyCode::Char('t') => {
                let fleet = &mut self.model.ui.fleet;
                fleet.group_by = fleet.group_by.next();
                fleet.cursor = 0;
                self.model.ui.flash = Some(format!("fleet rolled up by {}", fleet.group_by.word()));
            }
            KeyCode::Esc => {
                let fleet = &mut self.model.ui.fleet;
                fleet.filter.clear();
                fleet.cursor = 0;
            }
            _ => {}
        }
        Vec::new()
    }

    /// Typing after `/`: the filter narrows the rows as it grows.
    fn on_fleet_filter_key(&mut self, key: KeyEvent) {
        let fleet = &mut self.model.ui.fleet;
        match key.code {
            KeyCode::Enter => fleet.typing = false,
            KeyCode::Esc => {
                fleet.typing = false;
                fleet.filter.clear();
                fleet.cursor = 0;
            }
            KeyCode::Backspace => {
                fleet.filter.pop();
                fleet.cursor = 0;
            }
            KeyCode::Down => self.move_fleet_cursor(1),
            KeyCode::Up => self.move_fleet_cursor(-1),
            KeyCode::Char(c) if !c.is_control() => self.type_into_fleet_filter(&c.to_string()),
            _ => {}
        }
    }

    /// Adds typed or pasted text to the filter (control characters dropped).
    pub(in crate::app) fn type_into_fleet_filter(&mut self, text: &str) {
        let fleet = &mut self.model.ui.fleet;
        fleet
            .filter
            .extend(text.chars().filter(|c| !c.is_control()));
        fleet.cursor = 0;
    }

    pub(in crate::app) fn move_fleet_cursor(&mut self, delta: isize) {
        let len = fleet_rows(&self.model, &self.derived).services.len();
        let last = len.saturating_sub(1);
        let cursor = self.model.ui.fleet.cursor;
        self.model.ui.fleet.cursor = match delta {
            isize::MIN => 0,
            isize::MAX => last,
            d if d < 0 => cursor.saturating_sub(d.unsigned_abs()),
            d => cursor.saturating_add(d as usize).min(last),
        };
    }

    /// Enter: the cockpit of the service under the cursor.
    fn open_cockpit(&mut self) {
        let rows = fleet_rows(&self.model, &self.derived);
        let Some(index) = rows
            .services
            .get(self.model.ui.fleet.cursor)
            .map(|s| s.index)
        else {
            return;
        };
        self.model.ui.fleet.open = false;
        self.select_service(index);
    }
}
