//! One `[[slo_files]]` entry of the config: which files, read how, with what defaults
//! for the services they become; checked like every other section.

use serde::Deserialize;

use super::super::ConfigIssue;
use crate::review::template::Tier;

/// Which reader a `[[slo_files]]` entry's files go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SloFormat {
    /// Each document says what it is (`version:` or `apiVersion:`).
    #[default]
    Auto,
    Sloth,
    OpenSlo,
}

/// One `[[slo_files]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SloFilesConfig {
    /// A file, or `*`/`?` in the file name; relative to the config file's directory.
    pub path: String,
    #[serde(default)]
    pub format: SloFormat,
    /// The flightdeck service name of each SLO, from `{service}` and `{slo}`.
    #[serde(default)]
    pub service_name: Option<String>,
    /// The fleet view's group of these services (default: the file's service).
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub tier: Tier,
    /// The SLO window of Sloth files (Sloth keeps it out of the spec) and of OpenSLO
    /// SLOs without a `timeWindow`.
    #[serde(default = "default_window_days")]
    pub window_days: u32,
}

fn default_window_days() -> u32 {
    30
}

impl SloFilesConfig {
    pub fn validate(&self, path: &str, issues: &mut Vec<ConfigIssue>) {
        if self.path.trim().is_empty() {
            issues.push(ConfigIssue::new(
                format!("{path}.path"),
                "a file or pattern like \"slos/*.yaml\"",
            ));
        }
        issues.extend(ConfigIssue::out_of_range(
            format!("{path}.window_days"),
            self.window_days,
            1..=400,
            "days between 1 and 400",
        ));
        if let Some(template) = &self.service_name {
            if let Err(why) = check_template(template) {
                issues.push(
                    ConfigIssue::new(format!("{path}.service_name"), why)
                        .found(format!("{template:?}")),
                );
            }
        }
    }
}

/// A name template must tell SLOs apart and use only the placeholders there are.
pub fn check_template(template: &str) -> Result<(), String> {
    let rest = template.replace("{service}", "").replace("{slo}", "");
    if rest.contains(['{', '}']) {
        return Err("only the placeholders {service} and {slo}".into());
    }
    if !template.contains("{slo}") && !template.contains("{service}") {
        return Err("a name with {slo} or {service} in it, like \"{service}-{slo}\"".into());
    }
    Ok(())
}
