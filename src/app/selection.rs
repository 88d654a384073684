//! Selections follow what they point at, not a row number: a list whose rows move when
//! data arrives (the live demo puts each new deployment at the top of the table) keeps
//! the same deployment, service or row selected.
//!
//! Before data is applied the app takes an [`Anchor`] (the ids under each cursor);
//! afterwards it puts every cursor back on its id, and only when the id is gone does
//! the cursor fall back to its old position, kept inside the list.

use super::{Model, Overlay};

/// The ids the cursors point at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Anchor {
    /// The deployment under the table cursor.
    deployment: Option<String>,
    /// The service under the picker's cursor.
    picked: Option<String>,
}

impl Anchor {
    pub fn take(model: &Model) -> Anchor {
        Anchor {
            deployment: model.selected_deployment().map(|d| d.id.clone()),
            picked: picker_target(model).map(str::to_string),
        }
    }

    /// Puts each cursor back on its id (where the id still exists), then keeps every
    /// cursor inside its list.
    pub fn restore(self, model: &mut Model) {
        let services = model.data.services.len();
        if model.ui.service >= services {
            model.ui.service = services.saturating_sub(1);
        }
        let rows = model.service_deployments();
        let found = self
            .deployment
            .as_deref()
            .and_then(|id| rows.iter().position(|d| d.id == id));
        let len = rows.len();
        model.ui.deploy_cursor = found.unwrap_or(model.ui.deploy_cursor.min(len.saturating_sub(1)));
        if let Some(name) = self.picked {
            restore_picker(model, &name);
        }
    }
}

/// The service name under the picker's cursor, when the picker is open.
fn picker_target(model: &Model) -> Option<&str> {
    let Some(Overlay::ServicePicker { filter, cursor }) = model.ui.overlays.last() else {
        return None;
    };
    let index = *model.picker_matches(filter).get(*cursor)?;
    model.data.services.get(index).map(String::as_str)
}

fn restore_picker(model: &mut Model, name: &str) {
    let Some(Overlay::ServicePicker { filter, cursor }) = model.ui.overlays.last() else {
        return;
    };
    let matches = model.picker_matches(filter);
    let found = matches
        .iter()
        .position(|&i| model.data.services.get(i).is_some_and(|s| s == name));
    let next = found.unwrap_or((*cursor).min(matches.len().saturating_sub(1)));
    if let Some(Overlay::ServicePicker { cursor, .. }) = model.ui.overlays.last_mut() {
        *cursor = next;
    }
}

#[cfg(test)]
#[path = "selection_tests.rs"]
mod tests;
