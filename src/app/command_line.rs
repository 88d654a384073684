//! `:` opens a command line for what has no key: `:service NAME`, `:env staging`,
//! `:window 7d`, `:q`. The text is edited in place (cursor, backspace, paste), Enter
//! runs it, Esc cancels. Parsing is a pure function; running it changes the UI state
//! (or the engine's window) and answers in the footer.

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent};

use super::text_input::TextInput;
use super::App;
use crate::event::Command;

/// The command line being typed: one line edited like a review form's field (cursor,
/// Ctrl-U, Ctrl-W, paste with escapes taken out).
pub type CommandLine = TextInput;

/// The longest command kept; none is near it.
const COMMAND_CHARS: usize = 256;

/// Every command, as the help overlay and the README list it.
pub const COMMANDS: &[(&str, &str)] = &[
    (
        ":service NAME",
        "open a service's cockpit (a unique part of its name will do)",
    ),
    (
        ":env NAME",
        "only this environment's deployments, aliases apply (all: every one)",
    ),
    (":window 7d", "the DORA window: 30d, 12h, 2w…"),
    (":q", "quit"),
];

/// A command understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    Service(String),
    /// `None`: every environment.
    Env(Option<String>),
    Window(Duration),
    Quit,
}

/// Parses the text typed after `:`; the error is the message the footer shows.
pub fn parse(text: &str) -> Result<Cmd, String> {
    let mut words = text.split_whitespace();
    let Some(verb) = words.next() else {
        return Err("empty command: try :service NAME, :env NAME, :window 7d or :q".into());
    };
    let rest: Vec<&str> = words.collect();
    let arg = rest.join(" ");
    let need = |what: &str| format!(":{verb} needs {what}");
    match verb {
        "q" | "quit" if rest.is_empty() => Ok(Cmd::Quit),
        "service" | "s" if !arg.is_empty() => Ok(Cmd::Service(arg)),
        "service" | "s" => Err(need("a service name")),
        "env" | "e" if arg == "all" => Ok(Cmd::Env(None)),
        "env" | "e" if !arg.is_empty() => Ok(Cmd::Env(Some(arg))),
        "env" | "e" => Err(need("an environment (or all)")),
        "window" | "w" if !arg.is_empty() => crate::metrics::duration::parse_duration(&arg)
            .map(Cmd::Window)
            .map_err(|e| format!(":window {arg}: {e}")),
        "window" | "w" => Err(need("a length such as 7d")),
        other => Err(format!(
            "unknown command :{other} (try :service NAME, :env NAME, :window 7d, :q)"
        )),
    }
}

impl App {
    pub(super) fn open_command_line(&mut self) {
        self.model.ui.command = Some(CommandLine::new(COMMAND_CHARS));
    }

    pub(super) fn on_command_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let Some(line) = self.model.ui.command.as_mut() else {
            return Vec::new();
        };
        match key.code {
            KeyCode::Esc => self.model.ui.command = None,
            KeyCode::Enter => {
                let text = line.text().to_string();
                self.model.ui.command = None;
                return self.run_command(&text);
            }
            KeyCode::Backspace if line.is_empty() => self.model.ui.command = None,
            _ => {
                line.on_key(key);
            }
        }
        Vec::new()
    }

    fn run_command(&mut self, text: &str) -> Vec<Command> {
        match parse(text) {
            Err(message) => self.model.ui.flash = Some(message),
            Ok(Cmd::Quit) => return self.quit(),
            Ok(Cmd::Service(name)) => self.command_service(&name),
            Ok(Cmd::Env(env)) => {
                let aliases = &self.model.env_aliases;
                let env = env.map(|e| crate::model::environment::normalize(&e, aliases));
                self.model.ui.flash = Some(match &env {
                    Some(e) => format!("deployments: {e} only (:env all for every one)"),
                    None => "deployments: every environment".to_string(),
                });
                self.model.ui.environment = env;
                self.model.ui.deploy_cursor = 0;
            }
            Ok(Cmd::Window(length)) => {
                self.settings.window = length;
                self.mark_data_changed();
                self.model.ui.flash = Some(format!(
                    "DORA window: {}",
                    crate::metrics::duration::format_duration(length)
                ));
            }
        }
        Vec::new()
    }

    /// `:service NAME`: the exact name, else the one service whose name contains it.
    fn command_service(&mut self, name: &str) {
        let services = &self.model.data.services;
        let needle = name.to_lowercase();
        let exact = services.iter().position(|s| s.to_lowercase() == needle);
        let partial: Vec<usize> = services
            .iter()
            .enumerate()
            .filter(|(_, s)| s.to_lowercase().contains(&needle))
            .map(|(i, _)| i)
            .collect();
        let found = exact.or(match partial.as_slice() {
            [one] => Some(*one),
            _ => None,
        });
        match found {
            Some(i) => {
                let flash = format!("service {}", services[i]);
                self.model.ui.fleet.open = false;
                self.select_service(i);
                self.model.ui.flash = Some(flash);
            }
            None if partial.is_empty() => {
                let known: Vec<&str> = services.iter().take(8).map(String::as_str).collect();
                let more = if services.len() > 8 { ", …" } else { "" };
                self.model.ui.flash = Some(format!(
                    "no service matches {name:?} (known: {}{more})",
                    known.join(", ")
                ));
            }
            None => {
                self.model.ui.flash = Some(format!(
                    "{} services match {name:?}: type more of the name",
                    partial.len()
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_and_mistakes_say_what_is_wrong() {
        assert_eq!(parse("q"), Ok(Cmd::Quit));
        assert_eq!(
            parse(" service  checkout "),
            Ok(Cmd::Service("checkout".into()))
        );
        assert_eq!(parse("env staging"), Ok(Cmd::Env(Some("staging".into()))));
        assert_eq!(parse("env all"), Ok(Cmd::Env(None)));
        assert_eq!(parse("window 7d"), Ok(Cmd::Window(Duration::days(7))));
        let err = |t: &str| parse(t).expect_err(t);
        assert!(err("deploy now").contains("unknown command :deploy"));
        assert!(err("window soon").contains(":window soon"));
        assert!(err("service").contains("needs a service name"));
        assert!(err("").contains("empty command"));
        assert!(err("q now").contains("unknown command :q"));
    }

    #[test]
    fn the_line_edits_at_its_cursor() {
        let mut l = CommandLine::default();
        l.insert("srvice é");
        l.home();
        l.right();
        l.insert("e");
        assert_eq!((l.text(), l.cursor()), ("service é", 2));
        l.end();
        l.backspace();
        // A pasted escape sequence goes whole, a line break becomes a space.
        l.insert("x\x1b[31m\ny");
        assert_eq!(l.text(), "service x y");
        l.home();
        l.delete();
        assert_eq!(l.text(), "ervice x y");
        l.backspace();
        assert_eq!(l.cursor(), 0);
    }
}
