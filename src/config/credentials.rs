//! The checks every source's credential keys share: `token_env` names a variable (it
//! is not the token pasted in), `token_cmd` is a command.

use super::issue::ConfigIssue;

/// Checks `token_env` and `token_cmd` of the section whose keys `key` names;
/// `example_cmd` is the command suggested for that source ("pass show gitlab").
pub fn validate_secret_keys(
    key: &dyn Fn(&str) -> String,
    token_env: Option<&str>,
    token_cmd: Option<&str>,
    example_cmd: &str,
    issues: &mut Vec<ConfigIssue>,
) {
    if let Some(env) = token_env {
        if env.is_empty() || !env.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            issues.push(ConfigIssue::new(
                key("token_env"),
                "the NAME of an environment variable (letters, digits, _), not the token itself",
            ));
        }
    }
    if matches!(token_cmd, Some(c) if c.trim().is_empty()) {
        issues.push(ConfigIssue::new(
            key("token_cmd"),
            format!("a command such as \"{example_cmd}\""),
        ));
    }
}
