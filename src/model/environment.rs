//! Environment names normalized through aliases (`prod`, `prd` → `production`).

use std::collections::BTreeMap;

pub const PRODUCTION: &str = "production";

/// Built-in aliases; the config may add more (`[environments.aliases]`).
const BUILTIN: &[(&str, &str)] = &[
    ("prod", "production"),
    ("prd", "production"),
    ("production", "production"),
    ("live", "production"),
    ("stage", "staging"),
    ("stg", "staging"),
    ("staging", "staging"),
    ("dev", "development"),
    ("development", "development"),
];

/// Maps a raw environment name to its normalized form: configured aliases first, then
/// the built-in ones, otherwise the lower-cased name itself.
pub fn normalize(raw: &str, extra: &BTreeMap<String, String>) -> String {
    let key = raw.trim().to_ascii_lowercase();
    if let Some(v) = extra.get(&key) {
        return v.to_ascii_lowercase();
    }
    BUILTIN
        .iter()
        .find(|(alias, _)| *alias == key)
        .map(|(_, v)| (*v).to_string())
        .unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_map_to_production() {
        let none = BTreeMap::new();
        for raw in ["prod", "PRD", " Production ", "live"] {
            assert_eq!(normalize(raw, &none), PRODUCTION, "{raw}");
        }
        assert_eq!(normalize("canary-eu", &none), "canary-eu");
    }

    #[test]
    fn configured_alias_wins() {
        let mut extra = BTreeMap::new();
        extra.insert("prod-eu".to_string(), "production".to_string());
        assert_eq!(normalize("Prod-EU", &extra), PRODUCTION);
    }
}
