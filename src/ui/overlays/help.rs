//! `?`: every key, from the one key table (what is documented is what is bound).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::Doc;
use crate::app::command_line::COMMANDS;
use crate::app::keys::{offered, Binding, Scope, KEYS};
use crate::metrics::RiskFlag;
use crate::model::DeployStatus;
use crate::ui::paint::width;
use crate::ui::Ctx;

pub fn draw(ctx: &Ctx, area: Rect, buf: &mut Buffer) {
    let theme = ctx.theme;
    // Demo-only keys are offered only in the demo.
    let demo = ctx.model.view.demo;
    let rows: Vec<&Binding> = KEYS.iter().filter(|b| offered(b.keys, demo)).collect();
    let key_w = rows.iter().map(|b| width(b.keys)).max().unwrap_or(0);
    let mut doc = Doc::default();
    // Scope by scope, each in the table's order.
    for scope in Scope::ALL {
        if scope != Scope::ALL[0] {
            doc.blank();
        }
        doc.text(scope.heading(), theme.heading());
        for b in rows.iter().filter(|b| b.scope == scope) {
            doc.line(vec![
                (format!("{:<key_w$}  ", b.keys), theme.bold()),
                (b.what.to_string(), theme.plain()),
            ]);
        }
    }
    doc.blank();
    doc.text("Command line (:)", theme.heading());
    for (command, what) in COMMANDS {
        doc.line(vec![
            (format!("{command:<key_w$}  "), theme.bold()),
            ((*what).to_string(), theme.plain()),
        ]);
    }
    doc.blank();
    doc.text(
        "Symbols: status and health are words as well as colours.",
        theme.muted(),
    );
    let mut statuses = vec![(format!("{:<key_w$}  ", "status"), theme.bold())];
    for st in [
        DeployStatus::Success,
        DeployStatus::Running,
        DeployStatus::Failed,
        DeployStatus::RolledBack,
        DeployStatus::Canceled,
    ] {
        let (sym, style) = theme.status(st);
        statuses.push((format!("{sym} {}  ", st.word()), style));
    }
    doc.line(statuses);
    doc.blank();
    doc.text("Deployment flags", theme.heading());
    let flag = |doc: &mut Doc, tag: &str, what: &str| {
        doc.line(vec![
            (format!("{tag:<key_w$}  "), theme.bold()),
            (what.to_string(), theme.plain()),
        ]);
    };
    flag(&mut doc, "FAIL", "counts as a change failure");
    flag(
        &mut doc,
        "SPIKE",
        "error ratio >= 5x the hour before: likely cause",
    );
    flag(
        &mut doc,
        "hotfix, rollback",
        "the deployment's kind (rework)",
    );
    for r in RiskFlag::ALL {
        flag(&mut doc, r.tag(), &format!("risk: {}", r.word()));
    }
    let w = rows
        .iter()
        .map(|b| b.what)
        .chain(COMMANDS.iter().map(|(_, what)| *what))
        .map(|what| key_w + width(what) + 6)
        .max()
        .unwrap_or(40);
    doc.show(ctx, area, w.max(62) as u16, "Help: keys", buf);
}

#[cfg(test)]
mod tests {
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;

    use crate::app::command_line::COMMANDS;
    use crate::app::keys::KEYS;
    use crate::app::{Overlay, OverlayScroll};
    use crate::ui::{buffer_to_text, fixture, render, Theme};

    /// The whole help, scrolled page by page through a small screen.
    fn whole_help() -> String {
        let mut model = fixture::model();
        let derived = fixture::derived(&model);
        model.ui.overlays = vec![Overlay::Help];
        let mut seen = String::new();
        for page in 0..12 {
            model.ui.overlay_scroll = OverlayScroll::Top(page * 10);
            let mut buf = Buffer::empty(Rect::new(0, 0, 160, 40));
            render(&mut buf, &model, &derived, &Theme::new(true, false));
            seen.push_str(&buffer_to_text(&buf));
        }
        seen
    }

    #[test]
    fn the_help_lists_every_key_and_every_command() {
        let help = whole_help();
        for b in KEYS {
            assert!(help.contains(b.what), "the help lacks {:?}", b.keys);
        }
        for (command, what) in COMMANDS {
            assert!(
                help.contains(command) && help.contains(what),
                "lacks {command}"
            );
        }
    }
}
