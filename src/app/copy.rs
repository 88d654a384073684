//! `y`: copies the selected deployment's version to the system clipboard; pressed
//! again on the same deployment, its sha, then its URL, then the version again. The
//! runtime writes the text as an OSC 52 sequence through the terminal (works over SSH
//! and tmux with `set-clipboard on`); the footer says what was copied.

use super::App;
use crate::model::Deployment;

/// Text waiting to be written to the clipboard; `seq` grows with each copy so the
/// runtime writes each one once.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Clip {
    pub seq: u64,
    pub text: String,
    /// The deployment and the field (0 version, 1 sha, 2 URL) last copied.
    pub from: Option<(String, usize)>,
}

/// The fields `y` cycles through, in order, with their names.
fn fields(d: &Deployment) -> [(&'static str, Option<&str>); 3] {
    [
        ("version", Some(d.version.as_str())),
        ("sha", Some(d.sha.as_str())),
        ("URL", d.url.as_deref()),
    ]
}

impl App {
    pub(super) fn copy_selected(&mut self) {
        let Some(d) = self.model.selected_deployment() else {
            self.model.ui.flash = Some("no deployment selected to copy".to_string());
            return;
        };
        let clip = &self.model.ui.clip;
        let start = match &clip.from {
            Some((id, field)) if *id == d.id => field + 1,
            _ => 0,
        };
        let all = fields(d);
        // The next field that has a value (a deployment may have no URL).
        let Some((field, name, text)) = (start..start + all.len())
            .map(|i| i % all.len())
            .find_map(|i| all[i].1.filter(|t| !t.is_empty()).map(|t| (i, all[i].0, t)))
        else {
            return;
        };
        let next = fields(d)[(field + 1) % 3].0;
        let flash = format!("copied {name} {text} to the clipboard (OSC 52); y again: {next}");
        let id = d.id.clone();
        let text = text.to_string();
        let clip = &mut self.model.ui.clip;
        clip.seq += 1;
        clip.text = text;
        clip.from = Some((id, field));
        self.model.ui.flash = Some(flash);
    }
}
