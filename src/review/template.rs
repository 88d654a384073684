//! Checklist templates in TOML: the bundled `lightweight` and `detailed`
//! (assets/review/templates.toml), and a user file over them (`[review] template_file`).
//! A service's tier picks the template: the last one that lists the tier wins, so a
//! user template can take a tier over from a bundled one.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::{parse_toml, ConfigError};

/// The bundled templates.
pub const BUNDLED: &str = include_str!("../../assets/review/templates.toml");

/// How much a service matters; `[[services]] tier` (default `medium`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Low,
    #[default]
    Medium,
    High,
    Critical,
}

impl Tier {
    /// As written in the config (`critical`), and as the fleet view rolls up by it.
    pub fn word(self) -> &'static str {
        match self {
            Tier::Low => "low",
            Tier::Medium => "medium",
            Tier::High => "high",
            Tier::Critical => "critical",
        }
    }
}

/// An item evaluated from data (the metrics engine's outputs), never ticked by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AutoCheck {
    /// The error ratio at the end of the bake time is back at the hour-before baseline.
    ErrorRatioBaseline,
    /// The budget the deployment consumed is below `[review] budget_consumed_max`.
    BudgetConsumed,
    /// No incident is linked to the deployment (DESIGN §3 linking).
    NoLinkedIncident,
    /// The deployment's lead-time point lies inside the XmR limits.
    LeadTimeInLimits,
    /// The deployment's duration point lies inside the XmR limits.
    DurationInLimits,
    /// No run rule trips on a point of this deployment.
    NoSpcSignal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateItem {
    /// Stable within the template: the key of its state in a review. Every string
    /// of a template file is outside text: sanitized and bounded as it is read.
    #[serde(deserialize_with = "crate::model::outside::de_line")]
    pub id: String,
    #[serde(deserialize_with = "crate::model::outside::de_line")]
    pub title: String,
    /// What to look at (manual items).
    #[serde(default, deserialize_with = "crate::model::outside::de_line")]
    pub hint: String,
    /// Set for an automatic item.
    #[serde(default)]
    pub check: Option<AutoCheck>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    #[serde(default, deserialize_with = "crate::model::outside::de_line")]
    pub description: String,
    /// The tiers this template serves.
    #[serde(default)]
    pub tiers: Vec<Tier>,
    pub items: Vec<TemplateItem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    templates: BTreeMap<String, Template>,
}

/// Every known template, in load order (bundled first, then the user's).
#[derive(Debug, Clone, PartialEq)]
pub struct Templates {
    list: Vec<(String, Template)>,
}

impl Default for Templates {
    /// The bundled templates (parsed once per call; they are checked by a test).
    fn default() -> Self {
        let mut t = Templates { list: Vec::new() };
        if let Ok(file) = parse_toml::<TemplateFile>(BUNDLED, Path::new("bundled templates")) {
            t.extend(file);
        }
        t
    }
}

impl Templates {
    /// The bundled templates with the user's file at `path` over them; a mistake in
    /// it names the file, line and key.
    pub fn with_user_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.to_path_buf(),
            line: None,
            column: None,
            key: None,
            message: format!("cannot read the review template file: {e}"),
        })?;
        let mut t = Templates::default();
        t.extend(Self::parse(&text, path)?);
        Ok(t)
    }

    fn parse(text: &str, path: &Path) -> Result<TemplateFile, ConfigError> {
        let file: TemplateFile = parse_toml(text, path)?;
        for (name, template) in &file.templates {
            let mut seen = std::collections::BTreeSet::new();
            for (i, item) in template.items.iter().enumerate() {
                let key = format!("templates.{name}.items[{i}].id");
                let problem = if item.id.trim().is_empty() {
                    Some("a non-empty id")
                } else if !seen.insert(item.id.as_str()) {
                    Some("an id not used by another item of the template")
                } else {
                    None
                };
                if let Some(expected) = problem {
                    return Err(ConfigError {
                        file: path.to_path_buf(),
                        line: line_of(text, &format!("id = \"{}\"", item.id)),
                        column: None,
                        key: Some(key),
                        message: format!("expected {expected}"),
                    });
                }
            }
        }
        Ok(file)
    }

    fn extend(&mut self, file: TemplateFile) {
        for (name, template) in file.templates {
            self.list.retain(|(n, _)| *n != name);
            self.list.push((name, template));
        }
    }

    /// The template for a service of `tier`: the last loaded that lists it, else
    /// `lightweight` (or the first), so every deployment gets a checklist.
    pub fn for_tier(&self, tier: Tier) -> Option<(&str, &Template)> {
        self.list
            .iter()
            .rev()
            .find(|(_, t)| t.tiers.contains(&tier))
            .or_else(|| self.list.iter().find(|(n, _)| n == "lightweight"))
            .or_else(|| self.list.first())
            .map(|(n, t)| (n.as_str(), t))
    }

    pub fn get(&self, name: &str) -> Option<&Template> {
        self.list.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.list.iter().map(|(n, _)| n.as_str())
    }
}

/// The line of the second occurrence of `needle`, else the first (for a duplicate id,
/// the second one is the mistake).
fn line_of(text: &str, needle: &str) -> Option<usize> {
    let mut found = text.match_indices(needle).map(|(at, _)| at);
    let first = found.next()?;
    let at = found.next().unwrap_or(first);
    Some(text[..at].matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_templates_parse_and_tiers_pick_them() {
        parse_toml::<TemplateFile>(BUNDLED, Path::new("bundled")).expect("bundled parse");
        let t = Templates::default();
        assert_eq!(t.for_tier(Tier::Low).map(|(n, _)| n), Some("lightweight"));
        assert_eq!(
            t.for_tier(Tier::Medium).map(|(n, _)| n),
            Some("lightweight")
        );
        assert_eq!(t.for_tier(Tier::High).map(|(n, _)| n), Some("detailed"));
        assert_eq!(t.for_tier(Tier::Critical).map(|(n, _)| n), Some("detailed"));
        let detailed = t.get("detailed").expect("detailed");
        let autos = detailed.items.iter().filter(|i| i.check.is_some()).count();
        assert_eq!(
            autos, 6,
            "every automatic check is in the detailed template"
        );
    }

    #[test]
    fn a_user_template_takes_a_tier_over() {
        let mut t = Templates::default();
        let text = "[templates.mine]\ntiers = [\"critical\"]\n[[templates.mine.items]]\nid = \"a\"\ntitle = \"A\"\n";
        t.extend(Templates::parse(text, Path::new("mine.toml")).expect("parse"));
        assert_eq!(t.for_tier(Tier::Critical).map(|(n, _)| n), Some("mine"));
        assert_eq!(t.for_tier(Tier::High).map(|(n, _)| n), Some("detailed"));
    }

    #[test]
    fn a_mistake_names_file_line_and_key() {
        let text = "[templates.mine]\ntiers = [\"critical\"]\n[[templates.mine.items]]\nid = \"a\"\ntitle = \"A\"\ncheck = \"vibes\"\n";
        let e = Templates::parse(text, Path::new("/etc/review.toml")).expect_err("bad check");
        assert_eq!(e.line, Some(6), "{e}");
        assert_eq!(
            e.key.as_deref(),
            Some("templates.mine.items[0].check"),
            "{e}"
        );
        assert!(e.to_string().starts_with("/etc/review.toml:6"), "{e}");

        let text = "[templates.mine]\n[[templates.mine.items]]\nid = \"a\"\ntitle = \"A\"\n[[templates.mine.items]]\nid = \"a\"\ntitle = \"B\"\n";
        let e = Templates::parse(text, Path::new("r.toml")).expect_err("duplicate id");
        assert_eq!(e.line, Some(6), "{e}");
        assert_eq!(e.key.as_deref(), Some("templates.mine.items[1].id"), "{e}");

        let text = "[templates.mine]\nitems = []\ncolour = 3\n";
        let e = Templates::parse(text, Path::new("r.toml")).expect_err("unknown key");
        assert_eq!(e.line, Some(3), "{e}");
    }
}
